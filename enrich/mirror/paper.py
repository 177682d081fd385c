"""MirrorPaper: one paper as the mirror keeps it, and how it becomes the ArxivRecord the API gives.

Both bulk sources (OAI-PMH `arXivRaw` and the metadata snapshot) carry the same fields, "close to
arXiv's internal format" (../shared/docs/arxiv-api.md §7): a title and abstract with line folds, the
author list as one string (`authors_raw`, as written, TeX accents and "(affiliation)" included) and
split into names, categories as a space-separated string whose first is the primary, and every
version with its submission date as arXiv writes it (`Mon, 2 Apr 2007 19:18:42 GMT`).

Work is deferred to reading: an import stores strings as they come (dates stay as written, names
keep their TeX), and `to_record` folds, decodes and parses only for the few papers a run asks for.
The record is then the one the API would give: `published` is v1's date, `updated` the latest
version's, names in Unicode, `withdrawn` from the comment by the API parser's own rule, plus
`versions` with every version's date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from enrich.arxiv.feed import is_withdrawn
from enrich.models import ArxivRecord, ArxivVersion
from enrich.runtime import regex
from enrich.text.markup import fold_space

__all__ = ["MirrorPaper", "parse_version_date", "split_raw_authors", "to_record"]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_DATE = regex(
    r"^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})"
)
_SPACES = regex(r"\s+")
_SEPARATOR = regex(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*", re.IGNORECASE)


@dataclass(slots=True)
class MirrorPaper:
    """One paper from either bulk source. `versions` are (number, date as written, size in kB)."""

    arxiv_id: str
    datestamp: str  # the record's last modification day, YYYY-MM-DD (OAI datestamp, update_date)
    versions: list[tuple[int, str, int | None]] = field(default_factory=list)
    title: str = ""
    authors_raw: str = ""
    authors: list[str] = field(default_factory=list)  # split, as written (TeX kept)
    categories: str = ""  # space-separated, primary first
    abstract: str = ""
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    report_no: str | None = None
    submitter: str | None = None

    @property
    def latest_version(self) -> int:
        return max((v for v, _, _ in self.versions), default=1)


def parse_version_date(text: str) -> dt.datetime | None:
    """`Mon, 2 Apr 2007 19:18:42 GMT` (arXivRaw and the snapshot) -> an aware UTC datetime."""
    parts = text.split()
    if len(parts) == 6 and len(parts[4]) == 8:  # the usual form, without a regex (read-time cost)
        number = _MONTHS.get(parts[2])
        clock = parts[4]
        try:
            if number is not None and clock[2] == clock[5] == ":":
                return dt.datetime(
                    int(parts[3]),
                    number,
                    int(parts[1]),
                    int(clock[:2]),
                    int(clock[3:5]),
                    int(clock[6:]),
                    tzinfo=dt.UTC,
                )
        except ValueError:
            return None
    match = _DATE.match(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    number = _MONTHS.get(month.title())
    if number is None:
        return None
    try:
        return dt.datetime(
            int(year), number, int(day), int(hour), int(minute), int(second), tzinfo=dt.UTC
        )
    except ValueError:
        return None


def split_raw_authors(text: str) -> list[tuple[str, list[str]]]:
    """arXiv's author string ("A. One (MIT), B. Two and C. Three") -> [(name, affiliations)].

    This is arXiv's own metadata format, not a digest's author line (that reader is
    enrich.digests.text.split_authors): names are separated by commas and "and", affiliations
    follow a name in parentheses, and nothing here is a cut marker or a placeholder.
    """
    from enrich.text.authors import split_outside  # the one bracket-aware splitter

    out: list[tuple[str, list[str]]] = []
    for part in split_outside(_SPACES.sub(" ", text).strip(), _SEPARATOR, "()"):
        affiliations = [a.strip() for a in re.findall(r"\(([^()]*)\)", part) if a.strip()]
        name = re.sub(r"\([^()]*\)", "", part).strip(" ,")
        if name:
            out.append((name, affiliations))
    return out


def _display_name(name: str) -> str:
    if "\\" in name or "{" in name:
        from enrich.text.latex import latex_to_text  # the one LaTeX decoder

        name = latex_to_text(name)
    return fold_space(name)


def _fold(text: str | None) -> str:
    return fold_space(text) if text else ""


def to_record(paper: MirrorPaper) -> ArxivRecord:
    """The ArxivRecord the API gives for this paper, with `versions` and their dates."""
    stamps = [(number, parse_version_date(date)) for number, date, _ in sorted(paper.versions)]
    # built without validation (model_construct), here and for the record below: every value is
    # made in this function from the store's typed columns, and look-ups from the mirror are meant
    # to cost no more than a warm cache's (bench/bench_mirror.py)
    versions = [
        ArxivVersion.model_construct(version=n, date=when.date() if when else None)
        for n, when in stamps
    ]
    latest = stamps[-1][0] if stamps else 1
    versioned = f"{paper.arxiv_id}v{latest}"
    names = [_display_name(n) for n in paper.authors]
    affiliations: list[list[str]] = [[] for _ in names]
    if "(" in paper.authors_raw:
        split = split_raw_authors(paper.authors_raw)
        if len(split) == len(names):
            affiliations = [a for _, a in split]
    categories = paper.categories.split()
    comment = _fold(paper.comments) or None
    return ArxivRecord.model_construct(
        arxiv_id=paper.arxiv_id,
        latest_version=latest,
        title=_fold(paper.title),
        authors=names,
        affiliations=affiliations,
        primary_category=categories[0] if categories else None,
        categories=categories,
        published=stamps[0][1] if stamps else None,
        updated=stamps[-1][1] if stamps else None,
        abstract=_fold(paper.abstract),
        comment=comment,
        journal_ref=_fold(paper.journal_ref) or None,
        doi=_fold(paper.doi) or None,
        abs_url=f"https://arxiv.org/abs/{versioned}",
        pdf_url=f"https://arxiv.org/pdf/{versioned}",
        html_url=f"https://arxiv.org/html/{versioned}",
        arxiv_doi=f"10.48550/arXiv.{paper.arxiv_id}",
        withdrawn=is_withdrawn(comment),
        versions=versions,
    )
