"""snippetguard for MkDocs: the plugin (`plugins: - snippetguard`) and the macros for mkdocs-macros.

The only part of snippetguard that imports MkDocs; install it with `pip install snippetguard[mkdocs]`.
"""
