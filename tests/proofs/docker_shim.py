"""A `docker` command for proofs: runs what a procedure asks of Docker against the test's PostgreSQL.

No Docker daemon is available where the proofs run, so the proof puts a `docker` script first on
PATH that executes this file. It understands a small, explicit set of commands and refuses
everything else (exit status 97, and the refusal is recorded so the proof fails):

  docker exec [-i] [-t] [-e NAME[=VALUE]]... desterlib-postgres COMMAND [ARG]...
      Runs COMMAND here, with the environment the postgres container would have: the `environment:`
      Compose gives the postgres service, and connection defaults that point psql/pg_dump at the
      test cluster's socket (as the container's own socket is). Without -i no input is attached.
      With -t: output is turned into terminal output (CRLF line ends, stderr merged), and -i -t with
      redirected input fails with "the input device is not a TTY", as Docker does.
  docker compose up -d [--force-recreate] [--build] [--wait] [SERVICE]...
      Re-reads the project exactly as Compose does (the real Compose binary's `config`): the
      postgres service's environment, the api service's environment after env_file merging. On an
      empty volume the postgres "image" creates the account and database; on an initialised one the
      POSTGRES_* values change nothing, as with the real image. Records which services were
      recreated and, with --build, which files the API's build context sent.
  docker compose stop|start SERVICE...   records the API as stopped or running.
  docker compose down [-v]               removes the containers (and, with -v, the database).

State lives in the JSON file named by PROOF_DOCKER_STATE.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REFUSED = 97
POSTGRES = "desterlib-postgres"
NAMES = {"postgres": POSTGRES, "api": "desterlib-api"}


class Refusal(Exception):
    pass


def load() -> tuple[Path, dict]:
    path = Path(os.environ["PROOF_DOCKER_STATE"])
    return path, json.loads(path.read_text(encoding="utf-8"))


def save(path: Path, state: dict) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


# -- .dockerignore, as Docker's builder reads it (patterns relative to the context root) ----------
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                i += 1
            continue
        out += {"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c))
        i += 1
    return re.compile(out + r"\Z")


def ignore_patterns(context: Path) -> list[tuple[bool, re.Pattern[str]]]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        line = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        out.append((negate, _pattern_regex(line)))
    return out


def excluded(rel: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker: a path is excluded if it, or a parent folder, matches; the last matching pattern wins."""
    parts = rel.split("/")
    result = False
    for negate, regex in patterns:
        if any(regex.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            result = not negate
    return result


def build_context(context: Path) -> list[str]:
    """Files `COPY . .` takes from the context into the image."""
    patterns = ignore_patterns(context)
    out = []
    for root, dirs, files in os.walk(context):
        rel_root = os.path.relpath(root, context)
        for name in files:
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if not excluded(rel, patterns):
                out.append(rel)
        dirs.sort()
    return sorted(out)


# -- compose ---------------------------------------------------------------------------------------
def project(state: dict) -> dict:
    """The project as Docker Compose resolves it in this folder (the real Compose binary)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/"), "LC_ALL": "C.UTF-8"}
    result = subprocess.run([state["compose"], "config", "--format", "json"], capture_output=True, text=True,
                            env=env, timeout=60)
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(result.returncode or 1)
    return json.loads(result.stdout)


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def admin_sql(state: dict, script: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(Path(state["pg_bin"]) / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", state["admin"],
         "-d", "postgres"], input=script, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PGHOST": state["socket"], "PGPORT": str(state["port"]), **env})
    if result.returncode:
        raise SystemExit(f"postgres container failed to initialise its volume: {result.stderr.strip()}")


def compose_up(state: dict, args: list[str]) -> None:
    flags = {a for a in args if a.startswith("-")}
    unknown = flags - {"-d", "--detach", "--force-recreate", "--build", "--wait"}
    if unknown or not flags & {"-d", "--detach"}:
        raise Refusal(f"docker compose up {' '.join(args)}: only 'up -d [--force-recreate] [--build] [--wait] "
                      "[SERVICE...]' is understood")
    config = project(state)
    services = config.get("services", {})
    wanted = [a for a in args if not a.startswith("-")] or sorted(services, key=lambda n: n != "postgres")
    for name in wanted:
        if name not in NAMES or name not in services:
            raise Refusal(f"docker compose up: unknown service {name!r}")
    if "api" in wanted and "postgres" not in wanted and POSTGRES not in state["containers"]:
        wanted.insert(0, "postgres")  # depends_on starts the database first
    wanted.sort(key=lambda n: n != "postgres")
    for name in wanted:
        service = services[name]
        env = _environment(service)
        if name == "postgres" and not state.get("volume"):
            user = env.get("POSTGRES_USER") or "postgres"
            db = env.get("POSTGRES_DB") or user
            password = env.get("POSTGRES_PASSWORD", "")
            if not password:
                raise SystemExit("postgres: Database is uninitialized and superuser password is not specified.")
            # A new volume holds nothing: clear what an earlier proof left in the shared test cluster.
            admin_sql(state, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE);\nDROP ROLE IF EXISTS "{user}";\n'
                      "\\getenv pw PROOF_PASSWORD\n"
                      f'CREATE ROLE "{user}" SUPERUSER LOGIN PASSWORD :\'pw\';\n'
                      f'CREATE DATABASE "{db}" OWNER "{user}";\n', {"PROOF_PASSWORD": password})
            state["volume"] = {"user": user, "db": db}
        entry = {"service": name, "env": env, "running": True}
        if name == "api":
            build = service.get("build")
            entry["image"] = service.get("image") or "built"
            if build and ("--build" in flags or "built_context" not in state):
                context = Path(build["context"] if isinstance(build, dict) else build)
                state["built_context"] = build_context(context)
                state["events"].append(["build", name])
        state["containers"][NAMES[name]] = entry
        state["events"].append(["recreate", name])


def compose(state: dict, args: list[str]) -> None:
    if not args:
        raise Refusal("docker compose: no command")
    command, rest = args[0], args[1:]
    if command == "up":
        compose_up(state, rest)
    elif command in ("stop", "start") and rest and all(not a.startswith("-") for a in rest):
        for name in rest:
            container = state["containers"].get(NAMES.get(name, ""))
            if container is None:
                raise Refusal(f"docker compose {command}: no container for service {name!r}")
            container["running"] = command == "start"
            state["events"].append([command, name])
    elif command == "down" and set(rest) <= {"-v", "--volumes"}:
        state["containers"] = {}
        state["events"].append(["down", *rest])
        if rest and state.get("volume"):
            volume = state["volume"]
            admin_sql(state, f'DROP DATABASE IF EXISTS "{volume["db"]}" WITH (FORCE);\n'
                             f'DROP ROLE IF EXISTS "{volume["user"]}";\n', {})
            state["volume"] = None
    else:
        raise Refusal(f"docker compose {' '.join(args)}: not understood by the proof shim")


# -- exec ------------------------------------------------------------------------------------------
def docker_exec(state: dict, args: list[str]) -> int:
    interactive = tty = False
    extra: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        option = args[i]
        if option in ("-i", "--interactive"):
            interactive = True
        elif option in ("-t", "--tty"):
            tty = True
        elif option in ("-it", "-ti"):
            interactive = tty = True
        elif option in ("-e", "--env") and i + 1 < len(args):
            i += 1
            name, sep, value = args[i].partition("=")
            if sep:
                extra[name] = value
            elif name in os.environ:
                extra[name] = os.environ[name]
        else:
            raise Refusal(f"docker exec {option}: not understood by the proof shim")
        i += 1
    if i >= len(args) - 1:
        raise Refusal("docker exec: needs a container and a command")
    container_name, command = args[i], args[i + 1:]
    if container_name != POSTGRES:
        raise Refusal(f"docker exec {container_name}: only {POSTGRES} runs in proofs (no API container)")
    container = state["containers"].get(container_name)
    if container is None or not container.get("running"):
        print(f"Error response from daemon: No such container: {container_name}", file=sys.stderr)
        return 1
    if interactive and tty and not os.isatty(0):
        print("the input device is not a TTY", file=sys.stderr)
        return 1
    env = {
        "PATH": f"{state['pg_bin']}:/usr/bin:/bin",
        "HOME": "/root" if os.geteuid() == 0 else os.environ.get("HOME", "/"),
        "LANG": "en_US.utf8",
        "PGHOST": state["socket"],
        "PGPORT": str(state["port"]),
        **container["env"],
        **extra,
    }
    stdin = None if interactive else subprocess.DEVNULL
    if not tty:
        return subprocess.run(command, env=env, stdin=stdin, cwd="/").returncode
    result = subprocess.run(command, env=env, stdin=stdin, cwd="/", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sys.stdout.buffer.write(result.stdout.replace(b"\n", b"\r\n"))
    return result.returncode


def main(argv: list[str]) -> int:
    path, state = load()
    state.setdefault("argv", []).append(argv)  # every command line Docker would see (and show in `ps`)
    try:
        if argv[:1] == ["compose"]:
            compose(state, argv[1:])
            code = 0
        elif argv[:1] == ["exec"]:
            code = docker_exec(state, argv[1:])
            save(path, state)
            return code
        else:
            raise Refusal(f"docker {' '.join(argv[:2])}: not understood by the proof shim")
    except Refusal as refusal:
        state["refused"].append(str(refusal))
        save(path, state)
        print(f"proof docker shim refused: {refusal}", file=sys.stderr)
        return REFUSED
    save(path, state)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
