"""arxiv-enrich: check and repair arXiv paper digests against the arXiv API.

    from enrich import enrich_paths, load_settings, write_fixed, write_report
    result = enrich_paths(["digest.md"], load_settings())
    for entry in result.entries:
        print(entry.arxiv_id, entry.status, [c.kind for c in entry.conflicts])
    write_report("review.html", result.entries, result.summary)   # .json, .md or .html
    write_fixed("fixed/", result.entries, result.summary)         # corrected copies

Names are imported lazily so that `enrich --help` starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "ArxivBadResponse": "enrich.errors",
    "ArxivClient": "enrich.arxiv",
    "ArxivError": "enrich.errors",
    "ArxivHTTPError": "enrich.errors",
    "ArxivId": "enrich.ids",
    "ArxivRecord": "enrich.models",
    "ArxivUnavailable": "enrich.errors",
    "ArxivUnparseable": "enrich.errors",
    "ArxivVersion": "enrich.models",
    "BudgetUnavailable": "enrich.errors",
    "CacheError": "enrich.errors",
    "Claim": "enrich.models",
    "Conflict": "enrich.models",
    "CorrectedEntry": "enrich.models",
    "DigestEntry": "enrich.models",
    "DigestError": "enrich.errors",
    "EnrichError": "enrich.errors",
    "EnrichedEntry": "enrich.models",
    "FixedDigest": "enrich.report.writeback",
    "InputError": "enrich.errors",
    "InvalidArxivId": "enrich.errors",
    "MirrorStore": "enrich.mirror",
    "OutputError": "enrich.errors",
    "OutputPlan": "enrich.outputs",
    "Pipeline": "enrich.pipeline",
    "RunSummary": "enrich.models",
    "Settings": "enrich.settings",
    "SettingsError": "enrich.errors",
    "compare_entry": "enrich.compare",
    "create_app": "enrich.serve.app",
    "enrich_entries": "enrich.pipeline",
    "enrich_paths": "enrich.pipeline",
    "find_arxiv_ids": "enrich.ids",
    "fix_digests": "enrich.report.writeback",
    "iter_entries": "enrich.ingest",
    "load_settings": "enrich.settings",
    "parse_arxiv_id": "enrich.ids",
    "parse_digest": "enrich.digests",
    "render_report": "enrich.report.render",
    "write_fixed": "enrich.report.writeback",
    "write_report": "enrich.report.render",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'enrich' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
