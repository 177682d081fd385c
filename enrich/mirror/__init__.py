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

from enrich.mirror.harvest import SyncProgress, SyncResult, sync
from enrich.mirror.paper import MirrorPaper, to_record
from enrich.mirror.store import MirrorStats, MirrorStore

__all__ = [
    "MirrorPaper",
    "MirrorStats",
    "MirrorStore",
    "SyncProgress",
    "SyncResult",
    "sync",
    "to_record",
]
