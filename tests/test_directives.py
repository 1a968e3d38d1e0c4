"""Metadata directives: requires[...], proof[...], profile[...] describe a whole snippet."""

from __future__ import annotations

import pytest

from snippetguard.directives import Requirement, metadata, parse_directives, strip_for_display

from conftest import codes

SNIPPET = (
    "# snippetguard: requires[nginx>=1.25.1] uses http2 on\n"
    "# snippetguard: proof[proxy-nginx]\n"
    "# snippetguard: profile[hardened]\n"
    "server {\n"
    "    listen 127.0.0.1:8080;\n"
    "}\n"
)


def test_metadata_is_read() -> None:
    meta = metadata(SNIPPET)
    assert meta.requires == (Requirement("nginx", (1, 25, 1)),)
    assert meta.minimum("nginx") == (1, 25, 1)
    assert meta.minimum("caddy") is None
    assert meta.proofs == ("proxy-nginx",)
    assert meta.profiles == frozenset({"hardened"})
    assert str(meta.requires[0]) == "nginx ≥ 1.25.1"


def test_metadata_is_hidden_from_readers() -> None:
    assert strip_for_display(SNIPPET) == "server {\n    listen 127.0.0.1:8080;\n}\n"


def test_valid_metadata_is_not_a_finding() -> None:
    assert codes(SNIPPET, "nginx") == set()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("# snippetguard: requires[] x", "needs a value"),
        ("# snippetguard: requires[nginx] x", "cannot read requirement"),
        ("# snippetguard: requires[apache>=2.4] x", "cannot read requirement"),
        ("# snippetguard: proof[Bad Name]", "not a proof name"),
        ("# snippetguard: profile[paranoid]", "unknown profile"),
        ("listen 80;  # snippetguard: proof[x]", "line of its own"),
        ("# snippetguard: frobnicate[SG101] x", "unknown directive"),
    ],
)
def test_malformed_metadata_is_sg004(line: str, problem: str) -> None:
    found = parse_directives(line)
    assert len(found) == 1 and problem in found[0].problem
    assert "SG004" in codes(line + "\n", "shell")
    assert metadata(line) == metadata("")
