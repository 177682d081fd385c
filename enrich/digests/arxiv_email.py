"""arXiv's own e-mail listing (the daily subscription mail): `\\\\` separators, `arXiv:ID` lines,
`Key: value` headers with indented continuation lines, the abstract, and the `\\\\ ( URL , size)`
trailer.

Each paper is one record: the `arXiv:ID` line is its id, the headers are read by the one field
reader (Title, Authors, Categories, Comments, Date), `Date (revised vN)` gives the version of a
replacement, and the text between the second and third `\\\\` is the abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from enrich.digests.base import SimpleFormat
from enrich.digests.document import Record
from enrich.digests.fields import entries_of, field_of
from enrich.models import DigestEntry
from enrich.runtime import regex

__all__ = ["FORMAT", "NAME", "parse", "records", "sniff"]

NAME = "arxiv-email"
_ID_LINE = regex(r"^arXiv:(\S+)", re.MULTILINE)
_SEPARATOR = regex(r"^\\\\[ \t]*$", re.MULTILINE)
_HEADER = regex(r"^([A-Za-z][\w-]*(?: \([^()\n]{0,40}\))?):\s?(.*)$")
_REVISED = regex(r"revised\s+v(\d+)", re.IGNORECASE)
_TRAILER = regex(r"^\\\\\s*\(\s*(\S+)", re.MULTILINE)
_RULE = regex(r"^-{20,}\s*$", re.MULTILINE)


def _record(text: str, start: int, end: int) -> Record:
    line = text.count("\n", 0, start) + 1
    chunk = text[start:end]
    record = Record(line=line, end_line=line + chunk.count("\n"), text=chunk)
    lines = chunk.splitlines()
    first = _ID_LINE.match(lines[0]) if lines else None
    if first is not None:
        record.add("id", first.group(1), "structured", line)
    key: str | None = None
    value: list[str] = []
    fields: list[tuple[str, str, int]] = []
    number = line
    for number, raw in enumerate(lines[1:], start=line + 1):
        if _SEPARATOR.match(raw):
            break
        if raw.startswith((" ", "\t")) and key is not None:
            value.append(raw.strip())
            continue
        if key is not None:
            fields.append((key, " ".join(value), number))
        m = _HEADER.match(raw)
        key, value = (m.group(1), [m.group(2).strip()]) if m else (None, [])
    if key is not None:
        fields.append((key, " ".join(value), number))
    for key, text_value, at in fields:
        if (revised := _REVISED.search(key)) is not None:
            record.add("version", revised.group(1), "labelled", at)
        name = field_of(key.split("(")[0])
        if name is not None:
            record.add(name, text_value, "labelled", at)
    parts = _SEPARATOR.split(chunk, maxsplit=2)
    if len(parts) >= 2:
        abstract = _TRAILER.split(parts[1])[0] if parts[1] else ""
        record.add("abstract", abstract.strip(), "labelled")
    if (trailer := _TRAILER.search(chunk)) is not None:
        record.add("links", trailer.group(1), "structured")
    return record


def records(text: str) -> list[Record]:
    starts = [m.start() for m in _ID_LINE.finditer(text)]
    found: list[Record] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        rule = _RULE.search(text, start, end)
        found.append(_record(text, start, rule.start() if rule else end))
    return found


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    yield from entries_of(records(text), path, NAME)


def sniff(text: str, path: str) -> float:
    head = text[:20000]
    ids = len(_ID_LINE.findall(head))
    if ids and _SEPARATOR.search(head) and re.search(r"^Title:", head, re.MULTILINE):
        return 0.95
    return 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="arXiv's e-mail listing (\\\\ separators, arXiv:ID, Title:/Authors:/Categories:)",
    sniff_fn=sniff,
    parse_fn=parse,
)
