"""Keep what reports need while entries stream past: the entries with conflicts or a bad status.

Entries that agree with arXiv are counted (in the summary) but not kept, so memory stays bounded by
the number of findings, not by the size of the input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from enrich.models import EnrichedEntry

__all__ = ["SEVERITY_ORDER", "Findings", "by_file"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class Findings:
    def __init__(self, *, keep_info: bool = True) -> None:
        self.keep_info = keep_info
        self.by_file: defaultdict[str, list[EnrichedEntry]] = defaultdict(list)

    def add(self, entry: EnrichedEntry) -> None:
        keep = entry.status != "enriched" or any(
            self.keep_info or c.severity != "info" for c in entry.conflicts
        )
        if keep:
            self.by_file[entry.source.path].append(entry)

    def entries(self) -> list[EnrichedEntry]:
        return list(self)

    def __iter__(self) -> Iterator[EnrichedEntry]:
        for path in sorted(self.by_file):
            yield from self.by_file[path]

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_file.values())


def by_file(entries: Iterable[EnrichedEntry]) -> dict[str, list[EnrichedEntry]]:
    """The entries grouped by their digest, in input order within each."""
    if isinstance(entries, Findings):
        return dict(entries.by_file)
    grouped: defaultdict[str, list[EnrichedEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.source.path].append(entry)
    return dict(grouped)
