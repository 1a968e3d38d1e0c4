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

Versions: the pinned build of each program (from its PyPI package) is asked first.
For nginx and Caddy a site may name the oldest versions it supports (`floors`,
e.g. Debian 12's nginx 1.22.1): the system's own build is then asked too,
except for snippets that declare they need more (`requires[nginx>=1.25.1]`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from snippetguard.directives import metadata
from snippetguard.engine import Result, make_finding, settle
from snippetguard.model import Finding, Snippet
from snippetguard.registry import RULES
from snippetguard.validators import rules as _rules  # noqa: F401  registers SG601-SG604
from snippetguard.validators.base import (
    Cache,
    Counters,
    Edition,
    Job,
    Problem,
    Validator,
    Verdict,
    failure,
    truthy_env,
    version_number,
)
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
        details = "; ".join(m.describe() for m in missing)
        super().__init__(f"CI=true, so every program that checks snippets must be installed: {details}")


@dataclass(frozen=True)
class MissingProgram:
    program: str
    validator: str
    snippets: int  # snippets left unchecked because of it
    hint: str
    floor: str = ""  # set when it is the oldest-supported build that is missing, e.g. "1.22.1"

    def describe(self) -> str:
        """One sentence: the program, what it would have checked, and how to get it."""
        if self.floor:
            return (f"{self.program} {self.floor} (the oldest supported version) not found: {self.snippets} "
                    f"snippet(s) not checked by `{self.validator}` against it (install: {self.hint})")
        return (f"{self.program} not found: {self.snippets} snippet(s) not checked by `{self.validator}` "
                f"(install: {self.hint})")


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
    partly: dict[str, int] = field(default_factory=dict)  # reason -> snippets judged except some lines
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
    versions_by: dict[Snippet, dict[str, list[str]]] = field(default_factory=dict)  # validator -> versions
    skipped: list[str] = field(default_factory=list)  # a program that could not be used, once per reason
    declared: list[str] = field(default_factory=list)  # snippets not asked of an old build, as they declare

    def merged(self, later: Report) -> Report:
        """This report (an earlier batch, e.g. run in a worker) and a later one, as one."""
        missing: dict[tuple[str, str, str], MissingProgram] = {}
        for m in [*self.missing, *later.missing]:  # a file left unjudged earlier is retried later: count it once
            key = (m.program, m.validator, m.floor)
            if key not in missing or missing[key].snippets < m.snippets:
                missing[key] = m
        out = Report(runs=[*self.runs, *later.runs], missing=list(missing.values()),
                     disabled=self.disabled and later.disabled, seconds=self.seconds + later.seconds,
                     cache_dir=later.cache_dir or self.cache_dir,
                     cache_write_failures=self.cache_write_failures + later.cache_write_failures,
                     skipped=list(dict.fromkeys([*self.skipped, *later.skipped])),
                     declared=[*self.declared, *later.declared])
        for report in (self, later):
            for snippet, judged in report.versions_by.items():
                _remember(out, snippet, judged.items())
        return out

    def programs_for(self, snippet: Snippet) -> list[str]:
        """Programs that actually judged this snippet in this build (cache hits included)."""
        return list(self.checked_by.get(snippet, []))

    def versions_for(self, snippet: Snippet) -> dict[str, list[str]]:
        """For each program that judged this snippet, the versions that did (current first)."""
        return {name: list(found) for name, found in self.versions_by.get(snippet, {}).items()}

    def notes(self) -> list[str]:
        """What a person must be told (the caller prints each, e.g. prefixed with `snippetguard: `).

        Each missing program once, snippets a program could not judge, programs that failed to run.
        """
        if self.disabled:
            return ["programs turned off (SNIPPETGUARD_PROGRAMS=0): no snippet was checked by docker compose, "
                    "nginx, caddy or shellcheck"]
        out = [m.describe() for m in self.missing]
        out.extend(self.skipped)
        for run in self.runs:
            out.extend(f"{run.validator}: {count} snippet(s) not checked: {reason}"
                       for reason, count in run.unchecked.items())
            out.extend(f"{run.validator}: {count} snippet(s) checked except {reason}"
                       for reason, count in run.partly.items())
            if run.failed:
                out.append(f"{run.validator}: failed to run on {run.failed} snippet(s) (see their findings)")
        if self.cache_write_failures:
            out.append(f"could not write {self.cache_write_failures} cache entries under {self.cache_dir}")
        return out

    def timings(self) -> list[str]:
        """One line per program that ran (snippets, cache hits, processes, seconds, findings), and what an old
        build was not asked because snippets declare they need more."""
        runs = [f"{run.validator} ({run.version}): {run.snippets} snippet(s), {run.cached} from cache, "
                f"{run.processes} process(es), {run.seconds:.2f} s, {run.findings} finding(s)" for run in self.runs]
        return runs + self.declared


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


def _validated(result: Result) -> list[tuple[str, tuple[str, ...]]] | None:
    """The programs (and versions) that judged `result` in an earlier call, or None if it has not been validated.

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
    floors: Mapping[str, tuple[int, ...]] | None = None,
) -> Report:
    """Run the real programs over every parsed snippet (children included) and add their findings.

    `script_of` turns a shell snippet into the script shellcheck reads, keeping
    line numbers (None: skip it); by default console transcripts (`$ ` prompts)
    are reduced to their commands and other shell snippets are read as they are.
    `floors` names the oldest version of a program the caller supports (e.g.
    `{"nginx": (1, 22, 1)}`): the system's build of it is asked as well.
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
            _remember(report, result.snippet, done)
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
    report.cache_dir = str(root) if use_cache else ""
    plans: list[tuple[Validator, Edition, list[tuple[Result, Job]]]] = []
    for validator in active:
        plans.extend(_editions(validator, todo[id(validator)], dict(floors or {}), report))
    if report.missing and in_ci():
        raise ProgramMissing(report.missing)
    jobs = max(1, workers or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, len(plans))) as pool:
        futures = [pool.submit(_run_validator, v, edition, items, cache, jobs) for v, edition, items in plans]
        outcomes = [future.result() for future in futures]
    judged: dict[int, set[str]] = {}  # id(result) -> program rules that judged it
    problems: dict[tuple[int, str], list[Problem]] = {}
    for (validator, edition, items), (run, verdicts) in zip(plans, outcomes, strict=True):
        report.runs.append(run)
        for result, job in items:
            verdict = verdicts[job.index]
            if not verdict.checked:
                continue
            if verdict.definitive:
                _remember(report, result.snippet, ((validator.name, edition.shown),))
                if not edition.floor:
                    judged.setdefault(id(result), set()).add(validator.rule)
            found = [_from_edition(p, validator, edition) for p in verdict.problems]
            if edition.floor:  # a line SG605 already explains (newer syntax, undeclared) needs no second finding
                dated = {f.line - result.snippet.line_offset for f in result.raw if f.rule == "SG605"}
                found = [p for p in found if p.line not in dated]
            problems.setdefault((id(result), validator.rule), []).extend(found)
    by_id = {id(result): result for result in parsed}
    for (key, code), found in problems.items():
        rule = RULES[code]
        result = by_id[key]
        _add_findings(result, code, [make_finding(result.snippet, rule, p.line, p.column, p.message) for p in found])
    for result in parsed:
        unjudged = {cls.rule for cls in VALIDATOR_TYPES if result.snippet.kind in cls.kinds} - judged.get(id(result), set())
        settle(result, unjudged)
        # Only a definitive answer is final: a snippet left unchecked (program missing, failed) is tried again.
        if not unjudged:
            seen = report.versions_by.get(result.snippet, {})
            setattr(result, MARK, tuple((name, tuple(found)) for name, found in seen.items()))
    report.cache_write_failures = cache.writes_failed
    report.seconds = perf_counter() - started
    return report


def _remember(report: Report, snippet: Snippet, judged: Iterable[tuple[str, str | Iterable[str]]]) -> None:
    """Note which program (and which of its versions) judged a snippet, for the trust mark."""
    names = report.checked_by.setdefault(snippet, [])
    versions = report.versions_by.setdefault(snippet, {})
    for name, found in judged:
        if name not in names:
            names.append(name)
        for version in [found] if isinstance(found, str) else found:
            if version not in versions.setdefault(name, []):
                versions[name].append(version)


def _edition(validator: Validator, command: list[str], *, floor: bool) -> Edition:
    try:
        version = validator.version(command)
    except Exception as exc:  # reported by _run_validator, which fails every snippet by name
        return Edition(tuple(command), f"?{exc!r}", (), floor)
    return Edition(tuple(command), version, version_number(version), floor)


def _editions(validator: Validator, items: list[tuple[Result, Job]], floors: dict[str, tuple[int, ...]],
              report: Report) -> list[tuple[Validator, Edition, list[tuple[Result, Job]]]]:
    """The runs a validator makes: its current build on every snippet, and the oldest supported build
    (when the caller names a floor) on the snippets that do not declare they need more."""
    command = validator.locate()
    if command is None:
        report.missing.append(MissingProgram(validator.program, validator.name, len(items), validator.install_hint))
        return []
    current = _edition(validator, command, floor=False)
    plans = [(validator, current, items)]
    floor = floors.get(validator.program)
    if not validator.has_floor or floor is None:
        return plans
    wanted = ".".join(map(str, floor))
    system = validator.floor_command()
    if system is None:
        report.missing.append(MissingProgram(validator.program, validator.name, len(items),
                                             validator.floor_hint, floor=wanted))
        return plans
    if os.path.realpath(system[0]) == os.path.realpath(command[0]):
        return plans  # no pinned build: the system's is the only one, and already asked
    old = _edition(validator, system, floor=True)
    if old.number and old.number < floor:
        report.skipped.append(f"{validator.program} {old.shown} at {system[0]} is older than the oldest supported "
                              f"version ({wanted}): not used")
        return plans
    if old.number and old.number >= current.number:
        return plans  # not older than the pinned build: it would only repeat its verdicts
    asked: list[tuple[Result, Job]] = []
    newer = 0
    for result, job in items:
        needs = metadata(job.snippet.text).minimum(validator.program) if "snippetguard" in job.snippet.text else None
        if needs is not None and old.number and old.number < needs:
            newer += 1  # declared: readers see "needs nginx ≥ …", and the old program is not asked
        else:
            asked.append((result, job))
    if newer:
        report.declared.append(f"{validator.program} {old.shown}: {newer} snippet(s) not asked, as they declare "
                               f"they need a newer {validator.program}")
    if asked:
        plans.append((validator, old, asked))
    return plans


def _from_edition(problem: Problem, validator: Validator, edition: Edition) -> Problem:
    """Say which build complained when it is the oldest-supported one."""
    if not edition.floor:
        return problem
    label = f"{validator.name} ({validator.program} {edition.shown}, the oldest supported version)"
    message = problem.message
    head = f"{validator.name}:"
    message = f"{label}:{message[len(head):]}" if message.startswith(head) else f"{label}: {message}"
    return Problem(problem.line, problem.column, message)


def _run_validator(validator: Validator, edition: Edition, items: list[tuple[Result, Job]], cache: Cache,
                   workers: int) -> tuple[ValidatorRun, dict[int, Verdict]]:
    started = perf_counter()
    counters = Counters()
    verdicts: dict[int, Verdict] = {}
    command = list(edition.command)
    version = edition.version
    if version.startswith("?"):  # a program that cannot even say its version fails every snippet, by name
        verdicts = {job.index: failure(validator.name, version[1:]) for _, job in items}
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
            verdicts[job.index] = cached
    cached_count = len(items) - len(misses)
    if misses:
        try:
            fresh = validator.check(command, misses, workers, counters)
        except Exception as exc:  # fail closed: an unexpected error fails the snippets, it never passes them
            fresh = {job.index: failure(validator.name, exc) for job in misses}
        for job in misses:
            verdict = fresh.get(job.index) or failure(validator.name, "no verdict")
            if verdict.checked and verdict.definitive:
                cache.put(validator, keys[job.index], verdict)
            verdicts[job.index] = verdict
    unchecked: dict[str, int] = {}
    partly: dict[str, int] = {}
    for verdict in verdicts.values():
        if not verdict.checked:
            unchecked[verdict.note or "unsupported"] = unchecked.get(verdict.note or "unsupported", 0) + 1
        elif verdict.note:  # judged, but some lines could not be (e.g. a module this build lacks)
            partly[verdict.note] = partly.get(verdict.note, 0) + 1
    run = ValidatorRun(
        validator=validator.name,
        command=command[0],
        version=(f"{validator.program} {edition.shown}" + (", oldest supported" if edition.floor else "")),
        snippets=sum(1 for v in verdicts.values() if v.checked),
        cached=cached_count,
        processes=counters.processes,
        seconds=perf_counter() - started,
        findings=sum(len(v.problems) for v in verdicts.values() if v.checked),
        unchecked=unchecked,
        partly=partly,
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
