"""Ingest speed: MB/s and entries/s on the seed digests scaled 1x, 10x and 100x.

    python bench/bench_ingest.py [--scales 1,10,100] [--repeat 3]

Each scale writes the five seeds repeated N times (as N copies of each file, so every format is
sniffed and parsed as it would be) into a temporary folder and times `iter_entries` over it, best of
--repeat runs. Linear growth shows as a flat MB/s column.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from enrich.ingest import iter_entries

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def build(folder: Path, scale: int) -> int:
    size = 0
    for seed in sorted(SEEDS.glob("0*.txt")):
        data = seed.read_bytes()
        for i in range(scale):
            (folder / f"{seed.stem}_{i:04d}.txt").write_bytes(data)
            size += len(data)
    return size


def measure(folder: Path, repeat: int) -> tuple[float, int]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = sum(1 for _ in iter_entries([folder]))
        best = min(best, time.perf_counter() - started)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'scale':>6} {'MB':>8} {'entries':>8} {'seconds':>8} {'MB/s':>7} {'entries/s':>10}")
    for scale in (int(s) for s in args.scales.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            size = build(folder, scale)
            seconds, count = measure(folder, args.repeat if scale < 100 else 1)
        mb = size / 1e6
        print(
            f"{scale:>5}x {mb:8.2f} {count:8d} {seconds:8.3f} {mb / seconds:7.2f} "
            f"{count / seconds:10.0f}"
        )


if __name__ == "__main__":
    main()
