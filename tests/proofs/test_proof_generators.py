"""Proof 5: every secret generator on the site gives what the pages promise.

Each snippet that declares proof[secret-generators] runs 1,000 times as published. Every value
must be 64 characters of 0-9a-f (256 bits, at least 128), all values distinct and all sixteen
symbols about equally frequent; usable unchanged inside DATABASE_URL (RFC 3986 unreserved
characters; Python's URL parser and libpq read the same password back, and PostgreSQL accepts a
login with it), in a .env file and in a Compose file (the real Compose binary reads it back as the
same string, quoted and unquoted).
"""

from __future__ import annotations

import json
import math
import string
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from snippetguard import proofs as sg_proofs

from proofs.pgcluster import Cluster
from proofs.support import SNIPPETS, Machine, compose_binary, compose_version, published

pytestmark = [pytest.mark.proof, pytest.mark.slow]

NAME = "secret-generators"
RUNS = 1000
LENGTH = 64
ALPHABET = set("0123456789abcdef")
UNRESERVED = set(string.ascii_letters + string.digits + "-._~")  # RFC 3986: never percent-encoded
MIN_BITS = 128


def run_generator(machine: Machine, rel: str, text: str, runs: int) -> list[str]:
    """Run the snippet text `runs` times as a reader would, and collect the secrets it produced."""
    script = machine.home / ".proof-generator.sh"
    script.write_text(text, encoding="utf-8")
    (machine.install_dir).mkdir(exist_ok=True)
    machine.own()
    result = machine.run(f"for _proof_run in $(seq {runs}); do\n. \"$HOME/.proof-generator.sh\"\ndone\n")
    assert result.returncode == 0, result.stderr
    if rel == "shell/generate-password.sh":
        return result.stdout.splitlines()
    if rel == "shell/env-create.sh":
        env_file = machine.install_dir / ".env"
        mode = env_file.stat().st_mode & 0o777
        assert mode == 0o600, f".env created with mode {mode:o}, the page promises 600"
        lines = env_file.read_text(encoding="utf-8").splitlines()
        env_file.unlink()
        assert all(line.startswith("POSTGRES_PASSWORD=") for line in lines), lines[:3]
        return [line.split("=", 1)[1] for line in lines]
    raise AssertionError(f"{rel} declares proof[{NAME}] but this proof does not know how to read its output; "
                         "teach run_generator")


def value_problems(values: list[str], runs: int) -> list[str]:
    problems = []
    if len(values) != runs:
        problems.append(f"{len(values)} values from {runs} runs")
    if len(set(values)) != len(values):
        problems.append("a value repeated")
    bad = [v for v in values if len(v) != LENGTH or set(v) - ALPHABET]
    if bad:
        problems.append(f"{len(bad)} values are not {LENGTH} characters of 0-9a-f, e.g. {bad[0]!r}")
    bits = LENGTH * math.log2(len(ALPHABET))
    if bits < MIN_BITS:
        problems.append(f"{bits:.0f} bits < {MIN_BITS}")
    counts = Counter("".join(values))
    expected = sum(counts.values()) / len(ALPHABET)
    if set(counts) != ALPHABET or any(abs(n - expected) > 0.15 * expected for n in counts.values()):
        problems.append(f"symbols not uniformly used: {dict(sorted(counts.items()))}")
    unsafe = [v for v in values if set(v) - UNRESERVED]
    if unsafe:
        problems.append(f"{len(unsafe)} values need percent-encoding in DATABASE_URL, e.g. {unsafe[0]!r}")
    for v in values:
        parsed = urlsplit(f"postgresql://desterlib:{v}@postgres:5432/desterlib?schema=public")
        if parsed.password != v or parsed.hostname != "postgres" or parsed.port != 5432:
            problems.append(f"DATABASE_URL with {v!r} parses as password {parsed.password!r}, host {parsed.hostname!r}")
            break
    return problems


def compose_reads_back(values: list[str], folder: Path) -> list[str]:
    """The real Compose binary: from .env through ${...}, and as quoted and plain literals."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".env").write_text("".join(f"V{i}={v}\n" for i, v in enumerate(values)), encoding="utf-8")
    env_lines = "".join(f"      A{i}: ${{V{i}}}\n      B{i}: \"{v}\"\n      C{i}: {v}\n" for i, v in enumerate(values))
    (folder / "compose.yaml").write_text(f"services:\n  probe:\n    image: busybox\n    environment:\n{env_lines}",
                                         encoding="utf-8")
    out = subprocess.run([compose_binary(), "config", "--format", "json"], cwd=folder, capture_output=True,
                         text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(folder)})
    assert out.returncode == 0, out.stderr
    environment = json.loads(out.stdout)["services"]["probe"]["environment"]
    wrong = [f"{prefix}{i}" for i, v in enumerate(values) for prefix in "ABC" if environment[f"{prefix}{i}"] != v]
    return [f"Compose reads {len(wrong)} values back differently, e.g. {wrong[0]}"] if wrong else []


def libpq_accepts(pg: Cluster, values: list[str]) -> list[str]:
    problems = []
    pg.init_volume("proof_generator", "initial-password-0", "proof_generator")
    try:
        for v in values:
            pg.sql("\\getenv pw PROOF_PW\nALTER ROLE proof_generator PASSWORD :'pw';\n", env={"PROOF_PW": v})
            url = f"postgresql://proof_generator:{v}@127.0.0.1:{pg.port}/proof_generator"
            result = pg.url_login(url)
            if result.returncode or result.stdout.strip() != "proof_generator":
                problems.append(f"libpq login with {v!r} in the URL failed: {result.stderr.strip()}")
    finally:
        pg.drop_volume("proof_generator", "proof_generator")
    return problems


def test_secret_generators(machine: Machine, pg: Cluster, proof, tmp_path: Path) -> None:
    files = sg_proofs.declared(SNIPPETS).get(NAME, [])
    assert {"shell/generate-password.sh", "shell/env-create.sh"} <= set(files), files
    checked = []
    for rel in files:
        values = run_generator(machine, rel, published(rel), RUNS)
        problems = value_problems(values, RUNS)
        problems += compose_reads_back(values, tmp_path / rel.replace("/", "-"))
        problems += libpq_accepts(pg, values[:10])
        assert not problems, f"{rel}: " + "; ".join(problems)
        checked.append(rel)

    # Mutation checks: the proof notices a generator that breaks its promise.
    for mutant, why in (("openssl rand -base64 32", "base64 output contains / + ="),
                        ("openssl rand -hex 8", "8 bytes are only 64 bits")):
        text = published("shell/generate-password.sh").replace("openssl rand -hex 32", mutant)
        values = run_generator(machine, "shell/generate-password.sh", text, 100)
        assert value_problems(values, 100), f"mutation not caught: {mutant} ({why})"

    proof.record(
        NAME, snippets=checked,
        components={"OpenSSL": _openssl_version(), "Docker Compose": compose_version(),
                    "PostgreSQL": pg.install.component},
        summary=f"{RUNS} runs each: 64 hex characters (256 bits), URL-, .env- and YAML-safe, accepted by libpq",
        checks=[
            f"each generator snippet run {RUNS} times as published; all values distinct",
            "every value is 64 characters of 0-9a-f: 256 bits (at least 128 required); all 16 symbols within 15% "
            "of equal frequency",
            "every value is made of RFC 3986 unreserved characters, so DATABASE_URL needs no percent-encoding; "
            "Python's URL parser reads the same password back",
            "Docker Compose reads every value back unchanged from .env (${...}), and as a quoted and a plain "
            "YAML value",
            "PostgreSQL accepts a login with the value inside a libpq connection URL (10 values per generator)",
            "env-create.sh leaves .env with mode 600",
            "mutations caught: openssl rand -base64 32 (characters that break the URL), openssl rand -hex 8 (64 bits)",
        ],
    )


def _openssl_version() -> str:
    out = subprocess.run(["openssl", "version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1] if out.split() else out.strip()
