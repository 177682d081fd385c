"""The record cache alone: what storing and reading 20,000 realistic records costs, by the batch.

    python bench/bench_cache.py [--size 20000] [--batch 100] [--repeat 3]

Records: enrich.testing.workload (seed 13, as bench_perf.py). Through RecordCache's public
interface only (so the same script measures an older tree: PYTHONPATH=<tree> python this file):

* put: `put_found` in batches of `--batch` records into an empty cache folder (what a cold run
  stores as answers arrive);
* get: `get_many` of every id in batches of `--batch` (what a warm run asks), checked to return
  every record equal to the one stored; best of `--repeat`.

CPU time (time.process_time) is printed beside wall time: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from enrich.arxiv.cache import RecordCache
from enrich.testing.workload import workload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    records = [r for _, r in workload(args.size, seed=13) if r is not None]
    batches = [records[i : i + args.batch] for i in range(0, len(records), args.batch)]
    print(f"{len(records):,} records, batches of {args.batch}, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench_cache_") as folder:
        with RecordCache(Path(folder) / "c", cache_ttl=7 * 86400.0) as cache:
            wall, cpu = time.perf_counter(), time.process_time()
            for batch in batches:
                cache.put_found(batch)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  put  {wall:7.3f} s wall {cpu:7.3f} s CPU", end="")
            print(f"  = {cpu / len(batches) * 1000:.2f} ms CPU per batch")
        best_wall = best_cpu = float("inf")
        for _ in range(args.repeat):
            with RecordCache(Path(folder) / "c", cache_ttl=7 * 86400.0) as cache:
                wall, cpu = time.perf_counter(), time.process_time()
                got = [cache.get_many(r.arxiv_id for r in batch) for batch in batches]
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
            for batch, answers in zip(batches, got, strict=True):
                assert [answers[r.arxiv_id].record for r in batch] == batch
        print(f"  get  {best_wall:7.3f} s wall {best_cpu:7.3f} s CPU", end="")
        print(f"  = {best_cpu / len(batches) * 1000:.2f} ms CPU per batch (best of {args.repeat})")


if __name__ == "__main__":
    sys.exit(main())
