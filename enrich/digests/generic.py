"""The fallback format: any markdown, HTML or plain text that mentions arXiv papers.

Every arXiv id in the text (a link, an `arXiv:` id, an arXiv DOI, a bare id: whatever
`enrich.ids.find_arxiv_ids` sees) becomes part of an entry: one entry per distinct id per *block*.
A block is a markdown list item (with its continuation lines), a table row, a paragraph, a heading,
a fenced code block, or an HTML block element (<li>, <tr>, <p>, <hN>, <div>, <dt>/<dd>, ...).

For each entry:
  arxiv_id   the first time the block writes the id (a later form of it with a version wins)
  claims     every other version of the same id in the block (field "arxiv_id", origin "link" or
             "text")
  title      the text of the link to the paper, unless it is a word like "PDF" or "arXiv"; else the
             block's first bold text (<b>/<strong> too) that is not a date or an id; else the
             nearest heading at or before the block
  links      the URLs in the block that point at the paper
  source     the line where the block starts
Nothing else is guessed (no authors, dates or categories): the format parsers do that. The scan
never raises; should a block confuse it, the rest of the text is read again one id at a time.

Memory stays bounded on pathological input (a 50 MB digest on one line): entries are yielded as
they are read, ids are taken block by block as the scan reaches them, and a block longer than
MAX_BLOCK characters -- far longer than any list item, row or paragraph -- is cut into pieces of
about that size, each cut just before a link ("[" or "<") or else at a blank, so that a link is
not split. Within such a piece an id and its other versions are grouped as in any block.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from enrich.digests.base import GUESSED_TITLE, SimpleFormat
from enrich.digests.fields import looks_like_title
from enrich.digests.text import clean_title
from enrich.ids import IdMatch, find_arxiv_ids
from enrich.models import Claim, DigestEntry, Source
from enrich.runtime import regex
from enrich.text.markup import fold_space

__all__ = [
    "FORMAT",
    "HTML_LINK",
    "MAX_BLOCK",
    "MD_LINK",
    "NAME",
    "URL",
    "LineIndex",
    "iter_scan",
    "parse",
    "scan",
    "sniff",
]

log = logging.getLogger(__name__)

NAME = "generic"

_FENCE = regex(r"^\s{0,3}(```|~~~)")
_HEADING = regex(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = regex(r"^\s{0,3}(=+|-+)\s*$")
_LIST_ITEM = regex(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+\S")
_TABLE_ROW = regex(r"^\s*\|")
_HTML_BLOCK = regex(
    r"</?(?:li|tr|p|h[1-6]|div|dt|dd|dl|table|thead|tbody|ul|ol|section|article|blockquote|header"
    r"|footer|nav|body|head|title|hr|pre)(?=[\s>/])[^<>]{0,500}>",
    re.IGNORECASE,
)
_HTML_HEADING = regex(r"<h([1-6])(?=[\s>])[^<>]{0,300}>(.{0,500}?)</h\1\s*>", re.I | re.S)
MD_LINK = regex(
    r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\]){0,1000})\]\(\s*<?([^()\s<>]{0,2000}(?:\([^()\s]{0,200}\)"
    r"[^()\s<>]{0,500})*)>?(?:\s+\"[^\"\n]{0,300}\")?\s*\)"
)
HTML_LINK = regex(
    r"<a\s[^<>]{0,500}?href\s*=\s*[\"']([^\"'<>]{0,2000})[\"'][^<>]{0,500}>(.{0,500}?)</a\s*>",
    re.I | re.S,
)
_BOLD = regex(
    r"\*\*(?=\S)(.{1,500}?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.{1,500}?)(?<=\S)__(?!\w)"
    r"|<(b|strong)(?=[\s>])[^<>]{0,300}>(.{1,1000}?)</\3\s*>",
    re.I | re.S,
)
URL = regex(r"(?:https?://|www\.|arxiv\.org/)[^\s<>\"'()\[\]]+", re.I)
_EDGE = regex(r"^[\s:|/,;.\-–—\[\](){}]+|[\s:|/,;\-–—\[\](){}]+$")


MAX_BLOCK = 65_536  # characters; no block of the seeds or the corpus comes near (4,000 at most)


class LineIndex:
    """`text.line_of` for many offsets of one text: 1-based lines found by bisection."""

    def __init__(self, text: str) -> None:
        self._ends = [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_right(self._ends, offset) + 1


@dataclass
class _Block:
    start: int
    end: int
    heading: str | None = None  # the block's text when the block is a heading


def _line_blocks(text: str) -> tuple[list[int], dict[int, str]]:
    """Block starts from the markdown line structure, and the headings (start -> heading text)."""
    starts: list[int] = []
    headings: dict[int, str] = {}
    offset = 0
    in_fence = False
    current: int | None = None  # start of the paragraph being read
    current_lines = 0
    current_plain = False  # the paragraph is one plain line (a setext heading candidate)
    for line in text.splitlines(keepends=True):
        here = offset
        offset += len(line)
        stripped = line.strip()
        if in_fence:
            if _FENCE.match(line):
                in_fence = False
                current = None
            continue
        if _FENCE.match(line):
            in_fence = True
            starts.append(here)
            current = here
            continue
        if not stripped:
            current = None
            continue
        if m := _HEADING.match(line):
            starts.append(here)
            headings[here] = m.group(2)
            current = None
            starts.append(offset)  # what follows a heading starts a new block
            continue
        if _SETEXT.match(line) and current is not None and current_lines == 1 and current_plain:
            headings[current] = text[current:here].strip()
            starts.append(offset)
            current = None
            continue
        if _LIST_ITEM.match(line) or _TABLE_ROW.match(line) or current is None:
            starts.append(here)
            current = here
            current_lines = 1
            current_plain = not (_LIST_ITEM.match(line) or _TABLE_ROW.match(line))
            continue
        current_lines += 1
    return starts, headings


def _blocks(text: str) -> list[_Block]:
    starts, headings = _line_blocks(text)
    for m in _HTML_BLOCK.finditer(text):
        if m.group(0).startswith("</"):
            starts.append(m.end())
        else:
            starts.append(m.start())
    for m in _HTML_HEADING.finditer(text):
        headings[m.start()] = m.group(2)
        starts.append(m.end())
    bounds = sorted({0, *starts, len(text)})
    blocks = []
    for a, b in itertools.pairwise(bounds):
        if b - a > MAX_BLOCK:
            pieces = _cuts(text, a, b)
            blocks += [_Block(x, y) for x, y in itertools.pairwise(pieces)]
        elif b > a:
            blocks.append(_Block(a, b, headings.get(a)))
    return blocks


def _cuts(text: str, start: int, end: int) -> list[int]:
    """Where to cut an oversized block: about every MAX_BLOCK characters, before a link."""
    cuts = [start]
    while end - cuts[-1] > MAX_BLOCK:
        target = cuts[-1] + MAX_BLOCK
        floor = cuts[-1] + MAX_BLOCK // 2
        cut = max(text.rfind("[", floor, target), text.rfind("<", floor, target))
        if cut <= floor:
            cut = max(text.rfind(" ", floor, target), text.rfind("\n", floor, target)) + 1
        cuts.append(cut if cut > floor else target)
    cuts.append(end)
    return cuts


def _meaningful(raw: str, *, bold: bool = False) -> str | None:
    """`raw` as a title, or None when it is no title ("PDF", a date, an id, a URL)."""
    title = clean_title(raw)
    if URL.search(title) or next(find_arxiv_ids(title), None) is not None:
        # "[2401.00001] A Title" or "A Title (arXiv:2401.00001)": the words around the id
        title = URL.sub(" ", title)
        for m in reversed(list(find_arxiv_ids(title))):
            title = title[: m.start] + " " + title[m.end :]
        title = _EDGE.sub("", fold_space(title))
    if bold and title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title if looks_like_title(title) else None


@dataclass(frozen=True)
class _Link:
    url_start: int
    url_end: int
    url: str
    text: str


def _links(text: str, block: _Block) -> list[_Link]:
    chunk = text[block.start : block.end]
    links: list[_Link] = []
    for m in MD_LINK.finditer(chunk):
        links.append(
            _Link(block.start + m.start(2), block.start + m.end(2), m.group(2), m.group(1))
        )
    for m in HTML_LINK.finditer(chunk):
        links.append(
            _Link(block.start + m.start(1), block.start + m.end(1), m.group(1), m.group(2))
        )
    links.sort(key=lambda k: k.url_start)
    return links


def _link_at(links: list[_Link], starts: list[int], offset: int) -> _Link | None:
    """The link whose URL holds `offset` (links sorted by where their URL starts)."""
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and offset < links[index].url_end:
        return links[index]
    return None


def _entries_of_block(
    text: str,
    block: _Block,
    matches: list[IdMatch],
    heading: str | None,
    path: str,
    format_name: str,
    line_of: LineIndex,
) -> Iterator[DigestEntry]:
    links = _links(text, block)
    link_starts = [k.url_start for k in links]
    chunk = text[block.start : block.end]
    bold: str | None = None
    for bm in _BOLD.finditer(chunk):
        raw = bm.group(1) or bm.group(2) or bm.group(4) or ""
        if (bold := _meaningful(raw, bold=True)) is not None:
            break
    groups: dict[str, list[IdMatch]] = {}
    for m in matches:
        groups.setdefault(m.arxiv_id.id, []).append(m)
    start = block.start + (len(chunk) - len(chunk.lstrip()))
    line = line_of(start)
    for occurrences in groups.values():
        main = occurrences[0]
        if main.arxiv_id.version is None:
            main = next((o for o in occurrences if o.arxiv_id.version is not None), main)
        title: str | None = None
        urls: list[str] = []
        for occ in occurrences:
            link = _link_at(links, link_starts, occ.start)
            if link is not None:
                urls.append(link.url)
                if title is None:
                    title = _meaningful(link.text)
            elif occ.text.lower().startswith(("http://", "https://")):
                urls.append(occ.text)
            elif occ.text.lower().startswith(("arxiv.org/", "www.arxiv.org/", "export.arxiv.org")):
                urls.append("https://" + occ.text)
        if title is None:
            title = bold
        if title is None and heading is not None:
            title = _meaningful(heading)
        claims: list[Claim] = []
        seen = {main.arxiv_id.version}
        for occ in occurrences:
            version = occ.arxiv_id.version
            if version is None or version in seen:
                continue
            seen.add(version)
            claims.append(
                Claim(
                    field="arxiv_id",
                    value=occ.text,
                    line=line_of(occ.start),
                    origin="link" if occ.in_link else "text",
                )
            )
        yield DigestEntry(
            arxiv_id=main.text,
            version=main.arxiv_id.version,
            title=title,
            links=list(dict.fromkeys(urls)),
            source=Source(path=path, line=line, format=format_name),
            claims=claims,
        )


def _scan_blocks(
    text: str, path: str, format_name: str, progress: list[int] | None = None
) -> Iterator[DigestEntry]:
    """Entries block by block; `progress[0]` is where the blocks read so far end."""
    blocks = _blocks(text)
    ids = find_arxiv_ids(text)  # in text order: taken as the scan reaches each block
    pending = next(ids, None)
    lines = LineIndex(text)
    heading: str | None = None
    for index, block in enumerate(blocks):
        if block.heading is not None:
            heading = block.heading
        last = index == len(blocks) - 1
        matches: list[IdMatch] = []
        while pending is not None and (last or pending.start < block.end):
            matches.append(pending)
            pending = next(ids, None)
        if matches:
            yield from _entries_of_block(text, block, matches, heading, path, format_name, lines)
        if progress is not None:
            progress[0] = block.end


def _scan_ids(text: str, path: str, format_name: str, after: int = 0) -> Iterator[DigestEntry]:
    """The plainest reading: one entry per id occurrence from offset `after`, with its line."""
    lines = LineIndex(text)
    for m in find_arxiv_ids(text):
        if m.start >= after:
            yield DigestEntry(
                arxiv_id=m.text,
                version=m.arxiv_id.version,
                source=Source(path=path, line=lines(m.start), format=format_name),
            )


def iter_scan(text: str, path: str, format_name: str = NAME) -> Iterator[DigestEntry]:
    """Entries for every arXiv id in `text` (see the module docstring), as they are read; never
    raises on odd text: after a failure, the rest is read one id at a time."""
    progress = [0]
    try:
        yield from _scan_blocks(text, path, format_name, progress)
        return
    except Exception:  # a safety net: the block reader is written not to raise
        log.exception("%s: block scan failed; reading ids one by one", path)
    try:
        yield from _scan_ids(text, path, format_name, progress[0])
    except Exception:
        log.exception("%s: id scan failed", path)


def scan(text: str, path: str, format_name: str = NAME) -> list[DigestEntry]:
    """Every entry of `iter_scan`, in a list."""
    return list(iter_scan(text, path, format_name))


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    yield from iter_scan(text, path, NAME)


def sniff(text: str, path: str) -> float:
    return 0.1


FORMAT = SimpleFormat(
    name=NAME,
    description="any markdown, HTML or text: an entry per arXiv id per list item, row or paragraph",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=GUESSED_TITLE,
    priority=-1,
)
