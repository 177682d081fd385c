"""The Chinese weekly overview of generative-model papers (生成式论文概览; producer unknown).

    # 2024-03-15--2024-03-20 生成式论文概览
    ## FouriScale: A Frequency Perspective on Training-Free High-Resolution   Image Synthesis
      * 2024-03-19
      * In this study, we delve into ... (abstract, often cut)
     * link:[http://arxiv.org/abs/2403.12963v1](http://arxiv.org/abs/2403.12963v1)

Titles are arXiv's raw titles with their line-fold runs of spaces (cleaned away here). There are no
authors and no categories. The link's target is the entry's id; when the link's text names another
arXiv id or version, that text is a claim (field "arxiv_id", origin "link text").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from enrich.digests.base import LABELLED, SimpleFormat
from enrich.digests.blocks import entries_between
from enrich.digests.links import version_of
from enrich.digests.text import clean_text, clean_title, line_of
from enrich.ids import find_arxiv_ids
from enrich.models import Claim, DigestEntry, Source
from enrich.runtime import regex
from enrich.text.dates import parse_date

__all__ = ["FORMAT"]

NAME = "weekly-overview"

_ENTRY = regex(r"^##[ \t]+(?P<title>.*)$", re.MULTILINE)
_BULLET = regex(r"^[ \t]*[*-][ \t]+(?P<text>.*?)[ \t]*$")
_DATE = regex(r"^(?P<date>\d{4}-\d{2}-\d{2})$")
_LINK = regex(r"^link\s*[:：]\s*(?P<rest>.*)$", re.IGNORECASE)
_MD_LINK = regex(r"\[(?P<text>[^\]]*)\]\((?P<url>[^()\s]*)\)")
_URL = regex(r"https?://[^\s()<>\[\]`\"']+")
_HEADER = regex(r"^#[ \t]+\d{4}-\d{2}-\d{2}\s*-+\s*\d{4}-\d{2}-\d{2}.*生成式论文概览", re.MULTILINE)
_SNIFF_LINK = regex(r"^[ \t]*\*[ \t]+link:\[?https?://(?:export\.)?arxiv\.org/", re.MULTILINE)
_SNIFF_DATE = regex(r"^[ \t]+\*[ \t]+\d{4}-\d{2}-\d{2}[ \t]*$", re.MULTILINE)
_SNIFF_LIMIT = 200_000


def sniff(text: str, path: str) -> float:
    """Sure on the 生成式论文概览 page title, or on `* link:` bullets beside `* YYYY-MM-DD` ones."""
    head = text[:_SNIFF_LIMIT]
    if _HEADER.search(head[:2000]):
        return 0.95
    links = len(_SNIFF_LINK.findall(head))
    if links and "生成式论文概览" in head[:2000]:
        return 0.9
    if links >= 2 and len(_SNIFF_DATE.findall(head)) >= 2 and "\n## " in head:
        return 0.75
    if links == 1 and _SNIFF_DATE.search(head) and "\n## " in head:
        return 0.55
    return 0.0


def _entry(text: str, path: str, start: int, end: int, title: str) -> DigestEntry:
    line = line_of(text, start)
    source = Source(path=path, line=line, format=NAME)
    date: dt.date | None = None
    abstract_parts: list[str] = []
    arxiv_id: str | None = None
    links: list[str] = []
    claims: list[Claim] = []
    lines = text[start:end].split("\n")[1:]
    for number, raw in enumerate(lines, start=line + 1):
        bullet = _BULLET.match(raw)
        content = bullet.group("text") if bullet else raw.strip()
        if not content:
            continue
        d = _DATE.match(content)
        if bullet and d and date is None:
            date = parse_date(d.group("date"))
            continue
        link = _LINK.match(content)
        if not link:
            abstract_parts.append(content)
            continue
        rest = link.group("rest")
        for url in _URL.findall(rest):
            if url not in links:
                links.append(url)
        md = _MD_LINK.search(rest)
        if md:
            target, label = md.group("url").strip(), md.group("text").strip()
        else:
            target, label = rest.strip(), ""
        if arxiv_id is None:
            arxiv_id = target or label or None
            if label and label != arxiv_id:
                for found in find_arxiv_ids(label):
                    claims.append(
                        Claim(field="arxiv_id", value=found.text, line=number, origin="link text")
                    )
        else:  # a second link line: another statement of the id
            claims.append(
                Claim(field="arxiv_id", value=target or label, line=number, origin="link")
            )
    abstract = clean_text(" ".join(abstract_parts)) or None
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=clean_title(title) or None,
        date=date,
        abstract=abstract,
        links=links,
        source=source,
        claims=claims,
    )


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    """One entry per `## title` heading, up to the next heading."""
    heads = list(_ENTRY.finditer(text))
    yield from entries_between(
        text, path, NAME, heads, lambda start, end, m: _entry(text, path, start, end, m["title"])
    )


FORMAT = SimpleFormat(
    name=NAME,
    description="生成式论文概览 weekly overview: ## title, * date, * abstract, * link:[..](..)",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=LABELLED,
)
