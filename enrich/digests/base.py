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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from enrich.models import DigestEntry

__all__ = ["DigestFormat", "SimpleFormat"]


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

    def sniff(self, text: str, path: str) -> float:
        return float(self.sniff_fn(text, path))  # type: ignore[operator]

    def parse(self, text: str, path: str) -> Iterator[DigestEntry]:
        return self.parse_fn(text, path)  # type: ignore[operator, no-any-return]
