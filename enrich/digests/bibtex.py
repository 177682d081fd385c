"""BibTeX / BibLaTeX files that cite arXiv papers.

The parser is a small tolerant hand parser (no dependency): it reads
`@type{key, field = value, ...}` entries with braced, quoted, numeric and `@string` macro values
joined by `#`, skips `@comment` and `@preamble`, and never raises. A value never runs into the
next line-start `@type{`: one whose braces or quotes never close ends with its own first line,
and the fields after it are still read; an entry that never closes ends where the next one
begins. Stray text between entries is ignored, as BibTeX itself does.

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
from enrich.digests.claims import WrittenId, main_id_and_claims
from enrich.digests.generic import LineIndex
from enrich.digests.text import clean_text, clean_title
from enrich.ids import ArxivId, find_arxiv_ids, try_parse
from enrich.models import DigestEntry, Source
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

_ENTRY_START = re.compile(r"@[ \t]*([A-Za-z][\w:-]*)[ \t\r\n]*([{(])")
_LINE_ENTRY_START = re.compile(r"(?m)^[ \t]*@[ \t]*[A-Za-z][\w:-]*[ \t\r\n]*[{(]")
_FIELD_NAME = re.compile(r"[^\s=,{}()\"#@]+")
_MACRO_NAME = re.compile(r"[A-Za-z_][\w:.+/'-]*")
_NUMBER = re.compile(r"\d+")
_KEY = re.compile(r"\s*([^\s,={}()\"#]*)\s*(,)?")
_WS = re.compile(r"\s*")
_MONTHS = {
    m: m.capitalize()
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}
_NOT_ENTRIES = {"comment", "preamble", "string"}

# Fields whose ids are not statements about *this* paper's identity (a title or abstract may cite
# another paper); the name lists cannot hold one.
_NO_ID_FIELDS = {"title", "abstract", "keywords", "author", "editor", "shorttitle", "booktitle"}
# Most trusted first; every other field follows in file order.
_ID_FIELDS = ("eprint", "arxivid", "arxiv", "journal", "journaltitle", "note", "howpublished")
_LATE_ID_FIELDS = ("url", "doi")
_ARXIV_VENUE = re.compile(r"\b(?:arxiv|corr)\b", re.IGNORECASE)
_ABS_VOLUME = re.compile(r"^\s*abs/(\S+?)\s*$", re.IGNORECASE)
_CATEGORY = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


# LaTeX to Unicode and BibTeX name lists have their homes in enrich/text (latex.py, authors.py);
# the old names stay for callers.
delatex = latex_to_text


# --------------------------------------------------------------------------- the reader


@dataclass(frozen=True)
class BibItem:
    """One @entry as read: lower-case type and field names; values raw (macros expanded)."""

    type: str
    key: str
    line: int
    start: int
    fields: dict[str, tuple[str, int]]  # name -> (raw value, offset of the value)
    closed: bool = True  # False: its braces never close (it ends where the next entry starts)


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


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.macros: dict[str, str] = dict(_MONTHS)
        self.line_of = LineIndex(text)
        self.closed = True  # did the last entry's fields end with its closing brace?

    def _at_line_entry(self, pos: int) -> bool:
        """Whether an `@type{` starting a line stands at `pos` (only blanks before it)."""
        m = _LINE_ENTRY_START.match(self.text, self.text.rfind("\n", 0, pos) + 1)
        return m is not None and self.text.find("@", m.start()) == pos

    def _skip_ws(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def _braced(self, pos: int) -> tuple[str, int]:
        """`pos` is at "{": the inside and the position after the matching "}"."""
        depth = 0
        i = pos
        text = self.text
        while i < self.n:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[pos + 1 : i], i + 1
            elif ch == "\n" and _LINE_ENTRY_START.match(text, i + 1):
                break  # a value does not run into the next entry
            i += 1
        return self._unclosed(pos)

    def _unclosed(self, pos: int) -> tuple[str, int]:
        """A value that never closes: it is taken to end with its first line."""
        end = self.text.find("\n", pos)
        end = self.n if end < 0 else end
        return self.text[pos + 1 : end], end

    def _quoted(self, pos: int) -> tuple[str, int]:
        depth = 0
        i = pos + 1
        text = self.text
        while i < self.n:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth = max(0, depth - 1)
            elif ch == '"' and depth == 0:
                return text[pos + 1 : i], i + 1
            elif ch == "\n" and _LINE_ENTRY_START.match(text, i + 1):
                break
            i += 1
        return self._unclosed(pos)

    def _value(self, pos: int, close: str) -> tuple[str, int]:
        """A value: parts joined by '#'. Returns the text and the position after it."""
        parts: list[str] = []
        while True:
            pos = self._skip_ws(pos)
            if pos >= self.n:
                break
            ch = self.text[pos]
            if ch == "@" and self._at_line_entry(pos):
                break  # the value is missing and the next entry starts here
            if ch == "{":
                part, pos = self._braced(pos)
            elif ch == '"':
                part, pos = self._quoted(pos)
            elif m := _NUMBER.match(self.text, pos):
                part, pos = m.group(0), m.end()
            elif m := _MACRO_NAME.match(self.text, pos):
                part, pos = self.macros.get(m.group(0).lower(), m.group(0)), m.end()
            else:
                # not a value: take the raw text up to the next comma or the closing delimiter
                end = pos
                while end < self.n and self.text[end] not in ",\n" + close:
                    end += 1
                part, pos = self.text[pos:end], end
            parts.append(part)
            after = self._skip_ws(pos)
            if after < self.n and self.text[after] == "#":
                pos = after + 1
                continue
            break
        return "".join(parts), pos

    def _fields(self, pos: int, close: str) -> tuple[dict[str, tuple[str, int]], int]:
        self.closed = True
        fields: dict[str, tuple[str, int]] = {}
        while True:
            before = pos
            while pos < self.n and (self.text[pos].isspace() or self.text[pos] == ","):
                pos += 1
            if pos >= self.n:
                self.closed = False
                return fields, self.n
            if self.text[pos] == close:
                return fields, pos + 1
            if self.text[pos] == "@" and self._at_line_entry(pos):
                self.closed = False
                return fields, pos  # an entry that never closed: the next one starts here
            m = _FIELD_NAME.match(self.text, pos)
            if m is None:
                pos += 1  # a stray character ("}", "(", '"', "#"): step over it
                continue
            name = m.group(0).lower()
            pos = self._skip_ws(m.end())
            if pos >= self.n or self.text[pos] != "=":
                continue  # a word without "= value": ignore it
            value_start = self._skip_ws(pos + 1)
            value, pos = self._value(pos + 1, close)
            if name not in fields:  # BibTeX keeps the first of two equal field names
                fields[name] = (value, value_start)
            if pos <= before:
                pos = before + 1

    def items(self) -> Iterator[BibItem]:
        pos = 0
        while pos < self.n:
            m = _ENTRY_START.search(self.text, pos)
            if m is None:
                return
            kind = m.group(1).lower()
            close = "}" if m.group(2) == "{" else ")"
            body = m.end()
            if kind in {"comment", "preamble"}:
                if m.group(2) == "{":
                    _, pos = self._braced(m.end() - 1)
                else:
                    end = self.text.find(")", body)
                    pos = end + 1 if end >= 0 else self.n
                pos = max(pos, m.end())
                continue
            if kind == "string":
                fields, pos = self._fields(body, close)
                for name, (value, _) in fields.items():
                    self.macros[name] = value
                pos = max(pos, m.end())
                continue
            # the key: up to the first comma (none when the entry starts with "field =")
            key = ""
            km = _KEY.match(self.text, body)
            if km and km.group(1):
                after = self._skip_ws(km.end(1))
                if after < self.n and self.text[after] == "=":
                    pass  # no key: the first field starts right away
                else:
                    key = km.group(1)
                    body = km.end()
            fields, pos = self._fields(body, close)
            pos = max(pos, m.end())
            yield BibItem(kind, key, self.line_of(m.start()), m.start(), fields, self.closed)


def read_items(text: str) -> list[BibItem]:
    """Every @entry of a BibTeX text (not @string/@comment/@preamble), in file order."""
    try:
        return list(_Reader(text).items())
    except Exception:  # pragma: no cover - the reader is written not to raise; stay safe anyway
        log.exception("BibTeX reader failed; no entries read")
        return []


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
    if _LINE_ENTRY_START.search(text[:50_000]) is None:
        return 0.0
    if path.lower().endswith((".bib", ".bibtex")):
        return 0.95
    for line in text[:50_000].splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        return 0.8 if _LINE_ENTRY_START.match(line + "\n") else 0.0
    return 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="BibTeX/BibLaTeX entries with arXiv eprints, arXiv: journals, URLs or DOIs",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=STRUCTURED,
)
