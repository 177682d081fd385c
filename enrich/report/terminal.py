"""The summary a person sees on standard error after a run: a rich table, no colours when piped."""

from __future__ import annotations

from typing import TextIO

from enrich.models import RunSummary

__all__ = ["print_file_reports", "print_summary"]


def _console(stream: TextIO):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(file=stream, highlight=False, soft_wrap=True)


def print_summary(summary: RunSummary, stream: TextIO) -> None:
    from rich.table import Table

    console = _console(stream)
    table = Table(title="arxiv-enrich", title_justify="left", show_edge=False)
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("entries", str(summary.entries))
    for status, n in sorted(summary.statuses.items()):
        table.add_row(f"  {status}", str(n))
    table.add_row("unique ids", str(summary.unique_ids))
    table.add_row("requests to arXiv", str(summary.requests))
    table.add_row("cache hits", str(summary.cache_hits))
    if summary.retries:
        table.add_row("retries", str(summary.retries))
    table.add_row("time", f"{summary.seconds:.1f} s")
    console.print(table)
    if summary.conflicts:
        kinds = Table(show_edge=False)
        kinds.add_column("conflict")
        for sev in ("error", "warning", "info"):
            kinds.add_column(sev, justify="right")
        for kind, by_sev in sorted(summary.conflicts.items()):
            kinds.add_row(kind, *(str(by_sev.get(s, "")) for s in ("error", "warning", "info")))
        console.print(kinds)
    else:
        console.print("no conflicts")
    if summary.cache_note:
        console.print(f"note: {summary.cache_note}")


def print_file_reports(reports: list, stream: TextIO) -> None:  # type: ignore[type-arg]
    for r in reports:
        if r.error:
            stream.write(f"error: {r.error}\n")
            continue
        stream.write(f"{r.path}: {r.format}, {r.entries} entries, {r.invalid} invalid\n")
        for note in r.notes:
            stream.write(f"warning: {note}\n")
