"""SharedLookup: the look-up source of every process pointing at one Redis (`redis_url`).

Every process (each `enrich serve` instance, each `enrich run` with `redis_url`) does the same:

1. answer what the Redis cache holds;
2. put the rest in the shared `pending` set (InflightQueue.want);
3. take the budget (RedisLimiter.hold: the one connection, after the gap), then, holding it, read
   the cache again (another holder may just have fetched our ids), and claim the `batch_size` OLDEST
   pending ids - its own and everyone else's - and fetch them with ArxivClient (whose requests
   take the same budget, so its retries, re-checks and 400 bisection keep the gap); a request
   that would not be full (the last one, or a re-check of missing ids) is topped up with more
   pending ids, so re-checks and stragglers ride along instead of costing requests of their own;
4. repeat until every id of its own is answered: by its own request, or by another holder's.

So the requests to arXiv stay close to ceil(unique ids wanted by everyone / batch_size), however
many processes want them, and nobody fetches an id another holder is fetching.

Redis unreachable: nothing is asked of arXiv (the budget cannot be shared, so it is not spent);
the ids not answered yet are `unavailable` with the reason. The next call tries Redis again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import httpx
import redis

from enrich.arxiv.backends import lease_for, redis_for
from enrich.arxiv.client import ArxivClient, ClientStats, Lookup, as_given, split_ids
from enrich.arxiv.redis_store import InflightQueue, RedisLimiter, RedisRecordCache, redis_reason
from enrich.errors import BudgetUnavailable
from enrich.models import ArxivRecord
from enrich.settings import Settings

__all__ = ["SharedLookup"]

log = logging.getLogger(__name__)

MAX_IDLE_ROUNDS = 2000  # rounds spent waiting for ids another holder claimed, before giving up


class SharedLookup:
    """A LookupSource sharing budget, cache and queue through Redis (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: redis.Redis | None = None,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.redis = client if client is not None else redis_for(settings)
        url, prefix = settings.redis_url, settings.redis_prefix
        self.cache = RedisRecordCache(
            self.redis,
            url=url,
            prefix=prefix,
            cache_ttl=settings.cache_ttl,
            negative_ttl=settings.negative_ttl,
        )
        self.limiter = RedisLimiter(
            self.redis,
            settings.min_interval,
            url=url,
            prefix=prefix,
            lease=lease_for(settings),
            clock=clock,
            sleep=sleep,
        )
        self.queue = InflightQueue(self.redis, prefix=prefix, lease=lease_for(settings))
        self.client = ArxivClient(
            settings, http=http, clock=clock, sleep=sleep, cache=self.cache, limiter=self.limiter
        )
        self._sleep = sleep
        self._poll = max(0.005, min(0.25, settings.min_interval / 4))

    @property
    def stats(self) -> ClientStats:
        return self.client.stats

    @property
    def cache_note(self) -> str | None:
        return self.cache.degraded or self.limiter.degraded

    def close(self) -> None:
        self.client.close()

    def cancel(self) -> None:
        """Stop this process's look-ups (ArxivClient.cancel): Ctrl-C, a run cut short."""
        self.client.cancel()

    def __enter__(self) -> SharedLookup:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch_versions(
        self, wanted: Iterable[tuple[str, int]], optional: Iterable[tuple[str, int]] = ()
    ) -> dict[tuple[str, int], ArxivRecord]:
        """Single versions (ArxivClient.fetch_versions): the Redis cache, then requests that take
        the shared budget (not the shared queue: they are few and rarely wanted by two)."""
        try:
            return self.client.fetch_versions(wanted, optional)
        except redis.RedisError as exc:  # the cache degrades quietly; this is the budget
            log.warning("versions not fetched: %s", redis_reason(self.settings.redis_url, exc))
            return {}

    def fetch(
        self, ids: Iterable[str], progress: Callable[[int], None] | None = None
    ) -> dict[str, Lookup]:
        """One Lookup per distinct id given, as ArxivClient.fetch, through the shared queue."""
        aliases, results = split_ids(ids)
        wanted = list(aliases)
        if not self.settings.refresh:
            for arxiv_id, answer in self.cache.get_many(wanted).items():
                results[arxiv_id] = Lookup.cached(answer)
                self.client.stats.cache_hits += 1
        left = [i for i in wanted if i not in results]
        if self.settings.offline:
            for arxiv_id in left:
                results[arxiv_id] = Lookup("unavailable", reason="offline and not in the cache")
        elif left:
            self._shared(left, results, progress)
        return as_given(results, aliases)

    def _shared(
        self,
        ids: list[str],
        results: dict[str, Lookup],
        progress: Callable[[int], None] | None,
    ) -> None:
        left = dict.fromkeys(ids)
        idle = 0
        try:
            self.queue.want(left)
            while left and idle < MAX_IDLE_ROUNDS:
                before = len(left)
                with self.limiter.hold():
                    self._from_store(left, results)
                    batch = self._claim(self.settings.batch_size) if left else []
                    if batch:
                        self._fetch_batch(batch, left, results)
                    lost = [i for i in left if i not in self.queue.pending(left)]
                    self.queue.want(lost)  # claimed by a holder that died: ask for them again
                if progress is not None:
                    progress(len(results))
                if left and not batch:
                    idle += 1
                    self._sleep(self._poll)  # ours are in flight elsewhere: let that holder work
                elif len(left) < before:
                    idle = 0
        except BudgetUnavailable as exc:
            reason = str(exc)
        except redis.RedisError as exc:
            reason = redis_reason(self.settings.redis_url, exc)
        else:
            reason = "another process claimed these ids and never answered"
        for arxiv_id in left:
            results[arxiv_id] = Lookup("unavailable", reason=reason)

    def _claim(self, room: int) -> list[str]:
        """Up to `room` pending ids nobody has answered yet. An id can be wanted again by a
        process that missed the cache just before it was filled: those are dropped here (a few
        rounds at most), so that the request is full of ids that need asking."""
        out: list[str] = []
        for _ in range(4):
            claimed = self.queue.claim(room - len(out))
            if not claimed:
                break
            cached = self.cache.get_many(claimed)
            self.queue.done(cached)
            out += [i for i in claimed if i not in cached]
            if len(out) >= room:
                break
        return out

    def _top_up(self, room: int) -> list[str]:
        """More ids from the shared queue for a request that is not full (anyone's)."""
        try:
            return self._claim(room)
        except redis.RedisError:
            return []  # the answers already in hand still count; the next step will say why

    def _from_store(self, left: dict[str, None], results: dict[str, Lookup]) -> None:
        """Settle what other holders answered (the cache) or failed (their notes)."""
        for arxiv_id, answer in self.cache.get_many(left).items():
            results[arxiv_id] = Lookup.cached(answer)
            del left[arxiv_id]
        for arxiv_id, reason in self.queue.failures(left).items():
            results[arxiv_id] = Lookup("unavailable", reason=reason)
            del left[arxiv_id]

    def _fetch_batch(
        self, batch: list[str], left: dict[str, None], results: dict[str, Lookup]
    ) -> None:
        lookups = self.client.fetch(batch, top_up=self._top_up)
        failed = {
            i: lk.reason or "unavailable" for i, lk in lookups.items() if lk.status == "unavailable"
        }
        self.queue.failed(failed)
        self.queue.done([i for i in lookups if i not in failed])
        for arxiv_id in left.keys() & lookups.keys():  # ours that came in a topped-up batch
            if arxiv_id not in batch:
                results[arxiv_id] = lookups[arxiv_id]
                del left[arxiv_id]
        for arxiv_id in batch:
            if arxiv_id in left:
                results[arxiv_id] = lookups.get(arxiv_id) or Lookup(
                    "unavailable", reason="no answer for this id"
                )
                del left[arxiv_id]
