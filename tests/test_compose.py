"""Compose rules through every spelling Compose accepts, and their secure near-misses."""

from __future__ import annotations

import pytest

from conftest import codes, fired

DB = "services:\n  db:\n    image: postgres:15-alpine\n"


@pytest.mark.parametrize(
    ("ports", "line"),
    [
        pytest.param('    ports:\n      - "5432:5432"\n', 5, id="short-quoted"),
        pytest.param("    ports:\n      - 5432:5432\n", 5, id="short-plain"),
        pytest.param("    ports:\n      - 5432\n", 5, id="container-port-only-random-host-port"),
        pytest.param('    ports: ["0.0.0.0:5432:5432"]\n', 4, id="flow-all-ipv4"),
        pytest.param('    ports: ["[::]:5432:5432"]\n', 4, id="all-ipv6"),
        pytest.param('    ports: ["192.168.1.20:5432:5432"]\n', 4, id="lan-address"),
        pytest.param('    ports:\n      - "${DB_PORT:-5432}:5432"\n', 5, id="interpolated-host-port"),
        pytest.param('    ports:\n      - "${BIND_ADDR}:5432:5432"\n', 5, id="address-from-variable-without-default"),
        pytest.param('    ports:\n      - "${BIND_ADDR:-0.0.0.0}:5432:5432"\n', 5, id="address-default-all"),
        pytest.param('    ports:\n      - "5430-5435:5430-5435"\n', 5, id="range"),
        pytest.param("    ports:\n      - target: 5432\n        published: 5432\n", 5, id="long-syntax"),
        pytest.param("    ports:\n      - target: 5432\n        host_ip: 0.0.0.0\n", 5, id="long-syntax-all"),
        pytest.param('    ports:\n      - "5432:5432/tcp"\n', 5, id="with-protocol"),
    ],
)
def test_database_port_published(ports: str, line: int) -> None:
    assert ("SG101", line) in fired(DB + ports, "compose")


@pytest.mark.parametrize(
    "ports",
    [
        pytest.param('    ports:\n      - "127.0.0.1:5432:5432"\n', id="loopback"),
        pytest.param('    ports:\n      - "127.0.0.2:5432:5432"\n', id="loopback-range"),
        pytest.param('    ports:\n      - "[::1]:5432:5432"\n', id="ipv6-loopback"),
        pytest.param('    ports:\n      - "${BIND:-127.0.0.1}:5432:5432"\n', id="interpolated-loopback-default"),
        pytest.param("    ports:\n      - target: 5432\n        host_ip: 127.0.0.1\n        published: 5432\n", id="long-loopback"),
        pytest.param('    expose:\n      - "5432"\n', id="expose-only"),
        pytest.param("", id="no-ports"),
    ],
)
def test_database_port_near_misses(ports: str) -> None:
    assert "SG101" not in codes(DB + ports, "compose")


def test_api_port_on_lan_is_fine() -> None:
    text = 'services:\n  api:\n    image: desterlib/api:latest\n    ports:\n      - "3001:3001"\n'
    assert codes(text, "compose") == set()


def test_database_recognised_by_container_port_without_image() -> None:
    text = 'services:\n  cache:\n    build: ./cache\n    ports:\n      - "6379:6379"\n'
    assert ("SG101", 5) in fired(text, "compose")


@pytest.mark.parametrize("image", ["mysql:8", "mariadb:11", "redis:7-alpine", "mongo:7", "docker.io/library/postgres:16"])
def test_database_recognised_by_image(image: str) -> None:
    text = f'services:\n  db:\n    image: {image}\n    ports:\n      - "9999:9999"\n'
    assert ("SG101", 5) in fired(text, "compose")


def test_anchor_and_merge_key() -> None:
    text = (
        "x-db: &db\n"
        "  image: postgres:15-alpine\n"
        "  ports:\n"
        '    - "5432:5432"\n'
        "services:\n"
        "  db:\n"
        "    <<: *db\n"
    )
    assert ("SG101", 4) in fired(text, "compose")


def test_extends_inherits_image_and_ports() -> None:
    text = (
        "services:\n"
        "  base:\n"
        "    image: alpine\n"
        "    ports:\n"
        '      - "5433:5433"\n'
        "  db:\n"
        "    extends: base\n"
        "    image: postgres:15-alpine\n"
    )
    assert ("SG101", 5) in fired(text, "compose")


@pytest.mark.parametrize(
    ("value", "fires"),
    [("true", True), ('"true"', True), ("yes", True), ("True", True), ("'on'", True), ("false", False), ("no", False)],
)
def test_privileged_spellings(value: str, fires: bool) -> None:
    text = f"services:\n  api:\n    image: desterlib/api\n    privileged: {value}\n"
    assert (("SG104", 4) in fired(text, "compose")) is fires


def test_flow_style_mapping() -> None:
    text = "services: {api: {image: desterlib/api, privileged: true, network_mode: host}}\n"
    assert {"SG104", "SG105"} <= codes(text, "compose")


def test_quoted_keys() -> None:
    text = '"services":\n  "api":\n    "image": "desterlib/api"\n    "privileged": "true"\n'
    assert ("SG104", 4) in fired(text, "compose")


@pytest.mark.parametrize(
    ("volume", "rule"),
    [
        ("      - /srv/media:/media\n", "SG102"),
        ("      - /srv/media:/media:rw\n", "SG102"),
        ("      - ${HOST_MEDIA_PATH}:/media\n", "SG102"),
        ("      - ${HOST_MEDIA_PATH:-/srv/media}:${CONTAINER_MEDIA_PATH:-/media}\n", "SG102"),
        ("      - /var/run/docker.sock:/var/run/docker.sock:ro\n", "SG103"),
        ("      - /run/docker.sock:/var/run/docker.sock\n", "SG103"),
        ("      - //var/run/docker.sock:/var/run/docker.sock\n", "SG103"),
        ("      - /:/host:ro\n", "SG108"),
        ("      - /etc/:/etc/host\n", "SG108"),
        ("      - /etc/ssl/private:/certs:ro\n", "SG108"),
        ("      - /root/.ssh:/ssh\n", "SG108"),
        ("      - /proc:/host/proc:ro\n", "SG108"),
        ("      - /sys:/sys\n", "SG108"),
        ("      - /boot:/boot\n", "SG108"),
        ("      - /run:/run\n", "SG103"),  # /run holds docker.sock: the socket rule reports it
    ],
)
def test_volume_rules(volume: str, rule: str) -> None:
    text = "services:\n  api:\n    image: desterlib/api\n    volumes:\n" + volume
    assert (rule, 5) in fired(text, "compose")


def test_long_syntax_media_not_read_only() -> None:
    text = (
        "services:\n  api:\n    image: desterlib/api\n    volumes:\n"
        "      - type: bind\n        source: /srv/media\n        target: /media\n        read_only: false\n"
    )
    assert ("SG102", 8) in fired(text, "compose")


@pytest.mark.parametrize(
    "volume",
    [
        "      - /srv/media:/media:ro\n",
        "      - /srv/media:/media:ro,z\n",
        "      - ${HOST_MEDIA_PATH:?set it}:/media:ro\n",
        "      - /etc/localtime:/etc/localtime:ro\n",
        "      - /etc/timezone:/etc/timezone:ro\n",
        "      - postgres_data:/var/lib/postgresql/data\n",
        "      - ./config:/config\n",
        "      - type: bind\n        source: /srv/media\n        target: /media\n        read_only: true\n",
    ],
)
def test_volume_near_misses(volume: str) -> None:
    text = "services:\n  api:\n    image: desterlib/api\n    volumes:\n" + volume
    assert codes(text, "compose") == set()


@pytest.mark.parametrize(
    ("setting", "rule"),
    [
        ("    pid: host\n", "SG105"),
        ("    ipc: host\n", "SG105"),
        ("    userns_mode: host\n", "SG105"),
        ("    network_mode: host\n", "SG105"),
        ("    cap_add: [ALL]\n", "SG106"),
        ("    cap_add: [CAP_SYS_ADMIN]\n", "SG106"),
        ("    cap_add: [net_admin]\n", "SG106"),
        ("    security_opt: [apparmor:unconfined]\n", "SG107"),
        ("    security_opt: [label:disable]\n", "SG107"),
        ("    security_opt: [seccomp=unconfined]\n", "SG107"),
    ],
)
def test_isolation_rules(setting: str, rule: str) -> None:
    text = "services:\n  api:\n    image: desterlib/api\n" + setting
    assert (rule, 4) in fired(text, "compose")


@pytest.mark.parametrize(
    "setting",
    ["    cap_add: [CHOWN]\n", "    security_opt: [no-new-privileges:true]\n", "    network_mode: bridge\n",
     "    pid: service:db\n"],
)
def test_isolation_near_misses(setting: str) -> None:
    text = "services:\n  api:\n    image: desterlib/api\n" + setting
    assert codes(text, "compose") == set()


PG = "services:\n  postgres:\n    image: postgres:15-alpine\n"


@pytest.mark.parametrize(
    ("env", "rule", "line"),
    [
        ("    environment:\n      POSTGRES_PASSWORD: Xk3-long-Random-but-public-7Qz9\n", "SG109", 5),
        ("    environment:\n      - POSTGRES_PASSWORD=Xk3-long-Random-but-public-7Qz9\n", "SG109", 5),
        ('    environment:\n      - "POSTGRES_PASSWORD=Xk3-long-Random-but-public-7Qz9"\n', "SG109", 5),
        ("    environment:\n      TMDB_API_KEY: 0123456789abcdef0123456789abcdef\n", "SG109", 5),
        ("    environment:\n      DATABASE_URL: postgresql://app:Xk3-long-Random-7Qz9@postgres:5432/db\n", "SG205", 5),
        ("    environment:\n      POSTGRES_PASSWORD: postgres\n", "SG110", 5),
        ("    environment:\n      POSTGRES_PASSWORD: changeme\n", "SG110", 5),
        ("    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}\n", "SG110", 5),
        ("    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-Xk3-long-Random-7Qz9}\n", "SG109", 5),
        ("    environment:\n      POSTGRES_USER: desterlib\n      POSTGRES_PASSWORD: desterlib\n", "SG110", 6),
        ("    environment:\n      DATABASE_URL: postgresql://postgres:postgres@postgres:5432/db\n", "SG205", 5),
        ("    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust\n", "SG110", 5),
        ("    environment:\n      - MYSQL_ROOT_PASSWORD=\n      - MYSQL_ALLOW_EMPTY_PASSWORD=yes\n", "SG110", 6),
        ("    environment:\n      - MYSQL_PW=nextcloud\n", "SG110", 5),
        ("    environment:\n      NEXTCLOUD_ADMIN_PASS: admin\n", "SG110", 5),
        ("    environment:\n      - LDAP_BIND_PWD=Xk29vLq7RmPzXk29vLq7RmPz\n", "SG109", 5),
    ],
)
def test_secrets_in_environment(env: str, rule: str, line: int) -> None:
    assert (rule, line) in fired(PG + env, "compose")


@pytest.mark.parametrize(
    "env",
    [
        "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}\n",
        "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n",
        "    environment:\n      - POSTGRES_PASSWORD\n",
        "    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n",
        "    environment:\n      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@postgres:5432/db?schema=public\n",
        "    environment:\n      POSTGRES_USER: desterlib\n      POSTGRES_DB: desterlib_prod\n",
        "    env_file: .env\n",
        '    environment:\n      POSTGRES_PASSWORD: ""\n',  # a blank to fill in: the image refuses to start
        "    environment:\n      - MYSQL_ROOT_PASSWORD=\n      - MYSQL_ALLOW_EMPTY_PASSWORD=no\n",
        "    environment:\n      ADMIN_TOKEN: $$argon2id$$v=19$$m=65540,t=3,p=4$$c2FsdA$$aGFzaGhhc2g\n",
        "    environment:\n      - TRAEFIK_HTPASSWD=admin:$$2y$$05$$C6UzMDM.H6dfI/f/IKcEeO5x9gS9m0dMx7dA8J5bYcR\n",
        "    environment:\n      POSTGRES_HOST_AUTH_METHOD: scram-sha-256\n      TOKEN_EXPIRY: 3600\n",
    ],
)
def test_secret_near_misses(env: str) -> None:
    assert codes(PG + env, "compose") == set()


def test_findings_deduplicated_and_located() -> None:
    text = PG + '    ports:\n      - "5432:5432"\n      - "127.0.0.1:5433:5432"\n'
    assert fired(text, "compose") == {("SG101", 5)}


def test_the_compose_schema_is_read_without_importing_check_jsonschema() -> None:
    """Importing check-jsonschema costs ~0.17 s per build (click and more); only its vendored schema file is used."""
    import subprocess
    import sys

    script = ("import sys\nfrom snippetguard import Snippet, check_snippet\n"
              "r = check_snippet(Snippet(text='services:\\n  api:\\n    image: x\\n    enviroment: {}\\n', kind='compose',"
              " path='c.yml'))\nprint([f.rule for f in r.findings], 'check_jsonschema' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "['SG003'] False"
