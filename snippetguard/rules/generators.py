"""SG307: secrets generated with too little randomness, measured in bits from the command itself.

A generator's strength is a number that can be read off the command: bytes x 8
(`openssl rand 16`, `head -c 16 /dev/urandom`), characters x log2(alphabet)
(`tr -dc 'A-Za-z0-9' </dev/urandom | head -c 12`), reduced by what later stages
throw away (`tr -d '/+='`, `head -c 10`, `cut -c1-16`) and capped by hashes.
Dedicated generators are judged wherever they appear. Sources that are no
generator at all (`$RANDOM`, the clock, a UUID, PowerShell's `Get-Random`) are
judged only where their output becomes a secret: a variable with a secret's
name, or a `NAME=` line with one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from snippetguard import secrets
from snippetguard.kinds.powershell import Group, Item, PowerShellScript, Token
from snippetguard.kinds.shell import Command, ShellScript, Word
from snippetguard.kinds.shell.values import assignments
from snippetguard.model import Hit
from snippetguard.registry import Example, rule
from snippetguard.rules._tr import tr_set

MIN_BITS = 128
BYTES = frozenset(chr(i) for i in range(256))
HEX = frozenset("0123456789abcdef")
BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
DIGITS = frozenset("0123456789")
DIGEST_HEX = {"md5sum": 32, "sha1sum": 40, "sha224sum": 56, "sha256sum": 64, "sha384sum": 96, "sha512sum": 128,
              "b2sum": 128, "shasum": 40}
RAND_VALUE_OPTS = ("-out", "-rand", "-writerand", "-engine", "-provider", "-provider-path", "-propquery")
SIZE_RE = re.compile(r"(\d+)([KMGT]?)")
WEAK_SOURCE_BITS = {"$RANDOM": 15, "${RANDOM}": 15, "$SRANDOM": 32, "${SRANDOM}": 32, "$$": 22}
CLOCK_BITS = 25  # a timestamp to the second, guessed within about a year
UUID_BITS = 122  # a random (version 4) UUID: 6 of its 128 bits are fixed
PY_TOKEN_RE = re.compile(r"token_(hex|urlsafe|bytes)\((\d+)\)")


@dataclass
class Flow:
    """Randomness passing down a pipeline: its bits, the characters it is written in, and its length."""

    bits: float
    chars: frozenset[str]
    length: float  # math.inf for an endless stream
    what: str  # the generator, for the message
    where: tuple[int, int]
    dedicated: bool  # a secret generator (judged anywhere), not a weak source (judged only as a secret)

    def capacity(self) -> float:
        return self.length * math.log2(len(self.chars)) if len(self.chars) > 1 else 0.0

    def settle(self) -> None:
        self.bits = min(self.bits, self.capacity())


def _size(text: str) -> int | None:
    match = SIZE_RE.fullmatch(text)
    if match is None:
        return None
    return int(match.group(1)) * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}[match.group(2)]


def _reads_urandom(command: Command) -> bool:
    return any(w.text in ("/dev/urandom", "/dev/random") for w in command.args) or any(
        r.op == "<" and r.target is not None and r.target.text in ("/dev/urandom", "/dev/random")
        for r in command.redirects)


def _openssl_rand(command: Command) -> Flow | None:
    args = list(command.args)
    if not args or args[0].text != "rand":
        return None
    encoding, k = "", 1
    while k < len(args):
        text = args[k].text
        if text in RAND_VALUE_OPTS:
            k += 2
        elif text.startswith("-"):
            encoding = encoding or (text if text in ("-base64", "-hex") else "")
            k += 1
        else:
            size = _size(text)
            if size is None:
                return None  # `openssl rand -hex "$LENGTH"`: cannot be told
            label = f"openssl rand {encoding + ' ' if encoding else ''}{text}"
            flow = Flow(8.0 * size, BYTES, size, label, (args[k].line, args[k].column), True)
            if encoding == "-hex":
                _encode(flow, HEX, 2 * size)
            elif encoding == "-base64":
                _encode(flow, BASE64, math.ceil(8 * size / 6))
            return flow
    return None


def _encode(flow: Flow, chars: frozenset[str], length: float) -> None:
    flow.chars, flow.length = chars, length


def _source(command: Command) -> Flow | None:
    """The randomness a pipeline's first command makes, or None."""
    where = (command.line, command.column)
    name, texts = command.name, command.arg_texts()
    if name == "openssl":
        return _openssl_rand(command)
    if name == "head" and _reads_urandom(command):
        count = _head_count(texts)
        return Flow(8.0 * count, BYTES, count, f"head -c {count} /dev/urandom", where, True) if count else None
    if name == "dd" and any(t in ("if=/dev/urandom", "if=/dev/random") for t in texts):
        sizes = {k: _size(v) for k, _, v in (t.partition("=") for t in texts)}
        count = (sizes.get("bs") or 512) * (sizes.get("count") or 1)
        return Flow(8.0 * count, BYTES, count, f"dd of {count} bytes of /dev/urandom", where, True)
    if name in ("cat", "tr") and _reads_urandom(command):
        flow = Flow(math.inf, BYTES, math.inf, "/dev/urandom", where, True)
        return _transform(flow, command) if name == "tr" else flow
    if name == "pwgen":
        return _pwgen(command)
    if name == "uuidgen" or (name == "cat" and "/proc/sys/kernel/random/uuid" in texts):
        random = not any(t in ("-t", "--time", "-m", "--md5", "-s", "--sha1") for t in texts)
        return Flow(UUID_BITS if random else 0.0, HEX, 32, "a UUID", where, False)
    if name in ("python", "python3") and "-c" in texts:
        match = PY_TOKEN_RE.search(" ".join(texts))
        if match:
            size = int(match.group(2))
            return Flow(8.0 * size, BYTES, size, f"secrets.token_{match.group(1)}({size})", where, True)
        return None
    if name == "date":
        return Flow(CLOCK_BITS, BYTES, 64, "the clock (date)", where, False)
    if name in ("echo", "printf"):
        bits = sum(_word_bits(w) for w in command.args)
        return Flow(bits, BYTES, 64, "$RANDOM and the clock", where, False) if bits else None
    return None


def _word_bits(word: Word) -> float:
    """Randomness in a word such as `$RANDOM$(date)$RANDOM`: 15 bits per $RANDOM, ~25 for the clock."""
    text = word.raw
    bits = 0.0
    for token, value in WEAK_SOURCE_BITS.items():
        bits += text.count(token) * value if token != "$RANDOM" else len(re.findall(r"\$RANDOM\b", text)) * value
    bits += CLOCK_BITS * len(re.findall(r"\$\(\s*date\b|`\s*date\b", text))
    bits += UUID_BITS * len(re.findall(r"\$\(\s*uuidgen\s*\)", text))
    return bits


def _head_count(texts: list[str]) -> int | None:
    for k, text in enumerate(texts):
        if text in ("-c", "--bytes") and k + 1 < len(texts):
            return _size(texts[k + 1])
        if text.startswith("-c") and len(text) > 2:
            return _size(text[2:])
        if text.startswith("--bytes="):
            return _size(text.split("=", 1)[1])
    return None


def _pwgen(command: Command) -> Flow:
    texts = command.arg_texts()
    operands = [t for t in texts if not t.startswith("-")]
    length = int(operands[0]) if operands and operands[0].isdigit() else 8
    flags = "".join(t[1:] for t in texts if t.startswith("-") and not t.startswith("--"))
    size = 62 if "A" not in flags and "0" not in flags else 36 if ("A" in flags) != ("0" in flags) else 26
    if "y" in flags:
        size += 32
    bits = length * math.log2(size)
    label = f"pwgen -s {length}" if "s" in flags else f"pwgen {length} (pronounceable: fewer in practice)"
    # Without -s pwgen makes pronounceable passwords: far fewer than these bits, so this is a ceiling.
    return Flow(bits, frozenset(chr(65 + i) for i in range(size)), length, label, (command.line, command.column),
                True)


def _transform(flow: Flow, command: Command) -> Flow | None:
    """What one later pipeline stage does to the randomness; None when it cannot be told."""
    name, texts = command.name, command.arg_texts()
    if name == "base64" or (name == "openssl" and texts[:1] in (["base64"], ["enc"])):
        _encode(flow, BASE64, math.ceil(flow.length * math.log2(len(flow.chars)) / 6) if flow.length != math.inf
                else math.inf)
    elif name in ("xxd", "od", "hexdump", "basenc"):
        _encode(flow, HEX, flow.length * 2)
    elif name == "tr":
        options = "".join(t[1:] for t in texts if t.startswith("-") and len(t) > 1)
        sets = [t for t in texts if not t.startswith("-") or t == "-"]
        if "d" in options and sets:
            chars = tr_set(sets[0])
            kept = flow.chars & chars if "c" in options or "C" in options else flow.chars - chars
            if kept and len(kept) != len(flow.chars):
                flow.length = flow.length * len(kept) / len(flow.chars)
                flow.chars = frozenset(kept)
                flow.settle()
    elif name == "head":
        count = _head_count(texts)
        if count is None:
            lines = next((texts[k + 1] for k, t in enumerate(texts) if t == "-n" and k + 1 < len(texts)), None)
            if lines is None or not lines.isdigit() or flow.length == math.inf:
                return flow if flow.length != math.inf else None
            return flow
        flow.length = min(flow.length, count)
        flow.settle()
    elif name == "fold":
        width = next((int(t[2:] or "0") for t in texts if t.startswith("-w") and t[2:].isdigit()), None)
        width = width or next((int(texts[k + 1]) for k, t in enumerate(texts) if t == "-w" and k + 1 < len(texts)
                               and texts[k + 1].isdigit()), None)
        if width is not None:
            flow.length = min(flow.length, width)  # `| head -n 1` keeps one line of this width
            flow.settle()
    elif name == "cut":
        spec = next((t[2:] or (texts[k + 1] if k + 1 < len(texts) else "") for k, t in enumerate(texts)
                     if t.startswith("-c")), None)
        if spec:
            low, _, high = spec.partition("-")
            if high.isdigit():
                flow.length = min(flow.length, int(high) - (int(low) if low.isdigit() else 1) + 1)
                flow.settle()
    elif name in DIGEST_HEX:
        _encode(flow, HEX, DIGEST_HEX[name])
        flow.settle()
    elif name not in ("awk", "sed", "rev", "cat", "tee"):
        return None
    return flow


def _pipelines(script: ShellScript) -> dict[int, list[Command]]:
    out: dict[int, list[Command]] = {}
    for command in script.commands:
        if command.executed:
            out.setdefault(command.pipeline, []).append(command)
    for members in out.values():
        members.sort(key=lambda c: c.position)
    return out


def _assigned_to(command: Command) -> str | None:
    """The name this command's output is assigned to (`PW=$(…)`, `echo "PW=$(…)"`), if any."""
    word = command.host_word
    if word is None or command.via not in ("$(", "`"):
        return None
    rows = word.raw.split("\n")
    index = command.line - word.line
    if not 0 <= index < len(rows):
        return None
    before = rows[index][: command.column - (word.column if index == 0 else 1)]
    match = ASSIGNED_RE.search(before)
    return match.group(1) if match else None


ASSIGNED_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=[\"']?(?:\$\(|`)\s*$")


def _judge(flow: Flow) -> Hit | None:
    if flow.bits >= MIN_BITS:
        return None
    if flow.what == "/dev/urandom" and flow.length != math.inf:
        flow.what = f"{flow.length:.0f} characters from /dev/urandom in a {len(flow.chars)}-character alphabet"
    return Hit(flow.where[0], flow.where[1], f"{flow.what} gives about {flow.bits:.0f} bits of randomness; a secret "
                                             f"needs at least {MIN_BITS} (`openssl rand -hex 32` gives 256)")


@rule(
    code="SG307", title="Secret generated with too little randomness",
    kinds=("shell", "powershell"),
    why="A generated secret is exactly as strong as the randomness that went into it, and that can be read off "
        "the command: bytes x 8 (`openssl rand 8` is 64 bits), characters x bits per character "
        "(`tr -dc 'A-Za-z0-9' </dev/urandom | head -c 12` is 71 bits), less what later steps cut away. "
        "Under 128 bits is within reach of a determined guesser; `$RANDOM` (15 bits), the clock (`date | "
        "sha256sum`, about 25 bits however long the hash looks) and `Get-Random` are no generators at all.",
    fix="Use `openssl rand -hex 32` (256 bits, letters and digits only, safe inside a `DATABASE_URL`), or "
        "`openssl rand -base64 32 | tr -d '/+='` (about 248 bits); in PowerShell (5.1 and 7) "
        "`$b = New-Object byte[] 32; [Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($b); "
        "-join ($b | ForEach-Object { $_.ToString('x2') })`.",
    guide="security/database.md#strong-passwords",
    insecure=(Example("POSTGRES_PASSWORD=$(openssl rand -base64 12)\n", "shell", 1),
              Example("openssl rand -hex 8\n", "shell", 1),
              Example("DB_PASSWORD=$(echo \"$RANDOM$(date)\" | sha256sum | head -c 32)\n", "shell", 1),
              Example("$env:DB_PASSWORD = -join ((65..90) + (97..122) | Get-Random -Count 12 | "
                      "ForEach-Object { [char]$_ })\n", "powershell", 1)),
    secure=(Example("POSTGRES_PASSWORD=$(openssl rand -hex 32)\n", "shell"),
            Example("openssl rand -base64 32 | tr -d '/+='\nhead -c 32 /dev/urandom | base64 | tr -d '/+='\n", "shell"),
            Example("BACKUP_NAME=\"backup-$RANDOM.tar.gz\"\necho \"$BACKUP_NAME\"\n", "shell"),
            Example("$b = New-Object byte[] 32\n[Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($b)\n"
                    "$env:DB_PASSWORD = -join ($b | ForEach-Object { $_.ToString('x2') })\n", "powershell")),
)
def weak_generator(parsed: ShellScript | PowerShellScript) -> Iterator[Hit]:
    if isinstance(parsed, PowerShellScript):
        yield from _powershell(parsed)
        return
    seen: set[tuple[int, int]] = set()
    for members in _pipelines(parsed).values():
        flow = _source(members[0])
        for later in members[1:]:
            if flow is None:
                break
            flow = _transform(flow, later)
        if flow is None or (flow.length == math.inf and flow.bits == math.inf):
            continue
        flow.settle()
        name = next((n for c in members if (n := _assigned_to(c)) is not None), None)
        secret = name is not None and secrets.is_secret_name(name)
        if (not flow.dedicated and not secret) or (name is not None and not secret):
            continue  # randomness that is no secret: `RUN_ID=$(uuidgen)`, `SUFFIX=$(openssl rand -hex 3)`
        hit = _judge(flow)
        if hit is not None and (hit.line, hit.column) not in seen:
            seen.add((hit.line, hit.column))
            yield hit
    for item in assignments(parsed):  # `POSTGRES_PASSWORD=$RANDOM`
        if not secrets.is_secret_name(item.name):
            continue
        bits = _word_bits(item.word)
        if bits and "$(" not in item.value and "`" not in item.value:  # commands in it are judged above
            line, column = item.position
            if bits < MIN_BITS and (line, column) not in seen:
                seen.add((line, column))
                yield Hit(line, column, f"{item.name} is made from $RANDOM or the clock: about {bits:.0f} bits of "
                                        f"randomness; a secret needs at least {MIN_BITS} (`openssl rand -hex 32` "
                                        "gives 256)")


# -- PowerShell: Get-Random, GUIDs, Membership.GeneratePassword

RANGE_RE = re.compile(r"^(\d+)\.\.(\d+)$")
MEMBERSHIP_CHARS = 62 + 22  # letters, digits and the punctuation GeneratePassword draws from


def _flat(items: list[Item]) -> Iterator[Token]:
    for item in items:
        if isinstance(item, Group):
            yield item.open
            yield from _flat(item.items)
        else:
            yield item


def _powershell(script: PowerShellScript) -> Iterator[Hit]:
    seen: set[tuple[int, int]] = set()
    for pipeline in script.pipelines():
        statement = [i for e in pipeline for i in e.items]
        first = statement[0] if statement else None
        secret = (isinstance(first, Token) and first.text.startswith("$") and len(statement) > 2
                  and isinstance(statement[1], Token) and statement[1].text == "="
                  and secrets.is_secret_name(first.text))
        tokens = list(_flat(statement))
        for k, token in enumerate(tokens):
            found = _ps_source(tokens, k, token, bool(secret))
            if found is not None and (token.line, token.column) not in seen:
                seen.add((token.line, token.column))
                bits, what = found
                if bits < MIN_BITS:
                    yield Hit(token.line, token.column, f"{what} gives about {bits:.0f} bits of randomness; a "
                                                        f"secret needs at least {MIN_BITS} (32 bytes from "
                                                        "RandomNumberGenerator give 256)")


def _ps_source(tokens: list[Token], k: int, token: Token, secret: bool) -> tuple[float, str] | None:
    lower = token.lower
    if lower == "get-random":
        args = [t.lower for t in tokens[k + 1 : k + 6]]
        if "-count" in args:
            index = args.index("-count")
            count = int(args[index + 1]) if index + 1 < len(args) and args[index + 1].isdigit() else None
            alphabet = sum(int(m.group(2)) - int(m.group(1)) + 1
                           for t in tokens[:k] if (m := RANGE_RE.match(t.text)) is not None)
            if count and alphabet:
                bits = sum(math.log2(alphabet - i) for i in range(min(count, alphabet)))
                return bits, f"Get-Random -Count {count} from {alphabet} characters"
        if secret:
            return 31.0, "Get-Random"
        return None
    if lower.endswith("::generatepassword") and k + 1 < len(tokens):
        length = next((int(t.text) for t in tokens[k + 1 : k + 4] if t.text.isdigit()), None)
        if length:
            return length * math.log2(MEMBERSHIP_CHARS), f"GeneratePassword({length})"
    if secret and (lower in ("new-guid",) or lower.endswith("::newguid")):
        return float(UUID_BITS), "a GUID"
    return None
