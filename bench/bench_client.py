"""Look up 1,000 ids on the local arXiv stand-in three ways, and count what each one costs.

    python bench/bench_client.py [--ids 1000]

1. enrich's ArxivClient: batches of 100 over one connection, then the same run again warm (cache).
2. the `arxiv` package (lukasschwab/arxiv.py): Client(page_size=100, delay_seconds=0) with
   Search(id_list=...), its URL pointed at the stand-in through `Client.query_url_format`.
   (It pages through one id_list, so every page's GET carries all the ids: on the real arXiv a
   URL that long is refused with HTTP 414; the stand-in accepts it.)
3. plain httpx, one request per id (what a naive loop does).

The stand-in answers at once and min_interval is 0, so seconds here measure only the local work;
against arXiv every request costs at least 3 s (terms of use), which the last column shows.
Asserts that the client needs exactly ceil(ids / 100) requests cold and none warm.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import arxiv
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from standin import StandIn, make_record

from enrich.arxiv import ArxivClient
from enrich.settings import ARXIV_MIN_INTERVAL, Settings


def run_enrich(server: StandIn, ids: list[str], cache_dir: Path) -> tuple[int, float, int]:
    settings = Settings(api_url=server.url, cache_dir=cache_dir, min_interval=0.0, batch_size=100)
    before = len(server.requests)
    started = time.perf_counter()
    with ArxivClient(settings) as client:
        result = client.fetch(ids)
    seconds = time.perf_counter() - started
    found = sum(1 for lookup in result.values() if lookup.status == "found")
    assert client.stats.requests == len(server.requests) - before
    return len(server.requests) - before, seconds, found


def run_arxiv_package(server: StandIn, ids: list[str]) -> tuple[int, float, int]:
    client = arxiv.Client(page_size=100, delay_seconds=0.0, num_retries=0)
    client.query_url_format = server.url + "?{}"
    before = len(server.requests)
    started = time.perf_counter()
    results = list(client.results(arxiv.Search(id_list=ids, max_results=None)))
    seconds = time.perf_counter() - started
    return len(server.requests) - before, seconds, len({r.get_short_id() for r in results})


def run_one_per_id(server: StandIn, ids: list[str]) -> tuple[int, float, int]:
    before = len(server.requests)
    found = 0
    started = time.perf_counter()
    with httpx.Client() as http:
        for arxiv_id in ids:
            response = http.get(server.url, params={"id_list": arxiv_id, "max_results": "1"})
            found += response.text.count("<entry>")
    seconds = time.perf_counter() - started
    return len(server.requests) - before, seconds, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1000)
    args = parser.parse_args()
    ids = [f"2504.{i:05d}" for i in range(1, args.ids + 1)]
    expected_cold = math.ceil(len(ids) / 100)

    with StandIn() as server, tempfile.TemporaryDirectory() as tmp:
        server.add(*[make_record(i, title=f"Paper {i}") for i in ids])
        rows = [
            ("enrich ArxivClient, cold", *run_enrich(server, ids, Path(tmp))),
            ("enrich ArxivClient, warm", *run_enrich(server, ids, Path(tmp))),
            ("arxiv package Client", *run_arxiv_package(server, ids)),
            ("httpx, one request per id", *run_one_per_id(server, ids)),
        ]
        peak = server.max_open_connections

    cold_requests, cold_seconds = rows[0][1], rows[0][2]
    print(f"{len(ids)} ids on the local stand-in (min_interval 0; peak open connections {peak})")
    header = f"{'method':28} {'requests':>8} {'seconds':>9} {'x requests':>10} {'x seconds':>9}"
    print(header + f" {'at 3 s/request':>15}")
    for name, requests, seconds, found in rows:
        assert found == len(ids), f"{name}: found {found} of {len(ids)}"
        ratio_requests = requests / cold_requests if cold_requests else float("nan")
        ratio_seconds = seconds / cold_seconds if cold_seconds else float("nan")
        polite = max(requests - 1, 0) * ARXIV_MIN_INTERVAL
        print(
            f"{name:28} {requests:8d} {seconds:9.3f} {ratio_requests:10.1f} {ratio_seconds:9.2f}"
            f" {polite:13.0f} s"
        )
    assert rows[0][1] == expected_cold, f"cold run used {rows[0][1]} requests, not {expected_cold}"
    assert rows[1][1] == 0, f"warm run used {rows[1][1]} requests, not 0"
    print(f"OK: {expected_cold} requests cold (= ceil({len(ids)}/100)), 0 warm")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
