"""The local arXiv mirror: a SQLite store filled by OAI-PMH harvest and snapshot import.

    enrich mirror sync [--set cs] [--from DATE]   # OAI-PMH ListRecords, arXivRaw, resumable
    enrich mirror import FILE                     # the metadata snapshot (JSON lines, .gz too)
    enrich mirror stats

Modules, one concept each:
    paper.py     MirrorPaper (one paper from either source) -> the ArxivRecord the API gives
    oai.py       parse_list_records(bytes): the pure OAI-PMH arXivRaw parser
    sets.py      OAI set specs and which papers they hold
    store.py     MirrorStore: the SQLite database, "newer wins", freshness
    harvest.py   sync(): the harvest, through the API's limiter and retry policy
    snapshot.py  import_snapshot(): streaming JSON lines into the store
    lookup.py    MirrorFirst: look-ups ask the mirror before the cache and the API
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from enrich.mirror.harvest import SyncProgress, SyncResult, sync
    from enrich.mirror.paper import MirrorPaper, to_record
    from enrich.mirror.store import MirrorStats, MirrorStore

# Loaded on first use: every run imports enrich.mirror.lookup, and the harvest's HTTP stack
# (httpx, tenacity) costs a run that never harvests about 90 ms of start-up.
_HOMES = {
    "SyncProgress": "harvest",
    "SyncResult": "harvest",
    "sync": "harvest",
    "MirrorPaper": "paper",
    "to_record": "paper",
    "MirrorStats": "store",
    "MirrorStore": "store",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "MirrorPaper",
    "MirrorStats",
    "MirrorStore",
    "SyncProgress",
    "SyncResult",
    "sync",
    "to_record",
]
