"""Stand-in for H1's `proof` fixture (tests/proofs/conftest.py on branch h1-database); delete at merge.

Same interface: `proof.record(name, snippets=[...], components={...}, summary="...", checks=[...])`.
"""

from __future__ import annotations

import pytest


class _Recorder:
    def __init__(self) -> None:
        self.records: list[dict] = []

    def record(self, name: str, *, snippets: list[str], components: dict[str, str], summary: str,
               checks: list[str]) -> None:
        self.records.append({"name": name, "snippets": snippets, "components": components, "summary": summary,
                             "checks": checks})


@pytest.fixture
def proof() -> _Recorder:
    return _Recorder()
