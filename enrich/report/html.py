"""The HTML review page: one self-contained file (inline CSS and script, nothing fetched).

Top: the run's summary (counts per status, per conflict kind and severity, per file). Then every
entry with a warning or an error (info-only and clean entries are there too, hidden by the default
filter): file:line, links to the abs and PDF pages, and the digest beside arXiv with the differences
marked. Filters by kind, severity, file and text run in plain JS and can be preset from the URL
(``review.html#severity=error&kind=title_mismatch&file=digests/a.md``).

Everything that comes from a digest or arXiv goes through `html.escape`; a link is only an
``<a href>`` when it is an http(s) URL. A Content-Security-Policy admits the page's own script
and style by hash and nothing else, so even a missed escape could not run a script.

This module lays out the page (triage, counts, filters); one entry's card or line is in
enrich/report/html_cards.py, escaping and the marked-up differences in html_text.py.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from enrich.models import CONFLICT_KINDS, EnrichedEntry, RunSummary
from enrich.report.html_cards import FIXED_WORD, card, compact, entry_level, tokens
from enrich.report.html_text import esc, safe_href, txt
from enrich.text.invisible import show_invisible

__all__ = ["entry_level", "render_html", "safe_href", "triage"]

_HERE = Path(__file__).resolve().parent
SEVERITIES = ("error", "warning", "info")

# --- triage -----------------------------------------------------------------------------------

PERSON, FIXER, INFO, UNAVAILABLE, CLEAN = "person", "fixer", "info", "unavailable", "clean"
MAX_CARDS = 1000  # entries needing a person shown in full; the rest as compact lines


def triage(entry: EnrichedEntry) -> str:
    """Which part of the page an entry belongs to: needs a person (a warning or error the fixer
    does not settle), handled by the fixer, info notes only, not looked up, or clean."""
    if entry.status == "unavailable":
        return UNAVAILABLE
    level = entry_level(entry)
    if level is None:
        return CLEAN
    open_problems = [
        c for c in entry.conflicts if c.severity in ("warning", "error") and not c.fixed
    ]
    if open_problems or (level == "error" and entry.status != "enriched"):
        return PERSON
    if any(c.fixed for c in entry.conflicts):
        return FIXER
    return INFO


def _order_key(entry: EnrichedEntry) -> tuple[int, str, int]:
    return (_RANK_ORDER[entry_level(entry) or "info"], entry.source.path, entry.source.line or 0)


_RANK_ORDER = {"error": 0, "warning": 1, "info": 2}


def _count_table(
    table_id: str, head: Sequence[str], rows: Iterable[Sequence[object]], text: Sequence[int] = (0,)
) -> str:
    classes = ["t" if i in text else "n" for i in range(len(head))]
    th = "".join(f'<th class="{esc(c)}">{esc(h)}</th>' for h, c in zip(head, classes, strict=True))
    body = []
    for row in rows:
        cells = [f"<td>{txt(row[0])}</td>"]
        for value in row[1:]:
            cls = ("n zero" if value == 0 else "n") if isinstance(value, int) else "t"
            cells.append(f'<td class="{cls}">{txt(value)}</td>')
        body.append(f'<tr data-key="{esc(row[0])}">{"".join(cells)}</tr>')
    return (
        f'<div class="scroll"><table class="counts" id="{esc(table_id)}">'
        f"<thead><tr>{th}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


class _Page:
    """What one pass over the entries collects: the HTML of each part, and the counts."""

    def __init__(self) -> None:
        self.person: list[tuple[tuple[int, str, int], EnrichedEntry | str]] = []
        self.fixer: list[tuple[tuple[str, int], str]] = []
        self.info: list[tuple[tuple[str, int], str]] = []
        self.unavailable: list[tuple[tuple[str, int], str]] = []
        self.reasons: Counter[str] = Counter()
        self.per_file: dict[str, Counter[str]] = {}
        self.kinds: Counter[str] = Counter()
        self.paths: dict[str, None] = {}
        self.total = 0
        self._next_trim = 2 * MAX_CARDS

    def add(self, index: int, entry: EnrichedEntry) -> None:
        self.total += 1
        path, line = entry.source.path, entry.source.line or 0
        self.paths.setdefault(path)
        self.per_file.setdefault(path, Counter()).update({entry_level(entry) or "clean"})
        self.kinds.update(set(k for k, _ in tokens(entry)))
        group = triage(entry)
        if group == PERSON:
            # full entries are kept for the first MAX_CARDS; the rest become lines right away
            self.person.append((_order_key(entry), entry))
            if len(self.person) > self._next_trim:
                self._trim()
                self._next_trim = 2 * len(self.person)  # amortised: not a sort per entry
        elif group == FIXER:
            self.fixer.append(((path, line), compact(index, entry, fixes=True)))
        elif group == INFO:
            self.info.append(((path, line), compact(index, entry, fixes=False)))
        elif group == UNAVAILABLE:
            self.reasons[entry.error or "arXiv could not be asked"] += 1
            self.unavailable.append(((path, line), compact(index, entry, fixes=False)))

    def _trim(self) -> None:
        """Keep full entries only for the MAX_CARDS first in page order; render the rest."""
        self.person.sort(key=lambda item: item[0])
        for i in range(MAX_CARDS, len(self.person)):
            key, item = self.person[i]
            if not isinstance(item, str):
                self.person[i] = (key, compact(0, item, fixes=False))

    def cards(self) -> tuple[str, str, int, int]:
        self._trim()
        cards, lines = [], []
        for n, (_, item) in enumerate(self.person, 1):
            if isinstance(item, str):
                lines.append(item.replace('id="line-0"', f'id="more-{n}"', 1))
            else:
                cards.append(card(n, item))
        return "".join(cards), "".join(lines), len(cards), len(lines)


def _totals(summary: RunSummary, page: _Page) -> str:
    items = "".join(
        f'<li class="sev-{s}" id="total-{s}">{summary.count(s)} {label}</li>'
        for s, label in zip(SEVERITIES, ("errors", "warnings", "info"), strict=True)
    )
    items += f'<li class="fixed" id="total-fixed">{len(page.fixer)} {FIXED_WORD} by the fixer</li>'
    return f'<ul class="totals">{items}</ul>'


def _banner(summary: RunSummary, page: _Page) -> str:
    """One notice when arXiv was not reached or entries could not be looked up."""
    missing = len(page.unavailable)
    if not missing and not (summary.offline and summary.requests == 0 and summary.entries == 0):
        return ""
    reasons = "; ".join(f"{r} ({n})" for r, n in page.reasons.most_common(3))
    if summary.offline:
        head = "Offline run: arXiv was not asked."
    elif summary.requests == 0 or missing >= summary.unique_ids:
        head = "arXiv was not reached."
    else:
        head = "Some entries could not be looked up."
    lines = "".join(line for _, line in sorted(page.unavailable))
    listing = (
        f'<details><summary>the {missing} entries</summary><ul class="compact">{lines}</ul>'
        "</details>"
        if missing
        else ""
    )
    return (
        f'<section class="banner" id="banner" role="status"><strong>{esc(head)}</strong> '
        f"{missing} entries could not be checked and are not shown as findings"
        f"{': ' + txt(reasons) if reasons else ''}. "
        "Run again when arXiv answers (without --offline) to check them."
        f"{listing}</section>"
    )


def _summary(summary: RunSummary, page: _Page) -> str:
    statuses = _count_table("by-status", ("status", "entries"), sorted(summary.statuses.items()))
    order = {k: i for i, k in enumerate(CONFLICT_KINDS)}
    kinds = sorted(summary.conflicts, key=lambda k: (order.get(k, len(order)), k))
    by_kind = _count_table(
        "by-kind",
        ("kind", *SEVERITIES),
        [(k, *(summary.conflicts[k].get(s, 0) for s in SEVERITIES)) for k in kinds],
    )
    files = {f.path: f for f in summary.files}
    rows = []
    for path in list(files) + [p for p in page.per_file if p not in files]:
        f, c = files.get(path), page.per_file.get(path, Counter())
        rows.append(
            (
                path,
                f.format if f else "",
                f.entries if f else sum(c.values()),
                f.invalid if f else 0,
                c["error"],
                c["warning"],
                f.error if f and f.error else "",
            )
        )
    head = ("file", "format", "entries", "invalid", "with errors", "with warnings", "unreadable")
    by_file = _count_table("by-file", head, rows, text=(0, 1, 6))
    return (
        '<section class="summary" id="summary"><h2>Summary</h2><div class="panels">'
        f'<div class="panel"><h3>Entries by status</h3>{statuses}</div>'
        f'<div class="panel kinds"><h3>Conflicts by kind and severity</h3>{by_kind}</div>'
        f'<div class="panel wide"><h3>Files</h3>{by_file}</div></div></section>'
    )


def _filters(page: _Page) -> str:
    order = {k: i for i, k in enumerate(CONFLICT_KINDS)}
    kind_opts = "".join(
        f'<option value="{esc(k)}">{esc(k)} ({n})</option>'
        for k, n in sorted(page.kinds.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    )
    file_opts = "".join(
        f'<option value="{esc(p)}">{esc(show_invisible(p))}</option>' for p in page.paths
    )
    sev = [("problems", "warnings and errors"), ("error", "errors"), ("warning", "warnings")]
    sev += [("info", "info notes"), ("all", "everything")]
    sev_opts = "".join(f'<option value="{v}">{t}</option>' for v, t in sev)
    return (
        '<form id="filters" hidden>'
        f'<label>Severity<select name="severity">{sev_opts}</select></label>'
        '<label>Kind<select name="kind"><option value="all">all kinds</option>'
        f"{kind_opts}</select></label>"
        '<label>File<select name="file"><option value="all">all files</option>'
        f"{file_opts}</select></label>"
        '<label>Text<input name="q" type="search" placeholder="title, author, id"></label>'
        f'<span class="shown"><span id="shown-count">{page.total}</span>'
        f" of {page.total} shown</span>"
        "</form>"
    )


def _asset(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def render_html(entries: Iterable[EnrichedEntry], summary: RunSummary) -> str:
    """The review page for a run's entries and summary, as one self-contained HTML document.

    Triage first: the counts, the filters, then the entries that need a person (errors before
    warnings, each a card with digest and arXiv side by side; past MAX_CARDS as one line each),
    then one line per entry the fixer settles (with the fix), then info notes; one banner for the
    entries arXiv could not be asked about; the summary tables last. One pass over `entries`:
    only the entries needing a person are held, so a run's Findings of any size fits."""
    page = _Page()
    for index, entry in enumerate(entries, 1):
        page.add(index, entry)
    for f in summary.files:
        page.paths.setdefault(f.path)
    cards, more, n_cards, n_more = page.cards()
    css, js = _asset("review.css"), _asset("review.js").replace("</", "<\\/")
    csp = (
        f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; "
        "img-src 'none'; form-action 'none'; base-uri 'none'"
    )
    needing = n_cards + n_more
    title = (
        f"arxiv-enrich review: {needing} of {summary.entries or page.total} entries need a person"
    )
    run = (
        f"{summary.entries} entries · {summary.unique_ids} unique ids · "
        f"{summary.requests} requests · {summary.cache_hits} cache hits · "
        f"{summary.retries} retries · {summary.seconds:.1f} s"
        + (" · offline" if summary.offline else "")
    )
    note = f'<p class="note">{txt(summary.cache_note)}</p>' if summary.cache_note else ""
    legend = (
        '<p class="legend">Marks: <del>only in the digest</del><ins>only on arXiv</ins>'
        '<span class="moved">in another place</span><span class="cut">cut by "et al."</span>'
        '<span class="stale">older version</span><span class="ahead">version arXiv lacks</span></p>'
    )
    more_html = (
        f'<h3 id="more-head">{n_more} more needing a person, one line each</h3>'
        f'<ul class="compact" id="more">{more}</ul>'
        if n_more
        else ""
    )
    fixer = "".join(line for _, line in sorted(page.fixer))
    info = "".join(line for _, line in sorted(page.info))
    clean = page.per_file and sum(c["clean"] for c in page.per_file.values())
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{css}</style></head>"
        f'<body><main><h1>arxiv-enrich review</h1><p class="run" id="run">{esc(run)}</p>{note}'
        f"{_banner(summary, page)}{_totals(summary, page)}{_filters(page)}"
        f'<h2 id="entries-head">Needs a person: {needing}</h2>'
        f'<section class="entries" id="entries">{cards}</section>{more_html}'
        f'<h2 id="fixer-head">{FIXED_WORD.capitalize()} by the fixer: {len(page.fixer)}</h2>'
        '<p class="muted">--fix-dir DIR (or --fix, or --diff) writes these corrections; each line '
        "shows what changes.</p>"
        f'<ul class="compact" id="fixer">{fixer}</ul>'
        f'<h2 id="info-head">Info notes only: {len(page.info)}</h2>'
        f'<ul class="compact" id="info">{info}</ul>'
        f'<p class="muted" id="quiet">{clean or 0} entries shown here agree with arXiv; '
        "entries without findings are counted in the summary.</p>"
        f"{legend if cards else ''}{_summary(summary, page)}"
        f"</main><script>{js}</script></body></html>\n"
    )
