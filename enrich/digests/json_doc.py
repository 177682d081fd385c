"""JSON and JSON Lines of any shape: paper lists, bot outputs, API answers, reference exports.

Read with the standard `json` module. Every object that looks like a paper (it has a key the field
reader maps to a title or an id) is one record; containers (`{"results": [...]}`, `{"items":
[...]}`, topic groups, Semantic Scholar's `{"data": [...]}`) are walked through. A paper object's
keys, and those of the objects nested in it (`details.arxiv_page_url`, `externalIds.ArXiv`,
OpenAlex `locations[].landing_page_url`), are read by the one field reader (digests/fields.py);
the source line of each object is where its `{` stands. arXiv-bot JSON, Hugging Face daily
papers, Semantic Scholar, OpenAlex, CSL-JSON and Zotero / Better BibTeX JSON all read this way.
An object that is no paper and holds none, but whose text links a paper (a chat export's
message: Slack, Discord, Telegram), gives the papers of that text, read as Markdown.

A file that is no JSON at all is read by the generic scan, so no id in it is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from enrich.digests import generic
from enrich.digests.base import SimpleFormat
from enrich.digests.document import Record
from enrich.digests.fields import entries_of, field_of
from enrich.digests.generic import LineIndex
from enrich.ids import find_arxiv_ids, try_parse
from enrich.models import DigestEntry, Source
from enrich.runtime import regex
from enrich.text.markup import without_surrogates

__all__ = ["FORMAT", "NAME", "parse", "records", "sniff"]

NAME = "json"
_TOKENS = regex(r'"(?:[^"\\]|\\.)*"|\{')
_MAX_DEPTH = 6
_MAX_KEYS = 60
_PAPER_FIELDS = {"title", "id"}
# An `enrich` report or output read back as a digest would report the tool's own findings.
_OWN_KEYS = ({"summary", "files"}, {"arxiv_id", "status", "digest", "conflicts"})


def _object_starts(text: str) -> list[int]:
    """Offsets of every `{` outside strings, in order: the pre-order of the parsed objects."""
    return [m.start() for m in _TOKENS.finditer(text) if m.group(0) == "{"]


class _Walker:
    def __init__(self, starts: list[int], lines: LineIndex, base_line: int) -> None:
        self.starts = starts
        self.lines = lines
        self.base_line = base_line
        self.seen = 0  # objects visited so far, in pre-order
        self.records: list[Record] = []

    def _line(self, index: int) -> int:
        if index < len(self.starts):
            return self.lines(self.starts[index]) + self.base_line - 1
        return self.base_line

    def walk(self, node: Any, depth: int = 0) -> None:
        if depth > 64:
            return
        if isinstance(node, list):
            for item in node:
                self.walk(item, depth + 1)
        elif isinstance(node, dict):
            index = self.seen
            self.seen += 1
            if _is_paper(node):
                record = Record(line=self._line(index))
                _read_object(record, node, (), 0)
                record.text = " ".join(_strings(node))
                self.records.append(record)
                self.seen += _count_objects(node) - 1
            else:
                before = len(self.records)
                for value in node.values():
                    self.walk(value, depth + 1)
                if len(self.records) == before:  # no paper object in it: its text may name some
                    self.records += _named_in_text(node, self._line(index))


# Slack's link "<https://...|text>" (its messages and webhooks), as a Markdown link
_SLACK_LINK = regex(r"<(https?://[^|<>\s]{1,2000})\|([^<>]{1,500})>")


def _named_in_text(node: dict[str, Any], line: int) -> list[Record]:
    """The papers a message names in its text (a chat export: Slack, Discord, Telegram), when
    it is no paper object: each string of the object that links an arXiv paper or writes
    "arXiv:ID" is read as Markdown (links, bold, a line of names), every record on the
    object's line. Nothing named in a JSON file is lost."""
    from enrich.digests import markdown_doc
    from enrich.digests.outline import records_of

    found: list[Record] = []
    for value in node.values():
        if not isinstance(value, str) or next(find_arxiv_ids(value, bare=False), None) is None:
            continue
        text = _SLACK_LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", value)
        for record in records_of(markdown_doc.outline(text)):
            record.line, record.end_line = line, line
            record.links = [replace(link, line=line) for link in record.links]
            record.fields = {
                name: [replace(v, line=line) for v in values]
                for name, values in record.fields.items()
            }
            found.append(record)
    return found


def _count_objects(node: Any) -> int:
    if isinstance(node, dict):
        return 1 + sum(_count_objects(v) for v in node.values())
    if isinstance(node, list):
        return sum(_count_objects(v) for v in node)
    return 0


def _names(node: dict[str, Any]) -> set[str | None]:
    return {field_of(str(key)) for key in node}


def _is_paper(node: dict[str, Any]) -> bool:
    """An object with a title, or with an arXiv id under an id key, that is not a list of papers
    with a title of its own (`{"title": "My feed", "items": [papers]}`)."""
    names = _names(node)
    if "authors" not in names and any(_holds_papers(v) for v in node.values()):
        return False
    for key, value in node.items():
        name = field_of(str(key))
        if not isinstance(value, (str, int, float)):
            continue
        if name == "title" or (name == "id" and isinstance(value, str)):
            return True
        if name == "maybe_id" and isinstance(value, str) and try_parse(value) is not None:
            return True
    return False


def _holds_papers(value: Any) -> bool:
    return isinstance(value, list) and any(
        isinstance(v, dict) and {"title", "authors"} <= _names(v) for v in value[:50]
    )


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _read_object(record: Record, node: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
    """Map the object's keys to fields: its own scalar keys first, then nested objects."""
    nested: list[tuple[str, Any]] = []
    for key, value in node.items():
        key = str(key)
        name = field_of(".".join((*path, key))) if path else None
        name = name or field_of(key)
        if name is None:
            if isinstance(value, (dict, list)):
                nested.append((key, value))
            continue
        if name in {"title", "abstract", "comment", "id", "maybe_id", "version"} and isinstance(
            value, (dict, list)
        ):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                record.add(name, " ".join(value), "structured")
            else:
                nested.append((key, value))
            continue
        if name == "title" and path:  # a nested title (a venue, a container) is not the paper's
            continue
        record.add(name, value, "structured")
    if depth >= _MAX_DEPTH:
        return
    for key, value in nested:
        if isinstance(value, dict) and len(value) > _MAX_KEYS:
            continue  # an index (OpenAlex abstract_inverted_index), not a part of the paper
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                _read_object(record, item, (*path, key), depth + 1)


def _is_own_output(data: Any) -> bool:
    if isinstance(data, dict):
        return any(keys <= data.keys() for keys in _OWN_KEYS)
    return False


def records(text: str) -> tuple[list[Record], list[int]] | None:
    """The paper records of a JSON or JSON Lines text and the lines that are no JSON, or None when
    the text is neither."""
    try:
        data = without_surrogates(json.loads(text))
    except (ValueError, RecursionError):
        return _json_lines(text)
    if _is_own_output(data):
        return [], []
    walker = _Walker(_object_starts(text), LineIndex(text), 1)
    walker.walk(data)
    return walker.records, []


def _json_lines(text: str) -> tuple[list[Record], list[int]] | None:
    found: list[Record] = []
    broken: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = without_surrogates(json.loads(line))
        except (ValueError, RecursionError):
            broken.append(number)
            continue
        if _is_own_output(data):
            continue
        walker = _Walker(_object_starts(line), LineIndex(line), number)
        walker.walk(data)
        found.extend(walker.records)
    if len(broken) > len(found) or not found:
        return None  # mostly not JSON: no JSON Lines file
    return found, broken


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    try:
        found = records(text)
    except RecursionError:
        found = None
    if found is None:  # not JSON: read it as text, so that no id is lost
        yield from generic.scan(text, path, NAME)
        return
    papers, broken = found
    yield from entries_of(papers, path, NAME)
    for line in broken:
        yield DigestEntry(
            source=Source(path=path, line=line, format=NAME),
            status="invalid",
            error=f"{path}:{line}: this line is no JSON",
        )


def sniff(text: str, path: str) -> float:
    head = text.lstrip()[:1]
    if head not in {"[", "{"}:
        return 0.0
    lowered = path.lower()
    if lowered.endswith((".json", ".jsonl", ".ndjson")):
        return 0.95
    return 0.6 if '"' in text[:200] else 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="JSON / JSON Lines of any shape: paper lists, arXiv-bot, Hugging Face, Semantic "
    "Scholar, OpenAlex, CSL-JSON, Zotero",
    sniff_fn=sniff,
    parse_fn=parse,
)
