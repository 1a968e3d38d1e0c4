"""Which files of a repository snippetguard checks (pre-commit, folder walks): only those of a known kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from snippetguard.classify import repository_kind
from snippetguard.cli import main

NGINX_SERVER = "server {\n    listen 80;\n}\n"


@pytest.mark.parametrize(("path", "head", "kind"), [
    ("compose.yaml", "", "compose"),
    ("deploy/compose.yml", "", "compose"),
    ("compose.override.yaml", "", "compose"),
    ("docker-compose.yml", "", "compose"),
    ("docker-compose.prod.yaml", "", "compose"),
    ("stack.compose.yml", "", "compose"),
    ("k8s/deployment.yaml", "services:\n  a: 1\n", None),  # YAML that is not named as Compose
    ("mkdocs.yml", "", None),
    ("nginx/site.conf", "anything", "nginx"),
    ("etc/nginx/conf.d/default.conf", "", "nginx"),
    ("/etc/nginx/nginx.conf", "", "nginx"),
    ("sites-available/default", "", "nginx"),
    ("deploy/proxy.conf", NGINX_SERVER, "nginx"),  # recognised by its content
    ("deploy/upstreams.conf", "upstream api {\n    server 127.0.0.1:3001;\n}\n", "nginx"),
    ("deploy/locations.conf", "location /api/ {\n    proxy_pass http://127.0.0.1:3001;\n}\n", "nginx"),
    ("app.conf", "listen = 8080\nworkers = 4\n", None),
    ("supervisor/worker.conf", "[program:worker]\ncommand=/bin/true\n", None),
    (".env", "", "env"),
    (".env.production", "", "env"),
    ("config/prod.env", "", "env"),
    ("scripts/backup.sh", "", "shell"),
    ("scripts/backup.bash", "", "shell"),
    ("bin/setup", "#!/bin/sh\nset -eu\n", "shell"),
    ("bin/setup", "#!/usr/bin/env bash\n", "shell"),
    ("bin/setup", "#!/usr/bin/env python3\n", None),
    ("bin/tool.py", "#!/bin/sh\n", None),
    ("Caddyfile", "", "caddy"),
    ("caddy/Caddyfile.hardened", "", "caddy"),
    ("site.caddy", "", "caddy"),
    ("install.ps1", "", "powershell"),
    ("etc/docker/daemon.json", "", "daemon"),
    ("config/settings.json", '{"hosts": ["tcp://0.0.0.0:2375"]}', None),  # any other JSON is left alone
    ("etc/systemd/system/docker.service.d/override.conf", "", "systemd"),
    ("deploy/desterlib-firewall.service", "", "systemd"),
    ("docs/index.md", "", "markdown"),
    ("README", "Hello\n", None),
    ("src/main.py", "", None),
])
def test_repository_kind(path: str, head: str, kind: str | None) -> None:
    assert repository_kind(path, lambda: head) == kind


def test_content_is_read_only_when_the_name_does_not_decide() -> None:
    def unread() -> str:
        raise AssertionError("read the file although its name decides")

    for path in ("compose.yaml", "nginx/a.conf", ".env", "x.sh", "x.py", "x.yml", "x.md"):
        repository_kind(path, unread)


def test_only_known_skips_what_is_not_a_snippet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.conf").write_text("listen = 8080\n", encoding="utf-8")
    (tmp_path / "data.bin").write_bytes(b"\0\1\2")
    (tmp_path / "compose.yaml").write_text('services:\n  db:\n    image: postgres:15\n    ports:\n      - "5432:5432"\n',
                                           encoding="utf-8")
    files = [str(tmp_path / n) for n in ("app.conf", "data.bin", "compose.yaml")]
    assert main(["check", "--no-programs", "--only-known", *files]) == 1
    out = capsys.readouterr().out
    assert "compose.yaml:5:9  SG101" in out and "app.conf" not in out and "Checked 1 snippet in 1 file." in out
    # named on the command line without --only-known, a file is checked as its name says (SG002 when it cannot)
    assert main(["check", "--no-programs", files[0]]) == 1
    assert "app.conf:1:1  SG001" in capsys.readouterr().out


def test_only_known_in_a_folder_walk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.conf").write_text("listen = 8080\n", encoding="utf-8")
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "site.conf").write_text("server {\n    listen 80;\n    autoindex on;\n}\n", encoding="utf-8")
    (tmp_path / "docs" / "snippets").mkdir(parents=True)
    (tmp_path / "docs" / "snippets" / "stack.yml").write_text("services:\n  api:\n    privileged: true\n",
                                                             encoding="utf-8")
    assert main(["check", "--no-programs", "--only-known", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "site.conf:3:" in out and "SG408" in out and "app.conf" not in out
    assert "stack.yml:3:" in out and "SG104" in out  # a snippets folder's files are snippets by decision
    # without --only-known a folder is taken as a folder of snippets: every *.conf is nginx's
    assert main(["check", "--no-programs", str(tmp_path)]) == 1
    assert "app.conf:1:1  SG001" in capsys.readouterr().out
