"""The streaming pass (pipeline._Window): order, whole batches, cache first, compare while the
next look-ups wait."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from standin import StandIn, make_record

import enrich.pipeline as pipeline_module
from enrich.arxiv import ArxivClient
from enrich.arxiv.cache import RecordCache
from enrich.arxiv.client import Lookup
from enrich.models import DigestEntry
from enrich.pipeline import Pipeline, enrich_entries
from enrich.settings import Settings


def _entry(arxiv_id: str, line: int) -> DigestEntry:
    return DigestEntry.model_validate(
        {
            "arxiv_id": arxiv_id,
            "title": f"Title of {arxiv_id}",
            "authors": ["Ada Lovelace", "Alan Turing"],
            "source": {"path": "d.md", "line": line, "format": "markdown"},
        }
    )


IDS = [f"2502.{n + 10000:05d}" for n in range(23)]


def test_cached_ids_are_not_asked_and_requests_stay_whole_batches(tmp_path: Path) -> None:
    settings_kw = {"cache_dir": tmp_path / "c", "min_interval": 0, "batch_size": 4}
    records = [make_record(i) for i in IDS]
    with RecordCache(tmp_path / "c") as cache:  # every third id is already known
        cache.put_found(records[::3])
    entries = [_entry(i, n) for n, i in enumerate(IDS)]
    with StandIn(records) as server:
        settings = Settings(api_url=server.url, **settings_kw)
        with ArxivClient(settings) as client:
            out = enrich_entries(entries, settings, client=client)
            asked = server.requested_ids()
            requests = len(server.requests)
    assert [e.arxiv_id for e in out] == IDS  # input order
    assert all(e.status == "enriched" for e in out)
    uncached = [i for n, i in enumerate(IDS) if n % 3]
    assert sorted(asked) == sorted(uncached)  # cached ids never asked
    assert requests == -(-len(uncached) // 4)  # ceil(15 / 4) = 4: whole batches but the last


class _Gated:
    """A LookupSource whose second `fetch` waits until the test lets it go."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.gate = threading.Event()

    def fetch(self, ids: Iterable[str], progress: object = None) -> dict[str, Lookup]:
        ids = list(ids)
        self.calls.append(ids)
        if len(self.calls) == 2 and not self.gate.wait(10):
            raise AssertionError("the gate was never opened")
        return {i: Lookup("found", make_record(i)) for i in ids}


def test_entries_come_out_while_the_next_call_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 1)
    source = _Gated()
    settings = Settings(cache_dir=tmp_path / "c", batch_size=10)
    entries = [_entry(i, n) for n, i in enumerate(IDS)]
    with Pipeline(settings, client=source) as pipe:
        stream = pipe.enrich(entries)
        first = [next(stream) for _ in range(10)]  # the first call's entries, gate still shut
        assert not source.gate.is_set()
        source.gate.set()
        rest = list(stream)
    assert [e.arxiv_id for e in first + rest] == IDS
    assert [len(c) for c in source.calls] == [10, 10, 3]
    assert pipe.summary.unique_ids == len(IDS)


class _Versioned:
    """A LookupSource with per-version look-ups: every paper is at v3, renamed in v3."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.version_calls: list[tuple[list[tuple[str, int]], list[tuple[str, int]]]] = []

    def fetch(self, ids: Iterable[str], progress: object = None) -> dict[str, Lookup]:
        ids = list(ids)
        self.calls.append(ids)
        return {i: Lookup("found", make_record(i, latest_version=3)) for i in ids}

    def fetch_versions(
        self, wanted: Iterable[tuple[str, int]], optional: Iterable[tuple[str, int]] = ()
    ) -> dict[tuple[str, int], object]:
        wanted, optional = list(wanted), list(optional)
        self.version_calls.append((wanted, optional))
        return {  # no room is ever left in a batch here: `optional` is never asked
            (i, v): make_record(i, latest_version=v, title=f"Old title of {i}") for i, v in wanted
        }


def _stale(arxiv_id: str, line: int, version: int = 1) -> DigestEntry:
    entry = _entry(arxiv_id, line).model_dump()
    return DigestEntry.model_validate(
        {**entry, "version": version, "title": f"Old title of {arxiv_id}"}
    )


def test_versions_are_planned_per_window_and_never_asked_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 1)
    a, b, c = IDS[:3]
    # windows of 2 new ids: [a, b], then [c, a again (v2), a again (v1)]
    entries = [_stale(a, 0), _stale(b, 1), _stale(c, 2), _stale(a, 3, 2), _stale(a, 4)]
    source = _Versioned()
    settings = Settings(cache_dir=tmp_path / "c", batch_size=2)
    with Pipeline(settings, client=source) as pipe:
        out = list(pipe.enrich(entries))
    assert source.calls == [[a, b], [c]]
    # window 1 needs (a,1) and (b,1); window 2 needs (c,1) and (a,2), but not (a,1): held
    assert [sorted(w) for w, _ in source.version_calls] == [[(a, 1), (b, 1)], [(a, 2), (c, 1)]]
    assert len(source.version_calls) == 2
    # the first entry of a was written before (a, 2) was asked: it never sees it; later ones do
    versions_of_a = [
        sorted(int(v.version) for v in e.arxiv.versions or [] if v.date is not None)
        for e in out
        if e.arxiv_id == a and e.arxiv is not None
    ]
    assert versions_of_a[0] != versions_of_a[1] == versions_of_a[2]
    assert all("changed_in_later_version" in {k.kind for k in e.conflicts} for e in out)
    assert pipe.summary.unique_ids == 3


class _Failing:
    def __init__(self) -> None:
        self.calls = 0

    def fetch(self, ids: Iterable[str], progress: object = None) -> dict[str, Lookup]:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("the second call fails")
        return {i: Lookup("found", make_record(i)) for i in ids}


def test_an_error_on_the_worker_reaches_the_reader_after_the_window_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 1)
    settings = Settings(cache_dir=tmp_path / "c", batch_size=5)
    entries = [_entry(i, n) for n, i in enumerate(IDS)]
    got: list[str] = []
    with Pipeline(settings, client=_Failing()) as pipe, pytest.raises(RuntimeError, match="second"):
        got.extend(e.arxiv_id or "" for e in pipe.enrich(entries))
    assert got == IDS[:5]


def test_a_stream_left_early_stops_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 1)
    source = _Versioned()
    settings = Settings(cache_dir=tmp_path / "c", batch_size=2)
    entries = [_entry(i, n) for n, i in enumerate(IDS)]
    before = {t.name for t in threading.enumerate()}
    with Pipeline(settings, client=source) as pipe:
        stream = pipe.enrich(entries)
        assert next(stream).arxiv_id == IDS[0]
        stream.close()
    assert len(source.calls) <= 1 + pipeline_module.WINDOWS_AHEAD + 1  # no more windows read
    left = {t.name for t in threading.enumerate()} - before
    assert not [name for name in left if name.startswith("enrich-lookup")]


# -- a window's entries go out as its batches arrive ------------------------------------------


class _Batched:
    """A LookupSource that answers in batches and, like ArxivClient, hands each batch to
    `settled` as it comes; `gate` is waited for before the batch `hold` names. Ids given as
    an iterator are read as ArxivClient reads them: a batch's worth at a time."""

    def __init__(
        self, records: dict[str, Any], batch: int, hold: tuple[int, int] | None = None
    ) -> None:
        self.records = records
        self.batch = batch
        self.hold = hold  # (call, batch): wait for the gate before that batch of that call
        self.gate = threading.Event()
        self.calls: list[list[str]] = []
        self.events: list[tuple[str, list[Any]]] = []

    def fetch(
        self, ids: Iterable[str], progress: object = None, settled: Any = None
    ) -> dict[str, Lookup]:
        if not isinstance(ids, list):  # the first window, as it is read
            ids = self._read_as_needed(ids, progress, settled)
        self.calls.append(ids)
        out: dict[str, Lookup] = {}
        for number, start in enumerate(range(0, len(ids), self.batch)):
            if (len(self.calls) - 1, number) == self.hold and not self.gate.wait(10):
                raise AssertionError("the gate was never opened")
            part = {}
            for arxiv_id in ids[start : start + self.batch]:
                record = self.records.get(arxiv_id)
                part[arxiv_id] = Lookup("found", record) if record else Lookup("not_found")
            self.events.append(("batch", list(part)))
            out.update(part)
            if settled is not None:
                settled(part)
        return out

    def _read_as_needed(self, ids: Iterable[str], progress: object, settled: Any) -> list[str]:
        self.events.append(("reading", []))
        return list(ids)

    def fetch_versions(
        self, wanted: Iterable[tuple[str, int]], optional: Iterable[tuple[str, int]] = ()
    ) -> dict[tuple[str, int], Any]:
        wanted, optional = list(wanted), list(optional)
        self.events.append(("versions", wanted))
        out = {}
        for arxiv_id, version in [*wanted, *optional[: -len(wanted) % self.batch]]:
            latest = self.records[arxiv_id]
            out[(arxiv_id, version)] = make_record(
                arxiv_id, latest_version=version, title=f"Old title of {arxiv_id}",
                authors=latest.authors[:1] if version == 1 else latest.authors,
            )  # fmt: skip
        return out


class _AllAtOnce(_Batched):
    """The same answers, all at the end of `fetch` (a source without `settled`)."""

    def fetch(self, ids: Iterable[str], progress: object = None) -> dict[str, Lookup]:  # type: ignore[override]
        return super().fetch(ids, progress)


def _workload(n: int) -> tuple[list[DigestEntry], dict[str, Any]]:
    from enrich.testing.workload import workload

    entries, records = [], {}
    for line, record in workload(n, seed=5, missing=0.03):
        entries.append(DigestEntry.model_validate(line))
        if record is not None:
            records[record.arxiv_id] = record
    return entries, records


@pytest.mark.parametrize("in_memory", [10_000, 7])
def test_entries_as_batches_arrive_are_those_of_a_whole_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_memory: int
) -> None:
    """The streamed path (a source with `settled`) against the window-at-a-time one: the same
    entries, byte for byte, on a workload with stale versions, repeats across windows and
    unknown ids; windows kept in memory, or spilled (then drained once the step is done)."""
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 3)
    monkeypatch.setattr(pipeline_module, "WINDOW_IN_MEMORY", in_memory)
    entries, records = _workload(400)
    settings = Settings(cache_dir=tmp_path / "c", batch_size=8, workers=1)
    streamed, whole = _Batched(records, 8), _AllAtOnce(records, 8)
    a = [e.model_dump_json() for e in enrich_entries(entries, settings, client=streamed)]
    b = [e.model_dump_json() for e in enrich_entries(entries, settings, client=whole)]
    assert a == b
    # the same versions asked, window by window, and they show (their dates in arxiv.versions)
    asked = [w for kind, w in streamed.events if kind == "versions"]
    assert len(asked) > 1 and asked == [w for kind, w in whole.events if kind == "versions"]
    dated = [json.loads(line)["arxiv"] for line in a if '"arxiv":{' in line]
    assert any(record["versions"] for record in dated)  # (the workload's records have none)
    # the first window in the order read (it is looked up as it is read), in the others the
    # ids a version is named for first
    assert streamed.calls[0] == whole.calls[0]
    for call, same in zip(streamed.calls[1:], whole.calls[1:], strict=True):
        named = {e.arxiv_id for e in entries if e.version is not None and e.arxiv_id in call}
        flags = [i in named for i in call]
        assert flags == sorted(flags, reverse=True)
        assert sorted(call) == sorted(same)


def test_a_window_goes_out_while_its_last_batch_is_still_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 3)  # windows of 9 new ids
    first, ids = IDS[9:18], IDS[:9]
    records = {i: make_record(i, latest_version=2) for i in first + ids}
    entries = [_entry(i, n) for n, i in enumerate(first + ids)]
    entries[10] = _stale(ids[1], 10)  # v1 of a v2 paper, another title: versions looked up
    source = _Batched(records, batch=3, hold=(1, 2))
    settings = Settings(cache_dir=tmp_path / "c", batch_size=3, workers=1)
    with Pipeline(settings, client=source) as pipe:
        stream = pipe.enrich(entries)
        out = [next(stream) for _ in range(9 + 6)]  # the second window's third batch: not yet
        assert not source.gate.is_set()
        source.gate.set()
        out += list(stream)
    assert [e.arxiv_id for e in out] == first + ids
    # the first window as it was read; in the second, the id a version is named for first,
    # its versions looked up before the last batch
    assert source.calls == [first, [ids[1], ids[0], *ids[2:]]]
    kinds = [kind for kind, _ in source.events]
    assert kinds == ["reading", *["batch"] * 3, "batch", "versions", "batch", "batch"]
    assert "changed_in_later_version" in {c.kind for c in out[10].conflicts}


def test_the_first_request_goes_out_before_the_first_window_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 3)  # windows of 12 new ids
    ids = [f"2502.{n + 20000:05d}" for n in range(30)]
    asked_while_reading: list[int] = []

    def entries(server: StandIn) -> Iterable[DigestEntry]:
        for n, arxiv_id in enumerate(ids):
            if n == 9:  # a batch's worth read long ago, the window not yet whole
                for _ in range(1000):
                    if server.requests:
                        break
                    threading.Event().wait(0.01)
                asked_while_reading.append(len(server.requests))
            yield _entry(arxiv_id, n)

    with StandIn([make_record(i) for i in ids]) as server:
        settings = Settings(
            api_url=server.url, cache_dir=tmp_path / "c", min_interval=0, batch_size=4
        )
        out = enrich_entries(entries(server), settings)
        batches = [r.ids for r in server.requests]
    assert asked_while_reading[0] >= 1  # (one or two: 8 ids were read by then)
    assert [e.arxiv_id for e in out] == ids
    assert batches == [ids[i : i + 4] for i in range(0, 30, 4)]  # whole batches, in order


def test_the_reading_waits_for_the_first_answer_or_a_hungry_look_up() -> None:
    """_IdFeed.hold: back when the first answer is in, or when the look-up thread has read
    every id given and wants more (never stuck: the cached ids of a warm run)."""
    from enrich.pipeline import _IdFeed

    feed = _IdFeed()
    taken: list[str] = []
    got_two = threading.Event()

    def look_up() -> None:
        for arxiv_id in feed:
            taken.append(arxiv_id)
            if len(taken) == 2:
                got_two.set()
                feed.answered()  # the first batch (two ids) answered

    thread = threading.Thread(target=look_up)
    thread.start()
    feed.put("a")
    feed.put("b")
    feed.hold()
    assert got_two.is_set() and taken == ["a", "b"]
    hungry = _IdFeed()  # a consumer that wants more than was given: hold() returns too
    other = threading.Thread(target=lambda: list(hungry))
    other.start()
    hungry.put("x")
    hungry.hold()
    hungry.close()
    feed.close()
    thread.join(5)
    other.join(5)
    assert not thread.is_alive() and not other.is_alive()


class _LateFirst:
    """A LookupSource that settles a window's ids last-first, the first id only once the test
    lets it go: the entries after it are ready long before it."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    def fetch(
        self, ids: Iterable[str], progress: object = None, *, settled: Any = None
    ) -> dict[str, Lookup]:
        ids = list(ids)
        out = {i: Lookup("found", make_record(i)) for i in ids}
        settled({i: out[i] for i in ids[1:]})
        if not self.gate.wait(10):
            raise AssertionError("the gate was never opened")
        settled({ids[0]: out[ids[0]]})
        return out


def test_ready_entries_are_compared_while_an_earlier_one_waits_and_written_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _LateFirst()
    compared: list[str] = []
    real = pipeline_module.enrich_one

    def enrich_one(entry: DigestEntry, *args: Any) -> Any:
        compared.append(entry.arxiv_id or "")
        if len(compared) == len(IDS) - 1:  # every entry but the first one: now it may come
            source.gate.set()
        return real(entry, *args)

    monkeypatch.setattr(pipeline_module, "enrich_one", enrich_one)
    entries = [_entry(i, n) for n, i in enumerate(IDS)]
    with Pipeline(Settings(cache_dir=tmp_path / "c"), client=source) as pipe:
        out = list(pipe.enrich(entries))
    assert compared[-1] == IDS[0] and sorted(compared[:-1]) == sorted(IDS[1:])  # it came last
    assert [e.arxiv_id for e in out] == IDS  # and went out first
    assert all(e.status == "enriched" for e in out)


def test_the_gil_changes_hands_sooner_only_while_a_request_is_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """runtime.prompt_switch lowers Python's switch interval around each request (the steps of
    a request wait for the GIL while the comparison holds it), never for a run that makes none:
    two busy threads then swapped the GIL every 0.2 ms for the whole run."""
    import sys

    from enrich.runtime import PROMPT_SWITCH

    records = [make_record(i) for i in IDS]
    entries = [_entry(i, n) for n, i in enumerate(IDS)]
    before = sys.getswitchinterval()
    during: list[float] = []
    with StandIn(records) as server:
        settings = Settings(
            api_url=server.url, cache_dir=tmp_path / "c", batch_size=10, min_interval=0
        )
        with ArxivClient(settings) as client:
            real_send = client._get_http().send

            def send(*args: Any, **kwargs: Any) -> Any:
                during.append(sys.getswitchinterval())
                return real_send(*args, **kwargs)

            monkeypatch.setattr(client._get_http(), "send", send)
            cold = enrich_entries(entries, settings, client=client)
            assert len(during) == 3
            assert during == [pytest.approx(min(before, PROMPT_SWITCH), abs=1e-6)] * 3
            assert sys.getswitchinterval() == before  # put back after the requests

            seen: list[float] = []
            real_get_many = RecordCache.get_many

            def get_many(self: RecordCache, ids: Any, *args: Any, **kwargs: Any) -> Any:
                seen.append(sys.getswitchinterval())
                return real_get_many(self, ids, *args, **kwargs)

            monkeypatch.setattr(RecordCache, "get_many", get_many)
            warm = enrich_entries(entries, settings, client=client)  # every record cached now
    assert len(during) == 3 and seen and set(seen) == {before}  # no request: never lowered
    assert [e.model_dump() for e in warm] == [e.model_dump() for e in cold]
