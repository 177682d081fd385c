"""The author-list reader: one way to turn what a digest writes about authors into names.

Every reader calls `split_authors` for a line of names and `structured_authors` for names that come
already apart (RIS `AU` tags, CSL `{family, given}`, `{name}` objects, BibTeX's "and" items).

A line of names: an "Authors:"/"By"/"作者：" label goes; separators are `,` `;` `and` `&` `·`
`、` `，` `；`; notes in parentheses (affiliations, "(equal contribution)") go, and so do footnote
markers (*, †, ‡, ✉, superscripts) and affiliation digits ("Ann Lee1,2"). Every cut marker the
vocabulary knows ("et al.", "et. al", "et~al.", "and others", "and 7 others", "+10 authors", "…",
"...", "etc.", 等, 等人) sets `truncated` and is not a name. A placeholder ("N/A", "TBD",
"[Authors not provided]") gives no names.

Names are kept as written apart from that clean-up, except "Last, First" in a structured item,
which becomes "First Last" (and "von Last, Jr, First" becomes "First von Last Jr").
User handles (Hugging Face lists mix "ssz1111" or "@akhaliq" in with the names) are not names:
`drop_user_handles` takes them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from enrich.runtime import regex
from enrich.text.latex import latex_to_text
from enrich.text.markup import clean_text, strip_html
from enrich.text.vocabulary import NOT_NAME_WORDS, is_cut_item, is_placeholder, strip_cut_marker

__all__ = [
    "AuthorList",
    "clean_name",
    "drop_user_handles",
    "is_user_handle",
    "reads_as_names",
    "split_author_field",
    "split_authors",
    "split_bibtex_names",
    "split_names",
    "split_outside",
    "structured_authors",
]


class AuthorList(NamedTuple):
    """Names in the order written, and whether the list was cut ("et al.")."""

    names: list[str]
    truncated: bool


_SPACES = regex(r"\s+")
_AUTHOR_PREFIX = regex(
    r"^\s*(?:authors?|author\(s\)|作者|by)\s*(?:[:：]\s*|\s(?=\S))", re.IGNORECASE
)
_MARKERS = regex(
    r"[*†‡§¶#✉⋆∗\\]+|\^\{?[\w,*†‡]*\}?|(?<=[^\W\d])\d+(?:,\d+)*\b|[\u00b9\u00b2\u00b3\u2070-\u209f]+"
)
_AFFILIATION_DIGITS = regex(r"(?<=[^\W\d_])\d+(?:\s*,\s*\d+(?![.\w]))*[*†‡]*")
# also " ." left where an HTML tag stood ("<a>Bolei Zhou</a>." -> "Bolei Zhou .")
_SENTENCE_END = regex(r"(?<=[^\W\d_]{2})(?<!\bJr)(?<!\bSr)\.$|\s+\.$|[。．]$")
_NAME_EDGE = regex(r"^[\s,;.:'\"`()\[\]{}]+|[\s,;:'\"`()\[\]{}]+$")
_SEPARATORS = regex(r"\s*(?:[,;，、；]|\band\b|&|\s·\s)\s*", re.IGNORECASE)
_STRONG_SEPARATORS = regex(r"\s*(?:[;；]|\band\b|&)\s*", re.IGNORECASE)
# A note in parentheses at the end of a name: an affiliation, "(equal contribution)", "(+3 more)".
# One between the words of a name is a nickname ("Yunxiang (Jun) Xiang") and stays as written.
_NOTE = regex(
    r"\s*(?:\([^()]*\)|（[^（）]*）|\[[^\[\]]*\])(?=\s*(?:[,;，、；&·]|\band\b|$))", re.IGNORECASE
)
_SUFFIX = regex(r"^(?:jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)
_HANDLE = regex(r"@[\w.-]+|(?=[\w.-]*[\d_])[A-Za-z][\w.-]*|[a-z][a-z.-]+")
# a name in Chinese, Japanese or Korean characters, written without a space: "张伟", "김민준"
_EAST_ASIAN_NAME = regex(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,4}")


def clean_name(name: str) -> str:
    """One author name without markers (*, †, affiliation digits), HTML or stray punctuation."""
    name = clean_text(name)
    name = _MARKERS.sub("", name)
    name = _NAME_EDGE.sub("", _SPACES.sub(" ", name))
    # a sentence's full stop after the last name ("..., Gyeongsu Chae."), not an initial ("J.")
    name = _SENTENCE_END.sub("", name)
    return name.strip()


def _drop_notes(text: str) -> tuple[str, bool]:
    """Parenthesised notes out; True when one of them was a cut marker ("(+3 more)")."""
    cut = False

    def note(m: re.Match[str]) -> str:
        nonlocal cut
        if is_cut_item(m.group(0).strip()[1:-1]):
            cut = True
        return ""

    for _ in range(3):  # nested notes: "(MIT (CSAIL))"
        new = _NOTE.sub(note, text)
        if new == text:
            break
        text = new
    return text, cut


def split_authors(text: str) -> AuthorList:
    """Split a line of names (see the module docstring); never raises."""
    text = clean_text(text)
    if is_placeholder(text):  # before the label goes: "Author Names" is no name "Names"
        return AuthorList([], strip_cut_marker(text)[1])
    text, truncated = strip_cut_marker(_AUTHOR_PREFIX.sub("", text))
    text, noted_cut = _drop_notes(text)
    text, cut = strip_cut_marker(text)
    truncated = truncated or noted_cut or cut
    if not text.strip() or is_placeholder(text):
        return AuthorList([], truncated)
    text = _AFFILIATION_DIGITS.sub("", text)
    names: list[str] = []
    family_first = _family_first_items(text)
    if family_first is not None:
        for part in family_first:
            name = clean_name(_given_first(part))
            if name and not is_placeholder(name):
                names.append(name)
        return AuthorList(names, truncated)
    for part in _SEPARATORS.split(text):
        if is_cut_item(part):
            truncated = True
            continue
        name = clean_name(part)
        if name and not is_placeholder(name):
            names.append(name)
    return AuthorList(names, truncated)


_SEMICOLONS = regex(r"\s*[;；]\s*")
# One "Family, Given" name and nothing else (a reference manager's single author)
_FAMILY_GIVEN = regex(r"[^\W\d_][\w'’-]+,\s*[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*)?")


def _family_first_among(text: str) -> bool:
    if ";" not in text and "；" not in text:
        return False
    parts = [p for p in _SEMICOLONS.split(text) if p.strip()]
    with_comma = [p for p in parts if "," in p]
    return bool(with_comma) and all(_FAMILY_GIVEN.fullmatch(p.strip()) for p in with_comma)


def split_author_field(text: str) -> AuthorList:
    """The names of an author FIELD (a CSV column, a JSON string, a labelled value), where a
    reference manager may write "A B; C, D": semicolons part the names and a comma inside one
    puts the family first; a lone "Family, Given" is one name; anything else is a line of
    names (split_authors)."""
    text = text.strip()
    if _family_first_among(text):
        return structured_authors([p for p in _SEMICOLONS.split(text) if p.strip()])
    if _FAMILY_GIVEN.fullmatch(text):
        return structured_authors([text])  # one name, family first: "Shlens, Jonathon"
    return split_authors(text)


def _family_first_items(text: str) -> list[str] | None:
    """The items of "Last, First; Last, First" (or "Last, First and Last, First"), else None."""
    parts = [p for p in _STRONG_SEPARATORS.split(text) if p.strip()]
    if len(parts) < 2:
        return None
    for part in parts:
        halves = part.split(",")
        if len(halves) != 2 or not halves[1].strip() or is_cut_item(part):
            return None
        if len(halves[0].split()) > 3 or len(halves[1].split()) > 4:
            return None
    return parts


def _given_first(written: str) -> str:
    """ "Last, First" -> "First Last"; "von Last, Jr, First" -> "First von Last Jr"."""
    parts = [p.strip() for p in written.split(",")]
    parts = [p for p in parts if p]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and _SUFFIX.match(parts[1]):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return " ".join(parts)


def _from_mapping(item: Mapping[str, Any]) -> str:
    family = item.get("family") or item.get("lastName") or item.get("last") or ""
    given = item.get("given") or item.get("firstName") or item.get("first") or ""
    if isinstance(family, str) and isinstance(given, str) and (family or given):
        particle = item.get("non-dropping-particle") or item.get("dropping-particle") or ""
        if isinstance(particle, str) and particle:
            family = f"{particle} {family}"
        suffix = item.get("suffix") or ""
        return " ".join(p for p in (given, family, suffix if isinstance(suffix, str) else "") if p)
    for key in ("name", "literal", "display_name", "fullName", "full_name"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value
    author = item.get("author")  # OpenAlex authorships: {"author": {"display_name": ...}}
    return _from_mapping(author) if isinstance(author, Mapping) else ""


def _one_name(written: str) -> bool:
    """Is a structured item one name ("Last, First", "Last, Jr, First", "First Last") rather than
    a whole line ("A and B", "A; B", "A, B, C")?"""
    if ";" in written or re.search(r"\s(?:and|&)\s", written, re.IGNORECASE):
        return False
    parts = [p.strip() for p in written.split(",")]
    if len(parts) == 1:
        return True
    if len(parts) == 3 and _SUFFIX.match(parts[1]):
        return True
    return len(parts) == 2 and len(parts[0].split()) <= 3


def structured_authors(items: Iterable[object], *, as_written: bool = False) -> AuthorList:
    """Names that come one per item: strings ("Last, First" or "First Last"), CSL/Zotero
    `{family, given}` / `{lastName, firstName}`, `{name}` / `{literal}` objects, OpenAlex
    authorships. An item that holds a whole line ("A and B", "A, B, C") is split as a line.
    With `as_written` every item is one name kept as written ("Last, First", markers and all;
    the comparison folds them): only cut markers, placeholders and HTML tags go."""
    names: list[str] = []
    truncated = False
    for item in items:
        if isinstance(item, Mapping):
            written = _from_mapping(item)
        elif isinstance(item, str):
            written = item
        else:
            continue
        written = strip_html(written).strip() if as_written else clean_text(written)
        if not written:
            continue
        if is_cut_item(written):
            truncated = True
            continue
        if not as_written and not _one_name(written):
            more = split_authors(written)
            names.extend(more.names)
            truncated = truncated or more.truncated
            continue
        written, cut = strip_cut_marker(written)
        truncated = truncated or cut
        if not as_written and "," in written:
            written = _given_first(written)
        name = written.strip() if as_written else clean_name(written)
        if name and not is_placeholder(name):
            names.append(name)
    return AuthorList(names, truncated)


def is_user_handle(text: str, *, one_word: bool = False) -> bool:
    """A site's user handle rather than a name: "@akhaliq", "ssz1111", "POTATO66", "chenxz".
    With `one_word` (a list known to mix handles in, as Hugging Face pages do) every one-word
    item counts: a person's name on arXiv has a family and a given name, written apart; but not
    a Chinese, Japanese or Korean name ("张伟"), written without a space."""
    words = text.split(None, 1)  # the white space str.strip and str.isspace know
    if len(words) != 1:
        return False  # empty, or more than one word
    text = words[0]
    if one_word:
        return _EAST_ASIAN_NAME.fullmatch(text) is None
    return _HANDLE.fullmatch(text) is not None


def drop_user_handles(names: Iterable[str], *, one_word: bool = False) -> tuple[list[str], int]:
    """The names that are not user handles, and how many handles were dropped."""
    names = list(names)
    kept = [n for n in names if not is_user_handle(n, one_word=one_word)]
    return kept, len(names) - len(kept)


def split_names(value: str | Iterable[object]) -> AuthorList:
    """Names from a line (`split_authors`) or from items already apart, kept as written
    (`structured_authors(as_written=True)`): what a claim's author value holds."""
    if isinstance(value, str):
        return split_authors(value)
    return structured_authors(value, as_written=True)


def split_outside(text: str, sep: re.Pattern[str], brackets: str = "{}") -> list[str]:
    """Split `text` on `sep` only outside `brackets` (an open and a close character): BibTeX
    names outside braces, arXiv's author string outside (affiliation) parentheses."""
    opening, closing = brackets[0], brackets[1]
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth = max(0, depth - 1)
        elif depth == 0:
            m = sep.match(text, i)
            if m and m.end() > i:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return parts


_BIB_AND = regex(r"\s+and\s+", re.IGNORECASE)
_BIB_COMMA = regex(r"\s*,\s*")


def split_bibtex_names(value: str) -> AuthorList:
    """A BibTeX name list ("Last, First and First Last and others") as given-first names: "and"
    and commas split only outside braces, LaTeX is resolved (enrich/text/latex.py), and "others"
    (or any other cut marker) sets `truncated`."""
    names: list[str] = []
    truncated = False
    for raw in split_outside(" " + value.strip() + " ", _BIB_AND):
        raw = raw.strip()
        if not raw:
            continue
        if is_cut_item(raw.replace("{", "").replace("}", "")):
            truncated = True
            continue
        parts = [p.strip() for p in split_outside(raw, _BIB_COMMA)]
        parts = [p for p in parts if p]
        if len(parts) == 2:
            name = f"{parts[1]} {parts[0]}"
        elif len(parts) >= 3:
            name = f"{' '.join(parts[2:])} {parts[0]} {parts[1]}"
        else:
            name = parts[0] if parts else ""
        name = clean_name(latex_to_text(name))
        if name and not is_placeholder(name):
            names.append(name)
    return AuthorList(names, truncated)


# The lower-case words inside a Latin name ("Anneliese van der Berg", "Sebastián de la Cruz").
_PARTICLES = frozenset(
    {
        "af", "al", "ap", "av", "bin", "bint", "da", "das", "de", "del", "della", "den", "der",
        "des", "di", "do", "dos", "du", "el", "ibn", "la", "le", "st", "ten", "ter", "van",
        "von", "y", "zu",
    }
)  # fmt: skip
_INITIALS = regex(r"[^\W\d_](?:\.-?[^\W\d_]){0,2}\.?")  # "J.", "J.R.", "J.-P.", "J"


def _reads_as_name(name: str) -> bool:
    """Is `name` written as a person's name: two to five words, capitalised, initials and name
    particles between them ("J. R. Whitfield Jr.", "Anneliese van der Berg"), or a name of two
    to four Chinese, Japanese or Korean characters?"""
    words = name.split()
    if len(words) == 1 and _EAST_ASIAN_NAME.fullmatch(name):
        return True
    if not 2 <= len(words) <= 5 or words[-1].lower() in _PARTICLES:
        return False
    full = 0
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if _INITIALS.fullmatch(word) and word[0].isupper():
            continue
        bare = word.rstrip(".")
        letters = bare.replace("-", "").replace("'", "").replace("’", "")
        if not (letters.isalpha() and bare[0].isupper()) or bare.lower() in NOT_NAME_WORDS:
            return False
        if bare.isupper() and _SUFFIX.match(bare) is None:  # "AI", "MIT": no name word
            return False
        full += 1
    return full >= 1


# What only a person's name has: an initial, a hyphen or an apostrophe inside a capitalised word
# ("Yi-Chen", "O'Connor"), a Latin letter beyond ASCII ("Müller"), a particle before another
# word, in any case ("van der Berg", "Van Der Berg"). Case is folded for the particles alone:
# folded, the range of Latin letters would take "s" and "i" too (for "ſ" and "İ").
_NAME_SIGNAL = regex(
    r"(?:^|\s)[^\W\d_](?:\.|(?=\s|$))|[^\W\d_][-'’][^\W\d_]|[\u00c0-\u024f]"
    r"|(?:^|\s)(?i:" + "|".join(sorted(_PARTICLES)) + r")\s+\S"
)


def _name_signal(text: str) -> bool:
    """Does `text` (a name, or a line of them) hold what only names hold (_NAME_SIGNAL)?"""
    return _NAME_SIGNAL.search(text) is not None


def reads_as_names(text: str, *, cue: bool = False) -> AuthorList | None:
    """The names of an unlabelled line when it reads as a list of names, else None: every item a
    name as a person writes one (`_reads_as_name`), and the line cut with "et al." (等), or one
    name of it holding what only names hold (`_name_signal`: "J. Smith", "Yi-Chen Lin", "van der
    Berg", "Müller") with two names or more, or with a cue (`cue`: the line began with "by").
    Capitalised phrases alone do not do: "Medical Imaging, Drug Discovery" (tags), "Carnegie
    Mellon, Hugging Face" (labs), "Nature Communications" (a venue) are no names; a Chinese or
    Japanese line needs its cut marker."""
    if not _name_signal(text) and not strip_cut_marker(text)[1]:
        return None  # (what follows would refuse it too; most lines of a digest end here)
    found = split_authors(text)
    if not found.names or not all(map(_reads_as_name, found.names)):
        return None
    if found.truncated:
        return found
    if any(map(_name_signal, found.names)) and (len(found.names) >= 2 or cue):
        return found
    return None
