"""Shared test helpers: check a text, copy the site, build it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import snippetguard
from snippetguard.model import Finding, Snippet

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"


def findings(text: str, kind: str, path: str = "snippet") -> list[Finding]:
    return snippetguard.check_snippet(Snippet(text, kind, path)).all_findings()


def fired(text: str, kind: str) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in findings(text, kind)}


def codes(text: str, kind: str) -> set[str]:
    return {f.rule for f in findings(text, kind)}


MARK_RE = re.compile(r"#\s*<-\s*(.*)$")


def marked(text: str) -> list[tuple[str, int]]:
    """Expected findings of a fixture, written as `# <- SG401` at the end of the offending line."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        match = MARK_RE.search(line)
        if match:
            out.extend((code, number) for code in re.findall(r"SG\d{3}", match.group(1)))
    return sorted(out)


def copy_site(dest: Path) -> Path:
    """A private copy of the site (config, macros, hooks, docs) to break in a test."""
    for name in ("mkdocs.yml", "macros", "hooks", "docs"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    copy_proof_records(dest)
    return dest


def copy_proof_records(dest: Path) -> None:
    """The proof records: the Proven marks read them, and under CI=true the build refuses a claim without one."""
    records = ROOT / "tests" / "proofs" / "results.json"
    if records.is_file():
        (dest / "tests" / "proofs").mkdir(parents=True, exist_ok=True)
        shutil.copy2(records, dest / "tests" / "proofs" / "results.json")


def build(site: Path, *extra: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    run_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SNIPPETGUARD_CACHE_DIR": str(site / ".cache"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site / "site"), *extra],
        cwd=site, capture_output=True, text=True, timeout=timeout, env=run_env,
    )


# pip's and pre-commit's words for "the package registry cannot be reached"
NETWORK_ERRORS = re.compile(r"NewConnectionError|Failed to establish|Temporary failure in name resolution|"
                            r"Could not find a version that satisfies|No matching distribution|ConnectTimeout")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args], cwd=repo,
                          check=True, capture_output=True, text=True, timeout=60).stdout


def repository_copy(tmp_path: Path) -> Path:
    """This repository as committed plus the working tree's changes, committed in a clone (never built in place)."""
    copy = tmp_path / "snippetguard-repo"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(copy)], check=True, timeout=120,
                   capture_output=True)
    listed = subprocess.run(["git", "ls-files", "--modified", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split()
    for rel in listed:
        if (ROOT / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, copy / rel)
        else:
            (copy / rel).unlink(missing_ok=True)  # deleted in the working tree
    git(copy, "add", "-A")
    git(copy, "commit", "--quiet", "--allow-empty", "-m", "working tree under test")
    return copy


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(tmp_path)
