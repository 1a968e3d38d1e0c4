"""`make bench`: every speed figure, measured in one run, printed as ratios.

  A. pure-Python throughput on a generated corpus (1k, 2k, 5k, 10k snippets; one core; peak memory)
  B. full strict build of the real site: hook removed vs pure-Python checks vs real programs
     with a cold and a warm cache (fresh process per build, median of several)
  C. `mkdocs serve`-style rebuilds in one process: nothing changed (median of 9, alternated), one snippet edited
  D. a generated site of 500 pages and 10,000 snippets: hook removed vs hook on (empty cache, median of 3)

Builds run on copies in a temporary folder; nothing is written to the repository.
Set BENCH_QUICK=1 for a fast smoke run (smaller sizes, one repetition).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
REPS = 1 if QUICK else 5
SIZES = (200, 400) if QUICK else (1000, 2000, 5000, 10000)
GEN_PAGES, GEN_PER_PAGE = (20, 20) if QUICK else (500, 20)
GEN_REPS = 1 if QUICK else 3
REBUILDS = 1 if QUICK else 9  # C: rebuilds of each kind, alternated
BASE_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}
BASE_ENV.pop("CI", None)  # programs missing locally are reported, not fatal, while benchmarking
BASE_ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # measure builds as they normally run, with bytecode caches


def say(text: str) -> None:
    print(text, flush=True)


def copy_site(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", "macros", "hooks", "docs"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def write_bare_config(site: Path, base: str = "mkdocs.yml") -> str:
    """The same site with every checking event removed: the plugin only configures the macros, which
    still render every page (snippets, rules reference, checklist) exactly as in a real build."""
    hook = (ROOT / "hooks" / "snippetguard_hook.py").read_text(encoding="utf-8")
    kept = [line for line in hook.split("\n") if not line.startswith("on_") or line.startswith("on_config ")]
    (site / "hooks").mkdir(exist_ok=True)
    (site / "hooks" / "bare_hook.py").write_text("\n".join(kept), encoding="utf-8")
    (site / "bare.yml").write_text(f"INHERIT: {base}\nhooks:\n  - hooks/bare_hook.py\n", encoding="utf-8")
    return "bare.yml"


def timed_build(site: Path, config: str, env: dict[str, str]) -> float:
    out = site / "out"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", config, "-d", str(out)],
                          cwd=site, env={**BASE_ENV, **env}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({config}, {env}):\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}")
    return seconds


# -- A ----------------------------------------------------------------------------------------------
def throughput() -> None:
    say("\nA. Pure-Python checks on a generated corpus (compose, env, shell, nginx, caddy mixed; one core)")
    say(f"   {'snippets':>8}  {'seconds':>8}  {'snippets/s':>10}  {'us/snippet':>10}  {'peak RSS MB':>11}")
    rows = []
    for n in SIZES:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.throughput", str(n)], cwd=ROOT, env=BASE_ENV,
                              capture_output=True, text=True, check=True)
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        say(f"   {n:>8}  {row['seconds']:>8.2f}  {row['per_second']:>10.0f}  {1e6 / row['per_second']:>10.0f}"
            f"  {row['maxrss_mb']:>11.0f}")
        if row["internal_errors"] or row["unknown_kinds"]:
            say(f"   !! {row['internal_errors']} internal errors, {row['unknown_kinds']} unknown kinds")
    first, last = rows[0], rows[-1]
    growth = (last["seconds"] / first["seconds"]) / (last["n"] / first["n"])
    say(f"   linearity: time grew {last['seconds'] / first['seconds']:.2f}x for {last['n'] / first['n']:.0f}x the "
        f"snippets (ratio {growth:.2f}; 1.00 is perfectly linear)")


# -- B ----------------------------------------------------------------------------------------------
def real_site(tmp: Path) -> None:
    say(f"\nB. Full strict build of the real site (fresh process per build; median of {REPS})")
    site = copy_site(tmp / "real")
    bare = write_bare_config(site)
    cold_root = tmp / "cold-caches"
    warm = tmp / "warm-cache"
    timed_build(site, "mkdocs.yml", {"SNIPPETGUARD_CACHE_DIR": str(warm)})  # fills the warm cache; warms the OS
    times: dict[str, list[float]] = {k: [] for k in ("bare", "pure", "cold", "warm")}
    for rep in range(REPS):
        times["bare"].append(timed_build(site, bare, {}))
        times["pure"].append(timed_build(site, "mkdocs.yml", {"SNIPPETGUARD_PROGRAMS": "0",
                                                              "SNIPPETGUARD_CACHE_DIR": str(tmp / f"pure-{rep}")}))
        cold = cold_root / str(rep)
        times["cold"].append(timed_build(site, "mkdocs.yml", {"SNIPPETGUARD_CACHE_DIR": str(cold)}))
        times["warm"].append(timed_build(site, "mkdocs.yml", {"SNIPPETGUARD_CACHE_DIR": str(warm)}))
    med = {k: statistics.median(v) for k, v in times.items()}
    labels = {
        "bare": "hook removed",
        "pure": "pure-Python checks, empty cache",
        "cold": "real programs, cold cache",
        "warm": "real programs, warm cache",
    }
    targets = {"pure": 1.15, "cold": 1.2, "warm": 1.15}
    for key, label in labels.items():
        ratio = med[key] / med["bare"]
        target = f"   (target <= {targets[key]:.2f}x: {'ok' if ratio <= targets[key] else 'MISSED'})" if key in targets else ""
        say(f"   {label:<36} {med[key]:6.2f} s   {ratio:5.2f}x{target}")


# -- C ----------------------------------------------------------------------------------------------
def serve_rebuilds(tmp: Path) -> None:
    say(f"\nC. mkdocs serve rebuilds (in one process, as `mkdocs serve` does; median of {REBUILDS})")
    site = copy_site(tmp / "serve")
    bare = write_bare_config(site)
    env = {**BASE_ENV, "SNIPPETGUARD_CACHE_DIR": str(tmp / "serve-cache")}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.rebuilds", str(site), bare, str(REBUILDS)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stdout + proc.stderr)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    ratio = data["hook_unchanged"] / data["bare"]
    say(f"   bare rebuild (hook removed)          {data['bare']:6.3f} s")
    say(f"   rebuild, nothing changed             {data['hook_unchanged']:6.3f} s   {ratio:5.2f}x"
        f"   (target <= 1.05x: {'ok' if ratio <= 1.05 else 'MISSED'})")
    say(f"   rebuild after editing one snippet    {data['hook_edited']:6.3f} s   "
        f"re-checked {data['checked_after_edit']} snippet(s), ran {data['programs_after_edit']} program run(s)")


# -- D ----------------------------------------------------------------------------------------------
def generated_site(tmp: Path) -> None:
    say(f"\nD. Generated site: {GEN_PAGES} pages, {GEN_PAGES * GEN_PER_PAGE} snippets (empty cache; median of "
        f"{GEN_REPS})")
    from benchmarks.corpus import write_site

    site = tmp / "generated"
    write_site(site, GEN_PAGES, GEN_PER_PAGE)
    for name in ("macros", "hooks"):
        shutil.copytree(ROOT / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    (site / "hooked.yml").write_text("INHERIT: mkdocs.yml\nhooks:\n  - hooks/snippetguard_hook.py\n", encoding="utf-8")
    bare_config = write_bare_config(site)
    bares, pures = [], []
    for rep in range(GEN_REPS):  # alternated, so a slow spell of the machine hits both alike
        bares.append(timed_build(site, bare_config, {}))
        pures.append(timed_build(site, "hooked.yml", {"SNIPPETGUARD_PROGRAMS": "0",
                                                      "SNIPPETGUARD_CACHE_DIR": str(tmp / f"gen-cache-{rep}")}))
    bare, pure = statistics.median(bares), statistics.median(pures)
    say(f"   hook removed                         {bare:6.2f} s")
    say(f"   hook on (pure-Python checks)         {pure:6.2f} s   {pure / bare:5.2f}x"
        f"   (target <= 1.25x: {'ok' if pure / bare <= 1.25 else 'MISSED'})")


def main() -> None:
    start = time.perf_counter()
    say(f"snippetguard benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}"
        + (" (BENCH_QUICK)" if QUICK else ""))
    with tempfile.TemporaryDirectory(prefix="sg-bench-") as tmp_name:
        tmp = Path(tmp_name)
        throughput()
        real_site(tmp)
        serve_rebuilds(tmp)
        generated_site(tmp)
    say(f"\nAll figures measured in this run, in {time.perf_counter() - start:.0f} s.")


if __name__ == "__main__":
    main()
