"""Curated "Awesome-*" paper lists: items with a bold title, authors and [PDF] or arXiv-badge links.

Three spellings of the same idea, all parsed here under one format name, "awesome-list":

Badge style (e.g. Westlake-AGI-Lab/Awesome-Style-Transfer-with-Diffusion-Models):

    + **Title** (13 Aug 2023) <details><summary>[CVPR 2024] A, B et al.</summary>A, B, C</details>
    [![Paper](https://img.shields.io/badge/arXiv-b31b1b.svg)](https://arxiv.org/abs/2308.06721)
    [![Code](https://img.shields.io/github/stars/...)](https://github.com/...)

Classic style (e.g. weihaox/awesome-3D-aware-synthesis README.md):

    * **Title.**<br>
    *A, [B](homepage), C.*<br>
    CVPR 2022. [[PDF](https://arxiv.org/abs/ID)] [[Project](...)] [[Github](...)]

  and the plainer `*   [Title](https://arxiv.org/abs/ID)` + an indented author line.

HTML style (the same list rendered to HTML, e.g. by jemdoc/pandoc: weihaox index.html):

    <li><p><strong>Title.</strong><br> <em>A, B.</em><br> CVPR 2022. [<a href="…">PDF</a>]</p></li>

Entries: a list item is a paper when it has a title (bold, or a link) and any of: an arXiv link, a
link named Paper/PDF/arXiv, a shields.io-style badge link, an author `<details>`, a date in
parentheses after the title, or an italic author line below it. Such an item without an arXiv
link (the Paper badge is empty or points at CVF, ACM, OpenReview …) still yields an entry
with `arxiv_id` None, so validation marks it invalid and nothing is dropped. Tables of contents,
tips,
intro bullets, dataset tables and HTML comments are not entries.

Fields: `arxiv_id` is the Paper/PDF/arXiv link when it is an arXiv link, else the item's first
arXiv link, as written; `version` from it. Authors: the full list in the `<details>` body when
there is one (not truncated), else the summary or the italic author line (split_authors decides
truncation); a summary cut with "et al." is kept as an `authors` claim (origin "author summary").
`date` from "(13 Aug 2023)" (month-only dates are not dates); the venue ("[CVPR 2024]",
"(ICLR 2025)", "CVPR 2022.") goes to `comment`. `links` are every link target and bare URL of
the item; badge image sources are decoration and left out. Every other arXiv id in the item (a
second link, "arXiv: 2210.14267" in the text) becomes an `arxiv_id` claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from enrich.digests.base import LABELLED, SimpleFormat
from enrich.digests.blocks import blank_comments, safe_entry
from enrich.digests.claims import id_claims
from enrich.digests.links import Link, is_arxiv_url, links_in, pick_main, urls_in, version_of
from enrich.digests.text import clean_text, clean_title, line_of, split_authors
from enrich.models import Claim, DigestEntry, Source
from enrich.runtime import regex
from enrich.text.dates import parse_date

__all__ = ["FORMAT"]

NAME = "awesome-list"
_PAPER_NAMES = ("paper", "pdf", "arxiv")

_ITEM = regex(r"^ {0,3}[-+*][ \t]+(?P<body>\S.*)$")
_HEADING = regex(r"^\s{0,3}(?:#{1,6}\s|<h\d|---+\s*$|===+\s*$)", re.IGNORECASE)
_LI = regex(r"<li\b[^>]*>(?P<inner>.*?)</li\s*>", re.IGNORECASE | re.DOTALL)
_BR = regex(r"<br\s*/?>", re.IGNORECASE)
_BOLD = regex(r"^\s*(?:\*\*(?P<md>.+?)\*\*|<(?:strong|b)>(?P<html>.*?)</(?:strong|b)>)", re.DOTALL)
_DETAILS = regex(
    r"<details[^>]*>\s*(?:<summary[^>]*>(?P<summary>.*?)</summary>)?(?P<body>.*?)</details>",
    re.IGNORECASE | re.DOTALL,
)
_PARENS = regex(r"^\s*\((?P<inside>[^()]{1,80})\)")
_VENUE_PREFIX = regex(r"^\s*\[(?P<venue>[^\[\]]{1,80})\]\s*")
_WHOLE_EMPHASIS = regex(
    r"^\s*(?:\*(?!\*)(?P<star>.+)\*|_(?P<under>.+)_|<em>(?P<em>.*)</em>|<i>(?P<i>.*)</i>)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_EMPHASIS_START = regex(r"(?:(?<!\w)_(?=\S)|(?<![\w*])\*(?=[^\s*])|<em>|<i>)", re.IGNORECASE)
_LINKS_LINE = regex(r"^\s*(?:\[!\[|\[\[|\[<a\b)", re.IGNORECASE)

# sniffing
_BADGE_ITEM = regex(r"^ {0,3}[-+*]\s+\*\*.+?\*\*.*<details>\s*<summary>", re.MULTILINE)
_ARXIV_BADGE = regex(r"\[!\[[^\]]*\]\(https://img\.shields\.io/badge/arXiv", re.IGNORECASE)
_CLASSIC_ITEM = regex(r"^ {0,3}[-+*]\s+\*\*.+?\*\*\s*<br\s*/?>", re.MULTILINE)
_HTML_ITEM = regex(r"<li>\s*(?:<p>\s*)?<strong>", re.IGNORECASE)
_PDF_LINK = regex(r"\[\[PDF\]\(|>\s*PDF\s*</a>", re.IGNORECASE)


def sniff(text: str, path: str) -> float:
    head = text[:300_000]
    badges = len(_ARXIV_BADGE.findall(head))
    badge_items = len(_BADGE_ITEM.findall(head))
    classic = len(_CLASSIC_ITEM.findall(head))
    html_items = len(_HTML_ITEM.findall(head))
    pdf_links = len(_PDF_LINK.findall(head))
    if badges >= 2 and badge_items >= 2:
        return 0.9
    if classic >= 3 and pdf_links >= 2:
        return 0.85
    if html_items >= 3 and pdf_links >= 2:
        return 0.85
    if badges or badge_items or (classic and pdf_links) or (html_items and pdf_links):
        return 0.4
    return 0.0


@dataclass
class _Segment:
    text: str
    line: int


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    text = blank_comments(text)
    blocks = list(_markdown_items(text))
    html_blocks = list(_html_items(text))
    if len(html_blocks) > len(blocks):
        blocks = html_blocks
    for block, segments in blocks:
        line = segments[0].line
        entry = safe_entry(partial(_entry, block, segments, path), path, line, NAME)
        if entry is not None:
            yield entry


def _markdown_items(text: str) -> Iterator[tuple[_Segment, list[_Segment]]]:
    """Top-level list items with their continuation lines (until a blank line, a heading or the
    next item)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not _ITEM.match(lines[i]):
            i += 1
            continue
        start = i
        i += 1
        while i < len(lines) and lines[i].strip() and not _ITEM.match(lines[i]):
            if _HEADING.match(lines[i]):
                break
            i += 1
        segments = [_Segment(lines[k], k + 1) for k in range(start, i)]
        yield _Segment("\n".join(lines[start:i]), start + 1), segments


def _html_items(text: str) -> Iterator[tuple[_Segment, list[_Segment]]]:
    for m in _LI.finditer(text):
        inner = m.group("inner")
        first = line_of(text, m.start("inner"))
        segments: list[_Segment] = []
        pos = 0
        for br in [*_BR.finditer(inner), None]:
            end = br.start() if br else len(inner)
            segments.append(_Segment(inner[pos:end], first + inner.count("\n", 0, pos)))
            pos = br.end() if br else len(inner)
        yield _Segment(inner, first), segments


def _entry(block: _Segment, segments: list[_Segment], path: str) -> DigestEntry | None:
    first = _ITEM.match(segments[0].text)
    head = first.group("body") if first else segments[0].text
    head = _BR.sub(" ", head)
    head = re.sub(r"^\s*<p>\s*", "", head, flags=re.IGNORECASE)
    links = [link for link in links_in(block.text) if not link.image]

    title, after = _title(head)
    if not title:
        return None
    rest = [_Segment(_BR.sub(" ", s.text), s.line) for s in segments[1:]]
    date = None
    comment = None
    authors: list[str] = []
    truncated = False
    claims: list[Claim] = []

    details = _DETAILS.search(after)
    summary = clean_text(details.group("summary") or "") if details else ""
    body = details.group("body") if details else ""
    before_details = after[: details.start()] if details else after
    parens = _PARENS.match(before_details)
    if parens:
        inside = clean_text(parens.group("inside"))
        date = parse_date(inside)
        if (
            date is None
            and re.search(r"\d{4}", inside)
            and not re.search(r"\b[A-Z][a-z]+ \d{4}$", inside)
        ):
            comment = inside
    venue = _VENUE_PREFIX.match(summary)
    if venue:
        comment = comment or clean_text(venue.group("venue"))
        summary = summary[venue.end() :]
    author_line: _Segment | None = None
    if clean_text(body):
        authors, truncated = split_authors(body)
        short, cut = split_authors(summary)
        if cut and short:
            claims.append(
                Claim(
                    field="authors",
                    value=short,
                    line=segments[0].line,
                    origin="author summary",
                    authors_truncated=True,
                )
            )
    elif summary:
        authors, truncated = split_authors(summary)
    elif rest and not _LINKS_LINE.match(rest[0].text):
        author_line = rest[0]
        authors, truncated = split_authors(_author_text(author_line.text))
        venue_line = rest[1] if len(rest) > 1 else None
        if venue_line is not None:
            comment = comment or _venue(venue_line.text)

    main = pick_main(links, _PAPER_NAMES)
    named_paper = any(link.name.lower() in _PAPER_NAMES for link in links)
    badge = any(link.label.lstrip().startswith("![") for link in links)
    italic_authors = author_line is not None and bool(_WHOLE_EMPHASIS.match(author_line.text))
    if not (main or named_paper or badge or details or date or italic_authors):
        return None  # a tip, an intro bullet, a table-of-contents line
    skip = [(main.start, main.end)] if main else []
    claims[:0] = id_claims(block.text, block.line, skip)
    arxiv_id = main.url if main else None
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=title,
        authors=authors,
        authors_truncated=truncated,
        date=date,
        comment=comment or None,
        links=urls_in(block.text),
        source=Source(path=path, line=segments[0].line, format=NAME),
        claims=claims,
    )


def _title(head: str) -> tuple[str, str]:
    """The item's title and what follows it on the title line."""
    bold = _BOLD.match(head)
    if bold:
        raw = bold.group("md") if bold.group("md") is not None else bold.group("html") or ""
        return _tidy_title(raw), head[bold.end() :]
    link = _title_link(head)
    if link is not None:
        return _tidy_title(link.label), head[link.end :]
    return "", head


def _title_link(head: str) -> Link | None:
    """An item that opens with a link to the paper: `[Title](https://arxiv.org/abs/ID)`."""
    links = links_in(head)
    if links and links[0].start == len(head) - len(head.lstrip()) and not links[0].image:
        link = links[0]
        if is_arxiv_url(link.url) or link.url.lower().endswith(".pdf"):
            return link
    return None


def _tidy_title(raw: str) -> str:
    title = clean_title(raw)
    return re.sub(r"(?<!\.)\.$", "", title).strip()


def _author_text(line: str) -> str:
    """The names of an author line: all of it when it is one italic run, else the part before the
    first emphasis (`Weihao Xia and Jing-Hao Xue. _arXiv: 2210.14267_, 2022.`)."""
    whole = _WHOLE_EMPHASIS.match(line)
    if whole:
        return next(g for g in whole.groups() if g is not None)
    cut = _EMPHASIS_START.search(line)
    return line[: cut.start()] if cut else line


def _venue(line: str) -> str | None:
    """`CVPR 2022. [[PDF](…)] …` -> "CVPR 2022"."""
    before = re.split(r"\[", line, maxsplit=1)[0]
    venue = clean_text(before).rstrip(" .,;")
    return venue or None


FORMAT = SimpleFormat(
    name=NAME,
    description="Awesome-* paper lists: arXiv badges, **Title**<br> + [[PDF]] items, HTML lists",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=LABELLED,
)
