"""LaTeX `.bbl` bibliographies (what BibTeX writes for natbib/plain styles), read with pylatexenc.

Each `\\bibitem[label]{key}` is one record, up to the next one. Its blocks are split at
`\\newblock`: the first holds the authors, the second the title (the order every BibTeX style
writes); the rest (venue, `arXiv preprint arXiv:ID`, `\\doi{10.48550/arXiv.ID}`, `\\url{...}`)
is scanned for the paper's id. LaTeX is turned into text by pylatexenc ("et~al." -> "et al.").
"""

from __future__ import annotations

from collections.abc import Iterator

from pylatexenc.latex2text import LatexNodes2Text

from enrich.digests.base import SimpleFormat
from enrich.digests.document import Record
from enrich.digests.fields import entries_of
from enrich.models import DigestEntry
from enrich.runtime import regex
from enrich.text.markup import fold_space

__all__ = ["FORMAT", "NAME", "latex_to_text", "parse", "records", "sniff"]

NAME = "bbl"
_ITEM = regex(r"\\bibitem\s*(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\])?\s*\{[^{}]*\}")
_NEWBLOCK = regex(r"\\newblock\b")
_END = regex(r"\\end\{thebibliography\}")
_CONVERTER = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)
_TRAILING_YEAR = regex(r",\s*(?:19|20)\d\d[a-z]?$")  # @misc: "Title, 2023."
_URL_MACRO = regex(r"\\(?:url|href|doi)\s*\{([^{}]*)\}")


def latex_to_text(latex: str) -> str:
    """Text of a LaTeX fragment (accents, ~, braces, \\emph...); as written if pylatexenc fails."""
    try:
        text = _CONVERTER.latex_to_text(latex)
    except Exception:  # pylatexenc raises on some malformed input
        text = latex
    return fold_space(text)  # a no-break space is white space to it too


def _record(text: str, start: int, end: int) -> Record:
    line = text.count("\n", 0, start) + 1
    chunk = text[start:end]
    record = Record(line=line, end_line=line + chunk.count("\n"), text=chunk)
    item = _ITEM.match(chunk)
    body = chunk[item.end() :] if item else chunk
    blocks = _NEWBLOCK.split(body)
    if blocks:
        record.add("authors", latex_to_text(blocks[0]).rstrip("."), "structured", line)
    if len(blocks) > 1:
        title = _TRAILING_YEAR.sub("", latex_to_text(blocks[1]).rstrip(". ,"))
        record.add("title", title, "structured")
    for m in _URL_MACRO.finditer(chunk):
        record.add("links", m.group(1).strip(), "structured")
    return record


def records(text: str) -> list[Record]:
    starts = [m.start() for m in _ITEM.finditer(text)]
    found: list[Record] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        close = _END.search(text, start, end)
        found.append(_record(text, start, close.start() if close else end))
    return found


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    yield from entries_of(records(text), path, NAME)


def sniff(text: str, path: str) -> float:
    if "\\bibitem" in text[:50000]:
        return 0.95 if "\\begin{thebibliography}" in text[:5000] or path.endswith(".bbl") else 0.6
    return 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="LaTeX .bbl bibliographies (\\bibitem, \\newblock), read with pylatexenc",
    sniff_fn=sniff,
    parse_fn=parse,
)
