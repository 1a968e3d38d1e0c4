"""A newcomer's machine: no system nginx, Caddy or Chromium. The README's commands still work.

The pinned nginx and Caddy come with the requirements; the distribution's (older) builds, which the
build also validates with, may be missing: then the build warns and goes on, and under CI=true it
stops with the same message. `make` checks Python, reports a busy port in one line, and never leaves
a half-made environment behind.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from snippetguard import programs

from conftest import ROOT, copy_site

pytestmark = pytest.mark.slow

HIDE = ("nginx", "caddy", "chromium")


def hidden(command: list[str]) -> list[str]:
    """Run `command` in a private mount namespace where the system's nginx, Caddy and Chromium do not exist
    (the same trick as the fresh-machine script: /dev/null bound over each; not executable, so not found)."""
    found = [programs.system(name) for name in HIDE]  # never the pinned builds in the environment
    paths = {str(p) for p in found if p is not None}
    script = "".join(f"mount --bind /dev/null {p} && " for p in sorted(paths)) + 'exec "$@"'
    return ["unshare", "--mount", "bash", "-c", script, "--", *command]


def can_hide() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def build_hidden(site: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"NO_MKDOCS_2_WARNING": "1", "SNIPPETGUARD_CACHE_DIR": str(site / ".cache")})
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site / "site")]
    return subprocess.run(hidden(command), cwd=site, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def hidden_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not can_hide():
        pytest.skip("hiding the system's programs needs root and unshare (CI has both)")
    return copy_site(tmp_path_factory.mktemp("fresh"))


def test_build_without_system_programs_passes_with_one_warning_each(hidden_site: Path) -> None:
    out = build_hidden(hidden_site, ci=False)
    assert out.returncode == 0, out.stderr[-3000:]
    for program, floor in (("nginx", "1.22.1"), ("caddy", "2.6.2")):
        lines = [ln for ln in out.stderr.splitlines() if f"snippetguard: {program} {floor} (the oldest supported" in ln]
        assert len(lines) == 1, out.stderr[-3000:]
        assert lines[0].startswith("WARNING") and "not found" in lines[0] and f"apt install {program}" in lines[0]
    assert "SG006" not in out.stderr and "Traceback" not in out.stderr
    page = (hidden_site / "site" / "security" / "https" / "index.html").read_text(encoding="utf-8")
    assert "caddy adapt (2.11.7)" in page and "not checked with caddy 2.6.2 (not installed)" in page


def test_build_without_system_programs_fails_under_ci(hidden_site: Path) -> None:
    out = build_hidden(hidden_site, ci=True)
    assert out.returncode != 0
    assert "CI=true, so every program that checks snippets must be installed" in out.stderr
    assert "nginx 1.22.1 (the oldest supported version) not found" in out.stderr
    assert "Traceback" not in out.stderr


# -- make ------------------------------------------------------------------------------------------------


def _make(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_make_refuses_old_python_in_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "python3.10"
    fake.write_text('#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Python 3.10.12"; exit 0; fi\nexit 1\n')
    fake.chmod(0o755)
    out = _make("build", f"PYTHON={fake}")
    assert out.returncode != 0
    assert "needs Python 3.11 or newer" in out.stdout and "Python 3.10.12" in out.stdout


def test_failed_setup_leaves_no_environment(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "requirements.txt").write_text("snippetguard-no-such-package==0.0.1\n")
    # No index: pip fails at once, offline (tests talk to nobody beyond loopback).
    out = _make(".venv/.installed", f"PYTHON={sys.executable}", cwd=tmp_path,
                env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path), "PIP_CONFIG_FILE": os.devnull})
    assert out.returncode != 0
    assert "Set-up failed: removed .venv" in out.stdout
    assert not (tmp_path / ".venv").exists()


def test_busy_port_is_one_clear_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = _make("serve", f"ADDR=127.0.0.1:{port}")
    assert out.returncode != 0
    assert f"Cannot serve on 127.0.0.1:{port}: Address already in use" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_clean_and_distclean_targets_say_what_they_remove() -> None:
    dry = _make("-n", "clean").stdout
    assert "site" in dry and ".cache" in dry and ".pytest_cache" in dry and ".venv" not in dry.replace("./.venv", "")
    assert "rm -rf .venv" in _make("-n", "distclean").stdout
