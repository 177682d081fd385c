"""ML Papers of the Week (dair-ai/ML-Papers-of-the-Week README): a two-column table per week.

    ## Top ML Papers of the Week (June 26 - July 2)
    | **Paper**  | **Links** |
    | ------------- | ------------- |
    | 1) **LeanDojo** - an open-source Lean playground ... |
[Paper](https://arxiv.org/abs/2306.15626),
      [Tweet](https://twitter.com/...) |      (one line in the file)

Entries: every numbered body row (`1)` or `5.`) of a Paper/Links table. A row whose links hold
no arXiv link (a Nature paper, a blog post, a project page) is still a paper of the digest and
yields an entry with `arxiv_id` None, so validation marks it invalid and nothing is dropped. The
week list at the top, headings and the header rows are not entries.

Fields: `arxiv_id` the arXiv link labelled Paper (else the row's first arXiv link, whatever its
label) exactly as written, `version` when it is versioned. `title` is left empty: the bold name
is a short name or nickname ("LeanDojo"), not the paper's title, and comparing it with arXiv's
title would only raise false alarms; the name and the one-line description after it go to
`comment` ("LeanDojo: an open-source Lean playground ...") and the title is filled from arXiv. No
authors, categories
or per-paper dates are given (the week heading has no year). `links` holds every URL of the row;
any other arXiv id in the row (a Project/Code link to arXiv) becomes an `arxiv_id` claim.

Note: a few Paper links are written `https://arxiv.org/abs//ID` (two slashes); they are passed on
as written and it is for validation to accept or reject them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from enrich.digests.base import LABELLED, SimpleFormat
from enrich.digests.blocks import safe_entry
from enrich.digests.claims import id_claims
from enrich.digests.links import links_in, pick_main, urls_in, version_of
from enrich.digests.rows import is_separator_row, split_row
from enrich.digests.text import clean_text, clean_title
from enrich.models import DigestEntry, Source
from enrich.runtime import regex

__all__ = ["FORMAT"]

NAME = "ml-papers-of-the-week"

_HEADER = regex(r"^\|\s*\**\s*Paper\s*\**\s*\|\s*\**\s*Links\s*\**\s*\|?\s*$", re.IGNORECASE)
_WEEK = regex(r"^#{1,6}\s+Top\s+ML\s+Papers\s+of\s+the\s+Week\b", re.IGNORECASE | re.MULTILINE)
_NUMBERED = regex(r"^\s*(?P<n>\d{1,3})\s*[).:]\s*(?P<body>.*)$", re.DOTALL)
_NAMED = regex(r"^\*\*(?P<name>.+?)\*\*\s*(?:[-–—:]\s*)?(?P<desc>.*)$", re.DOTALL)


def sniff(text: str, path: str) -> float:
    head = text[:200_000]
    header = any(_HEADER.match(line.strip()) for line in head.splitlines())
    weeks = bool(_WEEK.search(head))
    if header and weeks:
        return 0.95
    if header and "ML Papers of The Week".lower() in head.lower():
        return 0.9
    return 0.3 if header else 0.0


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if _HEADER.match(stripped):
            in_table = True
            continue
        if not in_table:
            continue
        if not stripped.startswith("|"):
            if stripped:
                in_table = False
            continue
        if is_separator_row(stripped):
            continue
        entry = safe_entry(partial(_entry, stripped, number, path), path, number, NAME)
        if entry is not None:
            yield entry


def _entry(line: str, number: int, path: str) -> DigestEntry | None:
    cells = split_row(line)
    paper_cell = cells[0] if cells else ""
    numbered = _NUMBERED.match(paper_cell)
    if numbered is None:
        return None  # not a paper row (a note, an empty row)
    body = numbered.group("body").strip()
    named = _NAMED.match(body)
    if named:
        name = clean_title(named.group("name"))
        desc = clean_text(named.group("desc")).lstrip("-–—: ").strip()
        comment = f"{name}: {desc}" if desc else name
    else:
        comment = clean_title(body)
    links = links_in(line)
    main = pick_main(links, ("paper", "pdf", "arxiv"))
    arxiv_id = main.url if main else None
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=None,
        comment=comment or None,
        links=urls_in(line),
        source=Source(path=path, line=number, format=NAME),
        claims=id_claims(line, number, [(main.start, main.end)] if main else []),
    )


FORMAT = SimpleFormat(
    name=NAME,
    description="ML Papers of the Week tables (| n) **Name** - summary | [Paper](..) [Tweet](..) |",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=LABELLED,
)
