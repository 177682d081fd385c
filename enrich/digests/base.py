"""The interface every digest format implements, and the raw entry parsers produce.

A format module in enrich/digests/ exposes `FORMAT`, an object with:
  name: str                       short stable name, used by --format and in `source.format`
  sniff(text, path) -> float      0.0 (not this format) .. 1.0 (certainly this format); must be fast
  parse(text, path) -> Iterator[DigestEntry]
                                  one entry per paper, in file order, never raising on odd input

Parsers fill `arxiv_id` with the id *as written* in the entry's main link or id field (URL,
`arXiv:` form, bare id, versioned or not) or None when they found none; `enrich.ingest.validate`
turns it into the canonical id and version, or marks the entry invalid. Parsers never touch the
network or the disk; they get the file's text and its path (for `source.path`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from enrich.models import DigestEntry, Provenance

__all__ = ["GUESSED_TITLE", "LABELLED", "STRUCTURED", "DigestFormat", "SimpleFormat"]

_FIELDS = ("arxiv_id", "version", "title", "authors", "categories", "date", "abstract", "comment")
# Provenance maps for SimpleFormat: every field the format's layout names (a column, key or tag;
# a label or a fixed slot of a known template); the generic fallback's title is a guess.
STRUCTURED: Mapping[str, Provenance] = dict.fromkeys(_FIELDS, "structured")
LABELLED: Mapping[str, Provenance] = dict.fromkeys(_FIELDS, "labelled")
GUESSED_TITLE: Mapping[str, Provenance] = {"title": "guessed"}


class DigestFormat(Protocol):
    name: str
    description: str

    def sniff(self, text: str, path: str) -> float: ...

    def parse(self, text: str, path: str) -> Iterator[DigestEntry]: ...


@dataclass(frozen=True)
class SimpleFormat:
    """A format made of two functions; most modules need nothing more."""

    name: str
    description: str
    sniff_fn: object
    parse_fn: object
    priority: int = 0  # breaks ties between equal sniff scores: higher wins
    # how the format reads each field; set on every entry for the fields it has, unless the
    # parser recorded a field's provenance itself
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    def sniff(self, text: str, path: str) -> float:
        return float(self.sniff_fn(text, path))  # type: ignore[operator]

    def parse(self, text: str, path: str) -> Iterator[DigestEntry]:
        entries: Iterator[DigestEntry] = self.parse_fn(text, path)  # type: ignore[operator]
        if not self.provenance:
            return entries
        return (self._mark(entry) for entry in entries)

    def _mark(self, entry: DigestEntry) -> DigestEntry:
        for name, how in self.provenance.items():
            value = getattr(entry, name, None)
            if name not in entry.provenance and value not in (None, "", []):
                entry.provenance[name] = how
        return entry
