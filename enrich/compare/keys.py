"""The comparison keys of an arXiv record: what comparing any entry with it needs from the
record's side, computed once per record instead of once per comparison.

`record_keys(record)` gives a RecordKeys: the record's title folded (text.titles.fold_title, the
LaTeX in ~5 % of titles makes it costly). It is computed on first use, or read from what the
record cache stored beside the record (`stored_keys` at put time, `attach_stored` at read time),
so a warm run does not fold arXiv's titles again.

Only the title pays for storing (issue 13, measured on 20,000 workload entries: the comparison's
CPU time 4.1 s -> 3.6 s with stored folds). Parsed author names were stored too and did not pay:
decoding them cost as much as parsing, since most of a record's names are the digest's, parsed
for the digest side anyway (text.names.parse_name's memo).

The keys live on the record object, outside its fields (in `__dict__` under a private name, as a
`functools.cached_property` would): pydantic neither serialises nor compares them. They hold the
title they were made from; a record whose title differs from it (a `model_copy(update=...)`) gets
new keys, never stale ones.

Stored keys carry a stamp of the code that made them (the source of the text rules and the
versions of the libraries they call); keys with another stamp are ignored and computed again, so
a changed folding rule can never meet keys folded by the old one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import unicodedata
from functools import cache
from pathlib import Path

from enrich.models import ArxivRecord
from enrich.text.titles import fold_title, key_of_fold

__all__ = ["RecordKeys", "attach_stored", "keys_stamp", "record_keys", "stored_keys"]

_ATTR = "_enrich_keys"  # the record's __dict__ entry: not a field, so not dumped nor compared


class RecordKeys:
    """A record's folded title, computed on first use unless given."""

    __slots__ = ("_fold", "title")

    def __init__(self, title: str, fold: str | None = None) -> None:
        self.title = title  # what the keys were made from
        self._fold = fold

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


def record_keys(record: ArxivRecord) -> RecordKeys:
    """The record's keys: those it carries when they were made from its title, else new ones
    (computed on first use) that it then carries."""
    keys = record.__dict__.get(_ATTR)
    if isinstance(keys, RecordKeys) and keys.title == record.title:
        return keys
    keys = RecordKeys(record.title)
    record.__dict__[_ATTR] = keys
    return keys


@cache
def keys_stamp() -> str:
    """What stored keys were computed with: a hash of the source of the text rules (enrich/text
    and this module) and of the versions of the libraries and Unicode tables they use. Keys with
    another stamp are never used."""
    here = Path(__file__).resolve().parent
    files = [*sorted((here.parent / "text").glob("*.py")), here / "keys.py"]
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


def stored_keys(record: ArxivRecord) -> str:
    """The record's folded title, for the cache to store beside the record (computed now if the
    record does not carry it yet; the record then carries it for the comparison)."""
    return record_keys(record).title_fold


def attach_stored(record: ArxivRecord, fold: str) -> None:
    """Give a record read from the cache the fold stored beside it (`stored_keys`' output, made
    by code with the current `keys_stamp`: the caller checks that)."""
    record.__dict__[_ATTR] = RecordKeys(record.title, fold)
