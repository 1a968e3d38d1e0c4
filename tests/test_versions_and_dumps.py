"""`nginx -T` dumps checked file by file, and the directive → first-version tables of nginx and Caddy."""

from __future__ import annotations

import pytest

from snippetguard.kinds import caddy as caddy_kind
from snippetguard.kinds import nginx as nginx_kind
from snippetguard.kinds.nginx import dump_files, parse_nginx

from conftest import findings

DUMP = (
    "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
    "nginx: configuration file /etc/nginx/nginx.conf test is successful\n"
    "# configuration file /etc/nginx/nginx.conf:\n"
    "events {}\n"
    "http {\n"
    "    include /etc/nginx/sites-enabled/*;\n"
    "}\n"
    "\n"
    "# configuration file /etc/nginx/conf.d/empty.conf:\n"
    "# nothing here\n"
    "\n"
    "# configuration file /etc/nginx/sites-enabled/media:\n"
    "server {\n"
    "    listen 443;\n"
    "    server_tokens on;\n"
    "}\n"
)


def test_dump_is_split_into_files_with_their_own_lines() -> None:
    files = dump_files(DUMP)
    assert files is not None
    assert [(path, line) for path, line, _ in files] == [
        ("/etc/nginx/nginx.conf", 4), ("/etc/nginx/conf.d/empty.conf", 10), ("/etc/nginx/sites-enabled/media", 13)]
    conf = parse_nginx(DUMP)
    assert conf.is_dump and conf.directives == []
    assert conf.files == ["/etc/nginx/nginx.conf", "/etc/nginx/sites-enabled/media"]  # comment-only files skipped


def test_dump_findings_point_at_the_dump_lines() -> None:
    got = sorted((f.rule, f.line) for f in findings(DUMP, "nginx"))
    assert got == [("SG407", 15), ("SG413", 14)]


@pytest.mark.parametrize(
    "text",
    [
        "server {\n    listen 80;\n}\n# configuration file /etc/nginx/nginx.conf:\n",  # a header-like comment late on
        "# configuration file is below\nserver {\n    listen 80;\n}\n",
    ],
)
def test_not_a_dump(text: str) -> None:
    assert dump_files(text) is None
    assert not parse_nginx(text).is_dump


@pytest.mark.parametrize("table", [nginx_kind.DIRECTIVE_SINCE, caddy_kind.DIRECTIVE_SINCE, nginx_kind.DIRECTIVE_REMOVED])
def test_version_tables_are_well_formed(table: dict[str, tuple[int, ...]]) -> None:
    assert table
    for key, version in table.items():
        assert key == key.strip() and key, key
        assert isinstance(version, tuple) and len(version) == 3 and all(isinstance(n, int) for n in version), key


def test_version_table_entries_the_lead_relies_on() -> None:
    assert nginx_kind.DIRECTIVE_SINCE["http2 on"] == (1, 25, 1)
    assert nginx_kind.DIRECTIVE_SINCE["upstream server resolve"] == (1, 27, 3)
    assert caddy_kind.DIRECTIVE_SINCE["basic_auth"] == (2, 8, 0)
    assert caddy_kind.DIRECTIVE_SINCE["basic_auth argon2id"] == (2, 11, 0)
