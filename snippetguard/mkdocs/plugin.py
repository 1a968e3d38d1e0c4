"""The MkDocs plugin: `plugins: - snippetguard`. The build refuses any insecure or unchecked example.

Event wiring and printing only; the checking is snippetguard's (`DocSite`).
Findings of the whole build are reported together, then the build fails before
any page is written (on_env), so `mkdocs serve` keeps running and recovers as
soon as the file is fixed.

    plugins:
      - macros                   # optional: snippet() and insecure_example() in pages
      - snippetguard:
          snippets_dir: snippets # under docs_dir
          kinds: [compose, env, shell, nginx, caddy, powershell]   # default: every kind
          fail_on: warning       # or "error": warning-level findings are logged, not fatal
          supported_versions: {nginx: 1.22.1, caddy: 2.6.2}   # default: `extra: supported_versions:`
          trust_marks: true      # the "Checked: …" line under embedded snippets
          rules_reference: false # the rules_reference()/rules_table() macros, and the rules' self-test
          checklist: null        # e.g. security/checklist.yml for security_checklist()
          proofs: false          # Proven marks and proof_report() from tests/proofs/results.json; CI=true then
                                 # refuses a snippet whose declared proof has no current passing record (SG010)
          macros: true           # register the macros with mkdocs-macros when it is listed
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

import snippetguard  # noqa: F401  (registers kinds, rules and fixers)
from snippetguard import proofs, reporters, sitecontent, validators, versions
from snippetguard.directives import PROGRAMS, strip_for_display
from snippetguard.docsite import DocSite
from snippetguard.model import Finding, Severity
from snippetguard.registry import KINDS

log = logging.getLogger("mkdocs.plugins.snippetguard")
FLOOR_PROGRAMS = ("nginx", "caddy")  # the programs whose oldest supported build the validators also ask
VERSION_RE = re.compile(r"[0-9]+(?:\.[0-9]+){0,3}")


class SupportedVersions(c.BaseConfigOption[dict[str, str]]):
    """`{nginx: 1.22.1, caddy: 2.6.2}`: the oldest program versions the site supports (YAML numbers accepted)."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise c.ValidationError("expected a mapping such as {nginx: 1.22.1, caddy: 2.6.2}")
        out: dict[str, str] = {}
        for program, version in value.items():
            if program not in PROGRAMS:  # also the versions a site may state for its readers (docker, …)
                raise c.ValidationError(f"unknown program '{program}'; expected one of {', '.join(PROGRAMS)}")
            text = str(version).strip()
            if isinstance(version, bool) or not VERSION_RE.fullmatch(text):
                raise c.ValidationError(f"{program}: '{version}' is not a version such as 1.22.1")
            out[str(program)] = text
        return out


class SnippetGuardConfig(base.Config):
    snippets_dir = c.Type(str, default="snippets")
    kinds = c.ListOfItems(c.Choice(sorted(k for k in KINDS if k not in ("markdown", "json"))), default=[])
    fail_on = c.Choice(("error", "warning"), default="warning")
    supported_versions = SupportedVersions()
    trust_marks = c.Type(bool, default=True)
    rules_reference = c.Type(bool, default=False)
    checklist = c.Optional(c.Type(str))
    proofs = c.Type(bool, default=False)
    macros = c.Type(bool, default=True)


_ACTIVE: list[SnippetGuardPlugin] = []  # the plugin of the build under way, for the macros


def active() -> SnippetGuardPlugin | None:
    return _ACTIVE[-1] if _ACTIVE else None


class SnippetGuardPlugin(BasePlugin[SnippetGuardConfig]):
    site: DocSite | None = None
    proof_site: sitecontent.ProofSite | None = None
    hidden: set[str]

    @classmethod
    def configured(cls, **options: Any) -> SnippetGuardPlugin:
        """A plugin with these options, for a site that wires it from a hook file instead of `plugins:`."""
        plugin = cls()
        errors, _ = plugin.load_config(options)
        if errors:
            raise PluginError("snippetguard: " + "; ".join(f"{name}: {err}" for name, err in errors))
        return plugin

    @property
    def snippets_uri(self) -> str:
        return self.config.snippets_dir.strip("/") or "snippets"

    # -- events ---------------------------------------------------------------------------------
    @event_priority(-50)  # after mkdocs-macros has loaded its modules: the macros are registered once
    def on_config(self, config: Any) -> Any:
        docs_dir = Path(config["docs_dir"])
        kinds = frozenset(self.config.kinds) if self.config.kinds else None
        self.site = DocSite(docs_dir, docs_dir / self.snippets_uri, display_root=Path(config["config_file_path"]).parent,
                            floors=self.floors(config), kinds=kinds, rule_examples=self.config.rules_reference)
        root = Path(config["config_file_path"]).parent
        self.proof_site = sitecontent.ProofSite(root, docs_dir / self.snippets_uri) if self.config.proofs else None
        self.hidden = set()
        _ACTIVE[:] = [self]
        if self.config.macros:
            self._register_macros(config)
        return config

    def floors(self, config: Any) -> versions.Floors:
        """The oldest nginx and Caddy the site supports: the option, else `extra: supported_versions:` (where
        a site's pages can show the same table)."""
        supported = self.config.supported_versions or (config.get("extra") or {}).get("supported_versions") or {}
        return versions.parse_floors(f"{name}={value}" for name, value in supported.items() if name in FLOOR_PROGRAMS)

    def _register_macros(self, config: Any) -> None:
        macros_plugin = config["plugins"].get("macros")
        if macros_plugin is None:
            return  # the site does not use mkdocs-macros: findings still come from pages and snippet files
        from snippetguard.mkdocs.macros import macros_for

        defined = getattr(macros_plugin, "macros", {}) or {}
        missing = {name: fn for name, fn in macros_for(macros_plugin).items() if name not in defined}
        if missing:
            macros_plugin.register_macros(missing)

    def on_pre_build(self, config: Any) -> None:
        assert self.site is not None
        self.site.forget_pages()
        self.site.start()  # checks the snippet files (and rule examples) on another core while pages render

    def on_files(self, files: Any, config: Any) -> Any:
        """Counter-examples and symlinks leaving the snippets folder are not published; nor is checklist data."""
        assert self.site is not None
        self.hidden = {f"{self.snippets_uri}/{rel}" for rel in self.site.counter_example_files | self.site.outside_files}
        if self.config.checklist:
            self.hidden.add(self.config.checklist)
        for file in list(files):
            if file.src_uri in self.hidden:
                files.remove(file)
        return files

    @event_priority(-100)  # after the macros plugin has rendered the page
    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        assert self.site is not None
        try:
            source = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")
        except (OSError, TypeError):
            source = markdown
        self.site.check_page(page.file.src_uri, source, markdown)
        return markdown

    def on_env(self, env: Any, config: Any, files: Any) -> Any:
        assert self.site is not None
        try:
            programs = self.site.run_programs()
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
        report = self.site.report()
        checklist = self.config.checklist
        docs_dir = Path(config["docs_dir"])
        problems = sitecontent.checklist_problems(docs_dir, checklist) if checklist and (docs_dir / checklist).exists() else []
        findings = report.sorted()
        if self.proof_site is not None:
            proof_findings, proof_notes = proofs.gate(self.proof_site.root, self.proof_site.snippets_dir,
                                                      self.site.display, ci=validators.in_ci())
            findings = sorted([*findings, *proof_findings], key=Finding.sort_key)
            for note in proof_notes:
                log.info("snippetguard: %s", note)
        failing, tolerated = _split(findings, self.config.fail_on)
        for problem in problems:
            log.error("%s  checklist  %s", checklist, problem)
        if tolerated:
            log.info("snippetguard: %d warning-level finding(s) (fail_on: error):\n%s", len(tolerated),
                     reporters.text(tolerated, color=False, summary=False))
        if failing:
            log.error("\n%s", reporters.text(failing, color=False, summary=False))
            if os.environ.get("GITHUB_ACTIONS") == "true":
                print(reporters.github(failing), flush=True)
        log.info(
            "snippetguard: checked %d snippet files and %d code blocks on pages; %d findings",
            report.snippet_files, report.page_blocks, len(findings),
        )
        if failing or problems:
            raise PluginError(
                f"snippetguard refused the build: {len(failing)} finding(s), {len(problems)} checklist problem(s). "
                "Fix them (or declare a counter-example) and build again."
            )
        return env

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        """Trust marks name the programs and versions that judged each example (known only after on_env)."""
        assert self.site is not None
        return sitecontent.finish_trust_marks(output, self.site.programs_text)

    def on_post_build(self, config: Any) -> None:
        """Downloads get the file as readers should use it: no region markers."""
        assert self.site is not None
        site_snippets = Path(config["site_dir"]) / self.snippets_uri
        for rel in self.site.file_results:  # collected by on_env
            target = site_snippets / rel
            if target.is_file():
                text = target.read_text(encoding="utf-8")
                cleaned = strip_for_display(text)
                if cleaned != text:
                    target.write_text(cleaned, encoding="utf-8")


def _split(findings: list[Finding], fail_on: str) -> tuple[list[Finding], list[Finding]]:
    """(findings that fail the build, findings only logged)."""
    if fail_on == "warning":
        return findings, []
    return ([f for f in findings if f.severity == Severity.ERROR],
            [f for f in findings if f.severity != Severity.ERROR])
