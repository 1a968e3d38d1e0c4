"""The `shell` kind (bashlex + position-keeping preparation) and rules SG301-SG307, end to end."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from snippetguard import check_snippet
from snippetguard.kinds.shell import ShellScript, parse_shell
from snippetguard.model import Finding, Snippet
from snippetguard.registry import RULES, ParseError

SHELL_RULES = ("SG301", "SG302", "SG303", "SG304", "SG305", "SG306", "SG307")


def findings(text: str) -> list[Finding]:
    return check_snippet(Snippet(text, "shell", "x.sh")).findings


def fired(text: str, code: str) -> list[tuple[int, int]]:
    return [(f.line, f.column) for f in findings(text) if f.rule == code]


def pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of `needle` in `text`; a `^` in it marks the exact spot."""
    shift = needle.index("^") if "^" in needle else 0
    needle = needle.replace("^", "")
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += shift
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def parse(text: str) -> ShellScript:
    return parse_shell(text)


# --------------------------------------------------------------------------- the rules' own examples


@pytest.mark.parametrize("code", SHELL_RULES)
def test_rule_examples(code: str) -> None:
    rule = RULES[code]
    assert "shell" in rule.kinds and rule.why and rule.fix and "#" in rule.guide
    assert rule.insecure and rule.secure
    for example in (e for e in rule.insecure if e.kind == "shell"):
        lines = [f.line for f in findings(example.text) if f.rule == code]
        assert lines and lines[0] == example.line, (example.text, lines)
    for example in (e for e in rule.secure if e.kind == "shell"):
        assert findings(example.text) == [], example.text


def test_guides() -> None:
    assert RULES["SG301"].guide == "security/file-permissions.md#permissions"
    assert RULES["SG302"].guide == "security/file-permissions.md#env-file"
    assert RULES["SG303"].guide == "getting-started/installation.md#download-read-run"
    assert RULES["SG304"].guide == "security/https.md#verify-certificates"
    assert RULES["SG305"].guide == "security/firewall.md#database-ports"
    assert RULES["SG306"].guide == "security/firewall.md#keep-firewall-on"
    assert RULES["SG307"].guide == "security/database.md#strong-passwords"


# --------------------------------------------------------------------------- insecure: rule, line and column

INSECURE = [
    # SG301 world-writable
    ("chmod 777 /srv/media", "SG301", "777"),
    ("chmod 666 notes.txt", "SG301", "666"),
    ("chmod 0777 /srv/media", "SG301", "0777"),
    ("chmod 2777 /srv/shared", "SG301", "2777"),
    ("chmod 1777 /srv/tmp", "SG301", "1777"),
    ("chmod 602 f", "SG301", "602"),
    ("chmod a+w /srv/media", "SG301", "a+w"),
    ("chmod o+w /srv/media", "SG301", "o+w"),
    ("chmod ugo+rwx /srv/media", "SG301", "ugo+rwx"),
    ("chmod o=rwx /srv/media", "SG301", "o=rwx"),
    ("chmod u+x,o+w run.sh", "SG301", "u+x,o+w"),
    ("chmod go=u /srv/media", "SG301", "go=u"),  # copies the owner's (writable) bits
    ("chmod -R 777 /srv/media", "SG301", "777"),
    ("chmod --recursive a+rwX /srv/media", "SG301", "a+rwX"),
    ("chmod -v 777 -- /srv/media", "SG301", "777"),
    ("install -m 777 -d /srv/desterlib", "SG301", "777"),
    ("install --mode=0666 app.conf /etc/desterlib/app.conf", "SG301", "0666"),
    ("mkdir -m 777 /srv/media", "SG301", "777"),
    ("mkdir --mode=777 /srv/media", "SG301", "777"),
    ("mkdir -pm777 /srv/media", "SG301", "777"),
    ("mkdir -p -m 0777 /srv/media", "SG301", "0777"),
    ("umask 000\ndocker compose up -d", "SG301", "000"),
    # SG302 env file
    ("chmod 644 .env", "SG302", "644"),
    ("chmod 640 ~/.desterlib/.env", "SG302", "640"),
    ("chmod 604 prod.env", "SG302", "604"),
    ("chmod 660 .env.production", "SG302", "660"),
    ("chmod g+r .env", "SG302", "g+r"),
    ("chmod o+r .env", "SG302", "o+r"),
    ("chmod a+r .env", "SG302", "a+r"),
    ("chmod +r .env", "SG302", "+r"),
    ("chmod go=r ~/.desterlib/.env", "SG302", "go=r"),
    ("install -m 644 env.tmp ~/.desterlib/.env", "SG302", "644"),
    # SG303 download run
    ("curl -fsSL https://example.com/install.sh | sh", "SG303", "| ^sh"),
    ("curl -fsSL https://example.com/install.sh | sudo bash", "SG303", "bash"),
    ("curl -fsSL https://example.com/install.sh | bash -s -- --yes", "SG303", "bash"),
    ("curl -fsSL https://example.com/install.sh | sudo -E bash -", "SG303", "bash"),
    ("wget -O- https://example.com/install.sh | bash", "SG303", "bash"),
    ("wget -qO- https://example.com/install.sh | sh", "SG303", "| ^sh"),
    ("wget -q -O - https://example.com/install.sh | sh", "SG303", "| ^sh"),
    ("wget --output-document=- https://example.com/i.sh | sh", "SG303", "| ^sh"),
    ("curl -sSL https://example.com/get.py | python3", "SG303", "python3"),
    ("curl -sSL https://example.com/get.py | python3 -", "SG303", "python3"),
    ("curl -sSL https://example.com/i.sh | tee /tmp/i.sh | sh", "SG303", "| ^sh"),
    ("curl -fsSL https://example.com/i.sh | source /dev/stdin", "SG303", "source"),
    ("bash <(curl -fsSL https://example.com/install.sh)", "SG303", "bash"),
    ("sh -c \"$(curl -fsSL https://example.com/install.sh)\"", "SG303", "sh -c"),
    ("bash -c \"$(wget -O- https://example.com/install.sh)\"", "SG303", "bash"),
    ("source <(curl -fsSL https://example.com/env.sh)", "SG303", "source"),
    (". <(curl -fsSL https://example.com/env.sh)", "SG303", "."),
    ("eval \"$(curl -fsSL https://example.com/env.sh)\"", "SG303", "eval"),
    ("bash < <(curl -fsSL https://example.com/install.sh)", "SG303", "bash"),
    ("bash <<< \"$(curl -fsSL https://example.com/install.sh)\"", "SG303", "bash"),
    # SG304 TLS verification
    ("curl -k https://192.168.1.10:3001/health", "SG304", "-k"),
    ("curl --insecure https://example.com/i.sh -o i.sh", "SG304", "--insecure"),
    ("curl -fsSLk https://example.com/i.sh -o i.sh", "SG304", "k https"),
    ("curl -kfsSL https://example.com/i.sh -o i.sh", "SG304", "k"),
    ("wget --no-check-certificate https://example.com/i.sh", "SG304", "--no-check-certificate"),
    ("git -c http.sslVerify=false clone https://git.example.com/x.git", "SG304", "http.sslVerify"),
    ("git config --global http.sslVerify false", "SG304", "config"),
    ("export NODE_TLS_REJECT_UNAUTHORIZED=0", "SG304", "NODE_TLS"),
    ("NODE_TLS_REJECT_UNAUTHORIZED=0 npm start", "SG304", "NODE_TLS"),
    ("export GIT_SSL_NO_VERIFY=1", "SG304", "GIT_SSL"),
    ("npm config set strict-ssl false", "SG304", "strict-ssl"),
    # SG305 database port opened
    ("ufw allow 5432", "SG305", "5432"),
    ("sudo ufw allow 5432/tcp", "SG305", "5432/tcp"),
    ("sudo ufw allow from any to any port 5432", "SG305", "5432"),
    ("sudo ufw allow proto tcp to any port 3306", "SG305", "3306"),
    ("sudo ufw allow from 192.168.1.0/24 to any port 5432 proto tcp", "SG305", "5432"),
    ("sudo ufw allow 6379,3001/tcp", "SG305", "6379"),
    ("sudo ufw allow 5000:6000/tcp", "SG305", "5000"),
    ("sudo ufw allow postgresql", "SG305", "postgresql"),
    ("sudo ufw insert 1 allow 27017", "SG305", "27017"),
    ("sudo firewall-cmd --add-port=5432/tcp", "SG305", "5432"),
    ("sudo firewall-cmd --permanent --zone=public --add-port=5432/tcp", "SG305", "5432"),
    ("sudo firewall-cmd --permanent --add-service=postgresql", "SG305", "postgresql"),
    ("sudo firewall-cmd --add-service=mysql", "SG305", "mysql"),
    ("sudo firewall-cmd --add-service=redis", "SG305", "redis"),
    ("sudo firewall-cmd --add-service=mongodb", "SG305", "mongodb"),
    ("sudo firewall-cmd --add-port=5400-5500/tcp", "SG305", "5400"),
    ("sudo iptables -A INPUT -p tcp --dport 5432 -j ACCEPT", "SG305", "--dport"),
    ("sudo iptables -I DOCKER-USER -p tcp -m multiport --dports 3001,5432 -j ACCEPT", "SG305", "--dports"),
    # SG306 firewall off
    ("sudo ufw disable", "SG306", "ufw"),
    ("sudo ufw --force disable", "SG306", "ufw"),
    ("sudo systemctl stop firewalld", "SG306", "systemctl"),
    ("sudo systemctl disable --now firewalld", "SG306", "systemctl"),
    ("sudo systemctl mask firewalld.service", "SG306", "systemctl"),
    ("sudo systemctl stop ufw.service", "SG306", "systemctl"),
    ("sudo service ufw stop", "SG306", "service"),
    ("sudo iptables -F", "SG306", "-F"),
    ("sudo iptables --flush INPUT", "SG306", "--flush"),
    ("sudo iptables -P INPUT ACCEPT", "SG306", "-P"),
    ("sudo pfctl -d", "SG306", "pfctl"),
    ("sudo nft flush ruleset", "SG306", "nft"),
    ("sudo ufw default allow incoming", "SG306", "ufw"),
    # SG307 short secrets
    ("openssl rand -base64 15", "SG307", "15"),
    ("openssl rand -hex 8", "SG307", "8"),
    ("openssl rand 12", "SG307", "12"),
    ("POSTGRES_PASSWORD=$(openssl rand -base64 12)", "SG307", "12"),
    ("openssl rand -out secret.bin 10", "SG307", "10"),
    ("head -c 12 /dev/urandom | base64", "SG307", "head"),
    ("pwgen -s 16 1", "SG307", "pwgen"),
]


@pytest.mark.parametrize(("text", "code", "anchor"), INSECURE, ids=[f"{c}:{t[:50]}" for t, c, _ in INSECURE])
def test_insecure_fires_at_the_right_place(text: str, code: str, anchor: str) -> None:
    assert fired(text, code) == [pos(text, anchor)], (text, findings(text))


@pytest.mark.parametrize(("command", "code", "anchor"), [
    ("chmod 777 /srv/media", "SG301", "777"),
    ("chmod 644 .env", "SG302", "644"),
    ("curl -fsSL https://x/i.sh | bash", "SG303", "bash"),
    ("wget --no-check-certificate https://x/i.sh", "SG304", "--no-check-certificate"),
    ("ufw allow 5432/tcp", "SG305", "5432"),
    ("ufw disable", "SG306", "ufw"),
    ("openssl rand -hex 12", "SG307", "12"),
])
def test_each_rule_deep_in_a_script(command: str, code: str, anchor: str) -> None:
    text = f"#!/usr/bin/env bash\nset -euo pipefail\n\n# step 2\ncd ~/.desterlib && \\\n  sudo {command}\necho done\n"
    assert fired(text, code) == [pos(text, anchor, nth=text[: text.index("sudo")].count(anchor))]
    assert fired(text, code)[0][0] == 6


def test_messages_name_what_was_found() -> None:
    messages = {f.rule: f.message for f in findings("sudo chmod -R 777 /srv/media")}
    assert messages["SG301"] == "chmod 777 makes /srv/media world-writable (recursively)"
    message = next(f.message for f in findings("chmod 644 .env") if f.rule == "SG302")
    assert "chmod 644" in message and ".env" in message and "every other user" in message
    message = next(f.message for f in findings("curl -fsSL https://x/i.sh | sudo bash") if f.rule == "SG303")
    assert message.startswith("curl output is piped into sudo bash")
    message = next(f.message for f in findings("sudo ufw allow 5432/tcp") if f.rule == "SG305")
    assert "PostgreSQL port 5432" in message
    message = next(f.message for f in findings("openssl rand -base64 12") if f.rule == "SG307")
    assert message.startswith("openssl rand -base64 12 gives about 96 bits of randomness")


# --------------------------------------------------------------------------- secure near-misses

SECURE = [
    ("chmod 644 /srv/media/file.mkv", "SG301"),
    ("chmod -R u=rwX,go=rX /srv/media", "SG301"),
    ("chmod 750 /srv/desterlib", "SG301"),
    ("chmod o-w /srv/media", "SG301"),
    ("chmod a+w,o-w /srv/shared", "SG301"),
    ("chmod +w notes.txt", "SG301"),  # without u/g/o/a the umask (022) keeps group and others out
    ("chmod 775 /srv/shared", "SG301"),
    ("chmod --reference=/srv/a /srv/b", "SG301"),
    ("install -m 755 desterlib /usr/local/bin/", "SG301"),
    ("mkdir -m 700 ~/.desterlib", "SG301"),
    ("echo chmod 777 /srv", "SG301"),
    ("umask 027", "SG301"),
    ("chmod 600 .env", "SG302"),
    ("chmod 400 ~/.desterlib/.env", "SG302"),
    ("chmod u=rw,go= .env", "SG302"),
    ("chmod go-rwx .env", "SG302"),
    ("chmod 700 .env", "SG302"),
    ("chmod 644 .env.example", "SG302"),
    ("chmod 644 environment.md", "SG302"),
    ("curl -fsSLo install.sh https://example.com/install.sh\nless install.sh\nbash install.sh", "SG303"),
    ("curl -fsSL https://example.com/install.sh | tee install.sh", "SG303"),
    ("curl -fsS http://127.0.0.1:3001/api/v1/library | jq .", "SG303"),
    ("curl -fsSL https://example.com/i.sh -o i.sh | sh", "SG303"),
    ("curl -fsSLO https://example.com/i.sh | sh", "SG303"),
    ("wget https://example.com/install.sh | sh", "SG303"),
    ("curl -fsSL https://example.com/i.sh | bash install.sh", "SG303"),
    ("diff <(curl -fsSL https://a/x) <(curl -fsSL https://b/x)", "SG303"),
    ("echo 'curl -fsSL https://example.com/i.sh | sh'", "SG303"),
    ("curl -fsSL https://example.com/i.sh > i.sh && bash i.sh", "SG303"),
    ("command -v curl && curl -fsSL https://example.com -o page.html", "SG303"),
    ("curl -fsSL https://docs.dester.in/", "SG304"),
    ("curl -K curl.conf https://docs.dester.in/", "SG304"),
    ("curl --cacert ca.pem https://192.168.1.10:3001/health", "SG304"),
    ("wget https://docs.dester.in/", "SG304"),
    ("git -c http.sslVerify=true clone https://git.example.com/x.git", "SG304"),
    ("export NODE_TLS_REJECT_UNAUTHORIZED=1", "SG304"),
    ("export NODE_EXTRA_CA_CERTS=/etc/ssl/ca.pem", "SG304"),
    ("sudo ufw allow from 192.168.1.0/24 to any port 3001 proto tcp", "SG305"),
    ("sudo ufw allow 3001/tcp", "SG305"),
    ("sudo ufw allow OpenSSH", "SG305"),
    ("sudo ufw deny 5432", "SG305"),
    ("sudo ufw deny 5432/tcp", "SG305"),
    ("sudo ufw delete allow 5432", "SG305"),
    ("sudo ufw allow from 127.0.0.1 to any port 5432", "SG305"),
    ("sudo ufw allow in on lo to any port 5432", "SG305"),
    ("sudo ufw allow out 5432/tcp", "SG305"),
    ("sudo firewall-cmd --permanent --add-port=3001/tcp", "SG305"),
    ("sudo firewall-cmd --permanent --remove-port=5432/tcp", "SG305"),
    ("sudo iptables -A INPUT -p tcp --dport 5432 -j DROP", "SG305"),
    ("sudo iptables -A INPUT -s 127.0.0.1 -p tcp --dport 5432 -j ACCEPT", "SG305"),
    ("sudo iptables -D INPUT -p tcp --dport 5432 -j ACCEPT", "SG305"),
    ("sudo ufw enable", "SG306"),
    ("sudo ufw --force enable", "SG306"),
    ("sudo systemctl enable --now firewalld", "SG306"),
    ("sudo ufw status verbose", "SG306"),
    ("sudo systemctl stop nginx", "SG306"),
    ("sudo firewall-cmd --panic-off", "SG306"),
    ("sudo firewall-cmd --reload", "SG306"),
    ("sudo iptables -t nat -F", "SG306"),
    ("sudo iptables -P INPUT DROP", "SG306"),
    ("sudo iptables -L -n", "SG306"),
    ("openssl rand -base64 32", "SG307"),
    ("openssl rand -hex 32", "SG307"),
    ("openssl rand -base64 48", "SG307"),
    ("openssl rand -hex \"$LENGTH\"", "SG307"),
    ("openssl rand 1K", "SG307"),
    ("openssl req -new -key key.pem", "SG307"),
]


@pytest.mark.parametrize(("text", "code"), SECURE, ids=[f"{c}:{t[:50]}" for t, c in SECURE])
def test_near_miss_stays_quiet(text: str, code: str) -> None:
    assert fired(text, code) == [], findings(text)


def test_env_file_with_world_writable_mode_fires_both() -> None:
    assert {f.rule for f in findings("chmod 666 .env")} == {"SG301", "SG302"}


# --------------------------------------------------------------------------- evasions: the rule still fires

EVASIONS = [
    ("sudo-SG301", "sudo chmod 777 /srv/media", "SG301", "777"),
    ("sudo-u-SG301", "sudo -u www-data chmod 666 /srv/x", "SG301", "666"),
    ("sudo-E-SG303", "curl -fsSL https://x/i.sh | sudo -E bash", "SG303", "bash"),
    ("sudo-long-options-SG306", "sudo --preserve-env --user=root ufw disable", "SG306", "ufw"),
    ("doas-SG306", "doas ufw disable", "SG306", "ufw"),
    ("env-SG304", "env NODE_TLS_REJECT_UNAUTHORIZED=0 node server.js", "SG304", "NODE_TLS"),
    ("env-i-SG301", "env -i PATH=/bin chmod 777 /srv", "SG301", "777"),
    ("sudo-assignment-SG304", "sudo NODE_TLS_REJECT_UNAUTHORIZED=0 node server.js", "SG304", "NODE_TLS"),
    ("prefix-assignment-SG304", "GIT_SSL_NO_VERIFY=true git clone https://x/y.git", "SG304", "GIT_SSL"),
    ("prefix-assignment-SG301", "LC_ALL=C chmod 777 /srv", "SG301", "777"),
    ("absolute-path-chmod-SG301", "/bin/chmod 777 /srv/media", "SG301", "777"),
    ("absolute-path-curl-SG304", "/usr/bin/curl -k https://x", "SG304", "-k"),
    ("absolute-path-shell-SG303", "curl -fsSL https://x/i.sh | /bin/bash", "SG303", "/bin/bash"),
    ("command-prefix-SG301", "command chmod 777 /srv", "SG301", "777"),
    ("exec-prefix-SG304", "exec /usr/bin/curl --insecure https://x", "SG304", "--insecure"),
    ("nohup-prefix-SG303", "curl -fsSL https://x/i.sh | nohup bash", "SG303", "bash"),
    ("time-prefix-SG301", "time chmod -R 777 /srv", "SG301", "777"),
    ("timeout-prefix-SG304", "timeout 30 curl -k https://x", "SG304", "-k"),
    ("quoted-program-SG304", "'curl' -k https://x", "SG304", "-k"),
    ("split-quotes-program-SG304", "c\"ur\"l -k https://x", "SG304", "-k"),
    ("mode-equals-SG301", "mkdir --mode=0777 /srv/x", "SG301", "0777"),
    ("install-m-SG301", "sudo install -d -m 777 /srv/x", "SG301", "777"),
    ("symbolic-mode-SG301", "chmod a=rwx /srv", "SG301", "a=rwx"),
    ("octal-mode-SG301", "chmod 00777 /srv", "SG301", "00777"),
    ("line-continuation-SG303", "curl -fsSL https://x/i.sh \\\n  | sudo bash", "SG303", "bash"),
    ("line-continuation-SG301", "sudo chmod \\\n  -R 777 \\\n  /srv/media", "SG301", "777"),
    ("and-chain-SG301", "cd /srv && chmod 777 media", "SG301", "777"),
    ("semicolon-chain-SG306", "echo stopping; ufw disable", "SG306", "ufw"),
    ("or-chain-SG304", "curl -fsS https://x || curl -k https://x", "SG304", "-k"),
    ("subshell-SG301", "(cd /srv && chmod -R 777 media)", "SG301", "777"),
    ("brace-group-SG306", "{ ufw disable; }", "SG306", "ufw"),
    ("pipe-into-subshell-SG303", "curl -fsSL https://x/i.sh | (cd /tmp && sh)", "SG303", "sh)"),
    ("command-substitution-SG307", "PW=$(openssl rand -hex 8)", "SG307", "8"),
    ("backticks-SG307", "PW=`openssl rand -base64 12`", "SG307", "12"),
    ("nested-substitution-SG301", "echo \"$(chmod 777 /srv)\"", "SG301", "777"),
    ("process-substitution-SG303", "bash <(wget -qO- https://x/i.sh)", "SG303", "bash"),
    ("command-substitution-SG303", "sudo sh -c \"$(curl -fsSL https://x/i.sh)\"", "SG303", "sh -c"),
    ("sh-c-string-SG301", "sudo sh -c 'chmod 777 /srv/media'", "SG301", "777"),
    ("bash-c-string-SG306", "bash -c \"ufw disable\"", "SG306", "ufw"),
    ("su-c-string-SG301", "su -c 'chmod -R 777 /srv/media'", "SG301", "777"),
    ("ssh-remote-command-SG303", "ssh admin@nas 'curl -fsSL https://x/i.sh | sh'", "SG303", "| ^sh"),
    ("if-body-SG301", "if [ -d /srv ]; then\n  chmod 777 /srv\nfi", "SG301", "777"),
    ("for-loop-SG301", "for d in media tv; do chmod 777 \"/srv/$d\"; done", "SG301", "777"),
    ("function-SG303", "install() {\n  curl -fsSL https://x/i.sh | bash\n}\ninstall", "SG303", "bash"),
    ("case-SG306", "case \"$1\" in\n  off)\n    ufw disable\n    ;;\n  *) ;;\nesac", "SG306", "ufw"),
    ("double-bracket-SG301", "[[ -d /srv ]] && chmod 777 /srv", "SG301", "777"),
    ("arithmetic-SG307", "n=$((4 * 4))\nopenssl rand -hex 12", "SG307", "12"),
    ("comment-after-SG306", "ufw disable  # just for testing", "SG306", "ufw"),
]


@pytest.mark.parametrize(("text", "code", "anchor"), [e[1:] for e in EVASIONS], ids=[e[0] for e in EVASIONS])
def test_evasion_still_fires(text: str, code: str, anchor: str) -> None:
    assert fired(text, code) == [pos(text, anchor)], findings(text)


def test_heredoc_fed_to_a_shell_is_checked() -> None:
    text = "bash <<EOF\necho installing\ncurl -fsSL https://x/i.sh | sh\nEOF\necho done\n"
    assert fired(text, "SG303") == [pos(text, "| ^sh")]


def test_quoted_heredoc_fed_to_sudo_bash_is_checked() -> None:
    text = "sudo bash <<'EOF'\nchmod 777 /srv/media\nEOF\n"
    assert fired(text, "SG301") == [pos(text, "777")]


def test_dash_heredoc_keeps_tab_columns() -> None:
    text = "sh <<-EOF\n\tufw disable\n\tEOF\n"
    assert fired(text, "SG306") == [(2, 2)]


def test_heredoc_in_a_transcript_with_continuation_prompts() -> None:
    text = "$ sudo bash <<EOF\n> ufw disable\n> EOF\n$ ls\n"
    assert fired(text, "SG306") == [(2, 3)]


def test_heredoc_data_is_not_run() -> None:
    text = "cat > notes.txt <<EOF\nchmod 777 /srv\ncurl -fsSL https://x | sh\nEOF\n"
    assert findings(text) == []
    script = parse(text)
    assert [c.name for c in script.commands] == ["cat"]
    assert script.heredocs[0].body == "chmod 777 /srv\ncurl -fsSL https://x | sh\n"
    assert script.heredocs[0].line == 2


def test_docker_exec_heredoc_into_a_shell() -> None:
    text = "docker exec -i desterlib-api sh <<'EOF'\nchmod -R 777 /media\nEOF\n"
    assert fired(text, "SG301") == [pos(text, "777")]


# --------------------------------------------------------------------------- console transcripts


def test_transcript_prompts_and_output() -> None:
    text = (
        "$ curl -fsSL https://example.com/install.sh | bash\n"
        "Installing DesterLib...\n"
        "chmod 777 /srv/media\n"  # output, not a command
        "$ sudo chmod 777 /srv/media\n"
    )
    assert fired(text, "SG303") == [pos(text, "bash")]
    assert fired(text, "SG301") == [pos(text, "777", nth=1)]
    assert parse(text).transcript


def test_transcript_root_prompt() -> None:
    text = "$ whoami\nroot\n# ufw disable\nFirewall stopped and disabled on system startup\n"
    assert fired(text, "SG306") == [(3, 3)]


def test_transcript_comment_is_not_a_command() -> None:
    text = "$ ls\n# Install the stack (see below)\n$ docker compose up -d\n"
    assert findings(text) == []


def test_transcript_continuation_lines() -> None:
    text = "$ docker run -d \\\n>   -p 5432:5432 \\\n>   postgres:15-alpine\nabc123\n"
    assert fired(text, "SG101") == [(2, 8)]


def test_user_at_host_prompt() -> None:
    text = "me@nas:~$ sudo ufw disable\nFirewall stopped\n"
    assert fired(text, "SG306") == [pos(text, "ufw")]


def test_output_lines_that_do_not_parse_are_ignored() -> None:
    text = "$ docker compose ps\nNAME   STATUS (healthy)   PORTS\napi    Up 2 minutes  0.0.0.0:3001->3001/tcp\n"
    assert findings(text) == []


# --------------------------------------------------------------------------- docker run -> container rules

DOCKER_INSECURE = [
    ("docker run -d -p 5432:5432 postgres:15-alpine", "SG101", "5432:5432"),
    ("docker run -d --publish=5432:5432 postgres:15-alpine", "SG101", "5432:5432"),
    ("docker run -d --publish 0.0.0.0:5432:5432 postgres:15-alpine", "SG101", "0.0.0.0"),
    ("docker run -d -p5432:5432 postgres:15-alpine", "SG101", "5432:5432"),
    ("sudo docker container run -d -p 6379:6379 redis:7", "SG101", "6379"),
    ("podman run -d -p 5432:5432 docker.io/library/postgres:15-alpine", "SG101", "5432:5432"),
    ("docker run -d -p 15432:5432 postgres:15-alpine", "SG101", "15432"),
    ("docker run -v /srv/media:/media desterlib/api", "SG102", "/srv/media"),
    ("docker run -v /var/run/docker.sock:/var/run/docker.sock desterlib/api", "SG103", "/var/run"),
    ("docker run --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock x", "SG103", "type="),
    ("docker run --privileged desterlib/api", "SG104", "--privileged"),
    ("docker run -d --network host desterlib/api", "SG105", "host"),
    ("docker run -d --net=host desterlib/api", "SG105", "host"),
    ("docker run -d --pid=host desterlib/api", "SG105", "host"),
    ("docker run --cap-add SYS_ADMIN desterlib/api", "SG106", "SYS_ADMIN"),
    ("docker run --security-opt seccomp=unconfined desterlib/api", "SG107", "seccomp"),
    ("docker run -v /etc:/host-etc:ro desterlib/api", "SG108", "/etc"),
    ("docker run -e POSTGRES_PASSWORD=N0t-In-Docs-Please-9f2c1e7a postgres:15-alpine", "SG109", "POSTGRES_PASSWORD"),
    ("docker run --env=POSTGRES_PASSWORD=N0t-In-Docs-Please-9f2c1e7a postgres:15", "SG109", "POSTGRES_PASSWORD"),
    ("docker run -e POSTGRES_PASSWORD=postgres postgres:15-alpine", "SG110", "POSTGRES_PASSWORD"),
    ("docker run --env POSTGRES_PASSWORD=changeme postgres:15-alpine", "SG110", "POSTGRES_PASSWORD"),
    ("docker run -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15-alpine", "SG110", "POSTGRES_HOST"),
]


@pytest.mark.parametrize(("text", "code", "anchor"), DOCKER_INSECURE, ids=[f"{c}:{t[:60]}" for t, c, _ in DOCKER_INSECURE])
def test_docker_run_feeds_container_rules(text: str, code: str, anchor: str) -> None:
    assert RULES[code].kinds == ("compose", "shell")
    assert pos(text, anchor) in fired(text, code), findings(text)


DOCKER_SECURE = [
    ("docker run -d -p 127.0.0.1:5432:5432 postgres:15-alpine", "SG101"),
    ("docker run -d -p 3001:3001 desterlib/api", "SG101"),
    ("docker run -d postgres:15-alpine -p 5432:5432", "SG101"),  # after the image: the container's arguments
    ("docker run -v /srv/media:/media:ro desterlib/api", "SG102"),
    ("docker run --mount type=bind,source=/srv/media,target=/media,readonly desterlib/api", "SG102"),
    ("docker run --privileged=false desterlib/api", "SG104"),
    ("docker run --network desterlib desterlib/api", "SG105"),
    ("docker run -e POSTGRES_PASSWORD postgres:15-alpine", "SG109"),
    ("docker run -e \"POSTGRES_PASSWORD=$POSTGRES_PASSWORD\" postgres:15-alpine", "SG109"),
    ("docker run --env-file .env postgres:15-alpine", "SG110"),
]


@pytest.mark.parametrize(("text", "code"), DOCKER_SECURE, ids=[f"{c}:{t[:60]}" for t, c in DOCKER_SECURE])
def test_docker_run_near_misses(text: str, code: str) -> None:
    assert fired(text, code) == [], findings(text)


def test_docker_run_service_model() -> None:
    text = ("docker run -d --name desterlib-postgres \\\n  -p 127.0.0.1:5432:5432 \\\n"
            "  -v postgres_data:/var/lib/postgresql/data \\\n  -e POSTGRES_USER=desterlib -e POSTGRES_PASSWORD \\\n"
            "  --security-opt no-new-privileges:true --cap-add=NET_BIND_SERVICE --ipc host \\\n  postgres:15-alpine\n")
    (service,) = parse(text).services
    assert service.name == "desterlib-postgres" and service.image == "postgres:15-alpine"
    assert (service.line, service.column) == (1, 1)
    (port,) = service.ports
    assert (port.host_ip, port.published, port.target, port.line, port.column) == ("127.0.0.1", "5432", "5432", 2, 6)
    (mount,) = service.mounts
    assert (mount.source, mount.target, mount.bind, mount.read_only) == ("postgres_data", "/var/lib/postgresql/data",
                                                                       False, False)
    assert [(e.name, e.value) for e in service.environment] == [("POSTGRES_USER", "desterlib"),
                                                                ("POSTGRES_PASSWORD", None)]
    assert [s.value for s in service.security_opt] == ["no-new-privileges:true"]
    assert [(c.value, c.line, c.column) for c in service.cap_add] == [("NET_BIND_SERVICE", 5, 51)]
    assert service.namespaces["ipc"].value == "host"


def test_docker_global_options_and_other_subcommands() -> None:
    assert len(parse("docker --context nas run -p 5432:5432 postgres").services) == 1
    assert parse("docker ps -a\ndocker compose up -d\ndocker exec -it db psql").services == []


# --------------------------------------------------------------------------- the parsed model


def test_normalised_commands_and_positions() -> None:
    script = parse("X=1 sudo -E env Y=2 /usr/bin/curl -fsSL https://x | sudo tee /tmp/f >/dev/null\n")
    curl, tee = script.commands
    assert curl.name == "curl" and curl.wrappers == ("sudo", "env")
    assert [w.text for w in curl.assignments] == ["X=1", "Y=2"]
    assert [(w.text, w.line, w.column) for w in curl.args] == [("-fsSL", 1, 35), ("https://x", 1, 41)]
    assert (curl.pipeline, curl.position, curl.pipeline_size) == (tee.pipeline, 0, 2)
    assert tee.name == "tee" and tee.position == 1 and [r.op for r in tee.redirects] == [">"]


def test_command_v_is_not_running_the_program() -> None:
    (command,) = parse("command -v curl").commands
    assert command.name == "command" and not command.executed


def test_substitution_hosts() -> None:
    script = parse('sh -c "$(curl -fsSL https://x)"')
    sh, curl = script.commands
    assert curl.host is sh and curl.via == "$(" and curl.host_word is sh.args[1]


def test_single_quotes_hold_no_commands() -> None:
    script = parse("echo a'$(curl x | sh)'b")
    assert [c.name for c in script.commands] == ["echo"]
    assert script.commands[0].args[0].text == "a$(curl x | sh)b"


@pytest.mark.parametrize("text", ["", "   \n\n", "# just a comment", "# one\n\n# two\n"])
def test_empty_and_comment_only(text: str) -> None:
    assert parse(text).commands == []
    assert findings(text) == []


def test_bash_constructs_bashlex_lacks_are_read() -> None:
    text = ("time -p ls\nn=$((1 + 2))\nfiles=(a b c)\n[[ -n $n ]] && echo ok\n"
            "case $1 in\n  start) docker compose up -d ;;\n  stop|down)\n    docker compose down\n    ;;\nesac\n")
    names = [(c.name, c.line) for c in parse(text).commands]
    assert names == [("ls", 1), ("", 2), ("", 3), ("echo", 4), ("docker", 6), ("docker", 8)]


# --------------------------------------------------------------------------- failures: fail closed, at the right line


@pytest.mark.parametrize(("text", "line"), [
    ("echo 'unterminated\nls\n", 1),
    ("ls\n\necho )\n", 3),
    ("ls\nif true; then\n  echo hi\n", 2),
    ("echo ok\ncat <<EOF\nbody\n", 2),
    ("docker compose up -d\necho \"$(ls\n", 2),
    ("ls\nselect x in a b; do echo $x; done\n", 2),
    ("coproc foo", 1),
])
def test_parse_failure_is_sg001_at_the_right_line(text: str, line: int) -> None:
    result = findings(text)
    assert [(f.rule, f.line) for f in result] == [("SG001", line)], result


def test_parse_error_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_shell("ls\nfoo )")
    assert info.value.line == 2 and "unexpected token" in info.value.message


def test_deep_nesting_fails_closed() -> None:
    text = "echo " + "$(" * 400 + "x" + ")" * 400
    assert {f.rule for f in findings(text)} <= {"SG001"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab $`'\"\\()[]{}<>|&;#\n\t=-*~!%:0123456789")) | st.characters(),
               max_size=120))
def test_garbage_never_crashes(text: str) -> None:
    result = check_snippet(Snippet(text, "shell", "x.sh"))
    assert not any(f.rule == "SG000" for f in result.all_findings()), result.findings


PIECES = ["curl -fsSL https://x", " | ", "sh", "bash <<EOF\n", "\nEOF\n", "$(", ")", "`", "'", '"', "\\\n",
          "case $x in\n", "a) ", ";;", "\nesac", "time ", "[[ -f x ]]", "$((1+2))", "arr=(a b)", "<(", "&&",
          "||", ";", "\n", "# c\n", "$ ", "> ", "docker run -p 5432:5432 -e A=b ", "chmod 777 x", "sudo -E ",
          "{ ", " }", "if true; then ", "fi", "for i in 1; do ", "done", "<<-'E'\n", "\tE\n", "sh -c '", "<<<"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_shell_fragments_never_crash(pieces: list[str]) -> None:
    result = check_snippet(Snippet("".join(pieces), "shell", "x.sh"))
    assert not any(f.rule == "SG000" for f in result.all_findings()), result.findings


# --------------------------------------------------------------------------- the fast path equals bashlex

PLAIN_TOKENS = ["a", "X=1", 'Y="a b"', "'X=1'", "'a\\b'", "'a\"b'", "\"a'b\"", "''", "curl", "-k", "sh", "$A", "${B}",
                '"$A"x', "'q r'", '"a#b"', "c#d", "~/x", "a=~/y", "12", "2", "if", "do", "done", "{", "}", "time",
                "in", " ", " ", "  ", "\t", "&&", "||", "|", ";", ";;", "&", ">", ">>", "<", "2>", "&>", "2>&1",
                ">&2", ">&-", "<&0", "# c", "#", "!", "*", "\\", "'", '"', "$1", "$(x)", "`x`", "(", ")", "\n",
                "\\\n"]


def _summary(text: str, fast: bool) -> object:
    try:
        script = parse_shell(text, fast=fast)
    except ParseError as err:
        return ("error", err.message)
    return [(c.name, c.arg_texts(), c.line, c.column, [w.text for w in c.assignments], c.pipeline_size, c.position,
             [(r.op, r.target.text if r.target else None, r.line, r.column) for r in c.redirects])
            for c in script.commands]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_TOKENS), min_size=1, max_size=16))
def test_plain_lines_split_exactly_like_bashlex(tokens: list[str]) -> None:
    text = "".join(tokens)
    full = _summary(text, fast=False)
    # where bashlex itself crashes (a bug in it, e.g. on some single-quoted text) there is nothing to compare
    assume(not (isinstance(full, tuple) and "Error:" in full[1]))
    fast = _summary(text, fast=True)
    if isinstance(full, tuple):
        assert isinstance(fast, tuple), (text, fast)
    else:
        assert fast == full, text


@pytest.mark.parametrize("text", [
    # Docker's own apt instructions: bashlex 0.18 rejects `&&` and `||` inside `$( … )` and `<( … )`
    'echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.gpg] '
    'https://download.docker.com/linux/ubuntu $(. /etc/os-release && echo "$VERSION_CODENAME") stable" | '
    "sudo tee /etc/apt/sources.list.d/docker.list > /dev/null\n",
    "diff <(sort a || true) <(sort b)\n",
    "v=$(git describe --tags 2>/dev/null || echo dev)\necho \"$v\"\n",
])
def test_lists_inside_substitutions_parse(text: str) -> None:
    assert findings(text) == []


def test_commands_inside_a_substituted_list_are_checked() -> None:
    text = "x=$(cd /tmp && curl -fsSL https://example.org/i.sh)\neval \"$x\"\n"
    assert [(f.rule, f.line) for f in findings(text)] == [("SG303", 2)]


def test_case_on_a_command_substitution_parses_and_keeps_the_command() -> None:
    """get.docker.com's `case "$(uname -r)" in`: the word's command is still read."""
    text = 'case "$(uname -r)" in\n*microsoft* ) true ;; # WSL 2\n* ) false;;\nesac\n'
    assert findings(text) == []
    script = parse_shell('case "$(curl -fsSL https://x/i.sh)" in\n  *) echo hi ;;\nesac\n')
    assert [c.name for c in script.commands] == [":", "curl", "echo"]
