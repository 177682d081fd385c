"""The HTML review page: one self-contained file (inline CSS and script, nothing fetched).

Top: the run's summary (counts per status, per conflict kind and severity, per file). Then every
entry with a warning or an error (info-only and clean entries are there too, hidden by the default
filter): file:line, links to the abs and PDF pages, and the digest beside arXiv with the differences
marked. Filters by kind, severity, file and text run in plain JS and can be preset from the URL
(``review.html#severity=error&kind=title_mismatch&file=digests/a.md``).

Everything that comes from a digest or arXiv goes through `html.escape`; a link is only an
``<a href>`` when it is an http(s) URL. A Content-Security-Policy admits the page's own script
and style by hash and nothing else, so even a missed escape could not run a script.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from enrich.models import CONFLICT_KINDS, EnrichedEntry, RunSummary
from enrich.report.timeline import version_timeline
from enrich.text.names import pair_names, parse_name
from enrich.text.titles import word_key

__all__ = ["entry_level", "render_html", "safe_href"]

_HERE = Path(__file__).resolve().parent
SEVERITIES = ("error", "warning", "info")
_RANK = {"info": 1, "warning": 2, "error": 3}
# A status that says more than its conflicts (an entry arXiv could not be asked about has none).
_STATUS_LEVEL = {"invalid": "error", "not_found": "error", "unavailable": "warning"}
_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})$")


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def safe_href(url: object) -> str | None:
    """`url` when it is a plain http(s) URL with a host, else None (never javascript:, data:...)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ord(c) <= 32 or c in "\"'<>`\\" or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def link(url: object, text: str, cls: str = "") -> str:
    """An <a> to `url` when it is safe, else the text alone (escaped)."""
    href = safe_href(url)
    if href is None:
        return f'<span class="{esc(cls)}">{esc(text)}</span>' if cls else esc(text)
    attr = f' class="{esc(cls)}"' if cls else ""
    return f'<a{attr} href="{esc(href)}" rel="noopener noreferrer nofollow">{esc(text)}</a>'


def _tokens(entry: EnrichedEntry) -> list[tuple[str, str]]:
    """(kind, severity) pairs an entry is filtered by: its conflicts, and its status if telling."""
    pairs: list[tuple[str, str]] = [(c.kind, c.severity) for c in entry.conflicts]
    level = _STATUS_LEVEL.get(entry.status)
    if level and not any(kind in (entry.status, "invalid_entry") for kind, _ in pairs):
        pairs.append((entry.status, level))
    return pairs


def entry_level(entry: EnrichedEntry) -> str | None:
    """The worst severity of the entry ("error", "warning", "info") or None when it is clean."""
    ranks = [_RANK[sev] for _, sev in _tokens(entry)]
    return {v: k for k, v in _RANK.items()}[max(ranks)] if ranks else None


# --- differences ----------------------------------------------------------------------------


def title_diff(digest: str | None, arxiv: str | None) -> tuple[str, str]:
    """Both titles as HTML, with words only in the digest in <del> and only in arXiv in <ins>."""
    if not digest or not arxiv:
        return esc(digest or "—"), esc(arxiv or "—")
    left, right = digest.split(), arxiv.split()
    matcher = difflib.SequenceMatcher(
        None, [word_key(w) for w in left], [word_key(w) for w in right], autojunk=False
    )
    out_l: list[str] = []
    out_r: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = " ".join(left[i1:i2]), " ".join(right[j1:j2])
        if op == "equal":
            out_l.append(esc(a))
            out_r.append(esc(b))
            continue
        if a:
            out_l.append(f"<del>{esc(a)}</del>")
        if b:
            out_r.append(f"<ins>{esc(b)}</ins>")
    return " ".join(out_l), " ".join(out_r)


def _name_keys(digest: Sequence[str], arxiv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Keys equal exactly for the names the comparison calls one person (enrich.text.names)."""
    pairs = pair_names([parse_name(n) for n in digest], [parse_name(n) for n in arxiv])
    keys_l = [f"a{pairs[i][0]}" if i in pairs else f"d{i}" for i in range(len(digest))]
    return keys_l, [f"a{j}" for j in range(len(arxiv))]


def authors_diff(digest: Sequence[str], truncated: bool, arxiv: Sequence[str]) -> tuple[str, str]:
    """Both author lists as HTML: names gone from arXiv <del>, added by arXiv <ins>, names in
    another place .moved, names the digest cut off ("et al.") .cut."""
    keys_l, keys_r = _name_keys(digest, arxiv)
    matcher = difflib.SequenceMatcher(None, keys_l, keys_r, autojunk=False)
    in_place_l: set[int] = set()
    in_place_r: set[int] = set()
    for block in matcher.get_matching_blocks():
        in_place_l.update(range(block.a, block.a + block.size))
        in_place_r.update(range(block.b, block.b + block.size))
    out_l: list[str] = []
    for i, name in enumerate(digest):
        if i in in_place_l:
            out_l.append(esc(name))
        elif keys_l[i] in keys_r:
            out_l.append(
                f'<span class="moved" title="in another place on arXiv">{esc(name)}</span>'
            )
        else:
            out_l.append(f'<del title="not an author on arXiv">{esc(name)}</del>')
    if truncated:
        out_l.append('<span class="etal" title="the digest cut the list">et al.</span>')
    out_r: list[str] = []
    for j, name in enumerate(arxiv):
        if j in in_place_r:
            out_r.append(esc(name))
        elif keys_r[j] in keys_l:
            out_r.append(
                f'<span class="moved" title="in another place in the digest">{esc(name)}</span>'
            )
        elif truncated and j >= len(digest):
            out_r.append(f'<span class="cut" title="cut by the digest">{esc(name)}</span>')
        else:
            out_r.append(f'<ins title="missing from the digest">{esc(name)}</ins>')
    return ", ".join(out_l) or "—", ", ".join(out_r) or "—"


def _set_diff(left: Sequence[str], right: Sequence[str]) -> tuple[str, str]:
    out_l = [esc(x) if x in right else f"<del>{esc(x)}</del>" for x in left]
    out_r = [esc(x) if x in left else f"<ins>{esc(x)}</ins>" for x in right]
    return " ".join(out_l) or "—", " ".join(out_r) or "—"


def _version_cells(mine: int | None, latest: int | None) -> tuple[str, str]:
    if mine is None:
        return '<span class="same">none (latest)</span>', f"v{latest}" if latest else "—"
    if latest is None:
        return f"v{mine}", "—"
    cls = "stale" if mine < latest else "ahead" if mine > latest else ""
    left = f'<span class="{cls}">v{mine}</span>' if cls else f"v{mine}"
    return left, f"v{latest}"


# --- page parts -----------------------------------------------------------------------------


def _row(label: str, left: str, right: str) -> str:
    return (
        f'<div class="row"><div class="label">{esc(label)}</div>'
        f'<div class="cell d"><span class="side">digest</span> {left}</div>'
        f'<div class="cell a"><span class="side">arXiv</span> {right}</div></div>'
    )


def _links(entry: EnrichedEntry) -> str:
    rec, cor = entry.arxiv, entry.corrected
    abs_url = rec.abs_url if rec else cor.abs_url if cor else None
    pdf_url = rec.pdf_url if rec else cor.pdf_url if cor else None
    if abs_url is None and entry.arxiv_id and _ID.match(entry.arxiv_id):
        abs_url = f"https://arxiv.org/abs/{entry.arxiv_id}"
        pdf_url = f"https://arxiv.org/pdf/{entry.arxiv_id}"
    parts = [
        link(abs_url, "abs", "abs") if abs_url else "",
        link(pdf_url, "PDF", "pdf") if pdf_url else "",
    ]
    return " ".join(p for p in parts if p)


def _conflicts(entry: EnrichedEntry) -> str:
    items = []
    for c in entry.conflicts:
        vals = ""
        if c.digest is not None or c.arxiv is not None:
            vals = (
                f'<span class="vals">digest: {_short(c.digest)} · arXiv: {_short(c.arxiv)}</span>'
            )
        line = f" (line {c.line})" if c.line is not None else ""
        fixed = " — fixable" if c.fixed else ""
        items.append(
            f'<li><span class="badge sev-{esc(c.severity)}">{esc(c.kind)}</span>{esc(line)} '
            f"{esc(c.message)}{esc(fixed)}{vals}</li>"
        )
    return f'<ul class="conflicts">{"".join(items)}</ul>' if items else ""


def _short(value: object, limit: int = 300) -> str:
    if value is None:
        return "—"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return esc(text if len(text) <= limit else text[: limit - 1] + "…")


def _entry(index: int, entry: EnrichedEntry) -> str:
    d, rec = entry.digest, entry.arxiv
    level = entry_level(entry)
    tokens = " ".join(f"{k}:{s}" for k, s in _tokens(entry))
    loc = f"{entry.source.path}:{entry.source.line}" if entry.source.line else entry.source.path
    ident = entry.arxiv_id or d.arxiv_id or "no id"
    badges = "".join(
        f'<li class="sev-{esc(s)}">{esc(k)}</li>' for k, s in dict.fromkeys(_tokens(entry))
    )
    t_left, t_right = title_diff(d.title, rec.title if rec else None)
    rows = [
        '<div class="row head"><div></div><div>digest</div><div>arXiv</div></div>',
        _row("title", t_left, t_right),
        _row("authors", *authors_diff(d.authors, d.authors_truncated, rec.authors if rec else [])),
        _row("version", *_version_cells(d.version, rec.latest_version if rec else None)),
    ]
    if d.categories or (rec and rec.categories):
        rows.append(_row("categories", *_set_diff(d.categories, rec.categories if rec else [])))
    if d.date or (rec and rec.published):
        published = rec.published.date().isoformat() if rec and rec.published else "—"
        rows.append(_row("date", esc(d.date or "—"), esc(published)))
    if d.links:
        digest_links = " ".join(
            link(u, u) if safe_href(u) else f"<code>{esc(u)}</code>" for u in d.links
        )
        rows.append(_row("links", digest_links, _links(entry) or "—"))
    errors = [e for e in (entry.error, d.error) if e]
    error_html = "".join(f'<p class="errors">{esc(e)}</p>' for e in dict.fromkeys(errors))
    return (
        f'<article class="entry lvl-{esc(level or "none")}" id="entry-{index}" '
        f'data-file="{esc(entry.source.path)}" data-line="{esc(entry.source.line or "")}" '
        f'data-c="{esc(tokens)}">'
        f'<div class="entry-head"><code class="loc">{esc(loc)}</code>'
        f'<span class="mono">arXiv:{esc(ident)}</span>'
        f'<span class="status status-{esc(entry.status)}">{esc(entry.status)}</span>'
        f'<span class="links">{_links(entry)}</span></div>'
        f'<h3 class="title">{esc(d.title or (rec.title if rec else "") or "(no title)")}</h3>'
        f'<ul class="badges">{badges}</ul>{error_html}{_conflicts(entry)}'
        f'<div class="cmp">{"".join(rows)}</div>{version_timeline(entry)}</article>'
    )


def _count_table(
    table_id: str, head: Sequence[str], rows: Iterable[Sequence[object]], text: Sequence[int] = (0,)
) -> str:
    classes = ["t" if i in text else "n" for i in range(len(head))]
    th = "".join(f'<th class="{esc(c)}">{esc(h)}</th>' for h, c in zip(head, classes, strict=True))
    body = []
    for row in rows:
        cells = [f"<td>{esc(row[0])}</td>"]
        for value in row[1:]:
            cls = ("n zero" if value == 0 else "n") if isinstance(value, int) else "t"
            cells.append(f'<td class="{cls}">{esc(value)}</td>')
        body.append(f'<tr data-key="{esc(row[0])}">{"".join(cells)}</tr>')
    return (
        f'<div class="scroll"><table class="counts" id="{esc(table_id)}">'
        f"<thead><tr>{th}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _summary(entries: Sequence[EnrichedEntry], summary: RunSummary) -> str:
    totals = "".join(
        f'<li class="sev-{s}" id="total-{s}">{summary.count(s)} {label}</li>'
        for s, label in zip(SEVERITIES, ("errors", "warnings", "info"), strict=True)
    )
    statuses = _count_table("by-status", ("status", "entries"), sorted(summary.statuses.items()))
    order = {k: i for i, k in enumerate(CONFLICT_KINDS)}
    kinds = sorted(summary.conflicts, key=lambda k: (order.get(k, len(order)), k))
    by_kind = _count_table(
        "by-kind",
        ("kind", *SEVERITIES),
        [(k, *(summary.conflicts[k].get(s, 0) for s in SEVERITIES)) for k in kinds],
    )
    per_file: dict[str, Counter[str]] = {}
    for e in entries:
        counter = per_file.setdefault(e.source.path, Counter())
        counter.update({entry_level(e) or "clean"})
    files = {f.path: f for f in summary.files}
    rows = []
    for path in list(files) + [p for p in per_file if p not in files]:
        f, c = files.get(path), per_file.get(path, Counter())
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
    run = (
        f"{summary.entries} entries · {summary.unique_ids} unique ids · "
        f"{summary.requests} requests · {summary.cache_hits} cache hits · "
        f"{summary.retries} retries · {summary.seconds:.1f} s"
        + (" · offline" if summary.offline else "")
    )
    note = f'<p class="note">{esc(summary.cache_note)}</p>' if summary.cache_note else ""
    return (
        f'<p class="run" id="run">{esc(run)}</p>{note}<ul class="totals">{totals}</ul>'
        '<section class="summary">'
        f'<div class="panel"><h3>Entries by status</h3>{statuses}</div>'
        f'<div class="panel kinds"><h3>Conflicts by kind and severity</h3>{by_kind}</div>'
        f'<div class="panel wide"><h3>Files</h3>{by_file}</div></section>'
    )


def _filters(entries: Sequence[EnrichedEntry], summary: RunSummary) -> str:
    kinds = Counter(k for e in entries for k in dict.fromkeys(k for k, _ in _tokens(e)))
    order = {k: i for i, k in enumerate(CONFLICT_KINDS)}
    kind_opts = "".join(
        f'<option value="{esc(k)}">{esc(k)} ({n})</option>'
        for k, n in sorted(kinds.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    )
    paths = list(dict.fromkeys([f.path for f in summary.files] + [e.source.path for e in entries]))
    file_opts = "".join(f'<option value="{esc(p)}">{esc(p)}</option>' for p in paths)
    sev = [("problems", "warnings and errors"), ("error", "errors"), ("warning", "warnings")]
    sev += [("info", "info notes"), ("all", "everything, clean entries too")]
    sev_opts = "".join(f'<option value="{v}">{t}</option>' for v, t in sev)
    return (
        '<form id="filters" hidden>'
        f'<label>Severity<select name="severity">{sev_opts}</select></label>'
        '<label>Kind<select name="kind"><option value="all">all kinds</option>'
        f"{kind_opts}</select></label>"
        '<label>File<select name="file"><option value="all">all files</option>'
        f"{file_opts}</select></label>"
        '<label>Text<input name="q" type="search" placeholder="title, author, id"></label>'
        f'<span class="shown"><span id="shown-count">{len(entries)}</span>'
        f" of {len(entries)} shown</span>"
        "</form>"
    )


def _asset(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def render_html(entries: Iterable[EnrichedEntry], summary: RunSummary) -> str:
    """The review page for a run's entries and summary, as one self-contained HTML document."""
    items = sorted(entries, key=lambda e: (e.source.path, e.source.line or 0))
    css, js = _asset("review.css"), _asset("review.js").replace("</", "<\\/")
    csp = (
        f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; "
        "img-src 'none'; form-action 'none'; base-uri 'none'"
    )
    problems = sum(1 for e in items if entry_level(e) in ("warning", "error"))
    quiet = len(items) - problems
    title = f"arxiv-enrich review: {problems} of {len(items)} entries need a look"
    legend = (
        '<p class="legend">Marks: <del>only in the digest</del><ins>only on arXiv</ins>'
        '<span class="moved">in another place</span><span class="cut">cut by "et al."</span>'
        '<span class="stale">older version</span><span class="ahead">version arXiv lacks</span></p>'
    )
    body = "".join(_entry(i, e) for i, e in enumerate(items, 1))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{css}</style></head>"
        f"<body><main><h1>arxiv-enrich review</h1>{_summary(items, summary)}"
        f'<h2 id="entries-head">Entries needing a look: {problems}</h2>'
        f'<p class="muted" id="quiet">{quiet} more entries have only info notes or none; '
        "choose severity “info notes” or “everything” to see them.</p>"
        f"{legend}{_filters(items, summary)}"
        f'<section class="entries" id="entries">{body}</section>'
        f"</main><script>{js}</script></body></html>\n"
    )
