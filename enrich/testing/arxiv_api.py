"""A stand-in for arXiv's query API on 127.0.0.1: real sockets, the 2025+ Atom format, faults.

Usage (`from enrich.testing import StandIn, make_record`; a public helper for your own tests too):

    with StandIn() as server:                       # a threaded HTTP server on a random port
        server.add(make_record("2501.00001", title="A paper"), {"arxiv_id": "2501.00002"})
        server.add_history("2501.00003", [          # each version its own metadata and date:
            {"title": "Old", "authors": ["A"], "date": "2024-03-18"},   # v1
            {"title": "New", "authors": ["A", "B"], "date": "2024-06-02"},  # v2, the latest
        ])
        server.reject("2501.99999")                 # a malformed id to arXiv: the 400 error feed
        server.fail("429")                          # the next request gets a 429 "Rate exceeded."
        server.fail("429", retry_after=2)           # ... with a Retry-After header
        server.fail("503", times=2)                 # the next two get 503
        server.fail("omit", ids=["2501.00001"])     # answer without those ids
        server.delay = 0.1                          # every answer takes 0.1 s (a slow arXiv)
        settings = Settings(api_url=server.url, cache_dir=tmp_path, min_interval=0)
        ...                                         # run the client or `enrich run --api-url ...`
        server.requests                             # the log: RequestLog per request, in order
        server.requested_ids()                      # every id asked, in order
        server.max_open_connections, server.max_in_flight

The endpoint is `/api/query` (GET query string or POST form body; a raw `a=b&c=d` body without a
Content-Type works too, as on arXiv). Parameters as arXiv reads them: `id_list` (comma-separated),
`start` (0), `max_results` (default 10, as on arXiv), `search_query` (ignored). Unversioned ids
answer the latest version; `IDvN` answers version N when it exists: with that version's own
title, authors, abstract, comment and date (`<updated>`) for a paper added with `add_history`,
else the latest's metadata under the number N. Results come back in REVERSE
order of the request, so a client that matches by position fails. The body is byte-for-byte in the
shape of the 2026 captures: feed `<title>arXiv Query: ...`, the entry element order of the new
serializer, `http://arxiv.org/abs/IDvN` ids, https links, `<arxiv:primary_category>` without a
scheme, and the 400 error feed (`arXiv Search Results`, "incorrect id format for X").

Faults (`server.fail(kind, times=1, ...)`; each queued fault is used by one request, in order):
    "429" [retry_after=s]   429, text/plain "Rate exceeded.", no Retry-After unless given
    "503" "500" "502" "504" "406"   that status, a short plain-text body [retry_after=s]
    "rate_exceeded_200"     HTTP 200 whose body is "Rate exceeded."
    "truncated"             HTTP 200, the real feed cut in the middle (Content-Length matches)
    "reset"                 the socket is closed abruptly (RST), no response at all
    "slow" seconds=s        answer normally after s seconds
    "omit" ids=[...]        answer normally but leave those ids out (all found ids if ids=None)
    "empty"                 a valid feed with no entries (totalResults 0)
    "empty_page"            arXiv's glitch: no entries, while totalResults still counts the papers
    "half_page"             the same glitch, half-empty: the first half of the entries only
    "error400" [message=m]  the 400 error feed; the message names the first id unless given
Ids registered with `reject(id, message=None)` fail every request that holds them, like arXiv's
validator: HTTP 400 naming the first such id (or `message`). Ids that do not look like arXiv ids at
all (arXiv's unanchored check) are rejected the same way.

Every request is logged (RequestLog: method, ids, start, max_results, arrival and finish on
`time.monotonic()`, status, fault, User-Agent), with the peak number of open connections and of
requests in flight; `clear_log()` starts a new count.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import re
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from enrich.arxiv.feed import known_versions
from enrich.models import ArxivRecord
from enrich.runtime import regex

__all__ = [
    "Fault",
    "RequestLog",
    "StandIn",
    "make_history",
    "make_record",
    "render_error_feed",
    "render_feed",
]

_XMLNS = (
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom"'
)
_SCHEME = "http://arxiv.org/schemas/atom"
# arxiv-base parse_arxiv_id: an unanchored search, as the real validator does
_LOOKS_LIKE_ID = regex(r"\d{4}\.\d{4,5}(v\d*)?|[a-z-]+(\.[A-Za-z]{2})?/\d{2}[01]\d{4}")
_VERSIONED = regex(r"^(?P<base>.*)v(?P<v>\d+)$")
FAULT_KINDS = frozenset(
    {"429", "503", "500", "502", "504", "406", "rate_exceeded_200", "truncated", "reset", "slow"}
    | {"omit", "empty", "error400", "empty_page", "half_page"}
)


def make_record(arxiv_id: str, **fields: Any) -> ArxivRecord:
    """An ArxivRecord with plausible defaults for every field not given."""
    version = int(fields.pop("latest_version", 1))
    versioned = f"{arxiv_id}v{version}"
    when = dt.datetime(2025, 3, 28, 17, 59, 59, tzinfo=dt.UTC)
    primary = fields.get("primary_category", "cs.LG")
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "latest_version": version,
        "title": f"Title of {arxiv_id}",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "affiliations": [[], []],
        "primary_category": primary,
        "categories": [primary],
        "published": when,
        "updated": when + dt.timedelta(days=version - 1),
        "abstract": f"The abstract of {arxiv_id}.",
        "abs_url": f"https://arxiv.org/abs/{versioned}",
        "pdf_url": f"https://arxiv.org/pdf/{versioned}",
        "html_url": f"https://arxiv.org/html/{versioned}",
        "arxiv_doi": f"10.48550/arXiv.{arxiv_id}",
    }
    values.update(fields)
    if "authors" in fields and "affiliations" not in fields:
        values["affiliations"] = [[] for _ in values["authors"]]
    if "versions" not in fields:  # what an answer tells: v1's day and the returned version's
        values["versions"] = known_versions(version, values["published"], values["updated"])
    return ArxivRecord(**values)


_VERSION_FIELDS = frozenset({"title", "authors", "abstract", "comment", "date", "journal_ref"})


def make_history(
    arxiv_id: str, versions: Sequence[Mapping[str, Any]], **common: Any
) -> list[ArxivRecord]:
    """One ArxivRecord per version, v1 first: each mapping gives that version's `title`, `authors`,
    `abstract`, `comment`, `journal_ref` and `date` (a date, datetime or ISO string: the day it
    was submitted); `common` fields (categories, doi, ...) hold for all. Every record has
    `published` = v1's date and `updated` = its own, as arXiv answers `IDvN`."""
    if not versions:
        raise ValueError("a history needs at least one version")
    for number, given in enumerate(versions, 1):
        unknown = set(given) - _VERSION_FIELDS
        if unknown:
            raise ValueError(f"v{number}: unknown version fields {sorted(unknown)}")
    days = [_when(v.get("date"), n) for n, v in enumerate(versions, 1)]
    out = []
    for number, given in enumerate(versions, 1):
        fields = {**common, **{k: v for k, v in given.items() if k != "date"}}
        fields.update(latest_version=number, published=days[0], updated=days[number - 1])
        out.append(make_record(arxiv_id, **fields))
    return out


def _when(value: object, number: int) -> dt.datetime:
    if value is None:
        return dt.datetime(2025, 3, 28, 17, 59, 59, tzinfo=dt.UTC) + dt.timedelta(days=number - 1)
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(12), tzinfo=dt.UTC)
    raise TypeError(f"not a date: {value!r}")


def _stamp(value: dt.datetime | None) -> str:
    value = value or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _render_entry(record: ArxivRecord, version: int) -> str:
    versioned = f"{record.arxiv_id}v{version}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{versioned}</id>",
        f"    <title>{escape(record.title)}</title>",
        f"    <updated>{_stamp(record.updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{versioned}" rel="related" '
        'type="application/pdf" title="pdf"/>',
        f"    <summary>{escape(record.abstract)}</summary>",
    ]
    categories = list(record.categories)
    if record.primary_category and record.primary_category not in categories:
        categories.insert(0, record.primary_category)
    lines += [f'    <category term="{_attr(c)}" scheme="{_SCHEME}"/>' for c in categories]
    lines.append(f"    <published>{_stamp(record.published)}</published>")
    if record.comment:
        lines.append(f"    <arxiv:comment>{escape(record.comment)}</arxiv:comment>")
    if record.primary_category:
        lines.append(f'    <arxiv:primary_category term="{_attr(record.primary_category)}"/>')
    if record.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{escape(record.journal_ref)}</arxiv:journal_ref>")
    for i, name in enumerate(record.authors):
        lines += ["    <author>", f"      <name>{escape(name)}</name>"]
        affiliations = record.affiliations[i] if i < len(record.affiliations) else []
        lines += [f"      <arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations]
        lines.append("    </author>")
    if record.doi:
        lines.append(f"    <arxiv:doi>{escape(record.doi)}</arxiv:doi>")
        lines.append(
            f'    <link rel="related" href="https://doi.org/{_attr(record.doi)}" title="doi"/>'
        )
    lines.append("  </entry>")
    return "\n".join(lines)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_feed(
    entries: Iterable[tuple[ArxivRecord, int]],
    *,
    id_list: str,
    start: int = 0,
    max_results: int = 10,
    total: int | None = None,
    search_query: str = "",
    entry: Callable[[ArxivRecord, int], str] | None = None,
) -> bytes:
    """A 2025+ answer holding `entries` ((record, version) pairs), as arXiv's serializer does.
    `entry`: renders one pair's `<entry>` (the stand-in passes one that remembers its texts)."""
    entries = list(entries)
    query = f"search_query={search_query}&id_list={id_list}&start={start}&max_results={max_results}"
    digest = base64.b64encode(hashlib.sha1(query.encode()).digest()).decode().rstrip("=")
    link = (
        f"https://arxiv.org/api/query?search_query={search_query}&start={start}"
        f"&max_results={max_results}&id_list={id_list}"
    )
    head = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<feed {_XMLNS}>",
        f"  <id>https://arxiv.org/api/{digest}</id>",
        f"  <title>arXiv Query: {escape(query)}</title>",
        f"  <updated>{_now()}</updated>",
        f'  <link href="{_attr(link)}" type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{len(entries) if total is None else total}"
        "</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    render = _render_entry if entry is None else entry
    body = head + [render(r, v) for r, v in entries] + ["</feed>", ""]
    return "\n".join(body).encode("utf-8")


def render_error_feed(message: str) -> bytes:
    """The 2025+ error feed (sent with HTTP 400), e.g. for "incorrect id format for abc"."""
    anchor = "https://arxiv.org/api/errors#" + re.sub(r"\s", "_", message)
    now = _now()
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<feed {_XMLNS}>",
        "  <id>https://arxiv.org/</id>",
        "  <title>arXiv Search Results</title>",
        f"  <updated>{now}</updated>",
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>",
        "  <opensearch:totalResults>1</opensearch:totalResults>",
        "  <opensearch:startIndex>0</opensearch:startIndex>",
        "  <entry>",
        f"    <id>{escape(anchor)}</id>",
        "    <title>Error</title>",
        f"    <updated>{now}</updated>",
        f'    <link href="{_attr(anchor)}" rel="alternate" type="text/html"/>',
        f"    <summary>{escape(message)}</summary>",
        "    <author>",
        "      <name>arXiv api core</name>",
        "    </author>",
        "  </entry>",
        "</feed>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class Fault:
    kind: str
    retry_after: float | None = None
    seconds: float = 0.0
    ids: tuple[str, ...] | None = None
    message: str | None = None


@dataclass
class RequestLog:
    method: str
    ids: list[str]
    start: int
    max_results: int
    arrived: float  # time.monotonic() when the request line and headers were read
    finished: float = 0.0  # when the answer was written (or the socket reset)
    status: int = 0
    fault: str | None = None
    user_agent: str = ""
    params: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: Any

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that gave up (timeout) or a socket we reset on purpose: not news
        super().handle_error(request, client_address)


class LocalServer:
    """The life of a stand-in: a threaded HTTP server on 127.0.0.1 and a random port, started
    by `start()` or `with`, whose handler reads the stand-in as `self.server.standin`."""

    _handler: type[BaseHTTPRequestHandler]
    _path: str

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[Any] = []  # one record per request, in arrival order
        self._open = 0
        self._in_flight = 0
        self.max_open_connections = 0
        self.max_in_flight = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def requests(self) -> list[Any]:
        raise NotImplementedError

    def start(self) -> Self:
        server = _Server(("127.0.0.1", 0), self._handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self._path}"

    def gaps(self) -> list[float]:
        """Seconds between the end of each request and the arrival of the next one."""
        log = sorted(self.requests, key=lambda r: r.arrived)
        return [b.arrived - a.finished for a, b in itertools.pairwise(log)]

    def _connection(self, delta: int) -> None:
        with self._lock:
            self._open += delta
            self.max_open_connections = max(self.max_open_connections, self._open)

    def _arrived(self, entry: Any) -> None:
        """A request is logged and in flight (the caller holds `_lock`)."""
        self._log.append(entry)
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _ended(self) -> None:
        with self._lock:
            self._in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer on a kept-alive connection
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.standin._connection(+1)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.standin._connection(-1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        query = urlsplit(self.path).query
        self._serve("&".join(p for p in (query, body) if p))

    def _serve(self, query: str) -> None:
        standin = self.server.standin
        if urlsplit(self.path).path != "/api/query":
            self._send(404, b"Not Found", "text/plain")
            return
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        entry, fault = standin._arrive(self.command, params, self.headers.get("User-Agent", ""))
        try:
            status, body, ctype, extra = standin._answer(entry, fault)
            if status == -1:  # reset: close abruptly with RST, answer nothing
                self.close_connection = True
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                return
            self._send(status, body, ctype, extra, entry)
        finally:
            standin._done(entry)

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str,
        extra: dict[str, str] | None = None,
        entry: RequestLog | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if entry is not None:
            # the end of the answer, taken before its last write: after it, a client in this
            # process may hold the GIL long enough to make the recorded end (and a gap) drift
            entry.finished = time.monotonic()
        self.wfile.write(body)
        self.wfile.flush()


class StandIn(LocalServer):
    """The arXiv stand-in server; see the module docstring for how to use it."""

    _handler = _Handler
    _path = "/api/query"

    def __init__(self, records: Iterable[ArxivRecord | dict[str, Any]] = (), *, delay: float = 0.0):
        super().__init__()
        self.delay = delay
        self._records: dict[str, ArxivRecord] = {}
        self._history: dict[str, dict[int, ArxivRecord]] = {}  # id -> version -> its record
        self._rejected: dict[str, str | None] = {}
        self._faults: deque[Fault] = deque()
        # each (id, version)'s <entry> text with the record it was rendered from: a paper's
        # latest when it is added, others when first asked; again only when the record is
        # replaced (a 100-id answer then costs ~0.3 ms to serve, not ~3 ms)
        self._entries: dict[tuple[str, int], tuple[ArxivRecord, str]] = {}
        self.add(*records)

    # -- what it knows -----------------------------------------------------------------------

    def add(self, *records: ArxivRecord | dict[str, Any] | Iterable[ArxivRecord]) -> None:
        """Papers the server knows: ArxivRecords, dicts of ArxivRecord fields, or lists of them."""
        for item in records:
            if isinstance(item, ArxivRecord):
                self._records[item.arxiv_id] = item
                self._history.pop(item.arxiv_id, None)
                self._entry(item, item.latest_version)  # rendered now, not while serving
            elif isinstance(item, dict):
                data = dict(item)
                arxiv_id = data.pop("arxiv_id")
                self._records[arxiv_id] = record = make_record(arxiv_id, **data)
                self._history.pop(arxiv_id, None)
                self._entry(record, record.latest_version)
            else:
                self.add(*item)

    def add_history(
        self, arxiv_id: str, versions: Sequence[Mapping[str, Any]], **common: Any
    ) -> ArxivRecord:
        """A paper with per-version metadata (see make_history); returns its latest record."""
        records = make_history(arxiv_id, versions, **common)
        self._history[arxiv_id] = {r.latest_version: r for r in records}
        self._records[arxiv_id] = records[-1]
        return records[-1]

    def remove(self, arxiv_id: str) -> None:
        self._records.pop(arxiv_id, None)
        self._history.pop(arxiv_id, None)

    def reject(self, arxiv_id: str, message: str | None = None) -> None:
        """Treat `arxiv_id` as malformed: any request holding it gets the 400 error feed."""
        self._rejected[arxiv_id] = message

    def fail(
        self,
        kind: str,
        *,
        times: int = 1,
        retry_after: float | None = None,
        seconds: float = 0.0,
        ids: Iterable[str] | None = None,
        message: str | None = None,
    ) -> None:
        """Queue a misbehaviour for the next `times` requests (see the module docstring)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        fault = Fault(kind, retry_after, seconds, tuple(ids) if ids is not None else None, message)
        with self._lock:
            self._faults.extend([fault] * times)

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    # -- the log -----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestLog]:
        with self._lock:
            return list(self._log)

    def requested_ids(self) -> list[str]:
        return [i for r in self.requests for i in r.ids]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self.max_open_connections = self._open
            self.max_in_flight = self._in_flight

    # -- serving (called from the handler threads) -------------------------------------------

    def _arrive(
        self, method: str, params: dict[str, str], user_agent: str
    ) -> tuple[RequestLog, Fault | None]:
        ids = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
        entry = RequestLog(
            method=method,
            ids=ids,
            start=_int(params.get("start"), 0),
            max_results=_int(params.get("max_results"), 10),
            arrived=time.monotonic(),
            user_agent=user_agent,
            params=params,
        )
        with self._lock:
            self._arrived(entry)
            fault = self._faults.popleft() if self._faults else None
        entry.fault = fault.kind if fault is not None else None
        return entry, fault

    def _done(self, entry: RequestLog) -> None:
        entry.finished = entry.finished or time.monotonic()
        self._ended()

    def _answer(
        self, entry: RequestLog, fault: Fault | None
    ) -> tuple[int, bytes, str, dict[str, str]]:
        if self.delay:
            time.sleep(self.delay)
        status, body, ctype, extra = self._respond(entry, fault)
        entry.status = status
        return status, body, ctype, extra

    def _respond(
        self, entry: RequestLog, fault: Fault | None
    ) -> tuple[int, bytes, str, dict[str, str]]:
        atom = "application/atom+xml; charset=utf-8"
        plain = "text/plain; charset=utf-8"
        kind = fault.kind if fault else None
        extra = {}
        if fault is not None and fault.retry_after is not None:
            extra["Retry-After"] = f"{fault.retry_after:g}"
        if kind == "reset":
            return -1, b"", "", {}
        if kind == "slow" and fault is not None:
            time.sleep(fault.seconds)
        if kind == "429":
            return 429, b"Rate exceeded.", plain, extra
        if kind in {"503", "500", "502", "504", "406"}:
            reason = {"503": "Service Unavailable", "500": "Internal Server Error"}
            return int(kind or 0), reason.get(kind or "", "Error").encode(), plain, extra
        if kind == "rate_exceeded_200":
            return 200, b"Rate exceeded.", plain, {}
        if kind == "error400" and fault is not None:
            first = entry.ids[0] if entry.ids else ""
            message = fault.message or f"incorrect id format for {first}"
            return 400, render_error_feed(message), atom, {}
        for arxiv_id in entry.ids:
            if arxiv_id in self._rejected or not _LOOKS_LIKE_ID.search(arxiv_id):
                message = self._rejected.get(arxiv_id) or f"incorrect id format for {arxiv_id}"
                return 400, render_error_feed(message), atom, {}
        found = self._lookup(entry.ids)
        if kind == "omit" and fault is not None:
            drop = set(fault.ids) if fault.ids is not None else {r.arxiv_id for r, _ in found}
            found = [(r, v) for r, v in found if r.arxiv_id not in drop]
        if kind == "empty":
            found = []
        page = found[entry.start : entry.start + entry.max_results]
        if kind == "empty_page":
            page = []
        elif kind == "half_page":
            page = page[: len(page) // 2]
        body = render_feed(
            page,
            id_list=",".join(entry.ids),
            start=entry.start,
            max_results=entry.max_results,
            total=len(found),
            entry=self._entry,
        )
        if kind == "truncated":
            body = body[: len(body) // 2]
        return 200, body, atom, {}

    def _entry(self, record: ArxivRecord, version: int) -> str:
        """`_render_entry(record, version)`, remembered (handler threads may race to fill it:
        both render the same text)."""
        key = (record.arxiv_id, version)
        held = self._entries.get(key)
        if held is not None and held[0] is record:
            return held[1]
        text = _render_entry(record, version)
        self._entries[key] = (record, text)
        return text

    def _lookup(self, ids: list[str]) -> list[tuple[ArxivRecord, int]]:
        found: list[tuple[ArxivRecord, int]] = []
        for arxiv_id in ids:
            match = _VERSIONED.match(arxiv_id)
            if match and match["base"] in self._records:
                record = self._records[match["base"]]
                number = int(match["v"])
                own = self._history.get(match["base"], {}).get(number)
                if own is not None:
                    found.append((own, number))
                elif number <= record.latest_version:
                    found.append((record, number))
            elif arxiv_id in self._records:
                record = self._records[arxiv_id]
                found.append((record, record.latest_version))
        found.reverse()  # never the request order: clients must match by <id>
        return found


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default
