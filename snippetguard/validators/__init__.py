"""Validation by the real programs, after the pure-Python checks: one call for the hook and the CLI.

    from snippetguard import check_snippets
    from snippetguard.validators import validate

    results = check_snippets(snippets)
    report = validate(results)          # adds SG601-SG604 findings to the results
    for note in report.notes():         # missing programs (once each), unchecked snippets
        print(f"snippetguard: {note}")

Programs: `docker compose config` (SG601), `nginx -t` (SG602), `caddy adapt`
(SG603), `shellcheck` (SG604). Each runs only on snippets that parsed, batched
where the program allows it, and its verdicts are cached on disk (keyed by the
snippet, the kind, the validator and the program's version) so a rebuild does
not run a program for an unchanged snippet.

Environment:
  SNIPPETGUARD_PROGRAMS=0     run no program (benchmarks); `checks_for` then names none
  SNIPPETGUARD_CACHE_DIR=dir  where verdicts are cached (default: the user's cache folder, cachedir.py)
  CI=true                     a missing program raises `ProgramMissing` instead of being reported
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from snippetguard.engine import Result, make_finding, settle
from snippetguard.model import Finding, Snippet
from snippetguard.registry import RULES
from snippetguard.validators import rules as _rules  # noqa: F401  registers SG601-SG604
from snippetguard.validators.base import Cache, Counters, Job, Validator, Verdict, failure, truthy_env
from snippetguard.validators.caddy import CaddyAdapt
from snippetguard.validators.compose import ComposeConfig
from snippetguard.validators.nginx import NginxTest
from snippetguard.validators.shell import ShellCheck, console_commands, is_console

VALIDATOR_TYPES: tuple[type[Validator], ...] = (ComposeConfig, NginxTest, CaddyAdapt, ShellCheck)
PROGRAM_RULES = frozenset(cls.rule for cls in VALIDATOR_TYPES)
SCHEMA_RULES = frozenset({"SG001", "SG003"})  # already explain a line; Compose's own message would repeat them


class ProgramMissing(RuntimeError):
    """Under CI=true a program that must check snippets is not installed; the build must not pass unchecked."""

    def __init__(self, missing: list[MissingProgram]) -> None:
        self.missing = missing
        details = "; ".join(f"{m.program} for {m.validator} ({m.snippets} snippet(s); install: {m.hint})"
                            for m in missing)
        super().__init__(f"CI=true and programs that check snippets are missing: {details}")


@dataclass(frozen=True)
class MissingProgram:
    program: str
    validator: str
    snippets: int  # snippets left unchecked because of it
    hint: str


@dataclass
class ValidatorRun:
    validator: str  # e.g. "nginx -t"
    command: str  # the executable used
    version: str
    snippets: int  # snippets it judged (from the cache or a fresh run)
    cached: int  # of those, answered from the cache
    processes: int  # program runs (0 when everything came from the cache)
    seconds: float
    findings: int
    unchecked: dict[str, int] = field(default_factory=dict)  # reason -> snippets it could not judge
    failed: int = 0  # snippets where the program itself failed (timeout, crash): reported, not cached


@dataclass
class Report:
    runs: list[ValidatorRun] = field(default_factory=list)
    missing: list[MissingProgram] = field(default_factory=list)
    disabled: bool = False
    seconds: float = 0.0
    cache_dir: str = ""
    cache_write_failures: int = 0
    checked_by: dict[Snippet, list[str]] = field(default_factory=dict)  # the trust mark, per snippet

    def programs_for(self, snippet: Snippet) -> list[str]:
        """Programs that actually judged this snippet in this build (cache hits included)."""
        return list(self.checked_by.get(snippet, []))

    def notes(self) -> list[str]:
        """What a person must be told (the caller prints each, e.g. prefixed with `snippetguard: `).

        Each missing program once, snippets a program could not judge, programs that failed to run.
        """
        if self.disabled:
            return ["programs turned off (SNIPPETGUARD_PROGRAMS=0): no snippet was checked by docker compose, "
                    "nginx, caddy or shellcheck"]
        out = [f"{m.program} not found: {m.snippets} snippet(s) not checked by `{m.validator}` (install: {m.hint})"
               for m in self.missing]
        for run in self.runs:
            out.extend(f"{run.validator}: {count} snippet(s) not checked: {reason}"
                       for reason, count in run.unchecked.items())
            if run.failed:
                out.append(f"{run.validator}: failed to run on {run.failed} snippet(s) (see their findings)")
        if self.cache_write_failures:
            out.append(f"could not write {self.cache_write_failures} cache entries under {self.cache_dir}")
        return out

    def timings(self) -> list[str]:
        """One line per program that ran: snippets, cache hits, processes, seconds, findings."""
        return [f"{run.validator} ({run.version}): {run.snippets} snippet(s), {run.cached} from cache, "
                f"{run.processes} process(es), {run.seconds:.2f} s, {run.findings} finding(s)" for run in self.runs]


def programs_enabled() -> bool:
    return truthy_env("SNIPPETGUARD_PROGRAMS", True)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def checks_for(kind: str) -> list[str]:
    """The programs that check snippets of `kind`, for the trust mark (none when programs are turned off).

    `Report.programs_for(snippet)` says which of them actually judged a given snippet.
    """
    if not programs_enabled():
        return []
    return [cls.name for cls in VALIDATOR_TYPES if kind in cls.kinds]


MARK = "_snippetguard_programs"  # set on a Result once validated: the programs that judged it


def _parsed(results: Iterable[Result]) -> Iterator[Result]:
    for result in results:
        if result.parsed:
            yield result
        yield from _parsed(result.children)


def _validated(result: Result) -> list[str] | None:
    """The programs that judged `result` in an earlier call, or None if it has not been validated.

    Results are memoised across rebuilds (`mkdocs serve`); validating one twice
    would append its findings twice.
    """
    value = getattr(result, MARK, None)
    return list(value) if value is not None else None


def validate(
    results: list[Result],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    script_of: Callable[[Snippet], str | None] | None = None,
) -> Report:
    """Run the real programs over every parsed snippet (children included) and add their findings.

    `script_of` turns a shell snippet into the script shellcheck reads, keeping
    line numbers (None: skip it); by default console transcripts (`$ ` prompts)
    are reduced to their commands and other shell snippets are read as they are.
    Safe to call again with the same (memoised) results: a result every program
    has judged is not run again, and a program's findings replace its earlier ones.
    """
    started = perf_counter()
    report = Report()
    parsed: list[Result] = []
    for result in _parsed(results):
        done = _validated(result)
        if done is None:
            parsed.append(result)
        elif done:
            report.checked_by[result.snippet] = done
    if not programs_enabled():
        for result in parsed:
            setattr(result, MARK, ())  # the engine already settled it with the programs unjudged
        report.disabled, report.seconds = True, perf_counter() - started
        return report
    root = Path(cache_dir) if cache_dir is not None else Cache.default_root()
    cache = Cache(root if use_cache else None)
    validators: list[Validator] = [ComposeConfig(), NginxTest(), CaddyAdapt(), ShellCheck(script_of)]
    todo: dict[int, list[tuple[Result, Job]]] = {id(v): [] for v in validators}
    counter = 0
    for result in parsed:
        for validator in validators:
            if result.snippet.kind not in validator.kinds:
                continue
            text = validator.prepare(result.snippet)
            if text is None or not text.strip():
                continue  # nothing for the program to read (a transcript of output only)
            todo[id(validator)].append((result, Job(counter, result.snippet, text)))
            counter += 1
    active = [v for v in validators if todo[id(v)]]
    commands = {id(v): v.locate() for v in active}
    report.cache_dir = str(root) if use_cache else ""
    report.missing = [MissingProgram(v.program, v.name, len(todo[id(v)]), v.install_hint)
                      for v in active if commands[id(v)] is None]
    if report.missing and in_ci():
        raise ProgramMissing(report.missing)
    runnable = [v for v in active if commands[id(v)] is not None]
    jobs = max(1, workers or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, len(runnable))) as pool:
        futures = {id(v): pool.submit(_run_validator, v, commands[id(v)] or [], todo[id(v)], cache, jobs)
                   for v in runnable}
        outcomes = {key: future.result() for key, future in futures.items()}
    judged: dict[int, set[str]] = {}  # id(result) -> program rules that judged it
    for validator in runnable:
        run, verdicts = outcomes[id(validator)]
        report.runs.append(run)
        rule = RULES[validator.rule]
        for result, job in todo[id(validator)]:
            verdict = verdicts[job.index]
            if not verdict.checked:
                continue
            if verdict.definitive:
                report.checked_by.setdefault(result.snippet, []).append(validator.name)
                judged.setdefault(id(result), set()).add(validator.rule)
            findings = [make_finding(result.snippet, rule, p.line, p.column, p.message) for p in verdict.problems]
            _add_findings(result, rule.code, findings)
    for result in parsed:
        unjudged = {cls.rule for cls in VALIDATOR_TYPES if result.snippet.kind in cls.kinds} - judged.get(id(result), set())
        settle(result, unjudged)
        # Only a definitive answer is final: a snippet left unchecked (program missing, failed) is tried again.
        if not unjudged:
            setattr(result, MARK, tuple(report.checked_by.get(result.snippet, ())))
    report.cache_write_failures = cache.writes_failed
    report.seconds = perf_counter() - started
    return report


def _run_validator(validator: Validator, command: list[str], items: list[tuple[Result, Job]], cache: Cache,
                   workers: int) -> tuple[ValidatorRun, dict[int, Verdict]]:
    started = perf_counter()
    counters = Counters()
    verdicts: dict[int, Verdict] = {}
    try:
        version = validator.version(command)
    except Exception as exc:  # a program that cannot even say its version fails every snippet, by name
        verdicts = {job.index: failure(validator.name, exc) for _, job in items}
        run = ValidatorRun(validator.name, command[0], "?", len(items), 0, counters.processes,
                           perf_counter() - started, len(items), failed=len(items))
        return run, verdicts
    keys: dict[int, str] = {}
    misses: list[Job] = []
    for _, job in items:
        keys[job.index] = Cache.key(validator, version, job)
        cached = cache.get(validator, keys[job.index])
        if cached is None:
            misses.append(job)
        else:
            verdicts[job.index] = Verdict(cached)
    cached_count = len(items) - len(misses)
    if misses:
        try:
            fresh = validator.check(command, misses, workers, counters)
        except Exception as exc:  # fail closed: an unexpected error fails the snippets, it never passes them
            fresh = {job.index: failure(validator.name, exc) for job in misses}
        for job in misses:
            verdict = fresh.get(job.index) or failure(validator.name, "no verdict")
            if verdict.checked and verdict.definitive:
                cache.put(validator, keys[job.index], verdict.problems)
            verdicts[job.index] = verdict
    unchecked: dict[str, int] = {}
    for verdict in verdicts.values():
        if not verdict.checked:
            unchecked[verdict.note or "unsupported"] = unchecked.get(verdict.note or "unsupported", 0) + 1
    run = ValidatorRun(
        validator=validator.name,
        command=command[0],
        version=version.strip().splitlines()[0] if version.strip() else "?",
        snippets=sum(1 for v in verdicts.values() if v.checked),
        cached=cached_count,
        processes=counters.processes,
        seconds=perf_counter() - started,
        findings=sum(len(v.problems) for v in verdicts.values() if v.checked),
        unchecked=unchecked,
        failed=sum(1 for v in verdicts.values() if not v.definitive),
    )
    return run, verdicts


def _add_findings(result: Result, code: str, findings: list[Finding]) -> None:
    """Put a program's findings among the result's raw findings (replacing an earlier attempt's)."""
    lines = {f.line for f in result.raw if f.rule in SCHEMA_RULES}
    findings = [f for f in findings if not (f.rule == "SG601" and f.line in lines)]
    result.raw = [f for f in result.raw if f.rule != code] + findings


__all__ = [
    "MissingProgram",
    "ProgramMissing",
    "Report",
    "ValidatorRun",
    "checks_for",
    "console_commands",
    "in_ci",
    "is_console",
    "programs_enabled",
    "validate",
]
