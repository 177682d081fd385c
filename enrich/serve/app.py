"""The HTTP service (FastAPI): the library's look-ups and enrichment for many callers at once.

    POST /v1/enrich        digest text (+ format) or ingest entries in, EnrichedEntry out
                           (JSON, or NDJSON when the body is NDJSON or Accept asks for it)
    GET  /v1/papers/{id}   one ArxivRecord, cache first      POST /v1/papers   many ids
    GET  /healthz          live and ready (cache and budget reachable)
    GET  /metrics          Prometheus text                   GET  /openapi.json

No logic the CLI lacks: parsing, look-ups and comparison are the library's (Pipeline.enrich with
the answers of the coalescing queue). The service never fetches a URL a caller gives it: the
arXiv URL is configuration only, and the links in entries are data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import secrets
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import iterate_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from enrich import __version__
from enrich.arxiv.client import Lookup
from enrich.errors import EnrichError
from enrich.models import ArxivRecord, DigestEntry, EnrichedEntry, RunSummary
from enrich.serve.metrics import Metrics
from enrich.serve.queue import Coalescer, QueueFull
from enrich.settings import Settings

__all__ = ["create_app"]

NDJSON = "application/x-ndjson"


class PaperAnswer(BaseModel):
    """What became of one id: `record` when found, `reason` otherwise."""

    arxiv_id: str
    status: Literal["found", "not_found", "invalid", "unavailable"]
    record: ArxivRecord | None = None
    reason: str | None = None


class PapersRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(
        description="arXiv ids, any form `enrich` reads (2501.00001, "
        "arXiv:2501.00001v2, hep-th/9901001)."
    )


class PapersAnswer(BaseModel):
    results: list[PaperAnswer]


class VersionWanted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    arxiv_id: str
    version: int = Field(ge=1, le=1000)


class VersionsRequest(BaseModel):
    """Single versions (IDvN) to look up: `wanted`, and `optional` ones asked only to fill the
    room left in the last request (as ArxivClient.fetch_versions)."""

    model_config = ConfigDict(extra="forbid")
    wanted: list[VersionWanted]
    optional: list[VersionWanted] = Field(default_factory=list)


class VersionsAnswer(BaseModel):
    records: list[ArxivRecord]


class EnrichRequest(BaseModel):
    """Either `text` (a digest, with an optional `format` and the `path` to name in `source`) or
    `entries` (DigestEntry objects, as `enrich ingest` writes them)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = None
    format: str | None = None
    path: str = "request"
    entries: list[dict[str, Any]] | None = None


class EnrichAnswer(BaseModel):
    entries: list[EnrichedEntry]
    summary: RunSummary


class Problem(BaseModel):
    detail: str


def create_app(settings: Settings, *, source: Any | None = None) -> FastAPI:
    """The ASGI app. `source` is the look-up source (default: the one the settings name)."""
    from enrich.arxiv.backends import open_lookup_source

    metrics = Metrics()
    state: dict[str, Coalescer] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = source is None
        chosen = source if source is not None else open_lookup_source(settings)
        coalescer = Coalescer(chosen, settings, metrics=metrics)
        await coalescer.start()
        state["queue"] = coalescer
        try:
            yield
        finally:
            await coalescer.stop()
            if own:
                close = getattr(chosen, "close", None)
                if close is not None:
                    close()

    app = FastAPI(
        title="arxiv-enrich",
        version=__version__,
        summary="arXiv look-ups and digest enrichment for many callers, on one polite budget.",
        lifespan=lifespan,
    )
    bearer = HTTPBearer(auto_error=False)

    async def authorized(  # async: a sync dependency would cost a thread hop per request
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> None:
        if not settings.serve_token:
            return
        given = credentials.credentials if credentials is not None else ""
        if not secrets.compare_digest(given.encode(), settings.serve_token.encode()):
            raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})

    def queue() -> Coalescer:
        return state["queue"]

    async def lookups(request: Request, ids: list[str]) -> dict[str, Lookup]:
        """The queue's answers, abandoned (costing nothing more) if the caller disconnects."""
        try:
            answers: dict[str, Lookup] = await _unless_disconnected(request, queue().lookup(ids))
            return answers
        except QueueFull as full:
            raise HTTPException(
                503, str(full), {"Retry-After": str(math.ceil(full.retry_after))}
            ) from None

    responses: dict[int | str, dict[str, Any]] = {
        401: {"model": Problem, "description": "serve_token is set and was not given"},
        413: {"model": Problem, "description": "the body is larger than serve_max_body"},
        503: {"model": Problem, "description": "the queue is full: see Retry-After"},
    }

    @app.get("/healthz", responses={503: {"description": "not ready"}})
    async def healthz() -> JSONResponse:
        """Live and ready: the cache and the arXiv budget can be reached."""
        checks = await asyncio.to_thread(_readiness, queue().source)
        ready = all(v == "ok" for v in checks.values())
        body = {"status": "ok" if ready else "degraded", **checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        dependencies=[Depends(authorized)],
        responses={401: responses[401]},
    )
    async def metrics_text() -> PlainTextResponse:
        """Prometheus text: requests to arXiv, ids per request, cache hits, queue, waits, errors."""
        coalescer = queue()
        stats = getattr(coalescer.source, "stats", None)
        waited = float(getattr(stats, "seconds_waiting", 0.0) or 0.0)
        gauges = {
            "queue_depth": ("Ids waiting for a request to arXiv.", float(coalescer.depth)),
            "queue_in_flight": ("Ids in the request being made.", float(coalescer.in_flight)),
        }
        text = metrics.render(gauges, waited)
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get(
        "/v1/papers/{arxiv_id:path}",
        response_model=PaperAnswer,
        dependencies=[Depends(authorized)],
        responses={
            404: {"model": PaperAnswer, "description": "arXiv does not know it"},
            422: {"model": PaperAnswer, "description": "not an arXiv id"},
            **responses,
        },
    )
    async def get_paper(arxiv_id: str, request: Request) -> JSONResponse:
        """One paper's ArxivRecord (cache first); 404 not found, 422 invalid, 503 unavailable."""
        answer = _answer(arxiv_id, (await lookups(request, [arxiv_id]))[arxiv_id])
        status = {"found": 200, "not_found": 404, "invalid": 422, "unavailable": 503}
        headers = {"Retry-After": "10"} if answer.status == "unavailable" else None
        return JSONResponse(answer.model_dump(mode="json"), status[answer.status], headers)

    @app.post(
        "/v1/papers",
        response_model=PapersAnswer,
        dependencies=[Depends(authorized)],
        responses=responses,
    )
    async def post_papers(body: PapersRequest, request: Request) -> PapersAnswer:
        """Many ids at once (at most serve_max_ids): one answer per distinct id, in order."""
        ids = list(dict.fromkeys(body.ids))
        if len(ids) > settings.serve_max_ids:
            raise HTTPException(
                422, f"{len(ids)} ids; at most {settings.serve_max_ids} per request (serve_max_ids)"
            )
        answers = await lookups(request, ids)
        return PapersAnswer(results=[_answer(i, answers[i]) for i in ids])

    versions_lock = asyncio.Lock()

    @app.post(
        "/v1/versions",
        response_model=VersionsAnswer,
        dependencies=[Depends(authorized)],
        responses=responses,
    )
    async def post_versions(body: VersionsRequest) -> VersionsAnswer:
        """The own records of single versions (what `enrich run --server` needs to tell a later
        version's change from a digest's error); cache first, never expiring."""
        if len(body.wanted) + len(body.optional) > settings.serve_max_ids:
            raise HTTPException(
                422, f"at most {settings.serve_max_ids} versions per request (serve_max_ids)"
            )
        fetch = getattr(queue().source, "fetch_versions", None)
        if fetch is None:
            return VersionsAnswer(records=[])
        wanted = [(v.arxiv_id, v.version) for v in body.wanted]
        optional = [(v.arxiv_id, v.version) for v in body.optional]
        async with versions_lock:  # one at a time: the source's connection is shared
            got = await asyncio.to_thread(fetch, wanted, optional)
        return VersionsAnswer(records=list(got.values()))

    @app.post(
        "/v1/enrich",
        response_model=EnrichAnswer,
        dependencies=[Depends(authorized)],
        responses={
            **responses,
            200: {
                "content": {NDJSON: {}},
                "description": "EnrichAnswer, or EnrichedEntry lines when NDJSON is sent or asked",
            },
        },
    )
    async def post_enrich(body: EnrichRequest, request: Request) -> Any:
        """Enrich a digest (`text`) or ingest entries (`entries`, or an NDJSON body of them)."""
        entries = _entries(body, settings)
        return await _enrich(request, entries, _wants_ndjson(request))

    async def _enrich(request: Request, entries: list[DigestEntry], ndjson: bool) -> Any:
        from enrich.pipeline import Pipeline

        if len(entries) > settings.serve_max_entries:
            raise HTTPException(
                422,
                f"{len(entries)} entries; at most {settings.serve_max_entries} per request "
                "(serve_max_entries)",
            )
        ids = list(dict.fromkeys(e.arxiv_id for e in entries if e.status == "valid" and e.arxiv_id))
        answers = await lookups(request, ids) if ids else {}
        pipe = Pipeline(settings, client=_Answered(answers))
        if ndjson:
            lines = (e.model_dump_json() + "\n" for e in pipe.enrich(entries))
            return StreamingResponse(iterate_in_threadpool(lines), media_type=NDJSON)
        enriched = await asyncio.to_thread(lambda: list(pipe.enrich(entries)))
        return EnrichAnswer(entries=enriched, summary=pipe.summary)

    # NDJSON bodies (one DigestEntry per line) reach the same handler through this route
    app.router.routes.insert(0, _NdjsonRoute(_enrich, authorized, settings).route())
    return BodyLimit(_Counted(app, metrics), settings.serve_max_body)  # type: ignore[return-value]


class _Counted:
    """Counts answers by route and status for /metrics (a plain ASGI wrapper: cheap)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [0]

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            route = getattr(scope.get("route"), "path", "other")
            self.metrics.http[(route, status[0] or 500)] += 1


class _NdjsonRoute:
    """POST /v1/enrich with Content-Type application/x-ndjson: kept out of the OpenAPI document
    (which describes the JSON form) and matched before the JSON route."""

    def __init__(self, enrich: Any, authorized: Any, settings: Settings) -> None:
        self.enrich = enrich
        self.authorized = authorized
        self.settings = settings

    def route(self) -> Any:
        from starlette.routing import Route

        async def endpoint(request: Request) -> Response:
            if self.settings.serve_token:
                header = request.headers.get("authorization", "")
                scheme, _, token = header.partition(" ")
                if scheme.lower() != "bearer" or not secrets.compare_digest(
                    token.encode(), self.settings.serve_token.encode()
                ):
                    return JSONResponse(
                        {"detail": "a bearer token is required"},
                        401,
                        {"WWW-Authenticate": "Bearer"},
                    )
            from enrich.ingest import _jsonl_entries, validate

            text = (await request.body()).decode("utf-8", "replace")
            entries = [validate(e) for e in _jsonl_entries(text.splitlines(), "request")]
            try:
                result = await self.enrich(request, entries, True)
            except HTTPException as exc:
                return JSONResponse({"detail": exc.detail}, exc.status_code, exc.headers)
            return result  # type: ignore[no-any-return]

        class NdjsonOnly(Route):
            def matches(self, scope: Scope) -> Any:
                from starlette.routing import Match

                match, child = super().matches(scope)
                headers = dict(scope.get("headers") or [])
                kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
                if match is Match.FULL and kind != NDJSON.encode():
                    return Match.NONE, {}
                return match, child

        return NdjsonOnly("/v1/enrich", endpoint, methods=["POST"], include_in_schema=False)


class _Answered:
    """A LookupSource that gives the answers the queue already has (for Pipeline.enrich)."""

    def __init__(self, answers: dict[str, Lookup]) -> None:
        self.answers = answers

    def fetch(self, ids: Iterable[str], progress: Any = None) -> dict[str, Lookup]:
        return {i: self.answers[i] for i in ids if i in self.answers}


def _answer(given: str, lookup: Lookup) -> PaperAnswer:
    status: Any = lookup.status
    return PaperAnswer(arxiv_id=given, status=status, record=lookup.record, reason=lookup.reason)


def _wants_ndjson(request: Request) -> bool:
    return NDJSON in request.headers.get("accept", "")


def _entries(body: EnrichRequest, settings: Settings) -> list[DigestEntry]:
    from enrich.digests import get_format, sniff_format
    from enrich.ingest import _jsonl_entries, validate

    if (body.text is None) == (body.entries is None):
        raise HTTPException(422, "give either `text` (a digest) or `entries`, not both")
    if body.entries is not None:
        if len(body.entries) > settings.serve_max_entries:
            raise HTTPException(
                422,
                f"{len(body.entries)} entries; at most {settings.serve_max_entries} per request "
                "(serve_max_entries)",
            )
        lines = (json.dumps(e) for e in body.entries)
        return [validate(e) for e in _jsonl_entries(lines, body.path)]
    try:
        fmt = get_format(body.format) if body.format else sniff_format(body.text or "", body.path)
        return [validate(e) for e in fmt.parse(body.text or "", body.path)]
    except EnrichError as exc:
        raise HTTPException(422, str(exc)) from None


def _readiness(source: Any) -> dict[str, str]:
    """Can the cache and the budget be reached? (Redis: a PING; the disk: the cache opened.)"""
    checks = {"cache": "ok", "budget": "ok"}
    client = getattr(source, "redis", None)
    if client is not None:
        try:
            client.ping()
        except Exception as exc:
            from enrich.arxiv.redis_store import redis_reason

            reason = redis_reason(getattr(source.settings, "redis_url", "redis"), exc)
            checks = {"cache": reason, "budget": reason}
        return checks
    note = getattr(source, "cache_note", None)
    if note:
        checks["cache"] = str(note)
    return checks


async def _unless_disconnected(request: Request, work: Awaitable[Any]) -> Any:
    """Run `work`, cancelling it if the client goes away first (so it stops costing)."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(request.receive))
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if task not in done:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise HTTPException(499, "the client went away")
    return task.result()


async def _disconnected(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, before anything reads them (Content-Length
    first; a chunked body is counted as it arrives)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __getattr__(self, name: str) -> Any:  # tests and tools reach the FastAPI app through us
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(send)
            return
        if scope.get("method") in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replay: Iterator[Message] = iter(
            [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
        )

        async def replayed() -> Message:
            for message in replay:
                return message
            return await receive()

        await self.app(scope, replayed, send)

    async def _refuse(self, send: Send) -> None:
        detail = f"the request body is larger than serve_max_body ({self.limit} bytes)"
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
