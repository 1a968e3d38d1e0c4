"""Decide a snippet's kind from its file name or its fence language. Unknown is an error."""

from __future__ import annotations

import re
from pathlib import PurePath

# Fence languages that hold program output, not something a reader copies into a config.
PLAIN_LANGS = frozenset({"text", "output", "log", "plaintext", "txt", "none"})
SHELL_LANGS = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session", "shellsession"})
YAML_LANGS = frozenset({"yaml", "yml"})
ENV_LANGS = frozenset({"dotenv", "env", ".env"})
LANG_KINDS = {
    "nginx": "nginx",
    "caddy": "caddy",
    "caddyfile": "caddy",
    "json": "json",
    "markdown": "markdown",
    "md": "markdown",
    "powershell": "powershell",
    "pwsh": "powershell",
    "ps1": "powershell",
}
COMPOSE_TOP_RE = re.compile(r"^['\"]?services['\"]?\s*:", re.MULTILINE)


def looks_like_compose(text: str) -> bool:
    return bool(COMPOSE_TOP_RE.search(text))


def kind_for_lang(lang: str, text: str) -> str | None:
    """Kind for a fence; "" means plain output (not checked); None means unknown."""
    lang = lang.lower()
    if lang in PLAIN_LANGS:
        return ""
    if lang in YAML_LANGS:
        return "compose" if looks_like_compose(text) else "yaml"
    if lang in ENV_LANGS:
        return "env"
    if lang in SHELL_LANGS:
        return "shell"
    return LANG_KINDS.get(lang)


def kind_for_path(path: str | PurePath, text: str = "") -> str | None:
    p = PurePath(path)
    name = p.name.lower()
    suffix = p.suffix.lower()
    if name.startswith("caddyfile") or name.endswith(".caddyfile") or suffix == ".caddy":
        return "caddy"
    if name == ".env" or name.startswith(".env.") or suffix == ".env":
        return "env"
    if suffix in (".yml", ".yaml"):
        return "compose" if "compose" in name or looks_like_compose(text) else "yaml"
    if suffix == ".conf":
        return "nginx"
    if suffix in (".sh", ".bash"):
        return "shell"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix == ".json":
        return "json"
    if suffix == ".ps1":
        return "powershell"
    if suffix in (".txt", ".log"):
        return ""
    return None
