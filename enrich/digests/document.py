"""The document model every reader produces: records (a block of lines, its fields, its links).

A reader (JSON, CSV, RIS, org, reStructuredText, .bbl, arXiv e-mail, ...) turns a file into
`Record`s with the library made for its format; `enrich.digests.fields.entries_of` then maps every
record to DigestEntries with one field reader, so labels, columns, keys and tags mean the same
thing in every format.

A record holds:
  line, end_line  the source lines it spans (1-based, inclusive)
  fields          canonical field name -> values, each with how it was read (`structured`: a column,
                  key or tag; `labelled`: a label in the text; `guessed`: from layout) and its line
  links           (url, text, line) in the order written
  text            the record's own text, scanned for arXiv ids wherever the paper is named
  single          True when the record is one paper (a row, an item, an object): every id in it
                  after the first is a claim about that paper, not a paper of its own
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from enrich.models import Provenance

__all__ = ["Link", "Record", "Value"]


@dataclass(frozen=True, slots=True)
class Value:
    """One value of a field as the source writes it (a string, a list of strings or of objects)."""

    raw: Any
    provenance: Provenance
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str = ""
    line: int | None = None


@dataclass
class Record:
    line: int
    end_line: int | None = None
    fields: dict[str, list[Value]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    text: str = ""
    single: bool = True

    def add(self, name: str, raw: Any, provenance: Provenance, line: int | None = None) -> None:
        """Record a value of field `name` (empty values are not values)."""
        if raw is None or raw == "" or raw == [] or raw == {}:
            return
        self.fields.setdefault(name, []).append(Value(raw, provenance, line or self.line))

    def first(self, name: str) -> Value | None:
        values = self.fields.get(name)
        return values[0] if values else None
