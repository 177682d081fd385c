"""Machine-readable and Markdown reports (`--report x.json`, `--report x.md`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from enrich.models import EnrichedEntry, RunSummary
from enrich.report.collect import SEVERITY_ORDER, by_file
from enrich.text.invisible import show_invisible
from enrich.text.markup import fold_space

__all__ = ["render_json", "render_markdown"]


def _conflict_rows(entry: EnrichedEntry) -> list[dict[str, Any]]:
    rows = []
    for c in sorted(entry.conflicts, key=lambda c: SEVERITY_ORDER[c.severity]):
        rows.append(
            {
                "line": c.line or entry.source.line,
                "arxiv_id": entry.arxiv_id,
                "status": entry.status,
                **c.model_dump(mode="json", exclude={"line"}),
            }
        )
    if not rows and entry.status != "enriched":
        rows.append(
            {
                "line": entry.source.line,
                "arxiv_id": entry.arxiv_id,
                "status": entry.status,
                "kind": None,
                "severity": "error",
                "message": entry.error,
            }
        )
    return rows


def render_json(entries: Iterable[EnrichedEntry], summary: RunSummary) -> str:
    """The JSON report: the summary, then per file its conflicts (entries without any are
    counted in the summary only)."""
    files = []
    grouped = by_file(entries)
    by_path = {f.path: f for f in summary.files}
    paths = sorted(set(by_path) | set(grouped))
    for path in paths:
        info = by_path.get(path)
        rows = [row for e in grouped.get(path, []) for row in _conflict_rows(e)]
        files.append(
            {
                "path": path,
                "format": info.format if info else None,
                "entries": info.entries if info else None,
                "error": info.error if info else None,
                "conflicts": rows,
            }
        )
    doc = {"summary": summary.model_dump(mode="json", exclude={"files"}), "files": files}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = show_invisible(fold_space(str(value)))
    if len(text) > 160:
        text = text[:157] + "..."
    return text.replace("|", "\\|").replace("<", "&lt;")


def render_markdown(entries: Iterable[EnrichedEntry], summary: RunSummary) -> str:
    """The Markdown report: the counts, then a table of conflicts per file."""
    grouped = by_file(entries)
    all_entries = [e for group in grouped.values() for e in group]
    out = ["# arxiv-enrich report", ""]
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(summary.statuses.items()))
    out.append(
        f"{summary.entries} entries ({statuses}); {summary.unique_ids} unique ids; "
        f"{summary.requests} requests to arXiv, {summary.cache_hits} cache hits; "
        f"{summary.seconds:.1f} s."
    )
    if summary.cache_note:
        out.append(f"\n> {summary.cache_note}")
    out += ["", "| conflict | error | warning | info |", "|---|---:|---:|---:|"]
    for kind, sev in sorted(summary.conflicts.items()):
        out.append(
            f"| `{kind}` | {sev.get('error', 0)} | {sev.get('warning', 0)} | {sev.get('info', 0)} |"
        )
    unreadable = [f for f in summary.files if f.error]
    for f in unreadable:
        out.append(f"\n**{_cell(f.path)}**: {_cell(f.error)}")
    later = sum(1 for e in all_entries if _changed_later(e))
    if later:
        out.append(
            f"\n{later} entries were right for the version they link and were changed by a "
            "later version (listed apart, under “Changed by a later version”: update them with "
            "the version); the other findings are under “Looks wrong”."
        )
    for path in sorted(grouped):
        out += ["", f"## {_cell(path)}", ""]
        rows = [row for entry in grouped[path] for row in _conflict_rows(entry)]
        changed = {id(e) for e in grouped[path] if _changed_later(e)}
        if changed:
            mine = [
                row
                for entry in grouped[path]
                if id(entry) in changed
                for row in _conflict_rows(entry)
                if row["kind"] in _LATER_KINDS
            ]
            out += ["### Changed by a later version", "", *_table(mine), ""]
            rows = [r for r in rows if r not in mine]
            out += ["### Looks wrong", ""]
        out += _table(rows)
    return "\n".join(out) + "\n"


# a title or author list a later version changed, and the stale link that goes with it
_LATER_KINDS = frozenset({"changed_in_later_version", "version_stale"})


def _changed_later(entry: EnrichedEntry) -> bool:
    return any(c.kind == "changed_in_later_version" for c in entry.conflicts)


def _table(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| line | arXiv id | severity | kind | digest | arXiv | message |"]
    out += ["|---:|---|---|---|---|---|---|"]
    for row in rows:
        out.append(
            f"| {row['line'] or ''} | {_cell(row['arxiv_id'])} | {row['severity']} "
            f"| {_cell(row['kind'])} | {_cell(row.get('digest'))} "
            f"| {_cell(row.get('arxiv'))} | {_cell(row['message'])} |"
        )
    return out
