"""The realistic corpus (tests/corpus): recall at the line per kind, and silence on sane configurations.

`make eval` prints the same figures with every miss and false alarm; see benchmarks/eval.py.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("corpus_eval", ROOT / "benchmarks" / "eval.py")
assert _SPEC is not None and _SPEC.loader is not None
corpus_eval = importlib.util.module_from_spec(_SPEC)
sys.modules["corpus_eval"] = corpus_eval  # dataclasses look their module up there
_SPEC.loader.exec_module(corpus_eval)

CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture(scope="module")
def results() -> list:
    return corpus_eval.evaluate(CORPUS)


def test_recall_at_the_line_per_kind(results: list) -> None:
    scores = corpus_eval.scores(results)
    low = {kind: f"{s.recall:.1%}" for kind, s in scores.items() if s.recall < corpus_eval.RECALL_FLOOR}
    assert not low, corpus_eval.report(results)


def test_sane_configurations_raise_nothing(results: list) -> None:
    alarms = [(r.path, r.found) for r in results if r.sane and r.found]
    assert not alarms, corpus_eval.report(results)


def test_every_kind_is_supported_and_has_both_sorts(results: list) -> None:
    for kind, score in corpus_eval.scores(results).items():
        assert score.supported, kind
        assert score.sane and score.insecure, f"{kind}: needs sane and insecure files"


def test_corpus_size() -> None:
    """The brief asks for at least ~40 sane and ~60 insecure files across the kinds."""
    results = corpus_eval.evaluate(CORPUS)
    assert sum(r.sane for r in results) >= 40 and sum(not r.sane for r in results) >= 60


def test_every_file_has_its_origin_in_sources() -> None:
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    # A row names a file by its name, or by kind folder and name (`shell/x.sh`).
    listed = {name.rsplit("/", 1)[-1] for name in re.findall(r"^\| ([^|\s]+) \|", sources, re.MULTILINE)} - {"File", "---"}
    files = {p.name for _, p in corpus_eval.corpus_files(CORPUS)}
    assert files <= listed, f"not in SOURCES.md: {sorted(files - listed)}"
    assert listed <= files, f"listed but missing: {sorted(listed - files)}"


def test_expectations_name_real_rules_and_lines() -> None:
    from snippetguard import RULES

    for _, path in corpus_eval.corpus_files(CORPUS):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + 1
        for code, line in corpus_eval.expectations(path, text):
            assert code in RULES, f"{path.name}: {code} is not a rule"
            assert 1 <= line <= lines, f"{path.name}: line {line} is outside the file"


def test_harness_counts_misses_and_false_alarms(tmp_path: Path) -> None:
    """The harness itself can fail: a marker nothing raises is a miss, a finding on a sane file an alarm."""
    (tmp_path / "compose").mkdir()
    (tmp_path / "compose" / "missed.yml").write_text(
        "services:\n  web:\n    image: nginx  # <- SG104\n", encoding="utf-8")
    (tmp_path / "compose" / "alarm.yml").write_text(
        "services:\n  web:\n    image: nginx\n    privileged: true\n", encoding="utf-8")
    (tmp_path / "daemon").mkdir()
    (tmp_path / "daemon" / "d.json").write_text('{"iptables": false}\n', encoding="utf-8")
    (tmp_path / "daemon" / "d.json.expect").write_text("1 SG702\n", encoding="utf-8")
    results = corpus_eval.evaluate(tmp_path)
    scores = corpus_eval.scores(results)
    assert scores["compose"].hits == 0 and scores["compose"].false_alarm_files == 1
    assert scores["daemon"].recall == 1.0
    assert corpus_eval.failures(results) == ["compose: recall at the line 0.0% < 95%",
                                             "compose: findings on 1 sane file(s)"]
