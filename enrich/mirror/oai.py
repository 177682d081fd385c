"""Parse one OAI-PMH `ListRecords` answer in the `arXivRaw` format: a pure function, no I/O.

`parse_list_records(content) -> OaiPage` with the papers, the ids of deleted records, the
resumption token (None on the last page: arXiv sends an empty `<resumptionToken/>` or none) and an
OAI error when the answer is one (`<error code="badResumptionToken">`, `noRecordsMatch`, ...).

The shapes, from arXiv's OAI server (arXiv/oaipmh, templates `record_formats.xml`, `macros.xml`,
`token.xml`; ../shared/docs/arxiv-api.md §7):

* `<header>` holds `<identifier>oai:arXiv.org:ID</identifier>`, the `<datestamp>` (YYYY-MM-DD, the
  record's last modification) and `<setSpec>`s; `status="deleted"` marks a deleted record, which
  carries no metadata.
* `<arXivRaw>` (namespace http://arxiv.org/OAI/arXivRaw/) holds `id`, `submitter`, one
  `<version version="vN">` per version with `<date>` (`%a, %d %b %Y %H:%M:%S GMT`), `<size>NNNkb`
  and an optional `<source_type>`, then `title`, `authors` (one string), `categories`, and the
  optional `comments`, `proxy`, `report-no`, `acm-class` (a template bug fills it with the MSC
  class: ignored), `msc-class`, `journal-ref`, `doi`, `license`, `abstract`.
* Records come ordered by datestamp; the server may send its errors with HTTP 200 (as the
  protocol says) or another status: the body decides.

Safety: the one hardened parser (enrich.safexml); a DOCTYPE is refused. A body that is not a
complete OAI-PMH document raises ArxivBadResponse, which the harvester treats as transient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from enrich.arxiv.feed import load_answer
from enrich.errors import ArxivBadResponse
from enrich.ids import try_parse
from enrich.mirror.paper import MirrorPaper, split_raw_authors
from enrich.text.markup import fold_space

__all__ = ["OAI", "RAW", "OaiError", "OaiPage", "parse_list_records"]

OAI = "http://www.openarchives.org/OAI/2.0/"
RAW = "http://arxiv.org/OAI/arXivRaw/"
_O = f"{{{OAI}}}"
_R = f"{{{RAW}}}"
_OAI_PREFIX = "oai:arXiv.org:"


@dataclass(frozen=True, slots=True)
class OaiError:
    code: str  # badResumptionToken, noRecordsMatch, badArgument, cannotDisseminateFormat, ...
    message: str


@dataclass(slots=True)
class OaiPage:
    papers: list[MirrorPaper] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)  # (id, datestamp)
    token: str | None = None
    complete_list_size: int | None = None
    error: OaiError | None = None
    skipped: int = 0  # records without a usable id

    @property
    def last_datestamp(self) -> str | None:
        stamps = [p.datestamp for p in self.papers] + [d for _, d in self.deleted]
        return max(stamps) if stamps else None


def _text(parent: Any, tag: str) -> str | None:
    element = parent.find(tag)
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def _canonical(raw: str) -> str | None:
    parsed = try_parse(raw.removeprefix(_OAI_PREFIX).strip())
    return parsed.id if parsed is not None else None


def _size_kb(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.strip().lower().removesuffix("kb").strip()
    return int(digits) if digits.isdigit() else None


def _paper(raw: Any, datestamp: str) -> MirrorPaper | None:
    arxiv_id = _canonical(_text(raw, f"{_R}id") or "")
    if arxiv_id is None:
        return None
    versions: list[tuple[int, str, int | None]] = []
    for element in raw.iterfind(f"{_R}version"):
        label = (element.get("version") or "").strip().lower().removeprefix("v")
        if label.isdigit():
            date = _text(element, f"{_R}date") or ""
            versions.append((int(label), date, _size_kb(_text(element, f"{_R}size"))))
    authors_raw = _text(raw, f"{_R}authors") or ""
    return MirrorPaper(
        arxiv_id=arxiv_id,
        datestamp=datestamp,
        versions=sorted(versions),
        title=_text(raw, f"{_R}title") or "",
        authors_raw=authors_raw,
        authors=[name for name, _ in split_raw_authors(authors_raw)],
        categories=fold_space(_text(raw, f"{_R}categories") or ""),
        abstract=_text(raw, f"{_R}abstract") or "",
        comments=_text(raw, f"{_R}comments"),
        journal_ref=_text(raw, f"{_R}journal-ref"),
        doi=_text(raw, f"{_R}doi"),
        license=_text(raw, f"{_R}license"),
        report_no=_text(raw, f"{_R}report-no"),
        submitter=_text(raw, f"{_R}submitter"),
    )


def _load(content: bytes) -> Any:
    return load_answer(content, f"{_O}OAI-PMH", "an OAI-PMH answer")


def parse_list_records(content: bytes) -> OaiPage:
    """Parse one ListRecords answer (see the module docstring)."""
    root = _load(content)
    page = OaiPage()
    error = root.find(f"{_O}error")
    if error is not None:
        message = fold_space("".join(error.itertext()))
        page.error = OaiError(error.get("code") or "unknown", message)
        return page
    listing = root.find(f"{_O}ListRecords")
    if listing is None:
        raise ArxivBadResponse("an OAI-PMH answer without ListRecords or error")
    for record in listing.iterfind(f"{_O}record"):
        header = record.find(f"{_O}header")
        if header is None:
            page.skipped += 1
            continue
        datestamp = (_text(header, f"{_O}datestamp") or "")[:10]
        if header.get("status") == "deleted":
            arxiv_id = _canonical(_text(header, f"{_O}identifier") or "")
            if arxiv_id is None:
                page.skipped += 1
            else:
                page.deleted.append((arxiv_id, datestamp))
            continue
        raw = record.find(f"{_O}metadata/{_R}arXivRaw")
        paper = _paper(raw, datestamp) if raw is not None else None
        if paper is None:
            page.skipped += 1
        else:
            page.papers.append(paper)
    token = listing.find(f"{_O}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip() or None
        size = token.get("completeListSize")
        page.complete_list_size = int(size) if size and size.isdigit() else None
    return page
