"""What a person sees on standard error: the progress line while a run waits for arXiv, then the
per-file lines, the summary table, what was written where, and the entries left for a person.
A rich table, no colours when piped."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from enrich.models import RunSummary
from enrich.text.invisible import show_invisible

if TYPE_CHECKING:
    from enrich.runner import RunOutcome

__all__ = ["print_file_reports", "print_outcome", "print_summary", "progress_line"]


class _WaitLines(logging.Handler):
    """Passes the client's and limiter's wait messages (log records carrying `enrich_event`)
    to `show`: "wait" records say why the run is waiting, "request" records that it moved on."""

    def __init__(self, show: Callable[[str | None], None]) -> None:
        super().__init__(logging.INFO)
        self.show = show

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "enrich_event", None)
        if event == "wait":
            self.show(show_invisible(record.getMessage()))
        elif event == "request":
            self.show(None)


@contextmanager
def _listening(show: Callable[[str | None], None]) -> Iterator[None]:
    logger = logging.getLogger("enrich.arxiv")
    handler = _WaitLines(show)
    old_level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@contextmanager
def progress_line(
    enabled: bool, stream: TextIO, *, announce_waits: bool = True
) -> Iterator[Callable[[int, int], None] | None]:
    """A transient progress bar on `stream` while ids are looked up, which also says why it
    waits ("arXiv answered 503; retrying in 12 s, attempt 2 of 5", "waiting for another
    process's turn"). Without a bar (`enabled` false: not a terminal), each wait is one plain
    line on `stream` when `announce_waits`; nothing at all when neither."""
    if not enabled:
        if not announce_waits:
            yield None
            return

        def line(message: str | None) -> None:
            if message:
                stream.write(f"enrich: {message}\n")
                stream.flush()

        with _listening(line):
            yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("asking arXiv"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
        console=_console(stream),
    ) as bar:
        task = bar.add_task("", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        def status(message: str | None) -> None:
            bar.update(task, description=message or "")

        with _listening(status):
            yield update


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
    if summary.mirror_hits:
        table.add_row("from the mirror", str(summary.mirror_hits))
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
        if getattr(r, "skipped", None):
            stream.write(f"note: {show_invisible(r.skipped)}\n")
            continue
        line = f"{r.path}: {r.format}, {r.entries} entries, {r.invalid} invalid"
        stream.write(show_invisible(line) + "\n")
        for note in r.notes:
            stream.write(f"warning: {show_invisible(note)}\n")
    empty = [
        r.path for r in reports if not r.error and not getattr(r, "skipped", None) and not r.entries
    ]
    if empty:
        names = show_invisible(", ".join(empty))
        stream.write(f"note: {len(empty)} file(s) without any arXiv id: {names}\n")


def print_outcome(outcome: RunOutcome, stream: TextIO, *, quiet: bool, why: str | None) -> None:
    """After a run: file lines and summary, what was written, the entries left for a person
    (all hidden by `quiet`), then the lines that explain the exit status (always)."""
    if not quiet:
        print_file_reports(outcome.files, stream)
        print_summary(outcome.summary, stream)
        for line in written_lines(outcome):
            stream.write(line + "\n")
        for line in left_alone_lines(outcome):
            stream.write(line + "\n")
    elif outcome.unreadable:
        for f in outcome.unreadable:
            stream.write(f"error: {f.error}\n")
    missing = outcome.summary.statuses.get("unavailable", 0)
    if missing:  # said even with -q: it is why the exit status is 3
        stream.write(
            f"enrich: {missing} entries could not be looked up ({outcome.unavailable_reason}); "
            "they are in the output with status unavailable\n"
        )
    if why:
        stream.write(why + "\n")


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def written_lines(outcome: RunOutcome) -> list[str]:
    """What the run wrote, where: the JSONL, each report, the corrected digests."""
    lines = []
    if outcome.out is not None:
        lines.append(f"wrote {outcome.out} ({_n(outcome.summary.entries, 'entry', 'entries')})")
    for path in outcome.reports:
        lines.append(f"wrote {path}")
    fixed = (
        f"{_n(outcome.fixed_entries, 'entry', 'entries')} in "
        f"{_n(outcome.fixed_files, 'file', 'files')}"
    )
    if outcome.fix_dir is not None:
        lines.append(f"fixed {fixed} → {outcome.fix_dir}")
    elif outcome.fix_in_place:
        lines.append(f"fixed {fixed} in place")
    elif outcome.diff_base is not None:
        lines.append(f"fixed {fixed} → the diff (paths relative to {outcome.diff_base})")
    elif outcome.fixed_entries:
        lines.append(f"fixed: {fixed} (--fix-dir DIR writes the corrected copies, --diff a patch)")
    if outcome.fix_dir is not None or outcome.fix_in_place or outcome.diff_base is not None:
        lines += [f"not corrected: {d.error}" for d in outcome.fixed if d.error]
    return lines


def left_alone_lines(outcome: RunOutcome) -> list[str]:
    """`FILE:LINE ID kinds — why` for every entry the fixer left for a person."""
    lines = []
    for digest in outcome.fixed:
        for item in digest.left_alone:
            where = f"{digest.path}:{item.line}" if item.line is not None else digest.path
            kinds = ",".join(item.kinds)
            line = f"{where} {item.arxiv_id or '(no id)'} {kinds} — {item.reason}"
            lines.append(show_invisible(line))
    if lines:
        lines.insert(0, f"left for a person ({len(lines)}):")
    return lines
