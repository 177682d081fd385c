"""ArxivClient: canonical ids in, one Lookup per id out; cached, batched, polite, retried.

How `fetch` settles every id (nothing is dropped; each id ends as exactly one Lookup):

1. Ids that do not parse as arXiv ids are `invalid` at once (no request). Duplicates are asked once.
2. The cache answers what it holds (unless `refresh`); with `offline` the rest are `unavailable`.
3. The rest go out in batches of at most `batch_size` unique ids, unversioned (arXiv answers with
   the latest version), `max_results` = the batch length (the server's default is 10), GET up to
   100 ids and a form-encoded POST above (long GETs get HTTP 414). Each request holds the
   Limiter's slot (one connection, `min_interval` end-to-start, across processes).
4. Answers are matched to ids by the entry `<id>` (never by position) and stored in the cache as
   soon as each batch arrives, so a run killed half-way keeps what it fetched.
5. Transient failures are retried (see retry.py); what still fails is `unavailable`, and the run
   goes on with the next batch. An answer holding none of the ids asked, for a batch with at
   least two ids asked for the first time, is taken for a glitch and asked again once.
   A short answer -- fewer entries than ids asked and than its own `opensearch:totalResults`
   (arXiv's documented glitch: HTTP 200, an empty or half-empty page that still counts the
   papers) -- is never evidence: it is retried, and if every attempt is short, the ids it lacks
   are `unavailable` (never `not_found`, never cached as negative); the ids it holds are kept.
6. Ids missing from an answer are asked once more in a later batch, `recheck_delay` seconds
   later, before they are `not_found` (and cached as such for `negative_ttl`).
7. A 400 means one malformed id failed the whole batch. When arXiv's message names an id of the
   batch ("incorrect id format for X"), that id is `invalid` and the others go back to the queue
   (one extra request). Otherwise the batch is bisected: each probe asks half of the ids known to
   hold the culprit, so it is found in ceil(log2(len(batch))) probes; the ids of the probes that
   answered are settled on the way and the untested halves go back to the queue.
8. An answer arXiv serves but that cannot be parsed the same way every time (ArxivUnparseable:
   a field past the parser's limits, a forbidden character) is isolated the same way: the one id
   whose entry it is ends `unavailable` with the reason, the rest of its batch is looked up.
9. Processes sharing the cache take turns for the request slot; whoever gets it reads the cache
   again first (another process may have just stored these ids) and asks only what is still
   missing -- nothing at all, without waiting for the gap, if everything arrived. Found records
   are stored before the slot is let go, so N processes on one input send
   ceil(unique ids / batch_size) requests between them; the gap runs from the end of the answer
   (`end_request`), so parsing and storing it take nothing from the next request's turn.

`fetch_versions` asks for single versions (`IDvN`), for enrich/versions.py: the same limiter,
retries and cache (where a version never expires), in batches of `batch_size` in the order given.
What arXiv does not return, or a batch that still fails, is simply left out: the caller then
compares with the latest version only, as it would without version look-ups.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Literal

from enrich.arxiv.backends import Budget, make_limiter, open_record_cache
from enrich.arxiv.cache import CachedAnswer, RecordCache
from enrich.arxiv.feed import Feed, parse_feed
from enrich.arxiv.retry import (
    THROTTLE_STATUSES,
    EmptyFeed,
    ShortFeed,
    build_retrying,
    parse_retry_after,
)
from enrich.errors import (
    ArxivBadResponse,
    ArxivError,
    ArxivHTTPError,
    ArxivUnavailable,
    ArxivUnparseable,
    BudgetUnavailable,
    CacheCorrupted,
    CacheError,
    InvalidArxivId,
    LookupCancelled,
)
from enrich.ids import format_id, parse_arxiv_id
from enrich.models import ArxivRecord
from enrich.runtime import prompt_switch, regex
from enrich.settings import Settings

if TYPE_CHECKING:  # httpx and tenacity load with the first request: a cached run never needs them
    import httpx
    import tenacity

    from enrich.arxiv.transport import LazyTLS

__all__ = ["GET_MAX_IDS", "ArxivClient", "ArxivRejected", "ClientStats", "Lookup"]

log = logging.getLogger(__name__)

NOT_FOUND_REASON = "arXiv returned nothing, twice"
GET_MAX_IDS = 100  # above this a GET URL risks HTTP 414 (arxiv.py#15): use POST
LookupStatus = Literal["found", "not_found", "invalid", "unavailable"]
_NAMED_ID = regex(r"incorrect id format for (?P<id>\S+)\s*$", re.IGNORECASE)
_VERSION_SUFFIX = regex(r"v\d+$")


@dataclass
class Lookup:
    """What became of one id."""

    status: LookupStatus
    record: ArxivRecord | None = None
    reason: str | None = None
    from_cache: bool = False
    # the record's JSON when it is at hand (CachedAnswer.raw, or what the cache stored)
    raw: bytes | None = field(default=None, repr=False, compare=False)

    @classmethod
    def cached(cls, answer: CachedAnswer) -> Lookup:
        """The Lookup for a cached answer: the same as when it was fetched (a cached "not found"
        keeps its reason, so a warm run writes what the cold run wrote)."""
        reason = answer.reason
        if answer.status == "not_found" and reason is None:
            reason = NOT_FOUND_REASON
        return cls(answer.status, answer.record, reason, True, answer.raw)


def split_ids(ids: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, Lookup]]:
    """Distinct ids as given -> (canonical id -> the forms given, the ones that are no arXiv
    id at all: `invalid` at once). For look-up sources that key their answers as given."""
    aliases: dict[str, list[str]] = {}
    invalid: dict[str, Lookup] = {}
    for given in dict.fromkeys(ids):
        try:
            aliases.setdefault(parse_arxiv_id(given).id, []).append(given)
        except InvalidArxivId as exc:
            invalid[given] = Lookup("invalid", reason=exc.reason)
    return aliases, invalid


def as_given(results: dict[str, Lookup], aliases: dict[str, list[str]]) -> dict[str, Lookup]:
    """Answers by canonical id -> answers keyed by every form the caller gave."""
    return _as_given(results.items(), aliases)


@dataclass
class ClientStats:
    """The cost of the lookups so far (for the run summary)."""

    requests: int = 0  # HTTP requests sent, retries included
    cache_hits: int = 0
    retries: int = 0
    bytes: int = 0  # response bodies received
    seconds_waiting: float = 0.0  # for the slot, the gap, back-offs and re-checks


class ArxivRejected(ArxivHTTPError):
    """arXiv refused the request (HTTP 400 / an error entry): a malformed id is in the batch."""


class _ShortUnavailable(ArxivUnavailable):
    """Every attempt was answered short; `feed` is the last answer (its records are good)."""

    def __init__(self, message: str, url: str, attempt: int, feed: Feed) -> None:
        super().__init__(message, url, attempt)
        self.feed = feed


_ISOLATE = (ArxivRejected, ArxivUnparseable)  # one id poisons the batch: find it


class _UseDefault:
    pass


_DEFAULT = _UseDefault()


@dataclass
class _Tries:
    """Attempts made for one batch, and whether an empty feed was already given a second chance."""

    attempts: int = 0
    empties: int = 0


@dataclass
class _Run:
    """The state of one `fetch`: what is settled, what is still to ask."""

    results: dict[str, Lookup] = field(default_factory=dict)
    pending: deque[str] = field(default_factory=deque)
    recheck: list[tuple[float, str]] = field(default_factory=list)  # (due, id)
    asked_again: set[str] = field(default_factory=set)
    progress: Callable[[int], None] | None = None
    reported: int = -1
    started: float = 0.0  # wall time (the cache's clock) when the fetch began
    top_up: Callable[[int], list[str]] | None = None  # more ids for a batch that is not full
    settled: Callable[[dict[str, Lookup]], None] | None = None  # each batch's lookups, as given
    aliases: dict[str, list[str]] = field(default_factory=dict)  # canonical id -> as given
    handed: int = 0  # results handed to `settled` so far (results only grow, in order)
    handed_ids: set[str] = field(default_factory=set)  # their keys (canonical, or invalid)
    late: dict[str, Lookup] = field(default_factory=dict)  # forms given after their id was handed
    source: Iterator[str] | None = None  # the ids given, until all are read
    given: set[str] = field(default_factory=set)  # the ids read from it so far
    asked: int = 0  # of those, ids the cache did not answer
    stored: dict[str, bytes] = field(default_factory=dict)  # found records' JSON, as stored

    def settle(self, arxiv_id: str, lookup: Lookup) -> None:
        self.results.setdefault(arxiv_id, lookup)

    def report(self) -> None:
        if self.settled is not None and (len(self.results) > self.handed or self.late):
            fresh = list(islice(self.results.items(), self.handed, None))
            self.handed = len(self.results)
            self.handed_ids.update(key for key, _ in fresh)
            handing = _as_given(fresh, self.aliases)
            handing.update(self.late)
            self.late.clear()
            self.settled(handing)
        if self.progress is not None and len(self.results) != self.reported:
            self.reported = len(self.results)
            self.progress(self.reported)


class ArxivClient:
    """Looks up arXiv ids politely. Use as a context manager, or call `close()`.

    `http` is an httpx.Client to use (the caller keeps ownership); by default one is built with a
    single connection, no keep-alive, `settings.timeout` and the descriptive User-Agent.
    `clock`/`sleep` drive every wait (the limiter, back-offs, re-checks): tests pass fakes.
    `cache` is a RecordCache, None for no cache, or by default the one the settings name
    (backends.open_record_cache: the SQLite cache in cache_dir, or Redis with `redis_url`); if
    that fails the client runs without a cache and says why in `cache_note`. `limiter` likewise
    (backends.make_limiter).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        cache: RecordCache | _UseDefault | None = _DEFAULT,
        rng: random.Random | None = None,
        limiter: Budget | None = None,
    ) -> None:
        self.settings = settings
        self.stats = ClientStats()
        self.cache_note: str | None = None
        self._clock = clock
        self._cancelled = threading.Event()
        self._sleep = self._interruptible(sleep)
        self._rng = rng or random.Random()
        self._http = http
        self._own_http = http is None
        self._transport: LazyTLS | None = None  # ours, when this client makes its own http
        self._limiter: Budget | None = limiter
        self._own_limiter = limiter is None
        self._own_cache = isinstance(cache, _UseDefault)
        if isinstance(cache, _UseDefault):
            try:
                cache = open_record_cache(settings)
            except CacheError as exc:
                mend = (
                    " (`enrich cache clear` removes it)" if isinstance(exc, CacheCorrupted) else ""
                )
                self.cache_note = f"cache unusable: {exc}; ran without it{mend}"
                log.warning("%s", self.cache_note)
                cache = None
        self.cache: RecordCache | None = cache
        if getattr(cache, "read_only", False):
            self.cache_note = (
                f"cache {settings.cache_dir} is read-only: answers were read from it, "
                "new ones were not stored"
            )

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_http and self._http is not None:
            self._http.close()
            self._http = None
            self._transport = None
        if self._own_limiter and self._limiter is not None:
            self._limiter.close()
            self._limiter = None
        if self._own_cache and self.cache is not None:
            self.cache.close()
            self.cache = None

    def cancel(self) -> None:
        """Stop the look-ups under way, from any thread: no request more is sent, and a wait
        (the gap, a back-off) ends at once; `fetch` raises LookupCancelled. For good: the run
        is over."""
        self._cancelled.set()

    def _interruptible(self, sleep: Callable[[float], None]) -> Callable[[float], None]:
        """`sleep` that `cancel` cuts short (time.sleep's wait becomes the event's)."""
        cancelled = self._cancelled

        def wait(seconds: float) -> None:
            if cancelled.is_set():
                raise LookupCancelled
            if sleep is time.sleep:
                cancelled.wait(seconds)
            else:
                sleep(seconds)
            if cancelled.is_set():
                raise LookupCancelled

        return wait

    # -- the public operation ------------------------------------------------------------------

    def fetch(
        self,
        ids: Iterable[str],
        progress: Callable[[int], None] | None = None,
        *,
        top_up: Callable[[int], list[str]] | None = None,
        settled: Callable[[dict[str, Lookup]], None] | None = None,
    ) -> dict[str, Lookup]:
        """One Lookup per distinct id given (see the module docstring for how each is settled).

        Ids should be canonical and unversioned; other forms arXiv accepts are normalised
        ("arXiv:2501.00001v2" is asked as 2501.00001, its latest version) and keyed as given.
        A list (anything sized) is read at once; an iterator as the batches need it, so that
        the first request goes out once it has given a batch's worth (the pipeline's first
        window is read as it is looked up).
        `progress(n)` is called with the number of ids settled so far, after each batch.
        `top_up(n)`, when given, fills a batch that is not full with up to n more canonical ids
        (the shared queue's: other processes' look-ups); they are answered in the result too.
        `settled(lookups)`, when given, gets the lookups settled since its last call (keyed as
        the result is), once the cache is read and after each batch: every one exactly once,
        before `fetch` returns. It runs between requests, never inside the limiter's slot, and
        may use this client (the pipeline fetches versions from it).
        """
        run = _Run(progress=progress, top_up=top_up, settled=settled)
        if self.cache is not None:
            run.started = self.cache.now()
        run.source = iter(ids)
        lazy = not isinstance(ids, Sized)  # an iterator is read as the batches need it
        self._take(run, max(1, self.settings.batch_size) if lazy else None)
        run.report()
        self._drain(run)
        run.report()  # what the last batch settled (a batch's own report may come before)
        return _as_given(run.results.items(), run.aliases)

    def _take(self, run: _Run, wanted: int | None) -> None:
        """More ids from `run.source` (all of them when `wanted` is None, else until `wanted`
        new ones): the invalid settled, the cached settled from the cache, the rest queued."""
        if run.source is None:
            return
        fresh: list[str] = []
        for given in run.source:
            if given in run.given:
                continue
            run.given.add(given)
            try:
                canonical = parse_arxiv_id(given).id
            except InvalidArxivId as exc:
                run.settle(given, Lookup("invalid", reason=exc.reason))
                continue
            forms = run.aliases.get(canonical)
            if forms is None:
                run.aliases[canonical] = [given]
                fresh.append(canonical)
            else:
                forms.append(given)
                if canonical in run.handed_ids:  # read lazily after its id was handed
                    run.late[given] = run.results[canonical]
            if wanted is not None and len(fresh) >= wanted:
                break
        else:
            run.source = None
        if self.cache is not None and not self.settings.refresh and fresh:
            for arxiv_id, answer in self.cache.get_many(fresh).items():
                run.settle(arxiv_id, Lookup.cached(answer))
                self.stats.cache_hits += 1
        if self.cache is not None and self.cache.degraded and self.cache_note is None:
            self.cache_note = f"cache degraded: {self.cache.degraded}"
        to_ask = [i for i in fresh if i not in run.results]
        run.asked += len(to_ask)
        if run.source is None and run.aliases:
            wanted_all = len(run.aliases)
            log.info("cache: %d of %d ids answered from the cache", wanted_all - run.asked,
                     wanted_all)  # fmt: skip
        if self.settings.offline:
            for arxiv_id in to_ask:
                run.settle(arxiv_id, Lookup("unavailable", reason="offline and not in the cache"))
        else:
            run.pending.extend(to_ask)

    def fetch_versions(
        self, wanted: Iterable[tuple[str, int]], optional: Iterable[tuple[str, int]] = ()
    ) -> dict[tuple[str, int], ArxivRecord]:
        """The own metadata of single versions ((canonical id, version) pairs), by pair.

        Requests: ceil(`wanted` pairs not in the cache / batch_size); none offline or when the
        cache holds them all. `optional` pairs are asked only to fill the room left in the last
        of those batches. A record's `latest_version` is the version it describes, `updated`
        that version's date.
        """
        pairs = list(dict.fromkeys(wanted))
        chosen = set(pairs)
        extra = [p for p in dict.fromkeys(optional) if p not in chosen]
        out: dict[tuple[str, int], ArxivRecord] = {}
        if self.cache is not None and not self.settings.refresh:
            out = self.cache.get_versions(pairs + extra)
            self.stats.cache_hits += len(out)
        ask = [p for p in pairs if p not in out]
        if self.settings.offline or not ask:
            return out
        size = max(1, self.settings.batch_size)
        ask += [p for p in extra if p not in out][: -len(ask) % size]
        for start in range(0, len(ask), size):
            batch = ask[start : start + size]
            try:
                feed = self._request([format_id(i, v) for i, v in batch], len(batch) >= 2)
            except ArxivError as exc:
                log.warning("versions %s...: not fetched (%s)", format_id(*batch[0]), exc)
                continue
            wanted_here = set(batch)
            got = [r for r in feed.entries if (r.arxiv_id, r.latest_version) in wanted_here]
            if self.cache is not None:
                self.cache.put_versions(got)
            out.update(((r.arxiv_id, r.latest_version), r) for r in got)
        return out

    # -- batching ------------------------------------------------------------------------------

    def _drain(self, run: _Run) -> None:
        while run.pending or run.recheck or run.source is not None:
            if self._cancelled.is_set():
                raise LookupCancelled
            batch = self._next_batch(run)
            if batch:
                self._run_batch(batch, run)
                run.report()
            elif run.recheck:  # only re-checks are left and none is due yet
                wait = min(due for due, _ in run.recheck) - self._clock()
                if wait > 0:
                    self._sleep(wait)
                    self.stats.seconds_waiting += wait

    def _next_batch(self, run: _Run) -> list[str]:
        size = self.settings.batch_size
        if run.source is not None and len(run.pending) < size:
            while run.source is not None and len(run.pending) < size:  # whole batches
                self._take(run, size - len(run.pending))
            run.report()  # the cache's answers among them
        now = self._clock()
        run.recheck.sort()
        batch: list[str] = []
        while run.recheck and run.recheck[0][0] <= now and len(batch) < size:
            batch.append(run.recheck.pop(0)[1])
        while run.pending and len(batch) < size:
            arxiv_id = run.pending.popleft()
            if arxiv_id not in batch and arxiv_id not in run.results:
                batch.append(arxiv_id)
        if run.top_up is not None and batch and len(batch) < size:
            for arxiv_id in run.top_up(size - len(batch)):
                if arxiv_id not in batch and arxiv_id not in run.results:
                    batch.append(arxiv_id)
        return batch

    def _run_batch(self, batch: list[str], run: _Run) -> None:
        try:
            feed = self._request(batch, _expects_entries(batch, run), run)
        except _ISOLATE as exc:
            self._split(batch, exc, run)
            return
        except ArxivUnavailable as exc:
            self._unavailable(batch, exc, run)
            return
        self._absorb(batch, feed, run)

    def _unavailable(self, batch: list[str], exc: ArxivUnavailable, run: _Run) -> None:
        """Every attempt failed: the ids are unavailable, except those a short answer held."""
        if isinstance(exc, _ShortUnavailable):
            for arxiv_id in batch:
                record = exc.feed.records.get(arxiv_id)
                if record is not None:
                    run.settle(arxiv_id, Lookup("found", record, raw=run.stored.get(arxiv_id)))
        for arxiv_id in batch:
            run.stored.pop(arxiv_id, None)
            run.settle(arxiv_id, Lookup("unavailable", reason=str(exc)))

    def _absorb(self, batch: list[str], feed: Feed, run: _Run) -> None:
        """Settle a batch from a complete answer: found ids now, missing ones re-checked once.
        Ids settled meanwhile (read from the cache in the slot) are left as they are; found
        records were stored in the cache by `_attempt`."""
        not_found = []
        for arxiv_id in batch:
            raw = run.stored.pop(arxiv_id, None)
            if arxiv_id in run.results:
                continue
            record = feed.records.get(arxiv_id)
            if record is not None:
                run.settle(arxiv_id, Lookup("found", record, raw=raw))
            elif arxiv_id in run.asked_again:
                not_found.append(arxiv_id)
                run.settle(arxiv_id, Lookup("not_found", reason=NOT_FOUND_REASON))
            else:
                run.asked_again.add(arxiv_id)
                run.recheck.append((self._clock() + self.settings.recheck_delay, arxiv_id))
        if self.cache is not None and not_found:
            self.cache.put_not_found(not_found)

    def _invalid(self, arxiv_id: str, reason: str, run: _Run) -> None:
        run.settle(arxiv_id, Lookup("invalid", reason=reason))
        if self.cache is not None:
            self.cache.put_invalid(arxiv_id, reason)

    @staticmethod
    def _named(message: str, batch: list[str]) -> str | None:
        match = _NAMED_ID.search(message)
        if match is not None and match["id"] in batch:
            return match["id"]
        return None

    def _split(self, batch: list[str], exc: ArxivError, run: _Run) -> None:
        """Find the id that made arXiv refuse `batch`, or whose entry cannot be parsed (see the
        module docstring, points 7 and 8)."""
        message, refused = str(exc), isinstance(exc, ArxivRejected)
        for arxiv_id in batch:  # what an earlier attempt stored: settled since, or asked again
            run.stored.pop(arxiv_id, None)
        leftovers: list[str] = []
        candidates = [i for i in batch if i not in run.results]
        culprit = self._named(message, candidates) if refused else None
        while culprit is None and len(candidates) > 1:
            half = (len(candidates) + 1) // 2
            probe, other = candidates[:half], candidates[half:]
            try:
                feed = self._request(probe, _expects_entries(probe, run), run)
            except _ISOLATE as again:
                message, refused = str(again), isinstance(again, ArxivRejected)
                candidates, leftovers = probe, other + leftovers
                culprit = self._named(message, candidates) if refused else None
                continue
            except ArxivUnavailable as failed:
                # no verdict on this half: report it, and ask the rest again later (a culprit
                # there will be refused and split again); never blame an id on a guess
                self._unavailable(probe, failed, run)
                leftovers, candidates = other + leftovers, []
                break
            self._absorb(probe, feed, run)
            candidates = [i for i in other if i not in run.results]
            run.report()
        if culprit is None and len(candidates) == 1:
            culprit = candidates[0]
        if culprit is not None and refused:
            self._invalid(culprit, message, run)
        elif culprit is not None:  # arXiv's entry for it cannot be read: not the id's fault
            reason = f"arXiv's answer cannot be read: {message}"
            run.settle(culprit, Lookup("unavailable", reason=reason))
        leftovers += [i for i in candidates if i != culprit]
        run.pending.extendleft(reversed(leftovers))  # asked first, in the next batch

    # -- one request, retried ------------------------------------------------------------------

    def _request(
        self, batch: list[str], expects_entries: bool = True, run: _Run | None = None
    ) -> Feed:
        """The answer to one batch, after retries: ArxivRejected on 400, ArxivUnparseable for an
        answer that cannot be read, else ArxivUnavailable (_ShortUnavailable: short answers).

        `expects_entries`: an empty feed is suspect (asked again once) rather than an answer.
        With `run` (a `fetch`), ids answered from the cache while waiting for the slot are
        settled there and left out of the request; when none is left, nothing is sent.
        """
        tries = _Tries(empties=0 if expects_entries else 1)
        retrying = build_retrying(
            self.settings, sleep=self._backoff_sleep, rng=self._rng, before_sleep=self._before_retry
        )
        import httpx

        try:
            return retrying(self._attempt, batch, tries, run)
        except (*_ISOLATE, BudgetUnavailable):
            raise  # a bad id is isolated; without the shared budget nothing is asked
        except (ArxivError, httpx.HTTPError) as exc:
            message = (
                f"no usable answer from arXiv after {tries.attempts} attempt(s) "
                f"({type(exc).__name__}: {exc})"
            )
            url, attempts = self.settings.api_url, tries.attempts
            if isinstance(exc, ShortFeed):
                raise _ShortUnavailable(message, url, attempts, exc.feed) from exc
            raise ArxivUnavailable(message, url, attempts) from exc

    def _still_to_ask(self, batch: list[str], run: _Run | None) -> list[str]:
        """The ids of `batch` nobody has answered yet: the cache is read again, as another
        process sharing it may have stored them while this one waited for the slot."""
        if run is None:
            return list(batch)
        pending = [i for i in batch if i not in run.results]
        if self.cache is None or not pending:
            return pending
        for arxiv_id, answer in self.cache.get_many(pending).items():
            if self.settings.refresh and answer.stored < run.started:
                continue  # --refresh: only what was fetched since this run began
            run.settle(arxiv_id, Lookup.cached(answer))
            self.stats.cache_hits += 1
        return [i for i in pending if i not in run.results]

    def _attempt(self, batch: list[str], tries: _Tries, run: _Run | None) -> Feed:
        limiter = self._get_limiter()
        http = self._get_http()
        url = self.settings.api_url
        headers = {"User-Agent": self.settings.full_user_agent, "Connection": "close"}
        tries.attempts += 1
        attempt = tries.attempts
        asked: list[str] = []
        request: list[httpx.Request] = []

        def ready() -> bool:
            """What is still to ask, and its request built now, before the wait for the gap
            (~0.4 ms of encoding 100 ids that would otherwise follow it)."""
            asked[:] = self._still_to_ask(batch, run)
            if asked:
                request[:] = [_build_request(http, url, asked, headers)]
            return bool(asked)

        waited = limiter.seconds_waiting
        transport, early = self._transport, None
        if transport is not None:
            from enrich.arxiv.limiter import Early

            # the next connection, opened while the gap ends
            lead = transport.lead(url, self.settings.min_interval)
            timeout = self.settings.timeout
            if lead:
                early = Early(lead, lambda: transport.warm(request[0].url, timeout), transport.hold)
        try:
            with (
                prompt_switch(),
                limiter.slot(ready=ready, early=early) as go,
                _cooling(transport if early is not None else None),
            ):
                if not go:
                    return Feed()  # everything arrived in the cache meanwhile: nothing sent
                self.stats.requests += 1
                sent = self._clock()
                response = http.send(request[0])
                content = response.content  # read to the end: the connection is closed
                limiter.end_request()  # the gap runs from here, parsing and storing overlap it
                _let_go(response)
                self.stats.bytes += len(content)
                log.info(
                    "arXiv: %d ids (%s%s): HTTP %d, %d bytes, %.2f s, attempt %d of %d",
                    len(asked), asked[0], ", ..." if len(asked) > 1 else "",
                    response.status_code, len(content), self._clock() - sent, attempt,
                    self.settings.max_attempts, extra={"enrich_event": "request"},
                )  # fmt: skip
                feed = self._read(response.status_code, response.headers, content, attempt)
                if self.cache is not None and run is not None:  # before the slot is let go
                    stored = self.cache.put_found(r for i, r in feed.records.items() if i in asked)
                    run.stored.update(stored)  # passed on with each record (the look-up process)
        finally:
            if transport is not None and early is not None:
                transport.cool()  # an error in the wait itself: after the slot, still closed
            self.stats.seconds_waiting += limiter.seconds_waiting - waited
        self._check_complete(feed, asked, tries, attempt)
        return feed

    def _read(self, status: int, headers: httpx.Headers, content: bytes, attempt: int) -> Feed:
        """The parsed answer, or the error its status and body call for."""
        url = self.settings.api_url
        if status == 400:
            raise ArxivRejected(_refusal(content), url, attempt, status)
        if status != 200:
            retry_after = parse_retry_after(headers.get("Retry-After"))
            snippet = content[:80].decode("utf-8", "replace").strip()
            raise ArxivHTTPError(
                f"HTTP {status}: {snippet!r}", url, attempt, status, retry_after=retry_after
            )
        try:
            feed = parse_feed(content)
        except ArxivBadResponse as exc:
            raise type(exc)(str(exc), url, attempt) from None
        if feed.errors:
            raise ArxivRejected(feed.errors[0].message, url, attempt, 400)
        return feed

    def _check_complete(self, feed: Feed, asked: list[str], tries: _Tries, attempt: int) -> None:
        """Raise for an answer that is no evidence: short (point 5), or empty once (a glitch)."""
        url = self.settings.api_url
        entries = len(feed.entries) + feed.skipped
        total = feed.total_results
        if total is not None and entries < min(len(asked), total):
            raise ShortFeed(
                f"a short answer: {entries} entries for {len(asked)} ids asked, while arXiv "
                f"counts {total} results",
                url,
                attempt,
                feed=feed,
            )
        last_try = attempt >= self.settings.max_attempts
        answered = any(_VERSION_SUFFIX.sub("", i) in feed.records for i in asked)
        if not answered and tries.empties == 0 and not last_try:
            tries.empties += 1
            raise EmptyFeed(f"none of {len(asked)} ids in the answer", url, attempt)

    def _backoff_sleep(self, seconds: float) -> None:
        self.stats.seconds_waiting += seconds
        self._sleep(seconds)

    def _before_retry(self, state: tenacity.RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        what = f"arXiv answered {exc.status}" if isinstance(exc, ArxivHTTPError) else (
            f"no usable answer from arXiv ({type(exc).__name__}: {exc})"
        )  # fmt: skip
        log.info(
            "%s; retrying in %s s, attempt %d of %d",
            what, f"{wait:.0f}" if wait >= 10 else f"{wait:.1f}", state.attempt_number + 1,
            self.settings.max_attempts, extra={"enrich_event": "wait"},
        )  # fmt: skip
        if isinstance(exc, ArxivHTTPError) and exc.status in THROTTLE_STATUSES:
            self._get_limiter().hold_off(wait)  # every process sharing the folder backs off

    def _get_limiter(self) -> Budget:
        if self._limiter is None:
            self._limiter = make_limiter(self.settings, clock=self._clock, sleep=self._sleep)
            if self._limiter.degraded:
                log.warning("rate limiter: %s", self._limiter.degraded)
        return self._limiter

    def _get_http(self) -> httpx.Client:
        if self._http is None:
            with _SETUP_LOCK:  # threads of `enrich serve` may ask first together: one client
                if self._http is None:
                    import httpx

                    from enrich.arxiv.transport import LazyTLS

                    limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
                    self._transport = LazyTLS(limits)  # set first: it goes with this client
                    self._http = httpx.Client(
                        timeout=httpx.Timeout(self.settings.timeout),
                        headers={"User-Agent": self.settings.full_user_agent},
                        transport=self._transport,
                        follow_redirects=True,
                    )
        return self._http


_SETUP_LOCK = threading.Lock()


@contextlib.contextmanager
def _cooling(transport: LazyTLS | None) -> Iterator[None]:
    """Inside the slot: a connection opened ahead that the request did not take (an error
    before the send) is closed while the slot is still held, never after another thread took
    the slot and opened its own."""
    try:
        yield
    finally:
        if transport is not None:
            transport.cool()


def _as_given(
    results: Iterable[tuple[str, Lookup]], aliases: dict[str, list[str]]
) -> dict[str, Lookup]:
    """Lookups by canonical id (or an invalid id as given) -> keyed by every form given."""
    out: dict[str, Lookup] = {}
    for given_or_invalid, lookup in results:
        for given in aliases.get(given_or_invalid, [given_or_invalid]):
            out[given] = lookup
    return out


def _build_request(
    http: httpx.Client, url: str, asked: list[str], headers: dict[str, str]
) -> httpx.Request:
    """The request for `asked`: a GET up to GET_MAX_IDS ids, a form-encoded POST above."""
    params = {"id_list": ",".join(asked), "start": "0", "max_results": str(len(asked))}
    if len(asked) <= GET_MAX_IDS:
        return http.build_request("GET", url, params=params, headers=headers)
    return http.build_request("POST", url, data=params, headers=headers)


def _let_go(response: httpx.Response) -> None:
    """Break the reference cycle httpx keeps each response in (response.stream is a stream that
    refers back to the response), so the body is freed as soon as the caller is done with it
    rather than at the next full garbage collection: with the collector tuned for long runs,
    a cold 100,000-entry run otherwise held ~1,000 answers (250 KB each) at once."""
    import httpx

    response.stream = httpx.ByteStream(b"")


def _expects_entries(batch: list[str], run: _Run) -> bool:
    """An empty answer is suspect when at least two ids are asked for the first time.

    One new id may well not exist; a re-check is asked because the id was missing already.
    """
    return sum(1 for i in batch if i not in run.asked_again) >= 2


def _refusal(content: bytes) -> str:
    """arXiv's message from a 400 answer (an error feed), or the start of whatever was sent."""
    try:
        feed = parse_feed(content)
    except ArxivBadResponse:
        return content[:200].decode("utf-8", "replace").strip() or "HTTP 400"
    if feed.errors:
        return feed.errors[0].message
    return "HTTP 400"
