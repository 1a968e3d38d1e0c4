"""MkDocs hook: this site's adapter onto snippetguard's MkDocs plugin (snippetguard/mkdocs/plugin.py).

The site wires the plugin from here, with its options, instead of `plugins:`;
the checking and the build's refusal are the plugin's. The oldest versions the
guide supports come from `extra: supported_versions:` in mkdocs.yml, which the
pages show too.
"""

from snippetguard.mkdocs.plugin import SnippetGuardPlugin

_plugin = SnippetGuardPlugin.configured(
    rules_reference=True,  # the site publishes the rules reference, so it checks the rules' own examples
    checklist="security/checklist.yml",
    proofs=True,  # tests/proofs/results.json: Proven marks, and CI refuses a claimed proof that has not passed
    macros=False,  # macros/main.py defines them
)
on_config = _plugin.on_config
on_pre_build = _plugin.on_pre_build
on_files = _plugin.on_files
on_page_markdown = _plugin.on_page_markdown
on_env = _plugin.on_env
on_post_page = _plugin.on_post_page
on_post_build = _plugin.on_post_build
