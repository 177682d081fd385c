"""Which budget, cache and look-up source a run uses: the embedded default, Redis, or a server.

* no `redis_url`, no `server`: `Limiter` (file lock + stamp in cache_dir) and `RecordCache`
  (a SQLite table in cache_dir), the embedded default;
* `redis_url`: `RedisLimiter`, `RedisRecordCache` and the shared queue (`SharedLookup`), so every
  process and machine pointing at that Redis shares one budget, one cache and one queue;
* `server`: the look-ups go to a running `enrich serve` (enrich/serve/remote.py).

Whichever it is, a local mirror (`mirror_path`, when the file exists) answers first; and the
embedded default's client may run in a process of its own (`lookup_process`, see
wants_lookup_process).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from enrich.arxiv.cache import RecordCache, open_cache
from enrich.settings import Settings

if TYPE_CHECKING:
    import redis

    from enrich.arxiv.limiter import Early

__all__ = [
    "PROCESS_AFTER_BYTES",
    "Budget",
    "input_size",
    "make_limiter",
    "open_lookup_source",
    "open_record_cache",
    "redis_for",
    "wants_lookup_process",
]

PROCESS_AFTER_BYTES = 1 << 20  # input size past which `lookup_process = "auto"` looks up apart


class Budget(Protocol):
    """What ArxivClient needs of a limiter (limiter.Limiter and redis_store.RedisLimiter fit)."""

    seconds_waiting: float
    degraded: str | None

    def slot(
        self, ready: Callable[[], bool] | None = None, early: Early | None = None
    ) -> AbstractContextManager[bool]:
        """Hold the request slot; yields False (no wait, no stamp) when `ready()`, called once
        the slot is held, says there is nothing left to send. `early.run()` is called
        `early.lead` seconds before the wait for the gap ends (limiter.wait_out)."""
        ...

    def end_request(self) -> None:
        """Inside `slot()`: the request is over (answer read, connection closed); the gap runs
        from now, while the holder may keep the slot to store the answer."""
        ...

    def hold_off(self, seconds: float) -> None: ...

    def close(self) -> None: ...


_CLIENTS: dict[str, redis.Redis] = {}


def redis_for(settings: Settings) -> redis.Redis:
    """One Redis client (connection pool) per URL in this process."""
    from enrich.arxiv.redis_store import connect

    client = _CLIENTS.get(settings.redis_url)
    if client is None:
        client = _CLIENTS[settings.redis_url] = connect(settings.redis_url)
    return client


def make_limiter(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Budget:
    if settings.redis_url:
        from enrich.arxiv.redis_store import RedisLimiter

        return RedisLimiter(
            redis_for(settings),
            settings.min_interval,
            url=settings.redis_url,
            prefix=settings.redis_prefix,
            lease=lease_for(settings),
            clock=clock,
            sleep=sleep,
        )
    from enrich.arxiv.limiter import Limiter

    return Limiter(
        settings.cache_dir,
        settings.min_interval,
        clock=clock,
        sleep=sleep,
        backoff_max=settings.backoff_max,
    )


def lease_for(settings: Settings) -> float:
    """How long a holder of the Redis budget may go silent before the others take over: one
    request with its timeout, plus the gap, with room to spare (renewed before every request)."""
    return max(30.0, 2 * settings.timeout + settings.min_interval)


def open_record_cache(settings: Settings, *, now: Callable[[], float] = time.time) -> RecordCache:
    """The cache the settings ask for; CacheError when the disk cache cannot be opened."""
    if settings.redis_url:
        from enrich.arxiv.redis_store import RedisRecordCache

        return RedisRecordCache(
            redis_for(settings),
            url=settings.redis_url,
            prefix=settings.redis_prefix,
            cache_ttl=settings.cache_ttl,
            negative_ttl=settings.negative_ttl,
            now=now,
        )
    return open_cache(settings, now=now)


def open_lookup_source(settings: Settings, *, process: bool = False) -> Any:
    """The pipeline's (and the service's) LookupSource for these settings (see the module
    docstring), behind the local mirror when one exists (enrich/mirror/lookup.py). `process`:
    the embedded default's client runs in a process of its own (enrich/arxiv/process.py)."""
    from enrich.mirror.lookup import open_mirror_first

    return open_mirror_first(_remote_source(settings, process), settings)


def wants_lookup_process(settings: Settings, paths: Iterable[str | Path] | None) -> bool:
    """Does a run over `paths` look up in a process of its own (setting `lookup_process`,
    enrich/arxiv/process.py)? "on" and "off" say so; auto: on a POSIX machine with two cores or
    more, for an input known to be past PROCESS_AFTER_BYTES (`paths` None: not known), when
    requests may be sent (not offline)."""
    choice = settings.lookup_process
    if choice != "auto":
        return choice == "on"
    if settings.offline or paths is None or os.name != "posix":
        return False
    from enrich.workers import cpu_count

    size = input_size(paths)
    return size is not None and size > PROCESS_AFTER_BYTES and cpu_count() >= 2


def input_size(paths: Iterable[str | Path]) -> int | None:
    """The bytes of the input files (those in folders too), None when one is standard input;
    counting stops past PROCESS_AFTER_BYTES, all that is asked of it. A path that is not there
    counts nothing (the run itself says so)."""
    total = 0
    for path in paths:
        if str(path) == "-":
            return None
        if not Path(path).is_dir():
            with contextlib.suppress(OSError):
                total += Path(path).stat().st_size
            continue
        for folder, _dirs, files in os.walk(path):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.stat(os.path.join(folder, name)).st_size
                if total > PROCESS_AFTER_BYTES:
                    return total
    return total


def _remote_source(settings: Settings, process: bool = False) -> Any:
    if settings.server:
        from enrich.serve.remote import ServerSource

        return ServerSource(settings)
    if settings.redis_url:
        from enrich.arxiv.shared import SharedLookup

        return SharedLookup(settings)
    if process:
        from enrich.arxiv.process import ProcessClient

        return ProcessClient(settings)
    from enrich.arxiv.client import ArxivClient

    return ArxivClient(settings)
