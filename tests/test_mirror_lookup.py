"""Look-ups ask the mirror first (enrich.mirror.lookup), and a run on the seeds needs no request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path
from standin import StandIn, make_record
from test_run_e2e import _records_for

from enrich.arxiv.client import Lookup
from enrich.ingest import iter_entries
from enrich.mirror.lookup import MirrorFirst, open_mirror_first
from enrich.mirror.paper import MirrorPaper
from enrich.mirror.store import MirrorStore, day_start
from enrich.pipeline import Pipeline
from enrich.settings import Settings
from enrich.testing.oai_pmh import OaiStandIn

ROOT = Path(__file__).resolve().parents[1]
NOW = day_start("2026-11-25")


class FakeClient:
    """Stands for ArxivClient: answers every id it is asked, and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []
        self.stats = type("S", (), {"requests": 0, "cache_hits": 0, "retries": 0})()

    def fetch(
        self, ids: Iterable[str], progress: Callable[[int], None] | None = None
    ) -> dict[str, Any]:
        ids = list(ids)
        self.asked.append(ids)
        self.stats.requests += 1
        return {i: Lookup("found", make_record(i, title="From the API")) for i in ids}


def held(arxiv_id: str, versions: int = 2) -> MirrorPaper:
    return MirrorPaper(
        arxiv_id=arxiv_id,
        datestamp="2026-11-24",
        versions=[(n, f"Mon, {n} Nov 2026 10:00:00 GMT", 5) for n in range(1, versions + 1)],
        title="From the mirror",
        authors_raw="A. One and B. Two",
        authors=["A. One", "B. Two"],
        categories="cs.LG",
    )


@pytest.fixture
def store(tmp_path: Path) -> MirrorStore:
    with MirrorStore(tmp_path / "m.sqlite3", now=lambda: NOW - 3600) as opened:
        source = opened.begin_source("sync", "oai")
        opened.write_sync_page([held("2511.00001"), held("2511.00002", 1)], [], source, None)
        yield opened


def source(store: MirrorStore, client: FakeClient, **settings: Any) -> MirrorFirst:
    values = {"mirror_max_age": 86400.0, **settings}
    return MirrorFirst(client, store, Settings(**values), now=lambda: NOW)


def test_a_fresh_paper_costs_no_request_and_carries_dated_versions(store: MirrorStore) -> None:
    client = FakeClient()
    answers = source(store, client).fetch(["2511.00001", "2511.00002", "2511.00003"])
    assert client.asked == [["2511.00003"]]
    record = answers["2511.00001"].record
    assert record.title == "From the mirror" and record.latest_version == 2
    assert [v.version for v in record.versions] == [1, 2] and record.versions[1].date is not None
    assert answers["2511.00003"].record.title == "From the API"


def test_a_paper_older_than_mirror_max_age_goes_to_the_api(store: MirrorStore) -> None:
    client = FakeClient()
    answers = source(store, client, mirror_max_age=1800.0).fetch(["2511.00001"])
    assert client.asked == [["2511.00001"]] and answers["2511.00001"].record.title == "From the API"


def test_a_digest_naming_a_newer_version_than_the_mirror_is_checked_with_the_api(
    store: MirrorStore,
) -> None:
    client = FakeClient()
    first = source(store, client)
    first.fetch(["2511.00001", "2511.00002"], versions={"2511.00001": 2, "2511.00002": 2})
    assert client.asked == [["2511.00002"]]  # the mirror holds v1 of 2511.00002 only
    assert first.mirror_hits == 1


@pytest.mark.parametrize("settings", [{"refresh": True}, {"mirror_max_age": 0.0}])
def test_refresh_or_a_zero_max_age_skips_the_mirror(
    store: MirrorStore, settings: dict[str, Any]
) -> None:
    client = FakeClient()
    source(store, client, **settings).fetch(["2511.00001"])
    assert client.asked == [["2511.00001"]]


def test_ids_are_answered_as_given(store: MirrorStore) -> None:
    client = FakeClient()
    answers = source(store, client).fetch(["arXiv:2511.00001", "2511.00001"])
    assert client.asked == []
    assert answers["arXiv:2511.00001"].record.arxiv_id == "2511.00001"


def test_no_mirror_file_means_the_plain_client(tmp_path: Path) -> None:
    client = FakeClient()
    settings = Settings(mirror_path=str(tmp_path / "none.sqlite3"))
    assert open_mirror_first(client, settings) is client
    assert not (tmp_path / "none.sqlite3").exists()


def test_the_pipeline_counts_what_the_mirror_answered(tmp_path: Path, store: MirrorStore) -> None:
    digest = tmp_path / "d.md"
    digest.write_text(
        "# Digest\n\n- **[From the mirror](https://arxiv.org/abs/2511.00001v2)** `cs.LG`\n"
        "- **[From the API](https://arxiv.org/abs/2511.00003)** `cs.LG`\n",
        "utf-8",
    )
    client = FakeClient()
    with Pipeline(Settings(), client=source(store, client)) as pipe:
        out = list(pipe.run([digest]))
    assert [e.status for e in out] == ["enriched", "enriched"]
    assert pipe.summary.mirror_hits == 1 and client.asked == [["2511.00003"]]


def _env(tmp_path: Path, cache: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "ENRICH_MIN_INTERVAL": "0",
        "ENRICH_BACKOFF_INITIAL": "0",
        "ENRICH_BACKOFF_MAX": "0",
        "ENRICH_CACHE_DIR": str(tmp_path / cache),
    }
    return env | extra


def _lines(path: Path, drop_versions: bool) -> list[dict[str, Any]]:
    lines = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    for line in lines:
        if drop_versions and line.get("arxiv"):
            line["arxiv"].pop("versions", None)
    return lines


def test_a_run_on_the_seeds_with_the_mirror_synced_sends_no_request(tmp_path: Path) -> None:
    seeds = shared_path("seeds")
    records, _ = _records_for(list(iter_entries([seeds])))
    mirror = str(tmp_path / "mirror.sqlite3")
    enrich = [sys.executable, "-m", "enrich"]
    with StandIn(records) as api, OaiStandIn(page_size=50) as oai:
        oai.add(records)
        by_api = subprocess.run(
            [*enrich, "run", str(seeds), "--out", str(tmp_path / "api.jsonl"), "-q"],
            env=_env(tmp_path, "c1", ENRICH_API_URL=api.url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert by_api.returncode == 0, by_api.stderr
        assert len(api.requests) == 2
        synced = subprocess.run(
            [*enrich, "mirror", "sync", "--oai-url", oai.url, "--mirror-path", mirror],
            env=_env(tmp_path, "c2", ENRICH_API_URL=api.url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert synced.returncode == 0, synced.stderr
        assert f"added {len(records)}" in synced.stdout
        api.clear_log()
        by_mirror = subprocess.run(
            [*enrich, "run", str(seeds), "--out", str(tmp_path / "mirror.jsonl")],
            env=_env(tmp_path, "c3", ENRICH_API_URL=api.url, ENRICH_MIRROR_PATH=mirror),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert by_mirror.returncode == 0, by_mirror.stderr
        assert api.requests == []  # 0 requests: every paper came from the mirror
    assert "from the mirror" in by_mirror.stderr
    mirrored = _lines(tmp_path / "mirror.jsonl", drop_versions=False)
    assert len(mirrored) == 128 and all(x["status"] == "enriched" for x in mirrored)
    assert all(x["arxiv"]["versions"] for x in mirrored if x["arxiv"])  # dates the API lacks
    assert all(
        len(x["arxiv"]["versions"]) == x["arxiv"]["latest_version"] for x in mirrored if x["arxiv"]
    )
    assert _lines(tmp_path / "mirror.jsonl", True) == _lines(tmp_path / "api.jsonl", True)


def test_the_wrapper_shows_the_clients_face_but_not_its_cache(store: MirrorStore) -> None:
    client = FakeClient()
    client.redis = "the connection"  # type: ignore[attr-defined]
    client.cache = "a cache"  # type: ignore[attr-defined]
    wrapped = source(store, client)
    assert wrapped.redis == "the connection" and wrapped.stats is client.stats
    assert getattr(wrapped, "cache", None) is None  # the service would ask it before the mirror
    assert getattr(wrapped, "fetch_versions", None) is None  # this client has none


def test_the_service_asks_the_mirror_first(tmp_path: Path) -> None:
    import asyncio

    import httpx

    from enrich.serve.app import create_app

    mirror = tmp_path / "m.sqlite3"
    with MirrorStore(mirror) as opened:
        source_id = opened.begin_source("sync", "oai")
        opened.write_sync_page([held("2511.00001")], [], source_id, None)
        opened.finish_source(source_id, records=1)
    with StandIn([make_record("2511.00002", title="From the API")]) as api:
        settings = Settings(
            api_url=api.url, cache_dir=tmp_path / "cache", min_interval=0, mirror_path=str(mirror)
        )

        async def ask() -> list[Any]:
            app = create_app(settings)
            inner = app.app  # type: ignore[attr-defined]
            async with inner.router.lifespan_context(inner):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
                    answers = [await c.get(f"/v1/papers/2511.0000{n}") for n in (1, 2)]
                    return [a.json() for a in answers]

        first, second = asyncio.run(ask())
        assert [r.ids for r in api.requests] == [["2511.00002"]]  # the mirror's paper cost none
    assert first["record"]["title"] == "From the mirror" and len(first["record"]["versions"]) == 2
    assert second["record"]["title"] == "From the API"
