"""What `enrich mirror sync|import|stats` do around the library: progress, end lines, exit codes.

Kept apart from cli.py (which only parses options) as runner.py is for `enrich run`. Progress goes
to standard error (only on a terminal, never with -q); the end line goes to standard output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from enrich.errors import ArxivUnavailable, InputError
from enrich.mirror.store import MirrorStore
from enrich.settings import Settings

__all__ = ["import_command", "stats_command", "sync_command"]

EXIT_OK, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 2, 3


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
) -> int:
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

        try:
            result = sync(settings, store, set_spec=spec, from_day=start, progress=progress)
        except ArxivUnavailable as exc:
            sys.stderr.write(
                f"enrich: sync stopped: {exc}; what was harvested is kept, run it again to resume\n"
            )
            return EXIT_UNAVAILABLE
    print(
        f"mirror sync (set {result.set_spec or 'all'}, from {result.from_day or 'the start'}"
        f"{', resumed' if result.resumed else ''}): {result.records:,} records in "
        f"{result.pages} pages; added {result.added:,}, updated {result.updated:,}, "
        f"deleted {result.deleted:,}, unchanged {result.unchanged:,}; "
        f"{result.requests} requests"
    )
    return EXIT_OK


def import_command(settings: Settings, *, path: str, quiet: bool) -> int:
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
    return EXIT_OK


def stats_command(settings: Settings) -> int:
    path = settings.mirror_file
    if not path.is_file():
        print(f"path: {path}\npapers: 0 (no mirror yet: run `enrich mirror sync` or `import`)")
        return EXIT_OK
    with MirrorStore(path) as store:
        stats = store.stats()
    values: dict[str, Any] = dataclasses.asdict(stats)
    values["mirror_max_age"] = f"{settings.mirror_max_age:g} s"
    for key, value in values.items():
        if value is not None:
            print(f"{key}: {value}")
    return EXIT_OK
