"""The Redis budget, cache and shared queue (real Redis on 127.0.0.1:6379, a prefix per test)."""

from __future__ import annotations

import itertools
import math
import threading
import time

import pytest
import redis

from enrich.arxiv.backends import make_limiter, open_lookup_source, open_record_cache
from enrich.arxiv.client import ArxivClient
from enrich.arxiv.limiter import Early, Limiter
from enrich.arxiv.redis_store import RedisLimiter, RedisRecordCache, connect
from enrich.arxiv.shared import SharedLookup
from enrich.errors import BudgetUnavailable
from enrich.settings import Settings
from tests.redis_helpers import SHARED_URL, free_port, private_redis, redis_prefix
from tests.standin import StandIn, make_record, standin_server

__all__ = ["private_redis", "redis_prefix", "standin_server"]  # fixtures used by name below


def _settings(prefix: str, **extra: object) -> Settings:
    return Settings(redis_url=SHARED_URL, redis_prefix=prefix, **extra)  # type: ignore[arg-type]


def _gaps(server: StandIn) -> list[float]:
    log = sorted(server.requests, key=lambda r: r.arrived)
    return [b.arrived - a.finished for a, b in itertools.pairwise(log)]


def test_backends_choose_redis_only_when_redis_url_is_set(redis_prefix: str, tmp_path) -> None:
    plain = Settings(cache_dir=tmp_path)
    assert isinstance(make_limiter(plain), Limiter)
    shared = _settings(redis_prefix)
    assert isinstance(make_limiter(shared), RedisLimiter)
    assert isinstance(open_record_cache(shared), RedisRecordCache)
    assert isinstance(open_lookup_source(shared), SharedLookup)
    assert isinstance(open_lookup_source(plain), ArxivClient)


def test_redis_cache_keeps_answers_with_their_expiry(redis_prefix: str) -> None:
    now = [1_700_000_000.0]  # a Tuesday 22:13 UTC: the next announcement is hours away
    cache = RedisRecordCache(
        connect(SHARED_URL),
        prefix=redis_prefix,
        cache_ttl=600,
        negative_ttl=60,
        now=lambda: now[0],
    )
    cache.put_found([make_record("2501.00001", title="One")])
    cache.put_not_found(["2501.00002"])
    cache.put_invalid("2501.99999", "incorrect id format")
    got = cache.get_many(["2501.00001", "2501.00002", "2501.99999", "2501.00003"])
    assert got["2501.00001"].record is not None
    assert got["2501.00001"].record.title == "One"
    assert got["2501.00002"].status == "not_found"
    assert got["2501.99999"].reason == "incorrect id format"
    assert "2501.00003" not in got
    stats = cache.stats()
    assert (stats.positive, stats.negative) == (1, 2)
    now[0] += 61  # the negative answers are past their time, the record is not
    assert set(cache.get_many(["2501.00001", "2501.00002"])) == {"2501.00001"}
    assert cache.clear() == 3
    assert cache.get("2501.00001") is None


def test_unreachable_redis_is_a_miss_for_the_cache_and_no_budget_for_arxiv() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = connect(url, socket_timeout=0.2)
    cache = RedisRecordCache(client, url=url)
    assert cache.get("2501.00001") is None
    assert cache.degraded is not None and "unreachable" in cache.degraded
    cache.put_found([make_record("2501.00001")])  # dropped, no exception
    limiter = RedisLimiter(client, 0.0, url=url)
    with pytest.raises(BudgetUnavailable, match="arXiv is not asked"), limiter.slot():
        pass


def test_no_request_to_arxiv_without_redis(standin_server: StandIn) -> None:
    standin_server.add(make_record("2501.00001"))
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings = Settings(api_url=standin_server.url, min_interval=0, redis_url=url, max_attempts=3)
    for source in (ArxivClient(settings), SharedLookup(settings)):
        with source:
            lookup = source.fetch(["2501.00001"])["2501.00001"]
        assert lookup.status == "unavailable"
        assert lookup.reason is not None and "Redis" in lookup.reason
    assert standin_server.requests == []


@pytest.mark.timing
def test_two_limiters_on_one_redis_keep_one_connection_and_the_gap(redis_prefix: str) -> None:
    interval = 0.05
    spans: list[tuple[float, float]] = []
    guard = threading.Lock()

    def worker() -> None:
        limiter = RedisLimiter(connect(SHARED_URL), interval, prefix=redis_prefix)  # a "process"
        for _ in range(4):
            with limiter.slot():
                start = time.monotonic()
                time.sleep(0.005)
                end = time.monotonic()
            with guard:
                spans.append((start, end))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans.sort()
    assert len(spans) == 12
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start - end >= interval * 0.95  # Redis TIME and monotonic differ by microseconds


def test_the_redis_gap_runs_from_end_request_and_opens_the_next_connection_ahead(
    redis_prefix: str,
) -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RedisLimiter(
        connect(SHARED_URL), 3.0, prefix=redis_prefix, clock=lambda: now[0], sleep=sleep
    )
    with limiter.slot():
        limiter.end_request()
        now[0] += 2.0  # parsing and storing the answer, the budget still held
    ran: list[float] = []
    with limiter.slot(early=Early(0.25, lambda: ran.append(now[0]))):
        pass
    assert slept == [pytest.approx(0.75), pytest.approx(0.25)]  # the same 1 s, split
    assert ran == [pytest.approx(102.75)]  # the next connection opened 0.25 s before the end


def test_hold_off_is_shared_through_redis(redis_prefix: str) -> None:
    slept: list[float] = []
    first = RedisLimiter(connect(SHARED_URL), 0.0, prefix=redis_prefix, sleep=slept.append)
    second = RedisLimiter(connect(SHARED_URL), 0.0, prefix=redis_prefix, sleep=slept.append)
    first.hold_off(30.0)
    with second.slot():
        pass
    assert slept and 29.0 < slept[0] <= 30.0


@pytest.mark.timing
def test_shared_lookups_merge_everyones_ids_into_full_batches(
    redis_prefix: str, standin_server: StandIn
) -> None:
    ids = [f"2501.{n:05d}" for n in range(1, 251)]
    standin_server.add(*[make_record(i, title=f"Paper {i}") for i in ids])
    settings = _settings(redis_prefix, api_url=standin_server.url, min_interval=0.05)
    wanted = [ids[0:120], ids[60:200], ids[100:250], ids[0:250:3]]
    answers: list[dict[str, object]] = [{} for _ in wanted]

    def run(n: int) -> None:
        with SharedLookup(settings) as source:
            answers[n] = {i: lk.status for i, lk in source.fetch(wanted[n]).items()}

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(wanted))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for subset, got in zip(wanted, answers, strict=True):
        assert got == dict.fromkeys(subset, "found")
    asked = standin_server.requested_ids()
    assert sorted(asked) == sorted(set(asked)) == ids  # every id asked once, by someone
    assert len(standin_server.requests) <= math.ceil(len(ids) / 100) + 1
    assert standin_server.max_open_connections == 1
    assert all(gap >= 0.05 * 0.95 for gap in _gaps(standin_server))


def test_redis_paused_then_back_keeps_what_it_held(private_redis, standin_server: StandIn) -> None:
    """A Redis frozen mid-run (SIGSTOP) is unreachable: nothing is asked of arXiv; once it is back,
    the answers it kept are still there and the rest is fetched."""
    standin_server.add(make_record("2501.00001"), make_record("2501.00002"))
    settings = Settings(
        api_url=standin_server.url, min_interval=0, redis_url=private_redis.url, max_attempts=2
    )
    client = connect(private_redis.url, socket_timeout=0.3)
    with SharedLookup(settings, client=client) as source:
        assert source.fetch(["2501.00001"])["2501.00001"].status == "found"
        private_redis.pause()
        try:
            during = source.fetch(["2501.00001", "2501.00002"])
        finally:
            private_redis.resume()
        assert {lk.status for lk in during.values()} == {"unavailable"}
        assert all("Redis" in (lk.reason or "") for lk in during.values())
        assert len(standin_server.requests) == 1  # nothing while Redis was frozen
        after = source.fetch(["2501.00001", "2501.00002"])
    assert after["2501.00001"].from_cache  # kept by Redis across the freeze
    assert after["2501.00002"].status == "found"
    assert standin_server.requested_ids() == ["2501.00001", "2501.00002"]
    assert redis.Redis.from_url(private_redis.url).ping()


def test_cache_stats_and_clear_commands_use_redis(redis_prefix: str, tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    cache = RedisRecordCache(connect(SHARED_URL), prefix=redis_prefix)
    cache.put_found([make_record("2501.00001")])
    cache.put_versions([make_record("2501.00001")])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env.update(
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
        ENRICH_REDIS_URL=SHARED_URL,
        ENRICH_REDIS_PREFIX=redis_prefix,
    )

    def enrich(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "enrich", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "positive: 1" in enrich("cache", "stats")
    assert "removed 2 cached answers" in enrich("cache", "clear")
    assert cache.get("2501.00001") is None and cache.get_versions([("2501.00001", 1)]) == {}
    assert not (tmp_path / "cache").exists()  # nothing written to disk
