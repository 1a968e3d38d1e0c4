"""A throw-away PostgreSQL cluster for proofs: found, started and stopped by the test session.

Where PostgreSQL comes from, in order:
1. Debian/Ubuntu's `postgresql-15` (`/usr/lib/postgresql/15/bin`): the major version DesterLib ships
   (`postgres:15-alpine`). CI installs it (.ci/run).
2. The `pgserver` wheel pinned in requirements.txt (PostgreSQL 16.2; no wheel of PostgreSQL 15 exists
   on PyPI), so the proofs also run where apt is not available.

The server listens on a Unix socket in a private temporary folder and on 127.0.0.1 only. Like the
official postgres image, local (socket) connections are trusted and TCP connections need the
password (scram-sha-256): `docker exec desterlib-postgres psql ...` works without a password, the
API's `DATABASE_URL` does not. initdb refuses to run as root, so under root the server and every
procedure run as the unprivileged user `nobody`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
ADMIN = "proof_admin"  # the cluster's bootstrap superuser; never a role a procedure uses
HOW_TO_GET = ("install Debian's postgresql-15 (apt-get install postgresql-15) or the pinned pgserver wheel "
              "(make .venv/.installed, Python 3.9 to 3.12)")


@dataclass(frozen=True)
class Install:
    bin: Path
    version: str  # e.g. "15.18"
    source: str  # where it came from, for the testing page

    @property
    def component(self) -> str:
        return f"{self.version} ({self.source})"


def _version(bin_dir: Path) -> str:
    out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=True).stdout
    return out.strip().rsplit(" ", 1)[-1].split("-")[0]


def find_install() -> Install | None:
    if (DEBIAN_BIN / "postgres").is_file():
        return Install(DEBIAN_BIN, _version(DEBIAN_BIN), "Debian postgresql-15")
    spec = importlib.util.find_spec("pgserver")  # located, not imported: only its binaries are used
    if spec is not None and spec.submodule_search_locations:
        bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
        if (bin_dir / "postgres").is_file():
            from importlib.metadata import version

            return Install(bin_dir, _version(bin_dir), f"pgserver {version('pgserver')} wheel")
    return None


@dataclass(frozen=True)
class Account:
    """Who runs the server and the procedures: `nobody` under root, else the current user."""

    uid: int
    gid: int
    name: str

    @classmethod
    def unprivileged(cls) -> Account:
        if os.geteuid() != 0:
            entry = pwd.getpwuid(os.geteuid())
            return cls(entry.pw_uid, entry.pw_gid, entry.pw_name)
        entry = pwd.getpwnam("nobody")
        return cls(entry.pw_uid, entry.pw_gid, entry.pw_name)

    @property
    def drops_privileges(self) -> bool:
        return os.geteuid() == 0

    def popen_kwargs(self) -> dict[str, object]:
        if not self.drops_privileges:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def own(self, path: Path) -> None:
        """Make `path` (a folder this test created) and everything under it this account's."""
        if not self.drops_privileges:
            return
        for root, dirs, files in os.walk(path):
            os.chown(root, self.uid, self.gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), self.uid, self.gid, follow_symlinks=False)


def private_dir(prefix: str, account: Account) -> Path:
    """A fresh folder outside pytest's root-only tmp tree, owned by `account`."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    account.own(path)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    install: Install
    account: Account
    root: Path = field(init=False)
    port: int = field(init=False, default=0)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def _run(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), input=input, capture_output=True, text=True, check=check, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": str(self.root), **(env or {})},
                              cwd=self.root, **self.account.popen_kwargs())  # type: ignore[call-overload]

    def start(self) -> None:
        self.root = private_dir("proof-pg-", self.account)
        (self.socket_dir).mkdir()
        self.account.own(self.root)
        bin_dir = self.install.bin
        self._run(str(bin_dir / "initdb"), "-D", str(self.data), "-U", ADMIN, "--auth-local=trust",
                  "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
        # Like the official image: trusted socket, password over TCP (loopback only here).
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8")
        self.account.own(self.data)
        for attempt in range(5):
            self.port = free_port()
            result = self._run(
                str(bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                "-o", f"-k {self.socket_dir} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off",
                "start", check=False)
            if result.returncode == 0:
                return
            if attempt == 4:
                log = (self.root / "server.log").read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.install.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop",
                      check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers for tests --------------------------------------------------------------------------
    def client_env(self) -> dict[str, str]:
        """What `docker exec desterlib-postgres …` sees as its connection defaults: the local socket."""
        return {"PGHOST": str(self.socket_dir), "PGPORT": str(self.port)}

    def sql(self, script: str, *, db: str = "postgres", user: str = ADMIN, env: dict[str, str] | None = None) -> str:
        """Run SQL through the trusted socket; returns psql's unaligned output."""
        result = self._run(str(self.install.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA",
                           "-U", user, "-d", db, input=script, env={**self.client_env(), **(env or {})}, check=False)
        if result.returncode:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def init_volume(self, user: str, password: str, db: str) -> None:
        """What the postgres image does on an empty data volume: the account and its database."""
        self.drop_volume(user, db)
        self.sql("\\getenv pw PROOF_PASSWORD\n"
                 f'CREATE ROLE "{user}" SUPERUSER LOGIN PASSWORD :\'pw\';\n'
                 f'CREATE DATABASE "{db}" OWNER "{user}";\n', env={"PROOF_PASSWORD": password})

    def drop_volume(self, user: str, db: str) -> None:
        if user == ADMIN:
            raise ValueError("a procedure may not use the cluster's own superuser")
        self.sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE);\nDROP ROLE IF EXISTS "{user}";\n')

    def tcp_login(self, user: str, password: str, db: str) -> subprocess.CompletedProcess[str]:
        """A password login over TCP, the way the API connects (host `postgres` becomes 127.0.0.1)."""
        return self._run(str(self.install.bin / "psql"), "-X", "-tA", "-h", "127.0.0.1", "-p", str(self.port),
                         "-U", user, "-d", db, "-c", "select current_user",
                         env={"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"}, check=False)

    def url_login(self, url: str) -> subprocess.CompletedProcess[str]:
        """psql with a libpq connection URI (libpq percent-decodes it, as Prisma does)."""
        return self._run(str(self.install.bin / "psql"), "-X", "-tA", url, "-c", "select current_user",
                         env={"PGCONNECT_TIMEOUT": "10"}, check=False)
