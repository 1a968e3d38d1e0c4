"""A rule's own example, judged the way a site build judges it (the rules' self-test uses this).

Pure-Python rules, then the version check against the floor the examples are
written for (Debian 12 unless a floor is given), then the real programs.
"""

from __future__ import annotations

from collections.abc import Mapping

from snippetguard import validators, versions
from snippetguard.engine import Result, check_snippet
from snippetguard.model import Origin, Snippet


def judge(text: str, kind: str, *, where: str = "example", programs: bool = True, use_cache: bool = False,
          floors: Mapping[str, tuple[int, ...]] | None = None) -> Result:
    result = check_snippet(Snippet(text, kind, where, origin=Origin.EXAMPLE))
    chosen = dict(versions.EXAMPLE_FLOORS if floors is None else floors)
    versions.apply([result], chosen)
    if programs:
        validators.validate([result], use_cache=use_cache, floors=chosen)
    return result
