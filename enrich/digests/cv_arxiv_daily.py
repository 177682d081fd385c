"""cv-arxiv-daily (Vincentqyw/cv-arxiv-daily and its many forks): a table or bullet list per topic.

README.md (a table per topic, one row per paper):

    ## SLAM
    |Publish Date|Title|Authors|PDF|Code|
    |---|---|---|---|---|
    |**2022-09-24**|**Title**|First Author et.al.|[2209.12091v1](http://arxiv.org/abs/2209.12091v1)|null|

  The header decides the columns (forks reorder or add some, e.g. `| :---: |` alignment rows).

docs/wechat.md (the same data as bullets):

    - 2022-11-30, **Title**, First Author et.al., Paper: [http://arxiv.org/abs/ID](same),
      Code: **[url](url)**           (one line in the file)

Entries: every table row under a header that has a Title column, and every bullet of the
`- date, **Title**, ...` shape. A row without any arXiv link is still a paper of the digest and
yields an entry with `arxiv_id` None (validation marks it invalid); headings, the table of contents,
badges and link references are not entries.

Fields: `arxiv_id` is the PDF column's link (or the `Paper:` link) as written, `version` from it;
`date` is the Publish Date column; authors via split_authors (the producer writes only the first
author and always "et.al.", so `authors_truncated` is set on every entry); `links` every URL of the
row; the topic heading is not an arXiv category and is not recorded. Any other arXiv id in the row
(a code link that names one, a second PDF link) becomes an `arxiv_id` claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from enrich.digests.base import STRUCTURED, SimpleFormat
from enrich.digests.blocks import safe_entry
from enrich.digests.claims import id_claims
from enrich.digests.links import links_in, pick_main, urls_in, version_of
from enrich.digests.rows import is_separator_row, split_row
from enrich.digests.text import clean_text, clean_title, split_authors
from enrich.models import DigestEntry, Source
from enrich.runtime import regex
from enrich.text.dates import parse_date

__all__ = ["FORMAT"]

NAME = "cv-arxiv-daily"

_HEADER = regex(
    r"^\|\s*(?:\*\*)?Publish\s+Date(?:\*\*)?\s*\|.*\bTitle\b.*\|.*\bAuthors\b.*\|", re.IGNORECASE
)
_BULLET = regex(
    r"^\s*[-*]\s+(?P<date>\d{4}-\d{2}-\d{2}),\s+\*\*(?P<title>.+?)\*\*,\s+(?P<rest>.*)$"
)
_PAPER = regex(r",?\s*\bPaper:\s*", re.IGNORECASE)
_CODE = regex(r",?\s*\bCode:\s*", re.IGNORECASE)
_COLUMN_ALIASES = {
    "publish date": "date",
    "date": "date",
    "title": "title",
    "authors": "authors",
    "author": "authors",
    "first author": "authors",
    "pdf": "pdf",
    "paper": "pdf",
    "code": "code",
}


def sniff(text: str, path: str) -> float:
    head = text[:200_000]
    if any(_HEADER.match(line) for line in head.splitlines()):
        return 0.95
    bullets = sum(
        1
        for line in head.splitlines()
        if _BULLET.match(line) and "Paper:" in line and "et.al." in line
    )
    if bullets >= 2:
        return 0.9
    return 0.3 if bullets == 1 else 0.0


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    columns: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if _HEADER.match(stripped):
            columns = _columns(stripped)
            continue
        if columns is not None and stripped.startswith("|"):
            if is_separator_row(stripped):
                continue
            entry = safe_entry(
                partial(_row_entry, stripped, number, columns, path), path, number, NAME
            )
            if entry is not None:
                yield entry
            continue
        if stripped and not stripped.startswith("|"):
            columns = None  # the table ended
        match = _BULLET.match(line)
        if match:
            entry = safe_entry(
                partial(_bullet_entry, match, line, number, path), path, number, NAME
            )
            if entry is not None:
                yield entry


def _columns(header: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(split_row(header)):
        key = _COLUMN_ALIASES.get(clean_text(cell).lower())
        if key and key not in columns:
            columns[key] = index
    return columns


def _row_entry(line: str, number: int, columns: dict[str, int], path: str) -> DigestEntry | None:
    cells = split_row(line)

    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    title = clean_title(cell("title"))
    if not title and not any(c.strip() for c in cells):
        return None
    authors, truncated = split_authors(cell("authors"))
    pdf_cell = cell("pdf")
    pdf_offset = line.find(pdf_cell) if pdf_cell else -1
    main = pick_main(links_in(pdf_cell), ("pdf", "paper", "arxiv"))
    if main is None:
        main = pick_main(links_in(line), ("pdf", "paper", "arxiv"))
        skip = [(main.start, main.end)] if main else []
    else:
        skip = [(pdf_offset + main.start, pdf_offset + main.end)] if pdf_offset >= 0 else []
    arxiv_id = main.url if main else _bare_id(pdf_cell)
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=title or None,
        authors=authors,
        authors_truncated=truncated,
        date=parse_date(clean_text(cell("date"))),
        links=urls_in(line),
        source=Source(path=path, line=number, format=NAME),
        claims=id_claims(line, number, skip if main else _bare_skip(line, pdf_cell)),
    )


def _bullet_entry(match: re.Match[str], line: str, number: int, path: str) -> DigestEntry:
    rest = match.group("rest")
    paper_at = _PAPER.search(rest)
    authors_text = rest[: paper_at.start()] if paper_at else rest
    after = rest[paper_at.end() :] if paper_at else ""
    code_at = _CODE.search(after)
    paper_text = after[: code_at.start()] if code_at else after
    authors, truncated = split_authors(authors_text)
    offset = match.start("rest") + (paper_at.end() if paper_at else len(rest))
    main = pick_main(links_in(paper_text), ("pdf", "paper", "arxiv")) if paper_at else None
    skip = [(offset + main.start, offset + main.end)] if main else []
    arxiv_id = main.url if main else (_bare_id(paper_text) if paper_at else None)
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=clean_title(match.group("title")) or None,
        authors=authors,
        authors_truncated=truncated,
        date=parse_date(match.group("date")),
        links=urls_in(line),
        source=Source(path=path, line=number, format=NAME),
        claims=id_claims(line, number, skip if main else _bare_skip(line, paper_text)),
    )


def _bare_id(cell: str) -> str | None:
    """A PDF cell with a bare id and no link (seen in hand-edited forks), as written."""
    text = clean_text(cell)
    if re.fullmatch(
        r"(?:arxiv\s*:\s*)?(?:\d{4}\.\d+|[a-z\-]+(?:\.[a-z]{2})?/\d+)(?:v\d+)?", text, re.I
    ):
        return text
    return None


def _bare_skip(line: str, cell: str) -> list[tuple[int, int]]:
    at = line.find(cell) if cell else -1
    return [(at, at + len(cell))] if at >= 0 and _bare_id(cell) else []


FORMAT = SimpleFormat(
    name=NAME,
    description="cv-arxiv-daily tables (|Publish Date|Title|Authors|PDF|Code|), wechat.md bullets",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=STRUCTURED,
)
