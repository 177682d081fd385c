"""Finding the same paper twice in a stream of entries, keeping only a small signature of each.

Two kinds of duplicate, both `duplicate` (warning) on the later entry, naming the first occurrence
by path:line:
  * the same arXiv id again, anywhere in the input (another file counts);
  * the same paper under another id: the same folded title (titles.title_key; at least two words
    and twelve letters, so "Introduction" never matches) and overlapping authors. Entries without
    authors never match this way: a title alone is not enough to call two ids one paper.

Memory per entry: the id with the index of its path and its line; a 64-bit title hash with the id
and one int packing 16-bit hashes of up to eight name words of the first four authors (any name word
in common counts as overlap: family-first spellings still meet). Paths are stored once.
Entries that are not valid (no id) are skipped.
"""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache

from enrich.compare.conflicts import cap_guessed, conflict
from enrich.models import Conflict, DigestEntry
from enrich.text.names import parse_name
from enrich.text.titles import fold_title

__all__ = ["DuplicateFinder"]

_AUTHORS_KEPT = 4  # the first names say enough about who wrote it
_WORDS_KEPT = 8
_SLOT = 17  # bits per packed word hash
_PER_TITLE = 4  # ids kept per title: more would be a data set of its own, not duplicates


def _title_hash(title: str | None) -> int | None:
    folded = fold_title(title or "")  # words parted by single spaces: two words hold one
    key = folded.replace(" ", "")
    if " " not in folded or len(key) < 12:
        return None
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


@lru_cache(maxsize=16384)  # the words of names repeat far more than the names do
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode()) & 0xFFFF


def _author_sig(authors: list[str]) -> int:
    """The name words of the first authors, each hashed to 16 bits, packed into one int; initials
    say too little and are left out. (The words of each name from parse_name, which remembers
    the names; their hashes remembered by word.)"""
    words = {
        _word_hash(token.text)
        for name in authors[:_AUTHORS_KEPT]
        for token in parse_name(name).tokens
        if len(token.text) >= 2
    }
    sig = 0
    for i, word in enumerate(sorted(words)[:_WORDS_KEPT]):
        sig |= (word + 1) << (_SLOT * i)  # +1: an empty slot is 0
    return sig


def _unpack(sig: int) -> set[int]:
    out = set()
    while sig:
        out.add(sig & ((1 << _SLOT) - 1))
        sig >>= _SLOT
    return out


class DuplicateFinder:
    """Feed every entry of a run in order; `add` returns the duplicate findings for that entry."""

    def __init__(self) -> None:
        self._paths: dict[str, int] = {}
        self._path_list: list[str] = []
        self._ids: dict[str, tuple[int, int | None]] = {}
        self._titles: dict[int, list[tuple[str, int]]] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def _where(self, arxiv_id: str) -> str:
        path_index, line = self._ids[arxiv_id]
        path = self._path_list[path_index]
        return f"{path}:{line}" if line is not None else path

    def add(self, entry: DigestEntry) -> list[Conflict]:
        """Remember `entry`; findings when its paper was seen before."""
        if entry.status != "valid" or not entry.arxiv_id:
            return []
        arxiv_id = entry.arxiv_id
        if arxiv_id in self._ids:
            return [
                conflict(
                    "duplicate",
                    f"arXiv:{arxiv_id} is listed again; first at {self._where(arxiv_id)}.",
                    field="arxiv_id",
                    digest=arxiv_id,
                    line=entry.source.line,
                )
            ]
        path = entry.source.path
        if path not in self._paths:
            self._paths[path] = len(self._path_list)
            self._path_list.append(path)
        self._ids[arxiv_id] = (self._paths[path], entry.source.line)

        key = _title_hash(entry.title)
        if key is None:
            return []
        sig = _author_sig(entry.authors)
        if not sig:
            return []
        seen = self._titles.get(key)
        if seen is None:
            self._titles[key] = [(arxiv_id, sig)]
            return []
        words = _unpack(sig)
        found: list[Conflict] = []
        for other_id, other_sig in seen:
            if words & _unpack(other_sig):
                found.append(
                    conflict(
                        "duplicate",
                        f"arXiv:{arxiv_id} has the same title and authors as arXiv:{other_id} "
                        f"at {self._where(other_id)}; it may be the same paper under two ids.",
                        field="title",
                        digest=arxiv_id,
                        line=entry.source.line,
                    )
                )
                break
        if len(seen) < _PER_TITLE:
            seen.append((arxiv_id, sig))
        return cap_guessed(found, entry)
