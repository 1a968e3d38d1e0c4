"""Site macros: embed snippet files, counter-examples, the rules reference and the checklist.

Thin adapter over snippetguard. A macro never raises: a mistake in a call
becomes a visible error on the page plus a marker the build hook turns into
an SG007 finding at the page and line of the call, so one build reports all
of them and then fails.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from snippetguard import sitecontent
from snippetguard.embed import EmbedError, load


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


def define_env(env: Any) -> None:
    docs_dir = Path(env.conf["docs_dir"])
    snippets_dir = docs_dir / "snippets"
    proof_site = sitecontent.ProofSite(Path(env.conf["config_file_path"]).parent, snippets_dir)

    def page_src() -> str:
        return env.page.file.src_uri if env.page is not None else "index.md"

    @env.macro
    def snippet(path: str, region: str | None = None, title: str | None = None,
                hl_lines: str | None = None, lang: str | None = None) -> str:
        """Embed a snippet file, or one named region of it, verbatim."""
        try:
            loaded = load(snippets_dir, path, region)
        except EmbedError as err:
            return _error(env, str(err))
        if loaded.expect:
            return _error(env, f"'{path}' declares expect[{', '.join(loaded.expect)}]: it is a counter-example; "
                               "embed it with insecure_example(...) so readers see the warning", rule="SG009")
        return sitecontent.embed_block(loaded, page_src(), title=title, hl_lines=hl_lines, lang=lang,
                                       proof_site=proof_site)

    @env.macro
    def insecure_example(path: str, rule: str | list[str], region: str | None = None,
                         title: str | None = None, lang: str | None = None) -> str:
        """Show a declared counter-example inside an unmistakable warning."""
        declared = tuple(sorted([rule] if isinstance(rule, str) else rule))
        try:
            loaded = load(snippets_dir, path, region)
        except EmbedError as err:
            return _error(env, str(err))
        if not loaded.expect:
            return _error(env, f"'{path}' is shown as insecure but does not declare it; start the file with "
                               f"'# snippetguard: expect[{', '.join(declared)}] <reason>'", rule="SG006")
        if loaded.expect != declared:
            return _error(env, f"page says rule={list(declared)} but '{path}' declares expect[{', '.join(loaded.expect)}]",
                          rule="SG006")
        return sitecontent.insecure_block(loaded, page_src(), title=title, lang=lang)

    @env.macro
    def rules_reference() -> str:
        return sitecontent.rules_reference(page_src())

    @env.macro
    def rules_table(family: str = "") -> str:
        return sitecontent.rules_table(page_src(), family)

    @env.macro
    def proof_report() -> str:
        return sitecontent.proof_report(proof_site, page_src())

    @env.macro
    def security_checklist() -> str:
        return sitecontent.checklist(docs_dir, page_src())
