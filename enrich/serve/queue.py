"""The coalescing queue: every caller's look-ups merged into full, polite requests.

* **Memory, then the cache.** An id answered lately is answered from memory (until its answer
  would expire in the cache); then the cache (SQLite, or Redis) is asked; only the rest waits.
* **Single flight.** An id already waiting or being fetched is not queued again: the new caller
  waits for the same answer.
* **One request per `min_interval`, up to `batch_size` ids.** One worker takes the oldest waiting
  ids, at most `batch_size`, once the gap since its last request has passed and the oldest has
  waited `serve_linger` seconds (so callers arriving together share a request), and hands them to
  the look-up source (ArxivClient, or SharedLookup with Redis, which merges with other instances).
* **Bounded.** When a caller's wait, estimated from the ids ahead of it, would pass
  `serve_max_wait`, it is refused at once (`QueueFull`, answered 503 with Retry-After).
* **Disconnected callers stop costing.** A caller that goes away (its task is cancelled) drops its
  claim on its ids; an id nobody waits for any more is taken out of the queue before it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from enrich.arxiv.cache import RecordCache, positive_expiry
from enrich.arxiv.client import Lookup, as_given, split_ids
from enrich.serve.metrics import Metrics
from enrich.settings import Settings

__all__ = ["Coalescer", "QueueFull"]

log = logging.getLogger(__name__)

HELD_MAX = 100_000  # answers kept in memory (least recently used go first)


class QueueFull(Exception):
    """The caller would wait longer than `serve_max_wait`; try again after `retry_after` s."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the look-up queue is full; retry in {math.ceil(retry_after)} s")
        self.retry_after = retry_after


@dataclass
class _Flight:
    future: asyncio.Future[Lookup]
    queued: float
    waiters: int = 0


@dataclass
class _Held:
    lookup: Lookup
    expires: float  # wall clock


@dataclass
class _State:
    pending: OrderedDict[str, _Flight] = field(default_factory=OrderedDict)
    flights: dict[str, _Flight] = field(default_factory=dict)
    in_flight: int = 0
    last_end: float = -math.inf  # loop time of the end of the last fetch
    last_seconds: float = 0.0  # how long the last fetch took


class Coalescer:
    """One per service instance: `await lookup(ids)` from any number of concurrent callers."""

    def __init__(self, source: Any, settings: Settings, *, metrics: Metrics | None = None) -> None:
        self.source = source
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.cache: RecordCache | None = getattr(source, "cache", None)
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._state = _State()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._worker(), name="enrich-coalescer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for flight in self._state.flights.values():
            if not flight.future.done():
                flight.future.set_result(Lookup("unavailable", reason="the service is stopping"))

    @property
    def depth(self) -> int:
        return len(self._state.pending)

    @property
    def in_flight(self) -> int:
        return self._state.in_flight

    # -- the callers' side ---------------------------------------------------------------------

    async def lookup(self, ids: Iterable[str]) -> dict[str, Lookup]:
        """One Lookup per distinct id (keyed as given); QueueFull when the wait would be too long.

        Cancelling the caller (a disconnect) withdraws its interest in the ids it waited for."""
        aliases, results = split_ids(ids)
        wanted = [i for i in aliases if not self._from_memory(i, results)]
        if wanted and self.cache is not None and not self.settings.refresh:
            cached = await asyncio.to_thread(self.cache.get_many, wanted)
            for arxiv_id, answer in cached.items():
                lookup = Lookup.cached(answer)
                results[arxiv_id] = lookup
                self._hold(arxiv_id, lookup, answer.expires)
            self.metrics.cache_hits["cache"] += len(cached)
            wanted = [i for i in wanted if i not in cached]
        if wanted:
            results.update(await self._wait_for(wanted))
        out = as_given(results, aliases)
        for lookup in out.values():
            self.metrics.lookups[lookup.status] += 1
        return out

    def _from_memory(self, arxiv_id: str, results: dict[str, Lookup]) -> bool:
        held = self._held.get(arxiv_id)
        if held is None or self.settings.refresh:
            return False
        if held.expires <= time.time():
            del self._held[arxiv_id]
            return False
        self._held.move_to_end(arxiv_id)
        results[arxiv_id] = held.lookup
        self.metrics.cache_hits["memory"] += 1
        return True

    def _hold(self, arxiv_id: str, lookup: Lookup, expires: float) -> None:
        self._held[arxiv_id] = _Held(lookup, expires)
        self._held.move_to_end(arxiv_id)
        while len(self._held) > HELD_MAX:
            self._held.popitem(last=False)

    def estimated_wait(self, new_ids: int) -> float:
        """Seconds until `new_ids` more ids would be answered, from what is queued before them."""
        state = self._state
        per_request = max(self.settings.min_interval, state.last_seconds)
        ahead = len(state.pending) + state.in_flight + new_ids
        batches = math.ceil(ahead / self.settings.batch_size)
        return self.settings.serve_linger + batches * per_request

    async def _wait_for(self, ids: list[str]) -> dict[str, Lookup]:
        state = self._state
        loop = asyncio.get_running_loop()
        new = [i for i in ids if i not in state.flights]
        if new:
            wait = self.estimated_wait(len(new))
            if wait > self.settings.serve_max_wait:
                self.metrics.refused += 1
                raise QueueFull(wait)
        if self.settings.offline:
            return {i: Lookup("unavailable", reason="offline and not in the cache") for i in ids}
        mine: dict[str, _Flight] = {}
        for arxiv_id in ids:
            flight = state.flights.get(arxiv_id)
            if flight is None:
                flight = _Flight(loop.create_future(), loop.time())
                state.flights[arxiv_id] = flight
                state.pending[arxiv_id] = flight
            flight.waiters += 1
            mine[arxiv_id] = flight
        if self._wake is not None:
            self._wake.set()
        started = loop.time()
        try:
            await asyncio.wait([f.future for f in mine.values()])  # never cancels the futures
        except asyncio.CancelledError:
            for flight in mine.values():
                flight.waiters -= 1
            raise
        for flight in mine.values():
            flight.waiters -= 1
        self.metrics.wait_seconds += loop.time() - started
        self.metrics.waits += 1
        return {i: f.future.result() for i, f in mine.items()}

    # -- the worker ----------------------------------------------------------------------------

    async def _worker(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        state = self._state
        while True:
            await self._wake.wait()
            if not state.pending:
                self._wake.clear()
                continue
            await self._pause(loop)
            batch = self._take()
            if not batch:
                continue
            state.in_flight = len(batch)
            started = loop.time()
            requests_before = self._requests()
            try:
                answers = await asyncio.to_thread(self.source.fetch, batch)
            except Exception as exc:  # the look-up source must not take the service down
                log.exception("look-up failed")
                reason = f"the look-up failed ({type(exc).__name__}: {exc})"
                answers = {i: Lookup("unavailable", reason=reason) for i in batch}
            state.last_end = loop.time()
            state.last_seconds = state.last_end - started
            state.in_flight = 0
            self._settle(batch, answers, self._requests() - requests_before)

    async def _pause(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait for the gap since the last request, then for stragglers (unless a batch is full)."""
        state = self._state
        gap = state.last_end + self.settings.min_interval - loop.time()
        if gap > 0:
            await asyncio.sleep(gap)
        if state.pending and len(state.pending) < self.settings.batch_size:
            oldest = next(iter(state.pending.values())).queued
            linger = oldest + self.settings.serve_linger - loop.time()
            if linger > 0:
                await asyncio.sleep(linger)

    def _take(self) -> list[str]:
        state = self._state
        batch: list[str] = []
        while state.pending and len(batch) < self.settings.batch_size:
            arxiv_id, flight = state.pending.popitem(last=False)
            if flight.waiters <= 0:  # everyone who wanted it went away: it costs nothing
                del state.flights[arxiv_id]
                flight.future.cancel()
                self.metrics.dropped += 1
                continue
            batch.append(arxiv_id)
        if not state.pending and self._wake is not None:
            self._wake.clear()
        return batch

    def _requests(self) -> int:
        stats = getattr(self.source, "stats", None)
        return int(getattr(stats, "requests", 0))

    def _settle(self, batch: list[str], answers: dict[str, Lookup], requests: int) -> None:
        now = time.time()
        fetched = 0
        for arxiv_id in batch:
            lookup = answers.get(arxiv_id) or Lookup("unavailable", reason="no answer for this id")
            flight = self._state.flights.pop(arxiv_id, None)
            if lookup.status == "unavailable":
                self.metrics.unavailable += 1
            else:
                fetched += not lookup.from_cache
                ttl = self.settings.cache_ttl if lookup.status == "found" else 0.0
                expires = positive_expiry(now, ttl) if ttl else now + self.settings.negative_ttl
                self._hold(arxiv_id, lookup, expires)
            if flight is not None and not flight.future.done():
                flight.future.set_result(lookup)
        self.metrics.arxiv_requests += requests
        self.metrics.ids_fetched += fetched
        self.metrics.batches += 1
