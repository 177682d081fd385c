"""Keep what reports need while entries stream past: the entries with conflicts or a bad status.

Entries that agree with arXiv are counted (in the summary) but not kept. The kept ones stay in
memory up to IN_MEMORY of them; the rest are set aside as JSON lines in an anonymous temporary
file and read back one at a time, so a report over 100,000 findings does not hold 100,000 entry
objects. Iterating gives the kept entries in the order they came, as often as needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from enrich.models import EnrichedEntry
from enrich.spool import Spool

__all__ = ["SEVERITY_ORDER", "Findings", "by_file"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
IN_MEMORY = 1000


class Findings:
    def __init__(self, *, keep_info: bool = True, in_memory: int = IN_MEMORY) -> None:
        self.keep_info = keep_info
        self.kept: Spool[EnrichedEntry] = Spool(EnrichedEntry, in_memory, "enrich-findings-")

    def add(self, entry: EnrichedEntry) -> None:
        keep = entry.status != "enriched" or any(
            self.keep_info or c.severity != "info" for c in entry.conflicts
        )
        if keep:
            self.kept.add(entry)

    def __iter__(self) -> Iterator[EnrichedEntry]:
        return self.kept.scan()

    def entries(self) -> list[EnrichedEntry]:
        return list(self)

    @property
    def by_file(self) -> dict[str, list[EnrichedEntry]]:
        return by_file(iter(self))

    def __len__(self) -> int:
        return len(self.kept)

    def close(self) -> None:
        self.kept.close()


def by_file(entries: Iterable[EnrichedEntry]) -> dict[str, list[EnrichedEntry]]:
    """The entries grouped by their digest, in input order within each."""
    grouped: defaultdict[str, list[EnrichedEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.source.path].append(entry)
    return dict(grouped)
