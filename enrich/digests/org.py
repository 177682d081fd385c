"""org-mode reading lists: `*` headings (nested by depth), `:PROPERTIES:` drawers, `[[url][text]]`
links, lists and paragraphs, read into an outline (outline.py).

A heading is a section: its text (without TODO keyword, priority cookie and tags) is the guessed
title, its property drawer holds structured fields (`:link:`, `:authors:`, `:arxiv_id:` ... through
the one field reader), and its body's labelled lines ("- Authors: ...") are read as labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from enrich.digests.base import SimpleFormat
from enrich.digests.document import Link
from enrich.digests.fields import field_of
from enrich.digests.outline import LineLists, Node, add_line, parse_outline
from enrich.models import DigestEntry
from enrich.runtime import regex

__all__ = ["FORMAT", "NAME", "outline", "parse", "sniff"]

NAME = "org"
_HEADING = regex(r"^(\*+)\s+(.*?)\s*$")
_KEYWORD = regex(r"^(?:TODO|DONE|NEXT|WAIT|WAITING|HOLD|CANCELLED|CANCELED|READ|READING)\s+")
_PRIORITY = regex(r"^\[#[A-Z0-9]\]\s*")
_TAGS = regex(r"\s+:[\w@#%:]+:\s*$")
_PROPERTY = regex(r"^\s*:([\w-]+):\s*(.*?)\s*$")
_LINK = regex(r"\[\[([^\[\]]+)\](?:\[([^\[\]]*)\])?\]")
_ITEM = regex(r"^(\s*)(?:[-+]|\d{1,3}[.)])\s+\S")
_BARE_URL = regex(r"https?://[^\s\]\[<>\"']+")


def _heading_text(raw: str) -> str:
    text = _TAGS.sub("", _PRIORITY.sub("", _KEYWORD.sub("", raw)))
    return _LINK.sub(lambda m: m.group(2) or m.group(1), text).strip()


def _links(text: str, line: int) -> list[Link]:
    links = [Link(m.group(1), m.group(2) or "", line) for m in _LINK.finditer(text)]
    inside = {link.url for link in links}
    links += [Link(u, "", line) for u in _BARE_URL.findall(_LINK.sub(" ", text)) if u not in inside]
    return links


def outline(text: str) -> Node:
    root = Node(kind="root", line=1)
    stack: list[tuple[Node, int]] = [(root, 0)]
    drawer: Node | None = None
    current: Node | None = None  # the paragraph or item being read
    lists = LineLists()
    for number, raw in enumerate(text.splitlines(), start=1):
        if m := _HEADING.match(raw):
            level = len(m.group(1))
            while len(stack) > 1 and stack[-1][1] >= level:
                stack.pop()
            section = Node(kind="section", line=number, heading=_heading_text(m.group(2)))
            section.links = _links(m.group(2), number)
            stack[-1][0].children.append(section)
            stack.append((section, level))
            drawer = current = None
            lists.clear()
            continue
        top = stack[-1][0]
        stripped = raw.strip()
        if stripped.upper() == ":PROPERTIES:":
            drawer = top
            continue
        if drawer is not None:
            if stripped.upper() == ":END:":
                drawer = None
            elif p := _PROPERTY.match(raw):
                name = field_of(p.group(1))
                if name is not None and p.group(2) and name not in {"venue", "volume"}:
                    drawer.fields.append((name, p.group(2), "structured", number))
                drawer.links.extend(_links(p.group(2), number))
            continue
        if not stripped or stripped.startswith("#+"):
            current = None
            continue
        if item := _ITEM.match(raw):
            current = lists.item(top, len(item.group(1)), number)
        elif current is None:
            current = lists.block(top, number)
        add_line(current, raw, _links(raw, number))
    return root


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    return parse_outline(outline, text, path, NAME)


def sniff(text: str, path: str) -> float:
    head = text[:5000]
    if path.lower().endswith(".org") and _HEADING.search(head.split("\n", 50)[0] + "\n"):
        return 0.9
    score = 0.0
    if re.search(r"^#\+(?:TITLE|AUTHOR|STARTUP|OPTIONS):", head, re.MULTILINE | re.IGNORECASE):
        score += 0.5
    if re.search(r"^\s*:PROPERTIES:\s*$", head, re.MULTILINE):
        score += 0.3
    if re.search(r"^\*+ \S", head, re.MULTILINE):
        score += 0.2
    return min(score, 0.9) if path.lower().endswith(".org") or score >= 0.7 else 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="org-mode lists: headings, property drawers, [[url][text]] links",
    sniff_fn=sniff,
    parse_fn=parse,
)
