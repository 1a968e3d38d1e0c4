"""Proof records: saved deterministically, current only while the snippet text is unchanged, and
the site shows a Proven mark for current records only; CI refuses an unproven claim (SG010)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snippetguard import proofs
from snippetguard.embed import load
from snippetguard.sitecontent import ProofSite, embed_block, proof_report

from conftest import ROOT, build, copy_site


def _record(snippets: Path, name: str = "demo", rels: tuple[str, ...] = ("shell/a.sh",)) -> proofs.ProofRecord:
    return proofs.ProofRecord(name, "tests/x.py::test_demo", proofs.digests(snippets, rels),
                              {"PostgreSQL": "15.18"}, "PostgreSQL 15.18: demo works", ("it works",))


@pytest.fixture
def snippets(tmp_path: Path) -> Path:
    folder = tmp_path / "docs" / "snippets" / "shell"
    folder.mkdir(parents=True)
    (folder / "a.sh").write_text("# snippetguard: proof[demo]\necho a\n", encoding="utf-8")
    return folder.parent


def test_save_is_deterministic_and_only_rewrites_on_change(tmp_path: Path, snippets: Path) -> None:
    path = tmp_path / "results.json"
    record = _record(snippets)
    assert proofs.save_record(path, record) is True
    first = path.read_text(encoding="utf-8")
    assert proofs.save_record(path, record) is False  # same content: untouched
    assert path.read_text(encoding="utf-8") == first
    data = json.loads(first)
    assert list(data) == ["demo"] and "time" not in first.lower()
    assert proofs.load_records(path) == {"demo": record}
    other = proofs.ProofRecord("alpha", "t::x", {}, {}, "s", ("c",))
    proofs.save_record(path, other)
    assert list(json.loads(path.read_text(encoding="utf-8"))) == ["alpha", "demo"]  # sorted


def test_status_follows_the_snippet_text(snippets: Path) -> None:
    record = _record(snippets)
    assert proofs.status(None, snippets) == "missing"
    assert proofs.status(record, snippets) == "current"
    (snippets / "shell" / "a.sh").write_text("# snippetguard: proof[demo]\necho b\n", encoding="utf-8")
    assert proofs.status(record, snippets) == "stale"
    (snippets / "shell" / "a.sh").unlink()
    assert proofs.status(record, snippets) == "stale"


def test_unproven_claims_are_listed(snippets: Path) -> None:
    (snippets / "shell" / "b.sh").write_text("# snippetguard: proof[demo]\necho b\n", encoding="utf-8")
    record = _record(snippets)  # ran a.sh only
    found = {(u.rel, u.state) for u in proofs.unproven(snippets, {"demo": record})}
    assert found == {("shell/b.sh", "current")}  # a current record that does not cover b.sh proves nothing about it
    assert {(u.rel, u.state) for u in proofs.unproven(snippets, {})} == {("shell/a.sh", "missing"),
                                                                         ("shell/b.sh", "missing")}


def test_gate_fails_under_ci_and_warns_otherwise(tmp_path: Path, snippets: Path) -> None:
    root = tmp_path
    found, notes = proofs.gate(root, snippets, str, ci=True)
    assert [(f.rule, f.line) for f in found] == [("SG010", 1)] and not notes
    assert "no passing record" in found[0].message
    found, notes = proofs.gate(root, snippets, str, ci=False)
    assert not found and len(notes) == 1 and "not proven" in notes[0]
    proofs.save_record(root / proofs.RECORDS_FILE, _record(snippets))
    assert proofs.gate(root, snippets, str, ci=True) == ([], [])


def test_proven_mark_only_while_current(tmp_path: Path, snippets: Path) -> None:
    site = ProofSite(tmp_path, snippets)
    loaded = load(snippets, "shell/a.sh")
    assert "Proven" not in embed_block(loaded, "security/x.md", proof_site=site)  # no record
    proofs.save_record(tmp_path / proofs.RECORDS_FILE, _record(snippets))
    block = embed_block(loaded, "security/x.md", proof_site=site)
    assert "Proven: PostgreSQL 15.18: demo works" in block
    assert "(../reference/testing.md#proof-demo)" in block
    (snippets / "shell" / "a.sh").write_text("# snippetguard: proof[demo]\necho changed\n", encoding="utf-8")
    assert "Proven" not in embed_block(load(snippets, "shell/a.sh"), "security/x.md", proof_site=site)
    report = proof_report(site, "reference/testing.md")
    assert "{ #proof-demo }" in report and "stale" in report and "changed since the proof ran" in report


def test_committed_records_cover_every_declared_proof() -> None:
    """The repository's own records: every declared proof has one (the proof tests keep them current)."""
    records = proofs.load_records(ROOT / proofs.RECORDS_FILE)
    declared = proofs.declared(ROOT / "docs" / "snippets")
    assert set(declared) <= set(records), sorted(set(declared) - set(records))
    assert proofs.dumps(records) == (ROOT / proofs.RECORDS_FILE).read_text(encoding="utf-8")


@pytest.mark.slow
def test_site_marks_and_gates_proofs(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    records = proofs.load_records(site / proofs.RECORDS_FILE)
    name, record = next((n, r) for n, r in sorted(records.items()) if r.snippets)
    rel = sorted(record.snippets)[0]
    proc = build(site, env={"CI": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = "".join(p.read_text(encoding="utf-8") for p in (site / "site").rglob("*.html"))
    assert f"reference/testing/#{proofs.anchor(name)}" in html and "Proven:" in html
    # Change the snippet: the record turns stale, CI refuses the build, a local build warns and drops the mark.
    path = site / "docs" / "snippets" / rel
    path.write_text(path.read_text(encoding="utf-8") + "# edited after the proof ran\n", encoding="utf-8")
    proc = build(site, env={"CI": "true", "SNIPPETGUARD_PROGRAMS": "0"})  # the proof gate, not the programs
    assert proc.returncode != 0 and "SG010" in proc.stdout + proc.stderr, proc.stderr[-2000:]
    proc = build(site, env={"CI": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "not proven:" in proc.stderr
    testing = (site / "site" / "reference" / "testing" / "index.html").read_text(encoding="utf-8")
    assert "changed since the proof ran" in testing
