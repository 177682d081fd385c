"""reStructuredText lists (Sphinx docs, awesome lists): sections under underlined titles, bullet and
enumerated items with their indented continuation lines, `` `text <url>`_ `` links and field lists
(`:Authors: ...`), read into an outline (outline.py).

A reference line "Title (2015), A. Author et al. `[pdf] <url>`__" gives a guessed title and
guessed authors (outline.citation_guess); a field list or a labelled line gives labelled ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from enrich.digests.base import SimpleFormat
from enrich.digests.document import Link
from enrich.digests.outline import LineLists, Node, add_line, parse_outline
from enrich.models import DigestEntry
from enrich.runtime import regex

__all__ = ["FORMAT", "NAME", "outline", "parse", "sniff"]

NAME = "rst"
_UNDERLINE = regex(r"^([=\-~^\"'`+#*:.])\1{2,}\s*$")
_ITEM = regex(r"^(\s*)(?:[-*+•]|\d{1,3}[.)]|#\.)\s+\S")
_LINK = regex(r"`([^`<]*?)\s*<([^<>`\s]+)>`_{1,2}")
_BARE_URL = regex(r"https?://[^\s<>`\"']+")
_DIRECTIVE = regex(r"^\s*\.\.\s")


def _links(text: str, line: int) -> list[Link]:
    links = [Link(m.group(2), m.group(1), line) for m in _LINK.finditer(text)]
    inside = {link.url for link in links}
    rest = _LINK.sub(" ", text)
    links += [Link(u.rstrip(".,;"), "", line) for u in _BARE_URL.findall(rest) if u not in inside]
    return links


def outline(text: str) -> Node:
    lines = text.splitlines()
    root = Node(kind="root", line=1)
    stack: list[tuple[Node, int]] = [(root, 0)]
    levels: list[str] = []
    current: Node | None = None
    current_indent = 0
    lists = LineLists()
    skip = 0
    for index, raw in enumerate(lines):
        number = index + 1
        if skip:
            skip -= 1
            continue
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        u = _UNDERLINE.match(nxt) if raw.strip() and not _UNDERLINE.match(raw) else None
        if u and len(nxt.rstrip()) >= len(raw.rstrip()) and not _ITEM.match(raw):
            char = u.group(1)
            if char not in levels:
                levels.append(char)
            level = levels.index(char) + 1
            while len(stack) > 1 and stack[-1][1] >= level:
                stack.pop()
            section = Node(kind="section", line=number, heading=_LINK.sub(r"\1", raw).strip())
            stack[-1][0].children.append(section)
            stack.append((section, level))
            current, skip = None, 1
            lists.clear()
            continue
        if _UNDERLINE.match(raw) or _DIRECTIVE.match(raw):
            current = None
            continue
        top = stack[-1][0]
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip())
        if item := _ITEM.match(raw):
            current_indent = len(item.group(1))
            current = lists.item(top, current_indent, number)
        elif current is None or (current.kind == "item" and indent <= current_indent):
            current = lists.block(top, number)
        add_line(current, raw, _links(raw, number))
    return root


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    return parse_outline(outline, text, path, NAME)


def sniff(text: str, path: str) -> float:
    head = text[:8000]
    hits = len(re.findall(r"`[^`<]*<https?://[^>]+>`_", head))
    underlined = re.search(r"^\S.*\n([=\-~^])\1{2,}\s*$", head, re.MULTILINE) is not None
    if path.lower().endswith((".rst", ".rest")):
        return 0.9
    return 0.7 if hits >= 2 and underlined else 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="reStructuredText lists: sections, bullet items, `text <url>`_ links",
    sniff_fn=sniff,
    parse_fn=parse,
)
