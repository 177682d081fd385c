"""Reports as library functions, one shape for all: ``render_*(entries, summary) -> str`` and
``write_report(target, entries, summary)`` (the suffix of `target` picks the kind), beside
``write_fixed(target, entries, summary)`` for corrected digests (enrich.report.writeback).

    result = enrich_paths(["digest.md"], load_settings())
    write_report("out/review.html", result.entries, result.summary)

`entries` may be every entry of a run or only those with findings (what the CLI keeps); clean
entries are counted from the summary either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from enrich.errors import InputError
from enrich.models import EnrichedEntry, RunSummary

__all__ = ["REPORT_KINDS", "render_report", "report_kind", "write_report", "write_text"]

REPORT_KINDS = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}

Renderer = Callable[[Iterable[EnrichedEntry], RunSummary], str]


def report_kind(path: str | Path) -> str:
    """ "json", "markdown" or "html" from the file's suffix; InputError for any other suffix."""
    kind = REPORT_KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError(f"{path}: a report must end in .json, .md or .html")
    return kind


def _renderer(kind: str) -> Renderer:
    if kind == "json":
        from enrich.report.data import render_json

        return render_json
    if kind == "markdown":
        from enrich.report.data import render_markdown

        return render_markdown
    if kind == "html":
        from enrich.report.html import render_html

        return render_html
    raise InputError(f"unknown report kind {kind!r} (json, markdown or html)")


def render_report(kind: str, entries: Iterable[EnrichedEntry], summary: RunSummary) -> str:
    """The report of `kind` ("json", "markdown", "html") as text."""
    return _renderer(kind)(entries, summary)


def write_text(path: Path, text: str) -> None:
    """Write a report or a corrected digest atomically (folders made as needed); a run's outputs
    go through enrich.outputs.OutputPlan, which checks them against the inputs as well."""
    from enrich.outputs import AtomicText

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    staged = AtomicText(path)
    staged.write(text)
    staged.commit()


def write_report(target: str | Path, entries: Iterable[EnrichedEntry], summary: RunSummary) -> Path:
    """Write the report `target`'s suffix asks for (.json, .md, .html); returns its path."""
    path = Path(target)
    write_text(path, render_report(report_kind(path), entries, summary))
    return path
