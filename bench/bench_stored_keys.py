"""What issue 13's item 2 (record name and title keys precomputed and stored with the cached
record) could save a warm run at most.

    python bench/bench_stored_keys.py [--size 20000] [--pairs 5] [--keep FOLDER]

Each warm `enrich run --offline` on bench_perf's data (every record cached) runs in a fresh
process pinned to one core, in two ways, interleaved in pairs:

* parsed: as enrich runs: each record's author names (`parse_name`) and title (`fold_title`)
  folded when the comparison, the version step or the duplicate finder first asks (then from
  their LRU caches);
* stored: every record's names and title folded before the run starts, outside the time
  measured, and handed out from a dict: what a stored, precomputed key could give at best (it
  leaves out the cost of reading such keys back from the cache, which item 2 would add).

Only the run is timed (`enrich.cli.main`, wall and CPU), not the interpreter's start or the
folding done ahead. The output of both must be the same bytes. Prints each pair and the median
saving: the ceiling of what item 2 could gain.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_perf import TTL, build, one_core  # noqa: E402

# run in a fresh process: argv = mode, input, cache, table, output
_RUN = """
import json, os, sqlite3, sys, time
mode, source, cache, table, out = sys.argv[1:]
if mode == "stored":
    import enrich.compare.authors, enrich.compare.duplicates, enrich.compare.titles
    import enrich.text.names, enrich.text.titles
    names, titles = {}, {}
    with sqlite3.connect(table) as db:
        for (data,) in db.execute("SELECT data FROM r"):
            record = json.loads(data)
            for name in record["authors"]:
                names[name] = enrich.text.names.parse_name(name)
            titles[record["title"]] = enrich.text.titles.fold_title(record["title"])
    def ahead(table, fold):
        def get(text, _get=table.get, _fold=fold):
            found = _get(text)
            return found if found is not None else _fold(text)
        return get
    parse_name = ahead(names, enrich.text.names.parse_name)
    fold_title = ahead(titles, enrich.text.titles.fold_title)
    for module in (enrich.compare.authors, enrich.compare.duplicates, enrich.text.names):
        module.parse_name = parse_name
    for module in (enrich.compare.duplicates, enrich.compare.titles, enrich.text.titles):
        module.fold_title = fold_title
from enrich.cli import main
sys.argv = ["enrich", "run", source, "--out", out, "--offline", "--cache-dir", cache, "-q"]
wall, cpu = time.perf_counter(), time.process_time()
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def timed(mode: str, source: Path, cache: Path, table: Path, out: Path) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["ENRICH_CACHE_TTL"] = str(TTL)
    env["PYTHONPATH"] = str(ROOT)
    cpus = ",".join(map(str, sorted(one_core())))
    cmd = ["taskset", "-c", cpus, sys.executable, "-c", _RUN, mode]
    done = subprocess.run(
        [*cmd, str(source), str(cache), str(table), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{done.stderr[-2000:]}")
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--keep", help="build the data in this folder (kept)")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "enrich")], check=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source, cache, table, _records = build(folder, args.size)
        outs = {mode: folder / f"keys_{mode}.jsonl" for mode in ("parsed", "stored")}
        timed("parsed", source, cache, table, outs["parsed"])  # the files' pages read once
        savings, cpu_savings = [], []
        for _ in range(args.pairs):
            parsed = timed("parsed", source, cache, table, outs["parsed"])
            stored = timed("stored", source, cache, table, outs["stored"])
            savings.append(1 - stored[0] / parsed[0])
            cpu_savings.append(1 - stored[1] / parsed[1])
            print(
                f"parsed {parsed[0]:.2f} s (CPU {parsed[1]:.2f})  stored {stored[0]:.2f} s "
                f"(CPU {stored[1]:.2f})  saving {savings[-1]:+.1%} (CPU {cpu_savings[-1]:+.1%})",
                flush=True,
            )
        same = outs["parsed"].read_bytes() == outs["stored"].read_bytes()
        print(
            f"\n{args.size:,} entries, warm, one core: record keys folded ahead save at most "
            f"{median(savings):.1%} of the run (CPU {median(cpu_savings):.1%}), median of "
            f"{args.pairs} pairs; output the same bytes: {same}"
        )


if __name__ == "__main__":
    main()
