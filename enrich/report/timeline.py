"""The version timeline of a stale entry, for the HTML review page (a self-contained section).

For an entry that links an older version than arXiv's latest: one item per version from v1 to
the latest (a run of two or more versions nothing is known about is shortened to "…"), each with its
date as far as `arxiv.versions` knows it, marked

  linked   the version the digest links ("the digest links this")
  changed  a version that changed what the digest says (from changed_in_later_version findings:
           "changed the title", "changed the author list")
  latest   arXiv's latest version

Entries that are not stale get nothing (""). Everything from a digest or arXiv is escaped; only
the tags the page already uses (section, p, ul, li, span) appear.
Pure: a function of the entry.
"""

from __future__ import annotations

import html

from enrich.models import EnrichedEntry

__all__ = ["version_timeline"]

_FIELDS = {
    "title": "the title",
    "authors": "the author list",
    "claims.title": "the summary's title",
    "claims.authors": "the summary's author list",
}


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _shown(numbers: set[int], latest: int) -> list[int | None]:
    """1..latest: the remarkable versions, a lone version between two of them, and None for
    each run of two or more unremarkable versions."""
    out: list[int | None] = []
    marks = sorted(n for n in numbers if 1 <= n <= latest)
    previous = 0
    for number in marks:
        gap = number - previous - 1
        if gap == 1:
            out.append(previous + 1)
        elif gap > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out


def version_timeline(entry: EnrichedEntry) -> str:
    """The timeline section of one entry, or "" when it does not link an older version."""
    record, mine = entry.arxiv, entry.digest.version
    if record is None or mine is None or mine >= record.latest_version:
        return ""
    latest = record.latest_version
    dates = {v.version: v.date for v in record.versions}
    changes: dict[int, list[str]] = {}
    for c in entry.conflicts:
        if c.kind == "changed_in_later_version" and c.version is not None:
            what = _FIELDS.get(c.field or "", c.field or "")
            changes.setdefault(c.version.version, [])
            if what not in changes[c.version.version]:
                changes[c.version.version].append(what)
            if c.version.date is not None:
                dates.setdefault(c.version.version, c.version.date)
    remarkable = {1, mine, latest, *changes, *(n for n, d in dates.items() if d is not None)}
    items = []
    for number in _shown(remarkable, latest):
        if number is None:
            items.append('<li class="gap" aria-label="versions not shown">…</li>')
            continue
        classes = ["v"]
        notes = []
        if number == mine:
            classes.append("linked")
            notes.append("the digest links this")
        if number in changes:
            classes.append("changed")
            notes.append("changed " + " and ".join(changes[number]))
        if number == latest:
            classes.append("latest")
            notes.append("latest")
        day = dates.get(number)
        when = day.isoformat() if day is not None else "date unknown"
        note = f'<span class="vnote">{_esc("; ".join(notes))}</span>' if notes else ""
        items.append(
            f'<li class="{" ".join(classes)}" data-version="{number}">'
            f'<span class="vnum">v{number}</span> <span class="vdate">{_esc(when)}</span>'
            f"{note}</li>"
        )
    return (
        '<section class="timeline" aria-label="version timeline">'
        f'<p class="vhead">Versions</p><ul>{"".join(items)}</ul></section>'
    )
