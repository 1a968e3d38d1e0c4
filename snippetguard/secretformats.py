"""detect-secrets' format detectors, without importing detect-secrets on every build.

Importing detect-secrets costs about 0.15 s (it pulls in `requests` for its
online verifiers), more than checking a whole site's snippets. So the regular
expressions of its format detectors are recorded in `detect_secrets_formats.json`
for the pinned release, and searched directly; detect-secrets itself is only
imported to confirm a candidate match (rare in documentation), or when the
installed release differs from the recorded one. A test compares the record
with the installed library, and `make secret-formats` rewrites it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

RECORD = Path(__file__).with_name("detect_secrets_formats.json")

# Format detectors only. Entropy and keyword heuristics (including the vendor "keyword = value"
# detectors for IBM, Cloudant and SoftLayer) are left out: secret *names* are judged in secrets.py,
# and those heuristics cost 60 % of the scan while flagging bcrypt hashes and placeholders.
# Private keys are found by secrets.PEM_BEGIN_RE, which also knows PKCS#8 `ENCRYPTED PRIVATE KEY`.
SKIPPED_DETECTORS = frozenset({
    "KeywordDetector", "HighEntropyString", "Base64HighEntropyString", "HexHighEntropyString", "BasicAuthDetector",
    "IPPublicDetector", "IbmCloudIamDetector", "IbmCosHmacDetector", "CloudantDetector", "SoftlayerDetector",
    "PrivateKeyDetector",
})


@dataclass(frozen=True)
class Format:
    secret_type: str
    module: str  # detect_secrets.plugins.<module>
    name: str  # the detector class
    patterns: tuple[re.Pattern[str], ...]

    def confirms(self, text: str) -> bool:
        """detect-secrets' own verdict on a line a pattern matched (imports the detector)."""
        return any(True for _ in _detector(self.module, self.name).analyze_string(text))


@cache
def _detector(module: str, name: str) -> Any:
    import importlib

    return getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), name)()


def live() -> list[dict[str, Any]]:
    """The format detectors of the installed detect-secrets, described as the record stores them."""
    import importlib
    import pkgutil

    import detect_secrets.plugins as plugins
    from detect_secrets.plugins.base import RegexBasedDetector

    found: list[dict[str, Any]] = []
    for info in sorted(pkgutil.iter_modules(plugins.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"detect_secrets.plugins.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, RegexBasedDetector) and value is not RegexBasedDetector
                    and value.__name__ not in SKIPPED_DETECTORS and value.__module__ == module.__name__):
                found.append({
                    "secret_type": str(value.secret_type), "module": info.name, "name": value.__name__,
                    "patterns": [[p.pattern, p.flags & ~re.UNICODE] for p in value().denylist],
                })
    return found


def installed_version() -> str:
    return metadata.version("detect-secrets")


@cache
def formats() -> tuple[Format, ...]:
    """The recorded formats when they describe the installed detect-secrets; otherwise the live ones."""
    record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.is_file() else {}
    described = record.get("formats") if record.get("detect_secrets") == installed_version() else None
    return tuple(
        Format(d["secret_type"], d["module"], d["name"], tuple(re.compile(p, f) for p, f in d["patterns"]))
        for d in (described if described is not None else live())
    )


def write_record() -> Path:
    RECORD.write_text(json.dumps({"detect_secrets": installed_version(), "formats": live()}, indent=1) + "\n",
                      encoding="utf-8")
    return RECORD
