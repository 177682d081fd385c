"""The corrected view of an entry: what the digest should have said, from arXiv's record.

arxiv_id, version   arXiv's id and its latest version
title, abstract     arXiv's, white space folded (arXiv wraps long titles and abstracts); the
                    digest's abstract is kept only when arXiv's is empty
authors             arXiv's full list (authors_truncated is false)
categories          the primary category first, then arXiv's others in arXiv's order
date                the digest's date when it has one (a listing date), else arXiv's first
                    submission date
abs/pdf/html_url    the latest version's pages, versioned (https://arxiv.org/abs/IDvN ...)
links               those three, then the digest's links that are not arXiv pages of this paper
                    (code, project pages), in the digest's order
arxiv_doi           arXiv's DOI 10.48550/arXiv.<id>
"""

from __future__ import annotations

from enrich.compare.checks import link_version
from enrich.compare.rules import primary_of
from enrich.ids import format_id
from enrich.models import ArxivRecord, CorrectedEntry, DigestEntry, construct_valid
from enrich.runtime import regex
from enrich.text.markup import fold_space

__all__ = ["correct_entry"]

_WRAP = regex("\n  ")  # how arXiv wraps a long abstract (a regex: quicker here)


def _fold(text: str) -> str:
    """White space folded (fold_space). In a long text arXiv wrapped, the wraps become spaces
    first: one run of white space for another, the same fold, and what then needs no more is
    kept as it is. A text with no line break (a record as read: folded) is not searched for
    the wrap itself (a three-character search: about 1.2 us an abstract)."""
    if len(text) >= 400 and "\n" in text and "\n  " in text:  # one memchr first: 0.05 us
        text = _WRAP.sub(" ", text)
    return fold_space(text)


def correct_entry(entry: DigestEntry, record: ArxivRecord) -> CorrectedEntry:
    """The entry with everything fixable taken from arXiv's record (see the module docstring)."""
    versioned = format_id(record.arxiv_id, record.latest_version)
    abs_url = f"https://arxiv.org/abs/{versioned}"
    pdf_url = f"https://arxiv.org/pdf/{versioned}"
    html_url = f"https://arxiv.org/html/{versioned}"
    primary = primary_of(record)
    categories = [primary] if primary else []
    categories += [c for c in dict.fromkeys(record.categories) if c != primary]
    others: list[str] = []
    for link in entry.links:
        if link_version(link, record.arxiv_id) is not None:
            continue  # an arXiv page of this paper: replaced by the latest version's
        if link not in others:
            others.append(link)
    abstract = _fold(record.abstract) or (_fold(entry.abstract) if entry.abstract else None)
    date = entry.date or (record.published.date() if record.published else None)
    return construct_valid(  # every value has its field's type (a test holds it)
        CorrectedEntry,
        arxiv_id=record.arxiv_id,
        version=record.latest_version,
        title=_fold(record.title),
        authors=list(record.authors),
        authors_truncated=False,
        primary_category=primary,
        categories=categories,
        date=date,
        abstract=abstract or None,
        links=[abs_url, pdf_url, html_url, *others],
        abs_url=abs_url,
        pdf_url=pdf_url,
        html_url=html_url,
        arxiv_doi=record.arxiv_doi or f"10.48550/arXiv.{record.arxiv_id}",
    )
