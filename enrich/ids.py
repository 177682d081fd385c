"""arXiv identifiers: parse every form they take in the wild into (canonical id, version).

Accepted forms (case-insensitive where arXiv is):
  2503.22370, 2503.22370v2, arXiv:2503.22370v2, arxiv.org/abs/2503.22370, .../pdf/2503.22370v1.pdf,
  .../html/2503.22370v1, export.arxiv.org/abs/..., 10.48550/arXiv.2503.22370 (the arXiv DOI),
  hep-th/9901001, math.GT/0309136 (the subject class is dropped: math/0309136),
  and every page that names a paper by its arXiv id: arxiv.org/{abs,pdf,html,format,src,ps}/ID,
  arxiv.org/ID, abs/arXiv:ID, ar5iv, alphaxiv, huggingface.co/papers/ID, paperswithcode and
  semanticscholar arXiv links, papers.cool/arxiv/ID, `data-arxiv-id="ID"` attributes.

Rules (arXiv's identifier scheme, see ../shared/docs/arxiv-api.md §5):
  new style YYMM.NNNN from 0704 to 1412, YYMM.NNNNN from 1501; the month must be 01-12;
  old style archive/YYMMNNN from 9107 to 0703 with a known archive; a version is v1 or later.
This module is pure: no I/O, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from enrich.errors import InvalidArxivId
from enrich.runtime import COMPARISON, WITHIN_ENTRY, regex, remembered
from enrich.taxonomy import taxonomy

__all__ = [
    "ArxivId",
    "IdMatch",
    "MalformedId",
    "find_arxiv_ids",
    "find_malformed_ids",
    "format_id",
    "parse_arxiv_id",
    "try_parse",
]

_NEW = r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})"
_OLD = (
    r"(?P<archive>[a-zA-Z]+(?:-[a-zA-Z]+)?)(?:\.(?P<subj>[A-Za-z]{2}))?"
    r"/(?P<oyymm>\d{4})(?P<onum>\d{3})"
)
_VERSION = r"(?:[vV](?P<version>\d+))?"
_CORE = rf"(?:{_NEW}|{_OLD}){_VERSION}"
_EXACT = regex(rf"{_CORE}")

# The pages that name a paper by its arXiv id: the URL up to where the id starts.
_HOSTS = (
    r"(?:https?://)?(?:(?:www|export|[a-z]{2})\.)?arxiv\.org/(?:(?:abs|pdf|html|format|src|ps)/+)?"
    r"(?:arxiv:)?"
    r"|(?:https?://)?(?:www\.)?ar5iv(?:\.labs\.arxiv)?\.org/(?:abs|html|pdf)/+"
    r"|(?:https?://)?(?:www\.)?alphaxiv\.org/(?:abs|overview|pdf)/+"
    r"|(?:https?://)?(?:www\.)?huggingface\.co/papers/+"
    r"|(?:https?://)?(?:www\.|arxiv\.)?paperswithcode\.com/(?:[\w/]*?/)?(?:arxiv{sep}|papers/)"
    r"|(?:https?://)?(?:www\.|api\.)?semanticscholar\.org/(?:[\w/]*?/)?arxiv{sep}"
    r"|(?:https?://)?(?:www\.)?papers\.cool/arxiv/+"
)
# In a scan, "…/paper/arxiv:ID" is found by its "arXiv:" prefix (the id as written stays short).
_SCAN_HOSTS = _HOSTS.replace("{sep}", "/")
_HOSTS = _HOSTS.replace("{sep}", "[:/]")
# Prefixes that may stand before an id in an exact parse.
_URL_PREFIX = regex(rf"^(?:{_HOSTS})", re.IGNORECASE)
_DOI_PREFIX = regex(
    r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.", re.IGNORECASE
)
_ARXIV_PREFIX = regex(r"^(?:data-)?arxiv(?:[-_]id)?\s*[:：=]?\s*[\"']?", re.IGNORECASE)

# Scanning free text: an id (the core), then what stands right before it -- a link to a page that
# names the paper, an arXiv DOI, "arXiv:", a data-arxiv-id attribute -- or nothing (a bare id).
# Two steps rather than one pattern with an optional prefix: that pattern tried every host at
# every character of the text, which made scanning long prose several times slower.
_ID_CORE = regex(
    r"(?:(?P<yymm>\d{4})\.(?P<num>\d{4,5})"
    r"|(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subj>[A-Z]{2}))?/(?P<oyymm>\d{4})(?P<onum>\d{3}))"
    r"(?:v(?P<version>\d+))?"
    r"(?![\d])",
    re.IGNORECASE,
)
_BEFORE = regex(
    rf"(?:(?P<url>{_SCAN_HOSTS})"
    r"|(?P<doi>10\.48550/arxiv\.)"
    r"|(?P<prefix>arxiv\s*[:：]?\s*|data-arxiv-id\s*=\s*[\"']?)"
    r")\Z",
    re.IGNORECASE,
)
_LOOKBACK = 160  # the longest prefix looked for before an id
# An arXiv context (a link to an arXiv page, an arXiv DOI, "arXiv:", an arXiv attribute) and the
# token written after it: when that token is no valid id, the digest wrote a malformed id.
_CONTEXT = regex(
    rf"(?:(?<![\w.])(?:{_HOSTS})|10\.48550/arxiv\.|(?<![\w/.-])arxiv\s*[:：]\s*"
    r"|data-arxiv-id\s*=\s*[\"']?)"
    r"(?P<token>(?:\d|[a-z]+(?:-[a-z]+)?(?:\.[a-z]{2})?/\d)[^\s<>\"'()\[\]{},;|*`]{0,40})",
    re.IGNORECASE,
)
_TOKEN_END = regex(r"(?:\.pdf|\.html?)?[.:]?$", re.IGNORECASE)

_GLUED = regex(r"[\w./-]")


@dataclass(frozen=True, slots=True, order=True)
class ArxivId:
    """A canonical arXiv id (no version, no subject class) and an optional version."""

    id: str
    version: int | None = None

    @property
    def versioned(self) -> str:
        return format_id(self.id, self.version)

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.versioned}"

    def __str__(self) -> str:
        return self.versioned


@dataclass(frozen=True, slots=True)
class IdMatch:
    """An id found in free text, with where it stands."""

    arxiv_id: ArxivId
    start: int
    end: int
    text: str
    in_link: bool


@dataclass(frozen=True, slots=True)
class MalformedId:
    """An id written in an arXiv context (link, DOI, `arXiv:` prefix) that is no valid id."""

    start: int
    end: int
    text: str
    reason: str


def format_id(base: str, version: int | None) -> str:
    return f"{base}v{version}" if version else base


def _check(groups: dict[str, str | None], text: str) -> ArxivId:
    if groups.get("yymm"):
        return _check_new(groups["yymm"] or "", groups["num"] or "", groups.get("version"), text)
    version = _version(groups.get("version"), text)
    archive = (groups.get("archive") or "").lower()
    oyymm = groups.get("oyymm") or ""
    tax = taxonomy()
    if archive not in tax.archives or archive in {"bad-arch"}:
        raise InvalidArxivId(text, f"{archive!r} is not an arXiv archive")
    yy, mm = int(oyymm[:2]), int(oyymm[2:])
    if not 1 <= mm <= 12:
        raise InvalidArxivId(text, f"month {oyymm[2:]} does not exist")
    stamp = (1900 + yy) * 100 + mm if yy >= 91 else (2000 + yy) * 100 + mm
    if not 199107 <= stamp <= 200703:
        raise InvalidArxivId(text, "old-style ids run from 9107 to 0703")
    return ArxivId(f"{archive}/{oyymm}{groups.get('onum')}", version)


def _version(written: str | None, text: str) -> int | None:
    version = int(written) if written else None
    if version is not None and version < 1:
        raise InvalidArxivId(text, "versions start at v1")
    return version


def _check_new(yymm: str, num: str, written_version: str | None, text: str) -> ArxivId:
    """A new-style id's parts (YYMM, the number, the version as written) checked."""
    version = _version(written_version, text)
    if not 1 <= int(yymm[2:]) <= 12:
        raise InvalidArxivId(text, f"month {yymm[2:]} does not exist")
    stamp = int(yymm)
    if stamp < 704:
        raise InvalidArxivId(text, "new-style ids start in April 2007 (0704)")
    if stamp <= 1412 and len(num) != 4:
        raise InvalidArxivId(text, f"ids from {yymm} have four digits after the dot")
    if stamp >= 1501 and len(num) != 5:
        raise InvalidArxivId(text, f"ids from {yymm} have five digits after the dot")
    return ArxivId(f"{yymm}.{num}", version)


# A new-style id as it is written most (bare, or in an arXiv abstract or PDF link): every step
# of the full parse leaves its id part as it is, so the id's check alone decides.
_PLAIN_ID = regex(
    r"(?:https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)?(\d{4})\.(\d{4,5})(?:[vV](\d+))?"
)
_TRAILER = regex(r"(?:\.pdf)?(?:[?#].*)?/?(?:\s+\[[^\[\]]*\]?)?$", re.IGNORECASE)


@remembered(8192, WITHIN_ENTRY)  # pure, and asked about the same id several times per entry
def parse_arxiv_id(text: str) -> ArxivId:
    """Parse one identifier in any accepted form, or raise InvalidArxivId with a plain reason."""
    plain = _PLAIN_ID.fullmatch(text)
    if plain is not None:
        yymm, num, version = plain.groups()
        return _check_new(yymm, num, version, text)
    return _parse(text)


def _parse(text: str) -> ArxivId:
    """The full parse: every accepted form (parse_arxiv_id takes a shortcut for plain ids)."""
    raw = text
    s = text.strip().strip("<>()[]\"'")
    if not s:
        raise InvalidArxivId(raw, "it is empty")
    s = _URL_PREFIX.sub("", s, count=1)
    s = _DOI_PREFIX.sub("", s, count=1)
    s = _ARXIV_PREFIX.sub("", s, count=1)
    s = _TRAILER.sub("", s)
    m = _EXACT.fullmatch(s)
    if m is None:
        if re.fullmatch(r"\d{4}\.\d+(?:v\d+)?", s):
            raise InvalidArxivId(raw, "new-style ids have four or five digits after the dot")
        if re.fullmatch(r"\d{7}(?:v\d+)?", s):
            raise InvalidArxivId(raw, "an old-style id needs its archive, e.g. hep-th/9901001")
        raise InvalidArxivId(raw, "it matches neither YYMM.NNNNN nor archive/YYMMNNN")
    return _check(m.groupdict(), raw)


# Every id holds one of these, and a parsed id is a piece of the text as written (the parse only
# takes off what stands before and after it): text without one is no id, and need not be parsed.
_MAY_HOLD_ID = regex(r"\d{4}\.\d|\d{7}")


# a link that is no arXiv id (a code repository) is asked about again too
@remembered(8192, WITHIN_ENTRY, COMPARISON)
def try_parse(text: str) -> ArxivId | None:
    if _MAY_HOLD_ID.search(text) is None:
        return None
    try:
        return parse_arxiv_id(text)
    except InvalidArxivId:
        return None


def find_arxiv_ids(text: str, *, bare: bool = True) -> Iterator[IdMatch]:
    """Every valid arXiv id in `text`, in order. Bare numbers count only when `bare` is true."""
    for m in _ID_CORE.finditer(text):
        groups: dict[str, str | None] = m.groupdict()
        start = m.start()
        before = _BEFORE.search(text[max(0, start - _LOOKBACK) : start]) if start else None
        if before is not None:
            groups.update(before.groupdict())
            start -= len(before.group(0))
        else:
            groups.update(url=None, doi=None, prefix=None)
        in_link = bool(groups["url"] or groups["doi"])
        glued = start > 0 and _GLUED.match(text, start - 1)
        if not (in_link or groups["prefix"]) and (not bare or glued):
            continue  # part of a longer token: a path, a version string, a number
        written = text[start : m.end()]
        try:
            arxiv_id = _check(groups, written)
        except InvalidArxivId:
            continue
        yield IdMatch(arxiv_id, start, m.end(), written, in_link)


def find_malformed_ids(text: str) -> Iterator[MalformedId]:
    """Every id written in an arXiv context that does not parse: `arxiv.org/abs/2401.123`,
    `arXiv:2413.00001`, `10.48550/arXiv.12345`. A valid id there is not reported."""
    for m in _contexts(text):
        token = _TOKEN_END.sub("", m.group("token"))
        written = text[m.start() : m.start("token") + len(token)]
        try:
            parse_arxiv_id(written)
        except InvalidArxivId as exc:
            if _valid_prefix(token):
                continue  # "arXiv:2401.00001v2.pdf#page=3": the id itself is fine
            yield MalformedId(m.start(), m.start("token") + len(token), written, exc.reason)


_ANCHOR = regex(r"arxiv|ar5iv|alphaxiv|huggingface\.co|10\.48550", re.IGNORECASE)


def _contexts(text: str) -> Iterator[re.Match[str]]:
    """_CONTEXT's matches, looked for only around the words every arXiv context contains."""
    end = 0
    for anchor in _ANCHOR.finditer(text):
        if anchor.start() < end:
            continue
        m = _CONTEXT.search(text, max(end, anchor.start() - 60), anchor.end() + 200)
        if m is not None and m.start() <= anchor.start():
            end = m.end()
            yield m


def _valid_prefix(token: str) -> bool:
    m = _EXACT.match(token)
    if m is None or (m.end() < len(token) and token[m.end()].isdigit()):
        return False
    try:
        _check(m.groupdict(), token)
    except InvalidArxivId:
        return False
    return True
