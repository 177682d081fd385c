"""`enrich mirror import FILE`: the arXiv metadata snapshot (JSON lines, plain or gzip) -> mirror.

The snapshot's 14 fields (../shared/docs/arxiv-api.md §7): `id`, `submitter`, `authors` (one
string), `title`, `comments`, `journal-ref`, `doi`, `report-no`, `categories` (space-separated),
`license`, `abstract`, `versions` ([{version: "vN", created: "Mon, 11 Jan 2021 20:31:27 GMT"}], no
sizes), `update_date` (YYYY-MM-DD: the record's datestamp here) and `authors_parsed`
([last, first, suffix] per author: the split names, "first last suffix").

Streaming, bounded memory: lines are read one at a time (gzip is recognised by its magic bytes,
not the name) and written in transactions of BATCH rows, so memory does not grow with the file.
Idempotent: a row is written only when strictly newer (datestamp, latest version) than the one
held, so a second import of the same file writes nothing, and an older snapshot never overwrites
what a sync brought. A line that is not a usable paper (bad JSON, no id, no versions) is counted
and reported with its line number, never silently dropped; the import goes on.

Speed: the work per line is json decoding and building one tuple; dates stay as written and names
keep their TeX until a paper is read (paper.py). See bench/bench_mirror.py for the figures.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from enrich.errors import InputError
from enrich.mirror.paper import split_raw_authors
from enrich.mirror.store import MirrorStore, day_start
from enrich.runtime import regex

__all__ = ["BATCH", "ImportProgress", "ImportResult", "import_snapshot"]

BATCH = 20_000  # rows per transaction
MAX_REPORTED = 20  # bad lines named one by one; the rest are counted
_ID = regex(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})$")
_DAY = regex(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class ImportProgress:
    lines: int
    bytes_read: int
    bytes_total: int


@dataclass(slots=True)
class ImportResult:
    path: str
    lines: int = 0
    papers: int = 0  # usable paper lines
    written: int = 0  # rows added or replaced by newer data
    kept: int = 0  # held already, same or newer: left alone
    bad: int = 0
    problems: list[str] = field(default_factory=list)  # "FILE:LINE: reason", the first few
    newest_day: str | None = None


def _open(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """(the stream of lines, the raw file whose position measures progress)."""
    raw: IO[bytes] = path.open("rb")
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw  # type: ignore[return-value]
    raw.seek(0)
    return raw, raw


def row_from_snapshot(obj: dict[str, Any], source: int) -> tuple[Any, ...]:
    """One snapshot object -> a `papers` row (store.paper_row's shape). ValueError if unusable.

    `versions` and `authors_parsed` are stored as the snapshot gives them (store.py reads both
    shapes); only the id, the versions and the day are checked here.
    """
    arxiv_id = obj["id"]
    if not isinstance(arxiv_id, str) or not _ID.match(arxiv_id):
        raise ValueError(f"no usable arXiv id ({arxiv_id!r})")
    versions = obj.get("versions")
    if not versions:
        raise ValueError(f"{arxiv_id}: no versions")
    latest = max(int(v["version"][1:]) for v in versions)
    day = obj.get("update_date")
    if not isinstance(day, str) or not _DAY.match(day):
        raise ValueError(f"{arxiv_id}: update_date {day!r} is not YYYY-MM-DD")
    authors = obj.get("authors") or ""
    parsed = obj.get("authors_parsed")
    if not parsed:
        parsed = [name for name, _ in split_raw_authors(authors)]
    return (
        arxiv_id,
        latest,
        orjson.dumps(versions).decode(),
        obj.get("title") or "",
        authors,
        orjson.dumps(parsed).decode(),
        obj.get("categories") or "",
        obj.get("abstract") or "",
        obj.get("comments"),
        obj.get("journal-ref"),
        obj.get("doi"),
        obj.get("license"),
        obj.get("report-no"),
        obj.get("submitter"),
        day,
        source,
    )


def import_snapshot(
    path: Path | str,
    store: MirrorStore,
    *,
    progress: Callable[[ImportProgress], None] | None = None,
    batch: int = BATCH,
) -> ImportResult:
    """Import a snapshot file into `store`; see the module docstring."""
    path = Path(path)
    try:
        stream, raw = _open(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}", str(path)) from None
    total = path.stat().st_size
    result = ImportResult(path=str(path))
    source = store.begin_source("import", str(path))
    newest = ""
    rows: list[tuple[Any, ...]] = []
    try:
        with stream, raw:
            for number, line in enumerate(stream, 1):
                result.lines = number
                try:
                    row = row_from_snapshot(orjson.loads(line), source)
                except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
                    if not line.strip():
                        continue
                    _bad(result, path, number, exc)
                    continue
                rows.append(row)
                newest = max(newest, row[14])
                if len(rows) >= batch:
                    _flush(store, rows, result)
                    if progress is not None:
                        progress(ImportProgress(number, raw.tell(), total))
            _flush(store, rows, result)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(
            f"{path}: cannot read past line {result.lines}: {exc}", str(path)
        ) from None
    result.newest_day = newest or None
    as_of = day_start(newest) if newest else None
    store.finish_source(source, records=result.papers, as_of=as_of)
    if progress is not None:
        progress(ImportProgress(result.lines, total, total))
    return result


def _flush(store: MirrorStore, rows: list[tuple[Any, ...]], result: ImportResult) -> None:
    if not rows:
        return
    written = store.import_rows(rows)
    result.papers += len(rows)
    result.written += written
    result.kept += len(rows) - written
    rows.clear()


def _bad(result: ImportResult, path: Path, number: int, exc: BaseException) -> None:
    result.bad += 1
    if len(result.problems) < MAX_REPORTED:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        result.problems.append(f"{path}:{number}: {reason}")
