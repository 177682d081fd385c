"""What `enrich run` does around the pipeline: progress bar, output file, reports, fixed digests,
and the exit status. Kept apart from cli.py so the CLI stays a thin layer of options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from enrich.errors import InputError
from enrich.models import EnrichedEntry
from enrich.outputs import OutputPlan
from enrich.pipeline import Pipeline
from enrich.report.collect import Findings
from enrich.settings import Settings

__all__ = ["run_command"]

REPORT_KINDS = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("asking arXiv"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=_stderr_console(),
    ) as bar:
        task = bar.add_task("ids", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


def _check_reports(paths: tuple[str, ...]) -> list[tuple[Path, str]]:
    out = []
    for raw in paths:
        path = Path(raw)
        kind = REPORT_KINDS.get(path.suffix.lower())
        if kind is None:
            raise InputError(f"{raw}: a report must end in .json, .md or .html")
        out.append((path, kind))
    return out


def run_command(
    *,
    settings: Settings,
    inputs: tuple[str, ...],
    out: str | None,
    reports: tuple[str, ...],
    fail_on: str | None,
    fmt: str | None,
    fix_dir: str | None,
    diff: bool,
    fix: bool = False,
    quiet: bool,
    **_: Any,
) -> int:
    report_paths = _check_reports(reports)
    for raw in inputs:  # before any output file is created
        if not Path(raw).exists():
            raise InputError(f"{raw}: no such file or folder", raw)
    findings = Findings()
    worst = -1
    unavailable_reason: str | None = None
    show_progress = not quiet and sys.stderr.isatty()
    outputs = OutputPlan(  # checks every output against every input before anything is opened
        inputs, out=out, reports=[p for p, _ in report_paths], fix_dir=fix_dir, fix_in_place=fix
    )
    fixer = _Fixer(outputs, diff) if (fix_dir or fix or diff) else None
    with outputs:  # every output is renamed into place together at the end, or not at all
        stream = outputs.out
        with (
            _progress(show_progress) as progress,
            Pipeline(settings, format=fmt, progress=progress) as pipe,
        ):
            for enriched in pipe.run(inputs):
                stream.write(enriched.model_dump_json() + "\n")
                if report_paths:  # kept only for a report: a plain run stays lean
                    findings.add(enriched)
                if fixer:
                    fixer.add(enriched)
                for conflict in enriched.conflicts:
                    worst = max(worst, SEVERITY_RANK[conflict.severity])
                if enriched.status == "unavailable" and unavailable_reason is None:
                    unavailable_reason = enriched.error
            summary = pipe.summary
            files = pipe.files
        if fixer:
            fixer.finish()
        for path, kind in report_paths:
            outputs.stage(path, _render(kind, summary, findings))
    if not quiet:
        from enrich.report.terminal import print_file_reports, print_summary

        print_file_reports(files, sys.stderr)
        print_summary(summary, sys.stderr)
    missing = summary.statuses.get("unavailable", 0)
    if missing:  # said even with -q: it is why the exit status is 3
        sys.stderr.write(
            f"enrich: {missing} entries could not be looked up ({unavailable_reason}); "
            "they are in the output with status unavailable\n"
        )
    if any(f.error for f in files):
        return 2
    if fail_on and worst >= SEVERITY_RANK[fail_on]:
        return 1
    if summary.statuses.get("unavailable"):
        return 3
    return 0


def _render(kind: str, summary: Any, findings: Findings) -> str:
    if kind == "json":
        from enrich.report.data import render_json

        return render_json(summary, findings)
    if kind == "markdown":
        from enrich.report.data import render_markdown

        return render_markdown(summary, findings)
    from enrich.report.html import render_html

    return render_html(findings.entries(), summary)


class _Fixer:
    """Collects each digest's enriched entries, then writes its corrected copy and/or a diff."""

    def __init__(self, outputs: OutputPlan, diff: bool) -> None:
        self.outputs = outputs
        self.diff = diff
        self.by_file: dict[str, list[EnrichedEntry]] = {}

    def add(self, entry: EnrichedEntry) -> None:
        if entry.source.format != "jsonl":
            self.by_file.setdefault(entry.source.path, []).append(entry)

    def finish(self) -> None:
        from enrich.ingest import read_text
        from enrich.report.fix import fix_digest, unified_diff

        for path, entries in self.by_file.items():
            text, _ = read_text(Path(path))
            result = fix_digest(text, entries)
            if self.diff and result.text != text:
                sys.stdout.write(unified_diff(path, text, result.text))
            target = self.outputs.fix_target(path)
            if target is not None and (result.text != text or not self.outputs.fix_in_place):
                self.outputs.stage(target, result.text)
            for item in result.left_alone:
                sys.stderr.write(f"left for a person: {item}\n")
