"""daily-arXiv-ai-enhanced (dw-dengwei/daily-arXiv-ai-enhanced, `data` branch, `<date>.md`).

A table of contents, then one section per listing category, then per paper:

    # cs.CV [[Back]](#toc)
    ### [1] [Title](https://arxiv.org/abs/2602.07198)
    *Heyuan Li,Huimin Zhang,Yuda Qiu*
    Main category: cs.CV
    TL;DR: <model-written summary, usually Chinese>
    <details> Motivation: … Method: … Result: … Conclusion: … Abstract: <arXiv abstract> </details>

Entries: every `### [n] [Title](link)` heading; the heading's link is the main id (as written, no
version in this producer). A heading whose link is not an arXiv link still yields an entry
(`arxiv_id` None, validation marks it invalid). The table of contents and section headings are
not entries.

Fields: authors from the italic line (the full list; commas without spaces), categories = the
"Main category" then the section's category when it differs (a cross-listing), abstract from the
`Abstract:` paragraph(s), links every URL of the entry (the abstract's too). The digest gives no
per-paper date (the file name is the listing day, not the paper's date), so `date` stays None.

Claims: an `Authors:`/`作者：` statement inside the model-written TL;DR or the Motivation …
Conclusion paragraphs becomes an `authors` claim (origin "summary"). Further arXiv ids in the
heading, author line or category line become `arxiv_id` claims; ids inside the abstract and the
model-written paragraphs are citations of other work, not statements about this paper, and are
not claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from enrich.digests.base import LABELLED, SimpleFormat
from enrich.digests.blocks import safe_entry
from enrich.digests.claims import id_claims
from enrich.digests.links import is_arxiv_url, links_in, urls_in, version_of
from enrich.digests.text import clean_text, clean_title, line_of, split_authors
from enrich.models import Claim, DigestEntry, Source
from enrich.runtime import regex

__all__ = ["FORMAT"]

NAME = "daily-arxiv-ai-enhanced"

_ENTRY = regex(r"^###\s+\[\d+\]\s+(?P<rest>\[.*)$", re.MULTILINE)
_SNIFF_ENTRY = regex(r"^###\s+\[\d+\]\s+\[.+\]\(https?://(?:www\.)?arxiv\.org/abs/", re.MULTILINE)
_SECTION = regex(
    r"^#\s+(?P<cat>[A-Za-z\-]+(?:\.[A-Za-z\-]+)?)[ \t]*(?P<back>\[\[Back\]\].*)?$", re.MULTILINE
)
_BLOCK_END = regex(r"^(?:#{1,3}\s|<div\s+id=)", re.MULTILINE)
_AUTHORS = regex(r"^\s*\*(?!\*)(?P<names>[^*\n]+)\*\s*$", re.MULTILINE)
_MAIN_CAT = regex(r"^\s*Main category:\s*(?P<cat>\S+)", re.MULTILINE | re.IGNORECASE)
_TLDR = regex(r"^\s*TL;DR\s*[:：]", re.MULTILINE | re.IGNORECASE)
_ABSTRACT = regex(r"^\s*Abstract\s*[:：]\s*", re.MULTILINE)
_DETAILS_END = regex(r"</details>", re.IGNORECASE)
_SUMMARY_AUTHORS = regex(
    r"(?:\b(?:authors?|written\s+by)|作者(?:们)?|作者为)\s*[:：]\s*(?P<names>[^\n。；;）)]+)",
    re.IGNORECASE,
)


def sniff(text: str, path: str) -> float:
    head = text[:200_000]
    entries = len(_SNIFF_ENTRY.findall(head))
    if not entries:
        return 0.0
    if _MAIN_CAT.search(head) and _TLDR.search(head):
        return 0.95
    return 0.6


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    sections = [
        (m.start(), m.group("cat"))
        for m in _SECTION.finditer(text)
        if "." in m.group("cat") or m.group("back")
    ]
    for match in _ENTRY.finditer(text):
        end_match = _BLOCK_END.search(text, match.end())
        end = end_match.start() if end_match else len(text)
        block = text[match.start() : end]
        line = line_of(text, match.start())
        section = next((cat for at, cat in reversed(sections) if at < match.start()), None)
        entry = safe_entry(partial(_entry, block, line, section, path), path, line, NAME)
        if entry is not None:
            yield entry


def _entry(block: str, line: int, section: str | None, path: str) -> DigestEntry:
    heading_end = block.find("\n")
    heading = block if heading_end < 0 else block[:heading_end]
    links = links_in(heading)
    main = next((lk for lk in links if not lk.image and is_arxiv_url(lk.url)), None)
    titled = main or (links[0] if links else None)
    title = (
        clean_title(titled.label) if titled else clean_title(re.sub(r"^###\s+\[\d+\]", "", heading))
    )

    tldr = _TLDR.search(block)
    meta_end = tldr.start() if tldr else len(block)
    meta = block[:meta_end]
    names = _AUTHORS.search(meta, heading_end if heading_end > 0 else len(meta))
    authors, truncated = split_authors(names.group("names")) if names else ([], False)

    categories: list[str] = []
    cat = _MAIN_CAT.search(meta)
    if cat:
        categories.append(cat.group("cat").strip())
    if section and section not in categories:
        categories.append(section)

    abstract = None
    abs_at = _ABSTRACT.search(block, meta_end)
    if abs_at:
        stop = _DETAILS_END.search(block, abs_at.end())
        abstract = clean_text(block[abs_at.end() : stop.start() if stop else len(block)]) or None
    summary_end = abs_at.start() if abs_at else len(block)

    claims = id_claims(meta, line, [(main.start, main.end)] if main else [])
    claims.extend(_summary_author_claims(block, meta_end, summary_end, line))
    arxiv_id = main.url if main else None
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=title or None,
        authors=authors,
        authors_truncated=truncated,
        categories=categories,
        abstract=abstract,
        links=urls_in(block),
        source=Source(path=path, line=line, format=NAME),
        claims=claims,
    )


def _summary_author_claims(block: str, start: int, end: int, line: int) -> list[Claim]:
    claims: list[Claim] = []
    for m in _SUMMARY_AUTHORS.finditer(block, start, end):
        names, truncated = split_authors(m.group("names"))
        if names or truncated:
            claims.append(
                Claim(
                    field="authors",
                    value=names,
                    line=line + line_of(block, m.start()) - 1,
                    origin="summary",
                    authors_truncated=truncated,
                )
            )
    return claims


FORMAT = SimpleFormat(
    name=NAME,
    description="daily-arXiv-ai-enhanced markdown (### [n] [Title](abs link), TL;DR, details)",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=LABELLED,
)
