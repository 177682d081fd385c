"""A stand-in for arXiv's OAI-PMH server on 127.0.0.1: `ListRecords` in `arXivRaw`, real sockets.

Usage (`from enrich.testing import OaiStandIn`):

    with OaiStandIn(page_size=500) as oai:           # a threaded HTTP server on a random port
        oai.add(make_record("2501.00001"), datestamp="2026-11-20")
        oai.delete("2501.00002", datestamp="2026-11-21")   # listed with <header status="deleted">
        oai.fail("503", retry_after=2)             # the next request gets 503 + Retry-After: 2
        oai.fail("expire")                         # the next request with a token is refused
        oai.expire_tokens()                        # every token issued so far is now expired
        settings = Settings(oai_url=oai.url, cache_dir=tmp_path, min_interval=0)
        oai.requests, oai.gaps()                   # the log, as the API stand-in keeps it

The answers have the shape of arXiv's server (arXiv/oaipmh templates): the OAI-PMH envelope with
`responseDate` and `request`, records ordered by (datestamp, id), each `<header>` with
`oai:arXiv.org:ID`, the day datestamp and the set specs of its categories, the `<arXivRaw>` fields
in the template's order (a version per `versions` entry, or v1 at `published` and the latest at
`updated` when the record has none), a `<resumptionToken>` while more pages remain and an empty
`<resumptionToken/>` on the last one, and `<error code="...">` answers (HTTP 200) for
`noRecordsMatch`, `badResumptionToken`, `badArgument` and `cannotDisseminateFormat`.

Parameters: `verb=ListRecords`, `metadataPrefix=arXivRaw`, `from`/`until` (days, inclusive), `set`
(enrich.mirror.sets), or `resumptionToken` alone. Tokens carry the query and a skip; they expire
with `expire_tokens()` or a queued "expire" fault.

Faults (`fail(kind, times=1, retry_after=None)`, used one per request in order): "503", "500",
"429" (with Retry-After when given), "reset" (RST, no answer), "truncated" (the page cut in half),
"expire" (a request carrying a token is answered badResumptionToken; other requests ignore it).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import struct
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from enrich.mirror.sets import is_valid_set, set_covers
from enrich.models import ArxivRecord
from enrich.testing.arxiv_api import LocalServer, _Handler

__all__ = ["OaiRequest", "OaiStandIn", "raw_authors", "render_list_records"]

OAI_FAULTS = frozenset({"503", "500", "429", "reset", "truncated", "expire"})
_RAW_DATE = "%a, %d %b %Y %H:%M:%S GMT"


@dataclass
class OaiRequest:
    params: dict[str, str]
    arrived: float  # time.monotonic()
    finished: float = 0.0
    status: int = 0
    fault: str | None = None
    error: str | None = None  # the OAI error code answered, if any
    records: int = 0
    retry_after: float | None = None


@dataclass
class _Held:
    record: ArxivRecord | None  # None: deleted
    arxiv_id: str
    datestamp: str
    categories: list[str] = field(default_factory=list)


def raw_authors(names: list[str]) -> str:
    """Names as arXiv's metadata writes them: "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _version_dates(record: ArxivRecord) -> list[tuple[int, dt.datetime]]:
    """Every version 1..latest with a submission time: v1 at `published`, the latest at
    `updated` (as the API answers), the others on the day `versions` gives (noon) or spread
    evenly between."""
    first = record.published or dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    last = record.updated or first
    latest = record.latest_version
    days = {v.version: v.date for v in record.versions if v.date is not None}
    dates = []
    for n in range(1, latest + 1):
        if n == 1:
            dates.append((n, first))
        elif n == latest:
            dates.append((n, last))
        elif n in days:
            dates.append((n, dt.datetime.combine(days[n], dt.time(12), tzinfo=dt.UTC)))
        else:
            dates.append((n, first + (last - first) * (n - 1) / (latest - 1)))
    return dates


def _set_specs(categories: list[str]) -> list[str]:
    specs = []
    for category in categories:
        archive = category.split(".", 1)[0]
        for group in ("cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat"):
            if set_covers(group, [category]):
                spec = f"{group}:{archive}" + (
                    f":{category.split('.', 1)[1]}" if "." in category else ""
                )
                if spec not in specs:
                    specs.append(spec)
    return specs


def _render_record(held: _Held) -> str:
    header = [
        "<header" + (' status="deleted"' if held.record is None else "") + ">",
        f"<identifier>oai:arXiv.org:{held.arxiv_id}</identifier>",
        f"<datestamp>{held.datestamp}</datestamp>",
        *[f"<setSpec>{escape(s)}</setSpec>" for s in _set_specs(held.categories)],
        "</header>",
    ]
    record = held.record
    if record is None:
        return "<record>" + "".join(header) + "</record>"
    lines = [
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">',
        f"<id>{escape(record.arxiv_id)}</id>",
        f"<submitter>{escape(record.authors[0] if record.authors else 'Someone')}</submitter>",
    ]
    for number, date in _version_dates(record):
        lines.append(
            f'<version version="v{number}"><date>{date.strftime(_RAW_DATE)}</date>'
            f"<size>{100 + number}kb</size><source_type>D</source_type></version>"
        )
    categories = list(record.categories)
    if record.primary_category and record.primary_category not in categories:
        categories.insert(0, record.primary_category)
    lines += [
        f"<title>{escape(record.title)}</title>",
        f"<authors>{escape(raw_authors(record.authors))}</authors>",
        f"<categories>{escape(' '.join(categories))}</categories>",
    ]
    if record.comment:
        lines.append(f"<comments>{escape(record.comment)}</comments>")
    if record.journal_ref:
        lines.append(f"<journal-ref>{escape(record.journal_ref)}</journal-ref>")
    if record.doi:
        lines.append(f"<doi>{escape(record.doi)}</doi>")
    lines.append("<license>http://creativecommons.org/licenses/by/4.0/</license>")
    lines.append(f"<abstract>  {escape(record.abstract)}\n</abstract>")
    lines.append("</arXivRaw>")
    return "<record>" + "".join(header) + "<metadata>" + "\n".join(lines) + "</metadata></record>"


def _envelope(params: dict[str, str], inner: str) -> bytes:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    attrs = "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in params.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"<responseDate>{now}</responseDate>\n"
        f"<request{attrs}>https://oaipmh.arxiv.org/oai</request>\n{inner}\n</OAI-PMH>\n"
    ).encode()


def render_list_records(
    params: dict[str, str], held: list[_Held], token: str | None, total: int
) -> bytes:
    """One ListRecords page; `token` None is the last page (an empty resumptionToken)."""
    body = "\n".join(_render_record(h) for h in held)
    if token is None:
        tail = "<resumptionToken/>"
    else:
        tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%d")
        tail = (
            f"<resumptionToken expires='{tomorrow}T00:00:00Z' "
            f"completeListSize='{total}'>{token}</resumptionToken>"
        )
    return _envelope(params, f"<ListRecords>\n{body}\n{tail}\n</ListRecords>")


def _error(params: dict[str, str], code: str, message: str) -> bytes:
    return _envelope(params, f"<error code='{code}'>{escape(message)}</error>")


class _OaiHandler(_Handler):
    def do_GET(self) -> None:
        self._serve_oai(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self._serve_oai(body)

    def _serve_oai(self, query: str) -> None:
        standin: OaiStandIn = self.server.standin
        if urlsplit(self.path).path != "/oai":
            self._send(404, b"Not Found", "text/plain")
            return
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        entry = standin._arrive(params)
        try:
            status, body, extra = standin._answer(entry)
            if status == -1:  # reset
                self.close_connection = True
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                return
            ctype = "application/xml" if status == 200 else "text/plain; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            # the end of the answer, taken before its last write (as the API stand-in does): a
            # busy test process may run this thread late, which would make gaps look short
            entry.finished = time.monotonic()
            self.wfile.write(body)
            self.wfile.flush()
        finally:
            entry.finished = entry.finished or time.monotonic()
            standin._ended()


class OaiStandIn(LocalServer):
    """The OAI-PMH stand-in; see the module docstring."""

    _handler = _OaiHandler
    _path = "/oai"

    def __init__(self, *, page_size: int = 100, delay: float = 0.0) -> None:
        super().__init__()
        self.page_size = page_size
        self.delay = delay
        self._held: dict[str, _Held] = {}
        self._faults: deque[tuple[str, float | None]] = deque()
        self._generation = 0

    # -- what it holds -------------------------------------------------------------------------

    def add(
        self, *records: ArxivRecord | Iterable[ArxivRecord], datestamp: str | None = None
    ) -> None:
        """Papers, with the day of their last change (default: their `updated` day)."""
        for item in records:
            if not isinstance(item, ArxivRecord):
                self.add(*item, datestamp=datestamp)
                continue
            day = (
                datestamp
                or (item.updated or item.published or dt.datetime(2025, 1, 1)).date().isoformat()
            )
            categories = list(item.categories)
            if item.primary_category and item.primary_category not in categories:
                categories.insert(0, item.primary_category)
            with self._lock:
                self._held[item.arxiv_id] = _Held(item, item.arxiv_id, day, categories)

    def delete(self, arxiv_id: str, *, datestamp: str) -> None:
        with self._lock:
            old = self._held.get(arxiv_id)
            cats = old.categories if old else []
            self._held[arxiv_id] = _Held(None, arxiv_id, datestamp, cats)

    def fail(self, kind: str, *, times: int = 1, retry_after: float | None = None) -> None:
        if kind not in OAI_FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(OAI_FAULTS)}")
        with self._lock:
            self._faults.extend([(kind, retry_after)] * times)

    def expire_tokens(self) -> None:
        with self._lock:
            self._generation += 1

    # -- the log -------------------------------------------------------------------------------

    @property
    def requests(self) -> list[OaiRequest]:
        with self._lock:
            return list(self._log)

    # -- serving -------------------------------------------------------------------------------

    def _arrive(self, params: dict[str, str]) -> OaiRequest:
        entry = OaiRequest(params=params, arrived=time.monotonic())
        with self._lock:
            self._arrived(entry)
            fault = self._faults[0] if self._faults else None
            if fault is not None and (fault[0] != "expire" or "resumptionToken" in params):
                self._faults.popleft()
                entry.fault, entry.retry_after = fault
        return entry

    def _answer(self, entry: OaiRequest) -> tuple[int, bytes, dict[str, str]]:
        if self.delay:
            time.sleep(self.delay)
        status, body, extra = self._respond(entry)
        entry.status = status
        return status, body, extra

    def _respond(self, entry: OaiRequest) -> tuple[int, bytes, dict[str, str]]:
        params, kind = entry.params, entry.fault
        extra: dict[str, str] = {}
        if kind in {"503", "500", "429"}:
            if entry.retry_after is not None:
                extra["Retry-After"] = f"{entry.retry_after:g}"
            return int(kind or 0), b"Service Unavailable", extra
        if kind == "reset":
            return -1, b"", {}
        status, body = self._list(entry, params)
        if kind == "truncated":
            body = body[: len(body) // 2]
        return status, body, {}

    def _list(self, entry: OaiRequest, params: dict[str, str]) -> tuple[int, bytes]:
        def error(code: str, message: str) -> tuple[int, bytes]:
            entry.error = code
            return 200, _error(params, code, message)

        if params.get("verb") != "ListRecords":
            return error("badVerb", "only ListRecords is served by this stand-in")
        query: dict[str, Any]
        if "resumptionToken" in params:
            if len(params) != 2:
                return error("badArgument", "resumptionToken is an exclusive argument")
            try:
                query = json.loads(base64.urlsafe_b64decode(params["resumptionToken"]))
            except ValueError:
                return error("badResumptionToken", "The value of the resumptionToken is invalid")
            if entry.fault == "expire" or query.get("gen") != self._generation:
                return error("badResumptionToken", "The resumptionToken is invalid or expired.")
        else:
            if params.get("metadataPrefix") != "arXivRaw":
                return error("cannotDisseminateFormat", "this stand-in serves arXivRaw only")
            if params.get("set") and not is_valid_set(params["set"]):
                return error("badArgument", f"unknown set {params['set']}")
            query = {k: params.get(k) for k in ("from", "until", "set")} | {"skip": 0}
        with self._lock:
            held = sorted(self._held.values(), key=lambda h: (h.datestamp, h.arxiv_id))
            generation = self._generation
        chosen = [
            h
            for h in held
            if (not query.get("from") or h.datestamp >= query["from"])
            and (not query.get("until") or h.datestamp <= query["until"])
            and set_covers(query.get("set"), h.categories)
        ]
        if not chosen:
            return error(
                "noRecordsMatch", "The combination of the values results in an empty list."
            )
        skip = int(query.get("skip") or 0)
        page = chosen[skip : skip + self.page_size]
        entry.records = len(page)
        token = None
        if skip + self.page_size < len(chosen):
            nxt = dict(query, skip=skip + self.page_size, gen=generation)
            token = base64.urlsafe_b64encode(json.dumps(nxt).encode()).decode()
        return 200, render_list_records(params, page, token, len(chosen))
