"""Command line: `python -m snippetguard check|rules|explain` (a stable contract).

Exit status: 0 no findings, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from snippetguard import reporters, validators, versions
from snippetguard.classify import kind_for_path
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


def collect(paths: list[str], kind: str | None) -> tuple[list[Result], int]:
    files, missing = _files(paths)
    if missing:
        raise FileNotFoundError(", ".join(missing))
    results: list[Result] = []
    checked_files = 0
    for path, explicit in files:
        shown = str(path)
        guessed = kind if kind is not None else kind_for_path(path)
        if guessed is None and not explicit and not _in_snippets_folder(path):
            continue  # a folder walk skips files that are not snippets (images, CSS, ...)
        if guessed == "" and kind is None:
            continue  # declared plain text
        checked_files += 1
        try:
            snippet = read_snippet(path, shown, kind)
        except Unreadable as err:
            empty = Snippet("", "json", shown)
            # meta() clamps the line to the (empty) text: put back the line of the first bad byte.
            results.append(Result(empty, [replace(meta(empty, "SG008", 1, 1, str(err)), line=err.line)]))
            continue
        results.append(check_snippet(snippet))
    return results, checked_files


def run_programs(results: list[Result], floors: dict[str, tuple[int, ...]] | None = None) -> list[str]:
    """Second opinion from the real programs; returns notes for people (missing programs)."""
    return validators.validate(results, floors=floors).notes()


def cmd_check(args: argparse.Namespace) -> int:
    try:
        floors = versions.parse_floors(args.floor or [])
    except ValueError as err:
        print(f"snippetguard: {err}", file=sys.stderr)
        return 2
    results, files = collect(args.paths, args.kind)
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
                           "url": r.url} for r in rules], indent=2))
    else:
        for r in rules:
            print(f"{r.code}  {r.severity.value:<7}  {r.title}  [{', '.join(r.kinds)}]")
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
    sub = p.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check snippet files, folders and Markdown files")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--kind", choices=sorted(k for k in KINDS), help="force a kind for every file")
    check.add_argument("--no-programs", action="store_true", help="skip the real programs (nginx -t, caddy, ...)")
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
