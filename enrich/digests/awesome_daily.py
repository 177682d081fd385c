"""awesome-daily-AI-arxiv topic lists (Tavish9/awesome-daily-AI-arxiv and its copies).

One markdown bullet per paper under "## 📚 Paper List":

    - **[Title](http://arxiv.org/abs/2503.24357v1)**  `arXiv:2503.24357`  `cs.CV` `cs.AI`
      _First Author, Second Author, ..., Sixth Author, et al._
      <details open><summary>Abstract</summary>
      abstract text (often cut at about 300 characters, sometimes empty)
      </details>

The link is the entry's id (as written, versioned or not); the `arXiv:ID` code span beside it is a
second statement of the id and becomes a claim (field "arxiv_id", origin "arxiv code span"). The
other code spans are the categories. Lists are cut after six names with "et al.". The file's date
(in the page title) is the list's date, not the paper's, so `date` stays None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from enrich.digests.base import LABELLED, SimpleFormat
from enrich.digests.blocks import safe_entry
from enrich.digests.links import version_of
from enrich.digests.text import clean_text, clean_title, line_of, split_authors
from enrich.models import Claim, DigestEntry, Source
from enrich.runtime import regex

__all__ = ["FORMAT"]

NAME = "awesome-daily-ai-arxiv"

# One entry starts at a top-level bullet whose text is bold.
_ENTRY_START = regex(r"^- \*\*", re.MULTILINE)
# The usual header: bold link, then code spans.
_HEADER = regex(r"^- \*\*\[(?P<title>.*)\]\((?P<url>[^()\s]*)\)\*\*(?P<rest>.*)$")
# A bold title without a link (a broken entry).
_BOLD_ONLY = regex(r"^- \*\*(?P<title>.+?)\*\*(?P<rest>.*)$")
_CODE_SPAN = regex(r"`([^`\n]*)`")
_ARXIV_SPAN = regex(r"^\s*arxiv\s*[:：]", re.IGNORECASE)
_CATEGORY = regex(r"^[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
_URL = regex(r"https?://[^\s()<>\[\]`\"']+")
_DETAILS = regex(r"<details\b[^>]*>(?P<body>.*?)(?:</details>|\Z)", re.DOTALL | re.IGNORECASE)
_SUMMARY = regex(r"<summary\b[^>]*>.*?</summary>", re.DOTALL | re.IGNORECASE)
_HEADING = regex(r"^#{1,6}\s", re.MULTILINE)
_PAPER_LIST = regex(r"^#{1,3}\s.*Paper List\s*$", re.MULTILINE | re.IGNORECASE)
_SNIFF_ENTRY = regex(
    r"^- \*\*\[[^\n]*\]\((?:https?://)?(?:export\.)?arxiv\.org/abs/[^)\s]*\)\*\*\s+`arXiv:",
    re.MULTILINE | re.IGNORECASE,
)
_SNIFF_LIMIT = 200_000


def sniff(text: str, path: str) -> float:
    """Sure on bold-link + `arXiv:ID` code-span bullets; surer with the page's header."""
    head = text[:_SNIFF_LIMIT]
    entries = len(_SNIFF_ENTRY.findall(head))
    marked = "awesome-daily-ai-arxiv" in head.lower() or bool(
        re.search(r"img\.shields\.io/badge/Papers-\d+", head)
    )
    if entries and marked:
        return 0.95
    if entries >= 2:
        return 0.8
    if entries == 1:
        return 0.6
    if marked and _PAPER_LIST.search(head):
        return 0.55  # an empty list from this producer
    return 0.0


def _entry(text: str, path: str, start: int, end: int) -> DigestEntry:
    block = text[start:end]
    line = line_of(text, start)
    source = Source(path=path, line=line, format=NAME)
    first, _, body = block.partition("\n")
    first = first.rstrip()
    title_text: str | None = None
    url: str | None = None
    rest = ""
    m = _HEADER.match(first)
    if m:
        title_text, url, rest = m.group("title"), m.group("url"), m.group("rest")
    else:
        b = _BOLD_ONLY.match(first)
        if b:
            title_text, rest = b.group("title"), b.group("rest")
        else:
            title_text = first[2:]

    claims: list[Claim] = []
    categories: list[str] = []
    span_id: str | None = None
    for span in _CODE_SPAN.findall(rest):
        value = span.strip()
        if _ARXIV_SPAN.match(value):
            if span_id is None:
                span_id = value
            claims.append(Claim(field="arxiv_id", value=value, line=line, origin="arxiv code span"))
        elif _CATEGORY.match(value) and value not in categories:
            categories.append(value)

    arxiv_id = url.strip() if url and url.strip() else None
    if arxiv_id is None and span_id is not None:
        # no link: the code span is the only id statement, so it is the entry's id, not a claim
        arxiv_id = span_id
        claims = [c for c in claims if c.value != span_id]
    links: list[str] = []
    for found in _URL.findall(first):
        if found not in links:
            links.append(found)

    authors: list[str] = []
    truncated = False
    details = _DETAILS.search(body)
    author_zone = body[: details.start()] if details else body
    for raw in author_zone.splitlines():
        if raw.strip():
            authors, truncated = split_authors(raw.strip())
            break

    abstract: str | None = None
    if details:
        abstract = clean_text(_SUMMARY.sub(" ", details.group("body"))) or None

    title = clean_title(title_text) if title_text else None
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=title or None,
        authors=authors,
        authors_truncated=truncated,
        categories=categories,
        abstract=abstract,
        links=links,
        source=source,
        claims=claims,
    )


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    """One entry per bold bullet after the "Paper List" heading (or anywhere when it is absent)."""
    listing = _PAPER_LIST.search(text)
    offset = listing.end() if listing else 0
    starts = [m.start() for m in _ENTRY_START.finditer(text, offset)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        heading = _HEADING.search(text, start, end)  # a later section ends the list
        end = heading.start() if heading else end
        entry = safe_entry(
            partial(_entry, text, path, start, end), path, line_of(text, start), NAME
        )
        if entry is not None:
            yield entry


FORMAT = SimpleFormat(
    name=NAME,
    description="awesome-daily-AI-arxiv topic lists: bold arXiv link, `arXiv:ID`, category spans",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=LABELLED,
)
