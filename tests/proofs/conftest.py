"""Proof fixtures: the `proof` recorder, a PostgreSQL cluster per session, and running snippets.

A proof runs a snippet exactly as published (the text readers see, with only the substitutions the
test declares) and asserts what the page promises. `proof.record(...)` describes the proof; the
record is written to tests/proofs/results.json only if the whole test passes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from proofs.pgcluster import HOW_TO_GET, Account, Cluster, Install, find_install, private_dir
from proofs.support import IN_CI, SHIM, Machine, Recorder, compose_binary

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


@pytest.fixture(scope="session")
def shim_tools(account: Account) -> Iterator[tuple[Path, Path]]:
    """The docker stand-in and the Compose binary, where the unprivileged account can run them: the
    checkout (and its .venv) may sit in a folder only root can enter, as in a fresh `mktemp -d`."""
    folder = private_dir("proof-tools-", account)
    try:
        tools = [folder / SHIM.name, folder / "docker-compose"]
        shutil.copyfile(SHIM, tools[0])
        tools[0].chmod(0o755)
        compose = Path(compose_binary())
        # A hard link saves a 76 MB copy, but shares the inode with the checkout's file: it is made only when
        # everyone may already run it, and never chmod-ed or chown-ed (that would change the checkout too).
        try:
            if compose.stat().st_mode & 0o005 != 0o005:
                raise OSError("not runnable by others")
            os.link(compose, tools[1])
        except OSError:
            shutil.copyfile(compose, tools[1])
            tools[1].chmod(0o755)
        folder.chmod(0o755)
        yield tools[0], tools[1]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def machines(account: Account, shim_python: str, shim_tools: tuple[Path, Path],
             request: pytest.FixtureRequest) -> Iterator[Callable[[], Machine]]:
    """Make readers' machines: a fresh home folder each, sharing the test's PostgreSQL server if it has one."""
    cluster: Cluster | None = request.getfixturevalue("pg") if "pg" in request.fixturenames else None
    made: list[Machine] = []

    def make() -> Machine:
        home = private_dir("proof-home-", account)
        bin_dir = home / ".proof-bin"
        bin_dir.mkdir()
        state_file = home / ".proof-docker-state.json"
        shim, compose = shim_tools
        state = {"containers": {}, "events": [], "refused": [], "volume": None, "compose": str(compose)}
        if cluster is not None:
            state.update(pg_bin=str(cluster.install.bin), socket=str(cluster.socket_dir), port=cluster.port,
                         admin="proof_admin")
        state_file.write_text(json.dumps(state), encoding="utf-8")
        docker = bin_dir / "docker"
        docker.write_text(f'#!/bin/sh\nexec "{shim_python}" "{shim}" "$@"\n', encoding="utf-8")
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


