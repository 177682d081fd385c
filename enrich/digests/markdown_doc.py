"""Markdown of any layout, read with markdown-it-py (block tokens with line maps) into an outline.

Headings open sections (a deeper heading nests), lists and tables split into items and rows,
paragraphs, quotes and code are blocks, and HTML blocks are read by lxml.html (html_doc.py); an
HTML block that opens a `<details>`/`<div>`/`<section>` without closing it holds what follows up to
its close. YAML front matter (`---` ... `---`) is read as keys of the whole note. Table header cells
label the cells under them. Then outline.records_of finds the papers and the one field reader
reads them (see outline.py for what is guessed and what is labelled).

This is the reader for Markdown no dedicated format claims: Hugging Face and Chinese 论文速递 posts,
Obsidian notes, scraped lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from enrich.digests.base import SimpleFormat
from enrich.digests.document import Link
from enrich.digests.fields import field_of
from enrich.digests.html_doc import html_nodes
from enrich.digests.outline import Node, parse_outline
from enrich.models import DigestEntry
from enrich.runtime import regex

__all__ = ["FORMAT", "NAME", "outline", "parse", "sniff"]

NAME = "markdown"
_FRONT = regex(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)
_YAML_KEY = regex(r"^([A-Za-z_][\w .-]{0,40}):\s*(.*)$")
_OPEN_CONTAINER = regex(r"<(details|div|section|article)\b", re.IGNORECASE)
_HTML_LINK = regex(
    r"<a\s[^<>]{0,500}?href\s*=\s*[\"']([^\"'<>]{1,2000})[\"'][^<>]{0,500}>"
    r"(.{0,500}?)</a\s*>",
    re.I | re.S,
)
_HTML_BOLD = regex(r"<(b|strong)(?=[\s>])[^<>]{0,300}>(.{1,500}?)</\1\s*>", re.I | re.S)


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def _front_matter(text: str) -> tuple[Node | None, int]:
    m = _FRONT.match(text)
    if m is None:
        return None, 0
    node = Node(kind="block", line=1, end_line=m.group(0).count("\n"))
    for number, raw in enumerate(m.group(1).splitlines(), start=2):
        key = _YAML_KEY.match(raw)
        if key is None:
            continue
        value = key.group(2).strip().strip("\"'")
        name = field_of(key.group(1))
        if name is not None and value and name not in {"venue", "volume"}:
            node.fields.append((name, value, "structured", number))
        if value.startswith(("http://", "https://")):
            node.links.append(Link(value, "", number))
    return node, m.group(0).count("\n")


def _inline(token: Token, line: int, node: Node) -> None:
    """Links and emphasis of an inline token into `node`."""
    children = token.children or []
    href: str | None = None
    label: list[str] = []
    strong = 0
    emphasis: list[str] = []
    for child in children:
        if child.type == "link_open":
            href, label = str(child.attrs.get("href") or ""), []
        elif child.type == "link_close" and href is not None:
            node.links.append(Link(href, "".join(label).strip(), line))
            href = None
        elif child.type == "strong_open":
            strong += 1
            emphasis = []
        elif child.type == "strong_close":
            strong -= 1
            if emphasis:
                node.emphasis.append("".join(emphasis).strip())
        elif child.type in {"text", "code_inline"}:
            if href is not None:
                label.append(child.content)
            if strong:
                emphasis.append(child.content)
        elif child.type == "html_inline":
            continue
    raw = token.content
    if "<" in raw:
        for m in _HTML_LINK.finditer(raw):
            node.links.append(Link(m.group(1), re.sub(r"<[^<>]*>", "", m.group(2)), line))
        for m in _HTML_BOLD.finditer(raw):
            node.emphasis.append(re.sub(r"<[^<>]*>", "", m.group(2)))


class _Builder:
    def __init__(self, lines: list[str], offset: int) -> None:
        self.lines = lines
        self.offset = offset
        self.root = Node(kind="root", line=1)
        self.stack: list[tuple[Node, int]] = [(self.root, 0)]  # (node, heading level or 0)
        self.containers: list[tuple[Node, str]] = []  # open HTML containers
        self.table_header: list[str | None] = []
        self.cells: list[str] = []

    @property
    def top(self) -> Node:
        return self.stack[-1][0]

    def source(self, token: Token) -> tuple[int, int, str]:
        start, end = token.map or (0, 0)
        return start + 1 + self.offset, end + self.offset, "\n".join(self.lines[start:end])

    def push(self, node: Node, level: int = 0) -> None:
        self.top.children.append(node)
        self.stack.append((node, level))

    def pop_to(self, node: Node) -> None:
        while len(self.stack) > 1 and self.stack[-1][0] is not node:
            self.stack.pop()
        if len(self.stack) > 1:
            self.stack.pop()

    def heading(self, level: int, token: Token, inline: Token) -> None:
        while len(self.stack) > 1 and (self.stack[-1][1] == 0 or self.stack[-1][1] >= level):
            if self.containers and self.containers[-1][0] is self.stack[-1][0]:
                break
            self.stack.pop()
        start, end, _ = self.source(token)
        node = Node(kind="section", line=start, end_line=end, heading=inline.content)
        _inline(inline, start, node)
        node.emphasis.clear()
        self.push(node, level)

    def html(self, token: Token) -> None:
        start, end, raw = self.source(token)
        closes = re.findall(r"</(details|div|section|article)\s*>", raw, re.I)
        opens = _OPEN_CONTAINER.findall(raw)
        for _ in range(max(0, len(closes) - len(opens))):
            if self.containers:
                node, _tag = self.containers.pop()
                self.pop_to(node)
        nodes = html_nodes(raw, start - 1)
        if len(opens) > len(closes) and not closes:
            container = Node(kind="element", line=start, end_line=end)
            for node in nodes:
                if node.heading and container.heading is None:
                    container.heading = node.heading
                container.children.append(node)
            summary = re.search(r"<summary[^<>]*>(.*?)</summary>", raw, re.I | re.S)
            if summary is not None:
                container.heading = re.sub(r"<[^<>]*>", "", summary.group(1)).strip()
            self.push(container)
            self.containers.append((container, opens[-1].lower()))
            return
        self.top.children.extend(nodes)

    def block(self, token: Token, inline: Token | None, kind: str = "block") -> Node:
        start, end, raw = self.source(token)
        node = Node(kind=kind, line=start, end_line=end, text=raw)
        if inline is not None:
            _inline(inline, start, node)
        return node


def outline(text: str) -> Node:
    """The outline of a Markdown text (see the module docstring)."""
    front, skip = _front_matter(text)
    body = text[len("\n".join(text.split("\n")[:skip])) + (1 if skip else 0) :] if skip else text
    builder = _Builder(body.split("\n"), skip)
    if front is not None:
        builder.root.children.append(front)
    tokens = _parser().parse(body)
    _build(builder, tokens)
    return builder.root


def _build(b: _Builder, tokens: list[Token]) -> None:
    i = 0
    lists: list[Node] = []
    items: list[Node] = []
    header: list[str | None] = []
    in_head = False
    row: Node | None = None
    cell = 0
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if t.type == "heading_open" and nxt is not None:
            b.heading(int(t.tag[1:]), t, nxt)
            i += 3
            continue
        if t.type in {"bullet_list_open", "ordered_list_open"}:
            start, end, _ = b.source(t)
            node = Node(kind="list", line=start, end_line=end, split=True)
            (items[-1] if items else b.top).children.append(node)
            lists.append(node)
        elif t.type in {"bullet_list_close", "ordered_list_close"}:
            if lists:
                lists.pop()
        elif t.type == "list_item_open":
            start, end, _ = b.source(t)
            node = Node(kind="item", line=start, end_line=end)
            (lists[-1] if lists else b.top).children.append(node)
            items.append(node)
        elif t.type == "list_item_close":
            if items:
                items.pop()
        elif t.type == "paragraph_open" and nxt is not None and nxt.type == "inline":
            kind = "item" if items else "block"
            target = items[-1] if items else b.top
            node = b.block(t, nxt, kind)
            if items:  # the item's text: links, emphasis and labels of its paragraphs
                target.text = "\n".join(x for x in (target.text, node.text) if x)
                target.links.extend(node.links)
                target.emphasis.extend(node.emphasis)
            else:
                target.children.append(node)
            i += 3
            continue
        elif t.type in {"fence", "code_block"}:
            start, end, raw = b.source(t)
            (items[-1] if items else b.top).children.append(
                Node(kind="block", line=start, end_line=end, text=raw)
            )
        elif t.type == "html_block":
            if items:
                start, _, raw = b.source(t)
                items[-1].children.extend(html_nodes(raw, start - 1))
            else:
                b.html(t)
        elif t.type == "table_open":
            start, end, _ = b.source(t)
            table = Node(kind="table", line=start, end_line=end, split=True)
            b.top.children.append(table)
            header, lists_table = [], table
            lists.append(lists_table)
        elif t.type == "table_close":
            if lists:
                lists.pop()
        elif t.type == "thead_open":
            in_head = True
        elif t.type == "thead_close":
            in_head = False
        elif t.type == "tr_open":
            cell = 0
            if not in_head:
                start, end, raw = b.source(t)
                row = Node(kind="item", line=start, end_line=end, text=raw)
                if lists:
                    lists[-1].children.append(row)
        elif t.type == "inline" and tokens[i - 1].type in {"th_open", "td_open"}:
            if in_head:
                header.append(field_of(t.content))
            elif row is not None:
                _inline(t, row.line, row)
                name = header[cell] if cell < len(header) else None
                if name is not None and t.content.strip() and name not in {"venue", "volume"}:
                    row.fields.append((name, _cell_value(t.content), "structured", row.line))
                cell += 1
        i += 1


def _cell_value(content: str) -> Any:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", content)
    return re.sub(r"<[^<>]*>", " ", text).strip()


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    return parse_outline(outline, text, path, NAME)


def sniff(text: str, path: str) -> float:
    lowered = path.lower()
    if lowered.endswith((".md", ".markdown")):
        return 0.3
    head = text[:4000]
    if re.search(r"^#{1,6}\s|^\s*[-*]\s+\S|\]\(https?://", head, re.MULTILINE):
        return 0.2
    return 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="Markdown no dedicated format claims, read with markdown-it-py: an entry per "
    "section, item, row or card that names one paper",
    sniff_fn=sniff,
    parse_fn=parse,
    priority=-1,
)
