"""arXiv's OAI-PMH sets: which papers a set spec such as `cs`, `physics:hep-th` or `cs:cs:AI` holds.

Set specs are `group[:archive[:CATEGORY]]` (../shared/docs/arxiv-api.md §7). A paper belongs to a
set when any of its categories (cross-lists included) does. Used by the store, to know which papers
a finished set harvest vouches for, and by the OAI-PMH stand-in, to answer `set=`.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["is_valid_set", "set_covers"]

_GROUPS = frozenset({"cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat"})
_PHYSICS_ARCHIVES = frozenset(
    {
        "astro-ph",
        "cond-mat",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math-ph",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "physics",
        "quant-ph",
    }
)


def _group(archive: str) -> str | None:
    if archive in _PHYSICS_ARCHIVES:
        return "physics"
    return archive if archive in _GROUPS else None


def is_valid_set(spec: str) -> bool:
    parts = spec.split(":")
    return 1 <= len(parts) <= 3 and parts[0] in _GROUPS and all(parts)


def set_covers(spec: str | None, categories: Iterable[str]) -> bool:
    """Does the set `spec` hold a paper with these categories? `None` or "" is every paper."""
    if not spec:
        return True
    parts = spec.split(":")
    for category in categories:
        archive = category.split(".", 1)[0]
        if _group(archive) != parts[0]:
            continue
        if len(parts) >= 2 and parts[1] != archive:
            continue
        if len(parts) >= 3 and category != f"{archive}.{parts[2]}":
            continue
        return True
    return False
