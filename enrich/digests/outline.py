"""Outline documents (Markdown, HTML, org-mode, reStructuredText) -> records.

A reader builds a tree of `Node`s from its library's view of the file: sections under headings,
lists and their items, tables and their rows, paragraphs, HTML elements. `records_of` then finds the
papers: a record is the largest node that names exactly one paper (its link, its PDF, its Hugging
Face page and its abstract all together), except that the items of a list or the rows of a table
that each name a paper are records of their own (a list may name one paper twice: a duplicate).
A node that names several papers in its own text (a paragraph of links) gives one record per paper.

Inside a record, the one field reader sees:
  labelled lines   "**Authors:** ...", "- 作者：...", "Categories: cs.CV" (any line of the record)
  structured       cells under a table header, org properties, YAML front matter, HTML classes
  guesses          the section's heading, the text of the paper's link, the first emphasised text,
                   a citation line "Title (2015), A. Author et al." -- kept only when they read
                   like a title (enrich.digests.fields.guessed_title)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from enrich.digests import generic
from enrich.digests.document import Link, Record
from enrich.digests.fields import entries_of, field_of, guessed_title
from enrich.ids import find_arxiv_ids, find_malformed_ids, try_parse
from enrich.models import DigestEntry, Provenance
from enrich.runtime import regex
from enrich.text import strip_html
from enrich.text.authors import reads_as_names
from enrich.text.titles import title_key
from enrich.text.vocabulary import strip_cut_marker

__all__ = [
    "LineLists",
    "Node",
    "add_line",
    "byline_guess",
    "citation_guess",
    "labelled_lines",
    "parse_outline",
    "records_of",
]

SPLIT_KINDS = frozenset({"list", "table"})


@dataclass
class Node:
    kind: str  # root | section | list | item | table | row | block | element
    line: int
    end_line: int | None = None
    text: str = ""  # the node's own text (not its children's): scanned for ids and labels
    heading: str | None = None  # a section's heading, an HTML <summary>
    children: list[Node] = field(default_factory=list)
    fields: list[tuple[str, object, Provenance, int | None]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    emphasis: list[str] = field(default_factory=list)
    split: bool = False  # children naming papers are records of their own (list items, rows)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


# "- **Authors:** A, B", "作者：A、B", "> Categories: cs.CV", "<b>Date</b>: 2024-01-01"
_LABELLED = regex(
    r"^\s*(?:(?:[-+*]|\d{1,3}[.)])\s+|>\s*)*(?:\*\*|__|\*|_)?\s*:?"
    r"(?P<label>[^:：\n*_]{1,40}?)\s*(?:\*\*|__|\*|_)?\s*[:：]\s*(?:\*\*|__|\*|_)?\s*(?P<value>.*)$"
)
_TAGS = regex(r"<[^<>\n]{0,300}>")


def labelled_lines(text: str, first_line: int) -> Iterator[tuple[str, str, int]]:
    """(field, value, line) for every line of `text` that starts with a known label."""
    for number, raw in enumerate(text.splitlines(), start=first_line):
        if ":" not in raw and "：" not in raw:
            continue
        line = _TAGS.sub("", raw) if "<" in raw else raw
        m = _LABELLED.match(line)
        if m is None:
            continue
        name = field_of(m.group("label"))
        value = m.group("value").strip().strip("*_").strip()
        if name is None or name in {"maybe_id", "venue", "volume"}:
            continue
        if name == "links" and not value:
            continue
        if value and field_of(value) is None:
            yield name, value, number


# "Distilling the knowledge in a neural network (2015), G. Hinton et al. `[pdf] <url>`__"
_CITATION = regex(
    r"^\s*(?:[-+*]|\d{1,3}[.)])?\s*(?P<title>[^\n]{8,400}?)\s*\((?:19|20)\d\d[a-z]?\)\s*[,.]\s*"
    r"(?P<authors>[^`<\[\n(]{3,400}?)\s*(?:[`<\[(]|$)"
)


def citation_guess(text: str) -> tuple[str, str] | None:
    """(title, authors) of a reference line "Title (year), Authors ...", or None."""
    m = _CITATION.match(text)
    if m is None:
        return None
    return m.group("title"), m.group("authors").rstrip(" .,")


# What a line says besides its names: links with their text, bold (a title or a label), code
# (categories), URLs, list and quote markers, emphasis marks; the separators and a year at its ends
_NOT_NAMES = regex(r"\*\*.+?\*\*|__.+?__|`[^`]*`|<[^<>]*>")
_LINE_LEAD = regex(r"^\s*(?:(?:[-+*]|\d{1,3}[.)])\s+|>\s*)*")
_EMPHASIS_MARK = regex(r"(?<![^\W_])[*_]+|[*_]+(?![^\W_])")
_ENDS = regex(r"^[\s\-–—:|,;·•/]+|[\s\-–—:|,;·•/]+$")
_YEAR_AT_END = regex(r"[\s,(]*\b(?:19|20)\d\d[a-z]?\)?\.?$")
_WRAPPED = regex(r"^[(（\[]([^()（）\[\]]+)[)）\]]$")
_PARTS_OF_LINE = regex(r"\s+[—–|]\s+|\s+-\s+")
_BYLINE_LINES = 3  # the lines of a record a line of names may stand on, from its first


def _besides_links(raw: str, link_texts: list[str]) -> str:
    """The line without what is no name (see above); HTML text drops its links' texts."""
    line = _LINE_LEAD.sub("", raw)
    line = generic.HTML_LINK.sub(" ", generic.MD_LINK.sub(" ", line))
    line = generic.URL.sub(" ", _NOT_NAMES.sub(" ", line))
    for text in link_texts:
        if len(text) >= 8 and text in line:
            line = line.replace(text, " ")
    for m in reversed(list(find_arxiv_ids(line))):
        line = line[: m.start] + " " + line[m.end :]
    return " ".join(_EMPHASIS_MARK.sub(" ", line).split())


def byline_guess(
    lines: list[tuple[str, int]], link_texts: list[str]
) -> tuple[list[str], int] | None:
    """(names, line) of the first line of a record, among its first few, that gives its authors
    without a label: "[Title](url) — A. Author et al.", "*A, B and C* — [pdf](url)", "**Title**
    (A, B, C)", "[Title](url) by A and B", "[Title](url), A, B, et al., 2024". The names are what
    the line says besides links, bold, code and URLs, read by the one author-list reader; a
    line whose rest is a topic, a lab or a sentence gives none (text.authors.reads_as_names)."""
    for raw, number in lines[:_BYLINE_LINES]:
        rest = _besides_links(raw, link_texts)
        for part in _PARTS_OF_LINE.split(rest):
            part = _ENDS.sub("", _YEAR_AT_END.sub("", _ENDS.sub("", part)))
            if (wrapped := _WRAPPED.match(part)) is not None:
                part = wrapped.group(1).strip()
            found = reads_as_names(part, cue=part[:3].lower() == "by ") if part else None
            if found is not None:  # kept as split here: the field reader splits a line its way
                return [*found.names, *(["et al."] if found.truncated else [])], number
    return None


def _own_ids(node: Node) -> list[tuple[str, str | None]]:
    """(base id, text as written) of every id in the node's own text, links and id fields."""
    found: list[tuple[str, str | None]] = []
    for name, value, _, _ in node.fields:
        if name == "id" and isinstance(value, str):
            parsed = try_parse(value.strip())
            if parsed is not None:
                found.append((parsed.id, value.strip()))
        elif name == "links" and isinstance(value, str):
            found.extend((m.arxiv_id.id, m.text) for m in find_arxiv_ids(value, bare=False))
    for link in node.links:
        found.extend((m.arxiv_id.id, m.text) for m in find_arxiv_ids(link.url, bare=False))
    found.extend((m.arxiv_id.id, m.text) for m in find_arxiv_ids(node.text))
    if not found:  # a malformed id in an arXiv context is a paper too (an invalid entry)
        found.extend((f"?{bad.text}", None) for bad in find_malformed_ids(node.text))
        for link in node.links:
            found.extend((f"?{bad.text}", None) for bad in find_malformed_ids(link.url))
    return found


class _Papers:
    def __init__(self) -> None:
        self._own: dict[int, list[tuple[str, str | None]]] = {}
        self._all: dict[int, set[str]] = {}

    def own(self, node: Node) -> list[tuple[str, str | None]]:
        key = id(node)
        if key not in self._own:
            self._own[key] = _own_ids(node)
        return self._own[key]

    def all(self, node: Node) -> set[str]:
        key = id(node)
        if key not in self._all:
            ids = {i for i, _ in self.own(node)}
            for child in node.children:
                ids |= self.all(child)
            self._all[key] = ids
        return self._all[key]


def records_of(root: Node) -> list[Record]:
    """The papers of an outline, in document order (see the module docstring)."""
    papers = _Papers()
    out: list[Record] = []
    _visit(root, papers, out)
    return out


def _visit(node: Node, papers: _Papers, out: list[Record]) -> None:
    ids = papers.all(node)
    if not ids:
        return
    naming = [c for c in node.children if papers.all(c)]
    splitting = (node.split or node.kind in SPLIT_KINDS) and len(naming) >= 2
    if len(ids) == 1 and not splitting and not _listed_apart(node, papers):
        out.append(_record(_narrow(node, papers), papers))
        return
    if not splitting and (stated := _stated_alone(node, papers)) is not None:
        record = _record(node, papers)  # the others are named in passing: no links of its own
        record.links = [link for link in record.links if _names_only(link.url, stated)]
        out.append(record)
        return
    own = papers.own(node)
    if own:
        out.extend(_loose(node, own))
    for child in node.children:
        _visit(child, papers, out)


_ANY_WORD = regex(r"\b[^\W\d_]{2,}\b")
_PASSING_MOST = 6  # papers a section about one paper names: more make it a list of papers


def _stated(node: Node) -> set[str]:
    """The papers a node states in an id or link field ("**arXiv:** [2402.08811](...)", an id
    column), not in its running text."""
    found: set[str] = set()
    values = [(name, value) for name, value, _, _ in node.fields]
    values += [(name, value) for name, value, _ in labelled_lines(node.text, node.line)]
    for name, value in values:
        if name in {"id", "links"} and isinstance(value, str):
            found.update(m.arxiv_id.id for m in find_arxiv_ids(value, bare=name == "id"))
    return found


def _stated_alone(node: Node, papers: _Papers) -> str | None:
    """The one paper a section states in a field when every other paper it names is named in
    passing: linked inside a sentence of a paragraph, by a citation rather than a title ("It
    builds on [Raposo et al.](https://arxiv.org/abs/...)"): a post's section about one paper,
    not an entry per link. None otherwise, and for a section holding sections that name papers
    (each is read on its own)."""
    if node.kind != "section" or len(papers.all(node)) > _PASSING_MOST:
        return None
    parts = list(node.walk())
    if any(part.kind == "section" and papers.all(part) for part in parts[1:]):
        return None  # a section over sections: each says what it is about
    stated: set[str] = set()
    for part in parts:
        stated |= _stated(part)
    if len(stated) != 1:
        return None
    others = papers.all(node) - stated
    for part in parts:
        if any(i in others for i, _ in papers.own(part)):
            if part.kind != "block" or part.fields or part.children:
                return None
            if any(True for _ in labelled_lines(part.text, part.line)):
                return None  # a block with fields of its own: another paper's entry
            for link in part.links:
                named = {m.arxiv_id.id for m in find_arxiv_ids(link.url, bare=False)}
                if named & others and not _citation(link.text):
                    return None  # a paper named by its title: an entry of its own
            for line in part.text.splitlines():
                found = [m for m in find_arxiv_ids(line) if m.arxiv_id.id in others]
                if found:
                    opens = line.rfind("[", 0, found[0].start)  # its Markdown link's start
                    before = line[: opens if opens >= 0 else found[0].start]
                    if len(_ANY_WORD.findall(before)) < 2:
                        return None  # it begins its line: an entry, not a sentence's citation
    return next(iter(stated)) if others else None


def _citation(text: str) -> bool:
    """Does a link's text cite a paper rather than title it: "Raposo et al.", "MoE", "12"?"""
    return strip_cut_marker(text)[1] or len(text.split()) <= 1


def _names_only(url: str, paper: str) -> bool:
    """Does `url` name no arXiv paper but `paper` (or none)?"""
    return all(m.arxiv_id.id == paper for m in find_arxiv_ids(url, bare=False))


def _listed_apart(node: Node, papers: _Papers) -> bool:
    """Does a list or table under `node` give one paper in two entries or more under the same
    title (the paper pasted twice, or its v1 and its v2)? Then each is a record, as the entries
    of different papers are; a list of one paper's links ("[Read the abstract](abs)", "[Full
    PDF](pdf)") or fields ("**URL:** ...") is no such list."""
    for part in node.walk():
        if not (part.split or part.kind in SPLIT_KINDS) or any(map(_is_field_line, part.children)):
            continue
        seen: set[str] = set()
        for child in part.children:
            if not papers.all(child) or (title := _title_of(child)) is None:
                continue
            if (key := title_key(title)) in seen:  # the same title again: a repeat, a version
                return True
            seen.add(key)
    return False


def _title_of(node: Node) -> str | None:
    """The title an item names its paper with (its link's text, bold or emphasis), or None."""
    texts = [link.text for link in node.links if link.text] + node.emphasis
    return next((t for t in map(guessed_title, texts) if t is not None), None)


def _is_field_line(node: Node) -> bool:
    """A list item that is one labelled field ("- **Published:** 2026-01-27"), not an entry."""
    first = node.text.split("\n", 1)[0]
    return any(True for _ in labelled_lines(first, node.line)) or bool(
        _LABELLED.match(first) and field_of(_LABELLED.match(first).group("label"))  # type: ignore[union-attr]
    )


def _narrow(node: Node, papers: _Papers) -> Node:
    """The item that names the paper when it is one entry of a list of entries (the other items
    being papers not on arXiv), rather than the whole section around the list."""
    current = node
    while not papers.own(current):
        naming = [c for c in current.children if papers.all(c)]
        if len(naming) != 1:
            break
        child = naming[0]
        if child.split and len(child.children) >= 2:
            if any(_is_field_line(c) for c in child.children):
                break  # "- **URL:** ...", "- **Published:** ...": the fields of one paper
            items = [c for c in child.children if papers.all(c)]
            return items[0] if len(items) == 1 else node
        current = child
    return node


def _states_title(node: Node) -> bool:
    return any(name == "title" for part in node.walk() for name, *_ in part.fields)


def _parts(node: Node, papers: _Papers) -> Iterator[Node]:
    """The node and its descendants, without the entries of other papers beside this one: when
    the child naming the paper states a title, a sibling that states one too but names no arXiv
    paper is another paper's entry (a card of a paper not on arXiv)."""
    yield node
    naming = [c for c in node.children if papers.all(c)]
    entry_like = any(_states_title(c) for c in naming)
    for child in node.children:
        if entry_like and not papers.all(child) and _states_title(child):
            continue
        yield from _parts(child, papers)


def _record(node: Node, papers: _Papers) -> Record:
    """One paper: the node and everything under it."""
    record = Record(line=node.line, end_line=node.end_line)
    texts: list[str] = []
    guesses: list[tuple[str, int | None]] = []
    if node.heading:
        guesses.append((node.heading, node.line))
    parts = list(_parts(node, papers))
    for part in parts:
        for name, value, provenance, line in part.fields:
            record.add(name, value, provenance, line)
        if part.text:
            texts.append(part.text)
            for name, value, line in labelled_lines(part.text, part.line):
                record.add(name, value, "labelled", line)
        record.links.extend(part.links)
        if part is not node and part.heading and part.kind == "section":
            guesses.append((part.heading, part.line))
    record.text = "\n".join(texts)
    for link in record.links:
        if any(True for _ in find_arxiv_ids(link.url, bare=False)) and link.text:
            guesses.append((link.text, link.line))
    for part in parts:
        guesses.extend((text, part.line) for text in part.emphasis)
    cited = citation_guess(node.text) if node.kind in {"item", "block"} else None
    if cited is not None:
        guesses.insert(0, (cited[0], node.line))
        record.add("authors", cited[1], "guessed", node.line)
    elif "authors" not in record.fields:
        lines = [
            (raw, part.line + offset)
            for part in parts
            for offset, raw in enumerate(part.text.splitlines())
            if raw.strip()
        ]
        byline = byline_guess(lines, [link.text for link in record.links])
        if byline is not None:
            record.add("authors", byline[0], "guessed", byline[1])
    for text, line in guesses:
        record.add("title", text, "guessed", line)
    return record


def _loose(node: Node, own: list[tuple[str, str | None]]) -> Iterator[Record]:
    """One record per paper named in the node's own text (a paragraph of several links)."""
    seen: dict[str, Record] = {}
    by_base: dict[str, list[Link]] = {}  # each link's ids read once: a one-line digest of
    for link in node.links:  # 400,000 links would otherwise cost ids x links
        for base_id in dict.fromkeys(m.arxiv_id.id for m in find_arxiv_ids(link.url, bare=False)):
            by_base.setdefault(base_id, []).append(link)
    for base, written in own:
        if base in seen:
            if written:
                seen[base].add("id", written, "structured")
            continue
        record = Record(line=node.line, end_line=node.end_line, single=True)
        if written is None:
            record.text = base[1:]  # a malformed id: read again as text, becomes invalid
        else:
            record.add("id", written, "structured")
            for link in by_base.get(base, []):
                record.links.append(link)
                if link.text:
                    record.add("title", link.text, "guessed", link.line)
        seen[base] = record
    yield from seen.values()


def scrub(text: str) -> str:
    """Text without HTML tags, for labels and guesses."""
    return strip_html(text) if "<" in text else text


class LineLists:
    """The lists and paragraphs of a line-based outline (org-mode, reStructuredText): items at one
    indent share a list; a paragraph ends the lists before it."""

    def __init__(self) -> None:
        self.lists: dict[int, Node] = {}

    def item(self, parent: Node, indent: int, line: int) -> Node:
        if indent not in self.lists:
            self.lists[indent] = Node(kind="list", line=line, split=True)
            parent.children.append(self.lists[indent])
        node = Node(kind="item", line=line)
        self.lists[indent].children.append(node)
        return node

    def block(self, parent: Node, line: int) -> Node:
        node = Node(kind="block", line=line)
        parent.children.append(node)
        self.lists.clear()
        return node

    def clear(self) -> None:
        self.lists.clear()


def add_line(node: Node, raw: str, links: list[Link]) -> None:
    """One more source line of a paragraph or an item."""
    node.text = f"{node.text}\n{raw}" if node.text else raw
    node.links.extend(links)


def parse_outline(
    build: Callable[[str], Node], text: str, path: str, format_name: str
) -> Iterator[DigestEntry]:
    """The entries of an outline reader; a text that defeats the reader is scanned for ids."""
    try:
        found = records_of(build(text))
    except (RecursionError, ValueError, IndexError):
        yield from generic.scan(text, path, format_name)
        return
    yield from entries_of(found, path, format_name)
