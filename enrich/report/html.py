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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from enrich.models import CONFLICT_KINDS, Conflict, EnrichedEntry, RunSummary
from enrich.report.timeline import version_timeline
from enrich.text.invisible import show_invisible
from enrich.text.names import pair_names, parse_name
from enrich.text.titles import word_key

__all__ = ["CARD_PARTS", "entry_level", "render_html", "safe_href", "triage"]

_HERE = Path(__file__).resolve().parent
SEVERITIES = ("error", "warning", "info")
_RANK = {"info": 1, "warning": 2, "error": 3}
# A status that says more than its conflicts (an entry arXiv could not be asked about has none).
_STATUS_LEVEL = {"invalid": "error", "not_found": "error", "unavailable": "warning"}
_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})$")


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def txt(value: object) -> str:
    """Text from a digest or arXiv as element content: escaped, and isolated in <bdi> when it
    could carry bidi or other format characters (anything not ASCII), so a U+202E in a title
    cannot reorder the page's own labels around it."""
    text = "" if value is None else str(value)
    return esc(text) if text.isascii() else f"<bdi>{esc(text)}</bdi>"


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
        return f'<span class="{esc(cls)}">{txt(text)}</span>' if cls else txt(text)
    attr = f' class="{esc(cls)}"' if cls else ""
    return f'<a{attr} href="{esc(href)}" rel="noopener noreferrer nofollow">{txt(text)}</a>'


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
        return txt(digest or "—"), txt(arxiv or "—")
    left, right = digest.split(), arxiv.split()
    matcher = difflib.SequenceMatcher(
        None, [word_key(w) for w in left], [word_key(w) for w in right], autojunk=False
    )
    out_l: list[str] = []
    out_r: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = " ".join(left[i1:i2]), " ".join(right[j1:j2])
        if op == "equal":
            out_l.append(txt(a))
            out_r.append(txt(b))
            continue
        if a:
            out_l.append(f"<del>{txt(a)}</del>")
        if b:
            out_r.append(f"<ins>{txt(b)}</ins>")
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
            out_l.append(txt(name))
        elif keys_l[i] in keys_r:
            out_l.append(
                f'<span class="moved" title="in another place on arXiv">{txt(name)}</span>'
            )
        else:
            out_l.append(f'<del title="not an author on arXiv">{txt(name)}</del>')
    if truncated:
        out_l.append('<span class="etal" title="the digest cut the list">et al.</span>')
    out_r: list[str] = []
    for j, name in enumerate(arxiv):
        if j in in_place_r:
            out_r.append(txt(name))
        elif keys_r[j] in keys_l:
            out_r.append(
                f'<span class="moved" title="in another place in the digest">{txt(name)}</span>'
            )
        elif truncated and j >= len(digest):
            out_r.append(f'<span class="cut" title="cut by the digest">{txt(name)}</span>')
        else:
            out_r.append(f'<ins title="missing from the digest">{txt(name)}</ins>')
    return ", ".join(out_l) or "—", ", ".join(out_r) or "—"


def _set_diff(left: Sequence[str], right: Sequence[str]) -> tuple[str, str]:
    out_l = [txt(x) if x in right else f"<del>{txt(x)}</del>" for x in left]
    out_r = [txt(x) if x in left else f"<ins>{txt(x)}</ins>" for x in right]
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
        f'<div class="cell d"><span class="side">digest</span> <bdi>{left}</bdi></div>'
        f'<div class="cell a"><span class="side">arXiv</span> <bdi>{right}</bdi></div></div>'
    )


def _abs_pdf(entry: EnrichedEntry) -> tuple[str | None, str | None]:
    rec, cor = entry.arxiv, entry.corrected
    abs_url = rec.abs_url if rec else cor.abs_url if cor else None
    pdf_url = rec.pdf_url if rec else cor.pdf_url if cor else None
    if abs_url is None and entry.arxiv_id and _ID.match(entry.arxiv_id):
        abs_url = f"https://arxiv.org/abs/{entry.arxiv_id}"
        pdf_url = f"https://arxiv.org/pdf/{entry.arxiv_id}"
    return abs_url, pdf_url


def _links(entry: EnrichedEntry) -> str:
    abs_url, pdf_url = _abs_pdf(entry)
    parts = [
        link(abs_url, "abs", "abs") if abs_url else "",
        link(pdf_url, "PDF", "pdf") if pdf_url else "",
    ]
    return " ".join(p for p in parts if p)


FIXED_WORD = "fixed"  # the word the JSON field, the terminal summary and this page share


def _conflicts(entry: EnrichedEntry) -> str:
    items = []
    for c in entry.conflicts:
        vals = ""
        if c.digest is not None or c.arxiv is not None:
            vals = (
                f'<span class="vals">digest: <bdi>{_short(c.digest)}</bdi> · '
                f"arXiv: <bdi>{_short(c.arxiv)}</bdi></span>"
            )
        line = f" (line {c.line})" if c.line is not None else ""
        fixed = f' <span class="fixed">{FIXED_WORD}</span>' if c.fixed else ""
        items.append(
            f'<li><span class="badge sev-{esc(c.severity)}">{esc(c.kind)}</span>{esc(line)} '
            f"<bdi>{esc(c.message)}</bdi>{fixed}{vals}</li>"
        )
    return f'<ul class="conflicts">{"".join(items)}</ul>' if items else ""


def _short(value: object, limit: int = 300) -> str:
    if value is None:
        return "—"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return esc(text if len(text) <= limit else text[: limit - 1] + "…")


def _loc(entry: EnrichedEntry) -> str:
    path = entry.source.path
    return f"{path}:{entry.source.line}" if entry.source.line else path


def _ident(entry: EnrichedEntry) -> str:
    return entry.arxiv_id or entry.digest.arxiv_id or "no id"


def _data_attrs(entry: EnrichedEntry) -> str:
    tokens = " ".join(f"{k}:{s}" for k, s in _tokens(entry))
    return (
        f'data-file="{esc(entry.source.path)}" data-line="{esc(entry.source.line or "")}" '
        f'data-c="{esc(tokens)}"'
    )


# A card is made of parts, each a function of the entry; a new part (e.g. a version timeline)
# is one more function in CARD_PARTS.
def _card_head(entry: EnrichedEntry) -> str:
    d, rec = entry.digest, entry.arxiv
    badges = "".join(
        f'<li class="sev-{esc(s)}">{esc(k)}</li>' for k, s in dict.fromkeys(_tokens(entry))
    )
    title = d.title or (rec.title if rec else "") or "(no title)"
    return (
        f'<div class="entry-head"><code class="loc">{txt(_loc(entry))}</code>'
        f'<span class="mono">arXiv:<bdi>{esc(_ident(entry))}</bdi></span>'
        f'<span class="status status-{esc(entry.status)}">{esc(entry.status)}</span>'
        f'<span class="links">{_links(entry)}</span></div>'
        f'<h3 class="title" dir="auto">{esc(title)}</h3>'
        f'<ul class="badges">{badges}</ul>'
    )


def _card_errors(entry: EnrichedEntry) -> str:
    errors = [e for e in (entry.error, entry.digest.error) if e]
    return "".join(f'<p class="errors" dir="auto">{esc(e)}</p>' for e in dict.fromkeys(errors))


def _card_comparison(entry: EnrichedEntry) -> str:
    d, rec = entry.digest, entry.arxiv
    if rec is None and entry.status == "unavailable":
        return ""  # nothing to compare with: no struck-through digest
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
        rows.append(_row("date", txt(d.date or "—"), txt(published)))
    if d.links:
        digest_links = " ".join(
            link(u, u) if safe_href(u) else f"<code>{txt(u)}</code>" for u in d.links
        )
        rows.append(_row("links", digest_links, _links(entry) or "—"))
    return f'<div class="cmp">{"".join(rows)}</div>'


CARD_PARTS: list[Callable[[EnrichedEntry], str]] = [
    _card_head,
    _card_errors,
    lambda entry: _conflicts(entry),
    _card_comparison,
    version_timeline,
]


def _card(index: int, entry: EnrichedEntry) -> str:
    level = entry_level(entry)
    body = "".join(part(entry) for part in CARD_PARTS)
    return (
        f'<article class="entry lvl-{esc(level or "none")}" id="entry-{index}" '
        f"{_data_attrs(entry)}>{body}</article>"
    )


def _fix_text(conflict: Conflict) -> str:
    """What the fixer did for a conflict, short: "v1 → v3", "6 → 8 authors"."""
    d, a = conflict.digest, conflict.arxiv
    if conflict.kind == "version_stale" and d is not None and a is not None:
        return f"v{d} → v{a}"
    if conflict.kind == "authors_truncated":
        n = len(d) if isinstance(d, list) else None
        m = len(a) if isinstance(a, list) else None
        return f"{n} → {m} authors" if n is not None and m is not None else "full author list"
    return conflict.kind


def _compact(index: int, entry: EnrichedEntry, *, fixes: bool) -> str:
    """One line for an entry that needs no card: where, which paper, what kind, what was done."""
    badges = " ".join(
        f'<span class="badge sev-{esc(s)}">{esc(k)}</span>'
        for k, s in dict.fromkeys(_tokens(entry))
    )
    abs_url, _ = _abs_pdf(entry)
    ident = link(abs_url, f"arXiv:{_ident(entry)}") if abs_url else txt(f"arXiv:{_ident(entry)}")
    if fixes:
        done = "; ".join(_fix_text(c) for c in entry.conflicts if c.fixed)
        what = f'<span class="fix">{FIXED_WORD}: {txt(done)}</span>'
        timeline = version_timeline(entry)
        if timeline:
            what += f'<details class="versions"><summary>versions</summary>{timeline}</details>'
    else:
        what = "; ".join(f"<bdi>{esc(c.message)}</bdi>" for c in entry.conflicts[:2])
        what = f'<span class="msg">{what or txt(entry.error or "")}</span>'
    return (
        f'<li class="entry compact" id="line-{index}" {_data_attrs(entry)}>'
        f'<code class="loc">{txt(_loc(entry))}</code> {ident} {badges} {what}</li>'
    )


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
        self.kinds.update(set(k for k, _ in _tokens(entry)))
        group = triage(entry)
        if group == PERSON:
            # full entries are kept for the first MAX_CARDS; the rest become lines right away
            self.person.append((_order_key(entry), entry))
            if len(self.person) > self._next_trim:
                self._trim()
                self._next_trim = 2 * len(self.person)  # amortised: not a sort per entry
        elif group == FIXER:
            self.fixer.append(((path, line), _compact(index, entry, fixes=True)))
        elif group == INFO:
            self.info.append(((path, line), _compact(index, entry, fixes=False)))
        elif group == UNAVAILABLE:
            self.reasons[entry.error or "arXiv could not be asked"] += 1
            self.unavailable.append(((path, line), _compact(index, entry, fixes=False)))

    def _trim(self) -> None:
        """Keep full entries only for the MAX_CARDS first in page order; render the rest."""
        self.person.sort(key=lambda item: item[0])
        for i in range(MAX_CARDS, len(self.person)):
            key, item = self.person[i]
            if not isinstance(item, str):
                self.person[i] = (key, _compact(0, item, fixes=False))

    def cards(self) -> tuple[str, str, int, int]:
        self._trim()
        cards, lines = [], []
        for n, (_, item) in enumerate(self.person, 1):
            if isinstance(item, str):
                lines.append(item.replace('id="line-0"', f'id="more-{n}"', 1))
            else:
                cards.append(_card(n, item))
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
