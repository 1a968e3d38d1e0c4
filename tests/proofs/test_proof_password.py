"""Proof 1: the database password change on database.md works for both installers' layouts.

Starting from the files each installer writes (tests/proofs/installers.py) and a database
initialised with the old password, the whole published procedure runs in one shell, as a reader
would paste it. Then: the old password is refused and the new one accepted over TCP (password
authentication, as the API connects); the API's DATABASE_URL, as Compose resolves it for the
recreated container and parsed like Prisma does, logs in; the new value is in exactly the files
and number of places the page says, each file mode 600; nothing in the install folder still holds
the old value; neither value appeared on a command line.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from snippetguard.directives import REGION_RE

from proofs.installers import Layout, cli_layout, hardened_layout, setup_layout
from proofs.pgcluster import Cluster
from proofs.support import SNIPPETS, Machine, compose_version, published

pytestmark = [pytest.mark.proof, pytest.mark.slow]

NAME = "db-password-rotation"
SNIPPET = "shell/change-db-password.sh"
# Inside the postgres container `-h postgres` reaches the server over the network; here that is 127.0.0.1.
SUBSTITUTIONS = {"-h postgres": "-h 127.0.0.1"}


def prisma_like(url: str) -> dict[str, str | int | None]:
    """Read DATABASE_URL the way Prisma's PostgreSQL connector does: a URL, percent-decoded."""
    parts = urlsplit(url)
    assert parts.scheme in ("postgresql", "postgres"), url
    query = dict(q.split("=", 1) for q in parts.query.split("&") if "=" in q)
    return {"user": unquote(parts.username or ""), "password": unquote(parts.password or ""),
            "host": parts.hostname, "port": parts.port or 5432, "db": unquote(parts.path.lstrip("/")),
            "schema": query.get("schema")}


def install(machine: Machine, layout_name: str) -> Layout:
    media = machine.home / "media"
    media.mkdir()
    if layout_name == "cli":
        layout = cli_layout(machine.install_dir, media, password="correct-horse-42")
    elif layout_name == "hardened":
        layout = hardened_layout(machine.install_dir, media, SNIPPETS, password="Hand-made-0ld-pass")
    else:
        layout = setup_layout(machine.install_dir, media)  # the setup script's defaults: postgres/postgres
    machine.own()
    started = machine.run("cd ~/.desterlib\ndocker compose up -d\n")  # what both installers run last
    assert started.returncode == 0, started.stderr
    return layout


def text_without(region: str) -> str:
    """The published procedure with one step left out (for a mutation check)."""
    raw = (SNIPPETS / SNIPPET).read_text(encoding="utf-8").split("\n")
    out, skipping = [], False
    for line in raw:
        match = REGION_RE.match(line)
        if match and match.group(2) == region:
            skipping = match.group(1) == "start"
            continue
        if not skipping:
            out.append(line)
    from snippetguard.embed import shown

    text, _ = shown("\n".join(out))
    for old, new in SUBSTITUTIONS.items():
        text = text.replace(old, new)
    return text + "\n"


def problems(machine: Machine, pg: Cluster, layout: Layout, out: str, err: str) -> list[str]:
    """Everything the page promises after the procedure; an empty list means it kept its word."""
    found: list[str] = []
    state = machine.state()
    install_dir = machine.install_dir
    if state["refused"]:
        found.append(f"the docker stand-in refused: {state['refused']}")
    # What the reader sees.
    if "ALTER ROLE" not in out:
        found.append("psql did not print ALTER ROLE")
    if f'password authentication failed for user "{layout.user}"' not in err:
        found.append("the old password was not refused in step 6")
    if layout.user not in out.split():
        found.append("the new password was not accepted in step 6")
    expected_counts = {f"./{rel}:{n}" for rel, n in layout.copies.items()}
    counts = {line for line in out.splitlines() if re.fullmatch(r"\./\S+:\d+", line)}
    if counts != expected_counts:
        found.append(f"step 6 counts {sorted(counts)}, expected {sorted(expected_counts)}")
    # The database itself.
    old_login = pg.tcp_login(layout.user, layout.password, layout.db)
    if old_login.returncode == 0 or "password authentication failed" not in old_login.stderr:
        found.append(f"old password still accepted over TCP: {old_login.stdout.strip()} {old_login.stderr.strip()}")
    postgres_env = state["containers"].get("desterlib-postgres", {}).get("env", {})
    new = postgres_env.get("POSTGRES_PASSWORD", "")
    if not re.fullmatch(r"[0-9a-f]{64}", new):
        found.append("the recreated postgres container did not get a new generated password")
        return found
    new_login = pg.tcp_login(layout.user, new, layout.db)
    if new_login.returncode or new_login.stdout.strip() != layout.user:
        found.append(f"new password refused over TCP: {new_login.stderr.strip()}")
    # The API, as Compose configures the recreated container.
    api_env = state["containers"].get("desterlib-api", {}).get("env", {})
    url = api_env.get("DATABASE_URL", "")
    parsed = prisma_like(url)
    if parsed["password"] != new or parsed["user"] != layout.user or parsed["db"] != layout.db:
        found.append("the API's DATABASE_URL does not carry the new password")
    if parsed["host"] != "postgres" or parsed["port"] != 5432 or parsed["schema"] != "public":
        found.append(f"the API's DATABASE_URL changed shape: {parsed['host']}:{parsed['port']} schema={parsed['schema']}")
    as_prisma = (f"postgresql://{quote(str(parsed['user']), safe='')}:{quote(str(parsed['password']), safe='')}"
                 f"@127.0.0.1:{pg.port}/{quote(str(parsed['db']), safe='')}")
    as_written = url.replace("@postgres:5432/", f"@127.0.0.1:{pg.port}/").split("?", 1)[0]  # libpq has no `schema`
    for label, candidate in (("decoded and re-encoded", as_prisma), ("as written", as_written)):
        login = pg.url_login(candidate)
        if login.returncode or login.stdout.strip() != layout.user:
            found.append(f"the API's DATABASE_URL ({label}) cannot log in: {login.stderr.strip()}")
    recreated = [e[1] for e in state["events"] if e[0] == "recreate"]
    if recreated.count("postgres") < 2 or recreated.count("api") < 2:  # once by the installer, once by step 5
        found.append(f"containers not recreated after the change: {state['events']}")
    # Where the value lives, and where the old one no longer does.
    for rel, n in layout.copies.items():
        path = install_dir / rel
        text = path.read_text(encoding="utf-8")
        if text.count(new) != n:
            found.append(f"{rel} holds {text.count(new)} copies of the new password, the page says {n}")
        mode = path.stat().st_mode & 0o777
        if mode != 0o600:
            found.append(f"{rel} has mode {mode:o} after the change, the page says 600")
    for path in sorted(p for p in install_dir.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(install_dir).as_posix()
        if layout.password != "postgres" and layout.password in text:
            found.append(f"{rel} still holds the old password")
        elif layout.password == "postgres" and rel in layout.copies and re.search(
                r":postgres@|PASSWORD[:=] *\"?postgres\b", text):
            found.append(f"{rel} still holds the old password postgres")
    leaked = [argv for argv in state.get("argv", []) if any(new in a or (layout.password != "postgres" and
                                                                         layout.password in a) for a in argv)]
    if leaked:
        found.append(f"a password appeared on a command line: {leaked[0][:3]}")
    return found


def run_procedure(machine: Machine, text: str) -> tuple[str, str]:
    result = machine.run(text)
    return result.stdout, result.stderr


def test_password_rotation(machines, pg: Cluster, proof) -> None:
    for layout_name in ("cli", "setup-scripts", "hardened"):
        machine = machines()
        layout = install(machine, layout_name)
        before = pg.tcp_login(layout.user, layout.password, layout.db)
        assert before.returncode == 0, before.stderr  # the installed system works with the old password
        out, err = run_procedure(machine, published(SNIPPET, substitutions=SUBSTITUTIONS))
        found = problems(machine, pg, layout, out, err)
        assert not found, f"{layout_name}:\n" + "\n".join(found) + f"\n--- stdout\n{out}\n--- stderr\n{err}"
        machine.run("cd ~/.desterlib\ndocker compose down -v\n")  # the next layout is another machine
    for layout_name, mutation in MUTATIONS:
        check_mutation_is_caught(layout_name, mutation, machines(), pg)
    proof.record(
        NAME, snippets=[SNIPPET],
        components={"PostgreSQL": pg.install.component, "Docker Compose (config)": compose_version()},
        summary=f"PostgreSQL {pg.install.version}: old password refused, new one accepted through DATABASE_URL, "
                "for the npm CLI's and the setup scripts' files",
        checks=[
            "starts from the files each installer writes: CLI (docker-compose.yml twice, ~/.desterlib/.env), "
            "setup scripts (docker-compose.yml three times, apps/api/.env, default password postgres)",
            "the whole procedure runs as published, in one shell, as an unprivileged user",
            "the old password is refused over TCP (password authentication failed), the new one accepted",
            "the DATABASE_URL Docker Compose gives the recreated API, parsed like Prisma (percent-decoded), logs in",
            "the new value is 64 hex characters, in exactly the places the page names, each file mode 600",
            "no file in the install folder still holds the old password; neither value appeared on a command line",
            "step 6's output matches the page: the refusal, the user name, the copy counts per file",
            "also for this site's hand-made set-up (compose/stack.yml, password in .env only, as it reads there)",
            "mutations caught: ALTER ROLE left out; step 4 run in a new terminal (the files keep the old value, "
            "nothing is emptied); containers not recreated",
        ],
    )


MUTATIONS = [("cli", "alter"), ("setup-scripts", "new-terminal"), ("setup-scripts", "recreate")]


def check_mutation_is_caught(layout_name: str, mutation: str, machine: Machine, pg: Cluster) -> None:
    layout = install(machine, layout_name)
    if mutation == "new-terminal":
        # Steps 1-3 in one shell; step 4 onwards in a new one, where the variables are gone.
        first = "cd ~/.desterlib\n" + "".join(published(SNIPPET, r) for r in ("old", "generate", "alter"))
        rest = "cd ~/.desterlib\n" + "".join(published(SNIPPET, r, SUBSTITUTIONS if r == "verify" else None)
                                             for r in ("files", "recreate", "verify"))
        out1, err1 = run_procedure(machine, first)
        out2, err2 = run_procedure(machine, rest)
        out, err = out1 + out2, err1 + err2
        assert "start again at step 1" in err2, err2  # the guard spoke up
        for rel in layout.copies:  # and nothing was emptied: the old value is still there
            assert layout.password in (machine.install_dir / rel).read_text(encoding="utf-8"), rel
    else:
        out, err = run_procedure(machine, text_without(mutation))
    found = problems(machine, pg, layout, out, err)
    machine.run("cd ~/.desterlib\ndocker compose down -v\n")
    assert found, f"mutation {mutation!r} was not caught"


def test_substitutions_are_only_host_names() -> None:
    text = Path(SNIPPETS / SNIPPET).read_text(encoding="utf-8")
    assert text.count("-h postgres") == 2
