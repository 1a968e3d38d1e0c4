"""Decide a snippet's kind from its file name or its fence language. Unknown is an error."""

from __future__ import annotations

import json
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
    "systemd": "systemd",
    "markdown": "markdown",
    "md": "markdown",
    "powershell": "powershell",
    "pwsh": "powershell",
    "ps1": "powershell",
}
COMPOSE_TOP_RE = re.compile(r"^['\"]?services['\"]?\s*:", re.MULTILINE)
INI_LANGS = frozenset({"ini", "cfg", "conf", "toml"})  # systemd units are often shown as one of these
# Options that only daemon.json has (a package.json, an API response or a tsconfig does not): enough
# to tell a daemon.json shown in a ```json block from other JSON. Short generic names such as "ip",
# "dns" or "debug" are left out on purpose.
DAEMON_KEYS = frozenset({
    "hosts", "iptables", "ip6tables", "ip-forward", "ip-masq", "userland-proxy", "live-restore", "log-driver",
    "log-opts", "storage-driver", "storage-opts", "data-root", "registry-mirrors", "insecure-registries",
    "default-address-pools", "userns-remap", "exec-opts", "bip", "fixed-cidr", "fixed-cidr-v6", "default-runtime",
    "runtimes", "tlsverify", "tlscacert", "tlscert", "tlskey", "no-new-privileges", "icc", "seccomp-profile",
    "default-ulimits", "max-concurrent-downloads", "cgroup-parent", "containerd", "default-cgroupns-mode",
    "selinux-enabled", "authorization-plugins", "dns-search", "dns-opts",
})
UNIT_SECTIONS = ("Unit", "Service", "Socket", "Install", "Timer", "Mount", "Path", "Slice", "Scope", "Automount",
                 "Swap", "Network", "Match", "Link", "NetDev", "Container", "Kube")
LOOKS_LIKE_UNIT_RE = re.compile(r"^\s*\[(?:" + "|".join(UNIT_SECTIONS) + r")\]\s*$", re.MULTILINE)
UNIT_SUFFIXES = frozenset({".service", ".socket", ".timer", ".mount", ".path", ".target", ".slice", ".automount"})


def looks_like_compose(text: str) -> bool:
    return bool(COMPOSE_TOP_RE.search(text))


def looks_like_daemon_json(text: str) -> bool:
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and bool(DAEMON_KEYS & set(data)) and not {"name", "version", "scripts"} <= set(data)


def looks_like_unit(text: str) -> bool:
    """A systemd unit or drop-in: a line that is a unit section header such as `[Service]`."""
    return bool(LOOKS_LIKE_UNIT_RE.search(text.removeprefix("\ufeff")))


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
    if lang == "json":
        return "daemon" if looks_like_daemon_json(text) else "json"
    if lang in INI_LANGS:
        return "systemd" if looks_like_unit(text) else LANG_KINDS.get(lang)
    return LANG_KINDS.get(lang)


def _is_systemd_path(p: PurePath, text: str) -> bool:
    """A unit, or a drop-in: `docker.service.d/override.conf`, or a `.conf` that holds unit sections
    (nginx's `.conf` files never start a line with `[Service]`)."""
    if p.suffix.lower() in UNIT_SUFFIXES:
        return True
    if p.suffix.lower() != ".conf":
        return False
    if p.parent.name.lower().endswith(tuple(s + ".d" for s in UNIT_SUFFIXES)):
        return True
    return looks_like_unit(text)


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
    if _is_systemd_path(p, text):
        return "systemd"
    if suffix == ".conf":
        return "nginx"
    if suffix in (".sh", ".bash"):
        return "shell"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix == ".json":
        if name == "daemon.json" or name == "dockerd.json":
            return "daemon"
        return "daemon" if looks_like_daemon_json(text) else "json"
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
    if name in ("daemon.json", "dockerd.json"):
        return "daemon"
    if suffix in UNIT_SUFFIXES or (suffix == ".conf" and p.parent.name.lower().endswith(
            tuple(s + ".d" for s in UNIT_SUFFIXES))):
        return "systemd"  # a unit, or a drop-in such as docker.service.d/override.conf
    if folders & NGINX_SITE_PLACES or (suffix == ".conf" and folders & NGINX_PLACES) or name == "nginx.conf":
        return "nginx"
    if suffix == ".conf":
        return "nginx" if NGINX_CONTENT_RE.search(head()) else None
    if not suffix and shebang_shell(head()):
        return "shell"
    return None
