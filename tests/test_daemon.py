"""The Docker daemon: daemon.json and systemd kinds, their classification, and SG701-SG703 in every place."""

from __future__ import annotations

import pytest

from snippetguard import KINDS, RULES
from snippetguard.classify import kind_for_lang, kind_for_path
from snippetguard.kinds.daemon import parse_daemon
from snippetguard.kinds.systemd import exec_words, parse_systemd, split_words
from snippetguard.registry import ParseError
from snippetguard.rules.daemon import exposed

from conftest import codes, fired

# --- daemon.json: JSON with places ------------------------------------------------------------------------------


def test_daemon_json_keeps_lines_and_columns() -> None:
    config = parse_daemon('{\n  "hosts": [\n    "fd://",\n    "tcp://0.0.0.0:2375"\n  ],\n  "iptables": false\n}\n')
    hosts = config.option("hosts")
    assert hosts is not None and [(n.value, n.line, n.column) for n in hosts.items] == [
        ("fd://", 3, 5), ("tcp://0.0.0.0:2375", 4, 5)]
    assert config.root.key_place("iptables") == (6, 3)
    assert config.flag("iptables") is False and config.flag("live-restore") is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param('{"hosts": [], "hosts": ["tcp://0.0.0.0:2375"]}', 1, "duplicate key", id="duplicate-key"),
        pytest.param('{\n  "iptables": false,\n}\n', 3, "JSON does not parse", id="trailing-comma"),
        pytest.param('["tcp://0.0.0.0:2375"]', 1, "must be one JSON object", id="not-an-object"),
        pytest.param("", 1, "empty", id="empty"),
    ],
)
def test_daemon_json_parse_errors(text: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_daemon(text)
    assert err.value.line == line and words in err.value.message


def test_deep_json_is_refused_not_crashed() -> None:
    assert codes('{"a": ' * 300 + "1" + "}" * 300, "daemon") == {"SG001"}


# --- systemd units: sections, continuations, resets, words ------------------------------------------------------


def test_unit_continuations_comments_and_resets() -> None:
    unit = parse_systemd(
        "# drop-in\n[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n# a comment inside\n"
        "    -H tcp://0.0.0.0:2376 --tlsverify\n; old\n[Install]\nWantedBy=multi-user.target\n"
    )
    (start,) = unit.effective("Service", "ExecStart")
    assert start.line == 4
    assert [(w.text, w.line, w.column) for w in exec_words(start)] == [
        ("/usr/bin/dockerd", 4, 11), ("-H", 6, 5), ("tcp://0.0.0.0:2376", 6, 8), ("--tlsverify", 6, 27)]
    assert unit.all("Install", "WantedBy")[0].value == "multi-user.target"


def test_exec_prefixes_and_quotes() -> None:
    unit = parse_systemd('[Service]\nExecStart=-/usr/bin/dockerd "-H" \'tcp://:2375\'\n')
    assert [w.text for w in exec_words(unit.settings[0])] == ["/usr/bin/dockerd", "-H", "tcp://:2375"]
    assert [w.text for w in split_words(r'a\ b "c d" e', None)] == ["a b", "c d", "e"]


@pytest.mark.parametrize(
    ("text", "line"),
    [("ExecStart=/usr/bin/dockerd\n", 1), ("[Service]\nthis is not a setting\n", 2),
     ('[Service]\nExecStart=/usr/bin/dockerd "-H\n', 2)],
    ids=["before-any-section", "not-key-value", "unclosed-quote"],
)
def test_unit_parse_errors(text: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        parse_systemd(text)
    assert err.value.line == line


# --- classification: by name, by place, by content --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("/etc/docker/daemon.json", "{}", "daemon"),
        ("docs/snippets/daemon/loopback.json", '{"iptables": true}', "daemon"),
        ("package.json", '{"name": "x", "version": "1", "scripts": {}}', "json"),
        ("settings.json", '{"ip": "1.2.3.4"}', "json"),
        ("/etc/systemd/system/docker.service.d/override.conf", "ExecStart=\n", "systemd"),
        ("override.conf", "[Service]\nExecStart=\n", "systemd"),
        ("docker.socket", "[Socket]\nListenStream=2375\n", "systemd"),
        ("caddy.service", "[Unit]\nDescription=Caddy\n", "systemd"),
        ("sites-available/media.conf", "server {\n    listen 80;\n}\n", "nginx"),
        ("snippets/regex.conf", 'location ~ "^/[Service]$" {\n    return 404;\n}\n', "nginx"),
    ],
)
def test_kind_for_path(path: str, text: str, kind: str) -> None:
    assert kind_for_path(path, text) == kind


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [("json", '{"hosts": ["fd://"]}', "daemon"), ("json", '{"status": "ok"}', "json"),
     ("systemd", "[Service]\n", "systemd"), ("ini", "[Service]\nExecStart=\n", "systemd"), ("ini", "a=1\n", None)],
)
def test_kind_for_lang(lang: str, text: str, kind: str | None) -> None:
    assert kind_for_lang(lang, text) == kind


def test_kinds_are_registered() -> None:
    assert KINDS["daemon"].title == "Docker daemon.json" and KINDS["systemd"].title == "systemd unit"
    assert {r for r in RULES if r.startswith("SG7")} == {"SG701", "SG702", "SG703"}


# --- SG701: the API on the network ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "where"),
    [("tcp://0.0.0.0:2375", "every interface"), ("tcp://:2375", "every interface"), ("0.0.0.0:2376", "every interface"),
     ("tcp://[::]:2375", "every interface"), ("tcp://192.168.1.10:2375", "192.168.1.10"), ("tcp://0.0.0.0", "every interface"),
     ("tcp://127.0.0.1:2375", None), ("tcp://localhost:2375", None), ("tcp://[::1]:2375", None),
     ("unix:///var/run/docker.sock", None), ("fd://", None), ("ssh://me@host", None), ("tcp://${BIND}:2375", None)],
)
def test_exposed_addresses(address: str, where: str | None) -> None:
    assert exposed(address) == where


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        pytest.param('{"hosts": "tcp://0.0.0.0:2375"}', "daemon", 1, id="json-string-not-list"),
        pytest.param('{\n  "hosts": ["tcp://0.0.0.0:2376"],\n  "tls": true,\n  "tlsverify": false\n}', "daemon", 2,
                     id="json-tls-without-verify"),
        pytest.param("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --host=tcp://0.0.0.0:2375\n", "systemd", 3,
                     id="unit-host-equals"),
        pytest.param("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -Htcp://0.0.0.0:2375\n", "systemd", 3,
                     id="unit-H-glued"),
        pytest.param('[Service]\nEnvironment="DOCKER_OPTS=-H tcp://0.0.0.0:2375"\nExecStart=\n'
                     "ExecStart=/usr/bin/dockerd ${DOCKER_OPTS}\n", "systemd", 2, id="unit-environment"),
        pytest.param("[Socket]\nListenStream=0.0.0.0:2375\n", "systemd", 2, id="socket-address"),
        pytest.param("[Socket]\nListenStream=2375\n", "systemd", 2, id="socket-bare-port"),
        pytest.param("sudo dockerd -H tcp://0.0.0.0:2375\n", "shell", 1, id="shell-dockerd"),
        pytest.param('DOCKER_OPTS="-H tcp://0.0.0.0:2375"\n', "shell", 1, id="shell-assignment"),
        pytest.param("echo 'DOCKER_OPTS=\"-H=tcp://0.0.0.0:2375\"' >> /etc/default/docker\n", "shell", 1,
                     id="shell-echo"),
    ],
)
def test_api_exposed(text: str, kind: str, line: int) -> None:
    assert ("SG701", line) in fired(text, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]}', "daemon"),
        ('{"hosts": ["tcp://0.0.0.0:2376"], "tlsverify": true, "tlscacert": "/etc/docker/ca.pem"}', "daemon"),
        ('{"userland-proxy": false, "live-restore": true, "ip": "0.0.0.0", "icc": true}', "daemon"),
        ("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --tlsverify -H tcp://0.0.0.0:2376\n", "systemd"),
        ("[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\nExecStart=\n"
         "ExecStart=/usr/bin/dockerd -H fd://\n", "systemd"),
        ("[Service]\nExecStart=/usr/bin/containerd --address tcp://0.0.0.0:2375\n", "systemd"),
        ('[Service]\nEnvironment="DOCKER_OPTS=-H tcp://0.0.0.0:2375"\nExecStart=/usr/bin/dockerd -H fd://\n', "systemd"),
        ("[Socket]\nListenStream=/run/docker.sock\n", "systemd"),
        ("docker -H tcp://192.168.1.10:2376 ps\n", "shell"),
        ("dockerd -H unix:///var/run/docker.sock -H tcp://127.0.0.1:2375\n", "shell"),
        ("export DOCKER_HOST=tcp://192.168.1.10:2375\n", "shell"),
    ],
)
def test_api_near_misses(text: str, kind: str) -> None:
    assert "SG701" not in codes(text, kind)


# --- SG702: iptables off ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [('{\n  "iptables": false\n}', "daemon", 2), ('{"ip6tables": false}', "daemon", 1),
     ("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --iptables=false\n", "systemd", 3),
     ('DOCKER_OPTS="--iptables=false"\n', "shell", 1), ("dockerd --ip6tables=0 &\n", "shell", 1)],
)
def test_firewall_rules_off(text: str, kind: str, line: int) -> None:
    assert ("SG702", line) in fired(text, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [('{"iptables": true}', "daemon"), ('{"iptables": "false"}', "daemon"), ('{"ip": "127.0.0.1"}', "daemon"),
     ("[Service]\nExecStart=/usr/bin/dockerd --iptables=true\n", "systemd"), ("sudo iptables -L DOCKER-USER\n", "shell")],
)
def test_firewall_near_misses(text: str, kind: str) -> None:
    assert "SG702" not in codes(text, kind)


# --- SG703: the socket for everyone -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [("sudo chmod 666 /var/run/docker.sock\n", "shell", 1), ("chmod 0777 /run/docker.sock\n", "shell", 1),
     ("chmod o+rw /var/run/docker.sock\n", "shell", 1), ("sudo chmod a+w /var/run/docker.sock\n", "shell", 1),
     ("[Socket]\nSocketMode=0666\n", "systemd", 2)],
)
def test_socket_for_everyone(text: str, kind: str, line: int) -> None:
    assert ("SG703", line) in fired(text, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("sudo chmod 660 /var/run/docker.sock\n", "shell"), ("chmod g+rw /var/run/docker.sock\n", "shell"),
     ("chmod 666 ./notes.txt\n", "shell"), ("chmod o-rw /var/run/docker.sock\n", "shell"),
     ("[Socket]\nSocketMode=0660\nSocketGroup=docker\n", "systemd")],
)
def test_socket_near_misses(text: str, kind: str) -> None:
    assert "SG703" not in codes(text, kind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sudo chmod 666 /var/run/docker.sock\n", [("SG703", 1)]),  # one finding, the one that says why it is root
     ("chmod 0777 /run/docker.sock /srv/media\n", [("SG301", 1), ("SG703", 1)]),  # the other file is still SG301's
     ("install -m 666 /dev/null /srv/notes.txt\nchmod 666 /srv/notes.txt\n", [("SG301", 1), ("SG301", 2)])],
)
def test_the_docker_socket_is_reported_once(text: str, expected: list[tuple[str, int]]) -> None:
    assert sorted(f for f in fired(text, "shell") if f[0] in ("SG301", "SG703")) == expected
