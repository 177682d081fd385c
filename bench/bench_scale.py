"""`enrich run` at scale, warm cache: wall time, entries/s, peak RSS, against a plain-Python floor.

    python bench/bench_scale.py [--sizes 10000,100000] [--keep DIR] [--profile]

For each size N it writes an ingest JSONL of N synthetic DigestEntry lines (distinct ids, every
seventh author list truncated), fills a cache folder with a record for every id (RecordCache
put_found, the same code path the client uses after a fetch), then times

* `python -m enrich run in.jsonl --out out.jsonl -q --offline --cache-dir C` in a subprocess
  (--offline: an id missing from the cache would be `unavailable` and exit 3, so exit 0 proves the
  run was served by the cache alone, 0 requests), peak RSS from getrusage(RUSAGE_CHILDREN);
* the floor: the same JSONL read line by line, json.loads + json.dumps per line, written out.

and `enrich --help` start-up (best of 5). `--profile` runs the largest size under cProfile in a
subprocess and prints the top functions by cumulative and own time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from enrich.arxiv.cache import RecordCache
from enrich.models import ArxivRecord

ROOT = Path(__file__).resolve().parents[1]


def arxiv_id(n: int) -> str:
    return f"{2401 + n // 90000:04d}.{n % 90000 + 10000:05d}"


def entry_line(n: int, path: str) -> dict[str, object]:
    ident = arxiv_id(n)
    authors = [f"Author{n % 97} Family{n % 89}", f"Second{n % 13} Person{n % 7}", "Ada Lovelace"]
    truncated = n % 7 == 0
    if truncated:
        authors = authors[:1]
    return {
        "arxiv_id": ident,
        "version": 1 + n % 3,
        "title": f"A Study of Thing {n}: Scaling Laws for Synthetic Digests",
        "authors": authors,
        "authors_truncated": truncated,
        "categories": ["cs.LG", "stat.ML"],
        "date": "2025-03-28",
        "abstract": None,
        "links": [f"https://arxiv.org/abs/{ident}v{1 + n % 3}"],
        "source": {"path": path, "line": n + 1, "format": "markdown"},
        "claims": [],
        "status": "valid",
    }


def record_for(n: int) -> ArxivRecord:
    ident = arxiv_id(n)
    version = 1 + n % 3
    return ArxivRecord(
        arxiv_id=ident,
        latest_version=version,
        title=f"A Study of Thing {n}: Scaling Laws for Synthetic Digests",
        authors=[f"Author{n % 97} Family{n % 89}", f"Second{n % 13} Person{n % 7}", "Ada Lovelace"],
        affiliations=[[], [], []],
        primary_category="cs.LG",
        categories=["cs.LG", "stat.ML"],
        published="2025-03-28T17:59:59Z",  # type: ignore[arg-type]
        updated="2025-03-28T17:59:59Z",  # type: ignore[arg-type]
        abstract=f"The abstract of {ident}. " * 8,
        abs_url=f"https://arxiv.org/abs/{ident}v{version}",
        pdf_url=f"https://arxiv.org/pdf/{ident}v{version}",
        html_url=f"https://arxiv.org/html/{ident}v{version}",
        arxiv_doi=f"10.48550/arXiv.{ident}",
    )


def build(folder: Path, size: int) -> tuple[Path, Path]:
    source = folder / f"in_{size}.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for n in range(size):
            out.write(json.dumps(entry_line(n, "digest.md")) + "\n")
    cache = folder / f"cache_{size}"
    with RecordCache(cache, cache_ttl=7 * 86400.0) as store:
        step = 1000
        for start in range(0, size, step):
            store.put_found(record_for(n) for n in range(start, min(size, start + step)))
    return source, cache


def floor(source: Path, target: Path) -> float:
    started = time.perf_counter()
    with source.open(encoding="utf-8") as inp, target.open("w", encoding="utf-8") as out:
        for line in inp:
            out.write(json.dumps(json.loads(line)) + "\n")
    return time.perf_counter() - started


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["ENRICH_CACHE_TTL"] = str(7 * 86400)
    return env


def run_enrich(
    source: Path, cache: Path, target: Path, *, prefix: list[str] | None = None
) -> float:
    cmd = [*(prefix or [sys.executable]), "-m", "enrich", "run", str(source)]
    cmd += ["--out", str(target), "-q", "--offline", "--cache-dir", str(cache)]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=_env(), check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"enrich run exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def peak_rss_mb(
    source: Path, cache: Path, target: Path, extra: Sequence[str] = ()
) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one run (`extra`: more options), measured in a fresh child so
    earlier runs don't count."""
    code = (
        "import resource, subprocess, sys, time;"
        "t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:]);"
        "s=time.perf_counter()-t;"
        "print(s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "sys.exit(r.returncode)"
    )
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "enrich", "run", str(source)]
    cmd += ["--out", str(target), "-q", "--offline", "--cache-dir", str(cache), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, env=_env(), check=False)
    if done.returncode != 0:
        raise SystemExit(f"enrich run exited {done.returncode}:\n{done.stderr[-2000:]}")
    seconds, kb = done.stdout.split()
    return float(seconds), int(kb) / 1024


def help_startup(repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "enrich", "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def profile(source: Path, cache: Path, target: Path, stats: Path) -> None:
    run_enrich(source, cache, target, prefix=[sys.executable, "-m", "cProfile", "-o", str(stats)])
    import pstats

    for key in ("cumulative", "tottime"):
        print(f"\n--- top 25 by {key} ---")
        pstats.Stats(str(stats)).sort_stats(key).print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per size (best kept)")
    parser.add_argument("--keep", help="build in this folder (kept) instead of a temporary one")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_scale_"))
    folder.mkdir(parents=True, exist_ok=True)

    print(
        f"{time.strftime('%Y-%m-%d')}  {platform.platform()}  {os.cpu_count()} cores  "
        f"Python {platform.python_version()}"
    )
    rows = []
    for size in sizes:
        source, cache = build(folder, size)
        target = folder / f"out_{size}.jsonl"
        floor_s = min(floor(source, folder / f"floor_{size}.jsonl") for _ in range(args.repeat))
        best, rss = float("inf"), 0.0
        for _ in range(args.repeat):
            seconds, mb = peak_rss_mb(source, cache, target)
            best, rss = min(best, seconds), max(rss, mb)
        lines = sum(1 for _ in target.open(encoding="utf-8"))
        assert lines == size, (lines, size)
        mb_in = source.stat().st_size / 1e6
        rows.append((size, mb_in, best, size / best, floor_s, best / floor_s, rss))
        if args.profile and size == sizes[-1]:
            profile(source, cache, target, folder / f"profile_{size}.pstats")

    start = help_startup()
    print(
        f"\n{'entries':>8} {'input MB':>9} {'run s':>7} {'entries/s':>10} {'floor s':>8} "
        f"{'ratio':>6} {'peak RSS MB':>12}"
    )
    for size, mb_in, best, rate, floor_s, ratio, rss in rows:
        print(
            f"{size:>8} {mb_in:>9.1f} {best:>7.2f} {rate:>10.0f} {floor_s:>8.2f} "
            f"{ratio:>5.1f}x {rss:>12.0f}"
        )
    print(f"\nenrich --help start-up: {start:.3f} s (best of 5)")
    print(f"data in {folder}")


if __name__ == "__main__":
    main()
