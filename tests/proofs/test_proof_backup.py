"""Proof 2: the backup and restore on docker.md bring a library back, also under another user name.

A library modelled on DesterLib's schema (an enum, an array column, foreign keys, the `settings`
table with the TMDB key and the JWT secret) is dumped with the published backup on one install,
the backup file is carried to a second, fresh install (its old install removed, as on a new
machine), where the API's start has already created empty tables (what `prisma db push` does),
and the published restore loads it. Checked: file and folder modes (600, 700), the backup lies
outside the API's build context, the dump holds the secrets in plaintext (as the page warns), the
published count prints the same numbers before and after, and every table's rows are identical.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from proofs.docker_shim import build_context
from proofs.installers import Layout, cli_layout, setup_layout
from proofs.pgcluster import Cluster
from proofs.support import Machine, compose_version, published

pytestmark = [pytest.mark.proof, pytest.mark.slow]

NAME = "backup-restore"
BACKUP_SNIPPET = "shell/backup.sh"
RESTORE_SNIPPET = "shell/restore.sh"
TMDB_KEY = "tmdb-key-3f2a9c0e"
JWT_SECRET = "jwt-secret-71bd0c55"

SCHEMA = """\
CREATE TYPE "MediaType" AS ENUM ('MOVIE', 'TV_SHOW', 'MUSIC', 'COMIC');
CREATE TABLE "Media" (id text PRIMARY KEY, title text NOT NULL, type "MediaType" NOT NULL,
  "meshGradientColors" text[], rating double precision, "createdAt" timestamp(3) NOT NULL DEFAULT now());
CREATE TABLE "Library" (id text PRIMARY KEY, name text NOT NULL, slug text UNIQUE NOT NULL,
  "parentId" text REFERENCES "Library"(id) ON DELETE CASCADE, "libraryPath" text);
CREATE TABLE "MediaLibrary" (id text PRIMARY KEY, "mediaId" text NOT NULL REFERENCES "Media"(id) ON DELETE CASCADE,
  "libraryId" text NOT NULL REFERENCES "Library"(id) ON DELETE CASCADE);
CREATE TABLE settings (id text PRIMARY KEY, key text UNIQUE NOT NULL, value text NOT NULL);
"""
DATA = f"""\
INSERT INTO "Library" VALUES ('lib1', 'Films', 'films', NULL, '/media/Films'),
  ('lib2', 'Séries', 'series', NULL, '/media/Séries'), ('lib3', 'Kids', 'kids', 'lib1', '/media/Films/Kids');
INSERT INTO "Media" SELECT 'm' || n, 'Title ' || n || E' \\\\ tab\\there "quoted" ''single'' é 日本',
  (ARRAY['MOVIE','TV_SHOW','MUSIC','COMIC']::"MediaType"[])[1 + n % 4], ARRAY['#a0b1c2', '#ffffff'],
  n / 7.0, timestamp '2025-11-17 12:00' + n * interval '1 minute' FROM generate_series(1, 1500) n;
INSERT INTO "MediaLibrary" SELECT 'ml' || n, 'm' || n, 'lib' || (1 + n % 3) FROM generate_series(1, 1500) n;
INSERT INTO settings VALUES ('s1', 'tmdbApiKey', '{TMDB_KEY}'), ('s2', 'jwtSecret', '{JWT_SECRET}');
"""
TABLES = ('"Media"', '"Library"', '"MediaLibrary"', "settings")


def start(machine: Machine, layout_name: str, password: str) -> Layout:
    media = machine.home / "media"
    media.mkdir()
    if layout_name == "cli":
        layout = cli_layout(machine.install_dir, media, password=password)
    else:
        layout = setup_layout(machine.install_dir, media, password=password)
    machine.own()
    started = machine.run("cd ~/.desterlib\ndocker compose up -d\n")
    assert started.returncode == 0, started.stderr
    # The API's first start creates the (empty) tables: what `prisma db push` does.
    machine_cluster(machine).sql(SCHEMA, db=layout.db, user=layout.user)
    return layout


def machine_cluster(machine: Machine) -> Cluster:
    assert machine.cluster is not None
    return machine.cluster


def snapshot(pg: Cluster, layout: Layout) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the ordered rows, per table."""
    out = {}
    for table in TABLES:
        row = pg.sql(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t;",
                     db=layout.db, user=layout.user).strip()
        count, digest = row.split("|")
        out[table] = (int(count), digest)
    return out


def counts_printed(text: str) -> tuple[int, int] | None:
    match = re.search(r"^\s*(\d+)\s*\|\s*(\d+)\s*$", text, re.M)
    return (int(match.group(1)), int(match.group(2))) if match else None


def backup(machine: Machine, backup_text: str) -> tuple[Path, str]:
    result = machine.run(backup_text)
    assert result.returncode == 0, result.stderr
    files = sorted((machine.home / "desterlib-backups").glob("desterlib-*.sql"))
    assert len(files) == 1, files
    return files[0], result.stdout


def carry(backup_file: Path, target: Machine) -> Path:
    """Copy the backup to the new machine, as a reader copies it (mode and folder kept private)."""
    folder = target.home / "desterlib-backups"
    folder.mkdir(mode=0o700)
    copy = folder / backup_file.name
    shutil.copy2(backup_file, copy)
    target.own()
    return copy


def restore(target: Machine, copy: Path, text: str | None = None):
    restore_text = text or published(RESTORE_SNIPPET, substitutions={
        "desterlib-2025-01-31.sql": copy.name})
    return target.run(restore_text + published(BACKUP_SNIPPET, "count"))


def restore_problems(target: Machine, pg: Cluster, layout: Layout, result, expected: dict, printed: tuple | None) -> list[str]:
    found = []
    state = target.state()
    if state["refused"]:
        found.append(f"the docker stand-in refused: {state['refused']}")
    if "ERROR" in result.stderr or result.returncode:
        found.append(f"restore printed errors: {result.stderr.strip()[:300]}")
    try:
        got = snapshot(pg, layout)
    except RuntimeError as err:
        got = {}
        found.append(f"restored database unreadable: {err}")
    if got != expected:
        found.append(f"restored tables differ: {got} != {expected}")
    if counts_printed(result.stdout) != printed:
        found.append(f"the count check printed {counts_printed(result.stdout)}, before the backup {printed}")
    events = [e for e in state["events"] if e[0] in ("stop", "start")]
    if events != [["stop", "api"], ["start", "api"]]:
        found.append(f"the API was not stopped during the restore and started after it: {events}")
    return found


def check_scenario(source_layout: str, target_layout: str, machines, pg: Cluster) -> None:
    machine = machines()
    source = start(machine, source_layout, "old-machine-password-1")
    pg.sql(DATA, db=source.db, user=source.user)
    expected = snapshot(pg, source)
    assert expected['"Media"'][0] == 1500
    backup_file, backup_out = backup(machine, published(BACKUP_SNIPPET))
    printed = counts_printed(backup_out)
    assert printed == (1500, 3), backup_out

    # The backup: private, complete, outside the API's build context, and holding the secrets.
    assert backup_file.stat().st_mode & 0o777 == 0o600
    assert backup_file.parent.stat().st_mode & 0o777 == 0o700
    assert f"-rw------- 1 {machine.account.name}" in backup_out
    assert backup_out.splitlines()[1] == "1", backup_out  # grep -c finds the end-of-dump marker once
    dump = backup_file.read_text(encoding="utf-8")
    assert TMDB_KEY in dump and JWT_SECRET in dump, "the page warns that dumps hold the TMDB key and JWT secret"
    assert not backup_file.is_relative_to(machine.install_dir)
    assert "\r" not in dump and " OWNER TO " not in dump
    if source_layout == "setup-scripts":
        built = machine.run("cd ~/.desterlib\ndocker compose up -d --build api\n")
        assert built.returncode == 0, built.stderr
        context = machine.state()["built_context"]
        assert not [f for f in context if f.endswith(".sql")], context
        # The reason for the folder: a dump inside the install folder would be sent into the image.
        assert "backups/desterlib.sql" not in context
        inside = machine.install_dir / "backups" / "desterlib.sql"
        inside.parent.mkdir()
        inside.write_text("-- dump\n", encoding="utf-8")
        assert "backups/desterlib.sql" in build_context(machine.install_dir)
        inside.unlink()
        inside.parent.rmdir()

    # A new machine: the old install is gone, the new one starts empty.
    gone = machine.run("cd ~/.desterlib\ndocker compose down -v\n")
    assert gone.returncode == 0, gone.stderr
    target_machine = machines()
    target = start(target_machine, target_layout, "new-machine-password-2")
    assert snapshot(pg, target)['"Media"'][0] == 0
    copy = carry(backup_file, target_machine)
    result = restore(target_machine, copy)
    found = restore_problems(target_machine, pg, target, result, expected, printed)
    assert not found, "\n".join(found) + f"\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    target_machine.run("cd ~/.desterlib\ndocker compose down -v\n")  # the next scenario starts from an empty server


SCENARIOS = [("cli", "cli"), ("setup-scripts", "cli"), ("cli", "setup-scripts")]  # the last two rename the user


def test_backup_and_restore(machines, pg: Cluster, proof) -> None:
    for source_layout, target_layout in SCENARIOS:
        check_scenario(source_layout, target_layout, machines, pg)
    for snippet, old, new in MUTATIONS:
        check_mutation_is_caught(snippet, old, new, machines, pg)
    proof.record(
        NAME, snippets=[BACKUP_SNIPPET, RESTORE_SNIPPET],
        components={"PostgreSQL": pg.install.component, "Docker Compose (config)": compose_version()},
        summary=f"PostgreSQL {pg.install.version}: backup (mode 600, outside the build context) restored into a "
                "fresh install, also under another user name; every row identical",
        checks=[
            "a library modelled on DesterLib's schema (enum, array column, foreign keys, settings) with 1,500 titles",
            "backup as published: file mode 600, folder 700, complete (pg_dump's end-of-dump marker found once), no owner "
            "statements, no CR characters",
            "the backup lies outside ~/.desterlib; a dump inside the setup scripts' clone would be in the API's "
            "build context (its .dockerignore matches at the root only)",
            "the dump holds the TMDB key and the JWT secret in plaintext, as the pages warn",
            "restore as published into a fresh install whose API already created empty tables: CLI to CLI, "
            "setup scripts (postgres/desterlib_prod) to CLI (desterlib/desterlib) and back",
            "every table's rows identical after the restore; the published count prints the same numbers",
            "the API is stopped during the restore and started after it",
            "mutations caught: -t instead of -i, the empty-database step left out ('relation already exists'), "
            "pg_dump without --no-owner restored under another user name",
        ],
    )


MUTATIONS = [
    ("restore", "docker exec -i ", "docker exec -t "),  # a terminal instead of the file's content
    ("restore", "docker exec desterlib-postgres sh -c 'dropdb", "# docker exec desterlib-postgres sh -c 'dropdb"),
    ("backup", "--no-owner --no-privileges ", ""),  # restored under another user name
]


def check_mutation_is_caught(snippet: str, old: str, new: str, machines, pg: Cluster) -> None:
    machine = machines()
    source = start(machine, "setup-scripts", "old-machine-password-1")
    pg.sql(DATA, db=source.db, user=source.user)
    expected = snapshot(pg, source)
    backup_text = published(BACKUP_SNIPPET)
    if snippet == "backup":
        assert old in backup_text
        backup_text = backup_text.replace(old, new)
    backup_file, backup_out = backup(machine, backup_text)
    printed = counts_printed(backup_out)
    assert machine.run("cd ~/.desterlib\ndocker compose down -v\n").returncode == 0
    target_machine = machines()
    target = start(target_machine, "cli", "new-machine-password-2")
    copy = carry(backup_file, target_machine)
    text = published(RESTORE_SNIPPET, substitutions={"desterlib-2025-01-31.sql": copy.name})
    if snippet == "restore":
        assert old in text
        text = text.replace(old, new)
    result = restore(target_machine, copy, text)
    found = restore_problems(target_machine, pg, target, result, expected, printed)
    target_machine.run("cd ~/.desterlib\ndocker compose down -v\n")
    assert found, f"mutation {old!r} not caught"
