"""`docker run` / `podman run` -> the shared container model, so SG1xx rules read it like Compose."""

from __future__ import annotations

from snippetguard.containers import (
    DOCKER_GLOBAL_VALUE,
    RUN_BOOL_LONG,
    RUN_VALUE_SHORT,
    EnvVar,
    Mount,
    Port,
    Service,
    Setting,
    parse_port_short,
)
from snippetguard.kinds.shell.commands import DOCKER_LIKE
from snippetguard.kinds.shell.model import Command, Word

NAMESPACE_OPTS = {"--network": "network_mode", "--net": "network_mode", "--pid": "pid", "--ipc": "ipc",
                  "--userns": "userns_mode"}


def _is_bind_source(source: str) -> bool:
    return source.startswith(("/", ".", "~", "$")) or (len(source) > 2 and source[1] == ":" and source[2] in "\\/")


def _short_volume(raw: str, line: int, column: int) -> Mount:
    """Docker's `-v SOURCE:TARGET[:OPTIONS]` (also `C:\\path:/target`)."""
    parts = raw.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha() and parts[1][:1] in "\\/":  # not `/:/host`
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) == 1:
        return Mount(raw, None, parts[0], False, False, line, column)
    options = parts[2].split(",") if len(parts) > 2 else []
    return Mount(raw, parts[0], parts[1], "ro" in options or "readonly" in options, _is_bind_source(parts[0]), line,
                 column)


def _long_mount(raw: str, line: int, column: int) -> Mount:
    """`--mount type=bind,source=/srv,target=/media,readonly`."""
    fields: dict[str, str] = {}
    for item in raw.split(","):
        key, sep, value = item.partition("=")
        fields[key.strip().lower()] = value.strip() if sep else "true"
    kind = fields.get("type", "volume")
    source = fields.get("source") or fields.get("src")
    target = fields.get("target") or fields.get("destination") or fields.get("dst") or ""
    ro_value = fields.get("readonly", fields.get("ro", "false")).lower()
    return Mount(raw, source, target, ro_value in ("true", "1", "yes"), kind == "bind", line, column)


def docker_service(command: Command) -> Service | None:
    """The container a `docker run` / `docker container run` / `podman run` command starts, or None."""
    if command.name not in DOCKER_LIKE or not command.executed:
        return None
    args = list(command.args)
    i = 0
    while i < len(args) and args[i].text.startswith("-"):  # global options: `docker --context x run …`
        text = args[i].text
        i += 2 if text in DOCKER_GLOBAL_VALUE and "=" not in text else 1
    if i < len(args) and args[i].text == "container":
        i += 1
    if i >= len(args) or args[i].text not in ("run", "create"):
        return None
    program = command.program
    assert program is not None
    service = Service(name="", line=program.line, column=program.column)
    name = ""
    i += 1
    while i < len(args):
        word = args[i]
        text = word.text
        if text == "--":
            i += 1
            break
        if not text.startswith("-") or text == "-":
            break
        if text.startswith("--"):
            option, sep, value = text.partition("=")
            if sep:
                value_word: Word | None = word
                skip = len(option) + 1
            elif option in RUN_BOOL_LONG:
                value_word, value, skip = word, "true", -1
            else:
                value_word = args[i + 1] if i + 1 < len(args) else None
                value = value_word.text if value_word else ""
                skip = 0
                i += 1
            i += 1
            if value_word is not None:
                line, column = (word.line, word.column) if skip < 0 else value_word.at(skip)
                name = _apply_run_option(service, option, value, line, column) or name
            continue
        # short options, possibly clustered: `-dit`, `-p5432:5432`, `-itp 80:80`
        k = 1
        while k < len(text):
            ch = text[k]
            if ch == "P":  # --publish-all, clustered or not
                _apply_run_option(service, "--publish-all", "true", *word.at(k))
            if ch in RUN_VALUE_SHORT:
                if k + 1 < len(text):
                    value, (line, column) = text[k + 1 :], word.at(k + 1)
                elif i + 1 < len(args):
                    i += 1
                    value, (line, column) = args[i].text, (args[i].line, args[i].column)
                else:
                    value, line, column = "", word.line, word.column
                name = _apply_run_option(service, "-" + ch, value, line, column) or name
                break
            k += 1
        i += 1
    if i < len(args):
        service.image = args[i].text
    service.name = name or service.image or f"{command.name} run"
    return service


def _apply_run_option(service: Service, option: str, value: str, line: int, column: int) -> str | None:
    """Record one `docker run` option on `service`; returns the container name for `--name`."""
    if option in ("-p", "--publish"):
        service.ports.append(parse_port_short(value, line, column))
    elif option == "--publish-all":  # every port the image exposes, on every interface
        if value.lower() not in ("false", "0"):
            service.ports.append(Port("--publish-all", None, None, "(every exposed port)", line, column))
    elif option in ("-v", "--volume"):
        service.mounts.append(_short_volume(value, line, column))
    elif option == "--mount":
        service.mounts.append(_long_mount(value, line, column))
    elif option == "--privileged":
        if value.lower() not in ("false", "0"):
            service.privileged = Setting("true", line, column)
    elif option in NAMESPACE_OPTS:
        service.namespaces[NAMESPACE_OPTS[option]] = Setting(value, line, column)
    elif option == "--cap-add":
        service.cap_add.append(Setting(value, line, column))
    elif option == "--security-opt":
        service.security_opt.append(Setting(value, line, column))
    elif option in ("-e", "--env"):
        env_name, sep, env_value = value.partition("=")
        service.environment.append(EnvVar(env_name, env_value if sep else None, line, column))
    elif option == "--name":
        return value
    return None


