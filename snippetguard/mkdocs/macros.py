"""Macros for mkdocs-macros: embed snippet files, counter-examples, the rules reference and the checklist.

The snippetguard plugin registers them when `macros` is among the site's
plugins; a site can also load them as a module (`macros: modules:
[snippetguard.mkdocs.macros]`). Either way they read the plugin's options
(snippet folder, trust marks, rules reference, checklist) when a page calls them.

A macro never raises: a mistake in a call becomes a visible error on the page
plus a marker the plugin turns into an SG007 finding at the page and line of
the call, so one build reports all of them and then fails.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from snippetguard import sitecontent
from snippetguard.embed import EmbedError, load
from snippetguard.mkdocs.plugin import SnippetGuardPlugin, active

log = logging.getLogger("mkdocs.plugins.snippetguard")


def _call_line(env: Any) -> int:
    """Line of the macro call in the page's source file (Jinja knows it; add the front matter)."""
    line = 1
    frame = inspect.currentframe()
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            line = template.get_corresponding_lineno(frame.f_lineno)
            break
        frame = frame.f_back
    page = env.page
    try:
        source = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")
        head = page.markdown.lstrip("\n").split("\n", 1)[0]
        offset = source[: source.find(head)].count("\n") if head and head in source else 0
    except (OSError, AttributeError):
        offset = 0
    return line + offset


def _error(env: Any, message: str, rule: str = "SG007") -> str:
    marker = json.dumps({"rule": rule, "line": _call_line(env), "message": message})
    safe = message.replace("<", "&lt;")
    return f'\n!!! failure "Snippet error ({rule})"\n    {safe}\n\n<!-- snippetguard:error {marker} -->\n'


def macros_for(env: Any) -> dict[str, Callable[..., str]]:
    """The macros, bound to a mkdocs-macros environment (`env.conf`, `env.page`)."""

    def plugin() -> SnippetGuardPlugin | None:
        found = active()
        if found is None:
            log.error("snippetguard: the snippet macros need the snippetguard plugin: add `- snippetguard` to "
                      "`plugins:` in mkdocs.yml")
        return found

    def page_src() -> str:
        return env.page.file.src_uri if env.page is not None else "index.md"

    def docs_dir() -> Path:
        return Path(env.conf["docs_dir"])

    def snippets_dir(sg: SnippetGuardPlugin) -> Path:
        return docs_dir() / sg.snippets_uri

    def plain_markdown() -> bool:
        """The trust mark's icon, link attributes and HTML block need these extensions (Material sites have them)."""
        names = {str(e).removeprefix("markdown.extensions.") for e in env.conf.get("markdown_extensions") or []}
        return not {"md_in_html", "attr_list", "pymdownx.emoji"} <= names

    def snippet(path: str, region: str | None = None, title: str | None = None,
                hl_lines: str | None = None, lang: str | None = None) -> str:
        """Embed a snippet file, or one named region of it, verbatim."""
        sg = plugin()
        if sg is None:
            return _error(env, "snippetguard plugin is not enabled in mkdocs.yml")
        try:
            loaded = load(snippets_dir(sg), path, region)
        except EmbedError as err:
            return _error(env, str(err))
        if loaded.expect:
            return _error(env, f"'{path}' declares expect[{', '.join(loaded.expect)}]: it is a counter-example; "
                               "embed it with insecure_example(...) so readers see the warning", rule="SG009")
        return sitecontent.embed_block(loaded, page_src(), title=title, hl_lines=hl_lines, lang=lang,
                                       trust=sg.config.trust_marks, snippets=sg.snippets_uri, plain=plain_markdown(),
                                       proof_site=sg.proof_site)

    def insecure_example(path: str, rule: str | list[str], region: str | None = None,
                         title: str | None = None, lang: str | None = None) -> str:
        """Show a declared counter-example inside an unmistakable warning."""
        sg = plugin()
        if sg is None:
            return _error(env, "snippetguard plugin is not enabled in mkdocs.yml")
        declared = tuple(sorted([rule] if isinstance(rule, str) else rule))
        try:
            loaded = load(snippets_dir(sg), path, region)
        except EmbedError as err:
            return _error(env, str(err))
        if not loaded.expect:
            return _error(env, f"'{path}' is shown as insecure but does not declare it; start the file with "
                               f"'# snippetguard: expect[{', '.join(declared)}] <reason>'", rule="SG006")
        if loaded.expect != declared:
            return _error(env, f"page says rule={list(declared)} but '{path}' declares expect[{', '.join(loaded.expect)}]",
                          rule="SG006")
        return sitecontent.insecure_block(loaded, page_src(), title=title, lang=lang, docs_dir=docs_dir())

    def _reference_on() -> str | None:
        sg = plugin()
        if sg is None:
            return "snippetguard plugin is not enabled in mkdocs.yml"
        if not sg.config.rules_reference:
            return "the rules reference is turned off: set `rules_reference: true` under the snippetguard plugin"
        return None

    def rules_reference() -> str:
        problem = _reference_on()
        return _error(env, problem) if problem else sitecontent.rules_reference(page_src(), docs_dir())

    def rules_table(family: str = "") -> str:
        problem = _reference_on()
        return _error(env, problem) if problem else sitecontent.rules_table(page_src(), family, docs_dir())

    def security_checklist() -> str:
        sg = plugin()
        if sg is None or not sg.config.checklist:
            return _error(env, "no checklist: set `checklist: <file under docs/>` under the snippetguard plugin")
        return sitecontent.checklist(docs_dir(), page_src(), sg.config.checklist)

    def proof_report() -> str:
        sg = plugin()
        if sg is None or sg.proof_site is None:
            return _error(env, "no proof records: set `proofs: true` under the snippetguard plugin")
        return sitecontent.proof_report(sg.proof_site, page_src())

    def supported_versions(note: str = "") -> str:
        """The oldest program versions the site supports (the plugin's option, else `extra: supported_versions:`)."""
        sg = plugin()
        supported = (sg.config.supported_versions if sg is not None else {}) or \
            (env.conf.get("extra") or {}).get("supported_versions") or {}
        if not supported:
            return _error(env, "no supported versions: set `supported_versions:` under the snippetguard plugin")
        return sitecontent.supported_versions(supported, note)

    return {
        "snippet": snippet,
        "supported_versions": supported_versions,
        "proof_report": proof_report,
        "insecure_example": insecure_example,
        "rules_reference": rules_reference,
        "rules_table": rules_table,
        "security_checklist": security_checklist,
    }


def define_env(env: Any) -> None:
    """mkdocs-macros' entry point for `modules: [snippetguard.mkdocs.macros]` (and a site's own main.py)."""
    for name, function in macros_for(env).items():
        env.macro(function, name)
