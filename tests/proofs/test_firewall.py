"""Proof 6: the firewall page's rules allow the home network and refuse the internet on port 3001.

What is real here: the kernel's netfilter (iptables and nftables, in network
namespaces the test creates), the guide's commands as published (only `sudo`
dropped, as root), a LAN client, an internet client behind a router, and the
container's own outgoing connection (metadata downloads).

What is emulated: Docker itself. Its rules for a published port are written here
the way Docker writes them (DNAT in nat/PREROUTING, the DOCKER-USER chain first in
FORWARD, then accept rules for the container; some Docker versions end DOCKER-USER
with RETURN). ufw is not run: `ufw deny 3001/tcp` is modelled by the INPUT-chain
drop it generates, which is the part that matters (where the rule sits).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from proofs.components import published
from proofs.netlab import CONTAINER, GATEWAY, Lab, fresh_lab, sh, wait_for

pytestmark = [pytest.mark.proof, pytest.mark.slow]

RULES = "shell/firewall-docker-user.sh"
BOOT = "shell/firewall-docker-user-boot.sh"
NFT = "shell/firewall-nftables.sh"
SERVER_LAN, LAN_CLIENT, ROUTER_LAN = "192.168.1.10", "192.168.1.20", "192.168.1.1"
ROUTER_WAN, INTERNET = "203.0.113.1", "203.0.113.20"


def docker_rules(host_port: int, *, return_rule: bool) -> str:
    """Docker's iptables rules for one container publishing host_port -> 3001 (iptables-restore format)."""
    return f"""*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.31.0.0/24 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport {host_port} -j DNAT --to-destination {CONTAINER}:3001
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:DOCKER-USER - [0:0]
:DOCKER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A DOCKER -d {CONTAINER}/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 3001 -j ACCEPT
{"-A DOCKER-USER -j RETURN" if return_rule else ""}
COMMIT
"""


# What `ufw default deny incoming` and `ufw deny 3001/tcp` put in the INPUT path (simplified).
UFW_DENY_3001 = """*filter
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp --dport 3001 -j DROP
-P INPUT DROP
COMMIT
"""

LISTEN = "import socket,sys\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n" \
         "s.bind(('0.0.0.0',int(sys.argv[1])));s.listen(16)\nprint('listening',flush=True)\n" \
         "while True:\n    c,_=s.accept();c.close()\n"


@pytest.fixture(autouse=True)
def iptables_present() -> None:
    if not shutil.which("iptables-restore"):
        if os.environ.get("CI") == "true":
            pytest.fail("iptables is missing under CI")
        pytest.skip("iptables is not installed")


def home(lab: Lab, tmp: Path, *, host_port: int = 3001, return_rule: bool = True) -> None:
    """Server, LAN client and router on one switch; an internet client behind the router; the container."""
    tmp.mkdir(parents=True, exist_ok=True)
    for role in ("host", "ctr", "sw", "lan", "router", "inet"):
        lab.add(role)
    sh("ip", "-n", lab.ns("sw"), "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", lab.ns("sw"), "link", "set", "br0", "up")
    for role, address, ifname in (("host", SERVER_LAN, "eth0"), ("lan", LAN_CLIENT, "eth0"),
                                  ("router", ROUTER_LAN, "lan0")):
        port = f"p-{role}"[:15]
        sh("ip", "-n", lab.ns("sw"), "link", "add", port, "type", "veth", "peer", "name", ifname, "netns", lab.ns(role))
        sh("ip", "-n", lab.ns("sw"), "link", "set", port, "master", "br0")
        sh("ip", "-n", lab.ns("sw"), "link", "set", port, "up")
        sh("ip", "-n", lab.ns(role), "addr", "add", f"{address}/24", "dev", ifname)
        sh("ip", "-n", lab.ns(role), "link", "set", ifname, "up")
    lab.link("router", ROUTER_WAN, "inet", INTERNET, name_a="wan0", name_b="eth0")
    lab.link("host", GATEWAY, "ctr", CONTAINER, name_a="docker0", name_b="eth0")
    lab.route_default("host", ROUTER_LAN)
    lab.route_default("lan", ROUTER_LAN)
    lab.route_default("inet", ROUTER_WAN)
    lab.route_default("ctr", GATEWAY)
    for role in ("router", "host"):
        lab.sysctl(role, "net.ipv4.ip_forward", "1")
    lab.run("host", "iptables-restore", input=docker_rules(host_port, return_rule=return_rule))
    for role, port in (("ctr", "3001"), ("inet", "443")):
        log = tmp / f"listen-{role}.log"
        lab.start(role, [sys.executable, "-c", LISTEN, port], log=log)
        wait_for(lambda log=log: log.is_file() and "listening" in log.read_text(), f"a listener in {role}")


def reach(lab: Lab, host_port: int = 3001) -> dict[str, str]:
    """Who gets through: the LAN client and the internet client to the published port, the container out."""
    spec = {"op": "tcp", "timeout": 1.5}
    return {
        "lan": lab.probe("lan", {**spec, "address": SERVER_LAN, "port": host_port})["result"],
        "internet": lab.probe("inet", {**spec, "address": SERVER_LAN, "port": host_port})["result"],
        "container-out": lab.probe("ctr", {**spec, "address": INTERNET, "port": 443})["result"],
    }


def shell_rules(text: str, host_port: int = 3001) -> str:
    """The published `rules` region as a script for root (sudo dropped), for the given published port."""
    body = text.replace("sudo ", "")
    return body.replace("--ctorigdstport 3001", f"--ctorigdstport {host_port}") if host_port != 3001 else body


def region(relative: str, name: str) -> str:
    from snippetguard.directives import extract_region

    root = Path(__file__).resolve().parents[2] / "docs" / "snippets"
    return extract_region((root / relative).read_text(encoding="utf-8"), name).text


def unit_exec_start() -> list[str]:
    line = next(x for x in published(BOOT).splitlines() if x.startswith("ExecStart="))
    return line.removeprefix("ExecStart=").split()


def nft_ruleset() -> str:
    text = published(NFT)
    return re.search(r"<<'NFT'\n(.*?)\nNFT\n", text, re.S).group(1)


EXPECTED = {"lan": "open", "internet": "timeout", "container-out": "open"}

MUTATIONS = {
    # The rule appended after the RETURN some Docker versions add is never reached.
    "appended instead of inserted": (3001, lambda s: s.replace("iptables -I DOCKER-USER", "iptables -A DOCKER-USER"),
                                     "internet"),
    # Matching the published port after Docker's DNAT misses it when host and container ports differ.
    "plain --dport on 8080:3001": (8080, lambda s: s.replace("-m conntrack --ctorigdstport 8080 --ctdir ORIGINAL",
                                                             "--dport 8080"), "internet"),
    # The simplest form, without a port, also drops the answers to the container's own connections.
    "no port match": (3001, lambda s: s.replace("-p tcp -m conntrack --ctorigdstport 3001 --ctdir ORIGINAL ", ""),
                      "container-out"),
    # The source test turned round: the internet allowed, the LAN dropped.
    "negation lost": (3001, lambda s: s.replace('! -s "$LAN_NET"', '-s "$LAN_NET"'), "internet"),
}


def test_docker_user_rule_keeps_the_port_on_the_lan(tmp_path: Path, proof) -> None:
    checks = []
    with fresh_lab() as lab:  # the page's warning first: an INPUT-chain deny does not protect the port
        home(lab, tmp_path / "bypass")
        assert reach(lab) == {"lan": "open", "internet": "open", "container-out": "open"}, "the baseline is not open"
        lab.run("host", "iptables-restore", "--noflush", input=UFW_DENY_3001)
        got = reach(lab)
        assert got["internet"] == "open", f"an INPUT-chain deny stopped a published port: {got}"
        checks.append("an INPUT-chain drop for 3001 (what `ufw deny 3001/tcp` writes) leaves the published port open")
        version = iptables_version(lab)
    for host_port in (3001, 8080):
        with fresh_lab() as lab:
            home(lab, tmp_path / f"rule{host_port}", host_port=host_port)
            lab.run("host", "bash", "-euc", shell_rules(region(RULES, "rules"), host_port))
            got = reach(lab, host_port)
            assert got == EXPECTED, f"with the guide's DOCKER-USER rule (published {host_port}:3001): {got}"
            listing = lab.run("host", "bash", "-euc", region(RULES, "check").replace("sudo ", "")).stdout
            assert "ctorigdstport" in listing and "DROP" in listing, f"the check does not show the rule:\n{listing}"
        checks.append(f"published {host_port}:3001 with the rule: " + ", ".join(f"{k} {v}" for k, v in got.items()))
    checks.append("`iptables -L DOCKER-USER -n -v` lists the rule")
    for index, (mutation, (host_port, mutate, broken_for)) in enumerate(MUTATIONS.items()):
        script = shell_rules(region(RULES, "rules"), host_port)
        broken = mutate(script)
        assert broken != script, f"mutation {mutation!r} changed nothing: the snippet moved on"
        with fresh_lab() as lab:
            home(lab, tmp_path / f"mutation{index}", host_port=host_port)
            lab.run("host", "bash", "-euc", broken)
            got = reach(lab, host_port)
        assert got[broken_for] != EXPECTED[broken_for], f"the broken rule ({mutation}) still passed: {got}"
        checks.append(f"mutation '{mutation}' breaks '{broken_for}' ({got[broken_for]})")
    proof.record("firewall-docker-user", snippets=[RULES], components={"iptables": version, "kernel": kernel()},
                 summary="DOCKER-USER rule: the home network reaches the published port, the internet does not",
                 checks=checks)


def test_boot_unit_rule_is_the_same_rule(tmp_path: Path, proof) -> None:
    with fresh_lab() as lab:
        home(lab, tmp_path)
        argv = unit_exec_start()
        assert argv[0] == "/usr/sbin/iptables"
        lab.run("host", "iptables", *argv[1:])
        got = reach(lab)
        assert got == EXPECTED, f"with the boot unit's ExecStart rule: {got}"
        stop = next(x for x in published(BOOT).splitlines()
                    if x.startswith("ExecStop=")).removeprefix("ExecStop=").split()
        lab.run("host", "iptables", *stop[1:])
        assert reach(lab)["internet"] == "open", "ExecStop did not remove the rule"
        version = iptables_version(lab)
    proof.record("firewall-docker-user-boot", snippets=[BOOT], components={"iptables": version, "kernel": kernel()},
                 summary="the systemd unit's ExecStart adds the same LAN-only rule; ExecStop removes it",
                 checks=[f"{k}: {v}" for k, v in got.items()] + ["after ExecStop: internet open again"])


def test_nftables_table_keeps_the_port_on_the_lan(tmp_path: Path, proof) -> None:
    with fresh_lab() as lab:
        home(lab, tmp_path)
        lab.nft("host", nft_ruleset())
        lab.nft("host", nft_ruleset())  # loading it twice must not stack rules (the delete-table idiom)
        got = reach(lab)
        assert got == EXPECTED, f"with the guide's nftables table: {got}"
        listing = lab.run("host", "nft", "list", "table", "inet", "desterlib-lan-only").stdout
        assert listing.count(" drop") == 1, f"the table holds more than one rule:\n{listing}"
        version = nft_version(lab)
    broken = nft_ruleset().replace("ip saddr != 192.168.1.0/24 ", "")
    with fresh_lab() as lab:
        home(lab, tmp_path / "mutation")
        lab.nft("host", broken)
        assert reach(lab)["lan"] != "open", "the nftables proof cannot tell a rule that drops everyone"
    proof.record("firewall-nftables", snippets=[NFT], components={"nftables": version, "kernel": kernel()},
                 summary="an nftables table of its own keeps 3001 on the LAN in front of Docker's iptables rules",
                 checks=[f"{k}: {v}" for k, v in got.items()]
                 + ["loading twice leaves one rule", "mutation 'address test removed' shuts the LAN out too"])


def kernel() -> str:
    return sh("uname", "-r").stdout.strip()


def iptables_version(lab: Lab) -> str:
    return lab.run("host", "iptables", "--version").stdout.strip().removeprefix("iptables ")


def nft_version(lab: Lab) -> str:
    return lab.run("host", "nft", "--version").stdout.strip().removeprefix("nftables ")
