"""Check snippets: parse once, run every rule for the kind, apply directives.

Fail closed: a parser or rule that raises becomes an SG000 finding naming it;
it never escapes as a traceback and never lets the snippet through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from snippetguard import directives, watchdog
from snippetguard.model import Finding, Hit, Origin, Snippet
from snippetguard.registry import KINDS, RULES, ParseError, Rule, program_rules_for, rules_for
from snippetguard.sources import nested_snippets, normalise

MAX_SNIPPET_BYTES = 512 * 1024  # documented in the Contributing page; larger is SG008


@dataclass
class Result:
    snippet: Snippet
    findings: list[Finding] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)  # codes that fired, before an expect[] accepted them
    expected: tuple[str, ...] = ()
    parsed: bool = False
    children: list[Result] = field(default_factory=list)
    raw: list[Finding] = field(default_factory=list)  # before directives; `settle` derives `findings`

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for child in self.children:
            out.extend(child.all_findings())
        return out

    def count(self) -> int:
        return 1 + sum(child.count() for child in self.children)


def make_finding(snippet: Snippet, rule: Rule, line: int, column: int, message: str) -> Finding:
    lines = snippet.text.split("\n")
    line = min(max(1, line), max(1, len(lines)))
    # Re-indent to the file's columns (fences inside admonitions/tabs are indented).
    source = " " * snippet.col_offset + lines[line - 1] if lines else ""
    return Finding(
        path=snippet.path,
        line=line + snippet.line_offset,
        column=max(1, column) + snippet.col_offset,
        rule=rule.code,
        severity=rule.severity,
        title=rule.title,
        message=message,
        why=rule.why,
        fix=rule.fix,
        url=rule.url,
        source_line=source,
    )


def meta(snippet: Snippet, code: str, line: int, column: int, message: str) -> Finding:
    return make_finding(snippet, RULES[code], line, column, message)


def _unknown_kind(snippet: Snippet) -> Finding:
    if snippet.origin == Origin.FENCE:
        what = f"code block language '{snippet.lang}'" if snippet.lang else "code block without a language"
        # Report at the opening fence line, where the language is written.
        finding = meta(snippet, "SG002", 1, 1, f"{what}: snippetguard cannot tell what it is, so it cannot check it")
        fence_line = " " * snippet.col_offset + "```" + snippet.lang  # the opening fence, as usually written
        return replace(finding, line=max(1, snippet.line_offset), column=max(1, snippet.col_offset + 1),
                       source_line=fence_line)
    return meta(snippet, "SG002", 1, 1, f"'{snippet.path}': snippetguard cannot tell what kind of file this is")


def _run_rules(snippet: Snippet, parsed: object, rules: Iterable[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        assert rule.check is not None
        clock = watchdog.arm()
        try:
            hits: list[Hit] = list(rule.check(snippet.text if rule.reads == "text" else parsed))
        except watchdog.CheckTimeout:
            message = f"rule {rule.code} did not finish within {watchdog.DEFAULT_SECONDS:g} s on this snippet"
            findings.append(meta(snippet, "SG000", 1, 1, message))
            continue
        except Exception as exc:  # fail closed: a broken rule fails the snippet, by name
            findings.append(meta(snippet, "SG000", 1, 1, f"rule {rule.code} crashed on this snippet: {exc!r}"))
            continue
        finally:
            watchdog.disarm(clock)
        findings.extend(make_finding(snippet, rule, h.line, h.column, h.message) for h in hits)
    return findings


def settle(result: Result, unjudged: Iterable[str] = ()) -> None:
    """Derive `result.findings` from `result.raw` and the snippet's directives.

    The one place suppressions and counter-example declarations are applied: the
    engine calls it after the pure-Python rules, the validators again after the
    real programs have added their findings to `raw`. `unjudged` names rules no
    checker could judge this time (a program turned off or missing): a
    counter-example's declaration of one is neither confirmed nor refuted.
    """
    snippet = result.snippet
    findings = result.raw
    if snippet.kind == "markdown":
        # A page's directives live in its code blocks (checked as children); text that merely
        # shows a directive, e.g. on the Contributing page, is not one.
        result.fired = {f.rule for f in findings}
        result.findings = list(findings)
        return
    found = directives.parse_directives(snippet.text) if "snippetguard" in snippet.text else []
    if not found:
        result.fired = {f.rule for f in findings}
        result.findings = list(findings)
        return
    kept: list[Finding] = []
    problems: list[Finding] = []
    used: set[int] = set()
    ignores = [d for d in found if d.verb == "ignore" and not d.problem]
    for finding in findings:
        local_line = finding.line - snippet.line_offset
        silencer = next((d for d in ignores if d.target == local_line and finding.rule in d.codes), None)
        if silencer is None:
            kept.append(finding)
        else:
            used.add(id(silencer))
    pending = set(unjudged)
    for d in found:
        if d.problem:
            problems.append(meta(snippet, "SG004", d.line, d.column, d.problem))
        elif d.verb == "ignore" and id(d) not in used and not set(d.codes) <= pending:
            codes = ", ".join(d.codes)
            problems.append(meta(snippet, "SG005", d.line, d.column, f"ignore[{codes}] silences nothing here: remove it"))
    result.fired = {f.rule for f in kept}
    expects = [d for d in found if d.verb == "expect" and not d.problem]
    if expects:
        declared = tuple(sorted({c for d in expects for c in d.codes}))
        result.expected = declared
        wanted = set(declared) - (pending - result.fired)
        if wanted == result.fired:
            kept = []  # a counter-example that triggers exactly what it declares is fine
        else:
            first = expects[0]
            missing = sorted(wanted - result.fired)
            extra = sorted(result.fired - set(declared))
            parts = []
            if missing:
                parts.append(f"no longer triggers {', '.join(missing)}")
            if extra:
                parts.append(f"also triggers {', '.join(extra)}")
            message = f"counter-example declares expect[{', '.join(declared)}] but {' and '.join(parts)}"
            kept = [meta(snippet, "SG006", first.line, first.column, message)]
    result.findings = kept + problems


def check_snippet(snippet: Snippet, *, check_child: Callable[[Snippet], Result] | None = None) -> Result:
    """Parse and lint one snippet (and the snippets nested in it, e.g. fences in Markdown).

    `check_child` checks the nested snippets (the result cache passes itself).
    """
    text = normalise(snippet.text)
    if text != snippet.text:  # CR or CRLF endings, a BOM: as if read from a file (sources.decode)
        snippet = replace(snippet, text=text)
    result = Result(snippet)
    kind = KINDS.get(snippet.kind)
    if kind is None:
        result.findings.append(_unknown_kind(snippet))
        return result
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as err:  # a lone surrogate: no file can hold it, no parser should see it
        line = text.count("\n", 0, err.start) + 1
        message = f"not valid Unicode text (lone surrogate U+{ord(text[err.start]):04X})"
        result.findings.append(meta(snippet, "SG008", line, 1, message))
        return result
    if size > MAX_SNIPPET_BYTES:
        message = f"snippet is {size} bytes; the limit is {MAX_SNIPPET_BYTES} bytes"
        result.findings.append(meta(snippet, "SG008", 1, 1, message))
        return result
    findings: list[Finding]
    try:
        with watchdog.deadline():
            parsed = kind.parse(snippet.text)
    except watchdog.CheckTimeout:
        message = f"the {kind.title} parser did not finish within {watchdog.DEFAULT_SECONDS:g} s"
        findings = [meta(snippet, "SG000", 1, 1, message)]
    except ParseError as err:
        findings = [meta(snippet, err.rule, err.line, err.column, err.message)]
    except RecursionError:
        findings = [meta(snippet, "SG001", 1, 1, f"{kind.title} parser gave up: nesting too deep")]
    except Exception as exc:  # fail closed
        findings = [meta(snippet, "SG000", 1, 1, f"the {kind.title} parser crashed: {exc!r}")]
    else:
        result.parsed = True
        findings = _run_rules(snippet, parsed, rules_for(snippet.kind))
        children = getattr(parsed, "children", None)
        if children:
            check = check_child or check_snippet
            result.children = [check(child) for child in nested_snippets(snippet, children)]
            # A text-wide rule (SG203, SG205) sees a nested block in its parent's text too: report it once, nested.
            inside = {(f.rule, f.line) for child in result.children for f in _raw_findings(child)}
            findings = [f for f in findings if (f.rule, f.line) not in inside]
            # A file the script writes is part of the script as its author sees it: its findings are the
            # script's, so the script's `expect[…]`/`ignore[…]` directives govern them (copies: cached
            # child results are shared).
            lifted = [child for child in result.children if child.snippet.origin == Origin.WRITTEN]
            for child in lifted:
                findings.extend(_raw_findings(child))
            if lifted:
                result.children = [replace(c, findings=[], raw=[], fired=set(), children=[])
                                   if c.snippet.origin == Origin.WRITTEN else c for c in result.children]
    result.raw = findings
    settle(result, unjudged=_program_rules_for(snippet.kind))
    return result


def _raw_findings(result: Result) -> Iterator[Finding]:
    yield from result.raw
    for child in result.children:
        yield from _raw_findings(child)


def _program_rules_for(kind: str) -> frozenset[str]:
    """Rules only a real program can raise for `kind`: unjudged until the validators run."""
    return program_rules_for(kind)


def check_snippets(snippets: Iterable[Snippet]) -> list[Result]:
    return [check_snippet(s) for s in snippets]


__all__ = ["Origin", "Result", "check_snippet", "check_snippets", "normalise", "settle"]
