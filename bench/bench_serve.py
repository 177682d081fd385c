"""Load benchmark of `enrich serve` on loopback: cold coalescing, then warm GET /v1/papers/{id}.

    python bench/bench_serve.py [--clients 50] [--requests 4000] [--seconds 20] [--cold-ids 10]

Starts the arXiv stand-in (enrich.testing) and one `enrich serve` process (embedded cache in a
temporary folder, min_interval 0.05 s against the stand-in), then:

* cold: `--clients` callers at once, each POST /v1/papers with `--cold-ids` ids drawn from 2,000
  papers nobody asked yet: prints the requests arXiv received and the ids per request (the
  coalescing efficiency; 100 is a full batch), and how long the callers waited;
* warm: `--clients` concurrent clients, each sending GET /v1/papers/{id} for ids the cold phase
  cached, until `--requests` are done or `--seconds` pass: prints requests per second and the
  p50/p99 latency.

Bounded in count and time. The load generator (httpx, asyncio) runs on the same machine and
shares its cores with the service: on a busy 2-core box the figures are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from enrich.testing import StandIn, make_record  # noqa: E402

PAPERS = 2000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_service(api_url: str, cache: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env.update(
        PYTHONPATH=str(ROOT),
        ENRICH_API_URL=api_url,
        ENRICH_MIN_INTERVAL="0.05",
        ENRICH_CACHE_DIR=cache,
        ENRICH_SERVE_LINGER="0.2",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "enrich", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the service did not start")


async def _cold(url: str, clients: int, per: int, ids: list[str]) -> tuple[set[str], float]:
    rng = random.Random(7)
    asks = [rng.sample(ids, per) for _ in range(clients)]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        started = time.perf_counter()
        answers = await asyncio.gather(*(client.post("/v1/papers", json={"ids": a}) for a in asks))
        seconds = time.perf_counter() - started
    assert all(r.status_code == 200 for r in answers), {r.status_code for r in answers}
    return {i for a in asks for i in a}, seconds


async def _warm(
    url: str, clients: int, total: int, limit_s: float, ids: list[str]
) -> tuple[list[float], float]:
    """`clients` keep-alive connections, each sending one GET at a time. A bare asyncio HTTP/1.1
    client: httpx's pool costs more CPU per request than the service on a shared box."""
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    rng = random.Random(11)
    deadline = time.perf_counter() + limit_s

    async def get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        return status

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while len(latencies) < total and time.perf_counter() < deadline:
                t0 = time.perf_counter()
                status = await get(reader, writer, f"/v1/papers/{rng.choice(ids)}")
                latencies.append(time.perf_counter() - t0)
                assert status == 200, status
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, time.perf_counter() - started


def _metric(text: str, name: str) -> str:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return line.split()[1]
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000, help="warm requests at most")
    parser.add_argument("--seconds", type=float, default=20.0, help="warm phase at most")
    parser.add_argument("--cold-ids", type=int, default=10, help="ids per cold caller")
    args = parser.parse_args()

    ids = [f"2504.{n:05d}" for n in range(1, PAPERS + 1)]
    with StandIn() as arxiv, tempfile.TemporaryDirectory() as cache:
        arxiv.add(*[make_record(i, title=f"Paper {i}") for i in ids])
        proc, url = _start_service(arxiv.url, cache)
        try:
            unique, cold_s = asyncio.run(_cold(url, args.clients, args.cold_ids, ids))
            requests = len(arxiv.requests)
            print(f"cold: {args.clients} callers x {args.cold_ids} ids = {len(unique)} unique ids")
            floor = -(-len(unique) // 100)
            print(f"cold: {requests} requests to arXiv (ceil(unique/100) = {floor})")
            print(
                f"cold: {len(unique) / max(1, requests):.1f} ids per arXiv request; "
                f"all callers answered in {cold_s:.2f} s"
            )
            warm_ids = sorted(unique)
            latencies, warm_s = asyncio.run(
                _warm(url, args.clients, args.requests, args.seconds, warm_ids)
            )
            latencies.sort()
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
            print(
                f"warm: {len(latencies)} GET /v1/papers/{{id}} by {args.clients} clients "
                f"in {warm_s:.2f} s: {len(latencies) / warm_s:.0f} req/s, "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
            )
            metrics = httpx.get(url + "/metrics", timeout=10).text
            print(
                "metrics: requests",
                _metric(metrics, "enrich_arxiv_requests_total"),
                "ids/request",
                _metric(metrics, "enrich_arxiv_ids_per_request"),
                "memory hits",
                _metric(metrics, 'enrich_cache_hits_total{layer="memory"}'),
            )
            assert len(arxiv.requests) == requests, "the warm phase asked arXiv"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
