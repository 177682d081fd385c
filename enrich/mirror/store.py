"""The mirror's SQLite database (`mirror_path`): a row per paper, and what vouches for its age.

Tables:

* `papers`: one row per paper, keyed by canonical id (an index for batch look-ups): the latest
  version number, every version (JSON in the snapshot's shape, `[{"version": "v1", "created":
  "Mon, 2 Apr 2007 19:18:42 GMT", "size_kb": 37}]`, the size only from OAI-PMH), title, authors as
  written (one string) and split (JSON: names, or the snapshot's `[last, first, suffix]` lists as
  it gives them), categories (primary first), abstract, comments, journal-ref, DOI, licence,
  report-no, submitter, the record's datestamp (YYYY-MM-DD) and the `source` that last wrote or
  confirmed it. Text is kept as written (TeX, line folds); paper.py makes the API's record.
* `sources`: one row per import or sync run: its kind, what it read (file, set), when it started,
  `as_of` (the moment its data describes: a sync's start; for a snapshot, the start of the newest
  `update_date` day in it, since a weekly snapshot is older than the day it is imported), and when
  it completed (NULL while running or after a kill).
* `harvest`: per set spec ("" = everything), the sync in progress: its `from` day, the last
  resumption token and the last datestamp committed. Written in the same transaction as the page
  it follows, so a killed sync resumes at the next page, never re-counts one and never skips one.

Which row wins (older data never overwrites newer): rows are ordered by (datestamp, latest
version). An import writes a row only when strictly newer than the one held, so importing a file
twice changes nothing. A sync writes when not older: the server's answer is current, and a record
edited twice on one day keeps its datestamp.

Freshness (`fresh_at`): a row written by a sync is known to be current as of that sync's start.
A snapshot is taken for the whole of arXiv as of its newest `update_date` day: a row from an import
is current as of the newest complete import since (a paper a later snapshot left unchanged is
confirmed by it; an interrupted import is completed by importing again). Later, a *completed* sync
whose set covers the paper vouches for it from its own start when it listed every change from a
day no later than that (no gap between the two). Look-ups trust a row for `mirror_max_age` seconds
from then.

Opening creates the folder and the schema; a file that is not a mirror database raises
CacheError (the CLI reports it and exits 2). WAL mode: a run can read while a sync writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from enrich.errors import CacheError
from enrich.mirror.paper import MirrorPaper
from enrich.mirror.sets import set_covers

__all__ = ["HarvestState", "MirrorHit", "MirrorStats", "MirrorStore", "WriteCounts"]

SCHEMA_VERSION = 1
_COLUMNS = (
    "id, latest, versions, title, authors_raw, authors, categories, abstract, comments, "
    "journal_ref, doi, license, report_no, submitter, datestamp, source"
)
_PLACES = ", ".join("?" * 16)
_UPDATE = ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _COLUMNS.split(",")[1:])
_UPSERT = (
    f"INSERT INTO papers ({_COLUMNS}) VALUES ({_PLACES}) ON CONFLICT(id) DO UPDATE SET {_UPDATE} "
    "WHERE (excluded.datestamp, excluded.latest) {op} (papers.datestamp, papers.latest)"
)
UPSERT_IF_NEWER = _UPSERT.format(op=">")
UPSERT_IF_NOT_OLDER = _UPSERT.format(op=">=")
PAGE_SIZE = 16384  # rows are ~1.5 kB: fewer overflow pages, ~20% faster bulk writes than 4096
LOOKUP_CHUNK = 500  # ids per SELECT ... IN (...): under SQLite's variable limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, detail TEXT NOT NULL, set_spec TEXT NOT NULL,
    from_day TEXT, started REAL NOT NULL, as_of REAL NOT NULL, completed REAL,
    records INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY, latest INTEGER NOT NULL, versions TEXT NOT NULL, title TEXT NOT NULL,
    authors_raw TEXT NOT NULL, authors TEXT NOT NULL, categories TEXT NOT NULL,
    abstract TEXT NOT NULL, comments TEXT, journal_ref TEXT, doi TEXT, license TEXT,
    report_no TEXT, submitter TEXT, datestamp TEXT NOT NULL, source INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS harvest (
    set_spec TEXT PRIMARY KEY, source INTEGER NOT NULL, from_day TEXT, token TEXT,
    last_day TEXT, pages INTEGER NOT NULL DEFAULT 0, records INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0
);
"""


def paper_row(paper: MirrorPaper, source: int) -> tuple[Any, ...]:
    """The `papers` row of a paper (the column order of _COLUMNS)."""
    versions = [
        {"version": f"v{n}", "created": date} | ({"size_kb": size} if size is not None else {})
        for n, date, size in paper.versions
    ]
    return (
        paper.arxiv_id,
        paper.latest_version,
        orjson.dumps(versions).decode(),
        paper.title,
        paper.authors_raw,
        orjson.dumps(paper.authors).decode(),
        paper.categories,
        paper.abstract,
        paper.comments,
        paper.journal_ref,
        paper.doi,
        paper.license,
        paper.report_no,
        paper.submitter,
        paper.datestamp,
        source,
    )


def _name(item: str | list[str]) -> str:
    """A name as stored: a string (split by us), or the snapshot's [last, first, suffix]."""
    if isinstance(item, str):
        return item
    size = len(item)
    last = item[0] if size else ""
    first = item[1] if size > 1 else ""
    suffix = item[2] if size > 2 else ""
    name = f"{first} {last}" if first and last else first or last
    return f"{name} {suffix}" if suffix else name


def _paper(row: tuple[Any, ...]) -> MirrorPaper:
    versions = sorted(
        (int(str(v["version"]).lstrip("v")), str(v.get("created") or ""), v.get("size_kb"))
        for v in orjson.loads(row[2])
    )
    return MirrorPaper(
        arxiv_id=row[0],
        versions=versions,
        title=row[3],
        authors_raw=row[4],
        authors=[_name(item) for item in orjson.loads(row[5])],
        categories=row[6],
        abstract=row[7],
        comments=row[8],
        journal_ref=row[9],
        doi=row[10],
        license=row[11],
        report_no=row[12],
        submitter=row[13],
        datestamp=row[14],
    )


def day_start(day: str) -> float:
    """The POSIX time of 00:00 UTC on `day` (YYYY-MM-DD)."""
    return dt.datetime.fromisoformat(day[:10]).replace(tzinfo=dt.UTC).timestamp()


@dataclass(frozen=True, slots=True)
class WriteCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0  # held already, not newer (sync: confirmed as current)
    deleted: int = 0


@dataclass(frozen=True, slots=True)
class HarvestState:
    set_spec: str
    source: int
    from_day: str | None
    token: str | None
    last_day: str | None
    pages: int
    records: int
    added: int
    updated: int
    unchanged: int
    deleted: int


@dataclass(frozen=True, slots=True)
class MirrorHit:
    paper: MirrorPaper
    fresh_at: float  # POSIX time the row is known to have been current


@dataclass(frozen=True, slots=True)
class _Source:
    id: int
    kind: str
    set_spec: str
    from_day: str | None
    started: float
    as_of: float
    completed: float | None


@dataclass(frozen=True, slots=True)
class MirrorStats:
    """What `enrich mirror stats` prints."""

    path: str
    papers: int
    versions: int
    oldest_datestamp: str | None
    newest_datestamp: str | None
    last_sync: str | None  # ISO time the last completed sync started, and its set
    last_import: str | None
    sync_in_progress: str | None
    size_bytes: int


def _iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class MirrorStore:
    """The mirror database; see the module docstring. Use as a context manager or `close()`."""

    def __init__(self, path: Path | str, *, now: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.now = now
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # the service reads from worker threads: one connection, used under self._lock
            self.db = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            self.db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only takes on a new file
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self._check_version()
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"mirror {self.path} cannot be used: {exc}") from None
        self._sources: list[_Source] | None = None
        self._lock = threading.RLock()

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif row[0] != str(SCHEMA_VERSION):
            raise sqlite3.DatabaseError(f"schema version {row[0]}, expected {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> MirrorStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # -- sources -------------------------------------------------------------------------------

    def begin_source(
        self, kind: str, detail: str, *, set_spec: str = "", from_day: str | None = None
    ) -> int:
        now = self.now()
        cursor = self.db.execute(
            "INSERT INTO sources (kind, detail, set_spec, from_day, started, as_of) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (kind, detail, set_spec, from_day, now, now),
        )
        self._sources = None
        return int(cursor.lastrowid or 0)

    def finish_source(self, source: int, *, records: int, as_of: float | None = None) -> None:
        self.db.execute(
            "UPDATE sources SET completed = ?, records = ?, as_of = COALESCE(?, as_of) "
            "WHERE id = ?",
            (self.now(), records, as_of, source),
        )
        self._sources = None

    def _all_sources(self) -> list[_Source]:
        if self._sources is None:
            rows = self.db.execute(
                "SELECT id, kind, set_spec, from_day, started, as_of, completed FROM sources"
            ).fetchall()
            self._sources = [_Source(*row) for row in rows]
        return self._sources

    # -- writing -------------------------------------------------------------------------------

    def write_sync_page(
        self,
        papers: list[MirrorPaper],
        deleted: list[tuple[str, str]],
        source: int,
        state: HarvestState | None,
    ) -> WriteCounts:
        """One harvested page and the harvest's progress, in one transaction."""
        with self.transaction() as db:
            held: dict[str, tuple[Any, ...]] = {}
            ids = [p.arxiv_id for p in papers]
            for chunk in _chunks(ids, LOOKUP_CHUNK):
                marks = ",".join("?" * len(chunk))
                for row in db.execute(
                    f"SELECT {_COLUMNS} FROM papers WHERE id IN ({marks})",
                    chunk,
                ):
                    held[row[0]] = row[:-1]
            added = updated = unchanged = 0
            rows = []
            for paper in papers:
                row = paper_row(paper, source)
                old = held.get(paper.arxiv_id)
                if old is None:
                    added += 1
                elif (paper.datestamp, paper.latest_version) < (old[14], old[1]):
                    continue  # older than what is held (a replayed page): leave the row alone
                elif old == row[:-1]:
                    unchanged += 1
                else:
                    updated += 1
                rows.append(row)
            db.executemany(UPSERT_IF_NOT_OLDER, rows)
            removed = 0
            for arxiv_id, stamp in deleted:
                removed += db.execute(
                    "DELETE FROM papers WHERE id = ? AND datestamp <= ?", (arxiv_id, stamp)
                ).rowcount
            counts = WriteCounts(added, updated, unchanged, removed)
            if state is not None:
                db.execute(
                    "INSERT OR REPLACE INTO harvest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        state.set_spec,
                        state.source,
                        state.from_day,
                        state.token,
                        state.last_day,
                        state.pages,
                        state.records,
                        state.added + added,
                        state.updated + updated,
                        state.unchanged + unchanged,
                        state.deleted + removed,
                    ),
                )
        return counts

    def import_rows(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Write snapshot rows (paper_row shape) where strictly newer; how many were written."""
        with self.transaction() as db:
            before = db.total_changes
            db.executemany(UPSERT_IF_NEWER, rows)
            return db.total_changes - before

    # -- harvest state -------------------------------------------------------------------------

    def harvest_state(self, set_spec: str) -> HarvestState | None:
        row = self.db.execute("SELECT * FROM harvest WHERE set_spec = ?", (set_spec,)).fetchone()
        return HarvestState(*row) if row is not None else None

    def end_harvest(self, set_spec: str) -> None:
        self.db.execute("DELETE FROM harvest WHERE set_spec = ?", (set_spec,))

    def last_datestamp(self, set_spec: str = "") -> str | None:
        """The newest datestamp held (for a set: of a finished sync of that set, else overall)."""
        if set_spec:
            row = self.db.execute(
                "SELECT max(as_of) FROM sources WHERE kind = 'sync' AND set_spec = ? "
                "AND completed IS NOT NULL",
                (set_spec,),
            ).fetchone()
            if row is not None and row[0] is not None:
                return dt.datetime.fromtimestamp(row[0], dt.UTC).date().isoformat()
        row = self.db.execute("SELECT max(datestamp) FROM papers").fetchone()
        return row[0] if row is not None else None

    # -- reading -------------------------------------------------------------------------------

    def get_many(self, ids: Iterable[str]) -> dict[str, MirrorHit]:
        """The papers held among `ids`, with the time each is known to have been current."""
        with self._lock:
            return self._get_many(list(ids))

    def _get_many(self, ids: list[str]) -> dict[str, MirrorHit]:
        out: dict[str, MirrorHit] = {}
        sources = {s.id: s for s in self._all_sources()}
        done = sorted((s for s in sources.values() if s.completed is not None), key=_started)
        syncs = [s for s in done if s.kind == "sync"]
        imports = [s for s in done if s.kind == "import"]
        for chunk in _chunks(ids, LOOKUP_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM papers WHERE id IN ({marks})",
                chunk,
            ).fetchall()
            for row in rows:
                paper = _paper(row)
                fresh = _fresh_at(sources.get(row[15]), syncs, imports, paper)
                out[paper.arxiv_id] = MirrorHit(paper, fresh)
        return out

    def stats(self) -> MirrorStats:
        papers, versions = self.db.execute(
            "SELECT count(*), coalesce(sum(latest), 0) FROM papers"
        ).fetchone()
        oldest, newest = self.db.execute(
            "SELECT min(datestamp), max(datestamp) FROM papers"
        ).fetchone()
        last_sync = self.db.execute(
            "SELECT started, set_spec FROM sources WHERE kind = 'sync' AND completed IS NOT NULL "
            "ORDER BY started DESC LIMIT 1"
        ).fetchone()
        last_import = self.db.execute(
            "SELECT completed, detail, as_of FROM sources WHERE kind = 'import' "
            "AND completed IS NOT NULL ORDER BY completed DESC LIMIT 1"
        ).fetchone()
        running = self.db.execute(
            "SELECT set_spec, last_day, pages, records FROM harvest LIMIT 1"
        ).fetchone()
        size = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )
        return MirrorStats(
            path=str(self.path),
            papers=int(papers),
            versions=int(versions),
            oldest_datestamp=oldest,
            newest_datestamp=newest,
            last_sync=(
                f"{_iso(last_sync[0])} (set {last_sync[1] or 'all'})" if last_sync else None
            ),
            last_import=(
                f"{_iso(last_import[0])} from {last_import[1]} (data as of {_iso(last_import[2])})"
                if last_import
                else None
            ),
            sync_in_progress=(
                f"set {running[0] or 'all'}: {running[2]} pages, {running[3]} records, "
                f"up to {running[1]}"
                if running
                else None
            ),
            size_bytes=size,
        )


def _fresh_at(
    source: _Source | None, syncs: list[_Source], imports: list[_Source], paper: MirrorPaper
) -> float:
    """When the row is known to have been current: see the module docstring."""
    if source is None:
        return 0.0
    if source.kind == "import":  # a snapshot is all of arXiv: a later complete one confirms it
        fresh = max((i.as_of for i in imports if i.id >= source.id), default=0.0)
    else:
        fresh = source.as_of
    for sync in syncs:  # complete syncs, oldest first: each may vouch from where the last left
        if sync.started <= fresh:
            continue
        gapless = sync.from_day is None or day_start(sync.from_day) <= fresh
        if gapless and set_covers(sync.set_spec, paper.categories.split()):
            fresh = sync.started
    return fresh


def _started(source: _Source) -> float:
    return source.started


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
