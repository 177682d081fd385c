"""Issue 13's figures in one run: data floor, warm and cold `enrich run`, ratios, memory, start-up.

    python bench/bench_perf.py [--sizes 20000,100000] [--cold-sizes 20000] [--gap 0.05] [--pairs 3]

Data: enrich.testing.workload (realistic entries: distinct names, lists cut with "et al.",
family-first, initials, diacritics dropped, titles cut or recased, stale versions, duplicates).

* records: the warm cache and the floor's table hold what a cold run stores, each record read
  from the stand-in's Atom by the client's parser (text folded), not the workload's objects;
* floor: a plain Python program doing the same I/O as a warm run: read each input line
  (json.loads), read its record from a SQLite table of JSON texts (one query per 100 ids),
  json.loads it, write an output line of the same shape (entry, record, record again as the
  corrected view) with json.dumps;
* warm: `enrich run in.jsonl --offline` with every record in the cache (exit 0 proves 0
  requests), wall time and peak RSS of the process, pinned to one core like the floor (the
  issue's goal is "on one core"); then once more on every core the machine gives. Taken in
  pairs, each warm run right after a floor of its own (--pairs, 3): the ratio printed is the
  median of the pairs' ratios, each pair's shown too (a machine whose speed drifts within
  minutes moves a pair's two runs alike; a floor taken once, minutes before, did not);
* cold: `enrich run` against the stand-in (enrich.testing.StandIn, in this process) with
  ENRICH_MIN_INTERVAL=gap and an empty cache; the rate floor is (requests - 1) x gap; its CPU
  time is printed too (when it exceeds the rate floor, the machine, not the limiter, decides),
  what each request costs beyond the gap, as the stand-in saw it, and the four parts of the
  time beyond the rate floor (start -> first request, the stand-in's own serving time, the
  gaps' excess, last answer -> end); and the ratio without the stand-in's serving time (what
  the run itself adds: arXiv's own time is not the client's to save either);
* memory: the peak RSS getrusage gives (the largest single process: the run, its look-up process
  or a worker) and the peak of all of a run's processes added up (proportional set sizes, so
  that pages a forked child shares count once), sampled every 0.25 s;
* start-up: `enrich --help`, and `enrich run` on a one-entry JSONL (warm cache), best of 5;
  and the interpreter's own start (`python -c pass`), which both include: on a slow machine,
  or one whose site-packages load much at start, it tells what is the program's.

Every run is timed with the package byte-compiled first, as pip does on install (a machine with
PYTHONDONTWRITEBYTECODE set would otherwise compile each changed module from source on every
run, up to ~130 ms).

The machine may be shared: run it twice and say so with the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from enrich.arxiv.cache import RecordCache  # noqa: E402
from enrich.arxiv.feed import parse_feed  # noqa: E402
from enrich.testing import StandIn  # noqa: E402
from enrich.testing.arxiv_api import render_feed  # noqa: E402
from enrich.testing.workload import workload  # noqa: E402

TTL = 7 * 86400


def build(folder: Path, size: int) -> tuple[Path, Path, Path, list[Any]]:
    """The input JSONL, a warm cache, a floor table, and the records (for the stand-in). The
    cache and the floor hold each record as a cold run stores it: read from the stand-in's
    Atom (arXiv's text folded, its versions as one answer dates them), not the workload's
    object (whose titles and abstracts are wrapped as arXiv sends them: no run stores that)."""
    source = folder / f"in_{size}.jsonl"
    records = []
    with source.open("w", encoding="utf-8") as out:
        for entry, record in workload(size, seed=13):
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            if record is not None:
                records.append(record)
    stored = as_answered(records)
    cache = folder / f"cache_{size}"
    with RecordCache(cache, cache_ttl=float(TTL)) as store:
        for start in range(0, len(stored), 1000):
            store.put_found(stored[start : start + 1000])
    table = folder / f"floor_{size}.db"
    table.unlink(missing_ok=True)
    with sqlite3.connect(table) as db:
        db.execute("CREATE TABLE r (id TEXT PRIMARY KEY, data TEXT)")
        db.executemany(
            "INSERT INTO r VALUES (?, ?)", ((r.arxiv_id, r.model_dump_json()) for r in stored)
        )
    return source, cache, table, records


def as_answered(records: list[Any]) -> list[Any]:
    """The records as the client reads them from the stand-in's answers (100 a feed)."""
    out = []
    for start in range(0, len(records), 100):
        chunk = records[start : start + 100]
        ids = ",".join(r.arxiv_id for r in chunk)
        feed = parse_feed(render_feed([(r, r.latest_version) for r in chunk], id_list=ids))
        out += [feed.records[r.arxiv_id] for r in chunk]
    return out


def floor(source: Path, table: Path, target: Path) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(table)
    with source.open(encoding="utf-8") as inp, target.open("w", encoding="utf-8") as out:
        window: list[dict[str, Any]] = []

        def flush() -> None:
            ids = [e["arxiv_id"] for e in window if e.get("arxiv_id")]
            marks = ",".join("?" * len(ids))
            rows = dict(db.execute(f"SELECT id, data FROM r WHERE id IN ({marks})", ids))
            for entry in window:
                data = rows.get(entry.get("arxiv_id") or "")
                record = json.loads(data) if data else None
                line = {"arxiv_id": entry.get("arxiv_id"), "status": "enriched"}
                line |= {"source": entry["source"], "digest": entry, "arxiv": record}
                line |= {"corrected": record, "conflicts": []}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            window.clear()

        for text in inp:
            window.append(json.loads(text))
            if len(window) == 100:
                flush()
        flush()
    db.close()
    return time.perf_counter() - started


def one_core() -> set[int]:
    """The CPU the one-core figures are taken on (the issue's goals are "on one core")."""
    return {min(os.sched_getaffinity(0))}


def pinned_floor(source: Path, table: Path, target: Path) -> tuple[float, float]:
    """The floor on one core (this process pinned while it runs, then let go): (wall seconds,
    CPU seconds)."""
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, one_core())
    started = time.process_time()
    try:
        return floor(source, table, target), time.process_time() - started
    finally:
        os.sched_setaffinity(0, allowed)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["ENRICH_CACHE_TTL"] = str(TTL)
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def timed_run(
    args: list[str], env: dict[str, str], cpus: set[int] | None = None
) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, CPU seconds) of `enrich run ARGS`, from a fresh parent;
    `cpus`: the CPUs it may run on (None: all of this process's)."""
    seconds, mb, cpu, _start, _end = timed_span(args, env, cpus)
    return seconds, mb, cpu


def timed_span(
    args: list[str], env: dict[str, str], cpus: set[int] | None = None
) -> tuple[float, float, float, float, float]:
    """timed_run's figures, and the run's start and end on time.monotonic() (the clock the
    stand-in logs its requests on)."""
    pin = f"os.sched_setaffinity(0, {sorted(cpus)!r});" if cpus else ""
    code = (
        "import os, resource, subprocess, sys, time;"
        f"{pin}"
        "m=time.monotonic();"
        "t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:]);"
        "s=time.perf_counter()-t;"
        "e=time.monotonic();"
        "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(s, u.ru_maxrss, u.ru_utime + u.ru_stime, m, e);"
        "sys.exit(r.returncode)"
    )
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "enrich", "run", *args, "-q"]
    global LAST_TREE_MB
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        sampler = _TreeRss(proc.pid)
        sampler.start()
        out, err = proc.communicate()
        sampler.stop()
    LAST_TREE_MB = sampler.peak_kb / 1024
    if proc.returncode != 0:
        raise SystemExit(f"enrich run exited {proc.returncode}:\n{err[-2000:]}")
    seconds, kb, cpu, start, end = out.split()
    return float(seconds), int(kb) / 1024, float(cpu), float(start), float(end)


LAST_TREE_MB = 0.0  # the last run's peak of its processes' resident memory added up
SAMPLE_EVERY = 0.25  # seconds: reading a process's Pss walks its page tables (holding its memory
# map's lock a few ms): sampled often, it slowed the run it measures


class _TreeRss(threading.Thread):
    """Samples, every SAMPLE_EVERY seconds, the resident memory of a process's descendants
    added up (the run, its look-up process and any workers, at the same moment; proportional
    shares, see _rss_kb): getrusage gives only the largest single process's peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(SAMPLE_EVERY):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _descendants(self.pid)))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
                found += kids
                todo += kids
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    """The process's proportional share of resident memory (Pss: a page a forked child still
    shares with its parent counts half in each, not twice), else its RSS."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def best_of(cmd: list[str], env: dict[str, str], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--cold-sizes", default="20000,100000", help="sizes also run cold")
    parser.add_argument("--gap", type=float, default=0.05)
    parser.add_argument(
        "--pairs", type=int, default=3, help="floor-then-warm pairs per size (medians kept)"
    )
    parser.add_argument("--keep", help="build in this folder instead of a temporary one")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_perf_"))
    folder.mkdir(parents=True, exist_ok=True)
    cold_sizes = {int(s) for s in args.cold_sizes.split(",") if s}
    # byte-compiled first, as pip does on install: with PYTHONDONTWRITEBYTECODE set, a module
    # changed since its .pyc would be compiled from source in every run timed below
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "enrich")], check=True)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  {platform.platform()}  {os.cpu_count()} cores  "
        f"load {os.getloadavg()[0]:.1f}  Python {platform.python_version()}"
    )
    for size in [int(s) for s in args.sizes.split(",")]:
        source, cache, table, records = build(folder, size)
        warm_args = [str(source), "--out", str(folder / "warm.jsonl"), "--offline"]
        warm_args += ["--cache-dir", str(cache)]
        pinned_floor(source, table, folder / "floor.jsonl")  # the table's pages read once
        # each warm run right after its own floor: a machine whose speed drifts within minutes
        # (shared, throttled) moves both alike, and the ratios of the pairs show how far
        floors, warm, warm_tree = [], [], 0.0
        for _ in range(max(1, args.pairs)):
            floors.append(pinned_floor(source, table, folder / "floor.jsonl"))
            warm.append(timed_run(warm_args, _env(), one_core()))
            warm_tree = max(warm_tree, LAST_TREE_MB)
        ratios = [w[0] / f[0] for f, w in zip(floors, warm, strict=True)]
        cpu_ratios = [w[2] / f[1] for f, w in zip(floors, warm, strict=True)]
        floor_s, floor_cpu = median([f[0] for f in floors]), median([f[1] for f in floors])
        warm_s, warm_cpu = median([w[0] for w in warm]), median([w[2] for w in warm])
        warm_mb = max(w[1] for w in warm)
        wide_s, wide_mb, wide_cpu = timed_run(warm_args, _env())
        wide_tree = LAST_TREE_MB
        pairs = len(ratios)
        print(
            f"\n{size:,} entries ({source.stat().st_size / 1e6:.1f} MB in)\n"
            f"  data floor  {floor_s:7.2f} s (one core; median of {pairs}, each right before a "
            f"warm run)\n"
            f"  warm        {warm_s:7.2f} s  = {median(ratios):.2f}x floor, median of the "
            f"pairs' ratios ({', '.join(f'{r:.2f}x' for r in ratios)}); "
            f"{size / warm_s:,.0f} entries/s, one core; peak RSS {warm_mb:.0f} MB "
            f"(all its processes together {warm_tree:.0f} MB)\n"
            f"  CPU time    warm {warm_cpu:.2f} s, floor {floor_cpu:.2f} s: "
            f"{median(cpu_ratios):.2f}x ({', '.join(f'{r:.2f}x' for r in cpu_ratios)}; less "
            f"sensitive to a shared machine)\n"
            f"  warm, {len(os.sched_getaffinity(0))} cores {wide_s:5.2f} s  = "
            f"{wide_s / floor_s:.2f}x the one-core floor, CPU {wide_cpu:.2f} s, "
            f"peak RSS {wide_mb:.0f} MB (together {wide_tree:.0f} MB)"
        )
        if size in cold_sizes:
            # the stand-in answers from this process, which holds every record: a full
            # collection of that heap while a request waits (~0.3 s at 100k) would be counted
            # as the run's; what is here now is left out of collections meanwhile
            gc.collect()
            gc.freeze()
            with StandIn(records) as server:
                cold_cache = folder / f"cold_{size}_{time.time_ns()}"
                env = _env(ENRICH_MIN_INTERVAL=str(args.gap))
                cold_args = [str(source), "--out", str(folder / "cold.jsonl")]
                cold_args += ["--api-url", server.url, "--cache-dir", str(cold_cache)]
                cold_s, cold_mb, cold_cpu, start, end = timed_span(cold_args, env)
                cold_tree = LAST_TREE_MB
                log = sorted(server.requests, key=lambda r: r.arrived)
                requests = len(log)
                server_s = sum(r.finished - r.arrived for r in log)
                over = sorted(gap - args.gap for gap in server.gaps())
                first, last = log[0].arrived - start, end - max(r.finished for r in log)
            gc.unfreeze()
            rate_floor = (requests - 1) * args.gap
            print(
                f"  cold        {cold_s:7.2f} s  = {cold_s / rate_floor:.3f}x rate floor "
                f"({requests} requests, (requests - 1) x {args.gap} s = {rate_floor:.2f} s; "
                f"stand-in busy {server_s:.2f} s), peak RSS {cold_mb:.0f} MB (all its "
                f"processes together {cold_tree:.0f} MB)\n"
                f"  CPU time    cold {cold_cpu:.2f} s: "
                f"{'above' if cold_cpu > rate_floor else 'below'} the rate floor"
                f"{', the CPU decides' if cold_cpu > rate_floor else ''}\n"
                f"  per request beyond the gap (an answer's end to the next request, minus "
                f"{args.gap} s): median {over[len(over) // 2] * 1000:.1f} ms, "
                f"mean {sum(over) / len(over) * 1000:.1f} ms, max {over[-1] * 1000:.0f} ms\n"
                f"  cold, beyond the rate floor: start -> first request {first:.2f} s, last "
                f"answer -> end {last:.2f} s, stand-in busy {server_s:.2f} s, beyond the gaps "
                f"{sum(over):.2f} s\n"
                f"  cold without the stand-in's own serving time (its Atom built, in this "
                f"process): {(cold_s - server_s) / rate_floor:.3f}x rate floor"
            )
    one = folder / "one.jsonl"
    with one.open("w", encoding="utf-8") as out:
        out.write(json.dumps(next(workload(1, seed=13))[0]) + "\n")
    one_cache = folder / "cache_one"
    with RecordCache(one_cache, cache_ttl=float(TTL)) as store:
        store.put_found([r for _, r in workload(1, seed=13) if r is not None])
    run_one = [sys.executable, "-m", "enrich", "run", str(one), "--out", str(folder / "o.jsonl")]
    run_one += ["--offline", "-q", "--cache-dir", str(one_cache)]
    help_s = best_of([sys.executable, "-m", "enrich", "--help"], _env())
    one_s = best_of(run_one, _env())
    bare_s = best_of([sys.executable, "-c", "pass"], _env())
    print(
        f"\nstart-up: enrich --help {help_s:.3f} s, "
        f"enrich run on one entry {one_s:.3f} s (best of 5); the interpreter's own start "
        f"(python -c pass, its site-packages' .pth files included) {bare_s:.3f} s"
    )
    print(f"data in {folder}")


if __name__ == "__main__":
    main()
