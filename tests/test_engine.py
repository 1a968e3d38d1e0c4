"""The engine: directives, fail-closed behaviour, and honest mistakes in input."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import snippetguard
from snippetguard import watchdog
from snippetguard.cli import main
from snippetguard.engine import MAX_SNIPPET_BYTES
from snippetguard.model import Hit
from snippetguard.registry import RULES, rule

from conftest import codes, fired

EXPOSED = 'services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"{tail}\n'


# -- suppressions and counter-examples ---------------------------------------------------------
def test_suppression_with_reason_silences_its_line() -> None:
    text = EXPOSED.format(tail="  # snippetguard: ignore[SG101] lab machine, no network")
    assert codes(text, "compose") == set()


def test_suppression_on_the_line_above() -> None:
    text = EXPOSED.replace('      - "5432', '      # snippetguard: ignore[SG101] lab machine\n      - "5432').format(tail="")
    assert codes(text, "compose") == set()


def test_suppression_without_reason_is_an_error() -> None:
    text = EXPOSED.format(tail="  # snippetguard: ignore[SG101]")
    assert fired(text, "compose") == {("SG101", 5), ("SG004", 5)}


def test_suppression_of_another_rule_silences_nothing() -> None:
    text = EXPOSED.format(tail="  # snippetguard: ignore[SG102] wrong code")
    assert fired(text, "compose") == {("SG101", 5), ("SG005", 5)}


def test_bad_code_in_directive() -> None:
    assert ("SG004", 1) in fired("# snippetguard: ignore[X1] because\nservices: {}\n", "compose")


def test_counter_example_that_triggers_what_it_declares_passes() -> None:
    text = "# snippetguard: expect[SG101] the v0.2.0 default\n" + EXPOSED.format(tail="")
    result = snippetguard.check_snippet(snippetguard.Snippet(text, "compose", "x"))
    assert result.findings == [] and result.expected == ("SG101",)


def test_counter_example_that_stopped_triggering_is_an_error() -> None:
    text = "# snippetguard: expect[SG101,SG110] demo\n" + EXPOSED.format(tail="")
    (finding,) = snippetguard.check_snippet(snippetguard.Snippet(text, "compose", "x")).findings
    assert finding.rule == "SG006" and finding.line == 1 and "no longer triggers SG110" in finding.message


# -- fail closed -------------------------------------------------------------------------------
@pytest.fixture
def injected() -> Iterator[dict[str, object]]:
    holder: dict[str, object] = {}
    yield holder
    RULES.pop("SG998", None)


def _inject(behaviour: str) -> None:
    @rule(code="SG998", title="Injected", kinds=("compose",), why="Test.", fix="None.", guide="x.md#y",
          insecure=(), secure=())
    def injected_rule(doc: object) -> Iterator[Hit]:
        if behaviour == "raise":
            raise ValueError("boom")
        while True:
            time.sleep(0.01)
        yield Hit(1, 1, "never")


def test_a_rule_that_raises_fails_the_snippet_by_name(injected: dict[str, object]) -> None:
    _inject("raise")
    got = snippetguard.check_snippet(snippetguard.Snippet("services: {}\n", "compose", "x.yml")).findings
    assert [(f.rule, f.path) for f in got] == [("SG000", "x.yml")]
    assert "rule SG998 crashed" in got[0].message and "boom" in got[0].message


def test_a_rule_that_hangs_is_stopped(injected: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watchdog, "DEFAULT_SECONDS", 0.3)
    _inject("hang")
    start = time.monotonic()
    got = snippetguard.check_snippet(snippetguard.Snippet("services: {}\n", "compose", "x.yml")).findings
    assert time.monotonic() - start < 3
    assert [f.rule for f in got] == ["SG000"] and "did not finish within 0.3 s" in got[0].message


# -- honest mistakes -----------------------------------------------------------------------------
def test_bom_and_crlf_keep_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "stack.yml"
    path.write_bytes(b"\xef\xbb\xbf" + EXPOSED.format(tail="").replace("\n", "\r\n").encode())
    assert main(["check", "--no-programs", "--format", "json", str(path)]) == 1
    assert '"line": 5' in capsys.readouterr().out


def test_cr_only_line_endings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "stack.yml"
    path.write_bytes(EXPOSED.format(tail="").replace("\n", "\r").encode())
    main(["check", "--no-programs", "--format", "json", str(path)])
    assert '"line": 5' in capsys.readouterr().out


def test_tabs_in_yaml() -> None:
    got = snippetguard.check_snippet(snippetguard.Snippet("services:\n\tapi:\n\t\timage: x\n", "compose", "x")).findings
    assert [(f.rule, f.line) for f in got] == [("SG001", 2)] and "a tab" in got[0].message


def test_duplicate_keys_are_an_error() -> None:
    text = "services:\n  db:\n    image: postgres\n    ports: []\n    ports: ['5432:5432']\n"
    (finding,) = snippetguard.check_snippet(snippetguard.Snippet(text, "compose", "x")).findings
    assert (finding.rule, finding.line) == ("SG001", 5) and "duplicate key 'ports' (first at line 4)" in finding.message


def test_several_documents() -> None:
    assert fired("services: {}\n---\nservices: {}\n", "compose") == {("SG001", 3)}


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    text = "services: {}\n" + "\n".join(lines) + "\n"
    start = time.monotonic()
    got = fired(text, "compose")
    assert time.monotonic() - start < 2
    assert any(rule == "SG001" for rule, _ in got)


def test_size_limit(tmp_path: Path) -> None:
    text = "services: {}\n" + "#" * MAX_SNIPPET_BYTES + "\n"
    assert codes(text, "compose") == {"SG008"}


@pytest.mark.parametrize("kind", ["env", "yaml", "markdown", "json"])
def test_empty_or_comment_only(kind: str) -> None:
    text = "" if kind == "json" else "# only a comment\n"
    expected = {"SG001"} if kind == "json" else set()
    assert codes(text, kind) == expected


def test_empty_compose_file() -> None:
    assert fired("", "compose") == {("SG001", 1)}


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"services: {}\n\xff\xfe\n", "not valid UTF-8"), (b"\x00\x01\x02binary", "binary file")],
)
def test_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str) -> None:
    path = tmp_path / "stack.yml"
    path.write_bytes(data)
    assert main(["check", "--no-programs", str(path)]) == 1
    out = capsys.readouterr().out
    assert "SG008" in out and message in out and "Traceback" not in out


def test_unknown_fence_language_in_markdown() -> None:
    text = "# Title\n\n```toml\nport = 1\n```\n\n```\nno language\n```\n"
    got = fired(text, "markdown")
    assert got == {("SG002", 3), ("SG002", 7)}


def test_plain_output_fences_are_not_checked() -> None:
    assert codes("```text\n5432:5432 anything\n```\n```log\nx\n```\n", "markdown") == set()


def test_unclosed_fence() -> None:
    assert fired("intro\n```yaml\nservices: {}\n", "markdown") == {("SG001", 2)}
