"""The arXiv budget, the cache and the in-flight marks in Redis: shared by processes and machines.

Selected when `redis_url` is set (see backends.py); the embedded default (limiter.py's file lock,
cache.py's SQLite table) stays otherwise. Same interfaces as `Limiter` and `RecordCache`.

Keys (all under `redis_prefix`, default "enrich:"):

* `budget:lock`   redis-py's `Lock` (SET NX PX + a token checked on release): its holder is the
                  only one talking to arXiv. It is a lease (`lease` seconds), renewed before each
                  request, so a holder killed mid-request frees the budget after at most the lease.
* `budget:stamp`  "<finished> <token>": Redis's own clock (`TIME`) when the last request ended.
                  Every wait is measured on Redis's clock, so machines with skewed clocks agree.
* `budget:hold`   a shared back-off after a 429/503: its value is the length, its PTTL what is left.
* `version:<id>v<n>`  one version's own record (no expiry: a version never changes).
* `rec:<id>`      the cached answer, the same JSON as the disk cache, with the same absolute expiry
                  and a Redis expiry (PX) so dead answers vanish by themselves.
* `pending`       sorted set: ids someone is waiting for, scored by when they were first wanted.
* `flight:<id>`   an id taken from `pending` by the budget's holder and being fetched (a lease).
* `unavail:<id>`  a short-lived note: the holder could not get an answer for this id, and why.

Failure policy: Redis going away must never mean "fall back to unshared limits". The limiter raises
`BudgetUnavailable` (the client does not retry it: those ids become `unavailable` with the reason);
the cache answers misses and drops writes while Redis is unreachable and says why in `degraded`;
it recovers by itself on the first command that succeeds again (unlike the disk cache, whose
degradation lasts for the run: a Redis outage is expected to end).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pydantic
import redis
from redis.lock import Lock

from enrich.arxiv.cache import CachedAnswer, CachedStatus, CacheStats, PutItem, RecordCache
from enrich.arxiv.limiter import Early, wait_out
from enrich.errors import BudgetUnavailable, CacheError
from enrich.models import ArxivRecord

__all__ = ["InflightQueue", "RedisLimiter", "RedisRecordCache", "connect", "redis_reason"]

log = logging.getLogger(__name__)

# How long a connection attempt or a command may take before Redis counts as unreachable.
SOCKET_TIMEOUT = 2.0


def connect(url: str, *, socket_timeout: float = SOCKET_TIMEOUT) -> redis.Redis:
    """A client for `url` (no I/O yet); commands time out instead of hanging on a dead Redis."""
    return redis.Redis.from_url(
        url,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        decode_responses=True,
        health_check_interval=30,
    )


def redis_reason(url: str, exc: BaseException) -> str:
    """The one line an `unavailable` entry carries when Redis cannot be reached."""
    where = _safe_url(url)
    return (
        f"the shared arXiv budget (Redis at {where}) is unreachable ({type(exc).__name__}: {exc}); "
        "arXiv is not asked without it"
    )


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


def _now(client: redis.Redis) -> float:
    seconds, micros = client.time()
    return float(seconds) + float(micros) / 1e6


class RedisLimiter:
    """One connection to arXiv at a time and `min_interval` end-to-start, for everyone on one Redis.

    `slot()` is what ArxivClient takes around each request. `hold()` takes the budget for a series
    of requests (the shared queue claims ids while holding it, so that ids wanted by others while it
    waited for the gap go out in the same request); `slot()` inside `hold()` only waits the gap.
    """

    def __init__(
        self,
        client: redis.Redis,
        min_interval: float,
        *,
        url: str = "redis",
        prefix: str = "enrich:",
        lease: float = 120.0,
        poll: float = 0.005,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.redis = client
        self.url = url
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self.token = uuid.uuid4().hex[:12]
        self.seconds_waiting = 0.0
        self.degraded: str | None = None
        self._prefix = prefix
        self._lock = Lock(
            client, prefix + "budget:lock", timeout=lease, sleep=poll, thread_local=False
        )
        self._mutex = threading.RLock()
        self._depth = 0
        self._last_end: float | None = None
        self._in_request = False

    # -- the slot ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the budget (and wait the gap) without making a request yet."""
        with self._mutex:
            started = self.clock()
            self._enter()
            try:
                self._wait_gap()
                self.seconds_waiting += max(0.0, self.clock() - started)
                yield
            finally:
                self._exit()

    @contextlib.contextmanager
    def slot(
        self, ready: Callable[[], bool] | None = None, early: Early | None = None
    ) -> Iterator[bool]:
        """Hold the only connection for one request: the lock, the gap, then the stamp.
        When `ready()` (asked once the lock is held) says nothing is left to send: no gap, no
        stamp, and False is yielded. `early`: see limiter.wait_out."""
        with self._mutex:
            started = self.clock()
            self._enter()
            try:
                if ready is not None and not ready():
                    yield False
                    return
                self._wait_gap(early)
                self.seconds_waiting += max(0.0, self.clock() - started)
                self._in_request = True
                try:
                    yield True
                finally:
                    self.end_request()
            finally:
                self._exit()

    def end_request(self) -> None:
        """The slot's request is over: stamp its end now (see Limiter.end_request); the slot's
        exit does otherwise, and a second call does nothing."""
        if self._in_request:
            self._in_request = False
            self._stamp()

    def hold_off(self, seconds: float) -> None:
        """Ask everyone on this Redis not to start a request for `seconds` (after a 429/503)."""
        if seconds <= 0:
            return
        try:
            self.redis.set(self._prefix + "budget:hold", repr(seconds), px=int(seconds * 1000))
        except redis.RedisError as exc:
            raise BudgetUnavailable(redis_reason(self.url, exc), self.url) from exc

    def close(self) -> None:
        """Nothing to release: the lock is only held inside `slot()`/`hold()`."""

    # -- internals -----------------------------------------------------------------------------

    def _enter(self) -> None:
        try:
            if self._depth == 0:
                self._lock.acquire(blocking=True)
            elif not self._renew():
                self._lock.acquire(blocking=True)  # the lease ran out during a long back-off
        except redis.RedisError as exc:
            self.degraded = redis_reason(self.url, exc)
            raise BudgetUnavailable(self.degraded, self.url) from exc
        self.degraded = None
        self._depth += 1

    def _renew(self) -> bool:
        try:
            self._lock.reacquire()
        except redis.exceptions.LockError:
            return False
        return True

    def _exit(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            try:
                self._lock.release()
            except (redis.RedisError, redis.exceptions.LockError) as exc:
                # the lease ends by itself; the next holder waits at most that long
                log.warning("could not release the arXiv budget in Redis: %s", exc)

    def _wait_gap(self, early: Early | None = None) -> None:
        try:
            stamp, hold, hold_left = self._read()
            now = _now(self.redis)
        except redis.RedisError as exc:
            self.degraded = redis_reason(self.url, exc)
            raise BudgetUnavailable(self.degraded, self.url) from exc
        waits = [0.0]
        if self._last_end is not None:
            waits.append(self.min_interval - (self.clock() - self._last_end))
        if stamp is not None:
            finished, token = stamp
            if token != self.token:
                # another process on Redis's clock: clamp, so a bad stamp never waits too long
                elapsed = min(max(now - finished, 0.0), self.min_interval)
                waits.append(self.min_interval - elapsed)
        elif stamp is None and self._stamp_unreadable:
            waits.append(self.min_interval)
        if hold is not None and hold_left > 0:
            waits.append(min(hold_left, hold))
        wait_out(max(waits), self.clock, self.sleep, early)

    _stamp_unreadable = False

    def _read(self) -> tuple[tuple[float, str] | None, float | None, float]:
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(self._prefix + "budget:stamp")
        pipe.get(self._prefix + "budget:hold")
        pipe.pttl(self._prefix + "budget:hold")
        raw_stamp, raw_hold, hold_ms = pipe.execute()
        stamp = None
        self._stamp_unreadable = False
        if raw_stamp is not None:
            parts = str(raw_stamp).split()
            try:
                stamp = (float(parts[0]), parts[1])
            except (IndexError, ValueError):
                self._stamp_unreadable = True
        hold = None
        if raw_hold is not None:
            with contextlib.suppress(ValueError):
                hold = float(raw_hold)
        return stamp, hold, max(0.0, float(hold_ms or 0) / 1000.0)

    def _stamp(self) -> None:
        self._last_end = self.clock()
        try:
            now = _now(self.redis)
            self.redis.set(self._prefix + "budget:stamp", f"{now!r} {self.token}", ex=86400)
        except redis.RedisError as exc:
            # the request is done and its answer good; the next slot will find Redis gone
            self.degraded = redis_reason(self.url, exc)
            log.warning("%s", self.degraded)


class _Stored(pydantic.BaseModel):
    """The JSON of one answer stored in Redis, as `_put_many` writes it."""

    status: CachedStatus
    record: ArxivRecord | None = None
    reason: str | None = None
    stored: float
    expires: float


class RedisRecordCache(RecordCache):
    """RecordCache's interface over Redis: the same expiries and failure-as-miss policy; each
    answer is one JSON value (`_Stored`) under its own key."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        url: str = "redis",
        prefix: str = "enrich:",
        cache_ttl: float = 86400.0,
        negative_ttl: float = 3600.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        # deliberately not RecordCache.__init__: there is no folder to open
        self.redis = client
        self.url = url
        self.path = Path(_safe_url(url))
        self.where = _safe_url(url)
        self.cache_ttl = cache_ttl
        self.negative_ttl = negative_ttl
        self.now = now
        self.degraded: str | None = None
        self._prefix = prefix + "rec:"
        self._versions = prefix + "version:"

    def get(self, arxiv_id: str) -> CachedAnswer | None:
        return self.get_many([arxiv_id]).get(arxiv_id)

    def get_many(self, ids: Iterable[str]) -> dict[str, CachedAnswer]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        try:
            raws = self.redis.mget([self._prefix + i for i in wanted])
        except redis.RedisError as exc:
            self._fail(exc)
            return {}
        self.degraded = None
        now = self.now()
        found: dict[str, CachedAnswer] = {}
        for arxiv_id, raw in zip(wanted, raws, strict=True):
            answer = self._decode(raw)
            if answer is not None and answer.expires > now:
                found[arxiv_id] = answer
        return found

    @staticmethod
    def _decode(raw: object) -> CachedAnswer | None:
        """A stored value, parsed and validated in one pass (pydantic's JSON reader straight into
        the record, not json.loads and then validation of the dict); None when it does not fit."""
        if not isinstance(raw, str | bytes):
            return None
        try:
            value = _Stored.model_validate_json(raw)
        except ValueError:  # pydantic.ValidationError too
            return None
        return CachedAnswer(value.status, value.record, value.reason, value.stored, value.expires)

    def get_versions(self, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], ArxivRecord]:
        """The stored records of single versions, by (id, version); absent ones are left out."""
        pairs = list(dict.fromkeys(wanted))
        if not pairs:
            return {}
        try:
            raws = self.redis.mget([f"{self._versions}{i}v{v}" for i, v in pairs])
        except redis.RedisError as exc:
            self._fail(exc)
            return {}
        found: dict[tuple[str, int], ArxivRecord] = {}
        for pair, raw in zip(pairs, raws, strict=True):
            answer = self._decode(raw)
            if answer is not None and answer.record is not None:
                found[pair] = answer.record
        return found

    def put_versions(self, records: Iterable[ArxivRecord]) -> None:
        """Store records of single versions without expiry (a version never changes)."""
        now = self.now()
        try:
            pipe = self.redis.pipeline(transaction=True)
            for r in records:
                value = {
                    "status": "found",
                    "record": r.model_dump(mode="json"),
                    "stored": now,
                    "expires": float("inf"),
                }
                pipe.set(f"{self._versions}{r.arxiv_id}v{r.latest_version}", json.dumps(value))
            pipe.execute()
        except redis.RedisError as exc:
            self._fail(exc)

    def _put_many(self, items: Sequence[PutItem], now: float, expires: float) -> None:
        """RecordCache.put_found/put_not_found/put_invalid store through here (cache.PutItem).
        Unlike the disk cache, a failure does not stop later writes: Redis may be back for the
        next one."""
        if not items or expires <= now:
            return
        try:
            ttl_ms = max(1, int((expires - now) * 1000))  # relative: `now` may be injected
            pipe = self.redis.pipeline(transaction=True)  # MULTI: a batch is stored whole
            for arxiv_id, status, record, reason in items:
                value = {
                    "status": status,
                    "record": None if record is None else json.loads(record),
                    "stored": now,
                    "expires": expires,
                }
                if reason is not None:
                    value["reason"] = reason
                pipe.set(self._prefix + arxiv_id, json.dumps(value), px=ttl_ms)
            pipe.execute()
        except redis.RedisError as exc:
            self._fail(exc)
            return
        self.degraded = None

    def _fail(self, exc: BaseException) -> None:
        reason = redis_reason(self.url, exc)
        if self.degraded != reason:
            log.warning("cache: %s", reason)
        self.degraded = reason

    def _keys(self, versions: bool = False) -> Iterator[str]:
        yield from self.redis.scan_iter(match=self._prefix + "*", count=1000)
        if versions:
            yield from self.redis.scan_iter(match=self._versions + "*", count=1000)

    def stats(self) -> CacheStats:
        positive = negative = expired = size = 0
        try:
            now = self.now()
            for key in self._keys():
                raw = self.redis.get(key)
                answer = self._decode(raw)
                if answer is None:
                    continue
                size += len(str(raw))
                if answer.expires <= now:
                    expired += 1
                elif answer.status == "found":
                    positive += 1
                else:
                    negative += 1
        except redis.RedisError as exc:
            raise CacheError(f"cache {self.where} cannot be read: {exc}") from exc
        return CacheStats(
            path=self.where,
            entries=positive + negative,
            positive=positive,
            negative=negative,
            expired=expired,
            size_bytes=size,
            degraded=self.degraded,
        )

    def clear(self) -> int:
        removed = 0
        try:
            batch: list[str] = []
            for key in self._keys(versions=True):
                batch.append(key)
                if len(batch) >= 1000:
                    removed += int(self.redis.delete(*batch))
                    batch = []
            if batch:
                removed += int(self.redis.delete(*batch))
        except redis.RedisError as exc:
            raise CacheError(f"cache {self.where} cannot be cleared: {exc}") from exc
        return removed

    def close(self) -> None:
        """The connection pool belongs to whoever made the client (backends.py)."""


class InflightQueue:
    """The ids everyone on one Redis is waiting for, and who is fetching which.

    `want(ids)` adds ids to `pending` (keeping the time they were first wanted); the budget's
    holder `claim(n)`s the n oldest (ids wanted longer ago than `stale` seconds are dropped first:
    their caller has given up), marks them in flight, and `done()`s them when their answers are in
    the cache, or `failed()`s them with a reason that the other waiters read with `failures()`.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "enrich:",
        lease: float = 120.0,
        stale: float = 600.0,
        failure_ttl: float = 30.0,
    ) -> None:
        self.redis = client
        self.lease = lease
        self.stale = stale
        self.failure_ttl = failure_ttl
        self._pending = prefix + "pending"
        self._flight = prefix + "flight:"
        self._unavail = prefix + "unavail:"

    def want(self, ids: Iterable[str]) -> None:
        wanted = list(ids)
        if not wanted:
            return
        flying = self.redis.mget([self._flight + i for i in wanted])
        wanted = [i for i, f in zip(wanted, flying, strict=True) if f is None]  # being fetched
        if wanted:
            now = _now(self.redis)
            self.redis.zadd(self._pending, dict.fromkeys(wanted, now), nx=True)

    def claim(self, count: int) -> list[str]:
        now = _now(self.redis)
        self.redis.zremrangebyscore(self._pending, "-inf", now - self.stale)
        popped = self.redis.zpopmin(self._pending, count)
        ids = [str(item[0]) for item in popped]
        if ids:
            pipe = self.redis.pipeline(transaction=False)
            for arxiv_id in ids:
                pipe.set(self._flight + arxiv_id, "1", px=int(self.lease * 1000))
                pipe.delete(self._unavail + arxiv_id)
            pipe.execute()
        return ids

    def pending(self, ids: Iterable[str]) -> set[str]:
        """Which of `ids` are still waiting in `pending` or in flight."""
        wanted = list(ids)
        if not wanted:
            return set()
        pipe = self.redis.pipeline(transaction=False)
        for arxiv_id in wanted:
            pipe.zscore(self._pending, arxiv_id)
            pipe.exists(self._flight + arxiv_id)
        answers = pipe.execute()
        return {
            arxiv_id
            for n, arxiv_id in enumerate(wanted)
            if answers[2 * n] is not None or answers[2 * n + 1]
        }

    def done(self, ids: Iterable[str]) -> None:
        keys = [self._flight + i for i in ids]
        if keys:
            self.redis.delete(*keys)

    def failed(self, reasons: dict[str, str]) -> None:
        if not reasons:
            return
        pipe = self.redis.pipeline(transaction=False)
        for arxiv_id, reason in reasons.items():
            pipe.set(self._unavail + arxiv_id, reason, px=int(self.failure_ttl * 1000))
            pipe.delete(self._flight + arxiv_id)
        pipe.execute()

    def failures(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(ids)
        if not wanted:
            return {}
        raws = self.redis.mget([self._unavail + i for i in wanted])
        return {i: str(r) for i, r in zip(wanted, raws, strict=True) if r is not None}

    def depth(self) -> int:
        return int(self.redis.zcard(self._pending))
