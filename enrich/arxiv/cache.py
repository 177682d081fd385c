"""The on-disk cache of arXiv answers: a small SQLite table of our own in `settings.cache_dir`
(file `cache.db`, WAL mode), shared by processes and threads.

What is stored, per canonical id (table `answers`: one row per id, the record as pydantic's JSON,
so a model change can never unpickle garbage: a row that no longer validates is a miss):

* `found` with the ArxivRecord: expires at min(now + cache_ttl, the next arXiv announcement).
  Answers change only when arXiv announces (20:00 America/New_York, Sunday to Thursday), so a
  record fetched at 19:59 must not outlive 20:00.
* `not_found` (asked twice, never returned) and `invalid` (arXiv's 400 message): negative answers,
  expire after negative_ttl.
* `unavailable` is never stored: it is a failure, not an answer.
* one version's own metadata (table `versions`, by id and version, asked as `IDvN` by
  enrich/versions.py): never expires, since a version, once announced, never changes.

Expiry is decided on read against the injectable `now` (the absolute deadline is in the row);
rows dead for a day are culled a few at a time when answers are stored.

Reading is made for batches: `get_many` asks one `SELECT ... WHERE id IN (...)` per chunk of ids
(under SQLite's limit on variables), each row's record read by pydantic straight from its JSON,
taken as the row's UTF-8 bytes (CAST AS BLOB): pydantic reads bytes about a third faster than a
str it must encode again, and a record whose bytes are not UTF-8 is a miss, not a failed read.

A cache folder written by an older version (diskcache's `Cache` table in the same `cache.db`) is
not read: its entries are misses and are fetched again; `clear` drops that old table.

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
import logging
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from enrich.errors import CacheCorrupted, CacheError
from enrich.models import ArxivRecord, record_json
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

_FILE = "cache.db"
_NEW_YORK = ZoneInfo("America/New_York")
_ANNOUNCE_HOUR = 20
_ANNOUNCE_DAYS = {6, 0, 1, 2, 3}  # Sunday..Thursday (Monday is 0)
_ERRORS = (sqlite3.Error, OSError)
_CHUNK = 500  # ids per query: well under SQLite's limit on variables (999 before 3.32)
_CULL = 100  # expired rows removed per write
_CULL_AFTER = 86400.0  # a row is culled a day after it expired (stats still see it expire)

_SCHEMA_VERSION = 2  # PRAGMA user_version; tables of another layout are dropped and made anew
# (1: with comparison keys beside the records, measured and removed)
_SCHEMA = (
    "DROP TABLE IF EXISTS answers",
    "DROP TABLE IF EXISTS versions",
    # answers: `record` is the ArxivRecord's JSON (found only)
    """CREATE TABLE answers (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        record TEXT,
        reason TEXT,
        stored REAL NOT NULL,
        expires REAL NOT NULL
    )""",
    "CREATE INDEX answers_expires ON answers (expires)",
    """CREATE TABLE versions (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        record TEXT NOT NULL,
        stored REAL NOT NULL,
        PRIMARY KEY (id, version)
    )""",
    f"PRAGMA user_version = {_SCHEMA_VERSION}",
)

CachedStatus = Literal["found", "not_found", "invalid"]
# what put_found / put_not_found / put_invalid hand to _put_many: id, status, record JSON, reason
PutItem = tuple[str, str, str | None, str | None]
_STATUSES = frozenset(CachedStatus.__args__)  # type: ignore[attr-defined]


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
    # the record's JSON as read (UTF-8 bytes; validating it gave `record`), for a caller that
    # would otherwise serialise the record again; None when the store does not keep it
    raw: bytes | None = field(default=None, repr=False, compare=False)


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


def decode_records(raws: Sequence[object]) -> list[ArxivRecord | None]:
    """Stored record JSON (UTF-8 bytes or text) validated by pydantic's JSON reader straight into
    the model (not json.loads and then validation of a dict); one that does not validate
    (garbage, bytes that are not UTF-8, an older model) is None. (One JSON array of the batch
    through a TypeAdapter is ~40 % slower.)"""
    return [_one_record(raw) for raw in raws]


def _one_record(data: object) -> ArxivRecord | None:
    if not isinstance(data, (bytes, str)):
        return None
    try:
        return ArxivRecord.model_validate_json(data)
    except ValueError:
        return None


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
        # the pipeline may read from a worker thread: one connection, used under this lock
        self._lock = threading.Lock()
        try:
            self._db: sqlite3.Connection | None = _open(self.path, timeout)
        except _ERRORS as exc:
            if (self.path / _FILE).is_file() and not _writable(self.path):
                self._db = _open_read_only(self.path)  # CacheError if it cannot be read either
                self.read_only = True
            elif type(exc) is sqlite3.DatabaseError:  # not locked, not read-only: damaged
                raise CacheCorrupted(f"cache {self.path} cannot be used: {exc}") from exc
            else:
                raise CacheError(f"cache {self.path} cannot be used: {exc}") from exc

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[Any]:
        if self._db is None:
            raise sqlite3.ProgrammingError("the cache is closed")
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- reading -------------------------------------------------------------------------------

    def get(self, arxiv_id: str) -> CachedAnswer | None:
        """The live answer stored for `arxiv_id`, or None (absent, expired, unreadable)."""
        return self.get_many([arxiv_id]).get(arxiv_id)

    def get_many(self, ids: Iterable[str]) -> dict[str, CachedAnswer]:
        """The live answers stored for `ids` (absent, expired and unreadable ones left out): one
        query per chunk of ids, the rows decoded in one loop (decode_records)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, CachedAnswer] = {}
        for start in range(0, len(wanted), _CHUNK):
            if self.degraded:
                break
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT id, status, CAST(record AS BLOB), reason, stored, expires"
                " FROM answers"
                f" WHERE id IN ({marks}) AND expires > ?"
            )
            try:
                rows = self._query(sql, [*chunk, self.now()])
            except _ERRORS as exc:
                self._degrade(exc)
                break
            found.update(self._answers(rows))
        return found

    @staticmethod
    def _answers(rows: list[Any]) -> Iterator[tuple[str, CachedAnswer]]:
        positive = [row for row in rows if row[1] == "found"]
        records = decode_records([row[2] for row in positive])
        for row, record in zip(positive, records, strict=True):
            arxiv_id, _, _, _, stored, expires = row
            if record is not None and record.arxiv_id == arxiv_id:
                yield arxiv_id, CachedAnswer("found", record, None, stored, expires, row[2])
        for arxiv_id, status, _, reason, stored, expires in rows:
            if status != "found" and status in _STATUSES:
                negative = cast(CachedStatus, status)
                yield arxiv_id, CachedAnswer(negative, None, reason, stored, expires)

    def get_versions(self, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], ArxivRecord]:
        """The stored records of single versions, by (id, version); absent ones are left out."""
        pairs = list(dict.fromkeys(wanted))
        found: dict[tuple[str, int], ArxivRecord] = {}
        ids = list(dict.fromkeys(arxiv_id for arxiv_id, _ in pairs))
        asked = set(pairs)
        for start in range(0, len(ids), _CHUNK):
            if self.degraded:
                break
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, version, CAST(record AS BLOB) FROM versions WHERE id IN ({marks})"
            try:
                rows = [row for row in self._query(sql, chunk) if (row[0], row[1]) in asked]
            except _ERRORS as exc:
                self._degrade(exc)
                break
            records = decode_records([row[2] for row in rows])
            for (arxiv_id, version, _), record in zip(rows, records, strict=True):
                if record is not None:
                    found[(arxiv_id, version)] = record
        return found

    # -- writing -------------------------------------------------------------------------------

    def put_versions(self, records: Iterable[ArxivRecord]) -> None:
        """Store records of single versions (`latest_version` is the version), without expiry."""
        if self.degraded or self.read_only:
            return
        now = self.now()
        rows = [(r.arxiv_id, r.latest_version, r.model_dump_json(), now) for r in records]
        self._write("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?)", rows, now)

    def put_found(self, records: Iterable[ArxivRecord]) -> dict[str, bytes]:
        """Store records as soon as they arrive (a killed run keeps what it fetched). Gives each
        record's JSON by id, the bytes stored: a caller passing the records on (the look-up
        process) need not make it again."""
        now = self.now()
        expires = positive_expiry(now, self.cache_ttl)
        dumped = {r.arxiv_id: record_json(r) for r in records}  # model_dump_json's, undecoded
        items = [(arxiv_id, "found", data.decode(), None) for arxiv_id, data in dumped.items()]
        self._put_many(items, now, expires)
        return dumped

    def put_not_found(self, ids: Iterable[str]) -> None:
        now = self.now()
        items = [(i, "not_found", None, None) for i in ids]
        self._put_many(items, now, now + self.negative_ttl)

    def put_invalid(self, arxiv_id: str, reason: str) -> None:
        now = self.now()
        self._put_many([(arxiv_id, "invalid", None, reason)], now, now + self.negative_ttl)

    def _put_many(self, items: Sequence[PutItem], now: float, expires: float) -> None:
        """Store (id, status, the record's JSON, reason) items, all expiring at `expires`."""
        if self.degraded or self.read_only or not items or expires <= now:
            return
        rows = [(*item, now, expires) for item in items]
        self._write("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)", rows, now)

    def _write(self, sql: str, rows: list[tuple[Any, ...]], now: float) -> None:
        """One transaction per batch: all or nothing; a few long-dead answers culled with it."""
        if not rows or self._db is None:
            return
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(sql, rows)
                    self._db.execute(
                        "DELETE FROM answers WHERE rowid IN"
                        " (SELECT rowid FROM answers WHERE expires <= ? LIMIT ?)",
                        (now - _CULL_AFTER, _CULL),
                    )
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except _ERRORS as exc:
            self._degrade(exc)

    def _degrade(self, exc: BaseException) -> None:
        self.degraded = f"{type(exc).__name__}: {exc}"
        log.warning("cache %s failed (%s); continuing without it", self.path, self.degraded)

    # -- housekeeping --------------------------------------------------------------------------

    def stats(self) -> CacheStats:
        try:
            now = self.now()
            ((positive, negative, expired),) = self._query(
                "SELECT coalesce(sum(expires > ? AND status = 'found'), 0),"
                " coalesce(sum(expires > ? AND status != 'found'), 0),"
                " coalesce(sum(expires <= ?), 0) FROM answers",
                (now, now, now),
            )
            ((pages,),) = self._query("PRAGMA page_count")
            ((page_size,),) = self._query("PRAGMA page_size")
        except _ERRORS as exc:
            raise CacheError(f"cache {self.path} cannot be read: {exc}") from exc
        return CacheStats(
            path=str(self.path),
            entries=positive + negative,
            positive=positive,
            negative=negative,
            expired=expired,
            size_bytes=pages * page_size,
            degraded=self.degraded,
            read_only=self.read_only or None,
        )

    def clear(self) -> int:
        """Remove every stored answer and version record (and an older version's diskcache
        table); returns how many entries were removed."""
        if self.read_only or self._db is None:
            raise CacheError(f"cache {self.path} cannot be cleared: the cache folder is read-only")
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    removed = self._db.execute("DELETE FROM answers").rowcount
                    removed += self._db.execute("DELETE FROM versions").rowcount
                    for table in ("Cache", "Settings"):  # diskcache's, from an older version
                        self._db.execute(f"DROP TABLE IF EXISTS {table}")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except _ERRORS as exc:
            raise CacheError(f"cache {self.path} cannot be cleared: {exc}") from exc
        return int(removed)

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(*_ERRORS):  # closing a broken cache must not hide the error
                db.close()

    def __enter__(self) -> RecordCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _open(folder: Path, timeout: float) -> sqlite3.Connection:
    """The cache's database, made if need be; fails fast on a locked or corrupted one."""
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        folder / _FILE, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    try:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode=WAL")  # readers and one writer at a time
        db.execute("PRAGMA synchronous=NORMAL")  # durable enough for a cache, and fast
        db.execute("BEGIN IMMEDIATE")  # needs the write lock: busy past `timeout` = locked
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
                for statement in _SCHEMA:  # a new file, or another layout: made anew
                    db.execute(statement)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except BaseException:
        db.close()
        raise
    return db


def remove_damaged(folder: Path) -> list[Path]:
    """Remove a damaged cache database (CacheCorrupted) and its journal files from `folder`:
    what `enrich cache clear` does when the cache cannot be opened. Returns what it removed."""
    removed = []
    for name in (_FILE, f"{_FILE}-wal", f"{_FILE}-shm", f"{_FILE}-journal"):
        path = folder / name
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK) and os.access(folder / _FILE, os.W_OK)


def _open_read_only(folder: Path) -> sqlite3.Connection:
    """The table read through a read-only SQLite connection, for a folder that cannot be written
    (a WAL database needs to write beside it to be opened normally)."""
    uri = "file:" + urllib.parse.quote(str(folder / _FILE)) + "?mode=ro"
    error: sqlite3.Error | None = None
    for extra in ("", "&immutable=1"):  # immutable: no -shm/-wal can be made beside it
        try:
            db = sqlite3.connect(uri + extra, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            error = exc
            continue
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
                raise sqlite3.DatabaseError("it holds no cache of this version")
        except sqlite3.Error as exc:
            error = exc
            db.close()
            continue
        return db
    raise CacheError(f"cache {folder} is read-only and cannot be read: {error}")


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
