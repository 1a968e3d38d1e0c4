"""Check a whole documentation site: every snippet file, every code block of every page.

A Markdown-site session, independent of MkDocs: the MkDocs hook feeds it pages
as macros render them and asks it for the verdict. A fence whose text is a
known snippet (or region, or rule example) is attributed to that source, so
findings point at the file a contributor edits, not at the page.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from snippetguard import cache as result_cache
from snippetguard import validators, versions
from snippetguard.directives import RegionError, parse_directives, region_names
from snippetguard.embed import shown as shown_text
from snippetguard.engine import Result, meta
from snippetguard.markdown import Fence, find_fences
from snippetguard.model import Finding, Origin, Snippet
from snippetguard.parallel import Batch
from snippetguard.registry import KINDS, RULES, Rule
from snippetguard.sitecontent import digest
from snippetguard.sources import Nested, Unreadable, nested_snippets, read_snippet

ERROR_MARK_RE = re.compile(r"<!-- snippetguard:error (\{.*?\}) -->")
UNRENDERED_RE = re.compile(r"\{\{-?\s*(snippet|insecure_example)\s*\(")
INSECURE_ADMONITION_RE = re.compile(r"^\s*(?:!!!|\?\?\?\+?)\s+insecure\b")


Floors = dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class Known:
    """A text the site knows the origin of."""

    path: str  # where findings about it belong
    line: int
    counter_example: bool  # must be shown inside an `insecure` admonition


@dataclass
class SiteReport:
    findings: list[Finding] = field(default_factory=list)
    snippet_files: int = 0
    page_blocks: int = 0
    counter_examples: int = 0

    def sorted(self) -> list[Finding]:
        unique = {(f.path, f.line, f.column, f.rule, f.message): f for f in self.findings}
        return sorted(unique.values(), key=Finding.sort_key)


class DocSite:
    def __init__(self, docs_dir: Path, snippets_dir: Path, *, display_root: Path | None = None,
                 floors: Floors | None = None, kinds: frozenset[str] | None = None,
                 rule_examples: bool = True) -> None:
        self.docs_dir = docs_dir
        self.floors: Floors = dict(floors or {})  # oldest nginx/Caddy the site supports: also asked, and SG605
        self.snippets_dir = snippets_dir
        self.display_root = display_root or Path.cwd()
        # None: every kind, and a block of unknown kind is an error; a set: only these kinds are checked.
        self.kinds = kinds
        # The rules' own examples are checked where the site publishes them (its rules reference).
        self.rule_examples = rule_examples
        self.known: dict[str, Known] = {}
        self.file_results: dict[str, Result] = {}
        self.page_findings: dict[str, list[Finding]] = {}  # macro errors, unrendered calls, misplaced counter-examples
        self.page_results: dict[str, list[Result]] = {}  # the page's own code blocks
        self.page_blocks: dict[str, int] = {}
        self.examples: list[tuple[Rule, int | None, bool, Result]] = []  # rule, line, insecure?, result
        self.programs: validators.Report | None = None
        self.counter_example_files: set[str] = set()
        self.outside_files: set[str] = set()  # symlinks whose target is not under docs/snippets/
        self._batch: Batch | None = None
        self._early: validators.Report | None = None  # what the worker's program runs found
        self._pending_files: list[str] = []
        self._pending_examples: list[tuple[Rule, int | None, bool, Snippet]] = []

    # -- snippet files -------------------------------------------------------------------------
    def display(self, path: Path) -> str:
        """The path people see in findings: relative to the project, as they would type it."""
        try:
            return os.path.relpath(path, self.display_root)
        except ValueError:
            return str(path)

    def snippet_files(self) -> list[Path]:
        return sorted(p for p in self.snippets_dir.rglob("*") if p.is_file() or p.is_symlink())

    def start(self) -> None:
        """Index every snippet file and rule example, and start checking them on another core.

        `collect()` waits for the results; MkDocs renders the pages in between.
        """
        self.known = {}
        self.file_results = {}
        self.counter_example_files = set()
        self.outside_files = set()
        pending: list[tuple[str, Snippet]] = []
        root = self.snippets_dir.resolve()
        for path in self.snippet_files():
            shown = self.display(path)
            rel = path.relative_to(self.snippets_dir).as_posix()
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                # MkDocs would publish the target's content as a static file: refuse the build.
                self.file_results[rel] = _file_problem(shown, "SG007", 1, "symlink leads outside docs/snippets/; "
                                                       "copy the file in instead")
                self.outside_files.add(rel)
                continue
            try:
                snippet = read_snippet(path, shown)
            except Unreadable as err:
                self.file_results[rel] = _file_problem(shown, "SG008", err.line, str(err))
                continue
            except OSError as err:
                self.file_results[rel] = _file_problem(shown, "SG008", 1, f"cannot read: {err}")
                continue
            if not self._selected(snippet.kind):
                continue
            pending.append((rel, snippet))
            self._index_file(rel, shown, snippet.text)
        examples = self._rule_examples() if self.rule_examples else []
        self._pending_files = [rel for rel, _ in pending]
        # The worker also runs the version check and the real programs on the snippet files while pages render,
        # started as soon as they are checked (the rule examples are checked meanwhile; SG605's own examples
        # are judged in `run_programs`).
        then = partial(programs_for, examples=[], floors=self.floors) if validators.programs_enabled() else None
        self._batch = Batch([s for _, s in pending] + [s for _, _, _, s in examples], then=then, first=len(pending))
        self._early = None
        self._pending_examples = examples

    def collect(self) -> None:
        """Wait for the checks `start()` began (or run them here, if no worker could)."""
        if self._batch is None:
            return
        results = self._batch.results()
        self._early = self._batch.extra
        self._batch = None
        files = dict(zip(self._pending_files, results, strict=False))
        self.file_results.update(files)
        rest = results[len(self._pending_files):]
        self.examples = [(rule, line, insecure, result)
                         for (rule, line, insecure, _), result in zip(self._pending_examples, rest, strict=True)]

    def _selected(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds

    def _index_file(self, rel: str, shown: str, raw: str) -> None:
        counter = any(d.verb == "expect" for d in parse_directives(raw))
        if counter:
            self.counter_example_files.add(rel)
        for region in [None, *region_names(raw)]:
            try:
                text, first_line = shown_text(raw, region)
            except RegionError:
                continue  # reported when a page asks for it
            self.known[digest(text)] = Known(shown, first_line, counter)

    # -- rule examples (the reference page shows them) ----------------------------------------
    def _rule_examples(self) -> list[tuple[Rule, int | None, bool, Snippet]]:
        """The reference page shows every rule's examples: index them and say what each must do."""
        out = []
        for rule in RULES.values():
            for example in (*rule.insecure, *rule.secure):
                if example.kind not in KINDS:
                    continue  # macro-call examples: the site build tests prove those
                insecure = example in rule.insecure
                where = f"snippetguard rule {rule.code} ({'insecure' if insecure else 'secure'} example)"
                out.append((rule, example.line, insecure, Snippet(example.text, example.kind, where, origin=Origin.EXAMPLE)))
                self.known[digest(example.text)] = Known(where, 1, insecure)
        return out

    def _example_findings(self) -> list[Finding]:
        """An insecure example must still fire at its line; a secure one must be clean."""
        out: list[Finding] = []
        for rule, line, insecure, result in self.examples:
            findings = result.all_findings()
            if not insecure:
                out.extend(findings)
                continue
            if rule.code in validators.PROGRAM_RULES and not self._judged(result, rule.code):
                continue  # only the program can say, and it did not (turned off or not installed: reported)
            if not any(f.rule == rule.code and (line is None or f.line == line) for f in findings):
                got = ", ".join(f"{f.rule}@{f.line}" for f in findings) or "nothing"
                out.append(meta(result.snippet, "SG006", line or 1, 1,
                                f"{rule.code}'s insecure example no longer triggers it at line {line} (got {got})"))
        return out

    # -- pages ---------------------------------------------------------------------------------
    def check_page(self, src_path: str, source: str, rendered: str) -> list[Finding]:
        """Check one page after macros ran. `source` is the page's Markdown as written."""
        findings: list[Finding] = []
        page = self.display(self.docs_dir / src_path)
        source_lines = {}
        for fence in find_fences(source):
            source_lines.setdefault(digest(fence.text), fence)
        for match in ERROR_MARK_RE.finditer(rendered):
            data = json.loads(match.group(1))
            rule = RULES[data["rule"]]
            findings.append(_finding(rule, page, int(data.get("line", 1)), data["message"]))
        rendered_fences = find_fences(rendered)
        in_code = {n for f in rendered_fences for n in range(f.line, f.line + f.text.count("\n") + 2)}
        for match in UNRENDERED_RE.finditer(rendered):
            line = rendered.count("\n", 0, match.start()) + 1
            if line in in_code:
                continue  # a macro call shown as an example, inside a code block
            findings.append(_finding(RULES["SG007"], page, line, "macro call was not rendered (is `render_macros: false` "
                                     "set, or the call malformed?)"))
        rendered_lines = rendered.split("\n")
        blocks = 0
        results: list[Result] = []
        for fence in rendered_fences:
            blocks += 1
            key = digest(fence.text)
            known = self.known.get(key)
            if known is not None:
                if known.counter_example and not _inside_insecure(rendered_lines, fence):
                    findings.append(_finding(RULES["SG009"], page, _page_line(source_lines, key, fence),
                                             f"counter-example {known.path} is shown without its warning"))
                continue
            if not fence.closed:
                findings.append(_finding(RULES["SG001"], page, fence.line, "code fence is never closed"))
                continue
            origin_fence = source_lines.get(key)
            line = origin_fence.line if origin_fence else fence.line
            parent = Snippet(rendered if origin_fence is None else source, "markdown", page)
            nested = Nested(fence.text, line + 1, fence.indent + 1, fence.lang)
            results.extend(result_cache.check(snippet) for snippet in nested_snippets(parent, [nested])
                           if self._selected(snippet.kind))
        self.page_findings[src_path] = findings
        self.page_results[src_path] = results
        self.page_blocks[src_path] = blocks
        return findings + [f for r in results for f in r.all_findings()]

    def forget_pages(self) -> None:
        self.page_findings.clear()
        self.page_results.clear()
        self.page_blocks.clear()

    def all_results(self) -> list[Result]:
        """Every snippet file and page block: what the real programs judge (`programs_for`)."""
        return [*self.file_results.values(), *(r for results in self.page_results.values() for r in results)]

    def _judged(self, result: Result, code: str) -> bool:
        names = {cls.name for cls in validators.VALIDATOR_TYPES if cls.rule == code}
        return self.programs is not None and bool(names & set(self.programs.programs_for(result.snippet)))

    def run_programs(self) -> validators.Report:
        """The real programs' second opinion on everything the build checked, in one batch, after the
        version check against the site's floors (SG605).

        Raises validators.ProgramMissing under CI=true when a program is not installed.
        """
        self.collect()
        examples = [(rule.code, result) for rule, _, _, result in self.examples]
        report = programs_for(self.all_results(), examples, self.floors)
        if self._early is not None:  # the worker already judged the snippet files and examples
            report = self._early.merged(report)
            self._early = None
        self.programs = report
        return report

    def programs_text(self, key: str) -> str | None:
        """For the trust mark of a shown snippet: which programs (and versions) judged it, or why not."""
        known = self.known.get(key)
        if known is None or self.programs is None:
            return None
        result = next((r for r in self.file_results.values() if r.snippet.path == known.path), None)
        if result is None:
            return None
        judged = self.programs.versions_for(result.snippet)
        parts = [f"{name} ({' and '.join(found)})" for name, found in judged.items()]
        for missing in self.programs.missing:
            if not any(cls.name == missing.validator and result.snippet.kind in cls.kinds
                       for cls in validators.VALIDATOR_TYPES):
                continue
            if missing.floor:
                parts.append(f"not checked with {missing.program} {missing.floor} (not installed)")
            else:
                parts.append(f"not checked by {missing.program} (not installed)")
        if self.programs.disabled:
            parts.append("real programs turned off")
        return ", ".join(parts) if parts else None

    def report(self) -> SiteReport:
        self.collect()
        report = SiteReport(snippet_files=len(self.file_results), page_blocks=sum(self.page_blocks.values()))
        for result in self.file_results.values():
            report.findings.extend(result.all_findings())
            report.counter_examples += bool(result.expected)
        report.findings.extend(self._example_findings())
        for src_path, findings in self.page_findings.items():
            report.findings.extend(findings)
            for result in self.page_results.get(src_path, []):
                report.findings.extend(result.all_findings())
        return report


def programs_for(results: list[Result], examples: list[tuple[str, Result]], floors: Floors) -> validators.Report:
    """The version check (SG605) and the real programs over `results`; SG605's own examples against the
    site's floors (Debian 12's when it names none). The programs' own rule examples (SG601-SG604) are
    judged by the real programs in the test suite (tests/test_rule_examples.py), like every other rule's:
    they are code, not pages, and a cold build saves ten program runs."""
    versions.apply(results, floors)
    versions.apply([r for code, r in examples if code == versions.RULE], floors or versions.EXAMPLE_FLOORS)
    return validators.validate(results, floors=floors)


def _file_problem(path: str, code: str, line: int, message: str) -> Result:
    """A snippet file that cannot be checked at all: the finding keeps its real line."""
    return Result(Snippet("", "json", path), [_finding(RULES[code], path, line, message)])


def _finding(rule: Rule, path: str, line: int, message: str) -> Finding:
    return Finding(path, line, 1, rule.code, rule.severity, rule.title, message, rule.why, rule.fix, rule.url)


def _page_line(source_fences: dict[str, Fence], key: str, fence: Fence) -> int:
    found = source_fences.get(key)
    return found.line if found else fence.line


def _inside_insecure(lines: list[str], fence: Fence) -> bool:
    """True when the fence sits in the body of an `!!! insecure` admonition."""
    for index in range(fence.line - 2, -1, -1):
        line = lines[index]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent < fence.indent:
            return bool(INSECURE_ADMONITION_RE.match(line))
    return False
