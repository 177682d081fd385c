"""The library entry point: ingest -> look up -> compare -> enriched entries, one per input entry.

    result = enrich_paths(["digest.md"], settings)           # everything, in memory
    for enriched in result.entries: ...

    with Pipeline(settings) as pipe:                          # streaming, what the CLI uses
        for enriched in pipe.run(paths): write(enriched)
        pipe.summary

Parsing never touches the network; comparison touches neither network nor disk; only the client
does I/O. Nothing is dropped: every input entry gives exactly one EnrichedEntry.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

from enrich.errors import InputError
from enrich.ingest import FileReport, iter_entries
from enrich.models import ArxivRecord, DigestEntry, EnrichedEntry, RunSummary
from enrich.settings import Settings

if TYPE_CHECKING:
    from enrich.report.writeback import FixedDigest
    from enrich.versions import OwnVersions

__all__ = ["LookupSource", "Pipeline", "RunResult", "enrich_entries", "enrich_paths"]

Progress = Callable[[int, int], None]  # (ids settled, ids to settle)


class LookupLike(Protocol):
    status: str
    record: ArxivRecord | None
    reason: str | None


class LookupSource(Protocol):
    """What the pipeline needs of an arXiv client (enrich.arxiv.ArxivClient fits)."""

    def fetch(
        self, ids: Iterable[str], progress: Callable[[int], None] | None = None
    ) -> dict[str, Any]: ...


@dataclass
class RunResult:
    entries: list[EnrichedEntry]
    summary: RunSummary
    files: list[FileReport] = field(default_factory=list)


class Pipeline:
    """One run: holds the client and the running summary."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: LookupSource | None = None,
        format: str | None = None,
        progress: Progress | None = None,
        on_fixed: Callable[[FixedDigest], None] | None = None,
    ) -> None:
        self.settings = settings
        self.format = format
        self.progress = progress
        self.on_fixed = on_fixed  # each digest's corrected copy, once its entries went past
        self.files: list[FileReport] = []
        self.summary = RunSummary(offline=settings.offline)
        self._own_client = client is None
        self._client = client

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._own_client and self._client is not None:
            close = getattr(self._client, "close", None)
            if close:
                close()
            self._client = None

    @property
    def client(self) -> LookupSource:
        if self._client is None:  # arXiv, the Redis-shared queue or a server, as settings say
            from enrich.arxiv.backends import open_lookup_source

            self._client = open_lookup_source(self.settings)
        return self._client

    def run(self, paths: Iterable[str | Path]) -> Iterator[EnrichedEntry]:
        paths = list(paths)
        for path in paths:  # fail before any output is written
            if str(path) != "-" and not Path(path).exists():
                raise InputError(f"{path}: no such file or folder", str(path))
        from enrich.report.writeback import settle_fixed

        entries = iter_entries(paths, format=self.format, on_file=self.files.append)
        yield from settle_fixed(self.enrich(entries), self.on_fixed)
        self.summary.files = [report.summary() for report in self.files]

    def enrich(self, entries: Iterable[DigestEntry]) -> Iterator[EnrichedEntry]:
        """Two passes, bounded memory: the first reads every entry once, collecting the unique
        ids and spooling the entries (to a temporary file past SPOOL_IN_MEMORY of them); then the
        ids are looked up (see _lookup: requests stay ceil(unique ids / batch)) and the records
        past SPOOL_IN_MEMORY are set aside in a temporary file too; the second pass reads entry
        and record back one at a time. Output and order are those of holding everything."""
        from enrich.compare import DuplicateFinder

        started = time.monotonic()
        with _Spool() as spool:
            unique: dict[str, None] = {}
            versioned: set[tuple[str, int]] = set()  # what may need a version look-up
            for entry in entries:
                if entry.status == "valid" and entry.arxiv_id:
                    unique[entry.arxiv_id] = None
                    if entry.version is not None:
                        versioned.add((entry.arxiv_id, entry.version))
                spool.add(entry)
            ids = list(unique)
            del unique
            self.summary.unique_ids = len(ids)
            with self._lookup(ids, versioned) if ids else _Lookups() as lookups:
                del ids
                own = self._own_versions(spool, lookups, versioned)  # see enrich/versions.py
                del versioned
                duplicates = DuplicateFinder()
                statuses: Counter[str] = Counter()
                conflicts: defaultdict[str, Counter[str]] = defaultdict(Counter)
                for entry in spool:
                    versions = own.versions_of(entry.arxiv_id)
                    enriched = enrich_one(entry, lookups.get(entry.arxiv_id or ""), versions)
                    if entry.status == "valid":
                        enriched.conflicts.extend(duplicates.add(entry))
                    statuses[enriched.status] += 1
                    for conflict in enriched.conflicts:
                        conflicts[conflict.kind][conflict.severity] += 1
                    yield enriched
        self.summary.entries = sum(statuses.values())
        self.summary.statuses = dict(statuses)
        self.summary.conflicts = {kind: dict(sev) for kind, sev in sorted(conflicts.items())}
        self.summary.seconds = round(time.monotonic() - started, 3)

    def _lookup(self, ids: list[str], versioned: set[tuple[str, int]]) -> _Lookups:
        """Every id looked up, in `fetch` calls of FETCH_BATCHES batches each, so the client holds
        at most that many records at once (the rest are set aside by _Lookups). Requests stay
        ceil(unique ids / batch), as every call but the last asks whole batches; ids missing from
        an answer are asked once more at the end of their own call. A mirror-first source also
        gets the highest version each id's entries name (a newer one than the mirror's goes to
        arXiv)."""
        from enrich.mirror.lookup import MirrorFirst

        newest: dict[str, int] = {}
        for arxiv_id, version in versioned if isinstance(self.client, MirrorFirst) else ():
            newest[arxiv_id] = max(version, newest.get(arxiv_id, 0))
        total = len(ids)
        chunk = max(1, self.settings.batch_size) * FETCH_BATCHES
        lookups = _Lookups()
        progress = self.progress
        for offset in range(0, total, chunk):
            report = None
            if progress is not None:

                def report(done: int, offset: int = offset, progress: Progress = progress) -> None:
                    progress(offset + done, total)

            part = ids[offset : offset + chunk]
            if isinstance(self.client, MirrorFirst):
                lookups.add(self.client.fetch(part, report, newest))
            else:
                lookups.add(self.client.fetch(part, report))
        self._count()
        return lookups

    def _own_versions(
        self, spool: _Spool, lookups: _Lookups, versioned: set[tuple[str, int]]
    ) -> OwnVersions:
        """The version step (enrich/versions.py), once per run, over the entries that point at
        an older version than the latest (only those are read again from the spool)."""
        from enrich.versions import OwnVersions, fetch_own_versions

        stale: set[tuple[str, int]] = set()
        for arxiv_id, version in versioned:
            lookup = lookups.get(arxiv_id)
            record = lookup.record if lookup is not None else None
            if record is not None and version < record.latest_version:
                stale.add((arxiv_id, version))
        if not stale:
            return OwnVersions()

        def candidates() -> Iterator[tuple[DigestEntry, ArxivRecord]]:
            for entry in spool.scan():
                if (entry.arxiv_id, entry.version) in stale:
                    lookup = lookups.get(entry.arxiv_id or "")
                    if lookup is not None and lookup.record is not None:
                        yield entry, lookup.record

        own = fetch_own_versions(self.client, candidates())
        self._count()
        return own

    def _count(self) -> None:
        """The client's cost so far, into the summary."""
        stats = getattr(self.client, "stats", None)
        if stats is not None:
            self.summary.requests = int(getattr(stats, "requests", 0))
            self.summary.cache_hits = int(getattr(stats, "cache_hits", 0))
            self.summary.retries = int(getattr(stats, "retries", 0))
        self.summary.mirror_hits = int(getattr(self.client, "mirror_hits", 0))
        note = getattr(self.client, "cache_note", None)
        if note:
            self.summary.cache_note = str(note)


SPOOL_IN_MEMORY = 1000  # entries (or records) kept as objects before the rest go to a file
FETCH_BATCHES = 20  # batches per client `fetch` call: bounds the records the client holds


class _Spool:
    """The entries of the first pass, in order: objects up to SPOOL_IN_MEMORY, then one JSON
    line each in an anonymous temporary file (a small run never touches the disk)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = SPOOL_IN_MEMORY if limit is None else limit
        self.head: list[DigestEntry] = []
        self.file: IO[bytes] | None = None

    def add(self, entry: DigestEntry) -> None:
        if self.file is None and len(self.head) < self.limit:
            self.head.append(entry)
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile(prefix="enrich-entries-")  # noqa: SIM115
        self.file.write(entry.model_dump_json().encode() + b"\n")

    def scan(self) -> Iterator[DigestEntry]:
        """The entries so far, in order, keeping them (for a pass before the last one)."""
        yield from self.head
        if self.file is not None:
            self.file.seek(0)
            for line in self.file:
                yield DigestEntry.model_validate_json(line)

    def __iter__(self) -> Iterator[DigestEntry]:
        head, self.head = self.head, []
        yield from head
        del head  # the first entries are let go before the spooled ones are read back
        if self.file is not None:
            self.file.seek(0)
            for line in self.file:
                yield DigestEntry.model_validate_json(line)

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.head = []
        if self.file is not None:
            self.file.close()
            self.file = None


@dataclass(slots=True)
class _Settled:
    """A lookup as the pipeline uses it (LookupLike)."""

    status: str
    record: ArxivRecord | None
    reason: str | None


class _Lookups:
    """The client's answers by id, with the records past SPOOL_IN_MEMORY set aside as JSON in an
    anonymous temporary file and read back when their entry comes (by offset)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = SPOOL_IN_MEMORY if limit is None else limit
        self.kept: dict[str, Any] = {}
        self.spilled: dict[str, tuple[str, str | None, int, int]] = {}
        self.file: IO[bytes] | None = None

    def add(self, lookups: dict[str, Any]) -> None:
        limit = self.limit
        for arxiv_id in list(lookups):
            lookup = lookups.pop(arxiv_id)  # the client's objects go as they are set aside
            if len(self.kept) < limit or lookup.record is None:
                self.kept[arxiv_id] = lookup
                continue
            if self.file is None:
                self.file = tempfile.TemporaryFile(prefix="enrich-records-")  # noqa: SIM115
            data = lookup.record.model_dump_json().encode()
            self.spilled[arxiv_id] = (lookup.status, lookup.reason, self.file.tell(), len(data))
            self.file.write(data)

    def get(self, arxiv_id: str) -> LookupLike | None:
        kept = self.kept.get(arxiv_id)
        if kept is not None or self.file is None:
            return cast("LookupLike | None", kept)
        spilled = self.spilled.get(arxiv_id)
        if spilled is None:
            return None
        status, reason, offset, size = spilled
        self.file.seek(offset)
        record = ArxivRecord.model_validate_json(self.file.read(size))
        return _Settled(status, record, reason)

    def __enter__(self) -> _Lookups:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kept = {}
        self.spilled = {}
        if self.file is not None:
            self.file.close()
            self.file = None


def enrich_one(
    entry: DigestEntry,
    lookup: LookupLike | None,
    versions: Mapping[int, ArxivRecord] | None = None,
) -> EnrichedEntry:
    """One entry and what arXiv said about it -> the enriched entry (pure).

    `versions`: the records of single versions of the paper the version step fetched."""
    from enrich.compare import (
        compare_entry,
        correct_entry,
        entry_conflicts,
        invalid_conflict,
        not_found_conflict,
        with_versions,
    )

    base: dict[str, Any] = {"arxiv_id": entry.arxiv_id, "source": entry.source, "digest": entry}
    if entry.status == "invalid":
        reason = entry.error or "invalid entry"
        return EnrichedEntry(
            **base, status="invalid", error=reason, conflicts=[invalid_conflict(entry, reason)]
        )
    if lookup is None or lookup.status == "unavailable":
        reason = (lookup.reason if lookup else None) or "arXiv could not be asked"
        return EnrichedEntry(
            **base, status="unavailable", error=reason, conflicts=entry_conflicts(entry)
        )
    if lookup.status == "invalid":
        reason = lookup.reason or "arXiv rejected this id"
        return EnrichedEntry(
            **base, status="invalid", error=reason, conflicts=[invalid_conflict(entry, reason)]
        )
    if lookup.status == "not_found" or lookup.record is None:
        reason = lookup.reason or "arXiv does not know this id"
        return EnrichedEntry(
            **base,
            status="not_found",
            error=reason,
            conflicts=[not_found_conflict(entry, reason), *entry_conflicts(entry)],
        )
    record = with_versions(lookup.record, (versions or {}).values())
    return EnrichedEntry(
        **base,
        status="enriched",
        arxiv=record,
        corrected=correct_entry(entry, record),
        conflicts=compare_entry(entry, record, versions),
    )


def enrich_entries(
    entries: Iterable[DigestEntry], settings: Settings, *, client: LookupSource | None = None
) -> list[EnrichedEntry]:
    """Enrich already-parsed entries (e.g. read from an `enrich ingest` JSONL)."""
    with Pipeline(settings, client=client) as pipe:
        return list(pipe.enrich(entries))


def enrich_paths(
    paths: Iterable[str | Path],
    settings: Settings,
    *,
    client: LookupSource | None = None,
    format: str | None = None,
) -> RunResult:
    """Parse, validate, look up and compare every entry of the given digests."""
    with Pipeline(settings, client=client, format=format) as pipe:
        entries = list(pipe.run(paths))
        return RunResult(entries=entries, summary=pipe.summary, files=pipe.files)
