"""What `enrich mirror sync|import|stats` do around the library: progress bars and end lines.

Kept apart from cli.py (options and exit codes) as runner.py is for `enrich run`. Progress goes to
standard error (only on a terminal, never with -q); the end line goes to standard output.
Library errors pass through: cli.py maps them to exit codes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from enrich.errors import InputError
from enrich.mirror.store import MirrorStore
from enrich.settings import Settings

__all__ = ["import_command", "mirror_stats", "sync_command"]


@contextmanager
def _bar(enabled: bool, label: str) -> Iterator[Callable[..., None] | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        console=Console(file=sys.stderr),
    ) as bar:
        task = bar.add_task("", total=None)

        def update(
            description: str, completed: float | None = None, total: float | None = None
        ) -> None:
            bar.update(task, description=description, completed=completed, total=total)

        yield update


def _day(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"--from {value!r}: expected a day as YYYY-MM-DD") from None


def sync_command(
    settings: Settings, *, set_spec: str | None, from_day: str | None, quiet: bool
) -> None:
    """Run a sync with a progress bar and print its end line (ArxivUnavailable passes through)."""
    from enrich.mirror.harvest import SyncProgress, sync
    from enrich.mirror.sets import is_valid_set

    spec = set_spec or ""
    if spec and not is_valid_set(spec):
        raise InputError(
            f"--set {spec!r}: expected group[:archive[:CATEGORY]], e.g. cs or physics:hep-th"
        )
    start = _day(from_day)
    show = not quiet and sys.stderr.isatty()
    with MirrorStore(settings.mirror_file) as store, _bar(show, "harvesting arXiv") as update:

        def progress(p: SyncProgress) -> None:
            if update is not None:
                update(
                    f"{p.records:,} records, {p.pages} pages, at {p.last_day or '-'}",
                    completed=p.records,
                    total=p.list_size,
                )

        result = sync(settings, store, set_spec=spec, from_day=start, progress=progress)
    print(
        f"mirror sync (set {result.set_spec or 'all'}, from {result.from_day or 'the start'}"
        f"{', resumed' if result.resumed else ''}): {result.records:,} records in "
        f"{result.pages} pages; added {result.added:,}, updated {result.updated:,}, "
        f"deleted {result.deleted:,}, unchanged {result.unchanged:,}; "
        f"{result.requests} requests"
    )


def import_command(settings: Settings, *, path: str, quiet: bool) -> None:
    """Import a snapshot with a progress bar; name the bad lines; print the end line."""
    from enrich.mirror.snapshot import ImportProgress, import_snapshot

    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: no such file", path)
    if file.resolve() == settings.mirror_file.resolve():
        raise InputError(f"{path}: that is the mirror database itself", path)
    show = not quiet and sys.stderr.isatty()
    with MirrorStore(settings.mirror_file) as store, _bar(show, "importing") as update:

        def progress(p: ImportProgress) -> None:
            if update is not None:
                update(f"{p.lines:,} lines", completed=p.bytes_read, total=p.bytes_total)

        result = import_snapshot(file, store, progress=progress)
    for problem in result.problems:
        sys.stderr.write(f"enrich: skipped {problem}\n")
    if result.bad > len(result.problems):
        sys.stderr.write(
            f"enrich: ... and {result.bad - len(result.problems)} more lines skipped\n"
        )
    print(
        f"mirror import {path}: {result.papers:,} papers read; written {result.written:,}, "
        f"kept {result.kept:,} (the mirror's were as new or newer), skipped {result.bad:,} "
        f"bad lines; data as of {result.newest_day or '-'}"
    )


def mirror_stats(settings: Settings) -> dict[str, Any]:
    """What `enrich mirror stats` shows (no database is created to say there is none)."""
    path = settings.mirror_file
    fields: dict[str, Any] = {"path": str(path.resolve()), "papers": 0}
    if path.is_file():
        with MirrorStore(path) as store:
            stats = dataclasses.asdict(store.stats())
        fields |= {k: v for k, v in stats.items() if v is not None and k != "path"}
    fields["mirror_max_age"] = settings.mirror_max_age
    return fields
