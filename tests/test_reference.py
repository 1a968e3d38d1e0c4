"""One source of truth: the rules reference, the checklist and the contributor's tooling agree."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from ruamel.yaml import YAML

from snippetguard import KINDS, RULES, reporters, sitecontent
from snippetguard.cli import main
from snippetguard.engine import check_snippet
from snippetguard.model import Snippet

from conftest import ROOT


def test_reference_markdown_has_every_rule_once() -> None:
    page = sitecontent.rules_reference("reference/rules.md")
    for rule in RULES.values():
        assert page.count(f"{{ #{rule.anchor} }}") == 1, rule.code
        assert rule.why in page and rule.fix in page, f"{rule.code}: the page must show the definition's own text"


def test_every_rule_url_points_at_its_reference_entry() -> None:
    for rule in RULES.values():
        assert rule.url == f"https://docs.dester.in/reference/rules/#{rule.code.lower()}"


def test_built_reference_page_covers_every_listed_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import build, copy_site

    assert main(["rules", "--format", "json"]) == 0
    listed = {r["code"] for r in json.loads(capsys.readouterr().out)}
    site = copy_site(tmp_path)
    proc = build(site, env={"SNIPPETGUARD_PROGRAMS": "0"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (site / "site" / "reference" / "rules" / "index.html").read_text(encoding="utf-8")
    missing = sorted(code for code in listed if f'id="{code.lower()}"' not in html)
    assert missing == []


# -- the checklist ---------------------------------------------------------------------------------
def _docs_with(tmp_path: Path, data: list[dict[str, object]]) -> Path:
    (tmp_path / "security").mkdir(parents=True)
    (tmp_path / "security" / "checklist.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def _all_security_rules() -> list[str]:
    return sorted(code for code, rule in RULES.items() if sitecontent.family_of(rule) in sitecontent.CHECKLIST_FAMILIES)


def test_real_checklist_has_no_problems() -> None:
    assert sitecontent.checklist_problems(ROOT / "docs") == []


def test_checklist_item_without_a_section_is_an_error(tmp_path: Path) -> None:
    docs = _docs_with(tmp_path, [{"group": "G", "items": [{"id": "a", "text": "x", "rules": _all_security_rules()}]}])
    assert sitecontent.checklist_problems(docs) == ["checklist item 'a' has no guide section"]


def test_rule_named_by_no_item_is_an_error(tmp_path: Path) -> None:
    rules = _all_security_rules()
    dropped = rules.pop()
    docs = _docs_with(tmp_path, [{"group": "G", "items": [{"id": "a", "text": "x", "section": "s.md#a", "rules": rules}]}])
    problems = sitecontent.checklist_problems(docs)
    assert len(problems) == 1 and problems[0].startswith(f"rule {dropped} ")


def test_unknown_rule_and_duplicate_ids(tmp_path: Path) -> None:
    items = [{"id": "a", "text": "x", "section": "s.md#a", "rules": [*_all_security_rules(), "SG999"]},
             {"id": "a", "text": "y", "section": "s.md#b", "rules": []}]
    problems = sitecontent.checklist_problems(_docs_with(tmp_path, [{"group": "G", "items": items}]))
    assert "checklist item 'a' names unknown rule SG999" in problems
    assert "checklist item id 'a' is used twice" in problems


def test_checklist_renders_as_a_task_list_with_links() -> None:
    text = sitecontent.checklist(ROOT / "docs", "security/checklist.md")
    items = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    data = sitecontent.load_checklist(ROOT / "docs")
    assert len(items) == sum(len(g["items"]) for g in data)
    assert all('class="sg-check" data-id="' in line and "([guide](" in line for line in items)


# -- contributor tooling -----------------------------------------------------------------------------
def test_workflow_is_valid_and_its_shell_passes_snippetguard() -> None:
    schema_text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("github-workflows.json")
    schema = json.loads(schema_text.read_text(encoding="utf-8"))
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    reader = YAML(typ="safe")  # YAML 1.2, as GitHub reads it (PyYAML would turn `on:` into True)
    for path in workflows:
        jsonschema.validate(reader.load(path.read_text(encoding="utf-8")), schema)
        result = check_snippet(Snippet(path.read_text(encoding="utf-8"), "yaml", str(path)))
        assert result.children, f"{path}: its run: steps should be checked as shell"
        assert {c.snippet.kind for c in result.children} == {"shell"}
        assert result.all_findings() == []


def test_pre_commit_files() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "snippetguard" and hook["entry"] == "snippetguard check --only-known"
    assert hook["language"] == "python" and hook["types"] == ["text"]
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert {"snippetguard", "ruff"} <= ids


@pytest.mark.parametrize("code", sorted(RULES))
def test_explain_every_rule(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", code]) == 0
    out = capsys.readouterr().out
    rule = RULES[code]
    assert out.startswith(f"{code}: {rule.title}") and rule.why in out and rule.fix in out and rule.url in out


@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if any(e.kind in KINDS for e in r.insecure)))
def test_every_rule_teaches_in_text_output(code: str) -> None:
    """The offending line with a caret under it, then why, fix and the rule's page: as ruff and shellcheck do."""
    from snippetguard import examples, validators

    example = next(e for e in RULES[code].insecure if e.kind in KINDS)
    result = examples.judge(example.text, example.kind, programs=code in validators.PROGRAM_RULES)
    finding = next(f for f in result.all_findings() if f.rule == code)
    out = reporters.text([finding])
    lines = out.splitlines()
    assert lines[0].startswith(f"example:{finding.line}:{finding.column}  {code}  ")
    source_row = next(i for i, line in enumerate(lines) if line.startswith(f"{finding.line} | "))
    assert "^" in lines[source_row + 1]
    caret_col = lines[source_row + 1].index("^") - len(f"{finding.line} | ")
    assert caret_col == len(finding.source_line[: finding.column - 1].expandtabs(4))
    assert any(line.lstrip().startswith("= why: ") for line in lines)
    assert any(line.lstrip().startswith("= fix: ") for line in lines)
    assert any(line.lstrip().startswith(f"= see: {RULES[code].url}") for line in lines)
