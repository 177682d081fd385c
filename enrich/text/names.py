"""Author names: fold them, parse them and decide whether two names mean the same person. Pure.

The one home of name identity: the comparison (enrich.compare), the duplicate finder and the
HTML report all ask `parse_name` / `match_names` / `same_person`, so a pair of names is the same
person everywhere or nowhere.

A name is folded before anything is compared: HTML tags and entities, LaTeX accents ({\\"u}),
markers (*, †, ‡, ∗, affiliation digits, superscripts), parenthesised notes and stray punctuation
go; "Family, Given" becomes "Given Family"; every word is transliterated with anyascii and lower-
cased, hyphens and dots split words ("Ri-Zhao" -> ri zhao, "S.A." -> s a). An umlaut also keeps its
German spelling as a variant, so Müller = Mueller = Muller.

Two folded names are the same person when the family names (last words) agree and the given names
of one side are all accounted for on the other, in order: equal, an initial of (S. = Stefan),
joined (Rizhao = Ri Zhao), initials run together (SA = Stefan Andreas), or one edit apart in a word
of six letters or more (two edits from ten). The other side may have given names more (a dropped
middle name is not a different person). When that fails, the same test on a rotated word order
("Cho Joseph" for "Joseph Cho") says the name is written family-first.

Nothing here raises on odd input; a name that folds to nothing is simply not a name.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal, NamedTuple

from anyascii import anyascii
from rapidfuzz.distance import Levenshtein

from enrich.runtime import COMPARISON, regex, remembered
from enrich.text.latex import has_latex, latex_to_text
from enrich.text.markup import strip_html

__all__ = [
    "Name",
    "Token",
    "match_names",
    "name_scripts",
    "pair_names",
    "parse_name",
    "same_person",
    "script_names",
]

Match = Literal["same", "swapped"]

_MARKERS = regex(r"[*†‡§¶#✉⋆∗♯♮•·^_$0-9\u00b9\u00b2\u00b3\u2070-\u209f]+")
_NICKNAME = regex(r"\s*[A-Za-z][A-Za-z.'\-]*(?:\s+[A-Za-z][A-Za-z.'\-]*)?\s*")
_PARENS = regex(r"\([^()]*\)|\[[^\[\]]*\]|（[^（）]*）")
_WORD_SPLIT = regex(r"[\s.\-‐‑‒–—―_/]+")
_NOT_LETTER = regex(r"[^a-z]+")
_NO_SCRIPTS: frozenset[str] = frozenset()
# Scripts by the first word of Unicode's character names; other letters (modifier letters,
# symbols) are too rare in names to make a list unverifiable.
_FOREIGN_SCRIPTS = frozenset(
    {
        "CJK", "HANGUL", "HIRAGANA", "KATAKANA", "BOPOMOFO", "CYRILLIC", "GREEK", "ARABIC",
        "HEBREW", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "TAMIL", "TELUGU", "KANNADA",
        "MALAYALAM", "SINHALA", "THAI", "LAO", "TIBETAN", "MYANMAR", "KHMER", "GEORGIAN",
        "ARMENIAN", "ETHIOPIC", "MONGOLIAN", "SYRIAC", "THAANA", "YI",
    }
)  # fmt: skip
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_UMLAUTS.update(str.maketrans({"ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa"}))


class Token(NamedTuple):
    """One word of a name: its anyascii form and, for umlauts, the German spelling (else equal)."""

    text: str
    alt: str


class Name(NamedTuple):
    """A name as written (`raw`), its folded words and the non-Latin scripts it uses. (A named
    tuple: made for every name compared, and a third of the cost of a frozen dataclass.)"""

    raw: str
    tokens: tuple[Token, ...]
    scripts: frozenset[str]
    key: str  # the folded text itself, case and spaces dropped: equal keys are one name

    @property
    def compact(self) -> str:
        return "".join(t.text for t in self.tokens)


# ASCII that one of _fold_markup's steps would change: a tag or entity, LaTeX (latex.has_latex),
# a note in brackets, a marker (_MARKERS). Most names hold none of it and are kept as they are.
_FOLDS_ASCII = regex(r"[<&\\{}~(\[*#^_$0-9]|--")


def _fold_markup(text: str) -> str:
    if text.isascii() and _FOLDS_ASCII.search(text) is None:
        return text
    text = strip_html(text)
    if has_latex(text):
        text = latex_to_text(text, math="text").replace("{", "").replace("}", "")
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    if "(" in text or "[" in text or "（" in text:
        text = _PARENS.sub(lambda m: _keep_nickname(m, text), text)
    return _MARKERS.sub(" ", text)


def _keep_nickname(match: re.Match[str], text: str) -> str:
    """A short Latin note between the words of a name is a nickname ("Yunxiang (Jun) Xiang"): its
    words stay (a side may drop words, so "Jun Xiang" still matches); other notes go (an
    affiliation at the end, "(王伟)")."""
    inner = match.group(0)[1:-1]
    if text[match.end() :].strip(" ,;") and _NICKNAME.fullmatch(inner):
        return f" {inner} "
    return " "


def _script(ch: str) -> str | None:
    """The script of a letter when it is one arXiv's Latin names never use, else None."""
    if not ch.isalpha():
        return None
    word = unicodedata.name(ch, "").split(" ", 1)[0]
    if word == "KATAKANA-HIRAGANA":
        return "KATAKANA"
    return word if word in _FOREIGN_SCRIPTS else None


def script_names(scripts: frozenset[str]) -> str:
    """Scripts for a message: "CJK characters, Hangul"."""
    named = {"CJK": "CJK characters"}
    return ", ".join(sorted(named.get(s, s.title()) for s in scripts))


def name_scripts(text: str) -> frozenset[str]:
    """The non-Latin scripts (CJK, HANGUL, CYRILLIC...) whose letters appear in `text`."""
    if text.isascii() or max(text) <= "\u024f":
        return _NO_SCRIPTS
    found = {_script(ch) for ch in text if ch > "\u024f"}  # below: ASCII and Latin letters
    found.discard(None)
    return frozenset(s for s in found if s is not None)


@lru_cache(maxsize=16384)  # the words of names repeat far more than the names do (Wang, J., Müller)
def _token(word: str) -> Token | None:
    if word.isascii():
        text = word.lower() if word.isalpha() else _NOT_LETTER.sub("", word.lower())
        return Token(text, text) if text else None
    text = _NOT_LETTER.sub("", anyascii(word).lower())
    if not text:
        return None
    german = word.translate(_UMLAUTS)
    alt = _NOT_LETTER.sub("", anyascii(german).lower()) if german != word else text
    return Token(text, alt or text)


def _letters(text: str) -> str:
    """The letters of `text`, transliterated and lower-cased (anyascii only where it matters)."""
    return _NOT_LETTER.sub("", (text if text.isascii() else anyascii(text)).lower())


# A letter no suffix has: anyascii keeps ASCII as it is, so text holding one is no suffix.
_NOT_IN_SUFFIXES = regex(r"[a-hk-qt-zA-HK-QT-Z]")
# Those letters, to see the first character of a name without the search (most names).
_NO_SUFFIX_FIRST = frozenset(c for c in string.ascii_letters if _NOT_IN_SUFFIXES.match(c))
_new_name = tuple.__new__


def _is_suffix(part: str) -> bool:
    """ "Jr", "Sr", "II", "III" in any spelling ("Jr.", "J.R.")."""
    return _NOT_IN_SUFFIXES.search(part) is None and _letters(part) in _SUFFIXES


@lru_cache(maxsize=8192)
def parse_name(raw: str) -> Name:
    """Fold one name as written into words (see the module docstring)."""
    if raw.isascii() and _FOLDS_ASCII.search(raw) is None:
        text, scripts = raw, _NO_SCRIPTS  # _fold_markup and name_scripts keep plain ASCII as it is
    else:
        text = _fold_markup(raw)
        scripts = name_scripts(text)
    if "," in text:
        parts = [p.strip() for p in text.split(",")]
        parts = [p for p in parts if p and not _is_suffix(p)]
        # "Family, Given" (and "von Family, Jr, Given" once the suffix is gone) -> "Given Family"
        text = " ".join([*parts[1:], parts[0]] if len(parts) >= 2 else parts)
    else:
        text = text.strip()
        if (
            text[:1] not in _NO_SUFFIX_FIRST
            and _NOT_IN_SUFFIXES.search(text) is None
            and _is_suffix(text)
        ):
            text = ""
    if (
        text.isascii()
        and "." not in text
        and "-" not in text
        and "/" not in text
        and "_" not in text
    ):
        words = text.split()  # white space alone parts the words (_WORD_SPLIT's other marks)
    else:
        words = _WORD_SPLIT.split(text)
    tokens = [t for t in map(_token, words) if t is not None]
    while len(tokens) > 1 and tokens[-1].text in _SUFFIXES:
        tokens.pop()
    key = "".join(text.casefold().split())
    return _new_name(Name, (raw, tuple(tokens), scripts, key))  # Name(...) without its __new__


def _tolerance(a: str, b: str) -> int:
    shortest = min(len(a), len(b))
    return 2 if shortest >= 10 else 1 if shortest >= 6 else 0


def _same_word(x: Token, y: Token) -> bool:
    if x.text == y.text or x.alt == y.text or x.text == y.alt or x.alt == y.alt:
        return True
    limit = _tolerance(x.text, y.text)
    return limit > 0 and Levenshtein.distance(x.text, y.text, score_cutoff=limit) <= limit


def _unit(xs: tuple[Token, ...], ys: tuple[Token, ...]) -> bool:
    """Do the words `xs` (one or more) stand for the words `ys` (one or more)?"""
    if len(xs) == 1 and len(ys) == 1:
        x, y = xs[0], ys[0]
        if len(x.text) == 1 or len(y.text) == 1:  # an initial
            return x.text[0] == y.text[0]
        return _same_word(x, y)
    joined_x = "".join(t.text for t in xs)
    joined_y = "".join(t.text for t in ys)
    if joined_x == joined_y:  # Ri Zhao = Rizhao
        return True
    if len(xs) == 1:  # SA = Stefan Andreas
        return joined_x == "".join(t.text[0] for t in ys)
    if len(ys) == 1:
        return joined_y == "".join(t.text[0] for t in xs)
    return False


def _covers(xs: tuple[Token, ...], ys: tuple[Token, ...]) -> bool:
    """Every word of `xs` is matched, in order, by words of `ys`; words of `ys` may be left over."""
    if not xs:
        return True
    if not ys:
        return False
    for i in range(1, len(xs) + 1):
        for j in range(1, len(ys) + 1):
            if (i == 1 or j == 1) and _unit(xs[:i], ys[:j]) and _covers(xs[i:], ys[j:]):
                return True
    return _covers(xs, ys[1:])  # skip a word of ys (a middle name the other side drops)


def _same_order(d: tuple[Token, ...], a: tuple[Token, ...]) -> bool:
    if "".join(t.text for t in d) == "".join(t.text for t in a):
        return True
    if len(d[-1].text) < 2 or len(a[-1].text) < 2 or not _same_word(d[-1], a[-1]):
        return False
    return _covers(d[:-1], a[:-1]) or _covers(a[:-1], d[:-1])


@remembered(8192, COMPARISON)
def _match_tokens(d: tuple[Token, ...], a: tuple[Token, ...]) -> Match | None:
    if not d or not a or len(d) > 8 or len(a) > 8:  # eight words is no name: compare as is
        return "same" if d == a and d else None
    if _same_order(d, a):
        return "same"
    if len(a) == 1:  # a one-word name is its family name; turning the other round proves nothing
        return None
    for k in range(1, len(d)):
        if _same_order(d[k:] + d[:k], a):
            return "swapped"
    return None


def match_names(digest: Name, arxiv: Name) -> Match | None:
    """One person? "same", or "swapped" when `digest` writes the name family-first; else None."""
    if digest.raw == arxiv.raw or (digest.key and digest.key == arxiv.key):
        return "same"  # also for letters anyascii has no reading for
    return _match_tokens(digest.tokens, arxiv.tokens)


def same_person(a: str, b: str) -> bool:
    """Do two names as written stand for one person (in either name order)?"""
    return match_names(parse_name(a), parse_name(b)) is not None


def pair_names(digest: Sequence[Name], arxiv: Sequence[Name]) -> dict[int, tuple[int, Match]]:
    """Which of arXiv's names each digest name is: {digest index: (arXiv index, how)}.

    First each name against arXiv's at the same position, then against any name still unmatched
    (a moved name). The comparison and the HTML report pair names with this, so the page marks
    as different exactly the names the comparison calls different."""
    pairs: dict[int, tuple[int, Match]] = {}
    used = [False] * len(arxiv)
    for i, name in enumerate(digest[: len(arxiv)]):
        how = match_names(name, arxiv[i])
        if how:
            pairs[i], used[i] = (i, how), True
    for i, name in enumerate(digest):
        if i in pairs:
            continue
        for j, other in enumerate(arxiv):
            if not used[j]:
                how = match_names(name, other)
                if how:
                    pairs[i], used[j] = (j, how), True
                    break
    return pairs
