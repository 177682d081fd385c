"""The on-disk cache of arXiv answers (diskcache in `settings.cache_dir`), shared by processes.

What is stored, per canonical id (key `arxiv/v1/<id>`, value a JSON string, so a model change can
never unpickle garbage: an entry that no longer validates is a miss):

* `found` with the ArxivRecord: expires at min(now + cache_ttl, the next arXiv announcement).
  Answers change only when arXiv announces (20:00 America/New_York, Sunday to Thursday), so a
  record fetched at 19:59 must not outlive 20:00.
* `not_found` (asked twice, never returned) and `invalid` (arXiv's 400 message): negative answers,
  expire after negative_ttl.
* `unavailable` is never stored: it is a failure, not an answer.
* one version's own metadata (key `arxiv/version/v1/<id>v<N>`, asked as `IDvN` by
  enrich/versions.py): never expires, since a version, once announced, never changes.

Expiry is decided on read against the injectable `now` (the absolute deadline is in the value);
diskcache's own `expire` is set too, so dead entries are culled.

A cache folder that cannot be written (a read-only file system or permissions) but holds a cache
is still read, through a read-only SQLite connection: `read_only` is True, new answers are not
stored, and the client says so in its note.

Failure policy: a cache folder that cannot be opened (corrupted database, a file where the folder
should be, no permission, a database locked for longer than `timeout` seconds) raises CacheError
from `open_cache`, so the caller can run without a cache. Once open, an error on read or write
does not stop a run: the cache marks itself `degraded` (the reason is kept, a warning logged),
answers every further read with a miss and drops every further write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import diskcache
import pydantic

from enrich.errors import CacheError
from enrich.models import ArxivRecord
from enrich.settings import Settings

__all__ = [
    "CacheStats",
    "CachedAnswer",
    "RecordCache",
    "next_announcement",
    "open_cache",
    "positive_expiry",
]

log = logging.getLogger(__name__)

_PREFIX = "arxiv/v1/"
_VERSION_PREFIX = "arxiv/version/v1/"
_NEW_YORK = ZoneInfo("America/New_York")
_ANNOUNCE_HOUR = 20
_ANNOUNCE_DAYS = {6, 0, 1, 2, 3}  # Sunday..Thursday (Monday is 0)
_ERRORS = (sqlite3.Error, OSError)

CachedStatus = Literal["found", "not_found", "invalid"]


def next_announcement(now: float) -> float:
    """The next arXiv announcement strictly after `now` (a POSIX time): 20:00 New York, Sun-Thu."""
    local = dt.datetime.fromtimestamp(now, _NEW_YORK)
    day = local.date()
    for offset in range(8):
        candidate_day = day + dt.timedelta(days=offset)
        if candidate_day.weekday() not in _ANNOUNCE_DAYS:
            continue
        candidate = dt.datetime.combine(candidate_day, dt.time(_ANNOUNCE_HOUR), tzinfo=_NEW_YORK)
        stamp = candidate.timestamp()
        if stamp > now:
            return stamp
    raise AssertionError("unreachable: an announcement day comes within a week")


def positive_expiry(now: float, ttl: float) -> float:
    """When a record fetched at `now` expires: after `ttl` or at the next announcement."""
    return min(now + ttl, next_announcement(now))


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    status: CachedStatus
    record: ArxivRecord | None
    reason: str | None
    stored: float
    expires: float


class _Stored(pydantic.BaseModel):
    """The JSON of one stored answer, as `_put_many` writes it."""

    status: CachedStatus
    record: ArxivRecord | None = None
    reason: str | None = None
    stored: float
    expires: float


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What `enrich cache stats` prints."""

    path: str
    entries: int
    positive: int
    negative: int
    expired: int
    size_bytes: int
    degraded: str | None = None
    read_only: bool | None = None  # True when the folder cannot be written (None otherwise)


class RecordCache:
    """ArxivRecords and negative answers by canonical id. See the module docstring for policy."""

    def __init__(
        self,
        path: Path | str,
        *,
        cache_ttl: float = 86400.0,
        negative_ttl: float = 3600.0,
        now: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self.cache_ttl = cache_ttl
        self.negative_ttl = negative_ttl
        self.now = now
        self.degraded: str | None = None
        self.read_only = False
        try:
            _probe(self.path, timeout)
            self._cache: Any = diskcache.Cache(str(self.path), timeout=timeout)
            self._cache.get(_PREFIX + "probe")  # a corrupted database fails here, not later
        except _ERRORS as exc:
            if (self.path / "cache.db").is_file() and not _writable(self.path):
                self._cache = _ReadOnlyStore(self.path)  # CacheError if it cannot be read either
                self.read_only = True
            else:
                raise CacheError(f"cache {self.path} cannot be used: {exc}") from exc

    # -- reading -------------------------------------------------------------------------------

    def get(self, arxiv_id: str) -> CachedAnswer | None:
        """The live answer stored for `arxiv_id`, or None (absent, expired, unreadable)."""
        if self.degraded:
            return None
        try:
            raw = self._cache.get(_PREFIX + arxiv_id)
        except _ERRORS as exc:
            self._degrade(exc)
            return None
        answer = self._decode(raw)
        if answer is None or answer.expires <= self.now():
            return None
        return answer

    def get_many(self, ids: Iterable[str]) -> dict[str, CachedAnswer]:
        found = {}
        for arxiv_id in ids:
            answer = self.get(arxiv_id)
            if answer is not None:
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
        except (ValueError, pydantic.ValidationError):
            return None
        return CachedAnswer(value.status, value.record, value.reason, value.stored, value.expires)

    def get_versions(self, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], ArxivRecord]:
        """The stored records of single versions, by (id, version); absent ones are left out."""
        found: dict[tuple[str, int], ArxivRecord] = {}
        for arxiv_id, version in wanted:
            if self.degraded:
                break
            try:
                raw = self._cache.get(f"{_VERSION_PREFIX}{arxiv_id}v{version}")
            except _ERRORS as exc:
                self._degrade(exc)
                break
            answer = self._decode(raw)
            if answer is not None and answer.record is not None:
                found[(arxiv_id, version)] = answer.record
        return found

    # -- writing -------------------------------------------------------------------------------

    def put_versions(self, records: Iterable[ArxivRecord]) -> None:
        """Store records of single versions (`latest_version` is the version), without expiry."""
        if self.degraded:
            return
        now = self.now()
        try:
            with self._cache.transact():
                for r in records:
                    value = {
                        "status": "found",
                        "record": r.model_dump(mode="json"),
                        "stored": now,
                        "expires": float("inf"),
                    }
                    key = f"{_VERSION_PREFIX}{r.arxiv_id}v{r.latest_version}"
                    self._cache.set(key, json.dumps(value))
        except _ERRORS as exc:
            self._degrade(exc)

    def put_found(self, records: Iterable[ArxivRecord]) -> None:
        """Store records as soon as they arrive (a killed run keeps what it fetched)."""
        now = self.now()
        expires = positive_expiry(now, self.cache_ttl)
        items = [
            (r.arxiv_id, {"status": "found", "record": r.model_dump(mode="json")}) for r in records
        ]
        self._put_many(items, now, expires)

    def put_not_found(self, ids: Iterable[str]) -> None:
        now = self.now()
        items = [(i, {"status": "not_found", "record": None}) for i in ids]
        self._put_many(items, now, now + self.negative_ttl)

    def put_invalid(self, arxiv_id: str, reason: str) -> None:
        now = self.now()
        item = {"status": "invalid", "record": None, "reason": reason}
        self._put_many([(arxiv_id, item)], now, now + self.negative_ttl)

    def _put_many(
        self, items: list[tuple[str, dict[str, Any]]], now: float, expires: float
    ) -> None:
        if self.degraded or not items or expires <= now:
            return
        try:
            with self._cache.transact():  # one sqlite transaction per batch: all or nothing
                for arxiv_id, value in items:
                    value.update(stored=now, expires=expires)
                    self._cache.set(_PREFIX + arxiv_id, json.dumps(value), expire=expires - now)
        except _ERRORS as exc:
            self._degrade(exc)

    def _degrade(self, exc: BaseException) -> None:
        self.degraded = f"{type(exc).__name__}: {exc}"
        log.warning("cache %s failed (%s); continuing without it", self.path, self.degraded)

    # -- housekeeping --------------------------------------------------------------------------

    def stats(self) -> CacheStats:
        positive = negative = expired = 0
        try:
            now = self.now()
            for key in self._cache.iterkeys():
                if not isinstance(key, str) or not key.startswith(_PREFIX):
                    continue
                answer = self._decode(self._cache.get(key))
                if answer is None:
                    continue
                if answer.expires <= now:
                    expired += 1
                elif answer.status == "found":
                    positive += 1
                else:
                    negative += 1
            size = int(self._cache.volume())
        except _ERRORS as exc:
            raise CacheError(f"cache {self.path} cannot be read: {exc}") from exc
        return CacheStats(
            path=str(self.path),
            entries=positive + negative,
            positive=positive,
            negative=negative,
            expired=expired,
            size_bytes=size,
            degraded=self.degraded,
            read_only=self.read_only or None,
        )

    def clear(self) -> int:
        """Remove every stored answer; returns how many entries were removed."""
        try:
            return int(self._cache.clear())
        except _ERRORS as exc:
            raise CacheError(f"cache {self.path} cannot be cleared: {exc}") from exc

    def close(self) -> None:
        with contextlib.suppress(*_ERRORS):  # closing a broken cache must not hide the real error
            self._cache.close()

    def __enter__(self) -> RecordCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK) and os.access(folder / "cache.db", os.W_OK)


class _ReadOnlyStore:
    """diskcache's table read through a read-only SQLite connection, for a folder that cannot
    be written (diskcache itself needs to write to open it). Writes are dropped."""

    def __init__(self, folder: Path) -> None:
        uri = "file:" + urllib.parse.quote(str(folder / "cache.db")) + "?mode=ro"
        self._disk = diskcache.Disk(str(folder))
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        error: sqlite3.Error | None = None
        for extra in ("", "&immutable=1"):  # immutable: no -shm/-wal can be made beside it
            try:
                # the pipeline may read from a worker thread: one connection, used under a lock
                db = sqlite3.connect(uri + extra, uri=True, check_same_thread=False)
            except sqlite3.Error as exc:
                error = exc
                continue
            try:
                db.execute("SELECT count(*) FROM Cache").fetchone()
            except sqlite3.Error as exc:
                error = exc
                db.close()
                continue
            self._db = db
            return
        raise CacheError(f"cache {folder} is read-only and cannot be read: {error}")

    def _rows(self, sql: str, *args: object) -> list[Any]:
        assert self._db is not None
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def get(self, key: str, default: object = None) -> object:
        rows = self._rows("SELECT mode, filename, value FROM Cache WHERE key = ? AND raw = 1", key)
        if not rows:
            return default
        mode, filename, value = rows[0]
        return self._disk.fetch(mode, filename, value, False)

    def iterkeys(self) -> Iterable[Any]:
        return [row[0] for row in self._rows("SELECT key FROM Cache ORDER BY rowid")]

    def volume(self) -> int:
        pages = self._rows("PRAGMA page_count")[0][0] * self._rows("PRAGMA page_size")[0][0]
        return int(pages + (self._rows("SELECT COALESCE(SUM(size), 0) FROM Cache")[0][0] or 0))

    def transact(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def set(self, *args: object, **kwargs: object) -> None:
        """Dropped: the folder cannot be written (RecordCache.read_only says so)."""

    def clear(self) -> int:
        raise sqlite3.OperationalError("the cache folder is read-only")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _probe(folder: Path, timeout: float) -> None:
    """Fail fast on a locked or corrupted database: diskcache itself retries for 60 s on open."""
    database = folder / "cache.db"
    if not database.exists():
        return
    connection = sqlite3.connect(database, timeout=timeout, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # needs the write lock: busy past `timeout` = locked
        connection.execute("ROLLBACK")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


def open_cache(
    settings: Settings, *, now: Callable[[], float] = time.time, timeout: float = 10.0
) -> RecordCache:
    """Open the cache in `settings.cache_dir`; raises CacheError when the folder is unusable."""
    return RecordCache(
        settings.cache_dir,
        cache_ttl=settings.cache_ttl,
        negative_ttl=settings.negative_ttl,
        now=now,
        timeout=timeout,
    )
