"""Real sockets: the client against the stand-in server, one misbehaviour at a time.

These tests do not measure time: min_interval and the back-off are 0 and the client's sleep is a
recorder. The timing guarantees are in test_arxiv_timing.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import arxiv
import httpx
import pytest
from standin import StandIn, make_record

from enrich.arxiv import ArxivClient, Lookup, parse_feed
from enrich.settings import Settings


@pytest.fixture
def server() -> Iterator[StandIn]:
    with StandIn() as standin:
        yield standin


def ids(n: int, start: int = 1) -> list[str]:
    return [f"2502.{i:05d}" for i in range(start, start + n)]


def fetch(
    server: StandIn, tmp_path: Path, wanted: list[str], sleeps: list[float] | None = None, **kw: Any
) -> dict[str, Lookup]:
    values: dict[str, Any] = {
        "api_url": server.url,
        "cache_dir": tmp_path / "cache",
        "min_interval": 0.0,
        "backoff_initial": 0.0,
        "backoff_max": 0.0,
        "max_attempts": 3,
        "timeout": 5.0,
    } | kw
    recorder = sleeps if sleeps is not None else []
    with ArxivClient(Settings(**values), sleep=recorder.append) as client:
        return client.fetch(wanted)


def statuses(result: dict[str, Lookup]) -> dict[str, str]:
    return {k: v.status for k, v in result.items()}


# -- the stand-in speaks arXiv -------------------------------------------------------------------


def test_the_standin_renders_each_entry_once_and_again_when_its_record_changes(
    server: StandIn,
) -> None:
    from enrich.testing.arxiv_api import RequestLog, render_feed

    def served(ids_: list[str]) -> bytes:
        entry = RequestLog("GET", ids_, 0, len(ids_), 0.0)
        return server._respond(entry, None)[1]

    def fresh(ids_: list[str]) -> bytes:
        page = [(r, v) for r, v in server._lookup(ids_)]
        return render_feed(page, id_list=",".join(ids_), max_results=len(ids_))

    def same(a: bytes, b: bytes) -> bool:  # but for the feed's own <updated> (the time now)
        drop = b"  <updated>"
        lines = [[x for x in d.split(b"\n") if not x.startswith(drop)] for d in (a, b)]
        return lines[0] == lines[1]

    server.add(make_record("2502.00001", latest_version=3), {"arxiv_id": "2502.00002"})
    assert len(server._entries) == 2  # each paper's latest, rendered as it is added
    wanted = ["2502.00001", "2502.00002", "2502.00001v2"]
    first = served(wanted)
    assert len(server._entries) == 3
    assert same(first, fresh(wanted)) and same(served(wanted), first)
    server.add(make_record("2502.00001", latest_version=3, title="Renamed"))
    again = served(wanted)
    assert b"Renamed" in again and same(again, fresh(wanted))


def test_the_standin_answers_like_arxiv(server: StandIn) -> None:
    server.add(make_record("2502.00001", latest_version=3), {"arxiv_id": "2502.00002"})
    with httpx.Client() as http:
        got = http.get(server.url, params={"id_list": "2502.00001,2502.00002,2502.00009"})
        versioned = http.get(server.url, params={"id_list": "2502.00001v2"})
        posted = http.post(server.url, data={"id_list": "2502.00002", "max_results": "1"})
        raw = http.post(server.url, content=b"id_list=2502.00002&max_results=5")
        bad = http.get(server.url, params={"id_list": "abc"})
    assert got.headers["content-type"].startswith("application/atom+xml")
    assert got.text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=")
    feed = parse_feed(got.content)
    assert list(feed.records) == ["2502.00002", "2502.00001"]  # not the request order
    assert feed.records["2502.00001"].latest_version == 3 and feed.total_results == 2
    assert feed.items_per_page == 10  # arXiv's default max_results
    assert parse_feed(versioned.content).records["2502.00001"].latest_version == 2
    assert list(parse_feed(posted.content).records) == ["2502.00002"]
    assert list(parse_feed(raw.content).records) == ["2502.00002"]
    assert bad.status_code == 400
    assert [e.message for e in parse_feed(bad.content).errors] == ["incorrect id format for abc"]
    assert [r.method for r in server.requests] == ["GET", "GET", "POST", "POST", "GET"]


def test_the_arxiv_package_can_read_the_standin(server: StandIn) -> None:
    wanted = ids(12)
    server.add(*[make_record(i, title=f"T {i}") for i in wanted])
    client = arxiv.Client(page_size=5, delay_seconds=0, num_retries=0)
    client.query_url_format = server.url + "?{}"
    results = list(client.results(arxiv.Search(id_list=wanted, max_results=None)))
    assert sorted(r.get_short_id() for r in results) == sorted(f"{i}v1" for i in wanted)
    assert [r.start for r in server.requests] == [0, 5, 10]


# -- every misbehaviour is survived --------------------------------------------------------------

SURVIVABLE = [
    ("429", {}),
    ("429", {"retry_after": 0}),
    ("503", {}),
    ("500", {}),
    ("502", {}),
    ("504", {}),
    ("406", {}),
    ("rate_exceeded_200", {}),
    ("truncated", {}),
    ("reset", {}),
    ("empty", {}),
]


@pytest.mark.parametrize(("kind", "options"), SURVIVABLE)
def test_a_single_misbehaviour_is_survived(
    kind: str, options: dict[str, Any], server: StandIn, tmp_path: Path
) -> None:
    wanted = ids(4)
    server.add(*[make_record(i) for i in wanted])
    server.fail(kind, **options)
    result = fetch(server, tmp_path, wanted)
    assert statuses(result) == dict.fromkeys(wanted, "found")
    assert [r.fault for r in server.requests] == [kind, None]


def test_a_slow_answer_times_out_and_is_retried(server: StandIn, tmp_path: Path) -> None:
    server.add(*[make_record(i) for i in ids(2)])
    server.fail("slow", seconds=1.0)
    result = fetch(server, tmp_path, ids(2), timeout=0.25)
    assert statuses(result) == dict.fromkeys(ids(2), "found")
    assert [r.fault for r in server.requests] == ["slow", None]


def test_retry_after_from_the_server_is_honoured(server: StandIn, tmp_path: Path) -> None:
    server.add(*[make_record(i) for i in ids(2)])
    server.fail("429", retry_after=2)
    sleeps: list[float] = []
    result = fetch(server, tmp_path, ids(2), sleeps, backoff_max=5.0)
    assert statuses(result) == dict.fromkeys(ids(2), "found")
    assert 2.0 in sleeps


def test_persistent_failure_is_reported_and_the_run_goes_on(
    server: StandIn, tmp_path: Path
) -> None:
    server.add(*[make_record(i) for i in ids(4)])
    server.fail("503", times=3)
    result = fetch(server, tmp_path, ids(4), batch_size=2, max_attempts=3)
    assert statuses(result) == {
        "2502.00001": "unavailable",
        "2502.00002": "unavailable",
        "2502.00003": "found",
        "2502.00004": "found",
    }
    assert len(server.requests) == 4


def test_omitted_ids_are_asked_again_once(server: StandIn, tmp_path: Path) -> None:
    server.add(*[make_record(i) for i in ids(3)])
    server.fail("omit", ids=["2502.00002"])
    result = fetch(server, tmp_path, [*ids(3), "2502.00099"])
    assert statuses(result) == {
        "2502.00001": "found",
        "2502.00002": "found",
        "2502.00003": "found",
        "2502.00099": "not_found",
    }
    asked = server.requested_ids()
    assert asked.count("2502.00002") == 2 and asked.count("2502.00099") == 2
    assert len(server.requests) == 2  # the two re-checks travel together


def test_a_400_error_feed_is_split_and_the_bad_id_is_invalid(
    server: StandIn, tmp_path: Path
) -> None:
    wanted = ids(16)
    server.add(*[make_record(i) for i in wanted])
    server.reject("2502.00011")
    result = fetch(server, tmp_path, wanted)
    assert result["2502.00011"] == Lookup("invalid", None, "incorrect id format for 2502.00011")
    assert sum(v.status == "found" for v in result.values()) == 15
    assert [r.status for r in server.requests] == [400, 200]


def test_a_400_that_names_no_id_is_bisected(server: StandIn, tmp_path: Path) -> None:
    wanted = ids(16)
    server.add(*[make_record(i) for i in wanted])
    server.reject("2502.00011", message="incorrect id format")
    result = fetch(server, tmp_path, wanted)
    assert result["2502.00011"].status == "invalid"
    assert sum(v.status == "found" for v in result.values()) == 15
    probes = len(server.requests) - 1 - 1  # minus the refused batch, minus the leftovers
    assert probes <= 4  # ceil(log2(16))


def test_an_answer_is_freed_without_the_garbage_collector(server: StandIn, tmp_path: Path) -> None:
    """httpx keeps each response in a reference cycle; the client breaks it, so a long run with
    the collector tuned down never holds hundreds of answers' bodies at once."""
    import gc

    for i in ids(250):
        server.add(make_record(i))
    gc.collect()
    before = {id(o) for o in gc.get_objects() if isinstance(o, httpx.Response)}  # other tests'
    gc.disable()
    try:
        got = fetch(server, tmp_path, ids(250), batch_size=100)
        alive = [
            o for o in gc.get_objects() if isinstance(o, httpx.Response) and id(o) not in before
        ]
    finally:
        gc.enable()
    assert statuses(got) == dict.fromkeys(ids(250), "found")
    assert alive == []


def test_plain_http_sets_up_no_tls_and_https_verifies(server: StandIn, tmp_path: Path) -> None:
    import ssl

    from enrich.arxiv.transport import LazyTLS

    server.add({"arxiv_id": "2502.00001"})
    settings = Settings(api_url=server.url, cache_dir=tmp_path / "cache", min_interval=0.0)
    with ArxivClient(settings) as client:
        assert client.fetch(["2502.00001"])["2502.00001"].status == "found"
        transport = client._get_http()._transport
        assert isinstance(transport, LazyTLS) and transport._tls is None  # no CA bundle read
        with pytest.raises(httpx.HTTPError):  # nothing listens there; TLS is set up first
            client._get_http().get("https://127.0.0.1:9/", timeout=0.5)
        assert transport._tls is not None
        context = transport._tls._pool._ssl_context
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
