"""The parts of the review page that show one entry: a full card (head, errors, findings, the
digest beside arXiv, the version timeline) or one compact line, and the entry's level.
"""

from __future__ import annotations

from collections.abc import Callable

from enrich.models import Conflict, EnrichedEntry
from enrich.report.html_text import (
    authors_diff,
    esc,
    link,
    safe_href,
    set_diff,
    title_diff,
    txt,
    version_cells,
)
from enrich.report.timeline import version_timeline
from enrich.runtime import regex

__all__ = ["CARD_PARTS", "FIXED_WORD", "card", "compact", "entry_level", "tokens"]

_RANK = {"info": 1, "warning": 2, "error": 3}
# A status that says more than its conflicts (an entry arXiv could not be asked about has none).
_STATUS_LEVEL = {"invalid": "error", "not_found": "error", "unavailable": "warning"}
_ID = regex(r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})$")


def tokens(entry: EnrichedEntry) -> list[tuple[str, str]]:
    """(kind, severity) pairs an entry is filtered by: its conflicts, and its status if telling."""
    pairs: list[tuple[str, str]] = [(c.kind, c.severity) for c in entry.conflicts]
    level = _STATUS_LEVEL.get(entry.status)
    if level and not any(kind in (entry.status, "invalid_entry") for kind, _ in pairs):
        pairs.append((entry.status, level))
    return pairs


def entry_level(entry: EnrichedEntry) -> str | None:
    """The worst severity of the entry ("error", "warning", "info") or None when it is clean."""
    ranks = [_RANK[sev] for _, sev in tokens(entry)]
    return {v: k for k, v in _RANK.items()}[max(ranks)] if ranks else None


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
    pairs = " ".join(f"{k}:{s}" for k, s in tokens(entry))
    return (
        f'data-file="{esc(entry.source.path)}" data-line="{esc(entry.source.line or "")}" '
        f'data-c="{esc(pairs)}"'
    )


# A card is made of parts, each a function of the entry; a new part (e.g. a version timeline)
# is one more function in CARD_PARTS.
def _card_head(entry: EnrichedEntry) -> str:
    d, rec = entry.digest, entry.arxiv
    badges = "".join(
        f'<li class="sev-{esc(s)}">{esc(k)}</li>' for k, s in dict.fromkeys(tokens(entry))
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
        _row("version", *version_cells(d.version, rec.latest_version if rec else None)),
    ]
    if d.categories or (rec and rec.categories):
        rows.append(_row("categories", *set_diff(d.categories, rec.categories if rec else [])))
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


def card(index: int, entry: EnrichedEntry) -> str:
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


def compact(index: int, entry: EnrichedEntry, *, fixes: bool) -> str:
    """One line for an entry that needs no card: where, which paper, what kind, what was done."""
    badges = " ".join(
        f'<span class="badge sev-{esc(s)}">{esc(k)}</span>' for k, s in dict.fromkeys(tokens(entry))
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
