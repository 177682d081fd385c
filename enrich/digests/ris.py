"""RIS, the reference managers' tagged format (Zotero, EndNote, Mendeley, scripts), read with rispy.

A record runs from its `TY  -` line to its `ER  -` line; its tags are mapped by the one field
reader (TI/T1 title, AU/A1 authors as "Last, First", PY/DA date, AB/N2 abstract, UR/L1 links, DO,
JO/T2 venue, VL volume: dblp's "CoRR" + "abs/ID"). The source line is the `TY` line. A record
rispy cannot read is scanned for ids as text, so nothing is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import rispy

from enrich.digests import generic
from enrich.digests.base import SimpleFormat
from enrich.digests.document import Record
from enrich.digests.fields import entries_of, field_of
from enrich.models import DigestEntry
from enrich.runtime import regex

__all__ = ["FORMAT", "NAME", "parse", "records", "sniff"]

NAME = "ris"
_START = regex(r"^\s*TY  - ", re.MULTILINE)
_TAG = regex(r"^([A-Z][A-Z0-9])  -", re.MULTILINE)
_IDENTITY = {tag: tag for tag in rispy.TAG_KEY_MAPPING}


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(line of the TY tag, text of the record) for every record."""
    starts = [m.start() for m in _START.finditer(text)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        yield text.count("\n", 0, start) + 1, text[start:end]


def _read(chunk: str) -> dict[str, Any] | None:
    try:
        found = rispy.loads(chunk, mapping=_IDENTITY)
    except Exception:  # rispy raises several kinds on odd input; the chunk is then scanned
        return None
    return found[0] if found else None


def records(text: str) -> tuple[list[Record], list[tuple[int, str]]]:
    """The records, and the (line, text) of chunks rispy could not read."""
    found: list[Record] = []
    unread: list[tuple[int, str]] = []
    for line, chunk in _chunks(text):
        tags = _read(chunk)
        if tags is None:
            unread.append((line, chunk))
            continue
        extra = tags.pop("unknown_tag", None)
        if isinstance(extra, dict):
            tags.update(extra)
        record = Record(line=line, end_line=line + chunk.count("\n"), text=chunk)
        for tag, value in tags.items():
            name = field_of(str(tag))
            if name is not None:
                record.add(name, value, "structured")
        found.append(record)
    return found, unread


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    found, unread = records(text)
    yield from entries_of(found, path, NAME)
    for line, chunk in unread:
        yield from generic.scan("\n" * (line - 1) + chunk, path, NAME)


def sniff(text: str, path: str) -> float:
    head = text.lstrip("\ufeff \r\n")[:6]
    if head.startswith("TY  -"):
        return 0.95
    if path.lower().endswith(".ris") and _TAG.search(text[:2000]):
        return 0.9
    return 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="RIS reference exports (Zotero, EndNote, Mendeley), read with rispy",
    sniff_fn=sniff,
    parse_fn=parse,
)
