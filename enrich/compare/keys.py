"""The comparison keys of an arXiv record: what comparing any entry with it needs from the
record's side, computed once per record instead of once per comparison.

`record_keys(record)` gives a RecordKeys: the record's title folded (text.titles.fold_title) and
its author names parsed as the author comparison takes them (authors.comparable_names). Both are
computed on first use, or read from what the record cache stored beside the record
(`stored_keys` at put time, `attach_stored` at read time), so a warm run neither folds arXiv's
LaTeX titles nor parses its names again.

The keys live on the record object, outside its fields (in `__dict__` under a private name, as a
`functools.cached_property` would): pydantic neither serialises nor compares them. They hold the
title and authors they were made from; a record whose title or authors differ from those (a
`model_copy(update=...)`, a list changed in place) gets new keys, never stale ones.

Stored keys carry a stamp of the code that made them (the source of the text rules and the
versions of the libraries they call); keys with another stamp are ignored and computed again, so
a changed folding rule can never meet keys folded by the old one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import unicodedata
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from enrich.compare.authors import comparable_names
from enrich.models import ArxivRecord
from enrich.text.names import Name, Token
from enrich.text.titles import fold_title, key_of_fold

__all__ = ["RecordKeys", "attach_stored", "keys_stamp", "record_keys", "stored_keys"]

_ATTR = "_enrich_keys"  # the record's __dict__ entry: not a field, so not dumped nor compared


class RecordKeys:
    """A record's folded title and comparable names, each computed (or decoded) on first use."""

    __slots__ = ("_fold", "_names", "_stored", "authors", "title")

    def __init__(
        self,
        title: str,
        authors: tuple[str, ...],
        fold: str | None = None,
        stored_names: str | None = None,
    ) -> None:
        self.title = title  # what the keys were made from
        self.authors = authors
        self._fold = fold
        self._names: tuple[Name, ...] | None = None
        self._stored = stored_names  # the names as `stored_keys` wrote them, decoded on first use

    def fits(self, title: str, authors: Sequence[str]) -> bool:
        """Made from this title and these authors."""
        return self.title == title and self.authors == tuple(authors)

    @property
    def title_fold(self) -> str:
        """fold_title(title)."""
        if self._fold is None:
            self._fold = fold_title(self.title)
        return self._fold

    @property
    def title_key(self) -> str:
        """title_key(title)."""
        return key_of_fold(self.title_fold)

    @property
    def names(self) -> tuple[Name, ...]:
        """comparable_names(authors)."""
        if self._names is None:
            stored, self._stored = self._stored, None
            self._names = _decode_names(stored) if stored is not None else None
            if self._names is None:
                self._names = comparable_names(self.authors)
        return self._names


def record_keys(record: ArxivRecord) -> RecordKeys:
    """The record's keys: those it carries when they fit its title and authors, else new ones
    (computed on first use) that it then carries."""
    keys = record.__dict__.get(_ATTR)
    if isinstance(keys, RecordKeys) and keys.fits(record.title, record.authors):
        return keys
    keys = RecordKeys(record.title, tuple(record.authors))
    record.__dict__[_ATTR] = keys
    return keys


@cache
def keys_stamp() -> str:
    """What stored keys were computed with: a hash of the source of the text rules (enrich/text,
    the author comparison's name filter, this module) and of the versions of the libraries and
    Unicode tables they use. Keys with another stamp are never used."""
    here = Path(__file__).resolve().parent
    files = [*sorted((here.parent / "text").glob("*.py")), here / "authors.py", here / "keys.py"]
    digest = hashlib.blake2b(digest_size=12)
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ("anyascii", "pylatexenc"):
        try:
            digest.update(importlib.metadata.version(package).encode() + b"\0")
        except importlib.metadata.PackageNotFoundError:
            digest.update(b"?\0")
    digest.update(unicodedata.unidata_version.encode())
    return digest.hexdigest()


def stored_keys(record: ArxivRecord) -> tuple[str, str]:
    """The record's folded title and its names as JSON text, for the cache to store beside the
    record (the keys are computed now if the record does not carry them yet)."""
    keys = record_keys(record)
    names = [
        [n.raw, [t.text if t.alt == t.text else [t.text, t.alt] for t in n.tokens],
         sorted(n.scripts), n.key]
        for n in keys.names
    ]  # fmt: skip
    return keys.title_fold, json.dumps(names, ensure_ascii=False, separators=(",", ":"))


def attach_stored(record: ArxivRecord, fold: str, names: str) -> None:
    """Give a record read from the cache the keys stored beside it (`stored_keys`' output, made
    by code with the current `keys_stamp`: the caller checks that)."""
    record.__dict__[_ATTR] = RecordKeys(record.title, tuple(record.authors), fold, names)


def _decode_names(text: str) -> tuple[Name, ...] | None:
    """Names as `stored_keys` wrote them; None when the text does not fit (computed anew)."""
    try:
        rows: Any = json.loads(text)
        return tuple(
            Name(
                raw,
                tuple(Token(t, t) if isinstance(t, str) else Token(t[0], t[1]) for t in tokens),
                frozenset(scripts),
                key,
            )
            for raw, tokens, scripts, key in rows
        )
    except (ValueError, TypeError, IndexError):
        return None
