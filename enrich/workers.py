"""Comparing in worker processes (setting `workers`): enrich_one over chunks of entries, in order.

The pipeline's one process keeps everything that is shared or in order: reading, the look-ups
(the arXiv connection and the cache, or the look-up process that holds them, see
enrich/arxiv/process.py), the duplicate finder, the fixer and the outputs. Workers get chunks of
(entry, lookup, versions) and give back what enrich_one made of each entry, and the main process
puts the EnrichedEntry together from its own entry and record objects. What
crosses the boundary is kept cheap (a pickled pydantic model costs more than the comparison):

  to a worker     each entry and record as its JSON bytes (pydantic's serialiser), a record once
                  per chunk however many entries name it;
  back            status, error, the corrected entry's and each conflict's field values (plain
                  Python values, pickled), the record only when the comparison made a new one
                  (the versions step), as JSON, and the entry's duplicate_key (its title folded
                  and hashed there, not again here: see Comparer.duplicate_keys).

Same output bytes as comparing in this process (tests/test_workers.py holds it on the seeds, the
corpus and the bench workload). A chunk a worker could not do (an exception, a worker that died)
is compared here instead, so nothing is lost and nothing is printed: a fault of the comparison
itself then shows exactly as it does without workers. Workers ignore Ctrl-C (the main process
stops them) and are started by a fork server (a process with no threads, the lookup thread's
locks are never copied).

Seen and not handled: killing the workers just as their results come back once left the run
waiting forever (the executor's reader thread, most likely on a result a worker was half-way
through writing when it died; a limit of concurrent.futures). A worker killed inside a task
breaks the pool, and the rest is compared in this process (tests/test_workers.py).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from enrich.models import (
    ArxivRecord,
    Conflict,
    CorrectedEntry,
    DigestEntry,
    EnrichedEntry,
    construct_valid,
    record_json,
)
from enrich.runtime import COMPARISON, WITHIN_ENTRY, empty_caches

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from enrich.pipeline import LookupLike

__all__ = ["Comparer", "worker_count"]

Item = tuple[DigestEntry, "LookupLike | None", "Mapping[int, ArxivRecord] | None"]
FLUSH: Any = None  # in the stream of items: the next item may be a while (see Comparer.run)
_END: Any = object()

POOL_AFTER = 5_000  # entries compared here before `workers = 0` (auto) starts the pool
AUTO_MAX = 2  # workers `workers = 0` starts at most
WAITS_PER_POOL = 1000  # auto starts no pool if its first entries waited for look-ups more than
# once per this many (a cold run waits ~5 times per 1,000 entries at a 0.05 s gap, a warm never)
CHUNK = 250  # entries per task
IN_FLIGHT = 3  # tasks per worker sent ahead of the entry being yielded
TRIM_AT = 1024  # entries a worker's within-entry caches may hold after a chunk (_trim_caches)


def worker_count(workers: int, cpus: int | None = None) -> int:
    """Worker processes for the setting `workers` (0 auto, 1 off, n): 0 means compare here.
    Auto is one worker per core up to AUTO_MAX when there is more than one core, and only for an
    input past POOL_AFTER entries (see Comparer). The main process still reads, looks up, finds
    duplicates and writes, about half the CPU of a warm run: past two workers it is the one
    waited for."""
    if cpus is None:
        cpus = cpu_count()
    if workers == 1 or (workers == 0 and cpus < 2):
        return 0
    return min(cpus, AUTO_MAX) if workers == 0 else workers


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Comparer:
    """enrich_one over a stream of items, in order: here, or in `processes` worker processes
    (started once `start_after` items have been compared here, unless they came slower than
    they were compared: see WAITS_PER_POOL)."""

    def __init__(self, processes: int, start_after: int = 0) -> None:
        self.task: Callable[[Any], list[Any]] = compare_chunk  # what a worker runs on a chunk
        self.processes = processes
        self.start_after = start_after
        self.pool: ProcessPoolExecutor | None = None
        self.broken = False  # the pool failed: the rest is compared here
        self.workers: list[Any] = []  # the worker processes, once the last task is sent
        self._manager: threading.Thread | None = None  # the pool's manager thread, then
        self._stream: Iterator[Item] | None = None
        # by id(entry), for entries compared by a worker: their duplicate_key, worked out
        # there, so that this process (the one waited for) need not fold and hash their titles
        # again; taken by the caller (the duplicate finder) as each entry is written
        self.duplicate_keys: dict[int, int | None] = {}

    def run(self, items: Iterable[Item]) -> Iterator[tuple[DigestEntry, EnrichedEntry]]:
        """Each item's entry with its EnrichedEntry, in order. An error raised by `items` comes
        after every item before it was yielded. `items` may hold FLUSH (None) where the next
        item may be a while: the items held for a chunk go to a worker then, not when the chunk
        is full; and the last items are shared among the workers."""
        from enrich.pipeline import enrich_one

        stream = self._stream = iter(items)
        if self.processes < 1:
            yield from _compared_here(stream)
            return
        done = waited = 0
        while done < self.start_after:  # a small input never starts a pool
            item = next(stream, _END)
            if item is _END:
                return
            if item is FLUSH:
                waited += 1
            else:
                entry, lookup, versions = item
                yield entry, enrich_one(entry, lookup, versions)
                done += 1
        if self.start_after and waited > self.start_after // WAITS_PER_POOL:
            # the entries waited for their look-ups: arXiv's pace, not this process, decides how
            # fast the run goes, and workers would only take CPU from the look-ups
            yield from _compared_here(stream)
            return
        yield from self._pooled(stream)

    def _pooled(self, stream: Iterator[Item]) -> Iterator[tuple[DigestEntry, EnrichedEntry]]:
        inflight: deque[tuple[list[Item], Future[list[Any]] | None]] = deque()
        ahead = IN_FLIGHT * self.processes
        chunk: list[Item] = []
        failed: Exception | None = None
        try:
            for item in stream:
                if item is FLUSH:  # the next item may be a while: what is held goes now
                    if chunk:
                        inflight.append((chunk, self._submit(chunk)))
                        chunk = []
                else:
                    chunk.append(item)
                    if len(chunk) == CHUNK:
                        inflight.append((chunk, self._submit(chunk)))
                        chunk = []
                # a chunk done goes out now, not when more are sent: items may come slowly (as
                # look-ups arrive), and what is done by the last of them is not left to the end
                while inflight and (len(inflight) > ahead or _done(inflight[0][1])):
                    yield from self._results(*inflight.popleft())
        except Exception as exc:  # the look-ups failed: what came before goes out first
            failed = exc
        share = -(-len(chunk) // self.processes)  # the last items shared among the workers
        for start in range(0, len(chunk), max(share, CHUNK // 8)):
            piece = chunk[start : start + max(share, CHUNK // 8)]
            inflight.append((piece, self._submit(piece)))
        self._wind_down()
        while inflight:
            yield from self._results(*inflight.popleft())
        if failed is not None:
            raise failed

    def _submit(self, chunk: list[Item]) -> Future[list[Any]] | None:
        if self.broken:
            return None
        try:
            if self.pool is None:
                self.pool = _start_pool(self.processes)
                _let_comparison_caches_go()
            return self.pool.submit(self.task, _payload(chunk))
        except Exception:  # no pool to be had (or an entry JSON cannot carry): compared here
            self.broken = True
            return None

    def _results(
        self, chunk: list[Item], future: Future[list[Any]] | None
    ) -> Iterator[tuple[DigestEntry, EnrichedEntry]]:
        results = None
        if future is not None:  # from the pool, so its module is loaded
            from concurrent.futures.process import BrokenProcessPool

            try:
                results = future.result()
            except BrokenProcessPool:  # a worker died: this chunk and the rest are done here
                self.broken = True
            except Exception:  # a worker raised: this chunk is compared here
                pass
        if results is None:
            yield from _compared_here(iter(chunk))
            return
        keys = self.duplicate_keys
        for (entry, lookup, _versions), result in zip(chunk, results, strict=True):
            keys[id(entry)] = result[5]
            yield entry, _rebuild(entry, lookup, result)

    def close(self) -> None:
        if self._stream is not None:
            close = getattr(self._stream, "close", None)
            if close is not None:
                close()
            self._stream = None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            if self._manager is not None:  # wound down: shutdown no longer waits for it
                self._manager.join()  # it reaps the workers
            self.pool = None
            _stop_fork_server()

    def _wind_down(self) -> None:
        """Nothing more will be sent: the workers are told now, so that each exits after its
        last task while the results still go out (the end of a run waits for less); `close`
        still reaps them."""
        pool = self.pool
        if pool is None or self._manager is not None:
            return
        self._manager = getattr(pool, "_executor_manager_thread", None)  # private, see close
        self.workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False)  # (the fork server stays: it reports the workers' ends)


def _compared_here(stream: Iterator[Item]) -> Iterator[tuple[DigestEntry, EnrichedEntry]]:
    from enrich.pipeline import enrich_one

    for item in stream:
        if item is not FLUSH:
            entry, lookup, versions = item
            yield entry, enrich_one(entry, lookup, versions)


def _done(future: Future[list[Any]] | None) -> bool:
    return future is None or future.done()


def _stop_fork_server() -> None:
    """The fork server goes with the pool, reaped here: no process is left behind, and the
    workers' CPU time counts among this process's children's, as a plain child's would (what
    `time` and getrusage report)."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # private: there is no public way
    if stop is not None:
        with contextlib.suppress(Exception):
            stop()


def _start_pool(processes: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["enrich.workers", "enrich.pipeline", "enrich.compare"])
    return ProcessPoolExecutor(processes, mp_context=context, initializer=_worker_started)


def _worker_started() -> None:
    """In each worker: Ctrl-C is the main process's to handle; garbage collection as in a run."""
    import signal

    from enrich.runtime import tune_gc

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_gc()


# -- what crosses ------------------------------------------------------------------------------

_ENTRY_JSON = DigestEntry.__pydantic_serializer__.to_json


def _payload(chunk: list[Item]) -> tuple[list[tuple[bytes, int | None]], list[Any]]:
    """The chunk as bytes: each entry's JSON with the index of its look-up, and each look-up
    (status, reason, record JSON, {version: record JSON}) once however many entries share it.
    A record read back from JSON (the pipeline's records set aside) goes as that JSON."""
    entries: list[tuple[bytes, int | None]] = []
    lookups: list[Any] = []
    index: dict[tuple[int, int], int] = {}
    for entry, lookup, versions in chunk:
        at = None
        if lookup is not None or versions:
            key = (id(lookup), id(versions))
            at = index.get(key)
            if at is None:
                at = index[key] = len(lookups)
                record = None if lookup is None else lookup.record
                raw = getattr(lookup, "raw", None)  # the JSON it was read from, if at hand
                lookups.append(
                    (
                        None if lookup is None else lookup.status,
                        None if lookup is None else lookup.reason,
                        None if record is None else raw or record_json(record),
                        {v: record_json(r) for v, r in versions.items()} if versions else None,
                    )
                )
        entries.append((_ENTRY_JSON(entry), at))
    return entries, lookups


def compare_chunk(payload: tuple[list[tuple[bytes, int | None]], list[Any]]) -> list[Any]:
    """In a worker: enrich_one over a chunk, each result as plain values (see _rebuild)."""
    from enrich.compare.duplicates import duplicate_key
    from enrich.pipeline import _Settled, enrich_one

    entries, raw = payload
    lookups: list[tuple[Any, Any]] = []
    for status, reason, record, versions in raw:
        lookup = None
        if status is not None:
            parsed = None if record is None else ArxivRecord.model_validate_json(record)
            lookup = _Settled(status, parsed, reason)
        held = None
        if versions:
            held = {v: ArxivRecord.model_validate_json(r) for v, r in versions.items()}
        lookups.append((lookup, held))
    out = []
    for data, at in entries:
        entry = DigestEntry.model_validate_json(data)
        lookup, versions = lookups[at] if at is not None else (None, None)
        enriched = enrich_one(entry, lookup, versions)
        record = enriched.arxiv
        if record is None or (lookup is not None and record is lookup.record):
            arxiv: bytes | bool | None = record is not None  # True: the look-up's own record
        else:
            arxiv = record_json(record)
        out.append(
            (
                enriched.status,
                enriched.error,
                arxiv,
                None if enriched.corrected is None else enriched.corrected.__dict__,
                [conflict.__dict__ for conflict in enriched.conflicts],
                duplicate_key(entry),
            )
        )
    _trim_caches()
    return out


def _trim_caches() -> None:
    """After a chunk: the caches whose answers a worker asks for again only within an entry
    (runtime.WITHIN_ENTRY) are emptied once past TRIM_AT. In the main process they are sized
    for the reading and the duplicate finder too, which ask thousands of entries later (a warm
    100,000-entry run: an id parsed on reading is parsed again by the comparison ~200,000 times
    out of ~300,000); a worker does neither, so it kept up to 8,192 or 16,384 answers each that
    it never asked for again (about 8 MB of a worker's ~54 MB)."""
    empty_caches(WITHIN_ENTRY, above=TRIM_AT)


def _let_comparison_caches_go() -> None:
    """The pool compares from now on: this process empties the caches only the comparison fills
    (runtime.COMPARISON: the entries compared here before the pool started left them full, held
    to the end of the run: ~10 MB of a warm 100,000-entry run's main process). Those the reading
    and the duplicate finder ask too (parse_name, fold_title, parse_arxiv_id, the name words)
    are kept. A chunk compared here later (a worker failed) fills them again."""
    empty_caches(COMPARISON)


def _rebuild(entry: DigestEntry, lookup: LookupLike | None, result: Any) -> EnrichedEntry:
    """The EnrichedEntry a worker's result stands for, around this process's own entry and
    record objects (the values were validated where they were made, in the worker)."""
    status, error, arxiv, corrected, conflicts, _keys = result
    if arxiv is True:
        record = lookup.record if lookup is not None else None
    elif arxiv:
        record = ArxivRecord.model_validate_json(arxiv)
    else:
        record = None
    return construct_valid(  # each field in the model's order, as enrich_one gives them
        EnrichedEntry,
        arxiv_id=entry.arxiv_id,
        status=status,
        source=entry.source,
        digest=entry,
        arxiv=record,
        corrected=None if corrected is None else construct_valid(CorrectedEntry, **corrected),
        conflicts=[construct_valid(Conflict, **conflict) for conflict in conflicts],
        error=error,
    )
