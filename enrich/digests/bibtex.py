"""BibTeX / BibLaTeX files that cite arXiv papers.

The syntax (entries, fields, values, macros) is read by bibtex_syntax.py; this module gives
the items their meaning.

Where an entry names its arXiv paper, in order of trust:
  eprint = {2006.03654}            (with archivePrefix / eprinttype = arXiv, or none given)
  journal = {arXiv preprint arXiv:2005.00333}, note / howpublished = {arXiv:...}
  volume = {abs/1909.05311}        (with journal = {ArXiv} or {CoRR}: Semantic Scholar and dblp)
  url = {https://arxiv.org/abs/...}, doi = {10.48550/arXiv....}, and any other field but the
  title, abstract, keywords and the name lists.
The first of these is the entry's `arxiv_id` (as written; if the same paper is also written with a
version, that versioned form is used). Every further id, or the same id with another version, is a
`Claim(field="arxiv_id")` whose origin names the field.

A file of BibTeX is a bibliography: entries that carry no arXiv id at all (books, journal papers)
are not papers of an arXiv digest and yield no entry. They are not lost: `read_bibtex()` returns
them as `skipped` (key, type, line, reason), and the count is logged.

Names: `author = {A and B and others}` -> "others" sets `authors_truncated`; "Last, First" and
"von Last, Jr, First" become "First Last" / "First Last Jr"; braces and LaTeX accents are resolved
({\\"u} -> ü, \\v{s} -> š, \\ss -> ß). Titles lose case-protecting braces and text commands
(\\emph{x} -> x) but keep $math$ as written. `primaryClass` gives the category, a full ISO `date`
the date (a bare year is not a date and is not used), `abstract` the abstract.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from enrich.digests.base import STRUCTURED, SimpleFormat
from enrich.digests.bibtex_syntax import LINE_ENTRY_START, BibItem, read_items
from enrich.digests.claims import WrittenId, main_id_and_claims
from enrich.digests.generic import LineIndex
from enrich.digests.text import clean_text, clean_title
from enrich.ids import ArxivId, find_arxiv_ids, try_parse
from enrich.models import DigestEntry, Source
from enrich.runtime import regex
from enrich.text.authors import split_bibtex_names
from enrich.text.dates import parse_date
from enrich.text.latex import latex_to_text

__all__ = [
    "FORMAT",
    "BibItem",
    "BibtexResult",
    "SkippedEntry",
    "delatex",
    "parse",
    "read_bibtex",
    "read_items",
    "sniff",
    "split_bibtex_names",
]

log = logging.getLogger(__name__)

NAME = "bibtex"


# Fields whose ids are not statements about *this* paper's identity (a title or abstract may cite
# another paper); the name lists cannot hold one.
_NO_ID_FIELDS = {"title", "abstract", "keywords", "author", "editor", "shorttitle", "booktitle"}
# Most trusted first; every other field follows in file order.
_ID_FIELDS = ("eprint", "arxivid", "arxiv", "journal", "journaltitle", "note", "howpublished")
_LATE_ID_FIELDS = ("url", "doi")
_ARXIV_VENUE = regex(r"\b(?:arxiv|corr)\b", re.IGNORECASE)
_ABS_VOLUME = regex(r"^\s*abs/(\S+?)\s*$", re.IGNORECASE)
_CATEGORY = regex(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
_ISO_DATE = regex(r"^\s*(\d{4})-(\d{2})-(\d{2})")


# LaTeX to Unicode and BibTeX name lists have their homes in enrich/text (latex.py, authors.py);
# the old names stay for callers.
delatex = latex_to_text


@dataclass(frozen=True)
class SkippedEntry:
    type: str
    key: str
    line: int
    reason: str


@dataclass
class BibtexResult:
    entries: list[DigestEntry] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class _Found:
    written: str
    parsed: ArxivId
    field: str
    offset: int


def _ids_of(item: BibItem) -> list[_Found]:
    fields = item.fields
    order = [f for f in _ID_FIELDS if f in fields]
    order += ["volume"] if "volume" in fields else []
    order += [
        f for f in fields if f not in order and f not in _NO_ID_FIELDS and f not in _LATE_ID_FIELDS
    ]
    order += [f for f in _LATE_ID_FIELDS if f in fields]
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or ("", 0))[0]
    found: list[_Found] = []
    for name in order:
        value, offset = fields[name]
        if name == "eprint":
            if prefix.strip() and "arxiv" not in prefix.lower():
                continue  # an eprint of another archive (PubMed, HAL, ...)
            if (parsed := try_parse(value)) is not None:
                found.append(_Found(value.strip(), parsed, name, offset))
                continue
        if name == "volume":
            venue = fields.get("journal", fields.get("journaltitle", ("", 0)))[0]
            vm = _ABS_VOLUME.match(value)
            arxiv_venue = bool(_ARXIV_VENUE.search(venue)) or "arxiv" in prefix.lower()
            parsed = try_parse(vm.group(1)) if vm and arxiv_venue else None
            if vm and parsed is not None:
                found.append(_Found(vm.group(1), parsed, name, offset + vm.start(1)))
                continue
        for im in find_arxiv_ids(value):
            found.append(_Found(im.text, im.arxiv_id, name, offset + im.start))
    return found


def _date(item: BibItem) -> dt.date | None:
    return parse_date(item.fields.get("date", ("", 0))[0])


def _links(item: BibItem, found: list[_Found]) -> list[str]:
    links: list[str] = []
    url = item.fields.get("url", ("", 0))[0].strip()
    if url:
        links.append(clean_text(url.replace("\\", "")))
    doi = item.fields.get("doi", ("", 0))[0].strip()
    if doi:
        links.append(doi if doi.lower().startswith("http") else f"https://doi.org/{doi}")
    for f in found:
        if f.written.lower().startswith(("http://", "https://")):
            links.append(f.written)
    unique: dict[str, str] = {}
    for link in links:
        unique.setdefault(link.lower(), link)
    return list(unique.values())


def _entry(item: BibItem, found: list[_Found], line_of: LineIndex, path: str) -> DigestEntry:
    main = main_id_and_claims(
        [WrittenId(f.written, f.parsed, f"bibtex {f.field}", line_of(f.offset)) for f in found],
        versioned_form=True,
    )
    assert main is not None  # found is never empty here
    fields = item.fields
    authors, truncated = split_bibtex_names(fields.get("author", ("", 0))[0])
    title = clean_title(delatex(fields["title"][0])) if "title" in fields else None
    abstract = clean_text(delatex(fields["abstract"][0])) if "abstract" in fields else None
    categories: list[str] = []
    for name in ("primaryclass", "eprintclass"):
        cat = fields.get(name, ("", 0))[0].strip()
        if cat and _CATEGORY.match(cat) and cat not in categories:
            categories.append(cat)
    return DigestEntry(
        arxiv_id=main.written,
        version=main.version,
        title=title or None,
        authors=authors,
        authors_truncated=truncated,
        categories=categories,
        date=_date(item),
        abstract=abstract or None,
        links=_links(item, found),
        source=Source(path=path, line=item.line, format=NAME),
        claims=main.claims,
    )


def read_bibtex(text: str, path: str) -> BibtexResult:
    """Entries of the arXiv papers in a BibTeX text, and the entries skipped for having no id."""
    result = BibtexResult()
    lines = LineIndex(text)
    for item in read_items(text):
        try:
            found = _ids_of(item)
            if not found:
                result.skipped.append(
                    SkippedEntry(item.type, item.key, item.line, "no arXiv identifier")
                )
                continue
            entry = _entry(item, found, lines, path)
            if not item.closed:  # a malformed entry is never read as if it were whole
                entry = entry.model_copy(
                    update={
                        "status": "invalid",
                        "error": f"{path}:{item.line}: BibTeX entry {item.key!r} never closes "
                        "(its braces do not balance before the next entry or the end)",
                    }
                )
            result.entries.append(entry)
        except Exception as exc:  # one odd entry must not cost the others
            log.warning("%s:%d: BibTeX entry %r not read: %s", path, item.line, item.key, exc)
            result.entries.append(
                DigestEntry(
                    source=Source(path=path, line=item.line, format=NAME),
                    status="invalid",
                    error=f"BibTeX entry {item.key!r} could not be read: {exc}",
                )
            )
    if result.skipped:
        log.info(
            "%s: %d BibTeX entries without an arXiv id skipped (not arXiv papers)",
            path,
            len(result.skipped),
        )
    return result


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    yield from read_bibtex(text, path).entries


def sniff(text: str, path: str) -> float:
    if LINE_ENTRY_START.search(text[:50_000]) is None:
        return 0.0
    if path.lower().endswith((".bib", ".bibtex")):
        return 0.95
    for line in text[:50_000].splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        return 0.8 if LINE_ENTRY_START.match(line + "\n") else 0.0
    return 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="BibTeX/BibLaTeX entries with arXiv eprints, arXiv: journals, URLs or DOIs",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=STRUCTURED,
)
