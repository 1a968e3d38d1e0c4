"""Child process of bench.py: rebuild a site in one process, as `mkdocs serve` does."""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

import snippetguard.engine as engine
from snippetguard import validators


def rebuild(site: Path, config_name: str) -> float:
    config = load_config(str(site / config_name), site_dir=str(site / "out"))
    start = time.perf_counter()
    build(config)
    return time.perf_counter() - start


def main() -> None:
    site, bare, rebuilds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    os.chdir(site)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    checked: list[str] = []
    original = engine.check_snippet

    def counting(snippet: engine.Snippet, **kwargs: object) -> engine.Result:
        checked.append(snippet.path)
        return original(snippet, **kwargs)  # type: ignore[arg-type]

    engine.check_snippet = counting  # type: ignore[assignment]
    import snippetguard.cache as memo

    memo.check_snippet = counting  # type: ignore[attr-defined]
    runs: list[int] = []
    original_validate = validators.validate

    def counting_validate(results, **kwargs):  # type: ignore[no-untyped-def]
        report = original_validate(results, **kwargs)
        runs.append(sum(r.processes for r in report.runs))
        return report

    validators.validate = counting_validate  # type: ignore[assignment]
    import snippetguard.docsite as docsite

    docsite.validators.validate = counting_validate  # type: ignore[attr-defined]
    rebuild(site, "mkdocs.yml")  # first build: everything checked once, caches filled
    rebuild(site, bare)
    bare_times: list[float] = []
    hook_times: list[float] = []
    for _ in range(rebuilds):  # alternated, so a slow spell of the machine hits both alike
        bare_times.append(rebuild(site, bare))
        hook_times.append(rebuild(site, "mkdocs.yml"))
    target = site / "docs" / "snippets" / "compose" / "stack.yml"
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    checked.clear()
    runs.clear()
    edited = rebuild(site, "mkdocs.yml")
    print(json.dumps({
        "bare": statistics.median(bare_times),
        "hook_unchanged": statistics.median(hook_times),
        "hook_edited": edited,
        "checked_after_edit": len(checked),
        "programs_after_edit": sum(runs),
    }))


if __name__ == "__main__":
    main()
