"""Benchmark the local mirror: import a synthetic metadata snapshot, then batch look-ups from it.

    python bench/bench_mirror.py [--papers 1000000] [--lookups 100000] [--gzip] [--keep DIR]

1. Writes a synthetic snapshot shaped like the real one (JSON lines, the 14 fields of
   `arxiv-metadata-oai-snapshot.json`, about 1.4 kB a line: a ~1,000-character abstract, 1-12
   authors with `authors_parsed`, TeX accents in some names, 1-4 versions with their dates, 1-3
   categories); plain like the real file, or gzip with --gzip.
2. `enrich mirror import`'s library call in a child process, so its peak memory is its own
   (resource.getrusage): records per second by the wall clock AND per CPU-second of the child
   (the machine is shared: the CPU figure is what "on one core" means), peak resident memory,
   database size; then the same file again (idempotence: nothing written).
3. Batch look-ups of random held ids, `batch` ids per call: through MirrorFirst (what `enrich
   run` does with a fresh mirror) and through ArxivClient with every record in a warm cache
   (the same records), both without any request. Ids per second, wall and CPU.
Figures are noisy on a shared machine: run it twice and read them as rough.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "learning",
    "neural",
    "network",
    "model",
    "data",
    "graph",
    "quantum",
    "field",
    "theory",
    "algorithm",
    "optimal",
    "bound",
    "stochastic",
    "gradient",
    "convex",
    "energy",
    "spectrum",
    "lattice",
    "gauge",
    "symmetry",
    "transformer",
    "language",
    "inference",
    "causal",
    "robust",
    "adaptive",
    "sparse",
    "matrix",
    "tensor",
    "entropy",
    "dynamics",
    "flow",
    "boundary",
]
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Jörg",
    "Émilie",
    "Chen",
    "Wei",
    "Maria",
    "José",
    "Ahmed",
    "Yuki",
    "Olga",
    "Pierre",
    "Sofia",
    "Ivan",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    'M\\"uller',
    "Du~Ch\\^atelet",
    "Zhang",
    "Smith",
    "Rossi",
    "Müller",
    "Khan",
    "Sato",
]
CATS = [
    "cs.LG",
    "cs.AI",
    "cs.CL",
    "cs.CV",
    "math.PR",
    "math.AP",
    "hep-th",
    "hep-ph",
    "quant-ph",
    "astro-ph.GA",
    "stat.ML",
]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _date(rng: random.Random, year: int) -> str:
    return (
        f"{rng.choice(DAYS)}, {rng.randint(1, 28)} {rng.choice(MONTHS)} {year} "
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} GMT"
    )


def paper_id(n: int) -> str:
    return f"{15 + n // 99999 % 11:02d}{1 + n // (99999 * 11) % 12:02d}.{n % 99999 + 1:05d}"


def synthetic_line(n: int, rng: random.Random) -> str:
    year = 2015 + n // 99999 % 11
    authors = [(rng.choice(LAST), rng.choice(FIRST), "") for _ in range(rng.randint(1, 12))]
    versions = [
        {"version": f"v{i}", "created": _date(rng, year)} for i in range(1, rng.randint(2, 5))
    ]
    abstract = " ".join(rng.choice(WORDS) for _ in range(150))
    obj = {
        "id": paper_id(n),
        "submitter": f"{authors[0][1]} {authors[0][0]}",
        "authors": ", ".join(f"{f} {last}" for last, f, _ in authors),
        "title": " ".join(rng.choice(WORDS) for _ in range(10)).capitalize(),
        "comments": f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures" if n % 3 else None,
        "journal-ref": "Phys. Rev. D 76, 013009 (2007)" if n % 7 == 0 else None,
        "doi": f"10.1103/PhysRevD.{n}" if n % 5 == 0 else None,
        "report-no": None,
        "categories": " ".join(rng.sample(CATS, rng.randint(1, 3))),
        "license": "http://creativecommons.org/licenses/by/4.0/" if n % 2 else None,
        "abstract": "  " + abstract + "\n",
        "versions": versions,
        # the newest update_date says how current the snapshot is: last week's, as for real
        "update_date": "2026-11-20" if n % 1000 == 0 else f"{year}-{rng.randint(1, 12):02d}-01",
        "authors_parsed": [[last, f, s] for last, f, s in authors],
    }
    return json.dumps(obj, ensure_ascii=False)


def write_snapshot(path: Path, papers: int, compressed: bool) -> None:
    rng = random.Random(15)
    opener = gzip.open if compressed else open
    with opener(path, "wt", encoding="utf-8") as out:  # type: ignore[operator]
        for n in range(papers):
            out.write(synthetic_line(n, rng) + "\n")


CHILD = """
import resource, sys, time
from enrich.mirror.snapshot import import_snapshot
from enrich.mirror.store import MirrorStore
wall, cpu = time.perf_counter(), time.process_time()
with MirrorStore(sys.argv[2]) as store:
    result = import_snapshot(sys.argv[1], store)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(result.papers, result.written, result.bad, wall, cpu, peak)
"""


def run_import(snapshot: Path, db: Path) -> list[float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(snapshot), str(db)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return [float(x) for x in done.stdout.split()]


class NoApi:
    """Stands for the API behind the mirror: the benchmark must never reach it."""

    stats = None

    def fetch(self, ids: Any, progress: Any = None) -> Any:
        raise AssertionError("the benchmark must not reach the API")


def timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def bench_lookups(db: Path, cache_dir: Path, papers: int, lookups: int, batch: int) -> None:
    from enrich.arxiv.cache import RecordCache
    from enrich.arxiv.client import ArxivClient
    from enrich.mirror.lookup import MirrorFirst
    from enrich.mirror.paper import to_record
    from enrich.mirror.store import MirrorStore
    from enrich.settings import Settings

    rng = random.Random(7)
    ids = [paper_id(rng.randrange(papers)) for _ in range(lookups)]
    settings = Settings(
        cache_dir=cache_dir,
        mirror_path=str(db),
        mirror_max_age=10**8,
        api_url="http://127.0.0.1:9/api/query",
    )

    def through(source: Any) -> int:
        found = 0
        for offset in range(0, len(ids), batch):
            answers = source.fetch(ids[offset : offset + batch])
            found += sum(1 for a in answers.values() if a.status == "found")
        return found

    with MirrorStore(db) as store:
        found, m_wall, m_cpu = timed(lambda: through(MirrorFirst(NoApi(), store, settings)))
        unique = list(dict.fromkeys(ids))
        with RecordCache(cache_dir) as cache:  # the same records, cached
            for offset in range(0, len(unique), 5000):
                hits = store.get_many(unique[offset : offset + 5000])
                cache.put_found(to_record(h.paper) for h in hits.values())
    with (
        RecordCache(cache_dir) as cache,
        ArxivClient(settings, cache=cache) as api,
    ):
        cached, c_wall, c_cpu = timed(lambda: through(api))
        assert api.stats.requests == 0
    print(f"look-ups: {lookups:,} ids in batches of {batch} ({found:,} / {cached:,} found)")
    print(
        f"  mirror (MirrorFirst.fetch):        {lookups / m_wall:9,.0f} ids/s wall, "
        f"{lookups / m_cpu:9,.0f} ids/CPU-s"
    )
    print(
        f"  warm cache (ArxivClient.fetch):    {lookups / c_wall:9,.0f} ids/s wall, "
        f"{lookups / c_cpu:9,.0f} ids/CPU-s"
    )


def bench_runs(work: Path, entries: int) -> None:
    """A whole run (Pipeline.enrich: look-ups, comparison, JSON lines) over `entries` realistic
    entries, once with every paper in a fresh mirror (records harvested through arXivRaw) and
    once with every record in a warm cache; both offline, so neither can send a request."""
    from enrich.arxiv.cache import RecordCache
    from enrich.mirror.oai import parse_list_records
    from enrich.mirror.store import MirrorStore
    from enrich.models import DigestEntry
    from enrich.pipeline import Pipeline
    from enrich.settings import Settings
    from enrich.testing.oai_pmh import OaiStandIn
    from enrich.testing.workload import workload

    pairs = list(workload(entries, seed=15))
    lines = [DigestEntry.model_validate(line) for line, _ in pairs]
    records = [r for _, r in pairs if r is not None]
    mirror_db, cache_dir = work / "run-mirror.sqlite3", work / "run-cache"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{mirror_db}{suffix}").unlink(missing_ok=True)
    with MirrorStore(mirror_db) as store, OaiStandIn(page_size=1000) as oai:
        oai.add(records, datestamp="2026-11-28")
        source = store.begin_source("sync", "bench")
        held = sorted(oai._held.values(), key=lambda h: h.arxiv_id)
        for offset in range(0, len(held), 1000):
            from enrich.testing.oai_pmh import render_list_records

            page = parse_list_records(
                render_list_records({}, held[offset : offset + 1000], None, 0)
            )
            store.write_sync_page(page.papers, [], source, None)
        store.finish_source(source, records=len(held))
    with RecordCache(cache_dir) as cache:
        cache.put_found(records)
    common = {"api_url": "http://127.0.0.1:9/api/query", "offline": True}

    def run(settings: Settings) -> tuple[int, int]:
        with Pipeline(settings) as pipe:
            size = sum(len(e.model_dump_json()) for e in pipe.enrich(lines))
            return size, pipe.summary.mirror_hits

    by_mirror = Settings(**common, cache_dir=work / "run-empty-cache", mirror_path=str(mirror_db))
    by_cache = Settings(
        **common, cache_dir=cache_dir, mirror_path=str(work / "none.sqlite3"), mirror_max_age=0
    )
    all_lines, lines = lines, lines[:300]
    run(by_mirror), run(by_cache)  # warm-up: imports, compiled patterns, the taxonomy
    lines = all_lines
    rounds = [(timed(lambda: run(by_mirror)), timed(lambda: run(by_cache))) for _ in range(2)]
    (m_size, hits), m_wall, m_cpu = min((m for m, _ in rounds), key=lambda t: t[2])
    (c_size, _), c_wall, c_cpu = min((c for _, c in rounds), key=lambda t: t[2])
    print(f"whole runs (Pipeline.enrich), {entries:,} entries, offline, 0 requests, best of 2:")
    print(
        f"  mirror:     {entries / m_wall:7,.0f} entries/s wall, {entries / m_cpu:7,.0f} per "
        f"CPU-s ({hits:,} papers from the mirror, {m_size / 1e6:.0f} MB of JSON)"
    )
    print(
        f"  warm cache: {entries / c_wall:7,.0f} entries/s wall, {entries / c_cpu:7,.0f} per "
        f"CPU-s ({c_size / 1e6:.0f} MB of JSON)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=20_000, help="entries of the whole runs")
    parser.add_argument("--gzip", action="store_true", help="a gzip snapshot instead of plain")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-mirror-"))
    work.mkdir(parents=True, exist_ok=True)
    snapshot = work / f"snapshot-{args.papers}.jsonl{'.gz' if args.gzip else ''}"
    db = work / "mirror.sqlite3"
    if not snapshot.exists():
        _, wall, _ = timed(lambda: write_snapshot(snapshot, args.papers, args.gzip))
        print(
            f"wrote {args.papers:,} synthetic papers in {wall:.0f} s "
            f"({snapshot.stat().st_size / 1e6:,.0f} MB{', gzip' if args.gzip else ''})"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    papers, written, bad, wall, cpu, peak = run_import(snapshot, db)
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    print(
        f"import: {papers:,.0f} papers ({written:,.0f} written, {bad:.0f} bad) in {wall:.1f} s "
        f"wall = {papers / wall:,.0f} records/s; {cpu:.1f} CPU-s = {papers / cpu:,.0f} records "
        f"per CPU-second; peak memory {peak:.0f} MB; database {size / 1e6:,.0f} MB"
    )
    again = run_import(snapshot, db)
    print(
        f"import again (idempotent): {again[1]:,.0f} rows written, {again[3]:.1f} s wall, "
        f"{again[0] / again[4]:,.0f} records per CPU-second"
    )
    bench_lookups(db, work / "cache", int(papers), args.lookups, args.batch)
    bench_runs(work, args.entries)
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} (shared machine)")


if __name__ == "__main__":
    main()
