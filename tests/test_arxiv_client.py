"""ArxivClient logic over respx: batching, matching, retries, 400 bisection, re-checks, cache modes.

No real waiting: the client gets a fake clock and a sleep that only advances it, and arXiv is a
respx handler (FakeArxiv) that answers in the 2025+ format through the stand-in's serializer.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
from standin import make_record, render_error_feed, render_feed

from enrich.arxiv import ArxivClient, Lookup, RecordCache
from enrich.models import ArxivRecord
from enrich.settings import Settings

URL = "https://export.arxiv.org/api/query"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)


@dataclass
class Call:
    method: str
    ids: list[str]
    params: dict[str, str]
    headers: httpx.Headers
    at: float
    status: int = 0


Script = httpx.Response | Exception | Callable[[list[str]], httpx.Response]


class FakeArxiv:
    """arXiv as a respx side effect: known records, malformed ids, and a script of misbehaviour."""

    def __init__(self, t: FakeTime) -> None:
        self.t = t
        self.records: dict[str, ArxivRecord] = {}
        self.rejected: dict[str, str] = {}
        self.script: deque[Script] = deque()
        self.calls: list[Call] = []
        self.extra = make_record("0704.0001", title="not asked for")  # sent with every answer

    def add(self, *ids: str, **fields: Any) -> None:
        for arxiv_id in ids:
            self.records[arxiv_id] = make_record(arxiv_id, **fields)

    def then(self, *items: Script) -> None:
        self.script.extend(items)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            params = dict(parse_qsl(request.content.decode()))
        else:
            params = dict(request.url.params)
        ids = [i for i in params.get("id_list", "").split(",") if i]
        call = Call(request.method, ids, params, request.headers, self.t.now)
        self.calls.append(call)
        response = self._respond(ids)
        call.status = response.status_code
        return response

    def _respond(self, ids: list[str]) -> httpx.Response:
        if self.script:
            item = self.script.popleft()
            if isinstance(item, Exception):
                raise item
            if isinstance(item, httpx.Response):
                return item
            return item(ids)
        return self.answer(ids)

    def answer(self, ids: list[str], omit: set[str] | None = None) -> httpx.Response:
        for arxiv_id in ids:
            if arxiv_id in self.rejected:
                return httpx.Response(400, content=render_error_feed(self.rejected[arxiv_id]))
        found = [self.records[i] for i in ids if i in self.records and i not in (omit or set())]
        entries = [(r, r.latest_version) for r in reversed(found)]  # never in request order
        entries.append((self.extra, 1))
        body = render_feed(entries, id_list=",".join(ids), max_results=len(ids))
        return httpx.Response(200, content=body)

    def asked(self) -> list[str]:
        return [i for c in self.calls for i in c.ids]


@pytest.fixture
def t() -> FakeTime:
    return FakeTime()


@pytest.fixture
def api(t: FakeTime) -> Iterator[FakeArxiv]:
    fake = FakeArxiv(t)
    with respx.mock(assert_all_called=False) as router:
        router.route(host="export.arxiv.org", path="/api/query").mock(side_effect=fake)
        yield fake


@pytest.fixture
def make_client(t: FakeTime, tmp_path: Path) -> Iterator[Callable[..., ArxivClient]]:
    clients: list[ArxivClient] = []

    def build(
        *, no_cache: bool = False, http: httpx.Client | None = None, **overrides: Any
    ) -> ArxivClient:
        values: dict[str, Any] = {"cache_dir": tmp_path / "cache"} | overrides
        settings = Settings(**values)
        rng = random.Random(1)
        if no_cache:
            client = ArxivClient(
                settings, http=http, clock=t.clock, sleep=t.sleep, rng=rng, cache=None
            )
        else:
            client = ArxivClient(settings, http=http, clock=t.clock, sleep=t.sleep, rng=rng)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


def ids(n: int, start: int = 1) -> list[str]:
    return [f"2501.{i:05d}" for i in range(start, start + n)]


def statuses(result: dict[str, Lookup]) -> dict[str, str]:
    return {k: v.status for k, v in result.items()}


# -- batching and matching -----------------------------------------------------------------------


def test_batches_hold_at_most_batch_size_unique_unversioned_ids_with_max_results(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    wanted = ids(250)
    api.add(*wanted)
    client = make_client()
    result = client.fetch(wanted + wanted[:30])  # duplicates are asked once
    assert [len(c.ids) for c in api.calls] == [100, 100, 50]
    assert [c.params["max_results"] for c in api.calls] == ["100", "100", "50"]
    assert all(c.method == "GET" and c.params["start"] == "0" for c in api.calls)
    assert sorted(api.asked()) == wanted and not any("v" in i for i in api.asked())
    assert set(result) == set(wanted) and all(v.status == "found" for v in result.values())
    assert client.stats.requests == 3 and client.stats.bytes > 0


def test_batches_above_100_ids_are_posted_as_a_form(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    wanted = ids(200)
    api.add(*wanted)
    make_client(batch_size=150).fetch(wanted)
    assert [(c.method, len(c.ids)) for c in api.calls] == [("POST", 150), ("GET", 50)]
    assert api.calls[0].params["max_results"] == "150"


def test_answers_are_matched_by_their_id_never_by_position(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    wanted = ids(5)
    for n, arxiv_id in enumerate(wanted, start=1):
        api.records[arxiv_id] = make_record(arxiv_id, title=f"paper {n}", latest_version=n)
    result = make_client().fetch(wanted)
    for n, arxiv_id in enumerate(wanted, start=1):
        record = result[arxiv_id].record
        assert record is not None and record.arxiv_id == arxiv_id
        assert record.title == f"paper {n}" and record.latest_version == n
        assert record.abs_url == f"https://arxiv.org/abs/{arxiv_id}v{n}"
    assert "0704.0001" not in result  # sent but not asked for: ignored


def test_requests_are_min_interval_apart_and_say_who_is_asking(
    api: FakeArxiv, make_client: Callable[..., ArxivClient], t: FakeTime
) -> None:
    wanted = ids(40)
    api.add(*wanted)
    client = make_client(batch_size=10, contact="ops@example.org")
    client.fetch(wanted)
    times = [c.at for c in api.calls]
    assert len(times) == 4 and all(b - a >= 3.0 for a, b in itertools.pairwise(times))
    agent = client.settings.full_user_agent
    assert agent.startswith("arxiv-enrich/") and "mailto:ops@example.org" in agent
    assert all(c.headers["user-agent"] == agent for c in api.calls)
    assert all(c.headers["connection"] == "close" for c in api.calls)
    assert client.stats.seconds_waiting == pytest.approx(9.0)


def test_parsing_and_storing_an_answer_overlap_the_gap_that_follows_it(
    api: FakeArxiv,
    make_client: Callable[..., ArxivClient],
    t: FakeTime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import enrich.arxiv.client as client_module

    parse = client_module.parse_feed

    def slow_parse(content: bytes) -> Any:
        t.now += 2.0  # reading the answer takes 2 s once it has arrived
        return parse(content)

    monkeypatch.setattr(client_module, "parse_feed", slow_parse)
    wanted = ids(30)
    api.add(*wanted)
    client = make_client(batch_size=10)
    client.fetch(wanted)
    times = [c.at for c in api.calls]
    assert len(times) == 3 and all(b - a >= 3.0 for a, b in itertools.pairwise(times))
    assert t.sleeps == [1.0, 1.0]  # the 3 s gap began when the answer was read, not parsed
    assert len(client.cache.get_many(wanted)) == 30  # each batch stored, inside the slot


def test_ids_that_are_not_arxiv_ids_are_invalid_without_a_request(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add("2501.00001")
    result = make_client().fetch(["not-an-id", "arXiv:2501.00001", "2501.00001"])
    assert result["not-an-id"].status == "invalid" and result["not-an-id"].reason
    assert result["arXiv:2501.00001"].status == "found" == result["2501.00001"].status
    assert api.asked() == ["2501.00001"]


def test_progress_counts_the_ids_settled_so_far(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    wanted = ids(25)
    api.add(*wanted)
    seen: list[int] = []
    make_client(batch_size=10).fetch(wanted, progress=seen.append)
    assert seen == [0, 10, 20, 25]


def test_an_iterator_of_ids_is_read_as_the_batches_need_it(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    wanted = ids(25)
    api.add(*wanted)
    client = make_client(batch_size=10)
    client.fetch(wanted[::4])  # 7 of them cached
    read: list[int] = []  # ids read when each request went out

    def given() -> Iterator[str]:
        for n, arxiv_id in enumerate([*wanted, wanted[0], "not an id"], start=1):
            while len(read) < len(api.calls) - 1:
                read.append(n - 1)
            yield arxiv_id

    before = len(api.calls)
    out = client.fetch(given())
    calls = api.calls[before:]
    assert statuses(out) == {**{i: "found" for i in wanted}, "not an id": "invalid"}
    assert [len(c.ids) for c in calls] == [10, 8]  # whole batches, the cached left out
    assert read[:1] == [14]  # the first went out once 10 uncached ids were read (of 27)


def test_settled_hands_over_each_lookup_once_as_its_batch_is_answered(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    wanted = ids(25)
    api.add(*wanted[:-1])  # the last one is missing: asked again, then not found
    client = make_client(batch_size=10)
    client.fetch(wanted[:5])  # cached now
    handed: list[list[str]] = []
    asked_before: list[int] = []

    def settled(lookups: dict[str, Lookup]) -> None:
        handed.append(list(lookups))
        asked_before.append(len(api.calls))

    given = ["arXiv:" + wanted[5], *wanted[:5], *wanted[6:], "not an id"]
    out = client.fetch(given, settled=settled)
    flat = [i for part in handed for i in part]
    assert sorted(flat) == sorted(out) == sorted(given)  # every lookup once, keyed as given
    assert handed[0] == ["not an id", *wanted[:5]]  # the invalid and the cache first: no request
    assert asked_before[0] == 1  # (the first fetch's one request)
    assert [len(part) for part in handed[1:]] == [10, 9, 1]  # then batch by batch
    assert asked_before[1:] == [2, 3, 4]  # each handed over before the next request
    assert out[wanted[-1]].status == "not_found"


def test_settled_hands_over_a_form_read_after_its_id_was_handed(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    """Ids given lazily: a second form of an id ("arXiv:...v2") read once the id's lookup was
    handed over is handed over too, once, keyed as given (the result holds it all along)."""
    wanted = ids(12)
    api.add(*wanted)
    client = make_client(batch_size=5)
    handed: list[str] = []
    given = [*wanted, "arXiv:" + wanted[0] + "v2", wanted[1]]
    out = client.fetch(iter(given), settled=lambda lookups: handed.extend(lookups))
    assert sorted(handed) == sorted(out) == sorted(set(given))  # each once
    assert out["arXiv:" + wanted[0] + "v2"] is out[wanted[0]]


# -- transient failures ----------------------------------------------------------------------------


def _truncated(ids_: list[str]) -> httpx.Response:
    body = render_feed([(make_record(i), 1) for i in ids_], id_list=",".join(ids_))
    return httpx.Response(200, content=body[: len(body) // 2])


FAILURES: dict[str, Script] = {
    "429 Rate exceeded.": httpx.Response(429, text="Rate exceeded."),
    "503": httpx.Response(503, text="Service Unavailable"),
    "500": httpx.Response(500),
    "502": httpx.Response(502),
    "504": httpx.Response(504),
    "406": httpx.Response(406),
    "200 Rate exceeded.": httpx.Response(200, text="Rate exceeded."),
    "truncated XML": _truncated,
    "read timeout": httpx.ReadTimeout("timed out"),
    "connect timeout": httpx.ConnectTimeout("timed out"),
    "connection reset": httpx.ReadError("[Errno 104] Connection reset by peer"),
    "server disconnected": httpx.RemoteProtocolError("Server disconnected"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_each_transient_failure_is_retried_after_a_jittered_backoff(
    failure: str, api: FakeArxiv, make_client: Callable[..., ArxivClient], t: FakeTime
) -> None:
    api.add(*ids(3))
    api.then(FAILURES[failure])
    client = make_client(backoff_initial=15.0, backoff_max=300.0)
    result = client.fetch(ids(3))
    assert statuses(result) == dict.fromkeys(ids(3), "found")
    assert len(api.calls) == 2 and client.stats.retries == 1
    backoff = [s for s in t.sleeps if s != 3.0]
    assert len(backoff) == 1 and 15.0 <= backoff[0] <= 30.0


def test_retry_after_is_honoured_and_capped(
    api: FakeArxiv, make_client: Callable[..., ArxivClient], t: FakeTime
) -> None:
    api.add(*ids(2))
    api.then(
        httpx.Response(429, text="Rate exceeded.", headers={"Retry-After": "42"}),
        httpx.Response(503, headers={"Retry-After": "100000"}),
    )
    client = make_client(backoff_initial=15.0, backoff_max=300.0)
    assert statuses(client.fetch(ids(2))) == dict.fromkeys(ids(2), "found")
    assert 42.0 in t.sleeps and 300.0 in t.sleeps
    gaps = [b.at - a.at for a, b in itertools.pairwise(api.calls)]
    assert gaps[0] >= 42.0 and gaps[1] >= 300.0


def test_what_still_fails_is_unavailable_and_the_run_goes_on(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(4))
    api.then(*[httpx.Response(503)] * 3)
    client = make_client(batch_size=2, max_attempts=3)
    result = client.fetch(ids(4))
    assert statuses(result) == {
        "2501.00001": "unavailable",
        "2501.00002": "unavailable",
        "2501.00003": "found",
        "2501.00004": "found",
    }
    assert "503" in (result["2501.00001"].reason or "")
    assert len(api.calls) == 4 and client.stats.retries == 2


def test_a_refusal_that_is_not_transient_is_not_retried(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(2))
    api.then(httpx.Response(403, text="Access denied"))
    result = make_client().fetch(ids(2))
    assert statuses(result) == dict.fromkeys(ids(2), "unavailable")
    assert len(api.calls) == 1


def test_an_empty_feed_for_several_new_ids_is_asked_again_once(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(3))
    api.then(lambda ids_: api.answer(ids_, omit=set(ids_)))  # a glitch: nothing at all
    client = make_client()
    assert statuses(client.fetch(ids(3))) == dict.fromkeys(ids(3), "found")
    assert [c.ids for c in api.calls] == [ids(3), ids(3)] and client.stats.retries == 1


# -- missing ids ---------------------------------------------------------------------------------


def test_missing_ids_are_asked_exactly_once_more_after_the_recheck_delay(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add("2501.00001", "2501.00002")
    client = make_client(recheck_delay=60.0)
    result = client.fetch(ids(3))
    assert statuses(result) == {
        "2501.00001": "found",
        "2501.00002": "found",
        "2501.00003": "not_found",
    }
    assert [c.ids for c in api.calls] == [ids(3), ["2501.00003"]]
    assert api.calls[1].at - api.calls[0].at >= 60.0
    again = make_client().fetch(["2501.00003"])  # the negative answer is cached
    assert again["2501.00003"].status == "not_found" and again["2501.00003"].from_cache
    assert len(api.calls) == 2


def test_an_id_missing_once_is_found_on_the_recheck_in_a_later_batch(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(6))
    api.then(lambda ids_: api.answer(ids_, omit={"2501.00002"}))
    result = make_client(batch_size=3).fetch(ids(6))
    assert statuses(result) == dict.fromkeys(ids(6), "found")
    assert [c.ids for c in api.calls] == [ids(3), ["2501.00002", *ids(2, 4)], ["2501.00006"]]
    assert api.asked().count("2501.00002") == 2


# -- 400: a malformed id poisons the batch -------------------------------------------------------


def test_a_400_naming_the_id_costs_one_extra_request(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(8))
    api.rejected["2501.00005"] = "incorrect id format for 2501.00005"
    result = make_client().fetch(ids(8))
    assert result["2501.00005"].status == "invalid"
    assert result["2501.00005"].reason == "incorrect id format for 2501.00005"
    assert all(v.status == "found" for k, v in result.items() if k != "2501.00005")
    assert len(api.calls) == 2


@pytest.mark.parametrize("n", [2, 3, 5, 8, 13, 64, 100])
def test_a_400_without_a_name_is_bisected_in_log2_probes(
    n: int, api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    batch = ids(n)
    api.add(*batch)
    positions = range(n) if n <= 13 else [0, 1, n // 3, n // 2, n - 2, n - 1]
    most = 0
    http = httpx.Client()
    for position in positions:
        api.calls.clear()
        culprit = batch[position]
        api.rejected = {culprit: "incorrect id format"}  # arXiv did not say which one
        result = make_client(batch_size=n, no_cache=True, http=http).fetch(batch)
        assert result[culprit] == Lookup("invalid", None, "incorrect id format", False)
        assert all(v.status == "found" for k, v in result.items() if k != culprit)
        refused_probes = sum(1 for c in api.calls[1:] if c.status == 400)
        leftover_request = 1 if refused_probes else 0  # the untested halves, asked together
        probes = len(api.calls) - 1 - leftover_request
        assert probes <= math.ceil(math.log2(n))
        assert api.asked().count(culprit) <= probes + 1
        most = max(most, probes)
    http.close()
    assert most == math.ceil(math.log2(n))


def test_two_malformed_ids_in_one_batch_are_both_found(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(10))
    api.rejected = {"2501.00003": "bad id", "2501.00008": "bad id"}
    result = make_client().fetch(ids(10))
    assert {k for k, v in result.items() if v.status == "invalid"} == {"2501.00003", "2501.00008"}
    assert sum(v.status == "found" for v in result.values()) == 8


def test_a_probe_that_fails_for_other_reasons_blames_no_one(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(8))
    api.rejected = {"2501.00002": "incorrect id format"}
    refused = httpx.Response(400, content=render_error_feed("incorrect id format"))
    api.then(refused, httpx.Response(503), httpx.Response(503))  # the batch, then its first half
    result = make_client(max_attempts=2).fetch(ids(8))
    assert statuses(result) == dict.fromkeys(ids(4), "unavailable") | {
        i: "found" for i in ids(4, 5)
    }
    assert not any(v.status == "invalid" for v in result.values())


# -- the cache ----------------------------------------------------------------------------------


def test_a_warm_run_asks_nothing(api: FakeArxiv, make_client: Callable[..., ArxivClient]) -> None:
    api.add(*ids(30))
    make_client().fetch(ids(30))
    client = make_client()
    result = client.fetch(ids(30))
    assert len(api.calls) == 1 and client.stats.requests == 0 and client.stats.cache_hits == 30
    assert all(v.from_cache and v.status == "found" for v in result.values())


def test_each_batch_is_stored_as_soon_as_it_arrives(
    api: FakeArxiv, make_client: Callable[..., ArxivClient], tmp_path: Path
) -> None:
    api.add(*ids(4))
    seen_in_cache: list[list[str]] = []

    def second(ids_: list[str]) -> httpx.Response:
        with RecordCache(tmp_path / "cache") as other_process:
            seen_in_cache.append(sorted(other_process.get_many(ids(4))))
        return api.answer(ids_)

    api.then(api.answer, second)
    make_client(batch_size=2).fetch(ids(4))
    assert seen_in_cache == [ids(2)]


def test_offline_answers_from_the_cache_only(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(3))
    make_client().fetch(ids(2))
    result = make_client(offline=True).fetch(ids(3))
    assert statuses(result) == {
        "2501.00001": "found",
        "2501.00002": "found",
        "2501.00003": "unavailable",
    }
    assert result["2501.00003"].reason == "offline and not in the cache"
    assert len(api.calls) == 1


def test_refresh_ignores_the_cache_but_stores_the_new_answers(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add("2501.00001", title="old title")
    make_client().fetch(["2501.00001"])
    api.add("2501.00001", title="new title", latest_version=2)
    fresh = make_client(refresh=True).fetch(["2501.00001"])["2501.00001"]
    assert not fresh.from_cache and fresh.record is not None
    assert fresh.record.title == "new title"
    cached = make_client().fetch(["2501.00001"])["2501.00001"]
    assert cached.from_cache and cached.record is not None and cached.record.latest_version == 2
    assert len(api.calls) == 2


def test_a_fetched_record_carries_the_json_the_cache_stored(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    """The look-up process passes each record on as JSON: the bytes the cache stored, not made
    again; the same record, and the same text as in the cache."""
    api.add(*ids(3))
    client = make_client()
    fresh = client.fetch(ids(3))
    for arxiv_id, lookup in fresh.items():
        assert not lookup.from_cache and lookup.record is not None and lookup.raw is not None
        assert ArxivRecord.model_validate_json(lookup.raw) == lookup.record
        assert lookup.raw.decode() == lookup.record.model_dump_json()
        cached = make_client().fetch([arxiv_id])[arxiv_id]
        assert cached.from_cache and cached.raw in (lookup.raw, lookup.raw.decode())


def test_json_kept_for_records_an_attempt_stored_is_let_go_with_the_fetch(
    api: FakeArxiv, make_client: Callable[..., ArxivClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short answer stores the records it holds; when the retry is refused (400) and the batch
    is split, the JSON kept for them is dropped, not held until the fetch ends."""
    batch = ids(4)
    api.add(*batch)

    def short(asked: list[str]) -> httpx.Response:
        page = [api.records[i] for i in asked if i in batch[:2]]
        body = render_feed([(r, r.latest_version) for r in page], id_list=",".join(asked),
                           max_results=len(asked), total=len(asked))  # fmt: skip
        return httpx.Response(200, content=body)

    api.then(short, httpx.Response(400, content=render_error_feed("incorrect id format")))
    runs: list[Any] = []
    drain = ArxivClient._drain

    def spied(client: ArxivClient, run: Any) -> Any:
        runs.append(run)
        return drain(client, run)

    monkeypatch.setattr(ArxivClient, "_drain", spied)
    result = make_client(backoff_initial=0, backoff_max=0).fetch(batch)
    assert [result[i].status for i in batch[:2]] == ["found", "found"]
    assert [call.status for call in api.calls][:2] == [200, 400]  # short, then refused
    assert runs and all(not run.stored for run in runs)


def test_without_a_cache_every_fetch_asks(api: FakeArxiv, t: FakeTime, tmp_path: Path) -> None:
    api.add("2501.00001")
    settings = Settings(cache_dir=tmp_path / "c")
    with ArxivClient(settings, cache=None, clock=t.clock, sleep=t.sleep) as client:
        client.fetch(["2501.00001"])
        client.fetch(["2501.00001"])
    assert len(api.calls) == 2


def test_a_caller_supplied_http_client_is_used_and_left_open(
    api: FakeArxiv, t: FakeTime, tmp_path: Path
) -> None:
    api.add("2501.00001")
    http = httpx.Client(headers={"X-Trace": "yes"})
    with ArxivClient(
        Settings(cache_dir=tmp_path / "c"), http=http, clock=t.clock, sleep=t.sleep
    ) as client:
        assert client.fetch(["2501.00001"])["2501.00001"].status == "found"
    assert api.calls[0].headers["x-trace"] == "yes" and not http.is_closed
    http.close()
