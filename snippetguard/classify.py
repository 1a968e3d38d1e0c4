"""Decide a snippet's kind from its file name or its fence language. Unknown is an error."""

from __future__ import annotations

import re
from collections.abc import Callable
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


# -- files met in a repository ----------------------------------------------------------------------
# A pre-commit hook or a folder walk sees every file of a project, not a snippets folder where each
# file is a snippet by decision. There a file is checked only when its name, place or first lines
# say what it is; everything else (an app's `*.conf`, a Kubernetes YAML file) is left alone.
COMPOSE_NAME_RE = re.compile(r"^(?:compose(?:\.[^/]+)?|docker-compose[^/]*|[^/]+\.compose)\.ya?ml$")
NGINX_PLACES = frozenset({"nginx", "conf.d"})  # folders whose *.conf files are nginx's
NGINX_SITE_PLACES = frozenset({"sites-available", "sites-enabled"})  # every file there is nginx's
NGINX_CONTENT_RE = re.compile(
    r"^\s*(?:(?:http|events|stream|server)\s*\{|upstream\s+[\w.-]+\s*\{|location\s+[^{;]*\{|"
    r"(?:worker_processes|proxy_pass|server_name|listen)\s+[^;{]+;)",
    re.MULTILINE,
)
SHELLS = frozenset({"sh", "bash", "dash", "ksh", "ash"})
SHEBANG_RE = re.compile(r"^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?")


def shebang_shell(head: str) -> bool:
    """True when the first line runs the file with a POSIX shell or bash (`#!/bin/sh`, `#!/usr/bin/env bash`)."""
    match = SHEBANG_RE.match(head)
    if not match:
        return False
    program = PurePath(match.group(1)).name
    if program == "env" and match.group(2):
        program = PurePath(match.group(2)).name
    return program in SHELLS


def repository_kind(path: str | PurePath, head: Callable[[], str]) -> str | None:
    """The kind of a file met in a repository, or None to leave it alone.

    `head` returns the file's first lines; it is called only when the name and place do not decide.
    """
    p = PurePath(path)
    name = p.name.lower()
    suffix = p.suffix.lower()
    folders = {part.lower() for part in p.parts[:-1]}
    if name.startswith("caddyfile") or name.endswith(".caddyfile") or suffix == ".caddy":
        return "caddy"
    if name == ".env" or name.startswith(".env.") or suffix == ".env":
        return "env"
    if COMPOSE_NAME_RE.match(name):
        return "compose"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix in (".sh", ".bash"):
        return "shell"
    if suffix == ".ps1":
        return "powershell"
    if folders & NGINX_SITE_PLACES or (suffix == ".conf" and folders & NGINX_PLACES) or name == "nginx.conf":
        return "nginx"
    if suffix == ".conf":
        return "nginx" if NGINX_CONTENT_RE.search(head()) else None
    if not suffix and shebang_shell(head()):
        return "shell"
    return None
