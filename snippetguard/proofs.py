"""Proof records: which procedures a test ran against real components, and on which snippet text.

A proof is a test that runs an example exactly as published (the snippet file,
with only declared substitutions) against real programs and asserts what the
page promises. When it passes, it leaves a `ProofRecord` in
`tests/proofs/results.json`: the sha256 of every snippet file it ran, the
component versions, a one-line summary and what it checked. The site shows a
"Proven" mark beside a snippet only while its record is current, i.e. while
every snippet file still has the text the proof ran. This module knows nothing
of pytest or MkDocs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from snippetguard.directives import metadata
from snippetguard.model import Finding
from snippetguard.sources import Unreadable, decode

Status = Literal["current", "stale", "missing"]
RECORDS_FILE = Path("tests") / "proofs" / "results.json"  # relative to the repository root
TESTING_PAGE = "reference/testing.md"  # where each proof is described; its anchor is proof-<name>


@dataclass(frozen=True)
class ProofRecord:
    name: str  # the NAME of `# snippetguard: proof[NAME]`
    test: str  # pytest node id of the test that proved it
    snippets: Mapping[str, str]  # docs/snippets-relative path -> sha256 of the file's text
    components: Mapping[str, str]  # component -> version it ran against
    summary: str  # one line, e.g. "PostgreSQL 15.18: old password refused, new one accepted"
    checks: tuple[str, ...] = field(default=())  # what the test asserted, one line each

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "test": self.test,
            "snippets": dict(sorted(self.snippets.items())),
            "components": dict(sorted(self.components.items())),
            "summary": self.summary,
            "checks": list(self.checks),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ProofRecord:
        snippets = data.get("snippets") or {}
        components = data.get("components") or {}
        checks = data.get("checks") or []
        if not isinstance(snippets, dict) or not isinstance(components, dict) or not isinstance(checks, list):
            raise ValueError(f"proof record {data.get('name')!r} is malformed")
        return cls(
            name=str(data["name"]),
            test=str(data.get("test", "")),
            snippets={str(k): str(v) for k, v in snippets.items()},
            components={str(k): str(v) for k, v in components.items()},
            summary=str(data.get("summary", "")),
            checks=tuple(str(c) for c in checks),
        )


def file_digest(path: Path) -> str:
    """sha256 of a snippet file's text (decoded as the site decodes it)."""
    return hashlib.sha256(decode(path.read_bytes()).encode("utf-8", "surrogatepass")).hexdigest()


def digests(snippets_dir: Path, rels: Iterable[str]) -> dict[str, str]:
    return {rel: file_digest(snippets_dir / rel) for rel in rels}


def load_records(path: Path) -> dict[str, ProofRecord]:
    """Every record in the file, by proof name; an absent file has none."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of proof records")
    return {name: ProofRecord.from_json({**entry, "name": name}) for name, entry in data.items()}


def dumps(records: Mapping[str, ProofRecord]) -> str:
    """Deterministic JSON: sorted keys, no timestamps, one trailing newline."""
    body = {name: {k: v for k, v in records[name].to_json().items() if k != "name"} for name in sorted(records)}
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save_record(path: Path, record: ProofRecord) -> bool:
    """Add or replace one record; the file is rewritten only when its text changes. True if it changed."""
    records = load_records(path)
    records[record.name] = record
    text = dumps(records)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return True


def status(record: ProofRecord | None, snippets_dir: Path) -> Status:
    """`current` while every snippet file the proof ran still has the same text; else `stale`."""
    if record is None:
        return "missing"
    if not record.snippets:
        return "stale"
    for rel, expected in record.snippets.items():
        try:
            if file_digest(snippets_dir / rel) != expected:
                return "stale"
        except (OSError, Unreadable):
            return "stale"
    return "current"


def proves(record: ProofRecord | None, rel: str, snippets_dir: Path) -> bool:
    """Whether `rel` may carry the Proven mark: the record is current and it ran this very file."""
    return record is not None and rel in record.snippets and status(record, snippets_dir) == "current"


def declared(snippets_dir: Path) -> dict[str, list[str]]:
    """Proof name -> snippet files (docs/snippets-relative) that declare `# snippetguard: proof[NAME]`."""
    out: dict[str, list[str]] = {}
    for path in sorted(p for p in snippets_dir.rglob("*") if p.is_file()):
        try:
            text = decode(path.read_bytes())
        except (OSError, Unreadable):
            continue  # SG008 reports it
        if "proof" not in text:
            continue
        rel = path.relative_to(snippets_dir).as_posix()
        for name in metadata(text).proofs:
            out.setdefault(name, []).append(rel)
    return out


@dataclass(frozen=True)
class Unproven:
    """A snippet that declares a proof without a current, passing record of it."""

    rel: str
    proof: str
    state: Status  # "stale" or "missing", or "current" when the record does not cover this file

    def message(self) -> str:
        if self.state == "missing":
            why = "no passing record exists"
        elif self.state == "stale":
            why = "its record is stale (a snippet it ran has changed since)"
        else:
            why = "its record does not cover this file"
        return f"declares proof[{self.proof}] but {why}; run the proof tests (make test) and commit {RECORDS_FILE.as_posix()}"


def unproven(snippets_dir: Path, records: Mapping[str, ProofRecord]) -> list[Unproven]:
    out = []
    for name, files in sorted(declared(snippets_dir).items()):
        record = records.get(name)
        state = status(record, snippets_dir)
        for rel in files:
            if state != "current":
                out.append(Unproven(rel, name, state))
            elif record is not None and rel not in record.snippets:
                out.append(Unproven(rel, name, "current"))
    return out


def anchor(name: str) -> str:
    return f"proof-{name}"


def directive_line(path: Path, name: str) -> int:
    """Line of `# snippetguard: proof[...]` naming `name` in a snippet file (1 if not found)."""
    from snippetguard.directives import parse_directives

    try:
        text = decode(path.read_bytes())
    except (OSError, Unreadable):
        return 1
    for d in parse_directives(text):
        if d.verb == "proof" and name in d.values:
            return d.line
    return 1


def gate(root: Path, snippets_dir: Path, display: Callable[[Path], str], *, ci: bool) -> tuple[list[Finding], list[str]]:
    """The build's verdict on proof claims: SG010 findings under CI, one warning line each otherwise."""
    from snippetguard.registry import RULES

    records = load_records(root / RECORDS_FILE)
    rule = RULES["SG010"]
    found: list[Finding] = []
    notes: list[str] = []
    for item in unproven(snippets_dir, records):
        path = snippets_dir / item.rel
        line = directive_line(path, item.proof)
        if ci:
            found.append(Finding(display(path), line, 1, rule.code, rule.severity, rule.title, item.message(),
                                 rule.why, rule.fix, rule.url))
        else:
            notes.append(f"not proven: {display(path)}:{line} {item.message()} (no Proven mark; CI fails on this)")
    return found, notes
