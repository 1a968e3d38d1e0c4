"""Evasion: every way of writing a risk that the guard must still see, in one table.

Each row names a technique, the snippet that uses it, and the rule that must still fire at the given
line. The table is the list to read (and to extend) when someone asks "but what if I write it like
this?". Several techniques are also tested piecemeal in test_compose.py, test_shell.py,
test_nginx.py, test_caddy.py and test_powershell.py; here they stand together, as documentation.
Rows marked "(fixed)" slipped through until the rule or parser was corrected.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

import snippetguard
from snippetguard.model import Snippet


@dataclass(frozen=True)
class Evasion:
    technique: str
    kind: str
    text: str
    rule: str  # must still fire …
    line: int  # … here (1-based, in the snippet as written)


def snippet(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


URL = "https://example.com/install.sh"
DB = "services:\n  db:\n    image: postgres:15-alpine\n"

EVASIONS: list[Evasion] = [
    # ------------------------------------------------------------------ Compose: YAML spellings
    Evasion("anchor and merge key (`<<: *db`)", "compose", snippet("""
        x-db: &db
          image: postgres:15-alpine
          ports:
            - "5432:5432"
        services:
          db:
            <<: *db
        """), "SG101", 4),
    Evasion("merge of several anchors (`<<: [*a, *b]`)", "compose", snippet("""
        x-a: &a
          image: desterlib/api
        x-b: &b
          privileged: true
        services:
          api:
            <<: [*a, *b]
        """), "SG104", 4),
    Evasion("anchored list reused by alias", "compose", snippet("""
        services:
          web:
            image: desterlib/web
            cap_add: &caps [SYS_ADMIN]
          api:
            image: desterlib/api
            cap_add: *caps
        """), "SG106", 4),
    Evasion("flow style (`{privileged: true}`)", "compose",
            "services: {api: {image: desterlib/api, privileged: true}}\n", "SG104", 1),
    Evasion("flow style over several lines", "compose", snippet("""
        services: {
          api: {image: desterlib/api,
                network_mode: host}
        }
        """), "SG105", 3),
    Evasion("quoted keys", "compose", snippet("""
        "services":
          'api':
            "image": desterlib/api
            "privileged": true
        """), "SG104", 4),
    Evasion("quoted value (`'host'`)", "compose", DB + "    network_mode: 'host'\n", "SG105", 4),
    Evasion("boolean spelled as a string (`\"true\"`)", "compose", DB + '    privileged: "true"\n', "SG104", 4),
    Evasion("boolean spelled `yes`", "compose", DB + "    privileged: yes\n", "SG104", 4),
    Evasion("boolean spelled `True`", "compose", DB + "    privileged: True\n", "SG104", 4),
    Evasion("boolean spelled `'on'`", "compose", DB + "    privileged: 'on'\n", "SG104", 4),
    Evasion("`extends` inherits the ports", "compose", snippet("""
        services:
          base:
            image: alpine
            ports: ["5433:5433"]
          db:
            extends: base
            image: postgres:15-alpine
        """), "SG101", 4),
    Evasion("`extends: {service: …}` form", "compose", snippet("""
        services:
          base:
            image: desterlib/api
            volumes: [/var/run/docker.sock:/var/run/docker.sock:ro]
          api:
            extends: {service: base}
        """), "SG103", 4),
    Evasion("environment as a map", "compose", DB + "    environment:\n      POSTGRES_PASSWORD: postgres\n", "SG110", 5),
    Evasion("environment as a list", "compose", DB + "    environment:\n      - POSTGRES_PASSWORD=postgres\n",
            "SG110", 5),
    Evasion("environment as a quoted list item", "compose",
            DB + '    environment:\n      - "POSTGRES_PASSWORD=N0t-In-Docs-Please-9f2c1e7a"\n', "SG109", 5),
    Evasion("weak password as an interpolation default", "compose",
            DB + "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}\n", "SG110", 5),
    Evasion("port as a bare number (random host port, every interface)", "compose", DB + "    ports:\n      - 5432\n",
            "SG101", 5),
    Evasion("port as a string", "compose", DB + '    ports:\n      - "5432:5432"\n', "SG101", 5),
    Evasion("port range", "compose", DB + '    ports:\n      - "5430-5435:5430-5435"\n', "SG101", 5),
    Evasion("port in long syntax", "compose", DB + "    ports:\n      - target: 5432\n        published: 5432\n",
            "SG101", 5),
    Evasion("long syntax, `host_ip: 0.0.0.0`", "compose",
            DB + "    ports:\n      - target: 5432\n        host_ip: 0.0.0.0\n", "SG101", 5),
    Evasion("`${VAR:-default}` in the published port", "compose", DB + '    ports:\n      - "${DB_PORT:-5432}:5432"\n',
            "SG101", 5),
    Evasion("`${VAR:-0.0.0.0}` as the address", "compose", DB + '    ports:\n      - "${BIND:-0.0.0.0}:5432:5432"\n',
            "SG101", 5),
    Evasion("`${VAR}` address with no default", "compose", DB + '    ports:\n      - "${BIND}:5432:5432"\n', "SG101", 5),
    Evasion("`${VAR:-default}` in a mount path", "compose",
            "services:\n  api:\n    image: desterlib/api\n    volumes:\n      - ${MEDIA:-/srv/media}:/media\n",
            "SG102", 5),
    Evasion("`${VAR:-default}` naming the Docker socket", "compose",
            "services:\n  api:\n    image: x\n    volumes:\n      - ${SOCK:-/var/run/docker.sock}:/var/run/docker.sock\n",
            "SG103", 5),
    Evasion("double slash in a host path", "compose",
            "services:\n  api:\n    image: x\n    volumes:\n      - //var/run/docker.sock:/var/run/docker.sock\n",
            "SG103", 5),
    Evasion("`CAP_` prefix and lower case", "compose", DB + "    cap_add: [cap_sys_admin]\n", "SG106", 4),
    Evasion("U+2028 ends a comment for YAML: the key after it is live (fixed: line numbers)", "compose",
            DB + "    # harmless\u2028    privileged: true\n", "SG104", 4),
    # ------------------------------------------------------------------ shell
    Evasion("`sudo`", "shell", "sudo chmod 777 /srv/media\n", "SG301", 1),
    Evasion("`sudo -E`", "shell", f"curl -fsSL {URL} | sudo -E bash\n", "SG303", 1),
    Evasion("`sudo` with long options", "shell", "sudo --preserve-env --user=root ufw disable\n", "SG306", 1),
    Evasion("`env X=y cmd`", "shell", "env NODE_TLS_REJECT_UNAUTHORIZED=0 node server.js\n", "SG304", 1),
    Evasion("`env -i` with assignments", "shell", "env -i PATH=/bin chmod 777 /srv\n", "SG301", 1),
    Evasion("assignment prefix", "shell", "GIT_SSL_NO_VERIFY=true git clone https://x/y.git\n", "SG304", 1),
    Evasion("absolute path (`/bin/chmod`)", "shell", "/bin/chmod 777 /srv/media\n", "SG301", 1),
    Evasion("absolute path of the shell in a pipe", "shell", f"curl -fsSL {URL} | /bin/bash\n", "SG303", 1),
    Evasion("`command` prefix", "shell", "command chmod 777 /srv\n", "SG301", 1),
    Evasion("`exec` prefix", "shell", "exec /usr/bin/curl --insecure https://x\n", "SG304", 1),
    Evasion("`nohup`, `time`, `timeout` prefixes", "shell", "nohup time timeout 30 curl -k https://x\n", "SG304", 1),
    Evasion("quoted program name", "shell", "'chmod' 777 /srv\n", "SG301", 1),
    Evasion("`--mode=`", "shell", "mkdir --mode=0777 /srv/x\n", "SG301", 1),
    Evasion("`install -m`", "shell", "sudo install -d -m 777 /srv/x\n", "SG301", 1),
    Evasion("symbolic mode", "shell", "chmod a=rwx /srv\n", "SG301", 1),
    Evasion("octal mode with leading zeros", "shell", "chmod 00777 /srv\n", "SG301", 1),
    Evasion("quoted mode", "shell", "chmod '777' /srv\n", "SG301", 1),
    Evasion("line continuation inside the command", "shell", "sudo chmod \\\n  -R 777 \\\n  /srv/media\n", "SG301", 2),
    Evasion("line continuation before the pipe", "shell", f"curl -fsSL {URL} \\\n  | sudo bash\n", "SG303", 2),
    Evasion("`&&` chain", "shell", "cd /srv && chmod 777 media\n", "SG301", 1),
    Evasion("`;` chain", "shell", "echo stopping; ufw disable\n", "SG306", 1),
    Evasion("`||` chain", "shell", "curl -fsS https://x || curl -k https://x\n", "SG304", 1),
    Evasion("subshell", "shell", "(cd /srv && chmod -R 777 media)\n", "SG301", 1),
    Evasion("brace group", "shell", "{ ufw disable; }\n", "SG306", 1),
    Evasion("command substitution", "shell", "PW=$(openssl rand -hex 8)\n", "SG307", 1),
    Evasion("process substitution", "shell", f"bash <(curl -fsSL {URL})\n", "SG303", 1),
    Evasion("`sh -c '…'` string", "shell", "sudo sh -c 'chmod 777 /srv/media'\n", "SG301", 1),
    Evasion("heredoc fed to a shell", "shell", "sudo bash <<'EOF'\necho hi\nchmod 777 /srv/media\nEOF\n", "SG301", 3),
    Evasion("`<<-` heredoc with tabs", "shell", "sh <<-EOF\n\tufw disable\n\tEOF\n", "SG306", 2),
    Evasion("heredoc into `docker exec … sh`", "shell",
            "docker exec -i api sh <<'EOF'\nchmod -R 777 /media\nEOF\n", "SG301", 2),
    Evasion("inside `if`, `for` and functions", "shell",
            "setup() {\n  for d in a b; do\n    if true; then chmod 777 \"/srv/$d\"; fi\n  done\n}\n", "SG301", 3),
    Evasion("console transcript (`$ ` prompt, output lines)", "shell",
            f"$ curl -fsSL {URL} | bash\nInstalling...\n$ ls\n", "SG303", 1),
    Evasion("console transcript, root prompt (`# `)", "shell", "$ whoami\nroot\n# ufw disable\n", "SG306", 3),
    Evasion("console transcript, `user@host:~$ ` prompt", "shell", "me@nas:~$ sudo ufw disable\n", "SG306", 1),
    Evasion("transcript: `> ` continuation after a backslash", "shell",
            "$ docker run -d \\\n>   -p 5432:5432 \\\n>   postgres:15-alpine\nabc123\n", "SG101", 2),
    Evasion("transcript: `> ` continuation after `&&` (fixed: read as output before)", "shell",
            f"$ cd /tmp &&\n> curl -fsSL {URL} | sudo bash\n$ ls\n", "SG303", 2),
    Evasion("transcript: `> ` continuation after a pipe (fixed)", "shell",
            f"$ curl -fsSL {URL} |\n> sudo bash\nInstalled.\n", "SG303", 2),
    Evasion("`find … -exec` runs the command (fixed)", "shell",
            "find /srv/media -type d -exec chmod 777 {} \\;\n", "SG301", 1),
    Evasion("`find … -execdir sh -c '…'` (fixed)", "shell",
            "find . -name '*.sh' -execdir sh -c 'chmod 777 \"$1\"' _ {} +\n", "SG301", 1),
    Evasion("`xargs` runs the command (fixed)", "shell", "ls /srv | xargs -n 1 -I{} sudo chmod 777 {}\n", "SG301", 1),
    Evasion("`ufw reset` turns the firewall off too (fixed)", "shell", "sudo ufw --force reset\n", "SG306", 1),
    Evasion("`docker run` instead of Compose", "shell", "docker run -d --privileged desterlib/api\n", "SG104", 1),
    Evasion("`docker run -P`: every exposed port, every interface (fixed)", "shell",
            "docker run -dP postgres:15-alpine\n", "SG101", 1),
    Evasion("`docker run --publish-all` (fixed)", "shell", "docker run -d --publish-all redis:7\n", "SG101", 1),
    Evasion("`docker run -v /:/host`: the host's root, not a drive letter (fixed)", "shell",
            "docker run --volume=/:/host:ro desterlib/api\n", "SG108", 1),
    Evasion("`docker run --publish=`", "shell", "sudo docker run -d --publish=5432:5432 postgres:15\n", "SG101", 1),
    Evasion("`podman run`", "shell", "podman run -d -p 6379:6379 redis:7\n", "SG101", 1),
    # ------------------------------------------------------------------ nginx
    Evasion("comment lines between block and directive", "nginx",
            "server {\n    # listing for the media folder\n    location /media/ {\n        # on purpose\n"
            "        autoindex on;\n    }\n}\n", "SG408", 5),
    Evasion("tabs and extra spaces", "nginx", "server {\n\tlisten 80;\n\tautoindex\t\t on  ;\n}\n", "SG408", 3),
    Evasion("arguments split over lines", "nginx",
            "server {\n    listen 443 ssl;\n    ssl_protocols\n        TLSv1\n        TLSv1.2;\n}\n", "SG406", 3),
    Evasion("quoted argument (`\"on\"`)", "nginx", 'server {\n    listen 80;\n    server_tokens "on";\n}\n', "SG407", 3),
    Evasion("single-quoted argument (`'on'`)", "nginx", "server {\n    listen 80;\n    autoindex 'on';\n}\n", "SG408", 3),
    Evasion("upper case value (`ON`)", "nginx", "server {\n    listen 80;\n    autoindex ON;\n}\n", "SG408", 3),
    Evasion("bare directives, no `server {}` around them", "nginx",
            "root /srv/www;\nautoindex on;\n", "SG408", 2),
    Evasion("several directives on one line", "nginx", "server { listen 80; autoindex on; }\n", "SG408", 1),
    Evasion("`include` of a snippet next to the risk", "nginx",
            "server {\n    include snippets/ssl.conf;\n    server_tokens on;\n}\n", "SG407", 3),
    # ------------------------------------------------------------------ Caddy
    Evasion("`import` of a snippet holding the risk", "caddy",
            "(db) {\n\treverse_proxy 127.0.0.1:5432\n}\n\nmedia.example.com {\n\timport db\n}\n", "SG506", 2),
    Evasion("comments and odd indentation", "caddy",
            "{\n  # for debugging only\n        auto_https    off\n}\n\nmedia.example.com {\n\trespond hi\n}\n",
            "SG502", 3),
    Evasion("quoted argument (`\"off\"`)", "caddy",
            '{\n\tauto_https "off"\n}\n\nmedia.example.com {\n\trespond hi\n}\n', "SG502", 2),
    Evasion("environment placeholder with a default", "caddy",
            "{\n\tadmin {$ADMIN_ADDR:0.0.0.0:2019}\n}\n\nmedia.example.com {\n\trespond hi\n}\n", "SG503", 2),
    Evasion("upstream in a `to` subdirective", "caddy",
            "media.example.com {\n\treverse_proxy {\n\t\tto 127.0.0.1:6379\n\t}\n}\n", "SG506", 3),
    Evasion("one `http://` address among several", "caddy",
            "media.example.com, http://media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", "SG501", 1),
    # ------------------------------------------------------------------ .env, PowerShell, Markdown
    Evasion("`export` prefix", "env", "export POSTGRES_PASSWORD=postgres\n", "SG202", 1),
    Evasion("quoted value and spaces round `=`", "env", "POSTGRES_PASSWORD = 'postgres'\n", "SG202", 1),
    Evasion("password inside a URL", "env", "DATABASE_URL=postgresql://app:postgres@db:5432/app\n", "SG205", 1),
    Evasion("`iex (irm …)`", "powershell", f"iex (irm {URL})\n", "SG308", 1),
    Evasion("backtick continuation before the pipe", "powershell", f"irm {URL} `\n  | iex\n", "SG308", 2),
    Evasion("`powershell -Command \"…\"`", "powershell", f'powershell -Command "irm {URL} | iex"\n', "SG308", 1),
    Evasion("fence in an admonition (indented)", "markdown",
            '# Page\n\n!!! note "Setup"\n\n    ```bash\n    chmod 777 /srv\n    ```\n', "SG301", 6),
    Evasion("tilde fence", "markdown", "# Page\n\n~~~bash\nufw disable\n~~~\n", "SG306", 4),
    Evasion("longer backtick fence", "markdown", "# Page\n\n````sh\nufw disable\n````\n", "SG306", 4),
    Evasion("attribute-list language (`{ .yaml }`)", "markdown",
            "# Page\n\n``` { .yaml title=\"x\" }\n" + DB + "    privileged: true\n```\n", "SG104", 7),
    Evasion("`console` fence", "markdown", "# Page\n\n```console\n$ sudo ufw disable\n```\n", "SG306", 4),
]


# What the fixes above must not turn into findings: the same shapes, done safely.
NEAR_MISSES: list[tuple[str, str, str]] = [
    ("find -exec with a safe mode", "shell", "find /srv/media -type f -exec chmod 644 {} +\n"),
    ("xargs running something harmless", "shell", "ls | xargs -r rm -f --\n"),
    ("curl output handed to xargs as arguments", "shell", "curl -fsSL https://example.com/list | xargs echo\n"),
    ("ufw status, ufw enable", "shell", "sudo ufw enable && sudo ufw status verbose\n"),
    ("docker run -P of an image that is no database", "shell", "docker run -d -P desterlib/api\n"),
    ("docker run --publish-all=false", "shell", "docker run -d --publish-all=false postgres:15-alpine\n"),
    ("a Windows drive letter", "shell", "docker run -v C:/data:/data:ro desterlib/api\n"),
]


@pytest.mark.parametrize(("kind", "text"), [n[1:] for n in NEAR_MISSES], ids=[n[0] for n in NEAR_MISSES])
def test_near_miss_stays_quiet(kind: str, text: str) -> None:
    result = snippetguard.check_snippet(Snippet(text, kind, "near-miss"))
    assert [(f.rule, f.message) for f in result.all_findings()] == []


def fired(evasion: Evasion) -> set[tuple[str, int]]:
    result = snippetguard.check_snippet(Snippet(evasion.text, evasion.kind, "evasion"))
    return {(f.rule, f.line) for f in result.all_findings()}


@pytest.mark.parametrize("evasion", EVASIONS, ids=[f"{e.kind}: {e.technique}" for e in EVASIONS])
def test_the_rule_still_fires(evasion: Evasion) -> None:
    got = fired(evasion)
    assert (evasion.rule, evasion.line) in got, sorted(got)
    assert not {rule for rule, _ in got} & {"SG000", "SG001"}, "the evasion must be read, not merely refused"


def test_the_table_has_one_row_per_technique() -> None:
    keys = [(e.kind, e.technique) for e in EVASIONS]
    assert len(keys) == len(set(keys))
    assert {e.kind for e in EVASIONS} == {"compose", "shell", "nginx", "caddy", "env", "powershell", "markdown"}
