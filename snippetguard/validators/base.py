"""What every real-program validator shares: finding the program, running it, caching its verdicts."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from snippetguard import programs
from snippetguard.cachedir import cache_dir
from snippetguard.model import Snippet

CACHE_FORMAT = "1"  # bump when the cache file layout changes
DEFAULT_TIMEOUT = 60.0  # seconds per program run; a hung program fails the snippet, it never hangs the build


@dataclass(frozen=True)
class Job:
    """One snippet for one validator. `text` is what the program reads (same line numbers as the snippet)."""

    index: int
    snippet: Snippet
    text: str


@dataclass(frozen=True)
class Problem:
    """A program's complaint, at a line/column of the snippet."""

    line: int
    column: int
    message: str


@dataclass
class Verdict:
    problems: list[Problem] = field(default_factory=list)
    checked: bool = True  # False: the program could not judge this snippet (see `note`); nothing is cached
    definitive: bool = True  # False: the program failed to run (timeout, crash); reported, never cached
    note: str = ""  # why it was not checked, or (when checked) which parts were not


@dataclass(frozen=True)
class Edition:
    """One build of a validator's program: the pinned current release, or the system's oldest-supported one."""

    command: tuple[str, ...]
    version: str  # what the program says of itself (part of every cache key)
    number: tuple[int, ...]  # parsed from `version`; () when unreadable
    floor: bool = False  # True: the distribution's older build, asked on behalf of the site's floor

    @property
    def shown(self) -> str:
        return ".".join(map(str, self.number)) if self.number else self.version.split("\n", 1)[0][:40]


VERSION_NUMBER_RE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def version_number(text: str) -> tuple[int, ...]:
    """The first dotted version in a program's answer (`nginx version: nginx/1.22.1`, `v2.11.7 h1:…`)."""
    match = VERSION_NUMBER_RE.search(text)
    return tuple(int(g) for g in match.groups() if g is not None) if match else ()


@dataclass
class Counters:
    processes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bump(self) -> None:
        with self.lock:
            self.processes += 1


class Validator(ABC):
    """A program that checks snippets of some kinds. Subclasses are one module each."""

    name: ClassVar[str]  # shown in the trust mark and the report, e.g. "nginx -t"
    rule: ClassVar[str]  # the SG6xx code its complaints are reported under
    kinds: ClassVar[tuple[str, ...]]
    program: ClassVar[str]  # what is missing when it is missing, e.g. "nginx"
    install_hint: ClassVar[str]
    revision: ClassVar[str] = "1"  # bump when snippets are wrapped or rewritten differently: old verdicts expire
    has_floor: ClassVar[bool] = False  # True: also asked with the system's (older) build for the site's floor
    floor_hint: ClassVar[str] = ""  # how to install the distribution's build

    @abstractmethod
    def locate(self) -> list[str] | None:
        """The command (argv prefix) that runs the program, or None when it is not installed."""

    version_args: ClassVar[tuple[str, ...]] = ("--version",)

    def version(self, command: list[str]) -> str:
        """A string that changes whenever the program's verdicts may change (asked once per executable).

        A pinned build's package names its version without the program being started."""
        known = programs.package_version_of(command[0])
        if known is not None:
            return known

        def ask() -> str:
            out = subprocess.run([*command, *self.version_args], capture_output=True, text=True, check=False,
                                 timeout=30)
            return out.stdout.strip() or out.stderr.strip()

        return memo_version(command, ask)

    def floor_command(self) -> list[str] | None:
        """The system's own build of the program (the distribution's package readers install), if any."""
        found = programs.system(self.program)
        return [str(found)] if found else None

    def prepare(self, snippet: Snippet) -> str | None:
        """The text handed to the program, or None to leave this snippet unchecked."""
        return snippet.text

    @abstractmethod
    def check(self, command: list[str], jobs: list[Job], workers: int, counters: Counters) -> dict[int, Verdict]:
        """Run the program over the jobs (batched when it can); a verdict for every job index."""


class OneProcessPerSnippet(Validator):
    """A program that reads one file per run: runs spread over the cores, one snippet each."""

    def check(self, command: list[str], jobs: list[Job], workers: int, counters: Counters) -> dict[int, Verdict]:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            verdicts = pool.map(lambda job: self.check_one(command, job, counters), jobs)
            return dict(zip([job.index for job in jobs], verdicts, strict=True))

    @abstractmethod
    def check_one(self, command: list[str], job: Job, counters: Counters) -> Verdict:
        """Run the program on one snippet."""


def truthy_env(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def program_near_python(name: str) -> list[str] | None:
    """`name` next to the running interpreter (a virtualenv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which(name)
    return [found] if found else None


_VERSIONS: dict[tuple[str, ...], tuple[str, str]] = {}
_VERSIONS_LOCK = threading.Lock()


def memo_version(command: list[str], compute: Callable[[], str]) -> str:
    """Ask a program its version once per executable (size and mtime), kept on disk between builds.

    A warm build would otherwise start one process per program just to learn that nothing changed.
    """
    key = tuple(command)
    try:
        info = os.stat(os.path.realpath(command[0]))
        stamp = f"{info.st_mtime_ns}:{info.st_size}"
    except OSError:
        stamp = ""
    with _VERSIONS_LOCK:
        known = _VERSIONS.get(key)
        if known and known[0] == stamp:
            return known[1]
    store = Cache.default_root() / "programs" / "versions.json"
    name = "\0".join(command)
    try:
        saved = json.loads(store.read_text(encoding="utf-8")).get(name)
    except (OSError, ValueError, AttributeError):
        saved = None
    if stamp and isinstance(saved, list) and len(saved) == 2 and saved[0] == stamp:
        value = str(saved[1])
    else:
        value = compute()
        if stamp:
            _save_version(store, name, stamp, value)
    with _VERSIONS_LOCK:
        _VERSIONS[key] = (stamp, value)
    return value


def _save_version(store: Path, name: str, stamp: str, value: str) -> None:
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = json.loads(store.read_text(encoding="utf-8"))
            data = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            data = {}
        data[name] = [stamp, value]
        fd, tmp = tempfile.mkstemp(dir=store.parent, prefix=".versions-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, store)  # atomic: a concurrent build reads the old file or the new one
    except OSError:
        pass  # no cache: the version is asked again next build


def minimal_env(home: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: the build's own variables (COMPOSE_FILE, DOMAIN, …) must not change verdicts."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "XDG_CONFIG_HOME": home,
        "XDG_DATA_HOME": home,
        "XDG_CACHE_HOME": home,
        "TMPDIR": home,
    }
    env.update(extra or {})
    return env


def run(argv: Sequence[str], *, cwd: str, env: dict[str, str], counters: Counters,
        timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
    counters.bump()
    return subprocess.run(
        list(argv), cwd=cwd, env=env, capture_output=True, text=True, errors="replace",
        timeout=timeout, stdin=subprocess.DEVNULL, check=False,
    )


def failure(tool: str, exc: BaseException | str) -> Verdict:
    """A program that could not run at all: fail the snippet (closed), but do not cache it."""
    reason = exc if isinstance(exc, str) else (
        f"did not finish within {exc.timeout:.0f} s" if isinstance(exc, subprocess.TimeoutExpired) else repr(exc)
    )
    return Verdict([Problem(1, 1, f"{tool} could not check this snippet: {reason}")], definitive=False)


def first_line_with(text: str, needle: str) -> int | None:
    if not needle:
        return None
    for number, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return number
    return None


QUOTED_RE = re.compile(r"""['"]([^'"\s]{1,200})['"]""")


def line_of_quoted(text: str, message: str) -> int | None:
    """The first snippet line holding a value the message quotes, e.g. `unknown directive "proxy_set_headers"`."""
    for value in QUOTED_RE.findall(message):
        line = first_line_with(text, value)
        if line is not None:
            return line
    return None


class Cache:
    """Verdicts on disk, keyed by what determines them; safe for concurrent builds.

    Each entry is one small JSON file written to a temporary name in the same
    directory and renamed over the target (`os.replace` is atomic), so a reader
    sees the old entry, the new one, or none — never half of one. Two builds that
    compute the same key write the same content; the last rename wins.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.writes_failed = 0

    @staticmethod
    def default_root() -> Path:
        return cache_dir()

    @staticmethod
    def key(validator: Validator, version: str, job: Job) -> str:
        parts = [CACHE_FORMAT, validator.name, validator.revision, version, job.snippet.kind, job.snippet.text, job.text]
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, validator: Validator, key: str) -> Path:
        assert self.root is not None
        slug = re.sub(r"[^a-z0-9]+", "-", validator.name.lower()).strip("-")
        return self.root / "programs" / slug / key[:2] / f"{key}.json"

    def get(self, validator: Validator, key: str) -> Verdict | None:
        if self.root is None:
            return None
        try:
            data = json.loads(self._path(validator, key).read_text(encoding="utf-8"))
            problems = [Problem(int(p["line"]), int(p["column"]), str(p["message"])) for p in data["problems"]]
            return Verdict(problems, note=str(data.get("note", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or unreadable: a miss, and the program runs again

    def put(self, validator: Validator, key: str, verdict: Verdict) -> None:
        if self.root is None:
            return
        target = self._path(validator, key)
        payload = {"validator": validator.name, "problems": [p.__dict__ for p in verdict.problems], "note": verdict.note}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(payload, handle)
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            self.writes_failed += 1  # a read-only cache slows builds down; it never fails them
