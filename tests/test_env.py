"""`.env` rules: no concrete secret in documentation, sharper words for weak ones."""

from __future__ import annotations

import pytest

from conftest import codes, findings, fired

STRONG = "q7Vd0JmZr8s1Xn4LwE2pYk9TcA6hUf3B"  # 32 characters: strong, but published


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        (f"POSTGRES_PASSWORD={STRONG}\n", "SG201", 1),
        (f'POSTGRES_PASSWORD="{STRONG}"\n', "SG201", 1),
        (f"export POSTGRES_PASSWORD='{STRONG}'\n", "SG201", 1),
        (f"# db\n\nJWT_SECRET={STRONG}  # rotate me\n", "SG201", 3),
        (f"DATABASE_URL=postgresql://desterlib:{STRONG}@postgres:5432/desterlib_prod?schema=public\n", "SG205", 1),
        ("POSTGRES_PASSWORD=postgres\n", "SG202", 1),
        ("POSTGRES_PASSWORD=changeme\n", "SG202", 1),
        ("POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=desterlib\n", "SG202", 2),
        ("POSTGRES_PASSWORD=S3cure!Pass\n", "SG202", 1),
        ("DATABASE_URL=postgresql://postgres:postgres@postgres:5432/desterlib_prod\n", "SG205", 1),
        ("TMDB_API_KEY=abc123\n", "SG202", 1),
    ],
)
def test_env_secret_rules(text: str, rule: str, line: int) -> None:
    assert (rule, line) in fired(text, "env")


@pytest.mark.parametrize(
    "text",
    [
        "POSTGRES_PASSWORD=<paste the output of: openssl rand -base64 32>\n",
        "POSTGRES_PASSWORD=CHANGE_ME\n",
        "POSTGRES_PASSWORD=CHANGE_ME_generate_with_openssl\n",
        "POSTGRES_PASSWORD=\n",
        "DATABASE_URL=postgresql://desterlib:${POSTGRES_PASSWORD}@postgres:5432/desterlib_prod?schema=public\n",
        "POSTGRES_USER=desterlib\nPOSTGRES_DB=desterlib_prod\nPORT=3001\nNODE_ENV=production\n",
        "RATE_LIMIT_MAX=100\nRATE_LIMIT_WINDOW_MS=900000\n",
        "HOST_MEDIA_PATH=/srv/media\nCONTAINER_MEDIA_PATH=/media\n",
        "POSTGRES_PASSWORD_FILE=/run/secrets/pg\n",
    ],
)
def test_env_near_misses(text: str) -> None:
    assert codes(text, "env") == set()


def test_column_points_at_the_value() -> None:
    (finding,) = findings("POSTGRES_PASSWORD=postgres\n", "env")
    assert (finding.line, finding.column) == (1, 19)


def test_password_column_inside_url() -> None:
    (finding,) = findings("DATABASE_URL=postgresql://postgres:postgres@db/x\n", "env")
    assert finding.column == len("DATABASE_URL=postgresql://postgres:") + 1


@pytest.mark.parametrize(
    ("text", "line"),
    [("POSTGRES_PASSWORD\n", 1), ("A=1\nnot an assignment\n", 2), ("A='unterminated\n", 1), ('A="x" trailing\n', 1)],
)
def test_malformed_env_is_a_parse_finding(text: str, line: int) -> None:
    assert ("SG001", line) in fired(text, "env")


def test_multiline_double_quotes_keep_line_numbers() -> None:
    text = 'NOTE="first\nsecond"\nPOSTGRES_PASSWORD=postgres\n'
    assert fired(text, "env") == {("SG202", 3)}


@pytest.mark.parametrize(
    ("kind", "text", "line"),
    [
        ("env", "AWS_ACCESS_KEY_ID=<your key>\nNOTE=AKIAIOSFODNN7EXAMPLE\n", 2),
        ("shell", "# key below\necho '-----BEGIN RSA PRIVATE KEY-----' > key.pem\n", 2),
        ("yaml", "token: ghp_R4nd0mL00k1ngT0k3nV4lu3abcdefghij123\n", 1),
    ],
)
def test_key_formats_in_any_kind(kind: str, text: str, line: int) -> None:
    assert ("SG203", line) in fired(text, kind)
