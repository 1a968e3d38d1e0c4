"""Markdown the site generates from snippetguard's own data: embedded snippets with
their trust mark, counter-examples, the rules reference and the security checklist.

Links are written relative to the page's source file, so MkDocs validates them
(a missing guide anchor or snippet file fails the strict build).
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from snippetguard import programs, proofs
from snippetguard.embed import FENCE_LANG, Loaded, fence
from snippetguard.registry import FIXERS, KINDS, RULES, RULES_PAGE, SITE_URL, Rule, rules_for
from snippetguard.validators import checks_for

FAMILIES = {
    "0": ("Snippets, pages and directives", "meta"),
    "1": ("Containers: Compose files and docker run", "containers"),
    "2": (".env files and secrets", "env"),
    "3": ("Shell and PowerShell commands", "shell"),
    "4": ("nginx", "nginx"),
    "5": ("Caddy", "caddy"),
    "6": ("Checked by the real programs", "programs"),
    "7": ("Docker daemon: daemon.json, systemd units and dockerd", "daemon"),
}
CHECKLIST_FAMILIES = "123457"  # security rules: each must be named by a checklist item
PAGE_KIND = "page"  # examples that are macro calls, shown as Markdown


def digest(text: str) -> str:
    """The key a shown text is known by (the same as the site checker's)."""
    return hashlib.sha256(text.rstrip("\n").encode("utf-8", "surrogatepass")).hexdigest()


SUPPORTED_TITLES = {"nginx": "nginx", "caddy": "Caddy", "docker": "Docker Engine", "compose": "Docker Compose",
                    "postgresql": "PostgreSQL"}


def supported_versions(supported: Mapping[str, Any], note: str = "") -> str:
    """The oldest versions the guide supports (from the site's configuration), as a table, with the
    current release each example is also checked with where the build pins one."""
    rows = ["| Program | Oldest version this guide supports | Examples also checked with |", "| --- | --- | --- |"]
    for name, value in supported.items():
        current = programs.pinned_version(name)
        rows.append(f"| {SUPPORTED_TITLES.get(name, name)} | {value} | {current or '—'} |")
    return "\n".join(rows) + ("\n\n" + note if note else "") + "\n"


def link(from_src: str, target: str) -> str:
    """A Markdown link target to docs-relative `target` from the page at `from_src`."""
    path, _, anchor = target.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(from_src) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def to(page_src: str, target: str, docs_dir: Path | None = None) -> str:
    """A link to docs-relative `target`: relative when the site has that page (MkDocs then checks it), else
    to the page on snippetguard's published site (another site has no DesterLib guide or rules page)."""
    path, _, anchor = target.partition("#")
    if docs_dir is None or (docs_dir / path).is_file():
        return link(page_src, target)
    return f"{SITE_URL}{path.removesuffix('.md')}/" + (f"#{anchor}" if anchor else "")


PROGRAMS_MARK_RE = re.compile(r'<span class="sg-programs" data-sg="([0-9a-f]{64})">.*?</span>', re.DOTALL)


def trust_mark(kind: str, key: str = "") -> str:
    """What checked a snippet of `kind`. With `key` (the shown text's digest) the programs part is a
    placeholder that `finish_trust_marks` fills in once the programs have run: which versions judged it."""
    info = KINDS[kind]
    count = len(rules_for(kind))
    parts = [f"parsed as {info.title}", *info.checks, f"{count} security rule{'s' if count != 1 else ''}"]
    programs = checks_for(kind)
    if key and programs:
        parts.append(f'<span class="sg-programs" data-sg="{key}">{html.escape(", ".join(programs))}</span>')
    else:
        parts.extend(f"`{program}`" for program in programs)
    return " · ".join(parts)


def _records(root: Path) -> dict[str, proofs.ProofRecord]:
    """The proof records of the site at `root`, read once per change of the file."""
    path = root / proofs.RECORDS_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    cached = _RECORDS_CACHE.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, proofs.load_records(path))
        _RECORDS_CACHE[path] = cached
    return cached[1]


_RECORDS_CACHE: dict[Path, tuple[int, dict[str, proofs.ProofRecord]]] = {}


@dataclass(frozen=True)
class ProofSite:
    """Where a site keeps its proof records (`root`/tests/proofs/results.json) and its snippets."""

    root: Path
    snippets_dir: Path


def proven_marks(loaded: Loaded, page_src: str, site: ProofSite | None) -> list[str]:
    """A Proven mark for each proof the snippet declares whose record is current and ran this file."""
    if site is None or not loaded.meta.proofs:
        return []
    records = _records(site.root)
    snippets_dir = site.snippets_dir
    marks = []
    for name in loaded.meta.proofs:
        record = records.get(name)
        if record is not None and proofs.proves(record, loaded.rel, snippets_dir):
            target = link(page_src, f"{proofs.TESTING_PAGE}#{proofs.anchor(name)}")
            summary = record.summary.replace("<", "&lt;").replace("[", "&#91;").replace("]", "&#93;")
            marks.append(f'[:material-check-decagram: Proven: {summary}]({target}){{ .sg-proven '
                         f'title="A test ran this procedure against real programs; see how it is tested" }}')
    return marks


def finish_trust_marks(page_html: str, describe: Callable[[str], str | None]) -> str:
    """Replace each programs placeholder with `describe(key)` (e.g. "nginx -t: nginx 1.31.3 and 1.22.1")."""
    def fill(match: re.Match[str]) -> str:
        text = describe(match.group(1))
        return match.group(0) if text is None else f'<span class="sg-programs">{html.escape(text)}</span>'

    return PROGRAMS_MARK_RE.sub(fill, page_html) if 'class="sg-programs"' in page_html else page_html


def needs_badge(loaded: Loaded) -> str:
    """"needs nginx ≥ 1.25.1" for a snippet that declares a newer program than the site supports."""
    if not loaded.meta.requires:
        return ""
    needs = " and ".join(str(r) for r in loaded.meta.requires)
    return (f'<span class="sg-needs" title="Older versions reject this example">:material-alert-circle-outline: '
            f"needs {needs}</span>")


def _meta_line(loaded: Loaded, page_src: str, *, download: bool, trust: bool = True,
               snippets: str = "snippets", plain: bool = False, proof_site: ProofSite | None = None) -> str:
    target = link(page_src, snippets + "/" + loaded.rel)
    if plain:  # a site without md_in_html, attr_list and Material's icons: Markdown only
        parts = [f"needs {' and '.join(str(r) for r in loaded.meta.requires)}"] if loaded.meta.requires else []
        parts += [f"Checked: {trust_mark(loaded.kind)}"] if trust else []
        parts += [f"[Download {posixpath.basename(loaded.rel)}]({target})"] if download else []
        return "*" + " · ".join(parts) + "*" if parts else ""
    items = [f'<span class="sg-trust" title="Checked when this site was built">:material-shield-check: '
             f"Checked: {trust_mark(loaded.kind, digest(loaded.text))}</span>"] if trust else []
    badge = needs_badge(loaded)
    if badge:
        items.insert(0, badge)
    items.extend(proven_marks(loaded, page_src, proof_site))
    if download:
        items.append(f"[:material-download: {posixpath.basename(loaded.rel)}]"
                     f"({target}){{ .sg-download download }}")
    return '<div class="sg-meta" markdown>\n' + " · ".join(items) + "\n</div>"


def embed_block(loaded: Loaded, page_src: str, *, title: str | None = None, hl_lines: str | None = None,
                lang: str | None = None, trust: bool = True, snippets: str = "snippets", plain: bool = False,
                proof_site: ProofSite | None = None) -> str:
    """A snippet as a fence, with its trust mark (what was checked; what proved it, when `proof_site` says
    where the proof records are) and download link below it."""
    code = fence(loaded.text, lang or FENCE_LANG.get(loaded.kind, "text"), title=title, hl_lines=hl_lines)
    meta = _meta_line(loaded, page_src, download=True, trust=trust, snippets=snippets, plain=plain,
                      proof_site=proof_site)
    return f"\n{code}\n{meta}\n"


def _rule_links(codes: tuple[str, ...], page_src: str, docs_dir: Path | None = None) -> str:
    return ", ".join(f"[{c}]({to(page_src, RULES_PAGE + '#' + c.lower(), docs_dir)}) {RULES[c].title}" for c in codes)


# Counter-examples get no copy button (Material skips code inside `.no-copy`). A warning in the
# copied text would not protect anyone: pasted into a terminal, a comment line is dropped and
# the command runs; pasted into a config file, the comment sits beside a working insecure setting.
INSECURE_CLASSES = "insecure no-copy"
NO_COPY_NOTE = "Copying is switched off for this example."


def insecure_block(loaded: Loaded, page_src: str, *, title: str | None = None, lang: str | None = None,
                   docs_dir: Path | None = None) -> str:
    heading = title or "Do not use: this example is insecure"
    code = fence(loaded.text, lang or FENCE_LANG.get(loaded.kind, "text"), indent="    ")
    return (
        f'\n!!! {INSECURE_CLASSES} "{heading}"\n'
        f"    Shown only so you can recognise the mistake. The build checks that it still triggers "
        f"{_rule_links(loaded.expect, page_src, docs_dir)}. {NO_COPY_NOTE}\n\n{code}\n"
    )


# -- the rules reference ------------------------------------------------------------------------
def _example_block(rule: Rule, text: str, kind: str, *, insecure: bool) -> str:
    lang = "markdown" if kind == PAGE_KIND else FENCE_LANG.get(kind, "text")
    code = fence(text.rstrip("\n"), lang, indent="    ")
    if insecure:
        return f'!!! {INSECURE_CLASSES} "Insecure: triggers {rule.code}"\n{code}\n'
    return f'!!! success "Secure"\n{code}\n'


def rule_markdown(rule: Rule, page_src: str, level: int = 3, docs_dir: Path | None = None) -> str:
    kinds = ", ".join(rule.kinds) if rule.kinds != ("*",) else "every kind"
    fixer = FIXERS.get(rule.code)
    fixable = (f" · Fixable with `snippetguard check --fix` ({', '.join(fixer.kinds)}): {fixer.summary}"
               if rule.fixable and fixer is not None else "")
    out = [
        f"{'#' * level} {rule.code} · {rule.title} {{ #{rule.anchor} }}",
        "",
        f'<span class="sg-badge sg-{rule.severity.value}">{rule.severity.value}</span> '
        f"Applies to: {kinds} · Explained in: [{rule.guide.split('#')[0].removesuffix('.md')}]"
        f"({to(page_src, rule.guide, docs_dir)}){fixable}",
        "",
        f"**Why it matters.** {rule.why}",
        "",
        f"**How to fix it.** {rule.fix}",
        "",
    ]
    for example in rule.insecure:
        out.append(_example_block(rule, example.text, example.kind, insecure=True))
    for example in rule.secure:
        out.append(_example_block(rule, example.text, example.kind, insecure=False))
    return "\n".join(out)


def family_of(rule: Rule) -> str:
    return rule.code[2]


def rules_reference(page_src: str, docs_dir: Path | None = None) -> str:
    out: list[str] = []
    for digit, (title, _) in FAMILIES.items():
        members = [r for r in sorted(RULES.values(), key=lambda r: r.code) if family_of(r) == digit]
        if not members:
            continue
        out.append(f"## {title} {{ #sg{digit}xx }}\n")
        out.extend(rule_markdown(r, page_src, docs_dir=docs_dir) for r in members)
    return "\n".join(out)


def rules_table(page_src: str, family: str = "", docs_dir: Path | None = None) -> str:
    digits = [d for d, (_, name) in FAMILIES.items() if not family or name == family]
    rows = ["| Code | Rule | Severity |", "| --- | --- | --- |"]
    for rule in sorted(RULES.values(), key=lambda r: r.code):
        if family_of(rule) in digits:
            target = to(page_src, RULES_PAGE + "#" + rule.anchor, docs_dir)
            rows.append(f"| [{rule.code}]({target}) | {rule.title} | {rule.severity.value} |")
    return "\n".join(rows) + "\n"


# -- the security checklist ---------------------------------------------------------------------
CHECKLIST_FILE = "security/checklist.yml"


class ChecklistError(Exception):
    pass


def load_checklist(docs_dir: Path, file: str = CHECKLIST_FILE) -> list[dict[str, Any]]:
    return _parse_checklist((docs_dir / file).read_text(encoding="utf-8"), file)


@lru_cache(maxsize=4)  # a build reads it twice (the page and the cross-check); `mkdocs serve` re-reads on change
def _parse_checklist(text: str, file: str) -> list[dict[str, Any]]:
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 7x faster
    if not isinstance(data, list):
        raise ChecklistError(f"{file} must be a list of groups")
    return data


def checklist_problems(docs_dir: Path, file: str = CHECKLIST_FILE) -> list[str]:
    """Cross-checks: every item has a section; every security rule is named by an item."""
    problems: list[str] = []
    named: set[str] = set()
    ids: set[str] = set()
    for group in load_checklist(docs_dir, file):
        for item in group.get("items", []):
            ident = item.get("id", "?")
            if ident in ids:
                problems.append(f"checklist item id '{ident}' is used twice")
            ids.add(ident)
            if not item.get("section"):
                problems.append(f"checklist item '{ident}' has no guide section")
            for code in item.get("rules", []):
                if code not in RULES:
                    problems.append(f"checklist item '{ident}' names unknown rule {code}")
                named.add(code)
    for rule in RULES.values():
        if family_of(rule) in CHECKLIST_FAMILIES and rule.code not in named:
            problems.append(f"rule {rule.code} ({rule.title}) is enforced but no checklist item names it")
    return problems


def checklist(docs_dir: Path, page_src: str, file: str = CHECKLIST_FILE) -> str:
    out: list[str] = []
    for group in load_checklist(docs_dir, file):
        out.append(f"## {group['group']}\n")
        for item in group.get("items", []):
            rules = item.get("rules", [])
            enforced = (" · enforced by " + ", ".join(
                f"[{c}]({link(page_src, 'reference/rules.md#' + c.lower())})" for c in rules)) if rules else ""
            out.append(
                f'- [ ] <span class="sg-check" data-id="{item["id"]}"></span>{item["text"]} '
                f"([guide]({link(page_src, item['section'])}){enforced})"
            )
        out.append("")
    return "\n".join(out)


def explain_text(rule: Rule) -> str:
    """A rule's reference entry as plain text, for `snippetguard explain`."""
    kinds = ", ".join(rule.kinds)
    out = [f"{rule.code}: {rule.title}", "", f"Severity: {rule.severity.value}    Applies to: {kinds}", "",
           "Why it matters:", f"  {rule.why}", "", "How to fix it:", f"  {rule.fix}", ""]
    for label, examples in (("Insecure example", rule.insecure), ("Secure example", rule.secure)):
        for example in examples:
            out.append(f"{label} ({example.kind}):")
            out.extend(f"    {line}" for line in example.text.rstrip("\n").split("\n"))
            out.append("")
    out.append(f"Guide: {rule.url.split('reference/')[0]}{rule.guide.replace('.md', '/')}")
    out.append(f"More:  {rule.url}")
    return "\n".join(out)


# -- how this guide is tested -------------------------------------------------------------------
STATUS_TEXT = {
    "current": ":material-check-decagram: current: the last passing run used the snippets' present text",
    "stale": ":material-alert: stale: a snippet changed since the last passing run; not shown as proven",
    "missing": ":material-alert: no passing run recorded; not shown as proven",
}


def proof_report(site: ProofSite, page_src: str) -> str:
    """One section per proof: what ran, what was checked, on which snippets, and whether it is current."""
    records = _records(site.root)
    snippets_dir = site.snippets_dir
    declared = proofs.declared(snippets_dir)
    out: list[str] = []
    for name in sorted(set(records) | set(declared)):
        record = records.get(name)
        state = proofs.status(record, snippets_dir)
        out += [f"### {name} {{ #{proofs.anchor(name)} }}", "", f"**Status:** {STATUS_TEXT[state]}", ""]
        if record is not None:
            out += [f"**Result:** {record.summary}", ""]
            out += ["**Ran against:** " + "; ".join(f"{c} {v}" for c, v in sorted(record.components.items())), ""]
            out += ["**Checked:**", ""] + [f"- {check}" for check in record.checks] + [""]
            out += [f"**Test:** `{record.test}`", ""]
        files = sorted(set(declared.get(name, [])) | set(record.snippets if record else ()))
        out += ["**Snippets:**", ""]
        for rel in files:
            if (snippets_dir / rel).is_file():
                ran = record is not None and proofs.proves(record, rel, snippets_dir)
                note = "text as proven" if ran else ("changed since the proof ran" if record and rel in record.snippets
                                                     else "not run by the recorded proof")
                out.append(f"- [`{rel}`]({link(page_src, 'snippets/' + rel)}): {note}")
            else:
                out.append(f"- `{rel}`: no longer exists")
        out.append("")
    if not out:
        out = ["No proofs are declared yet.", ""]
    return "\n".join(out)
