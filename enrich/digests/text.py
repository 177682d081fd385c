"""Text clean-up shared by every digest parser: titles, author lists, markdown and HTML remnants.

Pure functions, no I/O. Parsers call these rather than cleaning text their own way, so that every
format yields names and titles in one shape.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "PLACEHOLDER_AUTHORS",
    "clean_name",
    "clean_text",
    "clean_title",
    "line_of",
    "split_authors",
    "strip_html",
    "strip_markdown",
]

_TAG = re.compile(r"<[^<>]{0,500}>")
# [text](target) and [text]( target "title" ): CommonMark allows spaces around the target.
_MD_LINK = re.compile(
    r"!?\[([^\[\]]*)\]\(\s*[^()\s]*(?:\([^()]*\))?[^()\s]*(?:\s+\"[^\"]*\")?\s*\)"
)
# Emphasis marks. Underscores only count at word edges (CommonMark: `snake_case` and TeX `$x_i$`
# are not emphasis); stars, code ticks and strike-through count anywhere.
_MD_EMPH = re.compile(
    r"(\*\*|\*|`|~~)(?=\S)(.+?)(?<=\S)\1|(?<![\w\\])(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)"
)
_SPACES = re.compile(r"\s+")

# "et al." and its cousins, at the end of an author list (or standing alone as an item).
_TRUNCATION = re.compile(
    r"(?:,|;|\s)*(?:\bet\.?\s*al\b\.?|\betal\.|\band\s+others\b|\bet\s+alii\b|等人?|…|\.\.\.)[\s。．]*$",
    re.IGNORECASE,
)
# Placeholders that models and templates write where the names should be.
PLACEHOLDER_AUTHORS = re.compile(
    r"^\W*(?:authors?'?\s*(?:names?)?\s*(?:are\s+)?(?:not\s+(?:provided|available|given|listed)"
    r"(?:\s+in\s+the\s+(?:text|paper|abstract|input))?|unknown|n/?a)"
    r"|not\s+(?:provided|available|given)|unknown|n/?a|none|anonymous|未提供|无|暂无)\W*$",
    re.IGNORECASE,
)
_AUTHOR_PREFIX = re.compile(r"^\s*(?:authors?|作者|by)\s*[:：]\s*", re.IGNORECASE)
_MARKERS = re.compile(
    r"[*†‡§¶#✉⋆∗\\]+|\^\{?[\w,*†‡]*\}?|(?<=[^\W\d])\d+(?:,\d+)*\b|[\u00b9\u00b2\u00b3\u2070-\u209f]+"
)
_AFFILIATION_DIGITS = re.compile(r"(?<=[^\W\d_])\d+(?:\s*,\s*\d+(?![.\w]))*[*†‡]*")
# also " ." left where an HTML tag stood ("<a>Bolei Zhou</a>." -> "Bolei Zhou .")
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{2})(?<!\bJr)(?<!\bSr)\.$|\s+\.$|[。．]$")
_NAME_EDGE = re.compile(r"^[\s,;.:'\"`()\[\]{}]+|[\s,;:'\"`()\[\]{}]+$")


def strip_html(text: str) -> str:
    """Drop tags and decode entities (&amp; -> &)."""
    return html.unescape(_TAG.sub(" ", text))


def _emphasis_text(m: re.Match[str]) -> str:
    return m.group(2) if m.group(1) else m.group(4)


def strip_markdown(text: str) -> str:
    """Markdown links become their text; emphasis, code ticks and heading marks go."""
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(3):  # nested emphasis: ***x*** -> x
        new = _MD_EMPH.sub(_emphasis_text, text)
        if new == text:
            break
        text = new
    return re.sub(r"^\s*#{1,6}\s+", "", text)


def clean_text(text: str) -> str:
    """HTML and markdown removed, Unicode NFC, runs of white space folded to one space."""
    text = strip_markdown(strip_html(text))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def clean_title(text: str) -> str:
    """A title as a person would type it: no markup, no arXiv line-fold spaces."""
    title = clean_text(text)
    return title.strip(" *_`").strip()


def clean_name(name: str) -> str:
    """One author name without markers (*, †, affiliation digits), HTML or stray punctuation."""
    name = clean_text(name)
    name = _MARKERS.sub("", name)
    name = _NAME_EDGE.sub("", _SPACES.sub(" ", name))
    # a sentence's full stop after the last name ("..., Gyeongsu Chae."), not an initial ("J.")
    name = _SENTENCE_END.sub("", name)
    return name.strip()


def split_authors(text: str) -> tuple[list[str], bool]:
    """Split an author line into names; the second value is True when the list was cut ("et al.").

    Separators: commas, semicolons, "and", "&", CJK commas. Placeholder text gives no names.
    """
    text = _AUTHOR_PREFIX.sub("", clean_text(text))
    truncated = False
    while True:
        cut = _TRUNCATION.sub("", text)
        if cut == text:
            break
        truncated, text = True, cut
    if not text.strip() or PLACEHOLDER_AUTHORS.match(text.strip()):
        return [], truncated
    text = _AFFILIATION_DIGITS.sub("", text)
    parts = re.split(r"\s*(?:[,;，、；]|\band\b|&|\s·\s)\s*", text)
    names: list[str] = []
    for part in parts:
        if _TRUNCATION.fullmatch(part.strip()) or re.fullmatch(
            r"\s*(?:et\.?\s*al\.?|others)\s*", part, re.I
        ):
            truncated = True
            continue
        name = clean_name(part)
        if name and not PLACEHOLDER_AUTHORS.match(name):
            names.append(name)
    return names, truncated


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1
