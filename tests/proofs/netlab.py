"""Network namespaces for the proofs: a small lab the test builds, uses and always tears down.

Every address lives inside namespaces this module created (veth pairs are created
directly inside them: the machine's own namespace gets no interface, no address and
no rule). Names carry the test run's process id, so parallel runs do not collide.

A "host" namespace plays the server: it runs the proxy (nginx or Caddy) and, like
Docker, reaches the "container" namespace over a bridge-like veth link whose host
end is the gateway address. Published ports are emulated with Docker's own NAT
rules (the ones Docker writes when its userland proxy is off): the container sees
the gateway address as its peer, as it does behind docker-proxy too.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROBE = HERE / "netprobe.py"
IN_CI = os.environ.get("CI") == "true"
_counter = itertools.count()

# Addresses of the lab. Documentation and private ranges; none leaves the namespaces.
GATEWAY, CONTAINER = "172.31.0.1", "172.31.0.2"  # the Docker bridge: host end, container end
LAN_HOST, LAN_CLIENT = "192.168.1.10", "192.168.1.20"  # the server and a phone on the home network
WAN_HOST = {"a": "198.51.100.1", "b": "203.0.113.1"}  # the server's side of each internet link
WAN_CLIENT = {"a": "198.51.100.10", "b": "203.0.113.20"}  # two visitors from the internet


def unavailable() -> str:
    """Why namespaces cannot be used here ('' when they can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "nft"):
        if not shutil.which(tool):
            return f"`{tool}` is not installed (iproute2, nftables)"
    probe = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"`ip netns` does not work here: {probe.stderr.strip()}"
    return ""


def require_netns() -> None:
    """Skip with one line locally; fail under CI=true, where the proofs must run."""
    why = unavailable()
    if why:
        if IN_CI:
            pytest.fail(f"proof cannot run under CI: {why}")
        pytest.skip(why)


def sh(*argv: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(argv), capture_output=True, text=True, input=input, timeout=60)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done


@dataclass
class Lab:
    """Namespaces, links and processes of one test; `close()` removes all of them."""

    tag: str = field(default_factory=lambda: f"sg{os.getpid() % 100000}x{next(_counter)}")
    namespaces: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def ns(self, role: str) -> str:
        return f"{self.tag}-{role}"

    def add(self, role: str) -> str:
        name = self.ns(role)
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def link(self, role_a: str, addr_a: str, role_b: str, addr_b: str, *, prefix: int = 24,
             name_a: str = "", name_b: str = "") -> None:
        """A veth pair from role_a to role_b, created inside the namespaces (never in the machine's own)."""
        a, b = self.ns(role_a), self.ns(role_b)
        if_a, if_b = name_a or f"to-{role_b}"[:15], name_b or f"to-{role_a}"[:15]
        sh("ip", "-n", a, "link", "add", if_a, "type", "veth", "peer", "name", if_b, "netns", b)
        for ns, ifname, addr in ((a, if_a, addr_a), (b, if_b, addr_b)):
            sh("ip", "-n", ns, "addr", "add", f"{addr}/{prefix}", "dev", ifname)
            sh("ip", "-n", ns, "link", "set", ifname, "up")

    def route_default(self, role: str, via: str) -> None:
        sh("ip", "-n", self.ns(role), "route", "add", "default", "via", via)

    def sysctl(self, role: str, key: str, value: str) -> None:
        sh("ip", "netns", "exec", self.ns(role), "sysctl", "-q", "-w", f"{key}={value}")

    def nft(self, role: str, ruleset: str) -> None:
        done = sh("ip", "netns", "exec", self.ns(role), "nft", "-f", "-", input=ruleset, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"nft refused the ruleset in {role}:\n{done.stderr}\n{ruleset}")

    def run(self, role: str, *argv: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return sh("ip", "netns", "exec", self.ns(role), *argv, check=check, input=input)

    def start(self, role: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
              log: Path | None = None) -> subprocess.Popen[bytes]:
        out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(["ip", "netns", "exec", self.ns(role), *argv], stdout=out, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, start_new_session=True)
        self.processes.append(proc)
        return proc

    def probe(self, role: str, spec: dict) -> dict:
        """Run one probe (see netprobe.py) from inside a namespace; its JSON answer."""
        done = self.run(role, sys.executable, str(PROBE), json.dumps(spec), check=False)
        if done.returncode != 0:
            raise RuntimeError(f"probe from {role} crashed: {done.stderr.strip()}")
        return json.loads(done.stdout)

    def close(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
        for name in reversed(self.namespaces):
            # Deleting the namespace removes its veth ends (and their peers) and its rules.
            sh("ip", "netns", "del", name, check=False)
        self.namespaces.clear()


@contextmanager
def fresh_lab() -> Iterator[Lab]:
    """A lab for one variant of a proof, torn down even when the variant fails."""
    require_netns()
    lab = Lab()
    try:
        yield lab
    finally:
        lab.close()


def wait_for(condition, what: str, timeout: float = 15.0) -> None:
    """Poll `condition()` (bounded) until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def docker_host(lab: Lab, *, clients: tuple[str, ...] = ("a", "b"), lan: bool = False) -> None:
    """The server ("host"), a container behind Docker's bridge ("ctr"), visitors from the internet.

    The container's port 3001 is published on the host's 127.0.0.1:3001 the way Docker
    does it without its userland proxy: DNAT for locally generated traffic to
    127.0.0.1:3001, and masquerading on the bridge, so the container's peer is the
    gateway address, never 127.0.0.1.
    """
    lab.add("host")
    lab.add("ctr")
    lab.link("host", GATEWAY, "ctr", CONTAINER, name_a="docker0", name_b="eth0")
    lab.route_default("ctr", GATEWAY)
    for c in clients:
        lab.add(f"inet{c}")
        lab.link("host", WAN_HOST[c], f"inet{c}", WAN_CLIENT[c], name_a=f"wan{c}", name_b="eth0")
        lab.route_default(f"inet{c}", WAN_HOST[c])
    if lan:
        lab.add("lan")
        lab.link("host", LAN_HOST, "lan", LAN_CLIENT, name_a="lan0", name_b="eth0")
        lab.route_default("lan", LAN_HOST)
    lab.sysctl("host", "net.ipv4.conf.all.route_localnet", "1")
    lab.nft("host", DOCKER_LOOPBACK_PUBLISH)


DOCKER_LOOPBACK_PUBLISH = f"""
table ip docker-emulation {{
    chain output {{
        type nat hook output priority -100;
        ip daddr 127.0.0.1 tcp dport 3001 dnat to {CONTAINER}:3001
    }}
    chain postrouting {{
        type nat hook postrouting priority 100;
        oifname "docker0" fib saddr type local masquerade
    }}
}}
"""
