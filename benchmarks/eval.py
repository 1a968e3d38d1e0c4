"""`make eval`: how snippetguard does on realistic configurations it was not written against.

The corpus is `tests/corpus/<kind>/<name>`: excerpts of public projects' docs and files (origins in
`tests/corpus/SOURCES.md`). Each problem a careful reviewer would flag is written as `# <- SGnnn` at
the end of its line; JSON, which has no comments, keeps them in a sidecar `<name>.expect` (one
`LINE SGnnn` a line). A file without expectations is a sane configuration: any finding on it is a
false alarm.

Printed per kind:
  recall at the line   expected (rule, line) pairs found / expected pairs
  extra findings       findings on insecure files that no marker expects
  false alarms         sane files with at least one finding (and how many findings)
then every miss and every false alarm.

    python benchmarks/eval.py [--programs] [--json] [CORPUS]

`--programs` also runs the real programs (docker compose config, nginx -t, caddy adapt, shellcheck).
Exit status 0; `--check` exits 1 when a kind's recall is below 95 % or a sane file has a finding.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
RECALL_FLOOR = 0.95
MARK_RE = re.compile(r"#\s*<-\s*(.*)$")
CODE_RE = re.compile(r"SG\d{3}")
SKIP_SUFFIXES = (".expect", ".md")


@dataclass
class FileResult:
    path: str
    kind: str
    expected: list[tuple[str, int]]
    found: list[tuple[str, int]]
    messages: dict[str, str] = field(default_factory=dict)  # "SGnnn:line" -> message
    supported: bool = True

    @property
    def sane(self) -> bool:
        return not self.expected

    @property
    def hits(self) -> list[tuple[str, int]]:
        return [e for e in self.expected if e in self.found]

    @property
    def misses(self) -> list[tuple[str, int]]:
        return [e for e in self.expected if e not in self.found]

    @property
    def extras(self) -> list[tuple[str, int]]:
        return [f for f in self.found if f not in self.expected]


@dataclass
class KindScore:
    kind: str
    files: int = 0
    sane: int = 0
    insecure: int = 0
    expected: int = 0
    hits: int = 0
    extras: int = 0  # unexpected findings on insecure files
    false_alarm_files: int = 0  # sane files with a finding
    false_alarm_findings: int = 0
    supported: bool = True

    @property
    def recall(self) -> float:
        return self.hits / self.expected if self.expected else 1.0


def expectations(path: Path, text: str) -> list[tuple[str, int]]:
    """(rule, line) pairs a corpus file expects, from `# <- SGnnn` markers or a `.expect` sidecar."""
    sidecar = path.with_name(path.name + ".expect")
    if not sidecar.exists():
        sidecar = path.with_suffix(".expect")
    out: list[tuple[str, int]] = []
    if sidecar.exists() and sidecar != path:
        for raw in sidecar.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            number, *codes = line.split()
            out.extend((code, int(number)) for code in codes if CODE_RE.fullmatch(code))
        return sorted(out)
    for number, line in enumerate(text.split("\n"), 1):
        match = MARK_RE.search(line)
        if match:
            out.extend((code, number) for code in CODE_RE.findall(match.group(1)))
    return sorted(out)


def corpus_files(corpus: Path) -> Iterable[tuple[str, Path]]:
    for kind_dir in sorted(p for p in corpus.iterdir() if p.is_dir()):
        for path in sorted(kind_dir.rglob("*")):
            if path.is_file() and not path.name.endswith(SKIP_SUFFIXES):
                yield kind_dir.name, path


def evaluate(corpus: Path = CORPUS, *, programs: bool = False) -> list[FileResult]:
    """Check every corpus file as its directory's kind; the real programs only when asked."""
    import snippetguard
    from snippetguard import KINDS, Snippet
    from snippetguard.sources import decode

    results: list[FileResult] = []
    snippets = []
    for kind, path in corpus_files(corpus):
        text = decode(path.read_bytes())
        rel = path.relative_to(corpus).as_posix()
        snippets.append((kind, path, rel, text))
    checked = [snippetguard.check_snippet(Snippet(text, kind, rel)) if kind in KINDS else None
               for kind, _, rel, text in snippets]
    if programs:
        from snippetguard.validators import validate

        validate([c for c in checked if c is not None], use_cache=True)
    for (kind, path, rel, text), result in zip(snippets, checked, strict=True):
        expected = expectations(path, text)
        if result is None:  # no such kind (yet): nothing is checked, nothing is found
            results.append(FileResult(rel, kind, expected, [], supported=False))
            continue
        found = sorted({(f.rule, f.line) for f in result.all_findings()})
        messages = {f"{f.rule}:{f.line}": f.message for f in result.all_findings()}
        results.append(FileResult(rel, kind, expected, found, messages))
    return results


def scores(results: list[FileResult]) -> dict[str, KindScore]:
    out: dict[str, KindScore] = {}
    for r in results:
        s = out.setdefault(r.kind, KindScore(r.kind))
        s.files += 1
        s.supported = s.supported and r.supported
        if r.sane:
            s.sane += 1
            if r.found:
                s.false_alarm_files += 1
                s.false_alarm_findings += len(r.found)
        else:
            s.insecure += 1
            s.expected += len(r.expected)
            s.hits += len(r.hits)
            s.extras += len(r.extras)
    return out


def failures(results: list[FileResult]) -> list[str]:
    """Why the corpus fails the thresholds (empty: it passes)."""
    problems = []
    for kind, s in sorted(scores(results).items()):
        if s.recall < RECALL_FLOOR:
            problems.append(f"{kind}: recall at the line {s.recall:.1%} < {RECALL_FLOOR:.0%}")
        if s.false_alarm_files:
            problems.append(f"{kind}: findings on {s.false_alarm_files} sane file(s)")
    return problems


def report(results: list[FileResult]) -> str:
    lines = [f"{'kind':<11}{'files':>6}{'sane':>6}{'insec':>6}{'expected':>9}{'found':>7}{'recall':>8}"
             f"{'extra':>7}{'FP files':>10}{'FP finds':>10}"]
    total = KindScore("total")
    for kind, s in sorted(scores(results).items()):
        note = "" if s.supported else "  (kind not supported)"
        lines.append(f"{kind:<11}{s.files:>6}{s.sane:>6}{s.insecure:>6}{s.expected:>9}{s.hits:>7}"
                     f"{s.recall:>8.1%}{s.extras:>7}{s.false_alarm_files:>10}{s.false_alarm_findings:>10}{note}")
        for name in ("files", "sane", "insecure", "expected", "hits", "extras", "false_alarm_files",
                     "false_alarm_findings"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    lines.append(f"{'total':<11}{total.files:>6}{total.sane:>6}{total.insecure:>6}{total.expected:>9}"
                 f"{total.hits:>7}{total.recall:>8.1%}{total.extras:>7}{total.false_alarm_files:>10}"
                 f"{total.false_alarm_findings:>10}")
    misses = [(r.path, m) for r in results for m in r.misses]
    if misses:
        lines += ["", f"Misses ({len(misses)}): expected but not found at that line"]
        lines += [f"  {path}:{line}  {code}" for path, (code, line) in misses]
    alarms = [(r, f) for r in results for f in (r.found if r.sane else r.extras)]
    if alarms:
        lines += ["", f"Findings no marker expects ({len(alarms)}; on sane files they are false alarms)"]
        for r, (code, line) in alarms:
            where = "sane" if r.sane else "insecure"
            lines.append(f"  {r.path}:{line}  {code}  [{where}]  {r.messages.get(f'{code}:{line}', '')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(CORPUS))
    parser.add_argument("--programs", action="store_true", help="also run the real programs")
    parser.add_argument("--json", action="store_true", help="print the per-file results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a threshold is not met")
    args = parser.parse_args(argv)
    results = evaluate(Path(args.corpus), programs=args.programs)
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=1))
    else:
        print(report(results))
    problems = failures(results)
    if problems:
        print("\nBelow the thresholds:\n  " + "\n  ".join(problems), file=sys.stderr)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
