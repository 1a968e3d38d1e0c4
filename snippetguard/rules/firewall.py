"""SG305–SG306: firewalls opened for a database port, or turned off."""

from __future__ import annotations

import re
from collections.abc import Iterator

from snippetguard.containers import DATABASE_PORTS, is_loopback
from snippetguard.kinds.shell import Command, ShellScript, Word
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules._shellopts import Opt, _commands, scan_options

KINDS = ("shell",)
FIREWALL = "security/firewall.md"

# --------------------------------------------------------------------------- firewalls

SERVICE_PORTS = {  # names ufw (from /etc/services) and firewalld accept for database ports
    "postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306, "redis": 6379, "mongodb": 27017,
    "mongo": 27017, "memcache": 11211, "memcached": 11211, "elasticsearch": 9200, "influxdb": 8086,
    "mssql": 1433, "ms-sql-s": 1433, "couchdb": 5984, "etcd-client": 2379, "cassandra": 9042, "neo4j": 7687,
}
PORT_RANGE_RE = re.compile(r"(\d{1,5})(?:[:-](\d{1,5}))?")


def _database_in(spec: str) -> tuple[int, str] | None:
    """The first database port a port spec (`5432`, `5432/tcp`, `5000:6000`, `80,5432`, `postgresql`) opens."""
    body = spec.strip().strip("'\"{}").split("/", 1)[0]
    for item in re.split(r"[,\s]+", body):
        item = item.strip("{}")
        if not item:
            continue
        if item.lower() in SERVICE_PORTS:
            port = SERVICE_PORTS[item.lower()]
            return port, DATABASE_PORTS.get(port, item)
        match = PORT_RANGE_RE.fullmatch(item)
        if match is None:
            continue
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        for port in sorted(DATABASE_PORTS):
            if low <= port <= high:
                return port, DATABASE_PORTS[port]
    return None


def _opened(what: tuple[int, str], spec: str) -> str:
    port, name = what
    base = spec.strip().split("/")[0]
    if base == str(port):
        return f"{name} port {port}"
    if base.lower() in SERVICE_PORTS:
        return f"the {base} service ({name} port {port})"
    return f"{spec} ({name} port {port})"


def _ufw_rule(command: Command) -> tuple[list[Word], str] | None:
    """The words of a `ufw allow|limit …` rule (after options, `insert N`, `route`), and its action."""
    words = [w for w in command.args if w.text not in ("--dry-run", "--force", "-f")]
    texts = [w.text for w in words]
    i = 0
    if texts[:1] == ["route"]:
        i = 1
    if texts[i : i + 1] == ["insert"]:
        i += 2
    elif texts[i : i + 1] == ["prepend"]:
        i += 1
    if i < len(texts) and texts[i] in ("allow", "limit"):
        return words[i + 1 :], texts[i]
    return None


def _ufw_database(command: Command) -> Iterator[Hit]:
    found = _ufw_rule(command)
    if found is None:
        return
    words, action = found
    if "comment" in [w.text for w in words]:  # `… comment 'why'`: the comment is no part of the rule
        words = words[: [w.text for w in words].index("comment")]
    texts = [w.text for w in words]
    if not texts or texts[0] == "out":
        return
    if len(texts) == 1 or (len(texts) == 2 and texts[0] == "in"):  # simple syntax: `ufw allow 5432/tcp`
        word = words[-1]
        what = _database_in(word.text)
        if what:
            yield Hit(word.line, word.column, f"ufw {action} {word.text} opens {_opened(what, word.text)} "
                                              "to every address")
        return
    if "on" in texts and texts[texts.index("on") + 1 : texts.index("on") + 2] == ["lo"]:
        return  # loopback interface only
    source = "any"
    target: Word | None = None
    section = ""
    k = 0
    while k < len(texts) - 1:
        token = texts[k]
        if token in ("from", "to"):
            section = token
            if token == "from":
                source = texts[k + 1]
            k += 2
        elif token in ("port", "app"):
            if section != "from":  # `from X port P` is the source port
                target = words[k + 1]
            k += 2
        else:
            k += 1
    if source != "any" and is_loopback(source.split("/")[0]):
        return
    where = "every address" if source in ("any", "0.0.0.0/0", "::/0") else source
    if target is not None:
        what = _database_in(target.text)
        if what:
            yield Hit(target.line, target.column, f"ufw {action} opens {_opened(what, target.text)} to {where}")
    else:  # full syntax without a port: every port, database ports included
        yield Hit(words[0].line, words[0].column, f"ufw {action} without a port opens every port, database "
                                                  f"ports included, to {where}")


def _firewalld_database(command: Command) -> Iterator[Hit]:
    opts, _ = scan_options(command.args, "", ("--add-port", "--add-service", "--add-rich-rule", "--zone"))
    for opt in opts:
        value = opt.value or ""
        if opt.name in ("--add-port", "--add-service"):
            what = _database_in(value)
            if what:
                line, column = opt.word.at(len(opt.name) + 1) if "=" in opt.word.text else (opt.word.line,
                                                                                         opt.word.column)
                yield Hit(line, column, f"firewall-cmd {opt.name}={value} opens {_opened(what, value)} to every "
                                        "address")
        elif opt.name == "--add-rich-rule" and re.search(r"\baccept\b", value):
            source = re.search(r"source\s+address=[\"']?([^\"'\s]+)", value)
            if source and is_loopback(source.group(1).split("/")[0]):
                continue
            port = re.search(r"port\s+port=[\"']?([\d:-]+)", value) or re.search(
                r"service\s+name=[\"']?([\w-]+)", value)
            what = _database_in(port.group(1)) if port else None
            if what:
                where = source.group(1) if source else "every address"
                yield Hit(opt.word.line, opt.word.column, f"firewall-cmd rich rule opens {_opened(what, port.group(1))}"
                                                          f" to {where}")


IPTABLES_CHAINS = frozenset({"INPUT", "FORWARD", "DOCKER-USER"})


def _iptables_database(command: Command) -> Iterator[Hit]:
    opts, _ = scan_options(command.args, "AIDpsdijtmR",
                           ("--append", "--insert", "--delete", "--protocol", "--source", "--destination",
                            "--dport", "--destination-port", "--dports", "--destination-ports", "--in-interface",
                            "--jump", "--table", "--match", "--sport", "--source-port", "--ports"))
    chain = target = source = interface = None
    port: Opt | None = None
    for opt in opts:
        if opt.name in ("-A", "--append", "-I", "--insert"):
            chain = opt.value
        elif opt.name in ("-D", "--delete"):
            return
        elif opt.name in ("-j", "--jump"):
            target = opt.value
        elif opt.name in ("-s", "--source"):
            source = opt.value
        elif opt.name in ("-i", "--in-interface"):
            interface = opt.value
        elif opt.name in ("--dport", "--destination-port", "--dports", "--destination-ports", "--ports"):
            port = opt
    if chain not in IPTABLES_CHAINS or target != "ACCEPT" or port is None or interface == "lo":
        return
    if source and is_loopback(source.split("/")[0]):
        return
    what = _database_in(port.value or "")
    if what:
        where = source or "every address"
        yield Hit(port.word.line, port.word.column, f"{command.name} accepts {_opened(what, port.value or '')} "
                                                    f"from {where}")


def _nft_database(command: Command) -> Iterator[Hit]:
    texts = " ".join(w.text for w in command.args).split()
    if len(texts) < 2 or texts[0] not in ("add", "insert") or texts[1] != "rule" or "accept" not in texts:
        return
    if "dport" not in texts:
        return
    joined = " ".join(texts)
    saddr = re.search(r"saddr\s+(\S+)", joined)
    if (saddr and is_loopback(saddr.group(1).split("/")[0])) or re.search(r"\biifn?a?m?e?\s+\"?lo\"?\b", joined):
        return
    spec = re.search(r"dport\s+(\{[^}]*\}|\S+)", joined)
    what = _database_in(spec.group(1)) if spec else None
    if what and spec:
        first = command.args[0]
        yield Hit(first.line, first.column, f"nft rule accepts {_opened(what, spec.group(1))} from "
                                            f"{saddr.group(1) if saddr else 'every address'}")


@rule(
    code="SG305", title="Firewall opened for a database port",
    kinds=KINDS,
    why="The database only needs to be reached by the DesterLib API, which talks to it over Docker's internal "
        "network. Opening its port in the firewall, even to your LAN, puts the database one weak password away "
        "from anyone who can reach the machine, including every device on the network. A port Docker publishes "
        "ignores ufw and firewalld altogether: neither an allow nor a deny rule changes who reaches it.",
    fix="Open no database port. Keep the database unpublished (the API reaches it over the Compose network) or "
        "published on `127.0.0.1` only; open only what runs on the host itself, such as SSH and, with a reverse "
        "proxy, `sudo ufw allow 80/tcp` and `sudo ufw allow 443/tcp`.",
    guide=f"{FIREWALL}#database-ports",
    insecure=(Example("sudo ufw allow 5432/tcp\n", "shell", 1),
              Example("sudo firewall-cmd --permanent --add-port=5432/tcp\nsudo firewall-cmd --reload\n", "shell", 1)),
    secure=(Example("sudo ufw allow OpenSSH\nsudo ufw allow 80/tcp\nsudo ufw allow 443/tcp\n", "shell"),
            Example("sudo firewall-cmd --permanent --add-service=https\nsudo firewall-cmd --reload\n", "shell")),
)
def database_port_opened(parsed: ShellScript) -> Iterator[Hit]:
    for command in _commands(parsed):
        if not command.executed:
            continue
        if command.name == "ufw":
            yield from _ufw_database(command)
        elif command.name == "firewall-cmd":
            yield from _firewalld_database(command)
        elif command.name in ("iptables", "ip6tables", "iptables-legacy", "iptables-nft"):
            yield from _iptables_database(command)
        elif command.name == "nft":
            yield from _nft_database(command)


FIREWALL_UNITS = frozenset({"firewalld", "ufw", "nftables", "iptables", "ip6tables", "netfilter-persistent"})


def _unit(name: str) -> str:
    return name.removesuffix(".service")


@rule(
    code="SG306", title="Firewall turned off",
    kinds=KINDS,
    why="With the firewall off, every service listening on the machine (SSH, databases, admin panels, anything "
        "installed later) is reachable from every network it is on. Turning it off to make one port work "
        "exposes all the others.",
    fix="Keep the firewall on and check its rules instead (`sudo ufw status verbose`, `sudo firewall-cmd "
        "--list-all`); allow only what runs on the host, e.g. `sudo ufw allow 443/tcp` for a reverse proxy. A port "
        "Docker publishes does not need a firewall rule: Docker opens it whatever the firewall says.",
    guide=f"{FIREWALL}#keep-firewall-on",
    insecure=(Example("sudo ufw disable\n", "shell", 1),
              Example("sudo systemctl disable --now firewalld\n", "shell", 1)),
    secure=(Example("sudo ufw enable\nsudo ufw status verbose\n", "shell"),
            Example("sudo systemctl enable --now firewalld\n", "shell")),
)
def firewall_off(parsed: ShellScript) -> Iterator[Hit]:
    for command in _commands(parsed):
        if not command.executed:
            continue
        name, texts = command.name, command.arg_texts()
        where = (command.line, command.column)
        message: str | None = None
        if command.raw_program.startswith("/etc/init.d/") and texts[:1] == ["stop"] and name in FIREWALL_UNITS:
            message = f"{command.raw_program} stop turns the firewall off"
        elif name == "ufw":
            rest = [t for t in texts if t not in ("--force", "-f", "--dry-run")]
            if rest[:1] == ["disable"]:
                message = "ufw disable turns the firewall off"
            elif rest[:1] == ["reset"]:
                message = "ufw reset turns the firewall off (and deletes its rules)"
            elif rest[:2] == ["default", "allow"] and (len(rest) < 3 or rest[2] in ("incoming", "routed")):
                message = "ufw default allow lets every incoming connection through"
        elif name == "systemctl":
            verbs = [t for t in texts if not t.startswith("-")]
            if verbs and verbs[0] in ("stop", "disable", "mask", "kill"):
                units = [u for u in verbs[1:] if _unit(u) in FIREWALL_UNITS]
                if units:
                    message = f"systemctl {verbs[0]} {' '.join(units)} turns the firewall off"
        elif name in ("service", "rc-service") and len(texts) >= 2 and _unit(texts[0]) in FIREWALL_UNITS \
                and texts[1] == "stop":
            message = f"{name} {texts[0]} stop turns the firewall off"
        elif name == "chkconfig" and len(texts) >= 2 and texts[0] in FIREWALL_UNITS and texts[1] == "off":
            message = f"chkconfig {texts[0]} off turns the firewall off"
        elif name in ("iptables", "ip6tables", "iptables-legacy", "iptables-nft"):
            message, where = _iptables_off(command, where)
        elif name == "nft" and texts[:2] == ["flush", "ruleset"]:
            message = "nft flush ruleset removes every firewall rule"
        elif name == "pfctl" and "-d" in texts:
            message = "pfctl -d turns the macOS packet filter off"
        elif name == "firewall-cmd":
            for word in command.args:
                if word.text in ("--set-default-zone=trusted",) or (
                        word.text == "--set-default-zone" and "trusted" in texts):
                    message = "firewall-cmd --set-default-zone=trusted accepts every connection"
                    where = (word.line, word.column)
        if message:
            yield Hit(where[0], where[1], message)


def _iptables_off(command: Command, where: tuple[int, int]) -> tuple[str | None, tuple[int, int]]:
    opts, operands = scan_options(command.args, "tPFA", ("--table", "--policy", "--flush"))
    table = next((o.value for o in opts if o.name in ("-t", "--table")), "filter")
    if table != "filter":
        return None, where
    for opt in opts:
        if opt.name in ("-F", "--flush"):
            chain = opt.value or "every chain"
            return f"{command.name} -F flushes the firewall rules of {chain}", opt.position
        if opt.name in ("-P", "--policy"):
            chain = opt.value or ""
            target = operands[0].text if operands else ""
            if chain in ("INPUT", "FORWARD") and target == "ACCEPT":
                return f"{command.name} -P {chain} ACCEPT lets every connection through", opt.position
    return None, where


