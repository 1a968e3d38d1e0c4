"""Results of the pure-Python checks, memoised in the process and on disk.

In the process (for `mkdocs serve`): the same text, kind and place is checked
once; a rebuild re-checks only what changed.

On disk (for fresh processes: `mkdocs build`, CI): keyed by a fingerprint of
the engine (every snippetguard source file and the versions of the parsing
libraries, so a changed rule or library invalidates every entry), the kind and
the text. SQLite in WAL mode: each write is atomic, two builds may share the
folder, and an interrupted build loses nothing already committed. A cache that
cannot be opened or read is skipped: the checks then simply run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from functools import cache
from importlib import metadata
from pathlib import Path

from snippetguard.cachedir import cache_dir
from snippetguard.engine import Result, check_snippet, make_finding, settle
from snippetguard.model import Snippet
from snippetguard.registry import KINDS, RULES

_MEMO: dict[tuple[str, str, str, int, int, str], Result] = {}
LIBRARIES = ("PyYAML", "bashlex", "crossplane", "gixy-ng", "detect-secrets", "jsonschema-rs", "check-jsonschema")
FORMAT = "1"


def cache_root() -> Path:
    return cache_dir()


@cache
def fingerprint() -> str:
    digest = hashlib.sha256(FORMAT.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=missing".encode())
    digest.update(",".join(sorted(RULES)).encode())  # plugins from SNIPPETGUARD_PLUGINS count too
    return digest.hexdigest()


class DiskCache:
    def __init__(self, root: Path) -> None:
        self.path = root / "results.sqlite"
        self._local = threading.local()
        self.failed = False

    def _db(self) -> sqlite3.Connection | None:
        if self.failed:
            return None
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            except (OSError, sqlite3.Error):
                self.failed = True
                return None
            self._local.db = db
        return db

    def get(self, key: str) -> dict[str, object] | None:
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None  # a damaged entry is a miss

    def put(self, key: str, value: dict[str, object]) -> None:
        db = self._db()
        if db is None:
            return
        # A full disk or a locked file costs a re-check next time, nothing more.
        with contextlib.suppress(sqlite3.Error):
            db.execute("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)", (key, json.dumps(value)))


_disk: dict[Path, DiskCache] = {}


def _disk_cache() -> DiskCache | None:
    if os.environ.get("SNIPPETGUARD_RESULT_CACHE", "1") == "0":
        return None
    root = cache_root()
    if root not in _disk:
        _disk[root] = DiskCache(root)
    return _disk[root]


def _key(snippet: Snippet) -> str:
    text = f"{fingerprint()}\0{snippet.kind}\0{snippet.text}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _store(result: Result) -> dict[str, object]:
    s = result.snippet
    raw = [[f.rule, f.line - s.line_offset, f.column - s.col_offset, f.message] for f in result.raw]
    return {"parsed": result.parsed, "raw": raw}


def _load(snippet: Snippet, value: dict[str, object]) -> Result:
    result = Result(snippet, parsed=bool(value["parsed"]))
    result.raw = [make_finding(snippet, RULES[code], line, col, message) for code, line, col, message in value["raw"]]
    settle(result, unjudged=frozenset(r.code for r in RULES.values() if r.check is None and snippet.kind in r.kinds))
    return result


def _cacheable(snippet: Snippet) -> bool:
    # Containers (pages, workflows) are cheap themselves; their blocks are cached one by one.
    return snippet.kind in KINDS and snippet.kind not in ("markdown", "yaml")


def _memo_key(snippet: Snippet) -> tuple[str, str, str, int, int, str]:
    return (snippet.text, snippet.kind, snippet.path, snippet.line_offset, snippet.col_offset, snippet.origin.value)


def known(snippet: Snippet) -> bool:
    """True when this process already holds the result (no work left for it)."""
    return _memo_key(snippet) in _MEMO


def remember(result: Result) -> None:
    """Keep a result computed elsewhere (a worker process) as if checked here."""
    _MEMO.setdefault(_memo_key(result.snippet), result)


def check(snippet: Snippet) -> Result:
    key = _memo_key(snippet)
    result = _MEMO.get(key)
    if result is not None:
        return result
    disk = _disk_cache() if _cacheable(snippet) else None
    stored = disk.get(_key(snippet)) if disk is not None else None
    if stored is not None and all(code in RULES for code, *_ in stored["raw"]):
        result = _load(snippet, stored)
    else:
        result = check_snippet(snippet, check_child=check)
        # never cache a crash or timeout, nor a result with nested blocks (the disk keeps no children)
        if disk is not None and not result.children and not any(f.rule == "SG000" for f in result.raw):
            disk.put(_key(snippet), _store(result))
    _MEMO[key] = result
    return result


def clear() -> None:
    _MEMO.clear()


def _after_fork_in_child() -> None:
    _disk.clear()  # SQLite connections must not cross a fork: the child opens its own


os.register_at_fork(after_in_child=_after_fork_in_child)
