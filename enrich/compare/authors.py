"""A digest's author list against arXiv's: which names match, which are missing, extra or moved.

User handles that Hugging Face lists mix in with the names ("ssz1111") are left out on both sides.

The verdict, most serious first:
  empty         the digest gives no names (its format carries none): nothing to compare
  unverifiable  some names are in a script arXiv's list does not use (Chinese characters for Latin
                names): they cannot be checked, and that is never called a mismatch
  mismatch      names missing, extra, or in another order (for a list cut with "et al.": not a
                prefix of arXiv's)
  truncated     a list cut with "et al." whose names are the first of arXiv's
`cut` is true for a list cut with "et al." short of arXiv's: with "truncated", and with "mismatch"
when every name the digest gives is arXiv's (cut and reordered, or a middle name left out): the
comparison reports both, and arXiv's full list mends both. A list with names arXiv does not have
is a mismatch only: a person has to look.
  ok            the same people in the same order
`swapped` lists the digest's names written family-first; with "ok" or "truncated" that is the
author_name_order finding. Names are matched one by one (names.match_names): first each against
arXiv's name at the same position, then against any name still unmatched.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from enrich.runtime import COMPARISON, regex, remembered
from enrich.text.authors import is_user_handle
from enrich.text.names import Name, match_names, pair_names, parse_name

__all__ = ["AuthorComparison", "compare_authors", "describe_difference", "short_list"]

Verdict = Literal["empty", "unverifiable", "mismatch", "truncated", "ok"]


@dataclass(frozen=True, slots=True)
class AuthorComparison:
    verdict: Verdict
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()
    swapped: tuple[str, ...] = ()
    scripts: frozenset[str] = frozenset()
    cut: bool = False  # the digest cut the list ("et al.") short of arXiv's: also with a mismatch


_OK = AuthorComparison("ok")
_TRUNCATED = AuthorComparison("truncated")


def _names(raw: tuple[str, ...]) -> list[Name]:
    """The names to compare: user handles ("ssz1111", "@akhaliq") are not names, and a name that
    folds to nothing (markup alone) says nothing."""
    out = []
    for written in raw:
        if not is_user_handle(written):
            name = parse_name(written)
            if name.tokens or name.scripts:
                out.append(name)
    return out


def _out_of_order(positions: list[int]) -> set[int]:
    """Indexes (into `positions`) outside one longest increasing run: the names that moved."""
    tails: list[int] = []  # tails[k]: index of the smallest tail of an increasing run of length k+1
    values: list[int] = []  # positions[tails[k]], kept beside it for bisect
    prev: list[int] = [-1] * len(positions)
    for i, p in enumerate(positions):
        k = bisect_left(values, p)
        if k > 0:
            prev[i] = tails[k - 1]
        if k == len(tails):
            tails.append(i)
            values.append(p)
        else:
            tails[k], values[k] = i, p
    keep: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return set(range(len(positions))) - keep


_SURELY_A_NAME = regex(r"[A-Za-z]{4}")  # such a run of letters always folds to a word
_MAY_DROP_WORDS = regex(r"[<&\\(\[（{}~]")  # markup or notes that can fold a name away


def _surely_a_name(raw: str) -> bool:
    """True when `raw` certainly parses to a name that `_names` keeps (a cheap test; False means
    "perhaps not")."""
    return (
        _SURELY_A_NAME.search(raw) is not None
        and _MAY_DROP_WORDS.search(raw) is None
        and not is_user_handle(raw)
    )


def _kept(raw: str) -> bool:
    """Does `_names` keep `raw`? (not a user handle, and it folds to words or a script)"""
    if _surely_a_name(raw):
        return True
    if is_user_handle(raw):
        return False
    name = parse_name(raw)
    return bool(name.tokens or name.scripts)


_EMPTY = AuthorComparison("empty")


def _identical(d: tuple[str, ...], truncated: bool, a: tuple[str, ...]) -> AuthorComparison | None:
    """The verdict when the digest copies arXiv's list, whole or (cut) its first names, parsing
    only the names that may not be names (handles, markup alone); None when the full comparison
    is needed. The names kept are the same on both sides, and every one matches itself in its
    place, so nothing is missing, extra, moved or swapped: the digest keeps none (empty), all
    (ok) or the first of arXiv's (truncated)."""
    n = len(d)
    if not n or n > len(a) or (n < len(a) and not truncated) or d != a[:n]:
        return None
    if not any(map(_kept, d)):  # d is a[:n]; each side stops at its first name kept
        return _EMPTY
    return _TRUNCATED if any(map(_kept, a[n:])) else _OK


def compare_authors(
    digest: Sequence[str], truncated: bool, arxiv: Sequence[str]
) -> AuthorComparison:
    """Compare the digest's names (cut with "et al." when `truncated`) with arXiv's list."""
    d = tuple(map(str, digest))
    a = tuple(map(str, arxiv))
    return _identical(d, truncated, a) or _compare(d, truncated, a)


# an entry's list is compared more than once (authors, versions, claims)
@remembered(1024, COMPARISON)
def _compare(digest: tuple[str, ...], truncated: bool, arxiv: tuple[str, ...]) -> AuthorComparison:
    d = _names(digest)
    if not d:
        return AuthorComparison("empty")
    a = _names(arxiv)
    if not a:
        return AuthorComparison("ok")  # arXiv gives no names: nothing to hold the digest to
    if any(n.scripts for n in d):  # (else no script is foreign)
        known = frozenset().union(*(n.scripts for n in a))
        foreign = frozenset().union(*(n.scripts for n in d)) - known
        if foreign:
            return AuthorComparison("unverifiable", scripts=foreign)
    if len(d) == len(a) or (truncated and len(d) < len(a)):
        hows = list(map(match_names, d, a))  # pair_names' first step, on every digest name
        if all(hows):  # each is arXiv's name in its place: nothing missing, extra or moved
            swapped = tuple(n.raw for n, how in zip(d, hows, strict=True) if how == "swapped")
            return AuthorComparison("ok" if len(d) == len(a) else "truncated", swapped=swapped)

    pairs = pair_names(d, a)
    used = {j for j, _ in pairs.values()}
    order = sorted(pairs)
    moved_at = _out_of_order([pairs[i][0] for i in order])
    moved = tuple(d[order[k]].raw for k in sorted(moved_at))
    extra = tuple(n.raw for i, n in enumerate(d) if i not in pairs)
    span = min(len(d), len(a)) if truncated else len(a)
    missing = tuple(a[j].raw for j in range(span) if j not in used)
    swapped = tuple(d[i].raw for i in order if pairs[i][1] == "swapped")
    if extra or missing or moved:
        cut = truncated and len(d) < len(a) and not extra  # arXiv's names, cut and reordered
        return AuthorComparison("mismatch", missing, extra, moved, swapped, cut=cut)
    if truncated and len(d) < len(a):
        return AuthorComparison("truncated", swapped=swapped)
    return AuthorComparison("ok", swapped=swapped)


def short_list(names: Sequence[str], limit: int = 4) -> str:
    """Names joined with commas, the rest counted: "A, B, C and 2 more"."""
    shown = ", ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


def describe_difference(result: AuthorComparison) -> str:
    """The difference of a mismatch in words: "missing X; not on arXiv Y; out of order Z"."""
    parts = []
    if result.missing:
        parts.append(f"missing {short_list(result.missing)}")
    if result.extra:
        parts.append(f"not on arXiv {short_list(result.extra)}")
    if result.moved:
        parts.append(f"out of order {short_list(result.moved)}")
    return "; ".join(parts)
