"""Child process of bench.py: check N generated snippets on one core, print one JSON line."""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import snippetguard
from benchmarks.corpus import snippets


def main() -> None:
    count = int(sys.argv[1])
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    corpus = snippets(count)
    # Warm the imports and compiled patterns once, as a build does before its first page.
    snippetguard.check_snippets(snippets(50, seed=1))
    start = time.perf_counter()
    results = snippetguard.check_snippets(corpus)
    seconds = time.perf_counter() - start
    internal = sum(f.rule == "SG000" for r in results for f in r.all_findings())
    unknown = sum(f.rule == "SG002" for r in results for f in r.all_findings())
    print(json.dumps({
        "n": count,
        "seconds": seconds,
        "per_second": count / seconds,
        "findings": sum(len(r.all_findings()) for r in results),
        "internal_errors": internal,
        "unknown_kinds": unknown,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
