"""The pre-commit hook, used from another repository with the real pre-commit (`try-repo` against this one).

pre-commit builds the hook's environment from this repository (pip installs it and
its declared dependencies from the package registry), so the test needs the
registry: without it the test skips locally and fails under CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, NETWORK_ERRORS, git, repository_copy

pytestmark = pytest.mark.slow

FILES = {
    "compose.yaml": 'services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"\n',
    "nginx/site.conf": "server {\n    listen 80;\n    server_tokens on;\n}\n",
    "app.conf": "# not nginx: an application's own settings\nlisten = 8080\nworkers = 4\n",
    ".env": "POSTGRES_PASSWORD=postgres\n",
    "bin/setup": "#!/bin/sh\nchmod 777 /srv/media\n",
    "notes.yml": "services: [a, b]\nthis is: not compose, by its name\n",
}


def test_hook_checks_only_known_files_and_leaves_the_repository_clean(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed") if IN_CI else pytest.skip("git is not installed")
    project = tmp_path / "project"
    for rel, text in FILES.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    (project / "bin" / "setup").chmod(0o755)
    git(project, "init", "--quiet")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "a project that documents its set-up")
    repo = repository_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNIPPETGUARD_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), XDG_CACHE_HOME=str(tmp_path / "user-cache"),
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(repo), "snippetguard", "--all-files",
                           "--verbose"], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    if proc.returncode not in (0, 1) or "An unexpected error has occurred" in out:
        if NETWORK_ERRORS.search(out) and not IN_CI:
            pytest.skip("pre-commit could not install the hook: the package registry is not reachable")
        pytest.fail(out[-4000:])
    assert proc.returncode == 1, out  # the hook found what is insecure
    assert "compose.yaml:5:9  SG101" in out, out
    assert "nginx/site.conf:3:" in out and "SG407" in out, out
    assert ".env:1:19  SG202" in out, out
    assert "bin/setup:2:7  SG301" in out, out  # a shell script known by its shebang alone
    assert "app.conf" not in out and "notes.yml" not in out, out  # not nginx, not Compose: left alone
    assert "Checked 4 snippets in 4 files." in out, out
    assert "SG602" not in out and "not found" not in out, out  # the pinned nginx came with the hook
    assert git(project, "status", "--porcelain", "--ignored") == ""
    assert not (project / ".cache").exists()
    assert (tmp_path / "user-cache" / "snippetguard").is_dir(), "the cache belongs in the user's cache folder"
