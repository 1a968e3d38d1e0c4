"""Stand-in for H1's `proof` fixture (tests/proofs/conftest.py on branch h1-database); delete after the merge.

Same interface and the same consistency check as H1's recorder: the snippets a proof names must be
exactly the files that declare `# snippetguard: proof[NAME]`. It writes no record. Once H1's
conftest.py is beside this file, this module defines no fixture, so the real recorder is used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from snippetguard.directives import metadata

SNIPPETS = Path(__file__).resolve().parents[2] / "docs" / "snippets"


def declared(name: str) -> list[str]:
    return sorted(str(p.relative_to(SNIPPETS)) for p in SNIPPETS.rglob("*") if p.is_file()
                  and name in metadata(p.read_text(encoding="utf-8")).proofs)


class _Recorder:
    def __init__(self) -> None:
        self.records: list[dict] = []

    def record(self, name: str, *, snippets: list[str], components: dict[str, str], summary: str,
               checks: list[str]) -> None:
        assert sorted(set(snippets)) == declared(name), (
            f"proof {name} ran {sorted(set(snippets))} but these files declare proof[{name}]: {declared(name)}")
        assert checks and summary, "a proof says what it checked"
        self.records.append({"name": name, "snippets": snippets, "components": components, "summary": summary,
                             "checks": checks})


if (Path(__file__).resolve().parent / "conftest.py").is_file():
    proof = None  # H1's conftest provides the real `proof` fixture; a module-level one would shadow it
else:
    @pytest.fixture
    def proof() -> _Recorder:
        return _Recorder()
