"""Comparing in worker processes (enrich/workers.py, setting `workers`): the same bytes as
comparing in the one process, nothing lost when a worker fails, and bounded read-ahead."""

from __future__ import annotations

import json
import operator
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, shared_path

import enrich.workers as workers_module
from enrich.arxiv.client import Lookup
from enrich.ingest import validate
from enrich.models import ArxivRecord, DigestEntry
from enrich.testing.workload import workload
from enrich.workers import Comparer, worker_count

sys.path.insert(0, str(ROOT / "scripts"))

import golden


@pytest.mark.parametrize("case", golden.CASES)
def test_workers_write_the_golden_bytes(case: str, tmp_path: Path) -> None:
    """JSONL (cold and warm), the three reports and the corrected digests, with two workers."""
    if case == "seeds":
        shared_path("seeds")
    elif case == "corpus":
        shared_path("corpus", "digests")
    files = golden.produce(case, tmp_path, env={"ENRICH_WORKERS": "2"})
    assert len(files) >= 5
    for name, data in files.items():
        old = golden.stored(name)
        assert old is not None, name
        assert data == old, f"{name}: {golden.first_difference(old, data)}"


def _items(n: int) -> list[tuple[DigestEntry, Lookup | None, Any]]:
    """Workload entries with their records; an id with no record is not found."""
    items: list[tuple[DigestEntry, Lookup | None, Any]] = []
    for raw, record in workload(n, seed=13):
        entry = validate(DigestEntry.model_validate(raw))
        if record is None:
            lookup = None if entry.status == "invalid" else Lookup("not_found", None, "unknown")
        else:
            lookup = Lookup("found", ArxivRecord.model_validate(record))
        items.append((entry, lookup, None))
    return items


def _lines(comparer: Comparer, items: list[Any]) -> list[str]:
    try:
        return [enriched.model_dump_json() for _, enriched in comparer.run(items)]
    finally:
        comparer.close()


@pytest.fixture(scope="module")
def items() -> list[tuple[DigestEntry, Lookup | None, Any]]:
    return _items(700)


@pytest.fixture(scope="module")
def here(items: list[Any]) -> list[str]:
    return _lines(Comparer(0), items)


def test_a_pool_gives_what_this_process_gives(items: list[Any], here: list[str]) -> None:
    from multiprocessing import forkserver

    comparer = Comparer(2)
    assert _lines(comparer, items) == here
    assert not comparer.broken
    assert forkserver._forkserver._forkserver_pid is None  # the fork server went with the pool
    # told to stop once the last chunk was sent, and reaped by close()
    assert comparer.workers and all(p.exitcode == 0 for p in comparer.workers)


def test_a_record_read_back_from_json_goes_to_a_worker_as_that_json(
    items: list[Any], here: list[str]
) -> None:
    """A record the pipeline set aside and read back (pipeline._Lookups) is sent to a worker as
    the JSON it was read from, not serialised again; the output is the same."""
    from enrich.pipeline import _Settled

    read_back: list[Any] = []
    for entry, lookup, versions in items:
        if lookup is not None and lookup.record is not None:  # other bytes, the same record
            data = json.dumps(json.loads(lookup.record.model_dump_json()), indent=1).encode()
            record = ArxivRecord.model_validate_json(data)
            lookup = _Settled(lookup.status, record, lookup.reason, data)
        read_back.append((entry, lookup, versions))
    _, sent = workers_module._payload(read_back[:50])
    records = [raw for _, _, raw, _ in sent if raw is not None]
    assert records and all(raw.startswith(b'{\n "arxiv_id"') for raw in records)
    assert _lines(Comparer(2), read_back) == here


def test_a_worker_hands_back_the_duplicate_keys_of_the_entries_it_compared(
    items: list[Any],
) -> None:
    """The title hash the duplicate finder keys an entry by is worked out in the worker that
    compares it, not again in this process, which every entry passes through; the same keys as
    worked out here, for every entry the pool compared."""
    from enrich.compare.duplicates import duplicate_key

    comparer = Comparer(2)
    try:
        compared = [entry for entry, _ in comparer.run(items)]
    finally:
        comparer.close()
    assert not comparer.broken
    valid = [e for e in compared if e.status == "valid" and e.arxiv_id]
    assert len(valid) > 600 and any(duplicate_key(e) is not None for e in valid)
    assert comparer.duplicate_keys == {id(e): duplicate_key(e) for e in compared}


def test_a_worker_that_raises_loses_nothing_and_prints_nothing(
    items: list[Any], here: list[str], capfd: pytest.CaptureFixture[str]
) -> None:
    comparer = Comparer(2)
    comparer.task = operator.itemgetter(5)  # an IndexError in the worker, for every chunk
    assert _lines(comparer, items) == here
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


def _stall(payload: Any) -> list[Any]:
    """A worker's task that stays in the task until the test kills the worker: it leaves a
    file named by its pid in STALL_DIR, then sleeps."""
    import time

    (Path(os.environ["STALL_DIR"]) / str(os.getpid())).touch()
    time.sleep(120)
    return []


def test_a_worker_killed_mid_run_loses_nothing(
    items: list[Any],
    here: list[str],
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both workers are killed while inside a task (not as results come back: see the limit in
    enrich/workers.py's docstring): every chunk is compared here."""
    import threading
    import time

    monkeypatch.setenv("STALL_DIR", str(tmp_path))  # the pool's fork server starts with it
    comparer = Comparer(2)
    comparer.task = _stall
    killed: list[int] = []

    def kill_when_inside() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pids = [int(p.name) for p in tmp_path.iterdir()]
            if len(pids) == 2:
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                killed.extend(pids)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_when_inside)
    killer.start()
    try:
        got = _lines(comparer, items)
    finally:
        killer.join()
    assert len(killed) == 2
    assert got == here
    assert comparer.broken  # the rest was compared here
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


def test_read_ahead_is_bounded(items: list[Any]) -> None:
    pulled = 0

    def stream() -> Iterator[Any]:
        nonlocal pulled
        for item in items:
            pulled += 1
            yield item

    comparer = Comparer(1)
    most = 0
    for n, _ in enumerate(comparer.run(stream()), start=1):
        most = max(most, pulled - n)
    comparer.close()
    assert 0 < most <= (workers_module.IN_FLIGHT * 1 + 1) * workers_module.CHUNK


def test_an_error_in_the_stream_comes_after_everything_before_it(items: list[Any]) -> None:
    def stream() -> Iterator[Any]:
        yield from items[:300]
        raise RuntimeError("the look-ups failed")

    comparer = Comparer(2)
    got = []
    with pytest.raises(RuntimeError, match="look-ups failed"):
        for entry, _ in comparer.run(stream()):
            got.append(entry)
    comparer.close()
    assert got == [entry for entry, _, _ in items[:300]]


def test_auto_starts_a_pool_only_past_its_threshold(items: list[Any], here: list[str]) -> None:
    small = Comparer(2, start_after=len(items))
    assert _lines(small, items) == here
    assert small.pool is None  # never started
    large = Comparer(2, start_after=100)
    got = []
    for _, enriched in large.run(items):
        got.append(enriched.model_dump_json())
        started = large.pool is not None
    large.close()
    assert got == here and started


def test_auto_starts_no_pool_when_the_entries_waited_for_look_ups(
    items: list[Any], here: list[str]
) -> None:
    """A cold run: the entries come as arXiv answers (FLUSH where they wait), and workers would
    only take CPU from the look-ups. A warm one never waits (the test above)."""
    from enrich.workers import FLUSH, WAITS_PER_POOL

    start_after = 2 * WAITS_PER_POOL // 10
    waiting: list[Any] = []
    for n, item in enumerate(items):
        waiting.append(item)
        if n < start_after and n % 50 == 0:  # more than once per WAITS_PER_POOL entries
            waiting.append(FLUSH)
    comparer = Comparer(2, start_after=start_after)
    sent: list[Any] = []
    comparer._submit = sent.append  # type: ignore[assignment,method-assign]
    assert _lines(comparer, waiting) == here
    assert sent == []  # no chunk went to a worker
    allowed = [FLUSH] * (start_after // WAITS_PER_POOL) + list(items)  # as many as it allows
    comparer = Comparer(2, start_after=start_after)
    submit = comparer._submit
    comparer._submit = lambda chunk: (sent.append(chunk), submit(chunk))[1]  # type: ignore[method-assign]
    assert _lines(comparer, allowed) == here
    assert sent  # these went to the workers


@pytest.mark.parametrize(
    ("setting", "cpus", "expected"),
    [(0, 1, 0), (0, 2, 2), (0, 8, 2), (1, 8, 0), (3, 1, 3), (2, 2, 2), (6, 8, 6)],
)
def test_worker_count(setting: int, cpus: int, expected: int) -> None:
    assert worker_count(setting, cpus) == expected


@pytest.mark.parametrize(("processes", "start_after"), [(0, 0), (2, 0), (2, 100)])
def test_flush_sends_what_is_held_and_the_last_items_are_shared(
    items: list[Any], here: list[str], processes: int, start_after: int
) -> None:
    from enrich.workers import CHUNK, FLUSH

    flushed: list[Any] = [FLUSH] if not start_after else []  # where the look-ups would wait,
    for n, item in enumerate(items[:620]):  # at odd places, twice in a row (after the items
        flushed.append(item)  # an auto pool waits for: past them, it starts)
        if (n % 97 == 0 and start_after <= n < 500) or n == 519:
            flushed += [FLUSH, FLUSH]
    comparer = Comparer(processes, start_after)
    sizes: list[int] = []
    submit = comparer._submit

    def recorded(chunk: list[Any]) -> Any:
        sizes.append(len(chunk))
        return submit(chunk)

    comparer._submit = recorded  # type: ignore[method-assign]
    assert _lines(comparer, flushed) == here[:620]  # the same, in order
    if processes:
        assert sum(sizes) == 620 - start_after
        assert all(0 < size <= CHUNK for size in sizes)
        assert len(sizes) > -(-(620 - start_after) // CHUNK)  # partial chunks went on a FLUSH
        assert sizes[-2:] == [50, 50]  # the 100 after the last FLUSH, one half to each worker


def test_a_worker_keeps_its_within_entry_caches_small(
    items: list[Any], here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """compare_chunk empties the caches a worker only asks again within an entry once they are
    past TRIM_AT (a worker kept thousands of answers it never asked for again); the results are
    those of comparing here."""
    from enrich.ids import parse_arxiv_id
    from enrich.text.titles import fold_title

    monkeypatch.setattr(workers_module, "TRIM_AT", 50)
    for n in range(200):  # answers left by earlier work in this process
        fold_title(f"A title number {n} of many")
        parse_arxiv_id(f"2501.{n:05d}")
    results = [
        workers_module._rebuild(entry, lookup, result).model_dump_json()
        for chunk in (items[:100], items[100:200])
        for (entry, lookup, _), result in zip(
            chunk, workers_module.compare_chunk(workers_module._payload(chunk)), strict=True
        )
    ]
    assert results == here[:200]
    assert fold_title.cache_info().currsize <= 50
    assert parse_arxiv_id.cache_info().currsize <= 50


def test_once_the_pool_compares_this_process_lets_the_comparison_caches_go(
    items: list[Any], here: list[str]
) -> None:
    """The entries compared here before the pool started fill the comparison's caches; they are
    emptied when the pool takes over (held to the end of a run, they were ~10 MB of 100,000);
    those the reading and the duplicate finder ask stay."""
    from enrich.compare.rules import _arxiv_codes
    from enrich.text.names import _match_tokens, parse_name

    comparer = Comparer(2, start_after=300)
    got = []
    for n, (_, enriched) in enumerate(comparer.run(items)):
        got.append(enriched.model_dump_json())
        if n == 299:
            assert _arxiv_codes.cache_info().currsize and _match_tokens.cache_info().currsize
    comparer.close()
    assert got == here and not comparer.broken
    assert _arxiv_codes.cache_info().currsize == 0
    assert _match_tokens.cache_info().currsize == 0
    assert parse_name.cache_info().currsize
