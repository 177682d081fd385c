"""Cold runs against the local stand-in: requests = ceil(unique ids / batch), and wall time close
to the rate-limit floor, min_interval x (requests - 1), plus the server's own time.

    python bench/bench_cold.py [--ids 2000] [--interval 0.5] [--delay 0.05]

The stand-in answers each request after --delay seconds (a slow arXiv); the client must keep
--interval between requests. The floor is what any polite client pays: the gaps plus the time
the server takes to answer. The overhead is everything above it (parsing, caching, scheduling).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from standin import StandIn, make_record

from enrich.arxiv import ArxivClient
from enrich.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ids", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args()
    ids = [f"2501.{n:05d}" for n in range(1, args.ids + 1)]
    with (
        StandIn([make_record(i) for i in ids], delay=args.delay) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = load_settings(
            None, api_url=server.url, cache_dir=tmp, min_interval=args.interval
        )
        with ArxivClient(settings) as client:
            started = time.monotonic()
            found = client.fetch(ids)
            wall = time.monotonic() - started
        log = server.requests
    requests = len(log)
    expected = math.ceil(len(ids) / settings.batch_size)
    server_time = sum(r.finished - r.arrived for r in log)
    floor = args.interval * (requests - 1) + server_time
    assert requests == expected, (requests, expected)
    assert all(v.status == "found" for v in found.values())
    print(f"ids {len(ids)}, batch {settings.batch_size}, interval {args.interval} s")
    print(f"requests {requests} (ceil(ids/batch) = {expected})")
    print(
        f"wall {wall:.2f} s, floor {floor:.2f} s (gaps {args.interval * (requests - 1):.2f} + "
        f"server {server_time:.2f}), overhead {100 * (wall / floor - 1):.1f} %"
    )


if __name__ == "__main__":
    main()
