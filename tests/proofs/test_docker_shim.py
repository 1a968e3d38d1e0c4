"""The proofs' `docker` stand-in refuses what it does not understand and behaves like Docker where it answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from proofs.docker_shim import REFUSED, build_context
from proofs.installers import DOCKERIGNORE, cli_layout, setup_layout
from proofs.pgcluster import Cluster
from proofs.support import SHIM, Machine, compose_binary

pytestmark = pytest.mark.slow


@pytest.fixture
def installed(machine: Machine, pg: Cluster) -> Machine:
    media = machine.home / "media"
    media.mkdir()
    cli_layout(machine.install_dir, media, password="shim-test-password")
    machine.own()
    assert machine.run("cd ~/.desterlib\ndocker compose up -d\n").returncode == 0
    return machine


@pytest.mark.parametrize("command", [
    "docker run --rm postgres:15-alpine true",
    "docker compose logs api",
    "docker compose config",
    "docker compose up api",  # not detached
    "docker exec desterlib-api true",  # no API runs in proofs
    "docker exec --user root desterlib-postgres true",
    "docker compose pull",
])
def test_refuses_what_it_does_not_understand(installed: Machine, command: str) -> None:
    result = installed.run(f"cd ~/.desterlib\n{command}\n")
    assert result.returncode == REFUSED, result.stderr
    assert "proof docker shim refused" in result.stderr
    assert installed.state()["refused"], "a refusal is recorded so the proof fails"


def test_exec_sees_the_container_environment_and_the_real_server(installed: Machine) -> None:
    result = installed.run('docker exec desterlib-postgres sh -c \'echo "$POSTGRES_USER/$POSTGRES_DB"; '
                           'psql -U "$POSTGRES_USER" -tAc "select current_user"\'\n')
    assert result.stdout.split() == ["desterlib/desterlib", "desterlib"], result.stderr


def test_exec_without_i_gets_no_input_and_it_with_a_file_fails_like_docker(installed: Machine) -> None:
    (installed.home / "input.sql").write_text("select 42;\n", encoding="utf-8")
    installed.own()
    psql = "sh -c 'psql -U \"$POSTGRES_USER\" -tA'"
    quiet = installed.run(f"docker exec desterlib-postgres {psql} < ~/input.sql\n")
    assert "42" not in quiet.stdout
    piped = installed.run(f"docker exec -i desterlib-postgres {psql} < ~/input.sql\n")
    assert piped.stdout.strip() == "42"
    tty = installed.run(f"docker exec -it desterlib-postgres {psql} < ~/input.sql\n")
    assert tty.returncode == 1 and "the input device is not a TTY" in tty.stderr
    crlf = installed.run("docker exec -t desterlib-postgres psql -U desterlib -tAc 'select 1' | od -c | head -1\n")
    assert "\\r  \\n" in crlf.stdout


def test_postgres_values_change_nothing_on_an_initialised_volume(installed: Machine, pg: Cluster) -> None:
    compose = installed.install_dir / "docker-compose.yml"
    compose.write_text(compose.read_text(encoding="utf-8").replace("shim-test-password", "another-password"),
                       encoding="utf-8")
    assert installed.run("cd ~/.desterlib\ndocker compose up -d --force-recreate\n").returncode == 0
    assert pg.tcp_login("desterlib", "shim-test-password", "desterlib").returncode == 0
    assert pg.tcp_login("desterlib", "another-password", "desterlib").returncode != 0


def test_dockerignore_matches_at_the_context_root_only(tmp_path) -> None:
    setup_layout(tmp_path, tmp_path / "media")
    for rel in ("backup.sql", "backups/desterlib.sql", "server.log", "apps/api/logs/combined.log", "node_modules/x.js",
                "apps/api/node_modules/y.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    context = build_context(tmp_path)
    assert len(DOCKERIGNORE) == 19
    assert "backup.sql" in context and "backups/desterlib.sql" in context  # *.sql is not excluded at all
    assert "server.log" not in context  # *.log: the root only
    assert "apps/api/logs/combined.log" in context
    assert "apps/api/.env" in context and ".dockerignore" in context
    assert "node_modules/x.js" not in context and "apps/api/node_modules/y.js" in context



def test_the_tools_folder_leaves_the_checkout_as_it_was(shim_tools: tuple[Path, Path]) -> None:
    """The stand-in and Compose are put where the unprivileged account can run them without changing the owner
    or mode of the checkout's files (a hard link shares them: chown-ing it once made the .venv's Compose and
    docker_shim.py belong to `nobody`, and left docker_shim.py modified in git)."""
    shim, compose = shim_tools
    assert os.access(shim, os.X_OK) and os.access(compose, os.X_OK)
    for source in (SHIM, Path(compose_binary())):
        info, folder = source.stat(), source.parent.stat()
        assert (info.st_uid, info.st_gid) == (folder.st_uid, folder.st_gid), f"{source} changed owner"
    assert SHIM.stat().st_mode & 0o777 == 0o644, "docker_shim.py's mode changed (git sees it as modified)"
