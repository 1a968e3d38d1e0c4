"""Command line: `python -m snippetguard check|rules|explain` (a stable contract).

Exit status: 0 no findings, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from snippetguard import __version__, reporters, validators, versions
from snippetguard.autofix import fix_snippet
from snippetguard.classify import kind_for_path, repository_kind
from snippetguard.engine import Result, check_snippet, meta
from snippetguard.model import Finding, Snippet
from snippetguard.registry import KINDS, RULES
from snippetguard.sitecontent import explain_text
from snippetguard.sources import Unreadable, read_snippet

FORMATS = ("text", "json", "sarif", "github")
SKIP_DIRS = {".git", ".venv", "node_modules", "site", "__pycache__", ".cache"}


def _files(paths: list[str]) -> tuple[list[tuple[Path, bool]], list[str]]:
    """(file, named explicitly) pairs; and paths that do not exist."""
    found: list[tuple[Path, bool]] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not SKIP_DIRS.intersection(child.relative_to(path).parts):
                    found.append((child, False))
        elif path.is_file():
            found.append((path, True))
        else:
            missing.append(raw)
    return found, missing


def _in_snippets_folder(path: Path) -> bool:
    return "snippets" in path.parts


def _head(path: Path) -> Callable[[], str]:
    def read() -> str:
        try:
            with path.open("rb") as handle:
                return handle.read(8192).decode("utf-8", errors="replace")
        except OSError:
            return ""

    return read


def _kind_of(path: Path, only_known: bool) -> str | None:
    """The kind to check a file as; None to skip it; "?" to let the file's name decide (SG002 when it cannot).

    Without --only-known every file named or found is a snippet candidate, as in a snippets folder.
    With it (a repository's files, as pre-commit passes them), a file outside a snippets folder is
    checked only when it is recognisably of a kind (`classify.repository_kind`).
    """
    if not only_known:
        return "?"
    if _in_snippets_folder(path):
        return "?" if kind_for_path(path, _head(path)()) else None
    return repository_kind(path, _head(path))


@dataclass(frozen=True)
class Target:
    path: Path
    kind: str | None  # None: decided from the file's name and text


def targets(paths: list[str], kind: str | None, only_known: bool = False) -> list[Target]:
    files, missing = _files(paths)
    if missing:
        raise FileNotFoundError(", ".join(missing))
    out: list[Target] = []
    for path, explicit in files:
        if kind is not None:
            out.append(Target(path, kind))
            continue
        decided = _kind_of(path, only_known)
        if decided is None or decided == "":
            continue  # not a snippet here, or declared plain text
        if decided == "?":
            guessed = kind_for_path(path)
            if guessed == "" or (guessed is None and not explicit and not _in_snippets_folder(path)):
                continue
            out.append(Target(path, None))
        else:
            out.append(Target(path, decided))
    return out


def collect(paths: list[str], kind: str | None, only_known: bool = False) -> tuple[list[Result], int]:
    results: list[Result] = []
    chosen = targets(paths, kind, only_known)
    for target in chosen:
        shown = str(target.path)
        try:
            snippet = read_snippet(target.path, shown, target.kind)
        except Unreadable as err:
            empty = Snippet("", "json", shown)
            # meta() clamps the line to the (empty) text: put back the line of the first bad byte.
            results.append(Result(empty, [replace(meta(empty, "SG008", 1, 1, str(err)), line=err.line)]))
            continue
        results.append(check_snippet(snippet))
    return results, len(chosen)


def fix(paths: list[str], kind: str | None, only_known: bool, *, write: bool) -> tuple[int, int, list[str]]:
    """Apply the safe fixes; returns (findings fixed, files changed, unified diffs)."""
    fixed = changed = 0
    diffs: list[str] = []
    for target in targets(paths, kind, only_known):
        try:
            raw = target.path.read_bytes()
            snippet = read_snippet(target.path, str(target.path), target.kind)
        except (OSError, Unreadable):
            continue  # reported by the check that follows
        outcome = fix_snippet(snippet)
        if outcome.note:
            print(f"snippetguard: {target.path}: {outcome.note}", file=sys.stderr)
        if outcome.text == snippet.text:
            continue
        fixed += outcome.fixed
        changed += 1
        diffs.append("".join(difflib.unified_diff(snippet.text.splitlines(keepends=True),
                                                  outcome.text.splitlines(keepends=True),
                                                  fromfile=f"a/{target.path}", tofile=f"b/{target.path}")))
        if write:
            text = outcome.text.replace("\n", "\r\n") if b"\r\n" in raw else outcome.text
            bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
            target.path.write_bytes((bom + text).encode("utf-8"))
    return fixed, changed, diffs


def run_programs(results: list[Result], floors: dict[str, tuple[int, ...]] | None = None) -> list[str]:
    """Second opinion from the real programs; returns notes for people (missing programs)."""
    return validators.validate(results, floors=floors).notes()


def cmd_check(args: argparse.Namespace) -> int:
    try:
        floors = versions.parse_floors(args.floor or [])
    except ValueError as err:
        print(f"snippetguard: {err}", file=sys.stderr)
        return 2
    if args.diff:
        fixed, changed, diffs = fix(args.paths, args.kind, args.only_known, write=False)
        for diff in diffs:
            sys.stdout.write(diff)
        print(f"snippetguard: would fix {fixed} finding(s) in {changed} file(s)", file=sys.stderr)
        return 1 if changed else 0
    if args.fix:
        fixed, changed, _ = fix(args.paths, args.kind, args.only_known, write=True)
        print(f"snippetguard: fixed {fixed} finding(s) in {changed} file(s)", file=sys.stderr)
    results, files = collect(args.paths, args.kind, args.only_known)
    versions.apply(results, floors)
    notes = [] if args.no_programs else run_programs(results, floors)
    findings: list[Finding] = sorted(
        {(f.path, f.line, f.column, f.rule, f.message): f for r in results for f in r.all_findings()}.values(),
        key=Finding.sort_key,
    )
    snippets = sum(r.count() for r in results)
    if args.format == "text":
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(reporters.text(findings, color=color))
        print(f"Checked {snippets} snippet{'s' if snippets != 1 else ''} in {files} file{'s' if files != 1 else ''}.")
    elif args.format == "json":
        print(reporters.json_report(findings, files, snippets))
    elif args.format == "sarif":
        print(reporters.sarif(findings))
    else:
        out = reporters.github(findings)
        if out:
            print(out)
    for note in notes:
        print(f"snippetguard: {note}", file=sys.stderr)
    return 1 if findings else 0


def cmd_rules(args: argparse.Namespace) -> int:
    rules = sorted(RULES.values(), key=lambda r: r.code)
    if args.format == "json":
        print(json.dumps([{"code": r.code, "title": r.title, "severity": r.severity.value, "kinds": list(r.kinds),
                           "fixable": r.fixable, "url": r.url} for r in rules], indent=2))
    else:
        for r in rules:
            fixable = "  (fixable)" if r.fixable else ""
            print(f"{r.code}  {r.severity.value:<7}  {r.title}  [{', '.join(r.kinds)}]{fixable}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    code = args.code.upper()
    if code not in RULES:
        print(f"snippetguard: no rule {args.code}; `python -m snippetguard rules` lists them", file=sys.stderr)
        return 2
    print(explain_text(RULES[code]))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="snippetguard", description="Lint documentation snippets for insecure patterns.")
    p.add_argument("--version", action="version", version=f"snippetguard {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check snippet files, folders and Markdown files")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--kind", choices=sorted(k for k in KINDS), help="force a kind for every file")
    check.add_argument("--no-programs", action="store_true", help="skip the real programs (nginx -t, caddy, ...)")
    check.add_argument("--only-known", action="store_true",
                       help="check only files recognisable as snippets (by name, folder or first lines) and skip "
                            "the rest silently, as pre-commit passes every file")
    check.add_argument("--fix", action="store_true",
                       help="rewrite the findings that have one safe fix, then report what is left")
    check.add_argument("--diff", action="store_true", help="show the fixes --fix would make, change nothing")
    check.add_argument("--floor", action="append", metavar="PROGRAM=VERSION",
                       help="the oldest version you support, e.g. --floor nginx=1.22.1 --floor caddy=2.6.2: newer "
                            "syntax must be declared (SG605), and the system's own build is asked too "
                            "(default: the current versions only)")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.set_defaults(func=cmd_check)
    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.set_defaults(func=cmd_rules)
    explain = sub.add_parser("explain", help="print a rule's page as text")
    explain.add_argument("code")
    explain.set_defaults(func=cmd_explain)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except FileNotFoundError as err:
        print(f"snippetguard: no such file or folder: {err}", file=sys.stderr)
        return 2
    except validators.ProgramMissing as err:
        print(f"snippetguard: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except Exception as exc:  # an internal error is exit 2, never mistaken for "findings"
        print(f"snippetguard: internal error: {exc!r} (please report it)", file=sys.stderr)
        return 2
