"""`enrich mirror sync`: an OAI-PMH `ListRecords` harvest of `arXivRaw` into the mirror.

How a sync goes (../shared/docs/arxiv-api.md §7 for arXiv's side):

1. Where to start: a sync of the same set that was interrupted (killed, network gone) resumes
   with its saved resumption token; otherwise the list starts `from` the day given, else from the
   newest datestamp the mirror holds (that day is listed again: datestamps have day granularity),
   else from the beginning.
2. Every request holds the same budget as the query API (enrich/arxiv/limiter.py, or the Redis
   one with `redis_url`; enrich/arxiv/backends.py make_limiter): one connection, `min_interval`
   end-to-start, shared with every concurrent run, so a sync and an `enrich run` never talk to
   arXiv at once. A 429/503 makes every process hold
   off; its Retry-After is honoured (capped at `backoff_max`), except `Retry-After: 0`, which arXiv
   sends with its 503 "first byte timeout" and is not "go now": the usual back-off applies.
3. Each page is written with the harvest's progress (the next token, the last datestamp) in one
   transaction: a kill loses at most the page in flight, and a restart neither repeats a page's
   counts nor skips one.
4. `badResumptionToken` (tokens expire at the next UTC midnight) restarts the list from the last
   datestamp committed (arXiv lists records in datestamp order, so nothing is skipped; the
   re-listed day is idempotent). `noRecordsMatch` is an empty list: nothing changed.
5. At the end the sync is marked complete (see store.py: a complete sync vouches for the
   freshness of every paper of its set) and the counts are returned.

Why not oaipmh-scythe (0.16, the maintained fork of sickle): it is built on `httpx2`, a second
HTTP stack beside httpx (respx and our transport injection do not reach it); its retry loop calls
`time.sleep` itself, outside any limiter slot, with no injectable clock or sleep and no shared
back-off, and it takes `Retry-After: 0` as "go now"; and its item iterator hides the page
boundaries that per-page commits and token resumption need. What would remain of it is the
resumption-token loop and the XML walk: a few dozen lines here (and oai.py), on the project's own
limiter, retry policy and hardened parser.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import tenacity

from enrich.arxiv.backends import Budget, make_limiter
from enrich.arxiv.retry import THROTTLE_STATUSES, build_retrying, parse_retry_after
from enrich.errors import ArxivBadResponse, ArxivError, ArxivHTTPError, ArxivUnavailable
from enrich.mirror.oai import OaiPage, parse_list_records
from enrich.mirror.store import HarvestState, MirrorStore
from enrich.settings import Settings

__all__ = ["MAX_RESTARTS", "OaiError", "SyncProgress", "SyncResult", "sync"]

log = logging.getLogger(__name__)

MAX_RESTARTS = 5  # expired tokens in a row before giving up (each restart costs one request)
MIN_READ_TIMEOUT = 180.0  # arXiv's OAI pages have taken ~3 min to a first byte (April 2026)


class OaiError(ArxivError):
    """The OAI-PMH server refused the request (badArgument, cannotDisseminateFormat, ...)."""


@dataclass(frozen=True, slots=True)
class SyncProgress:
    pages: int
    records: int
    last_day: str | None
    list_size: int | None


@dataclass(frozen=True, slots=True)
class SyncResult:
    set_spec: str
    from_day: str | None
    resumed: bool
    pages: int
    records: int
    added: int
    updated: int
    unchanged: int
    deleted: int
    restarts: int
    requests: int


class _Harvest:
    def __init__(
        self,
        settings: Settings,
        store: MirrorStore,
        http: httpx.Client,
        limiter: Budget,
        sleep: Callable[[float], None],
        rng: random.Random,
    ) -> None:
        self.settings = settings
        self.store = store
        self.http = http
        self.limiter = limiter
        self.sleep = sleep
        self.rng = rng
        self.requests = 0

    def request(self, params: dict[str, str]) -> OaiPage:
        retrying = build_retrying(
            self.settings, sleep=self.sleep, rng=self.rng, before_sleep=self._before_retry
        )
        attempts = [0]
        try:
            page: OaiPage = retrying(self._attempt, params, attempts)
        except (ArxivError, httpx.HTTPError) as exc:
            raise ArxivUnavailable(
                f"no usable OAI-PMH answer after {attempts[0]} attempt(s) "
                f"({type(exc).__name__}: {exc})",
                self.settings.oai_url,
                attempts[0],
            ) from exc
        return page

    def _attempt(self, params: dict[str, str], attempts: list[int]) -> OaiPage:
        attempts[0] += 1
        url = self.settings.oai_url
        headers = {"User-Agent": self.settings.full_user_agent, "Connection": "close"}
        with self.limiter.slot():
            self.requests += 1
            response = self.http.get(url, params=params, headers=headers)
            content = response.content
        try:
            page = parse_list_records(content)
        except ArxivBadResponse as exc:
            if response.status_code == 200:
                raise ArxivBadResponse(str(exc), url, attempts[0]) from None
            page = None
        if page is not None and page.error is not None:
            return page  # an OAI error is an answer, whatever the HTTP status
        if response.status_code != 200 or page is None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            snippet = content[:80].decode("utf-8", "replace").strip()
            raise ArxivHTTPError(
                f"HTTP {response.status_code}: {snippet!r}",
                url,
                attempts[0],
                response.status_code,
                retry_after=retry_after or None,  # Retry-After: 0 is not "go now"
            )
        return page

    def _before_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log.info(
            "OAI-PMH attempt %d failed (%s); retrying in %.1f s", state.attempt_number, exc, wait
        )
        if isinstance(exc, ArxivHTTPError) and exc.status in THROTTLE_STATUSES:
            self.limiter.hold_off(wait)


def _first_params(set_spec: str, from_day: str | None) -> dict[str, str]:
    params = {"verb": "ListRecords", "metadataPrefix": "arXivRaw"}
    if from_day:
        params["from"] = from_day
    if set_spec:
        params["set"] = set_spec
    return params


def sync(
    settings: Settings,
    store: MirrorStore,
    *,
    set_spec: str = "",
    from_day: str | None = None,
    http: httpx.Client | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
) -> SyncResult:
    """Harvest `set_spec` ("" = all) into `store`; see the module docstring for every step.

    Raises ArxivUnavailable when a page cannot be had after all retries (progress so far is kept:
    run again to resume) and OaiError when the server refuses the request itself.
    """
    settings.check_oai_polite()
    own_http = http is None
    if http is None:
        http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout, read=max(settings.timeout, MIN_READ_TIMEOUT)),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
            follow_redirects=True,
        )
    limiter = make_limiter(settings, clock=clock, sleep=sleep)
    harvest = _Harvest(settings, store, http, limiter, sleep, rng or random.Random())
    try:
        return _run(harvest, store, set_spec, from_day, progress)
    finally:
        limiter.close()
        if own_http:
            http.close()


def _run(
    harvest: _Harvest,
    store: MirrorStore,
    set_spec: str,
    from_day: str | None,
    progress: Callable[[SyncProgress], None] | None,
) -> SyncResult:
    state = store.harvest_state(set_spec)
    resumed = state is not None and (from_day is None or from_day == state.from_day)
    if state is None or not resumed:
        start = from_day or store.last_datestamp(set_spec)
        source = store.begin_source(
            "sync", harvest.settings.oai_url, set_spec=set_spec, from_day=start
        )
        state = HarvestState(set_spec, source, start, None, None, 0, 0, 0, 0, 0, 0)
    token = state.token
    params = {"verb": "ListRecords", "resumptionToken": token} if token else None
    params = params or _first_params(set_spec, state.from_day)
    restarts = in_a_row = 0
    while True:
        page = harvest.request(params)
        if page.error is not None:
            if page.error.code == "noRecordsMatch":
                break
            if page.error.code == "badResumptionToken" and in_a_row < MAX_RESTARTS:
                restarts += 1
                in_a_row += 1
                log.info("resumption token refused (%s); listing again", page.error.message)
                params = _first_params(set_spec, state.last_day or state.from_day)
                continue
            raise OaiError(
                f"OAI-PMH error {page.error.code}: {page.error.message}", harvest.settings.oai_url
            )
        in_a_row = 0
        last_day = max(filter(None, [state.last_day, page.last_datestamp]), default=None)
        records = len(page.papers) + len(page.deleted)
        next_state = HarvestState(
            set_spec,
            state.source,
            state.from_day,
            page.token,
            last_day,
            state.pages + 1,
            state.records + records,
            state.added,
            state.updated,
            state.unchanged,
            state.deleted,
        )
        counts = store.write_sync_page(page.papers, page.deleted, state.source, next_state)
        state = dataclasses.replace(
            next_state,
            added=next_state.added + counts.added,
            updated=next_state.updated + counts.updated,
            unchanged=next_state.unchanged + counts.unchanged,
            deleted=next_state.deleted + counts.deleted,
        )
        if progress is not None:
            progress(
                SyncProgress(state.pages, state.records, state.last_day, page.complete_list_size)
            )
        if not page.token:
            break
        params = {"verb": "ListRecords", "resumptionToken": page.token}
    with store.transaction():
        store.finish_source(state.source, records=state.records)
        store.end_harvest(set_spec)
    return SyncResult(
        set_spec=set_spec,
        from_day=state.from_day,
        resumed=resumed,
        pages=state.pages,
        records=state.records,
        added=state.added,
        updated=state.updated,
        unchanged=state.unchanged,
        deleted=state.deleted,
        restarts=restarts,
        requests=harvest.requests,
    )
