"""A short answer is never evidence; an entry that cannot be parsed costs only its own id
(issue 10, item 3). Over respx with the fake clock of test_arxiv_client."""

from __future__ import annotations

import math
from collections.abc import Callable

import httpx
import pytest
from standin import make_record, render_feed
from test_arxiv_client import FakeArxiv, FakeTime, api, ids, make_client, statuses, t

from enrich.arxiv import ArxivClient, RecordCache

__all__ = ["api", "make_client", "t"]  # the fixtures, imported for pytest


def _short(api: FakeArxiv, keep: float) -> Callable[[list[str]], httpx.Response]:
    """arXiv's glitch: a page holding `keep` of the entries, while totalResults counts them all."""

    def answer(asked: list[str]) -> httpx.Response:
        found = [api.records[i] for i in asked if i in api.records]
        page = found[: int(len(found) * keep)]
        body = render_feed(
            [(r, r.latest_version) for r in page],
            id_list=",".join(asked),
            max_results=len(asked),
            total=len(found),
        )
        return httpx.Response(200, content=body)

    return answer


def _negatives(client: ArxivClient) -> int:
    assert isinstance(client.cache, RecordCache)
    return client.cache.stats().negative


@pytest.mark.parametrize("keep", [0.0, 0.5])
def test_a_short_answer_is_asked_again_and_never_makes_not_found(
    keep: float, api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(10))
    api.then(_short(api, keep))
    client = make_client(backoff_initial=0, backoff_max=0)
    result = client.fetch(ids(10))
    assert statuses(result) == dict.fromkeys(ids(10), "found")
    assert len(api.calls) == 2 and client.stats.retries == 1
    assert _negatives(client) == 0


def test_ten_short_answers_in_a_row_give_unavailable_and_no_negative_cache(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(8))
    api.then(*[_short(api, 0.0)] * 10)
    client = make_client(batch_size=4, max_attempts=5, backoff_initial=0, backoff_max=0)
    result = client.fetch(ids(8))
    assert statuses(result) == dict.fromkeys(ids(8), "unavailable")
    assert "short answer" in (result[ids(1)[0]].reason or "")
    assert len(api.calls) == 10 and _negatives(client) == 0
    healthy = make_client().fetch(ids(8))  # the next run asks again and finds everything
    assert statuses(healthy) == dict.fromkeys(ids(8), "found")
    assert len(api.calls) == 11


def test_half_empty_pages_every_time_keep_what_they_hold_and_ask_only_the_rest(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(10))
    api.then(*[_short(api, 0.5)] * 3)
    client = make_client(max_attempts=3, backoff_initial=0, backoff_max=0)
    result = client.fetch(ids(10))
    found = {k for k, v in result.items() if v.status == "found"}
    # each retry asks only what the last page lacked: 10 ids, then 5, then 3
    assert [len(c.ids) for c in api.calls] == [10, 5, 3]
    assert len(found) == 5 + 2 + 1
    assert {v.status for k, v in result.items() if k not in found} == {"unavailable"}
    assert _negatives(client) == 0


def test_a_complete_answer_that_omits_an_id_still_means_not_found(
    api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    api.add(*ids(3))  # 2501.00004 does not exist: totalResults counts the three others
    client = make_client()
    result = client.fetch(ids(4))
    assert result["2501.00004"].status == "not_found"
    assert len(api.calls) == 2 and _negatives(client) == 1


@pytest.mark.parametrize("n", [2, 5, 16])
@pytest.mark.parametrize("poison", ["huge", "control"])
def test_an_entry_that_cannot_be_parsed_costs_only_its_own_id(
    n: int, poison: str, api: FakeArxiv, make_client: Callable[..., ArxivClient]
) -> None:
    batch = ids(n)
    api.add(*batch)
    bad = batch[n // 2]
    if poison == "huge":  # past libxml2's 10 MB text node limit
        api.records[bad] = make_record(bad, abstract="x" * 12_000_000)
    else:  # a character XML 1.0 forbids
        api.records[bad] = make_record(bad, title="A \x01 title")
    client = make_client(batch_size=n, backoff_initial=0, backoff_max=0)
    result = client.fetch(batch)
    assert result[bad].status == "unavailable"
    assert "cannot be read" in (result[bad].reason or "")
    assert all(v.status == "found" for k, v in result.items() if k != bad)
    assert client.stats.retries == 0  # the same answer every time: isolated, not retried
    assert len(api.calls) <= 1 + math.ceil(math.log2(n)) + 1
    assert _negatives(client) == 0


def test_a_cached_id_is_not_asked_when_it_arrives_while_waiting_for_the_slot(
    api: FakeArxiv, make_client: Callable[..., ArxivClient], t: FakeTime
) -> None:
    api.add(*ids(6))
    client = make_client(batch_size=3)
    assert client.cache is not None
    other = RecordCache(client.cache.path)  # another process sharing the cache folder

    def meanwhile(asked: list[str]) -> httpx.Response:
        other.put_found(api.records[i] for i in ids(3, 4))  # it stored the second batch
        return api.answer(asked)

    api.then(meanwhile)
    result = client.fetch(ids(6))
    assert statuses(result) == dict.fromkeys(ids(6), "found")
    assert [c.ids for c in api.calls] == [ids(3)]  # the second batch was not asked at all
    assert [result[i].from_cache for i in ids(6)] == [False] * 3 + [True] * 3
    other.close()
