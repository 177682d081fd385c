"""Benchmark the local mirror: import a synthetic metadata snapshot, then batch look-ups from it.

    python bench/bench_mirror.py [--papers 1000000] [--lookups 100000] [--keep DIR]

1. Writes a synthetic snapshot shaped like the real one (JSON lines, the 14 fields of
   `arxiv-metadata-oai-snapshot.json`, sizes like arXiv's: a ~1,000-character abstract, 1-12
   authors with `authors_parsed`, 1-4 versions with their dates, 1-3 categories), gzip-compressed.
2. `enrich mirror import` in a child process (so its peak memory is its own, from
   resource.getrusage): records per second, peak resident memory, database size.
3. Batch look-ups of random held ids through MirrorFirst (the path `enrich run` takes), against
   the same number of ids read from a warm diskcache RecordCache (`get_many`), in the same batch
   sizes: papers per second for each.
Figures are wall-clock on a shared machine: run it twice and read them as rough.
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
        "update_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "authors_parsed": [[last, f, s] for last, f, s in authors],
    }
    return json.dumps(obj, ensure_ascii=False)


def write_snapshot(path: Path, papers: int) -> None:
    rng = random.Random(15)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for n in range(papers):
            out.write(synthetic_line(n, rng) + "\n")


CHILD = """
import resource, sys, time
from enrich.mirror.snapshot import import_snapshot
from enrich.mirror.store import MirrorStore
started = time.perf_counter()
with MirrorStore(sys.argv[2]) as store:
    result = import_snapshot(sys.argv[1], store)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(result.papers, result.written, result.bad, seconds, peak)
"""


def bench_lookups(db: Path, cache_dir: Path, papers: int, lookups: int, batch: int) -> None:
    from enrich.arxiv.cache import RecordCache
    from enrich.mirror.lookup import MirrorFirst
    from enrich.mirror.store import MirrorStore
    from enrich.settings import Settings

    rng = random.Random(7)
    ids = [paper_id(rng.randrange(papers)) for _ in range(lookups)]
    settings = Settings(
        cache_dir=cache_dir,
        mirror_path=str(db),
        mirror_max_age=10**12,
        api_url="http://127.0.0.1:9/api/query",
    )

    class NoApi:
        stats = None

        def fetch(self, ids, progress=None):  # type: ignore[no-untyped-def]
            raise AssertionError("the benchmark must not reach the API")

    with MirrorStore(db) as store:
        source = MirrorFirst(NoApi(), store, settings)
        started = time.perf_counter()
        found = 0
        for offset in range(0, len(ids), batch):
            answers = source.fetch(ids[offset : offset + batch])
            found += sum(1 for a in answers.values() if a.status == "found")
        mirror_s = time.perf_counter() - started
    # the same records, from a warm cache
    from enrich.mirror.paper import to_record

    with MirrorStore(db) as store, RecordCache(cache_dir / "c", cache_ttl=10**9) as cache:
        unique = list(dict.fromkeys(ids))
        for offset in range(0, len(unique), 5000):
            hits = store.get_many(unique[offset : offset + 5000])
            cache.put_found(to_record(h.paper) for h in hits.values())
        started = time.perf_counter()
        cached = 0
        for offset in range(0, len(ids), batch):
            cached += len(cache.get_many(ids[offset : offset + batch]))
        cache_s = time.perf_counter() - started
    print(f"look-ups, {lookups:,} ids in batches of {batch} ({found:,} found):")
    print(f"  mirror (MirrorFirst.fetch): {lookups / mirror_s:,.0f} ids/s ({mirror_s:.2f} s)")
    print(
        f"  warm cache (get_many):      {lookups / cache_s:,.0f} ids/s ({cache_s:.2f} s, {cached:,} hits)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-mirror-"))
    work.mkdir(parents=True, exist_ok=True)
    snapshot = work / "snapshot.jsonl.gz"
    db = work / "mirror.sqlite3"
    if not snapshot.exists():
        started = time.perf_counter()
        write_snapshot(snapshot, args.papers)
        print(
            f"wrote {args.papers:,} synthetic papers in {time.perf_counter() - started:.1f} s "
            f"({snapshot.stat().st_size / 1e6:.0f} MB gzip)"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(snapshot), str(db)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    papers, written, bad, seconds, peak = (
        int(out[0]),
        int(out[1]),
        int(out[2]),
        float(out[3]),
        float(out[4]),
    )
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    print(
        f"import: {papers:,} papers ({written:,} written, {bad} bad) in {seconds:.1f} s = "
        f"{papers / seconds:,.0f} records/s; peak memory {peak:.0f} MB; database {size / 1e6:.0f} MB"
    )
    again = subprocess.run(
        [sys.executable, "-c", CHILD, str(snapshot), str(db)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    print(f"import again (idempotent): {int(again[1]):,} rows written in {float(again[3]):.1f} s")
    bench_lookups(db, work / "cache", args.papers, args.lookups, args.batch)
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (shared machine)")


if __name__ == "__main__":
    main()
