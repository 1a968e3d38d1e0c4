"""Findings for people (text), for tools (JSON, SARIF 2.1.0) and for GitHub Actions annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from snippetguard.model import Finding, Severity
from snippetguard.registry import RULES, SITE_URL

TOKEN_END_RE = re.compile(r"\s|$")
# Control characters (not tab) from a snippet: shown escaped, so no snippet can forge a line of the report
# or move the terminal's cursor (ANSI escapes) to hide one.
CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _inert(value: str) -> str:
    return CONTROL_RE.sub(lambda m: repr(m.group(0))[1:-1], value)


def _caret(source: str, column: int) -> tuple[str, str]:
    """The line (tabs expanded) and a marker under the token at `column`."""
    source = source.rstrip("\n")
    if column > len(source) + 1:
        column = 1
    start = column - 1
    end = start
    if start < len(source):
        end = TOKEN_END_RE.search(source, start + 1).start() if source[start] not in " \t" else start + 1
    prefix = _inert(source[:start]).expandtabs(4)
    token = _inert(source[start:end]).expandtabs(4)
    return _inert(source).expandtabs(4), " " * len(prefix) + "^" * max(1, len(token))


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def text(findings: Iterable[Finding], *, color: bool = False, summary: bool = True) -> str:
    findings = list(findings)
    out: list[str] = []
    for f in findings:
        sev = "31" if f.severity == Severity.ERROR else "33"
        where = f"{_inert(f.path)}:{f.line}:{f.column}"
        head = f"{_paint(where, '1', color)}  {_paint(f.rule, '1;' + sev, color)}  {_inert(f.message)}"
        if f.severity == Severity.WARNING:
            head += "  (warning)"
        out.append(head)
        if f.source_line:
            width = len(str(f.line))
            line, marks = _caret(f.source_line, f.column)
            gutter = " " * width
            out.append(f"{gutter} |")
            out.append(f"{f.line} | {line}")
            out.append(f"{gutter} | {_paint(marks, sev, color)}")
        pad = " " * len(str(f.line))
        if f.why:
            out.append(f"{pad} = why: {f.why}")
        if f.fix:
            out.append(f"{pad} = fix: {f.fix}")
        if f.url:
            out.append(f"{pad} = see: {f.url}")
        out.append("")
    if summary:
        errors = sum(f.severity == Severity.ERROR for f in findings)
        warnings = len(findings) - errors
        files = len({f.path for f in findings})
        if findings:
            out.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} "
                       f"({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}) "
                       f"in {files} file{'s' if files != 1 else ''}.")
        else:
            out.append("All checked: no findings.")
    return "\n".join(out)


def as_dicts(findings: Iterable[Finding]) -> list[dict[str, object]]:
    return [
        {
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "rule": f.rule,
            "severity": f.severity.value,
            "title": f.title,
            "message": f.message,
            "fix": f.fix,
            "url": f.url,
        }
        for f in findings
    ]


def json_report(findings: Iterable[Finding], files: int, snippets: int) -> str:
    return json.dumps({"findings": as_dicts(findings), "checked": {"files": files, "snippets": snippets}}, indent=2)


def sarif(findings: Iterable[Finding]) -> str:
    findings = list(findings)
    rules = sorted(RULES.values(), key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(rules)}
    driver = {
        "name": "snippetguard",
        "informationUri": f"{SITE_URL}reference/rules/",
        "rules": [
            {
                "id": r.code,
                "name": "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", r.title)),
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.why},
                "help": {"text": f"{r.why}\nFix: {r.fix}", "markdown": f"**Why:** {r.why}\n\n**Fix:** {r.fix}"},
                "helpUri": r.url,
                "defaultConfiguration": {"level": "error" if r.severity == Severity.ERROR else "warning"},
            }
            for r in rules
        ],
    }
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index.get(f.rule, 0),
            "level": "error" if f.severity == Severity.ERROR else "warning",
            "message": {"text": f"{f.message}. Fix: {f.fix}" if f.fix else f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path.replace("\\", "/")},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(doc, indent=2)


def _gh_escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(findings: Iterable[Finding]) -> str:
    lines = []
    for f in findings:
        level = "error" if f.severity == Severity.ERROR else "warning"
        props = f"file={_gh_escape(f.path, prop=True)},line={f.line},col={f.column},title={_gh_escape(f.rule + ' ' + f.title, prop=True)}"
        body = f"{f.message}\nWhy: {f.why}\nFix: {f.fix}\nSee: {f.url}"
        lines.append(f"::{level} {props}::{_gh_escape(body)}")
    return "\n".join(lines)
