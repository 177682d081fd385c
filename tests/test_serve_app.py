"""The service in-process (httpx's ASGI transport) against the arXiv stand-in on a real socket."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from enrich.errors import SettingsError
from enrich.pipeline import enrich_entries
from enrich.serve.app import create_app
from enrich.serve.run import check_bind, is_loopback
from enrich.settings import Settings
from tests.standin import StandIn, make_record, standin_server

__all__ = ["standin_server"]

IDS = [f"2501.{n:05d}" for n in range(1, 601)]


def _settings(server: StandIn, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "api_url": server.url,
        "cache_dir": tmp_path / "cache",
        "min_interval": 0.02,
        "serve_linger": 0.2,
    }
    values.update(extra)
    return Settings(**values)


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    inner = app.app  # type: ignore[attr-defined]
    async with inner.router.lifespan_context(inner):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            yield client


def _run(settings: Settings, body: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with _client(settings) as client:
            return await body(client)

    return asyncio.run(main())


@pytest.fixture
def arxiv(standin_server: StandIn) -> StandIn:
    standin_server.add(*[make_record(i, title=f"Paper {i}") for i in IDS])
    return standin_server


def test_fifty_callers_cost_the_coalesced_number_of_requests(arxiv: StandIn, tmp_path) -> None:
    wanted = [IDS[k * 10 : k * 10 + 10] + IDS[:5] for k in range(50)]  # overlapping asks
    unique = {i for ids in wanted for i in ids}

    async def body(client: httpx.AsyncClient) -> list[httpx.Response]:
        calls = [client.post("/v1/papers", json={"ids": ids}) for ids in wanted]
        return await asyncio.gather(*calls)

    responses = _run(_settings(arxiv, tmp_path), body)
    assert all(r.status_code == 200 for r in responses)
    for ids, response in zip(wanted, responses, strict=True):
        results = response.json()["results"]
        assert [r["arxiv_id"] for r in results] == list(dict.fromkeys(ids))
        assert {r["status"] for r in results} == {"found"}
        assert all(r["record"]["title"] == f"Paper {r['arxiv_id']}" for r in results)
    assert len(arxiv.requests) == math.ceil(len(unique) / 100)
    assert sorted(arxiv.requested_ids()) == sorted(unique)  # single flight: each id once
    assert arxiv.max_open_connections == 1


def test_paper_answers_and_their_status_codes(arxiv: StandIn, tmp_path) -> None:
    async def body(client: httpx.AsyncClient) -> dict[str, httpx.Response]:
        return {
            "found": await client.get("/v1/papers/arXiv:2501.00001v2"),
            "again": await client.get("/v1/papers/2501.00001"),
            "missing": await client.get("/v1/papers/2501.09999"),
            "invalid": await client.get("/v1/papers/not-an-id"),
            "old": await client.get("/v1/papers/hep-th/9901001"),
        }

    got = _run(_settings(arxiv, tmp_path), body)
    assert got["found"].status_code == 200
    assert got["found"].json()["record"]["arxiv_id"] == "2501.00001"
    assert got["again"].json() == {**got["found"].json(), "arxiv_id": "2501.00001"}
    assert got["missing"].status_code == 404
    assert got["missing"].json()["status"] == "not_found"
    assert got["invalid"].status_code == 422
    assert got["old"].json()["arxiv_id"] == "hep-th/9901001"  # a slash in the path is fine
    assert arxiv.requested_ids().count("2501.00001") == 1  # the repeat came from memory


def test_enrich_text_equals_the_library_run(arxiv: StandIn, tmp_path) -> None:
    digest = (
        "# Papers of the day\n\n"
        "- [Paper 2501.00001](https://arxiv.org/abs/2501.00001v1) by A. Author et al.\n"
        "- [A wrong title](https://arxiv.org/abs/2501.00002)\n"
        "- [Unknown](https://arxiv.org/abs/2501.09999)\n"
    )
    settings = _settings(arxiv, tmp_path)

    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        plain = await client.post("/v1/enrich", json={"text": digest, "path": "day.md"})
        streamed = await client.post(
            "/v1/enrich",
            json={"text": digest, "path": "day.md"},
            headers={"accept": "application/x-ndjson"},
        )
        return plain, streamed

    plain, streamed = _run(settings, body)
    from enrich.digests import parse_digest
    from enrich.ingest import validate

    entries = [validate(e) for e in parse_digest(digest, "day.md")]
    local = [e.model_dump(mode="json") for e in enrich_entries(entries, settings)]
    assert plain.status_code == 200
    assert plain.json()["entries"] == local
    assert plain.json()["summary"]["entries"] == 3
    assert streamed.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in streamed.text.splitlines()] == local


def test_enrich_ndjson_entries_in_and_out(arxiv: StandIn, tmp_path) -> None:
    lines = [
        json.dumps(
            {
                "arxiv_id": "2501.00003",
                "title": "Paper 2501.00003",
                "source": {"path": "in.jsonl", "line": 1, "format": "jsonl"},
            }
        ),
        "{broken",
    ]

    async def body(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(
            "/v1/enrich",
            content="\n".join(lines).encode(),
            headers={"content-type": "application/x-ndjson"},
        )

    response = _run(_settings(arxiv, tmp_path), body)
    out = [json.loads(line) for line in response.text.splitlines()]
    assert [e["status"] for e in out] == ["enriched", "invalid"]
    assert "broken JSONL line" in out[1]["error"]  # nothing dropped, the reason kept


def test_limits_answer_413_and_422(arxiv: StandIn, tmp_path) -> None:
    settings = _settings(arxiv, tmp_path, serve_max_body=2048, serve_max_ids=3, serve_max_entries=2)

    async def body(client: httpx.AsyncClient) -> list[httpx.Response]:
        three = "\n".join(f"- https://arxiv.org/abs/{i}" for i in IDS[:3])
        return [
            await client.post("/v1/papers", json={"ids": IDS[:4]}),
            await client.post(
                "/v1/papers", content=b"x" * 4096, headers={"content-type": "application/json"}
            ),
            await client.post("/v1/enrich", json={"text": three}),
            await client.post("/v1/enrich", json={"text": "x", "entries": []}),
            await client.post("/v1/papers", json={"ids": ["2501.00001"], "api_url": "http://x"}),
        ]

    many_ids, too_big, many_entries, both, unknown_field = _run(settings, body)
    assert many_ids.status_code == 422 and "at most 3" in many_ids.json()["detail"]
    assert too_big.status_code == 413 and "serve_max_body" in too_big.json()["detail"]
    assert many_entries.status_code == 422 and "at most 2" in many_entries.json()["detail"]
    assert both.status_code == 422
    assert unknown_field.status_code == 422  # a caller cannot pass a URL to fetch
    assert arxiv.requests == []


def test_links_in_entries_are_never_fetched(arxiv: StandIn, tmp_path) -> None:
    with StandIn() as bait:  # a server a caller would like us to call
        bait_link = f"{bait.url}?id_list=2501.00001"
        digest = f"- [Paper](https://arxiv.org/abs/2501.00001) [code]({bait_link})"

        async def body(client: httpx.AsyncClient) -> httpx.Response:
            return await client.post("/v1/enrich", json={"text": digest})

        response = _run(_settings(arxiv, tmp_path), body)
        assert response.status_code == 200
        assert bait.requests == []
    assert arxiv.requested_ids() == ["2501.00001"]


def test_token_is_required_when_set(arxiv: StandIn, tmp_path) -> None:
    settings = _settings(arxiv, tmp_path, serve_token="s3cret")

    async def body(client: httpx.AsyncClient) -> list[httpx.Response]:
        good = {"authorization": "Bearer s3cret"}
        return [
            await client.get("/v1/papers/2501.00001"),
            await client.get("/v1/papers/2501.00001", headers={"authorization": "Bearer nope"}),
            await client.get("/v1/papers/2501.00001", headers=good),
            await client.get("/metrics"),
            await client.get("/healthz"),
            await client.post(
                "/v1/enrich", content=b"{}\n", headers={"content-type": "application/x-ndjson"}
            ),
        ]

    none, wrong, good, metrics, health, ndjson = _run(settings, body)
    assert (none.status_code, wrong.status_code, good.status_code) == (401, 401, 200)
    assert metrics.status_code == 401 and ndjson.status_code == 401
    assert health.status_code == 200  # probes need no token


def test_binding_beyond_loopback_needs_a_token(tmp_path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    with pytest.raises(SettingsError, match="serve_token"):
        check_bind(Settings(cache_dir=tmp_path), "0.0.0.0")
    check_bind(Settings(cache_dir=tmp_path, serve_token="t"), "0.0.0.0")
    check_bind(Settings(cache_dir=tmp_path), "127.0.0.1")


def test_a_full_queue_answers_503_with_retry_after(arxiv: StandIn, tmp_path) -> None:
    settings = _settings(arxiv, tmp_path, min_interval=1.0, serve_max_wait=1.5, batch_size=10)

    async def body(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/v1/papers", json={"ids": IDS[:50]})  # 5 requests, >= 4 s

    response = _run(settings, body)
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 4
    assert arxiv.requests == []


def test_metrics_and_health(arxiv: StandIn, tmp_path) -> None:
    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        await client.post("/v1/papers", json={"ids": IDS[:150]})
        await client.get("/v1/papers/2501.00001")
        return await client.get("/metrics"), await client.get("/healthz")

    metrics, health = _run(_settings(arxiv, tmp_path), body)
    assert health.json() == {"status": "ok", "cache": "ok", "budget": "ok"}
    assert metrics.headers["content-type"].startswith("text/plain")
    values = dict(
        line.rsplit(" ", 1) for line in metrics.text.splitlines() if not line.startswith("#")
    )
    assert values["enrich_arxiv_requests_total"] == str(len(arxiv.requests)) == "2"
    assert values["enrich_arxiv_ids_fetched_total"] == "150"
    assert values['enrich_cache_hits_total{layer="memory"}'] == "1"
    assert values["enrich_queue_depth"] == "0"


def test_callers_that_disconnect_stop_costing(arxiv: StandIn, tmp_path) -> None:
    """Ids whose every caller went away leave the queue before they are sent; ids someone still
    waits for are fetched as usual."""
    import threading
    import time

    import uvicorn

    from tests.redis_helpers import free_port

    app = create_app(_settings(arxiv, tmp_path, serve_linger=0.6))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        with pytest.raises(httpx.ReadTimeout):  # gives up and closes its connection
            httpx.post(url + "/v1/papers", json={"ids": IDS[:10]}, timeout=0.2)
        kept = httpx.post(url + "/v1/papers", json={"ids": IDS[8:12]}, timeout=10)
        assert [r["status"] for r in kept.json()["results"]] == ["found"] * 4
        metrics = httpx.get(url + "/metrics", timeout=10).text
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert arxiv.requested_ids() == IDS[8:12]  # the 8 ids nobody waits for cost nothing
    assert "enrich_queue_dropped_total 8" in metrics


def test_server_source_when_the_service_is_down_or_full(tmp_path) -> None:
    from enrich.serve.remote import ATTEMPTS, ServerSource
    from tests.redis_helpers import free_port

    slept: list[float] = []
    down = Settings(cache_dir=tmp_path, server=f"http://127.0.0.1:{free_port()}")
    with ServerSource(down, sleep=slept.append) as source:
        got = source.fetch(["2501.00001", "2501.00002"])
    assert {lk.status for lk in got.values()} == {"unavailable"}
    assert "cannot be reached" in (got["2501.00001"].reason or "")
    assert len(slept) == ATTEMPTS - 1

    calls: list[int] = []

    def full(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(503, json={"detail": "full"}, headers={"Retry-After": "7"})
        ids = json.loads(request.content)["ids"]
        return httpx.Response(
            200,
            json={
                "results": [
                    {"arxiv_id": i, "status": "not_found", "record": None, "reason": "gone"}
                    for i in ids
                ]
            },
        )

    slept.clear()
    http = httpx.Client(transport=httpx.MockTransport(full), base_url="http://svc")
    with ServerSource(
        Settings(cache_dir=tmp_path, server="http://svc"), http=http, sleep=slept.append
    ) as source:
        got = source.fetch(["2501.00001"])
    assert slept == [7.0]  # Retry-After honoured
    assert got["2501.00001"].status == "not_found" and got["2501.00001"].reason == "gone"


def test_enrich_serve_refuses_a_public_address_without_a_token(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    done = subprocess.run(
        [sys.executable, "-m", "enrich", "serve", "--host", "0.0.0.0", "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert done.returncode == 2
    assert "serve_token" in done.stderr and "Traceback" not in done.stderr
