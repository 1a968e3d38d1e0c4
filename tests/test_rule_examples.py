"""Every rule's own examples are tests: insecure fires at its line, secure stays quiet (ruff style)."""

from __future__ import annotations

import pytest

from snippetguard import KINDS, RULES, examples
from snippetguard.model import Finding

# Rules whose examples cannot be a snippet: raised by the engine on a crash or on bytes,
# or by the site's macros. Each has its own tests (test_engine.py, test_site_build.py).
NO_SNIPPET_EXAMPLES = {"SG000", "SG008"}
PAGE_RULES = {"SG007", "SG009"}


def cases(kind: str) -> list[pytest.param]:
    out = []
    for rule in sorted(RULES.values(), key=lambda r: r.code):
        examples = rule.insecure if kind == "insecure" else rule.secure
        for n, example in enumerate(examples):
            if example.kind in KINDS:
                out.append(pytest.param(rule.code, example, id=f"{rule.code}-{n}"))
    return out


def test_every_rule_has_examples() -> None:
    for rule in RULES.values():
        if rule.code in NO_SNIPPET_EXAMPLES:
            continue
        assert rule.insecure, f"{rule.code} has no insecure example"
        assert rule.secure, f"{rule.code} has no secure example"
        for example in rule.insecure:
            assert example.line is not None, f"{rule.code}: say where the insecure example must fire"
        if rule.code not in PAGE_RULES:
            assert all(e.kind in KINDS for e in (*rule.insecure, *rule.secure)), rule.code


def test_every_rule_is_documented() -> None:
    for rule in RULES.values():
        assert rule.title and rule.why and rule.fix and rule.guide, rule.code
        assert rule.why.endswith((".", "!")), f"{rule.code}: 'why' should be a sentence"
        assert "#" in rule.guide, f"{rule.code}: link to a section, not a whole page"


def findings(text: str, kind: str) -> list[Finding]:
    """Everything the build would report: pure-Python rules, the version check, then the real programs."""
    return examples.judge(text, kind).all_findings()


@pytest.mark.parametrize(("code", "example"), cases("insecure"))
def test_insecure_example_fires_at_its_line(code: str, example) -> None:
    got = findings(example.text, example.kind)
    assert any(f.rule == code and f.line == example.line for f in got), [(f.rule, f.line, f.message) for f in got]


@pytest.mark.parametrize(("code", "example"), cases("secure"))
def test_secure_example_is_clean(code: str, example) -> None:
    got = findings(example.text, example.kind)
    assert got == [], [(f.rule, f.line, f.message) for f in got]
