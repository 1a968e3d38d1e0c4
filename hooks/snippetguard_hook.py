"""MkDocs hook: the build refuses any insecure or unchecked example.

Thin adapter: event wiring and printing only; the checking is snippetguard's.
Findings of the whole build are reported together, then the build fails
before any page is written (on_env), so `mkdocs serve` keeps running and
recovers as soon as the file is fixed.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from snippetguard import reporters, sitecontent, validators, versions
from snippetguard.directives import strip_for_display
from snippetguard.docsite import DocSite

log = logging.getLogger("mkdocs.hooks.snippetguard")
SNIPPETS = "snippets"
_site: DocSite | None = None
_counter_examples: set[str] = set()


def on_config(config: Any) -> Any:
    global _site
    docs_dir = Path(config["docs_dir"])
    supported = (config.get("extra") or {}).get("supported_versions") or {}
    floors = versions.parse_floors(f"{name}={value}" for name, value in supported.items() if name in ("nginx", "caddy"))
    _site = DocSite(docs_dir, docs_dir / SNIPPETS, display_root=Path(config["config_file_path"]).parent, floors=floors)
    return config


def on_pre_build(config: Any) -> None:
    assert _site is not None
    _site.forget_pages()
    _site.start()  # checks the snippet files and rule examples on another core while pages render


def on_files(files: Any, config: Any) -> Any:
    """Counter-examples and symlinks leaving the snippets folder are not published; nor is checklist data."""
    assert _site is not None
    _counter_examples.clear()
    _counter_examples.update(f"{SNIPPETS}/{rel}" for rel in _site.counter_example_files | _site.outside_files)
    for file in list(files):
        if file.src_uri in _counter_examples or file.src_uri == sitecontent.CHECKLIST_FILE:
            files.remove(file)
    return files


@event_priority(-100)  # after the macros plugin has rendered the page
def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    assert _site is not None
    try:
        source = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")
    except (OSError, TypeError):
        source = markdown
    _site.check_page(page.file.src_uri, source, markdown)
    return markdown


def on_env(env: Any, config: Any, files: Any) -> Any:
    assert _site is not None
    try:
        programs = _site.run_programs()
    except validators.ProgramMissing as err:
        raise PluginError(f"snippetguard: {err}") from None
    for note in programs.notes():
        # Shown like MkDocs' warnings but not counted by --strict: a program missing outside CI leaves
        # examples "not checked", it does not make them wrong (under CI=true it failed above).
        if programs.disabled:
            log.info("snippetguard: %s", note)
        else:
            print(f"WARNING -  snippetguard: {note}", file=sys.stderr, flush=True)
    for line in programs.timings():
        log.info("snippetguard: %s", line)
    report = _site.report()
    docs_dir = Path(config["docs_dir"])
    problems = sitecontent.checklist_problems(docs_dir) if (docs_dir / sitecontent.CHECKLIST_FILE).exists() else []
    findings = report.sorted()
    for problem in problems:
        log.error("%s  checklist  %s", sitecontent.CHECKLIST_FILE, problem)
    if findings:
        log.error("\n%s", reporters.text(findings, color=False, summary=False))
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(reporters.github(findings), flush=True)
    log.info(
        "snippetguard: checked %d snippet files and %d code blocks on pages; %d findings",
        report.snippet_files, report.page_blocks, len(findings),
    )
    if findings or problems:
        raise PluginError(
            f"snippetguard refused the build: {len(findings)} finding(s), {len(problems)} checklist problem(s). "
            "Fix them (or declare a counter-example) and build again."
        )
    return env


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Trust marks name the programs and versions that judged each example (known only after on_env)."""
    assert _site is not None
    return sitecontent.finish_trust_marks(output, _site.programs_text)


def on_post_build(config: Any) -> None:
    """Downloads get the file as readers should use it: no region markers."""
    assert _site is not None
    site_snippets = Path(config["site_dir"]) / SNIPPETS
    for rel in _site.file_results:  # collected by on_env
        target = site_snippets / rel
        if target.is_file():
            text = target.read_text(encoding="utf-8")
            cleaned = strip_for_display(text)
            if cleaned != text:
                target.write_text(cleaned, encoding="utf-8")
