"""DailyArXiv (zezhishao/DailyArXiv and its forks): one table per search keyword.

    ## Time Series
    | **Title** | **Date** | **Abstract** | **Comment** |
    | --- | --- | --- | --- |
    | **[Title](http://arxiv.org/abs/2403.09554v1)** | 2024-03-14 | <details><summary>Show</summary>
      <p>abstract</p></details> | <details><summary>18 pa...</summary><p>18 pages</p></details> |
      (one line in the file)

Entries: every body row of a table whose header has Title and Date columns. A row whose title has
no arXiv link is still a paper of the digest and yields an entry with `arxiv_id` None (validation
marks it invalid). Headings, the intro text and separator rows are not entries.

Fields: `arxiv_id` the title link as written (versioned: `version` set), `date` the Date column
(the producer writes the paper's last-updated day), `abstract` and `comment` from their
`<details>` (the full text in `<p>`, not the cut `<summary>`), `links` every URL of the row. The
producer lists **no authors** and no categories (the heading is a search keyword), so those stay
empty. Other arXiv ids outside the abstract (e.g. in the comment) become `arxiv_id` claims; ids
inside the abstract are citations of other work.
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
from enrich.digests.text import clean_text, clean_title
from enrich.models import DigestEntry, Source
from enrich.runtime import regex
from enrich.text.dates import parse_date

__all__ = ["FORMAT"]

NAME = "dailyarxiv"

_HEADER = regex(
    r"^\|\s*\**\s*Title\s*\**\s*\|\s*\**\s*Date\s*\**\s*\|\s*\**\s*Abstract\s*\**\s*\|",
    re.IGNORECASE,
)
_ROW = regex(r"^\|\s*\*\*\[.+\]\(https?://[^)]*arxiv\.org/[^)]+\)\*\*\s*\|", re.IGNORECASE)
_DETAILS_P = regex(r"<p>(?P<body>.*?)</p>", re.IGNORECASE | re.DOTALL)
_SUMMARY = regex(r"<summary>.*?</summary>", re.IGNORECASE | re.DOTALL)


def sniff(text: str, path: str) -> float:
    head = text[:200_000]
    lines = head.splitlines()
    if not any(_HEADER.match(line.strip()) for line in lines):
        return 0.0
    rows = sum(1 for line in lines if _ROW.match(line))
    return 0.95 if rows else 0.6


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    columns: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if _HEADER.match(stripped):
            columns = {
                clean_text(cell).lower(): index for index, cell in enumerate(split_row(stripped))
            }
            continue
        if columns is None:
            continue
        if not stripped.startswith("|"):
            if stripped:
                columns = None  # the table ended
            continue
        if is_separator_row(stripped):
            continue
        entry = safe_entry(partial(_entry, stripped, number, columns, path), path, number, NAME)
        if entry is not None:
            yield entry


def _entry(line: str, number: int, columns: dict[str, int], path: str) -> DigestEntry | None:
    cells = split_row(line)

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    title_cell = cell("title")
    if not any(c.strip() for c in cells):
        return None
    links = links_in(title_cell)
    main = pick_main(links, ())
    titled = main or next((lk for lk in links if not lk.image), None)
    title = clean_title(titled.label if titled else title_cell)
    abstract_cell = cell("abstract")
    abstract = _details_text(abstract_cell)
    comment = _details_text(cell("comment"))
    skip: list[tuple[int, int]] = []
    at = line.find(title_cell)
    if main is not None and at >= 0:
        skip.append((at + main.start, at + main.end))
    if abstract_cell:
        at = line.find(abstract_cell)
        if at >= 0:
            skip.append((at, at + len(abstract_cell)))
    arxiv_id = main.url if main else None
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=title or None,
        date=parse_date(clean_text(cell("date"))),
        abstract=abstract,
        comment=comment,
        links=urls_in(line),
        source=Source(path=path, line=number, format=NAME),
        claims=id_claims(line, number, skip),
    )


def _details_text(cell: str) -> str | None:
    """The full text of a `<details><summary>cut…</summary><p>full</p></details>` cell."""
    if not cell.strip():
        return None
    body = _DETAILS_P.search(cell)
    text = body.group("body") if body else _SUMMARY.sub(" ", cell)
    return clean_text(text) or None


FORMAT = SimpleFormat(
    name=NAME,
    description="DailyArXiv keyword tables (| **Title** | **Date** | **Abstract** | **Comment** |)",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=STRUCTURED,
)
