"""Finding the same paper twice in a stream of entries, keeping only a small signature of each.

Two kinds of duplicate, both `duplicate` (warning) on the later entry, naming the first occurrence
by path:line:
  * the same arXiv id again, anywhere in the input (another file counts);
  * the same paper under another id: the same folded title (titles.title_key; at least two words
    and twelve letters, so "Introduction" never matches) and overlapping authors. Entries without
    authors never match this way: a title alone is not enough to call two ids one paper.

Memory per entry: the id with one int packing the index of its path, its line and where its first
four authors' names lie in one growing byte string (kept only when its title gives a key); and,
when its title gives a key, the 64-bit title hash naming the id. Paths are stored once. Entries
that are not valid (no id) are skipped. The authors are compared only when a title is seen again,
rarely: the names' words (hashed to 16 bits, up to eight, initials left out; any word in common
counts as overlap, so that family-first spellings still meet) are worked out then, for the entries
that share the title, and not for every entry (that took parsing every name of every entry).
"""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache
from types import EllipsisType

from enrich.compare.conflicts import cap_guessed, conflict
from enrich.models import Conflict, DigestEntry
from enrich.text.names import parse_name
from enrich.text.titles import fold_title

__all__ = ["DuplicateFinder", "duplicate_key"]

_AUTHORS_KEPT = 4  # the first names say enough about who wrote it
_WORDS_KEPT = 8
_SLOT = 17  # bits per packed word hash
_PER_TITLE = 4  # ids kept per title: more would be a data set of its own, not duplicates
_LENGTH_BITS = 24  # an id's int: the length of its names in the byte string (0: none kept),
_NAMES_BITS = 64  # their offset (in the next 40 bits), then its line + 1 (0: none; all ones:
_LINE_BITS = 48  # the line is kept apart), then its path
_FAR = (1 << _LINE_BITS) - 1
_LONGEST = (1 << _LENGTH_BITS) - 1  # names longer, or holding _SEP: their signature kept apart
_SEP = "\x1f"  # between the names kept


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


def _tracked(entry: DigestEntry) -> bool:
    """Is `entry` one the finder remembers (valid, with an id)?"""
    return entry.status == "valid" and bool(entry.arxiv_id)


def duplicate_key(entry: DigestEntry) -> int | None:
    """The title hash the finder keys an entry by (None: the title says too little)."""
    return _title_hash(entry.title)


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
        self._ids: dict[str, int] = {}  # id -> path index, line + 1, its names' place (packed)
        self._names = bytearray()  # the first authors' names of the ids with a title key
        self._titles: dict[int, str] = {}  # title hash -> the first id with it
        self._more: dict[int, list[str]] = {}  # title hash -> the next ids, up to _PER_TITLE
        self._far: dict[str, int] = {}  # id -> a line the packed field cannot hold (never seen)
        self._sigs: dict[str, int] = {}  # id -> the signature of names the bytes cannot hold

    def __len__(self) -> int:
        return len(self._ids)

    def _where(self, arxiv_id: str) -> str:
        packed = self._ids[arxiv_id] >> _NAMES_BITS
        path = self._path_list[packed >> _LINE_BITS]
        code = packed & _FAR
        if not code:
            return path
        return f"{path}:{self._far[arxiv_id] if code == _FAR else code - 1}"

    def _keep(self, arxiv_id: str, names: list[str]) -> int:
        """The names' place in the byte string (offset and length, packed; 0: none)."""
        if not names:
            return 0
        text = _SEP.join(names)
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > _LONGEST or text.count(_SEP) != len(names) - 1:
            self._sigs[arxiv_id] = _author_sig(names)
            return 0
        offset = len(self._names)
        self._names += data
        return offset << _LENGTH_BITS | len(data)

    def _sig(self, arxiv_id: str) -> int:
        """The author signature of an id kept (0: no words to compare)."""
        sig = self._sigs.get(arxiv_id)
        if sig is not None:
            return sig
        place = self._ids[arxiv_id] & ((1 << _NAMES_BITS) - 1)
        length = place & _LONGEST
        if not length:
            return 0
        offset = place >> _LENGTH_BITS
        text = self._names[offset : offset + length].decode("utf-8", "surrogatepass")
        return _author_sig(text.split(_SEP))

    def add(
        self, entry: DigestEntry, title_hash: int | EllipsisType | None = ...
    ) -> list[Conflict]:
        """Remember `entry`; findings when its paper was seen before. `title_hash`: what
        `duplicate_key(entry)` gives, when it was worked out already (by a worker process)."""
        if not _tracked(entry):
            return []
        arxiv_id = entry.arxiv_id or ""
        ids = self._ids
        if arxiv_id in ids:
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
        path_index = self._paths.get(path)
        if path_index is None:
            path_index = self._paths[path] = len(self._path_list)
            self._path_list.append(path)
        line = entry.source.line
        if line is None:
            code = 0
        elif 0 <= line < _FAR - 1:
            code = line + 1
        else:
            code = _FAR
            self._far[arxiv_id] = line
        where = path_index << _LINE_BITS | code
        key = duplicate_key(entry) if title_hash is ... else title_hash
        if key is None:
            ids[arxiv_id] = where << _NAMES_BITS
            return []
        ids[arxiv_id] = where << _NAMES_BITS | self._keep(arxiv_id, entry.authors[:_AUTHORS_KEPT])
        first = self._titles.get(key)
        if first is None:  # its names are read only if the title comes again
            self._titles[key] = arxiv_id
            return []
        sig = self._sig(arxiv_id)
        if not sig:  # no names to compare: never a duplicate of this kind, and not kept
            return []
        more = self._more.get(key)
        seen = [first, *more] if more else [first]
        sigs = [(other_id, self._sig(other_id)) for other_id in seen]
        if not all(other_sig for _, other_sig in sigs):
            # an id kept before its names were read that has none to compare: as if never kept
            sigs = [(other_id, other_sig) for other_id, other_sig in sigs if other_sig]
            self._more.pop(key, None)
            if not sigs:
                self._titles[key] = arxiv_id
                return []
            self._titles[key] = sigs[0][0]
            if len(sigs) > 1:
                self._more[key] = [other_id for other_id, _ in sigs[1:]]
            more = self._more.get(key)
        words = _unpack(sig)
        found: list[Conflict] = []
        for other_id, other_sig in sigs:
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
        if len(sigs) < _PER_TITLE:
            if more is None:
                self._more[key] = [arxiv_id]
            else:
                more.append(arxiv_id)
        return cap_guessed(found, entry)
