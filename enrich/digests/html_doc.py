"""HTML pages (and the HTML inside Markdown), read with lxml.html into an outline (outline.py).

Every element becomes a node with its source line; lists and tables split into their items and
rows. What the page states about a paper is read from:
  classes        an element whose class names a field (`card-title`, `card-authors`, `paper-tldr`,
                 `arxiv-id`) holds that field (structured)
  attributes     `data-arxiv-id="2512.20907v1"` is the paper's id
  labelled text  "<b>Authors:</b> A, B" (any line of text inside the record)
  guesses        <summary>, headings, the paper link's text, <b>/<strong>/<em> text
Atom/RSS feeds and XML are other formats; this reader never fetches anything.
"""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
from lxml import etree

from enrich.digests.base import SimpleFormat
from enrich.digests.document import Link
from enrich.digests.fields import field_of
from enrich.digests.outline import Node, parse_outline
from enrich.models import DigestEntry
from enrich.runtime import regex
from enrich.text.markup import fold_space

__all__ = ["FORMAT", "NAME", "html_nodes", "parse", "sniff"]

NAME = "html"
_SPLIT = frozenset({"ul", "ol", "table", "tbody", "thead", "dl"})
_ITEMS = frozenset({"li", "tr", "dt", "dd"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "summary"})
_EMPHASIS = frozenset({"b", "strong", "em", "i"})
_SKIP = frozenset({"script", "style", "noscript", "template", "head"})
_CLASS_SPLIT = regex(r"[-_]")
_CLASS_FIELDS = frozenset({"title", "authors", "abstract", "categories", "date", "id", "comment"})


_OWN_LABEL = regex(r"\s*([^:：\n]{1,40}?)\s*[:：]\s*")


def _class_field(element: etree._Element) -> str | None:
    """The field an element's class names (`card-authors` -> authors), if any."""
    classes = str(element.get("class") or "").split()
    for cls in classes:
        # the class itself or its last word: `card-authors`, `paper_title` (not `paper-tag`, and
        # not `paper`, which holds a whole paper rather than its title)
        for candidate in (cls, _CLASS_SPLIT.split(cls)[-1]):
            name = field_of(candidate)
            if name in _CLASS_FIELDS and candidate.lower() != "paper":
                return name
    return None


def _header(table: etree._Element) -> list[str | None]:
    """The fields a table's header cells name (`<th>题目</th>` -> title), by column."""
    for row in table.iter("tr"):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in {"th", "td"}]
        if cells and all(c.tag == "th" for c in cells):
            return [field_of(_text(c)) for c in cells]
        return []
    return []


def _row_fields(
    row: etree._Element, line: int, headers: dict[int, list[str | None]]
) -> Iterator[tuple[str, str, int]]:
    table = next((a for a in row.iterancestors("table")), None)
    if table is None:
        return
    key = id(table)
    if key not in headers:
        headers[key] = _header(table)
    header = headers[key]
    cells = [c for c in row if isinstance(c.tag, str) and c.tag == "td"]
    for name, cell in zip(header, cells, strict=False):
        value = _text(cell)
        if name is not None and name not in {"venue", "volume", "maybe_id"} and value:
            yield name, value, line


def _text(element: etree._Element) -> str:
    return fold_space(str(element.text_content()))


def _node(
    element: etree._Element, offset: int, headers: dict[int, list[str | None]]
) -> Node | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or tag in _SKIP:
        return None
    line = (element.sourceline or 1) + offset
    kind = "list" if tag in _SPLIT else "item" if tag in _ITEMS else "element"
    node = Node(kind=kind, line=line, split=tag in _SPLIT)
    own = [element.text or ""]
    if tag == "details":
        summary = element.find("summary")
        if summary is not None:
            node.heading = _text(summary)
    elif tag in _HEADINGS or tag in _EMPHASIS:
        node.emphasis.append(_text(element))
    name = _class_field(element)
    if name is not None:
        value = _text(element)
        said = _OWN_LABEL.match(value)  # arXiv's listing: <div class="list-title">Title: ...
        if said is not None and field_of(said.group(1)) == name:
            value = value[said.end() :]
        if (name == "title" and tag == "a" and element.get("href")) or value:
            node.fields.append((name, value, "structured", line))
    if (arxiv_id := element.get("data-arxiv-id")) is not None:
        node.fields.append(("id", arxiv_id, "structured", line))
    if tag == "tr":
        for field_name, value, at in _row_fields(element, line, headers):
            node.fields.append((field_name, value, "structured", at))
    if tag == "a" and element.get("href"):
        node.links.append(Link(str(element.get("href")), _text(element), line))
    for child in element:
        sub = _node(child, offset, headers)
        if sub is not None:
            if tag == "dl" and child.tag == "dd" and node.children:  # a term's definitions
                node.children[-1].children.append(sub)  # go with it: one item each
            elif tag == "dl" and child.tag == "dt":
                node.children.append(Node(kind="item", line=sub.line, children=[sub]))
            else:
                node.children.append(sub)
        own.append(child.tail or "")
    text = "\n".join(t for t in own if t.strip())
    if tag in {"p", "li", "td", "dd", "div", "span", "blockquote"} and not node.fields:
        text = _text(element) if not any(c.tag in {"div", "p", "li"} for c in element) else text
        node.children = [c for c in node.children if c.links or c.fields or c.children]
    node.text = text
    return node


def html_nodes(html: str, offset: int = 0) -> list[Node]:
    """The outline nodes of an HTML document or fragment (lines shifted by `offset`)."""
    if not html.strip():
        return []
    try:
        fragments = lxml.html.fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    nodes: list[Node] = []
    for fragment in fragments:
        if isinstance(fragment, str):
            if fragment.strip():
                nodes.append(Node(kind="block", line=offset + 1, text=fragment))
            continue
        node = _node(fragment, offset, {})
        if node is not None:
            nodes.append(node)
    return nodes


def _document_nodes(text: str) -> list[Node]:
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return []
    body = root.find("body")
    top = _node(body if body is not None else root, 0, {})
    return [top] if top is not None else []


def _outline(text: str) -> Node:
    return Node(kind="root", line=1, children=_document_nodes(text))


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    return parse_outline(_outline, text, path, NAME)


def sniff(text: str, path: str) -> float:
    head = text[:4000].lower()
    if "<html" in head or "<!doctype html" in head:
        return 0.45 if not path.lower().endswith((".html", ".htm")) else 0.5
    return 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="HTML pages: an entry per element that names one paper, read with lxml.html",
    sniff_fn=sniff,
    parse_fn=parse,
    priority=-1,
)
