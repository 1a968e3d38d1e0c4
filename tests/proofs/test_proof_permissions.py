"""Proof 4: the chmod/find steps on file-permissions.md give exactly the modes the page shows.

Run as an unprivileged user on files laid out as each installer leaves them (default umask: 0644
files, 0755 folders) and on a media tree spoiled the way the page describes (every file made
executable, folders and files writable by everyone). Checked: the modes, the `ls` output the page
prints, and that a different, unprivileged account can read none of the secrets (when the test
runs as root it can try as that other account; otherwise the modes alone are checked).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from proofs.installers import cli_layout, setup_layout
from proofs.support import Machine, published

pytestmark = [pytest.mark.proof, pytest.mark.slow]

NAME = "file-permissions"
CONFIG = "shell/config-permissions.sh"
MEDIA = "shell/media-permissions.sh"
STRANGER_UID = 54321  # another local account, for "can anyone else read it?"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def stranger_can_read(path: Path) -> bool | None:
    """Whether another unprivileged account could read the file (None: cannot try without root)."""
    if os.geteuid() != 0:
        return None
    result = subprocess.run(["cat", str(path)], capture_output=True, user=STRANGER_UID, group=STRANGER_UID,
                            extra_groups=[], check=False)
    return result.returncode == 0


def spoiled_media(root: Path) -> None:
    """A library after `chmod -R 755`, plus the world-writable mistakes the page warns about."""
    (root / "Films" / "Kids").mkdir(parents=True)
    (root / "Series" / "Show S01").mkdir(parents=True)
    for rel in ("Films/Film (2001).mkv", "Films/Film (2001).en.srt", "Films/Kids/Cartoon.mp4",
                "Series/Show S01/E01.mkv", "README.txt"):
        (root / rel).write_bytes(b"media")
    for path in root.rglob("*"):
        path.chmod(0o755)
    (root / "Films" / "Kids").chmod(0o777)
    (root / "README.txt").chmod(0o666)


def config_problems(machine: Machine, copies: list[str], out: str) -> list[str]:
    found = []
    install = machine.install_dir
    if mode(install) != 0o700:
        found.append(f"install folder mode {mode(install):o}, the page says 700")
    for rel in copies:
        path = install / rel
        if mode(path) != 0o600:
            found.append(f"{rel} mode {mode(path):o}, the page says 600")
        if stranger_can_read(path):
            found.append(f"another account can read {rel}")
    if not re.search(r"^drwx------ .*\.desterlib$", out, re.M):
        found.append("ls -ld does not show drwx------ for the install folder")
    for rel in copies:
        if not re.search(rf"^-rw------- .* {re.escape(rel)}$", out, re.M):
            found.append(f"ls -l does not show -rw------- for {rel}")
    return found


def media_problems(root: Path, out: str) -> list[str]:
    found = []
    for path in [root, *root.rglob("*")]:
        want = 0o755 if path.is_dir() else 0o644
        if mode(path) != want:
            found.append(f"{path.relative_to(root)} mode {mode(path):o}, the page says {want:o}")
    for line in out.splitlines():
        if line.startswith("total"):
            continue
        if not re.match(r"^(drwxr-xr-x|-rw-r--r--) ", line):
            found.append(f"ls shows {line.split()[0]} (the page promises -rw-r--r-- and drwxr-xr-x)")
    return found


def check_config_permissions(layout_name: str, machine: Machine) -> None:
    media = machine.home / "media"
    media.mkdir()
    layout = (cli_layout(machine.install_dir, media, password="x" * 12) if layout_name == "cli"
              else setup_layout(machine.install_dir, media))
    machine.install_dir.chmod(0o755)
    machine.own()
    copies = sorted(layout.copies)
    assert all(mode(machine.install_dir / rel) == 0o644 for rel in copies)  # as the installers leave them
    if os.geteuid() == 0:
        assert stranger_can_read(machine.install_dir / "docker-compose.yml") is False  # the folder is in a 0700 home
    result = machine.run(published(CONFIG))
    assert result.stderr == "", result.stderr  # (the exit status is ls's: one of the two .env files is absent)
    found = config_problems(machine, copies, result.stdout)
    assert not found, "\n".join(found) + "\n" + result.stdout

    # Mutation checks: the old advice (compose file 644) and a forgotten folder chmod are caught.
    for old, new in (("chmod 600 docker-compose.yml", "chmod 644 docker-compose.yml"),
                     ("chmod 700 ~/.desterlib", "true")):
        for rel in copies:
            (machine.install_dir / rel).chmod(0o644)
        machine.install_dir.chmod(0o755)
        text = published(CONFIG)
        assert old in text
        mutated = machine.run(text.replace(old, new))
        assert config_problems(machine, copies, mutated.stdout), f"mutation not caught: {new}"


def test_file_permissions(machines, proof) -> None:
    for layout_name in ("cli", "setup-scripts"):
        check_config_permissions(layout_name, machines())
    machine = machines()
    root = machine.home / "srv-media"
    checks_run = []
    for region in ("find", "symbolic"):
        root.mkdir()
        spoiled_media(root)
        if region == "symbolic":
            # `X` keeps execute bits that are already set: the page says to use `find` on a spoiled library,
            # and the symbolic form on a healthy one (files 644 or 600 here, folders 755 or 700).
            for path in root.rglob("*"):
                path.chmod(0o700 if path.is_dir() else 0o600)
        machine.own()
        subs = {"/srv/media": str(root)}
        result = machine.run(published(MEDIA, region, subs) + published(MEDIA, "check", subs))
        assert result.returncode == 0, result.stderr
        found = media_problems(root, result.stdout)
        assert not found, f"{region}: " + "\n".join(found) + "\n" + result.stdout
        checks_run.append(region)
        subprocess.run(["rm", "-rf", str(root)], check=True)

    # What the page says about X on a library `chmod -R 755` spoiled: the wrong x bits stay.
    root.mkdir()
    spoiled_media(root)
    machine.own()
    machine.run(published(MEDIA, "symbolic", {"/srv/media": str(root)}))
    assert mode(root / "Films" / "Film (2001).mkv") == 0o755, "the page says X keeps execute bits already set"
    subprocess.run(["rm", "-rf", str(root)], check=True)

    # Mutation: the advice the page warns against is caught.
    root.mkdir()
    spoiled_media(root)
    machine.own()
    bad = machine.run(f"chmod -R 755 {root}\nls -l {root} | head\n")
    assert media_problems(root, bad.stdout), "chmod -R 755 not caught"

    proof.record(
        NAME, snippets=[CONFIG, MEDIA],
        components={"coreutils chmod": _chmod_version(), "run as": "an unprivileged account"},
        summary="install folder 700, Compose and .env files 600 for both installers; media folders 755, files 644",
        checks=[
            "config-permissions.sh on the files each installer leaves (0644, folder 0755): folder 700, "
            "docker-compose.yml and .env / apps/api/.env 600, and ls shows drwx------ and -rw-------",
            "another unprivileged account cannot read any of them afterwards (tried as uid 54321)",
            "media-permissions.sh (find) on a library spoiled by chmod -R 755 and 777/666 modes: every folder 755, "
            "every file 644, and ls shows only drwxr-xr-x and -rw-r--r--",
            "media-permissions.sh (symbolic) on a healthy library (600/700): folders 755, files 644",
            "as the page says, capital X keeps execute bits already set (a spoiled file stays 755)",
            "mutations caught: Compose file left 644, install folder chmod left out, chmod -R 755 on the library",
        ],
    )


def _chmod_version() -> str:
    out = subprocess.run(["chmod", "--version"], capture_output=True, text=True, check=False).stdout
    first = out.splitlines()[0] if out else "unknown"
    return first.rsplit(" ", 1)[-1]
