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

import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from types import ModuleType, TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

from enrich.errors import InputError
from enrich.ingest import FileReport, iter_entries
from enrich.models import (
    ArxivRecord,
    DigestEntry,
    EnrichedEntry,
    RunSummary,
    construct_valid,
    record_json,
)
from enrich.settings import Settings
from enrich.spool import Spool

if TYPE_CHECKING:
    from concurrent.futures import Future

    from enrich.compare import DuplicateFinder
    from enrich.report.writeback import FixedDigest

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
        owns_client: bool | None = None,
    ) -> None:
        """`client`: the look-up source to use (by default the one the settings name, opened
        when first needed); closed with the pipeline when `owns_client` (by default, when the
        pipeline opened it)."""
        self.settings = settings
        self.format = format
        self.progress = progress
        self.on_fixed = on_fixed  # each digest's corrected copy, once its entries went past
        self.files: list[FileReport] = []
        self.summary = RunSummary(offline=settings.offline)
        self._own_client = client is None if owns_client is None else owns_client
        self._client = client
        self._settles: bool | None = None  # does the client's fetch take `settled`?
        self._paths: list[str | Path] | None = None  # the input, once run() is called
        self._apart: bool | None = None  # does it look up in a process of its own? (once)

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:  # a run cut short (a reader gone): its look-ups stop first,
            self.cancel_lookups()  # as its generator, closed later, would find no client
        self.close()

    def close(self) -> None:
        if self._own_client and self._client is not None:
            client = self._client  # a look-up process is reaped while the outputs are written
            close = getattr(client, "close_soon", None) or getattr(client, "close", None)
            if close:
                close()
            self._client = None

    @property
    def client(self) -> LookupSource:
        if self._client is None:  # arXiv, the Redis-shared queue or a server, as settings say
            from enrich.arxiv.backends import open_lookup_source

            self._client = open_lookup_source(self.settings, process=self._lookup_process())
        return self._client

    def cancel_lookups(self) -> None:
        """Stop the look-ups under way, from any thread or a signal handler: no request more is
        sent; the run then ends with LookupCancelled. Only a client of the pipeline's own (made
        by it, or handed over with `owns_client`): a cancelled client stays cancelled, and a
        caller's may serve its next run."""
        cancel = getattr(self._client, "cancel", None) if self._own_client else None
        if cancel is not None:
            cancel()

    def _lookup_process(self) -> bool:
        """Does the run look up in a process of its own? Decided once for the input (it may
        walk folders for their size): run() asks, then the client it opens."""
        if self._apart is None:
            from enrich.arxiv.backends import wants_lookup_process

            self._apart = wants_lookup_process(self.settings, self._paths)
        return self._apart

    def run(self, paths: Iterable[str | Path]) -> Iterator[EnrichedEntry]:
        paths = list(paths)
        for path in paths:  # fail before any output is written
            if str(path) != "-" and not Path(path).exists():
                raise InputError(f"{path}: no such file or folder", str(path))
        self._paths, self._apart = paths, None
        if self._client is None and self._lookup_process():
            self.client  # noqa: B018 - the look-up process starts while the input is read
        from enrich.report.writeback import settle_fixed

        entries = iter_entries(paths, format=self.format, on_file=self.files.append)
        yield from settle_fixed(self.enrich(entries), self.on_fixed)
        self.summary.files = [report.summary() for report in self.files]

    def enrich(self, entries: Iterable[DigestEntry]) -> Iterator[EnrichedEntry]:
        """One windowed pass, bounded memory. Entries are read into windows, each closed when it
        holds FETCH_BATCHES whole batches of ids not seen before (the last one holds the rest);
        so every `fetch` but the last asks whole batches and requests stay ceil(unique ids /
        batch). One worker thread settles the windows in turn (see _settle: the window's new
        ids, then its version look-ups), while this thread compares and yields the entries
        whose look-ups are in: those of the window before, then this window's as its batches
        arrive (see _Answers), so that little is left to do after the last answer. Output and
        order are those of holding everything, except that the version step (see
        enrich/versions.py) is planned per window: an entry sees the versions fetched for its
        paper in its own window and the earlier ones, never in a later one."""
        from concurrent.futures import ThreadPoolExecutor

        from enrich.workers import POOL_AFTER, Comparer, worker_count

        started = time.monotonic()
        duplicates: DuplicateFinder | None = None  # made (and enrich.compare loaded) with the
        # first entry out: a cold run's first request does not wait for that import
        statuses: Counter[str] = Counter()
        conflicts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        seen: dict[str, None] = {}  # every id settled or being settled (the pass's only growth)
        pending: deque[tuple[_Window, _Answers, Future[None]]] = deque()
        state = _State()
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="enrich-lookup")

        def stream_first(window: _Window) -> None:
            """The first window is looked up as it is read, when the client can take its ids
            that way (see ArxivClient.fetch): its first request need not wait for it all."""
            if not self._reports_settled(self.client):
                return
            window.feed = _IdFeed()
            answers = _Answers()
            done = worker.submit(self._settle, window, answers, state, lambda: len(seen))
            pending.append((window, answers, done))

        def settled() -> Iterator[tuple[DigestEntry, LookupLike | None, Any]]:
            """Every entry in order with its look-up and versions, window after window."""
            for window in self._windows(entries, seen, stream_first):
                if window.feed is not None:  # submitted as it was read: now it is whole
                    pending[-1][1].seal(window.entries)
                    window.feed.close()
                else:
                    if window.new:
                        self.client  # noqa: B018 - opened here, not on the worker thread
                    answers = _Answers()
                    answers.seal(window.entries)
                    total = partial(int, len(seen))  # the ids known when it was submitted
                    done = worker.submit(self._settle, window, answers, state, total)
                    pending.append((window, answers, done))
                while len(pending) > WINDOWS_AHEAD:
                    yield from self._answered(*pending.popleft(), order)
            while pending:
                yield from self._answered(*pending.popleft(), order)

        workers = self.settings.workers
        comparer = Comparer(worker_count(workers), POOL_AFTER if workers == 0 else 0)
        order: deque[DigestEntry] = deque()  # entries read, in order, until written
        compared: dict[int, EnrichedEntry] = {}  # by id(entry): compared, not yet written
        finished = False
        try:
            for done_entry, done_enriched in comparer.run(settled()):
                compared[id(done_entry)] = done_enriched
                while order and id(order[0]) in compared:
                    entry = order.popleft()
                    enriched = compared.pop(id(entry))
                    title_hash = comparer.duplicate_keys.pop(id(entry), ...)  # from a worker
                    if entry.status == "valid":
                        if duplicates is None:
                            from enrich.compare import DuplicateFinder

                            duplicates = DuplicateFinder()
                        enriched.conflicts.extend(duplicates.add(entry, title_hash))
                    statuses[enriched.status] += 1
                    for conflict in enriched.conflicts:
                        conflicts[conflict.kind][conflict.severity] += 1
                    yield enriched
            finished = True
        finally:
            if not finished:  # Ctrl-C, a reader gone, an error: no request more is sent
                self.cancel_lookups()
            comparer.close()
            for window, _answers, done in pending:
                done.cancel()
                if window.feed is not None:
                    window.feed.close(abandon=True)  # the worker stops reading it
                window.entries.close()
            worker.shutdown(wait=True)
            state.lookups.close()
        self.summary.unique_ids = len(seen)
        if seen:
            self._count()
        self.summary.entries = sum(statuses.values())
        self.summary.statuses = dict(statuses)
        self.summary.conflicts = {kind: dict(sev) for kind, sev in sorted(conflicts.items())}
        self.summary.seconds = round(time.monotonic() - started, 3)

    def _windows(
        self,
        entries: Iterable[DigestEntry],
        seen: dict[str, None],
        first: Callable[[_Window], None] | None = None,
    ) -> Iterator[_Window]:
        """The entries, in order, cut into windows of FETCH_BATCHES whole batches of new ids.
        `first(window)` is called at the first window's first new id; the window's new ids go
        on to its `feed` if it then has one."""
        batch = max(1, self.settings.batch_size)
        chunk = batch * FETCH_BATCHES
        window = _Window()
        for entry in entries:
            arxiv_id = entry.arxiv_id
            if entry.status == "valid" and arxiv_id:
                if arxiv_id not in seen:
                    if len(window.new) == chunk:
                        yield window
                        window = _Window()
                    elif first is not None:
                        first(window)
                        first = None
                    seen[arxiv_id] = None
                    window.new.append(arxiv_id)
                    if window.feed is not None:
                        window.feed.put(arxiv_id)
                        if len(window.new) == batch:  # the first request can go: let it
                            window.feed.hold()
                window.ids[arxiv_id] = None
                version = entry.version
                if version is not None:
                    window.versioned.add((arxiv_id, version))
                    lowest = window.lowest.get(arxiv_id)
                    if lowest is None or version < lowest:
                        window.lowest[arxiv_id] = version
            window.entries.add(entry)
        if window.entries.count:
            yield window

    def _settle(
        self, window: _Window, answers: _Answers, state: _State, total: Callable[[], int]
    ) -> None:
        """On the worker thread, for one window, published into `answers` as it goes: the ids
        it repeats from earlier windows (read back), its new ids as their batches arrive (a
        mirror-first source also gets the highest version the window's entries name for each),
        and its version look-ups, planned and fetched once every id a version is named for is
        in. A client that reports what it settled (ArxivClient: `fetch(settled=...)`) is asked
        for those ids first, so the version step comes early in the window and only the
        entries of the ids asked last wait for the last answers; the first window, whose ids
        it is given as they are read (`window.feed`), in the order read, with its version step
        once it is whole. Only this thread touches the client and `state`. (While a request
        is out, the client has the GIL change hands sooner: runtime.prompt_switch.)"""
        try:
            self._settle_window(window, answers, state, total)
        except BaseException:
            answers.fail()
            raise

    def _settle_window(
        self, window: _Window, answers: _Answers, state: _State, total: Callable[[], int]
    ) -> None:
        mirror = sys.modules.get("enrich.mirror.lookup")  # not loaded: no MirrorFirst to be
        feed = window.feed
        waiting: set[str] | None = None  # the ids the version step waits for, once known
        if feed is None:
            self._publish_repeated(window, answers, state)
            waiting = {i for i in window.new if i in window.lowest}

        def step_when_ready() -> None:
            if waiting is not None and not waiting and not answers.final:
                self._version_step(window, answers, state)

        def settled(got: dict[str, Any]) -> None:
            if feed is not None:
                feed.answered()  # the reading thread goes on (see _IdFeed.hold)
            state.lookups.add(dict(got))  # kept for the ids later windows repeat
            self._publish(answers, got, state)
            if waiting is not None:
                waiting.difference_update(got)
                step_when_ready()

        step_when_ready()
        if window.new or feed is not None:
            report = None
            progress = self.progress
            if progress is not None:
                done_before = state.settled

                def report(done: int) -> None:
                    progress(done_before + done, total())

            client = self.client
            if feed is not None:
                client.fetch(feed, report, settled=settled)  # type: ignore[call-arg]
                if feed.abandoned:
                    return
                self._publish_repeated(window, answers, state)  # the window is whole now
            elif mirror is not None and isinstance(client, mirror.MirrorFirst):
                newest: dict[str, int] = {}
                for arxiv_id, version in window.versioned:
                    newest[arxiv_id] = max(version, newest.get(arxiv_id, 0))
                settled(client.fetch(window.new, report, newest))
            elif self._reports_settled(client):
                first = [i for i in window.new if i in window.lowest]
                rest = [i for i in window.new if i not in window.lowest]
                client.fetch(first + rest, report, settled=settled)  # type: ignore[call-arg]
            else:
                settled(client.fetch(window.new, report))
            state.settled += len(window.new)
            missing = {i: None for i in window.new if i not in answers.lookups}
            if missing:  # a source that left an id out: no lookup, as it said
                self._publish(answers, missing, state)
        if not answers.final:  # the first window, or an id a version is named for never came
            self._version_step(window, answers, state)
        if self._client is not None:
            self._count()

    def _publish_repeated(self, window: _Window, answers: _Answers, state: _State) -> None:
        """The lookups of the ids the window repeats from earlier ones, read back."""
        new = set(window.new)
        repeated = {i: state.lookups.get(i) for i in window.ids if i not in new}
        if repeated:
            self._publish(answers, repeated, state)

    @staticmethod
    def _publish(answers: _Answers, lookups: dict[str, Any], state: _State) -> None:
        """Lookups into `answers`, each with the versions earlier windows fetched for its paper
        (this window's version step changes only those of the ids it looks versions up for)."""
        answers.publish(lookups, _held_versions(lookups, state))

    def _version_step(self, window: _Window, answers: _Answers, state: _State) -> None:
        """The window's version look-ups, planned once the lookups of every id it names a
        version for are in; then every entry's versions are final."""
        from enrich.versions import fetch_own_versions

        stale = set()
        for arxiv_id, version in window.versioned:
            lookup = answers.lookups.get(arxiv_id)
            record = lookup.record if lookup is not None else None
            if record is not None and version < record.latest_version:
                stale.add((arxiv_id, version))
        versions = {}
        if stale:
            candidates = []
            for entry in answers.entries():
                if (entry.arxiv_id, entry.version) in stale:
                    record = answers.lookups[entry.arxiv_id or ""].record
                    candidates.append((entry, cast("ArxivRecord", record)))
            fetch_own_versions(self.client, candidates, state.versions)
            versions = _held_versions({i for i, _ in stale}, state)
        answers.finish(versions)

    def _reports_settled(self, client: object) -> bool:
        """Does this look-up source's `fetch` take `settled` (see ArxivClient.fetch)?"""
        if self._settles is None:
            import inspect

            fetch = getattr(client, "fetch", None)
            try:
                self._settles = (
                    fetch is not None and "settled" in inspect.signature(fetch).parameters
                )
            except (TypeError, ValueError):
                self._settles = False
        return self._settles

    @staticmethod
    def _answered(
        window: _Window, answers: _Answers, done: Future[None], order: deque[DigestEntry]
    ) -> Iterator[tuple[DigestEntry, LookupLike | None, Any]]:
        """One window's entries, each with its look-up and versions as soon as they are in, and
        each put on `order` as it is read from the window (the order of the output). An entry
        whose look-up is not in yet is held while the later ones that are ready go first (they
        are compared meanwhile, and written in order by the caller): after a window's last
        answer only the entries of its own ids are left to compare, not every entry after the
        first one that waited. FLUSH when none is ready (the comparer sends what it holds)."""
        from enrich.workers import FLUSH

        ids, lowest = window.ids, window.lowest
        held: dict[str, list[DigestEntry]] = {}  # by id, each waiting for its look-up
        seen, published, final = answers.generation, 0, answers.final

        def released() -> Iterator[tuple[DigestEntry, LookupLike | None, Any]]:
            """The held entries whose ids were published since the last call (all of them once
            the version step is done: an entry of a stale version waits for it)."""
            nonlocal seen, published, final
            seen = answers.generation
            upto = len(answers.published)
            if answers.final and not final:
                final = True
                candidates: Iterable[str] = list(held)
            else:
                candidates = answers.published[published:upto]
            published = upto
            for arxiv_id in candidates:
                waiting = held.get(arxiv_id)
                if waiting:
                    got = answers.ready(arxiv_id, lowest.get(arxiv_id))
                    if got is not None:
                        del held[arxiv_id]
                        for entry in waiting:
                            yield entry, *got

        with window.entries:
            if window.entries.file is not None:  # the version step reads the spilled entries
                answers.wait_final(done)
            for entry in window.entries.drain():
                order.append(entry)
                arxiv_id = entry.arxiv_id or ""
                if arxiv_id in ids:
                    got = answers.ready(arxiv_id, lowest.get(arxiv_id))
                    if got is None:
                        held.setdefault(arxiv_id, []).append(entry)
                    else:
                        yield entry, *got
                    if held and answers.generation != seen:
                        yield from released()
                else:
                    yield entry, None, None
            while held:
                if answers.generation == seen:
                    yield FLUSH  # none is ready: the comparer sends what it holds
                    answers.wait_change(seen, done)
                yield from released()
        done.result()  # an error the worker met after the last lookup, raised here

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


def _held_versions(ids: Iterable[str], state: _State) -> dict[str, dict[int, ArxivRecord]]:
    """The versions fetched so far for each of `ids` that has any, each a copy (later windows
    add to what `state` holds)."""
    held_by_id = state.versions.by_id
    if not held_by_id:
        return {}
    out = {}
    for arxiv_id in ids:
        held = held_by_id.get(arxiv_id)
        if held:
            out[arxiv_id] = dict(held)
    return out


SPOOL_IN_MEMORY = 1000  # records of earlier windows kept as objects before the rest go to a file
SPILL_WRITE = 1 << 18  # bytes of records gathered before each write to the spill file
WINDOW_IN_MEMORY = 10_000  # entries of one window kept as objects before the rest go to a file
FETCH_BATCHES = 20  # batches of new ids per window (one `fetch` call): bounds what is held
WINDOWS_AHEAD = 1  # windows read and settling while the one before them is compared
HOLD_AT_MOST = 1.0  # seconds the reading thread lets the first request go first (_IdFeed)


@dataclass
class _Window:
    """Entries read in a row, with the ids they use: `new` ones in the order first seen."""

    entries: Spool[DigestEntry] = field(
        default_factory=lambda: Spool(DigestEntry, WINDOW_IN_MEMORY, "enrich-entries-")
    )
    new: list[str] = field(default_factory=list)
    ids: dict[str, None] = field(default_factory=dict)
    versioned: set[tuple[str, int]] = field(default_factory=set)
    lowest: dict[str, int] = field(default_factory=dict)  # the lowest version named, by id
    feed: _IdFeed | None = None  # its new ids as they are read, when looked up meanwhile


class _IdFeed:
    """New ids handed from the reading thread to the look-up thread as they are read: an
    iterator that waits for the next one, and ends once the window is whole (`close`).

    `hold()`: the reading thread, once it handed a batch's worth, lets the look-up thread have
    the interpreter until the first answer is in (`answered()`), the look-up thread wants more
    ids, or HOLD_AT_MOST: the window is compared only once whole and looked up, so the reading
    loses nothing by waiting, and the first request does not share the GIL with it."""

    def __init__(self) -> None:
        self._ids: deque[str] = deque()
        self._changed = threading.Condition()
        self._closed = False
        self._hungry = False  # the look-up thread waits for ids
        self._answered = False
        self.abandoned = False  # closed because the run stopped: nothing more to do

    def put(self, arxiv_id: str) -> None:
        with self._changed:
            self._ids.append(arxiv_id)
            if self._hungry:
                self._changed.notify_all()

    def close(self, abandon: bool = False) -> None:
        with self._changed:
            self.abandoned = self.abandoned or abandon
            self._closed = True
            self._changed.notify_all()

    def answered(self) -> None:
        with self._changed:
            self._answered = True
            self._changed.notify_all()

    def hold(self) -> None:
        deadline = time.monotonic() + HOLD_AT_MOST
        with self._changed:
            while not (self._answered or self._closed or (self._hungry and not self._ids)):
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._changed.wait(left)

    def take_ready(self) -> list[str]:
        """The ids put and not yet taken, without waiting (a look-up source that sends ids on
        elsewhere takes them in one go: enrich.arxiv.process)."""
        with self._changed:
            ids = list(self._ids)
            self._ids.clear()
        return ids

    def __iter__(self) -> Iterator[str]:
        while True:
            with self._changed:
                while not self._ids and not self._closed:
                    self._hungry = True
                    self._changed.notify_all()
                    self._changed.wait()
                self._hungry = False
                if not self._ids:
                    return
                arxiv_id = self._ids.popleft()
            yield arxiv_id


_MISSING: Any = object()


class _Answers:
    """What a window's entries need, published by the worker thread as it goes (see
    Pipeline._settle) and read by the pipeline's thread: lookups by id, their papers' own
    versions, and `final` once the window's version step is done. Each id's versions are set
    before its lookup, so a reader that sees a lookup sees its versions. An entry is ready when
    its id's lookup is in, and, if the window names a version of its paper older than the one
    arXiv answered (the version step may fetch versions of it), once the step is done."""

    def __init__(self) -> None:
        self.lookups: dict[str, Any] = {}
        self.versions: dict[str, dict[int, ArxivRecord]] = {}
        self.final = False
        self.failed = False
        self.generation = 0  # counts publish() and finish(): what is ready may have changed
        self.published: list[str] = []  # the ids published, in turn
        self.changed = threading.Condition()
        self._kept: list[DigestEntry] | None = None
        self._spool: Spool[DigestEntry] | None = None

    def seal(self, entries: Spool[DigestEntry]) -> None:
        """The window is whole (called by the reading thread before it drains it): its entries
        for the version step are the kept list itself (the pipeline's thread drains the window
        meanwhile, letting the list go, not changing it); a window that spilled is read back
        from its file, and then drained only once `final`."""
        self._kept = entries.head if entries.file is None else None
        self._spool = entries

    def entries(self) -> Iterable[DigestEntry]:
        if self._kept is not None:
            return self._kept
        assert self._spool is not None, "the version step comes after seal()"
        return self._spool.scan()

    def publish(self, lookups: Mapping[str, Any], versions: Mapping[str, Any]) -> None:
        self.versions.update(versions)
        self.lookups.update(lookups)
        self.published.extend(lookups)
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def finish(self, versions: Mapping[str, Any]) -> None:
        self.versions.update(versions)
        self.final = True
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def fail(self) -> None:
        self.failed = True
        with self.changed:
            self.changed.notify_all()

    def ready(self, arxiv_id: str, lowest: int | None) -> tuple[Any, Any] | None:
        """(lookup, versions) for an entry of this id, or None while they may still change."""
        lookup = self.lookups.get(arxiv_id, _MISSING)
        if lookup is _MISSING:
            return None
        if lowest is not None and not self.final:
            record = lookup.record if lookup is not None else None
            if record is not None and lowest < record.latest_version:
                return None
        return lookup, self.versions.get(arxiv_id)

    def wait_change(self, seen: int, done: Future[None]) -> None:
        """Wait until something was published after `generation` was `seen`."""
        self._wait(lambda: self.generation != seen, done, "with entries of its window unanswered")

    def wait_final(self, done: Future[None]) -> None:
        self._wait(lambda: self.final, done, "before the window's version step")

    def _wait(self, until: Callable[[], bool], done: Future[None], missing: str) -> None:
        """Wait until `until()`; if the worker ends first, its error, or one saying what is
        `missing`."""
        with self.changed:
            while not until() and not self.failed and not done.done():
                self.changed.wait(1.0)
        if not until():
            done.result()  # the worker's error
            raise RuntimeError(f"the look-up thread ended {missing}")


class _State:
    """What the worker thread keeps from window to window (only it touches this)."""

    def __init__(self) -> None:
        from enrich.versions import OwnVersions

        self.lookups = _Lookups()
        self.versions = OwnVersions()
        self.settled = 0  # new ids asked so far, for progress


@dataclass(slots=True)
class _Settled:
    """A lookup as the pipeline uses it (LookupLike). `raw`: the JSON the record was read from,
    when it is at hand (a record set aside and read back: a worker takes it as it is)."""

    status: str
    record: ArxivRecord | None
    reason: str | None
    raw: bytes | None = None


class _Lookups:
    """The client's answers by id, with the records past SPOOL_IN_MEMORY set aside as JSON in an
    anonymous temporary file and read back when their entry comes (by offset). A record read
    from the cache goes as the JSON it was read from (the look-up's `raw`, let go here: reading
    it back gives the same record, and nothing is serialised again); any other is serialised
    straight to bytes. Each call's records are appended in one write, at the end of the file
    whatever a read back in between left its position at. What is kept per record set aside is
    one int (offset and size), and its status and reason only when they are not the usual
    ("found", None): about 60 bytes an id, not 170."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = SPOOL_IN_MEMORY if limit is None else limit
        self.kept: dict[str, Any] = {}
        self.spilled: dict[str, int] = {}  # id -> offset << 32 | size
        self.unusual: dict[str, tuple[str, str | None]] = {}  # id -> (status, reason)
        self.file: IO[bytes] | None = None
        self.size = 0  # bytes in the file

    def add(self, lookups: dict[str, Any]) -> None:
        limit = self.limit
        blobs: list[bytes] = []
        offset = self.size
        for arxiv_id in list(lookups):
            lookup = lookups.pop(arxiv_id)  # the client's objects go as they are set aside
            raw = getattr(lookup, "raw", None)
            if raw is not None:
                lookup.raw = None  # used here only: the window's look-ups need not hold it
            if len(self.kept) < limit or lookup.record is None:
                self.kept[arxiv_id] = lookup
                continue
            data = raw or record_json(lookup.record)
            self.spilled[arxiv_id] = offset << 32 | len(data)
            if lookup.status != "found" or lookup.reason is not None:
                self.unusual[arxiv_id] = (lookup.status, lookup.reason)
            blobs.append(data)
            offset += len(data)
            if offset - self.size >= SPILL_WRITE:
                self._write(blobs, offset)
        self._write(blobs, offset)

    def _write(self, blobs: list[bytes], offset: int) -> None:
        """Append `blobs` (which end at `offset`) to the file in one write, and let them go."""
        if not blobs:
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile(prefix="enrich-records-")  # noqa: SIM115
        self.file.seek(self.size)
        self.file.write(b"".join(blobs))
        blobs.clear()
        self.size = offset

    def get(self, arxiv_id: str) -> LookupLike | None:
        kept = self.kept.get(arxiv_id)
        if kept is not None or self.file is None:
            return cast("LookupLike | None", kept)
        spilled = self.spilled.get(arxiv_id)
        if spilled is None:
            return None
        status, reason = self.unusual.get(arxiv_id, ("found", None))
        self.file.seek(spilled >> 32)
        data = self.file.read(spilled & 0xFFFF_FFFF)
        return _Settled(status, ArxivRecord.model_validate_json(data), reason, data)

    def __enter__(self) -> _Lookups:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.kept = {}
        self.spilled = {}
        self.unusual = {}
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
    compare = _comparison()
    base: dict[str, Any] = {"arxiv_id": entry.arxiv_id, "source": entry.source, "digest": entry}
    if entry.status == "invalid":
        reason = entry.error or "invalid entry"
        return EnrichedEntry(
            **base,
            status="invalid",
            error=reason,
            conflicts=[compare.invalid_conflict(entry, reason)],
        )
    if lookup is None or lookup.status == "unavailable":
        reason = (lookup.reason if lookup else None) or "arXiv could not be asked"
        return EnrichedEntry(
            **base, status="unavailable", error=reason, conflicts=compare.entry_conflicts(entry)
        )
    if lookup.status == "invalid":
        reason = lookup.reason or "arXiv rejected this id"
        return EnrichedEntry(
            **base,
            status="invalid",
            error=reason,
            conflicts=[compare.invalid_conflict(entry, reason)],
        )
    if lookup.status == "not_found" or lookup.record is None:
        reason = lookup.reason or "arXiv does not know this id"
        return EnrichedEntry(
            **base,
            status="not_found",
            error=reason,
            conflicts=[compare.not_found_conflict(entry, reason), *compare.entry_conflicts(entry)],
        )
    record = compare.with_versions(lookup.record, (versions or {}).values())
    return construct_valid(  # every value has its field's type (tests/test_compare_fast_paths)
        EnrichedEntry,
        arxiv_id=entry.arxiv_id,
        status="enriched",
        source=entry.source,
        digest=entry,
        arxiv=record,
        corrected=compare.correct_entry(entry, record),
        conflicts=compare.compare_entry(entry, record, versions),
        error=None,
    )


@cache
def _comparison() -> ModuleType:
    """enrich.compare, loaded with the first entry compared (a cold run's first request does not
    wait for the import, see Pipeline.enrich) and then held: a from-import of the package on
    every call cost ~14k instructions an entry (~2 % of enrich_one)."""
    import enrich.compare

    return enrich.compare


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
