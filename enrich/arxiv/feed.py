"""Parse an arXiv API answer (Atom) into ArxivRecords: a pure function, no I/O, no settings.

`parse_feed(content) -> Feed` accepts both servers arXiv has run behind `/api/query`:

* the 2025+ server (arxiv-search "classic_api"): namespaces declared once on `<feed>`,
  `<arxiv:primary_category>` without a `scheme`, `https://doi.org/` DOI links, error feeds titled
  `arXiv Search Results` with HTTP 400;
* the legacy (Perl) server: namespaces declared on each element, titles hard-wrapped over several
  lines, `http://` links, and MSC/ACM codes sent as `<category>` terms.

Quirks handled here, and why (see ../shared/docs/arxiv-api.md §2-3):

* Namespace-aware matching only; prefixes differ between the servers.
* The entry `<id>` is always `http://arxiv.org/abs/<id>vN` (http on purpose, even now); it is the
  only key for matching answers to requests, never the position in the feed.
* Text is folded (`\\s+` -> one space, stripped): legacy titles are wrapped, summaries start with
  two spaces.
* `<category>` terms that are not arXiv categories (MSC `03B70, 68Q99`, ACM `F.4.1; K.2`) are
  dropped: only known taxonomy codes or terms shaped like one are kept.
* Entries whose `<id>` holds `/api/errors#`, or titled `Error` without an abs id, are errors
  (`Feed.errors`), never papers. Legacy entries without any `<id>` are skipped.
* The URLs of a record are built from the id (https, the current forms), not copied from the
  legacy `http://` links.
* `withdrawn` is a heuristic on the comment: the API has no withdrawn flag.
* `versions` holds what one answer tells of the version history: `<published>` is v1's
  submission, `<updated>` the returned version's (so the latest's, when asked without a version).
* `records` is keyed by the id without version; `entries` keeps every entry in order, so an
  answer holding two versions of one paper (`IDv1,IDv2` asked together) loses neither.

Safety: the parser resolves no entities, loads no DTD, never touches the network and refuses huge
trees; a document carrying a DOCTYPE is refused outright (arXiv never sends one), so XXE and entity
bombs fail as ArxivBadResponse. Non-XML bodies ("Rate exceeded.") and truncated XML raise
ArxivBadResponse too: the caller treats them as transient. A complete document the parser refuses
for what it holds (a text node past libxml2's 10 MB limit, a character XML forbids) raises
ArxivUnparseable: asking again gives the same answer, so the caller isolates the entry instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from enrich.errors import ArxivBadResponse, ArxivUnparseable
from enrich.ids import try_parse
from enrich.models import ArxivRecord, ArxivVersion, construct_valid
from enrich.runtime import regex
from enrich.safexml import safe_xml_parser
from enrich.taxonomy import taxonomy
from enrich.text.markup import fold_space

__all__ = [
    "ARXIV",
    "ATOM",
    "OPENSEARCH",
    "Feed",
    "FeedError",
    "is_withdrawn",
    "known_versions",
    "load_answer",
    "parse_feed",
]

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"

_A = f"{{{ATOM}}}"
_X = f"{{{ARXIV}}}"
_OS = f"{{{OPENSEARCH}}}"
_ID, _TITLE, _SUMMARY, _NAME = f"{_A}id", f"{_A}title", f"{_A}summary", f"{_A}name"
_AUTHOR, _CATEGORY, _LINK = f"{_A}author", f"{_A}category", f"{_A}link"
_PRIMARY, _AFFILIATION = f"{_X}primary_category", f"{_X}affiliation"

_ABS_ID = regex(r"^https?://(?:www\.|export\.)?arxiv\.org/abs/(?P<id>.+?)(?:v(?P<v>\d+))?/?$")
# An arXiv category code: "cs.LG", "astro-ph", "cond-mat.mes-hall", "q-fin.EC", "math-ph".
_CATEGORY_SHAPE = regex(r"^[a-z]+(?:-[a-z]+)?(?:\.(?:[A-Z]{2}|[a-z]+(?:-[a-z]+)?))?$")
_PAPER = r"(?:paper|article|manuscript|submission|preprint|version|work|this|it)"
_WITHDRAWN = regex(
    rf"""
      ^\W*withdrawn\b                                     # "Withdrawn.", "withdrawn by ..."
    | \bhas\s+been\s+withdrawn\b                          # "This paper has been withdrawn"
    | \b{_PAPER}\s+(?:is|was)\s+(?:now\s+|being\s+)?withdrawn\b
    | \b{_PAPER}\s+withdrawn\b                             # "Paper withdrawn by the authors"
    | \bwithdrawn\s+(?:by\s+(?:the\s+)?(?:authors?|submitter|arxiv)|due\s+to|because)\b
    | \b(?:authors?|we|I)\s+(?:have\s+|has\s+)?withdr(?:aw|ew|awn)\s+(?:this|the|our|my)\b
    | \bwithdraw(?:s|ing)?\s+(?:this|the|our)\s+{_PAPER}\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


# libxml2's messages for a document refused for its content, not its shape: the same every time
_CONTENT_REFUSED = ("Resource limit exceeded", "too long", "invalid Char value")


@dataclass(frozen=True, slots=True)
class FeedError:
    """An error entry: arXiv refused the request (e.g. "incorrect id format for abc")."""

    message: str
    id: str = ""


@dataclass(frozen=True, slots=True)
class Feed:
    """One parsed answer: its papers keyed by canonical id, its error entries, its header."""

    records: dict[str, ArxivRecord] = field(default_factory=dict)
    entries: tuple[ArxivRecord, ...] = ()
    errors: tuple[FeedError, ...] = ()
    title: str | None = None
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None
    skipped: int = 0  # entries that were neither a paper nor an error (legacy empty entries)


def _parser() -> Any:
    return safe_xml_parser(remove_comments=True, remove_pis=True)


def _fold(text: str | None) -> str:
    """Runs of white space -> one space, stripped (fold_space); None -> ""."""
    return fold_space(text) if text else ""


def _all_text(element: Any) -> str:
    """The text of an element and of everything inside it (mixed content, e.g. an odd `<b>`)."""
    if len(element):
        return "".join(element.itertext())
    return element.text or ""


def _text(parent: Any, tag: str) -> str | None:
    element = parent.find(tag)
    if element is None:
        return None
    return _all_text(element)


def _optional(parent: Any, tag: str) -> str | None:
    value = _fold(_text(parent, tag))
    return value or None


class _Children:
    """An entry's children, read once: the first of each tag (what `find` would return), and
    every author, category and link in order."""

    __slots__ = ("authors", "categories", "first", "links")

    def __init__(self, entry: Any) -> None:
        self.first: dict[Any, Any] = {}
        self.authors: list[Any] = []
        self.categories: list[Any] = []
        self.links: list[Any] = []
        first = self.first
        for child in entry:
            tag = child.tag
            if tag == _AUTHOR:
                self.authors.append(child)
            elif tag == _CATEGORY:
                self.categories.append(child)
            elif tag == _LINK:
                self.links.append(child)
            if tag not in first:
                first[tag] = child

    def text(self, tag: str) -> str | None:
        element = self.first.get(tag)
        return None if element is None else _all_text(element)

    def folded(self, tag: str) -> str:
        return _fold(self.text(tag))

    def optional(self, tag: str) -> str | None:
        return self.folded(tag) or None

    def datetime(self, tag: str) -> dt.datetime | None:
        return _to_datetime(self.optional(tag))


def _int(parent: Any, tag: str) -> int | None:
    value = _optional(parent, tag)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _to_datetime(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def is_withdrawn(comment: str | None) -> bool:
    """Does this arXiv comment announce a withdrawal? ("This paper has been withdrawn by ...")."""
    return bool(comment) and _WITHDRAWN.search(comment or "") is not None


def _is_category(term: str) -> bool:
    return taxonomy().is_known(term) or _CATEGORY_SHAPE.fullmatch(term) is not None


def _split_id(text: str) -> tuple[str, int | None] | None:
    """`http://arxiv.org/abs/hep-th/9901001v2` -> ("hep-th/9901001", 2); None if not an abs id."""
    match = _ABS_ID.match(text.strip())
    if match is None:
        return None
    raw, version = match["id"], match["v"]
    parsed = try_parse(raw)
    base = parsed.id if parsed is not None else raw
    return base, int(version) if version else None


def _version_from_links(links: list[Any]) -> int | None:
    for link in links:
        split = _split_id(link.get("href", ""))
        if split is not None and split[1] is not None:
            return split[1]
    return None


def _record(entry: _Children, arxiv_id: str, version: int | None) -> ArxivRecord:
    latest = version or _version_from_links(entry.links) or 1
    versioned = f"{arxiv_id}v{latest}"
    authors: list[str] = []
    affiliations: list[list[str]] = []
    for author in entry.authors:
        authors.append(_fold(_text(author, _NAME)))
        affiliations.append([_fold(_all_text(a)) for a in author.iterfind(_AFFILIATION)])
    categories: list[str] = []
    for element in entry.categories:
        term = _fold(element.get("term"))
        if term and _is_category(term) and term not in categories:
            categories.append(term)
    primary = entry.first.get(_PRIMARY)
    primary_term = _fold(primary.get("term")) if primary is not None else ""
    comment = entry.optional(f"{_X}comment")
    published = entry.datetime(f"{_A}published")
    updated = entry.datetime(f"{_A}updated")
    # every value is built here with the field's exact type, every field in the model's order:
    # validating them again took a third of the parse, and model_construct a tenth
    # (tests/test_arxiv_feed.py holds the records equal to validated ones)
    return construct_valid(
        ArxivRecord,
        arxiv_id=arxiv_id,
        latest_version=latest,
        title=entry.folded(_TITLE),
        authors=authors,
        affiliations=affiliations,
        primary_category=primary_term or None,
        categories=categories,
        published=published,
        updated=updated,
        abstract=entry.folded(_SUMMARY),
        comment=comment,
        journal_ref=entry.optional(f"{_X}journal_ref"),
        doi=entry.optional(f"{_X}doi"),
        abs_url=f"https://arxiv.org/abs/{versioned}",
        pdf_url=f"https://arxiv.org/pdf/{versioned}",
        html_url=f"https://arxiv.org/html/{versioned}",
        arxiv_doi=f"10.48550/arXiv.{arxiv_id}",
        withdrawn=is_withdrawn(comment),
        versions=known_versions(latest, published, updated),
    )


def known_versions(
    version: int, published: dt.datetime | None, updated: dt.datetime | None
) -> list[ArxivVersion]:
    """The versions one answer dates: v1 by `<published>`, the returned version by `<updated>`."""
    out: dict[int, ArxivVersion] = {}
    if published is not None:  # an int and a date: nothing to validate
        out[1] = construct_valid(ArxivVersion, version=1, date=published.date())
    if updated is not None and (version > 1 or 1 not in out):
        out[version] = construct_valid(ArxivVersion, version=version, date=updated.date())
    elif version not in out:
        out[version] = construct_valid(ArxivVersion, version=version, date=None)
    return [out[v] for v in sorted(out)]


def _load(content: bytes) -> Any:
    return load_answer(content, f"{_A}feed", "an Atom feed", refused=_CONTENT_REFUSED)


def load_answer(content: bytes, root_tag: str, what: str, *, refused: tuple[str, ...] = ()) -> Any:
    """The hardened parse of one answer from arXiv (the API's Atom, OAI-PMH's XML): its root
    element, or ArxivBadResponse for an empty body, broken XML, a DTD or another root element.
    A complete document the parser refuses for its content (a message in `refused`) is
    ArxivUnparseable instead: not transient, so not worth a retry."""
    if not content or not content.strip():
        raise ArxivBadResponse(f"empty body where {what} was expected")
    from lxml import etree  # loaded with the first answer: a run from the cache never needs it

    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        snippet = content[:60].decode("utf-8", "replace").strip()
        if any(sign in str(exc) for sign in refused):
            raise ArxivUnparseable(f"an entry the parser refuses: {exc}") from None
        if content.lstrip().startswith(b"<"):
            raise ArxivBadResponse(f"truncated or malformed XML: {exc}") from None
        raise ArxivBadResponse(f"not XML: {snippet!r}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ArxivBadResponse("the answer declares a DTD; refused (arXiv never sends one)")
    if root.tag != root_tag:
        raise ArxivBadResponse(f"not {what}: root element {root.tag!r}")
    return root


def parse_feed(content: bytes) -> Feed:
    """Parse one API answer. Raises ArxivBadResponse when it is not a complete Atom feed."""
    root = _load(content)
    records: dict[str, ArxivRecord] = {}
    entries: list[ArxivRecord] = []
    errors: list[FeedError] = []
    skipped = 0
    for element in root.iterfind(f"{_A}entry"):
        entry = _Children(element)
        entry_id = entry.folded(_ID)
        title = entry.folded(_TITLE)
        split = _split_id(entry_id) if entry_id else None
        if "/api/errors" in entry_id or (split is None and title == "Error"):
            message = entry.folded(_SUMMARY) or title or entry_id
            errors.append(FeedError(message=message, id=entry_id))
        elif split is None:
            skipped += 1
        else:
            records[split[0]] = _record(entry, *split)
            entries.append(records[split[0]])
    return Feed(
        records=records,
        entries=tuple(entries),
        errors=tuple(errors),
        title=_optional(root, f"{_A}title"),
        total_results=_int(root, f"{_OS}totalResults"),
        start_index=_int(root, f"{_OS}startIndex"),
        items_per_page=_int(root, f"{_OS}itemsPerPage"),
        skipped=skipped,
    )
