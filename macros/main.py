"""Site macros (`snippet`, `insecure_example`, rules reference, checklist): snippetguard's, unchanged.

Thin adapter: the macros live in snippetguard/mkdocs/macros.py and read the
options the hook gives the plugin (hooks/snippetguard_hook.py).
"""

from snippetguard.mkdocs.macros import define_env

__all__ = ["define_env"]
