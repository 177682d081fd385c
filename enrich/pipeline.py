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

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from enrich.errors import InputError
from enrich.ingest import FileReport, iter_entries
from enrich.models import ArxivRecord, DigestEntry, EnrichedEntry, RunSummary
from enrich.settings import Settings

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
    ) -> None:
        self.settings = settings
        self.format = format
        self.progress = progress
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
        if self._client is None:
            from enrich.arxiv import ArxivClient

            self._client = ArxivClient(self.settings)
        return self._client

    def run(self, paths: Iterable[str | Path]) -> Iterator[EnrichedEntry]:
        paths = list(paths)
        for path in paths:  # fail before any output is written
            if not Path(path).exists():
                raise InputError(f"{path}: no such file or folder", str(path))
        entries = iter_entries(paths, format=self.format, on_file=self.files.append)
        yield from self.enrich(entries)
        self.summary.files = [report.summary() for report in self.files]

    def enrich(self, entries: Iterable[DigestEntry]) -> Iterator[EnrichedEntry]:
        from enrich.compare import DuplicateFinder

        started = time.monotonic()
        held = list(entries)
        ids = list(dict.fromkeys(e.arxiv_id for e in held if e.status == "valid" and e.arxiv_id))
        self.summary.unique_ids = len(ids)
        lookups = self._lookup(ids) if ids else {}
        duplicates = DuplicateFinder()
        statuses: Counter[str] = Counter()
        conflicts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for entry in held:
            enriched = enrich_one(entry, lookups.get(entry.arxiv_id or ""))
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

    def _lookup(self, ids: list[str]) -> dict[str, Any]:
        total = len(ids)
        report = None
        if self.progress is not None:
            progress = self.progress

            def report(done: int) -> None:
                progress(done, total)

        lookups = self.client.fetch(ids, report)
        stats = getattr(self.client, "stats", None)
        if stats is not None:
            self.summary.requests = int(getattr(stats, "requests", 0))
            self.summary.cache_hits = int(getattr(stats, "cache_hits", 0))
            self.summary.retries = int(getattr(stats, "retries", 0))
        note = getattr(self.client, "cache_note", None)
        if note:
            self.summary.cache_note = str(note)
        return lookups


def enrich_one(entry: DigestEntry, lookup: LookupLike | None) -> EnrichedEntry:
    """One entry and what arXiv said about it -> the enriched entry (pure)."""
    from enrich.compare import (
        compare_entry,
        correct_entry,
        entry_conflicts,
        invalid_conflict,
        not_found_conflict,
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
    record = lookup.record
    return EnrichedEntry(
        **base,
        status="enriched",
        arxiv=record,
        corrected=correct_entry(entry, record),
        conflicts=compare_entry(entry, record),
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
