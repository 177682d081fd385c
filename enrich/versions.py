"""The version step: after the main look-up, the digest's own version where it matters.

An entry that points at an older version than arXiv's latest, and whose title or authors differ
from the latest (`compare.disagrees_with_latest`), may be right for the version it links: a later
version may have renamed the paper or changed its authors. To tell that from a digest's mistake,
arXiv is asked for that version's own metadata (`IDvN` in `id_list`: arXiv answers that version's
title, authors, abstract and date), through the client's `fetch_versions`: batched, the same
limiter, the same cache (a version never changes, so it never expires there).

Cost: ceil(entries needing one / batch_size) requests per planning at most (the pipeline plans
once per window of entries, see enrich/pipeline.py), and none when all of them
are cached. Entries without a version, or agreeing with the latest, cost nothing: they are never
asked for alone. They only fill the room left in the last batch that goes out anyway, after the
versions between a needed one and the latest (which tell exactly which version made the change):
free refinements, never an extra request.

What was fetched comes back as `OwnVersions`; the pipeline hands `versions_of(id)` to
`compare_entry` (which turns the differences the digest's own version explains into
`changed_in_later_version`) and to `with_versions` (which adds those versions' dates to
`arxiv.versions`). A client without `fetch_versions` (a remote `enrich serve`) gets no look-ups:
the comparison then falls back to the latest version, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from enrich.models import ArxivRecord, DigestEntry

__all__ = ["OwnVersions", "VersionSource", "fetch_own_versions", "plan_version_lookups"]

Pair = tuple[str, int]  # (canonical id, version)


class VersionSource(Protocol):
    """What the step needs of a client (enrich.arxiv.ArxivClient fits)."""

    def fetch_versions(
        self, wanted: Iterable[Pair], optional: Iterable[Pair] = ()
    ) -> dict[Pair, ArxivRecord]: ...


@dataclass
class OwnVersions:
    """The records of single versions fetched, by paper: id -> version -> that version's record."""

    by_id: dict[str, dict[int, ArxivRecord]] = field(default_factory=dict)
    needed: int = 0  # entries' versions that needed a look-up (unique (id, version) pairs)

    def versions_of(self, arxiv_id: str | None) -> Mapping[int, ArxivRecord]:
        return self.by_id.get(arxiv_id or "", {})


@dataclass
class _Plan:
    needed: dict[Pair, None] = field(default_factory=dict)
    optional: dict[Pair, None] = field(default_factory=dict)


def plan_version_lookups(
    candidates: Iterable[tuple[DigestEntry, ArxivRecord]],
) -> tuple[list[Pair], list[Pair]]:
    """(needed, optional) version pairs for entries and their latest records.

    needed: the stale entries that differ from the latest. optional, in order of use: the
    versions between a needed one and the latest, then the stale entries that agree with it.
    """
    # loaded here, not with the module: the pipeline makes its OwnVersions before reading the
    # first window, and a cold run's first ids must not wait for the comparison to load
    from enrich.compare import disagrees_with_latest

    plan = _Plan()
    agreeing: dict[Pair, None] = {}
    latest: dict[str, int] = {}
    for entry, record in candidates:
        if entry.version is None or entry.version >= record.latest_version:
            continue
        pair = (record.arxiv_id, entry.version)
        latest[record.arxiv_id] = record.latest_version
        if disagrees_with_latest(entry, record):
            plan.needed[pair] = None
        else:
            agreeing[pair] = None
    for arxiv_id, version in plan.needed:
        for between in range(version + 1, latest[arxiv_id]):
            plan.optional[(arxiv_id, between)] = None
    plan.optional.update(agreeing)
    for pair in plan.needed:
        plan.optional.pop(pair, None)
    return list(plan.needed), list(plan.optional)


def fetch_own_versions(
    client: object,
    candidates: Iterable[tuple[DigestEntry, ArxivRecord]],
    into: OwnVersions | None = None,
) -> OwnVersions:
    """Plan and fetch the version look-ups for these (entry, latest record) pairs (see above).

    `into`: the versions already held (the pipeline plans once per window of entries and keeps
    what earlier windows fetched): pairs it holds are not asked again, and what is fetched is
    added to it."""
    needed, optional = plan_version_lookups(candidates)
    out = OwnVersions() if into is None else into
    if into is not None:
        needed = [p for p in needed if p[1] not in into.versions_of(p[0])]
        optional = [p for p in optional if p[1] not in into.versions_of(p[0])]
    out.needed += len(needed)
    fetch = getattr(client, "fetch_versions", None)
    if not needed or fetch is None:
        return out
    got: dict[Pair, ArxivRecord] = fetch(needed, optional)
    for (arxiv_id, version), record in got.items():
        out.by_id.setdefault(arxiv_id, {})[version] = record
    return out
