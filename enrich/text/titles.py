"""Title keys: a title folded to what equality is decided on. Pure.

Folded: HTML tags and entities; LaTeX (through enrich/text/latex.py: $...$, ^ and _, \\emph{},
\\textbf{}, \\mathcal{X}, {braces}, \\& and other escapes; Greek letter commands become letters:
$\\alpha$ = α); Unicode compatibility forms (² = 2, 𝒳 = X, ﬁ = fi); transliteration (anyascii:
é = e, quotes and dashes become ASCII); "&" is "and"; case; then every run of punctuation and
white space is one space (`fold_title`). `title_key` drops the spaces too: "Pre-training" =
"Pretraining", arXiv's line-fold spaces, words glued by a digest. The comparison, the duplicate
finder and the HTML report's word diff all fold with these.
"""

from __future__ import annotations

import unicodedata

from anyascii import anyascii

from enrich.runtime import WITHIN_ENTRY, regex, remembered
from enrich.text.latex import latex_to_text
from enrich.text.markup import fold_space, strip_html

__all__ = ["fold_title", "title_key", "word_key"]

_MATH_MARKUP = regex(r"(?<!\\)[$^_{}]")  # markup that joins, never separates: X$^2$ = X2
_BARE_AMPERSAND = regex(r"(?<!\\)&")  # "&" is a word here, not a TeX table column
_ALNUM = regex(r"[a-z0-9]+")
# Every ASCII character but [a-z0-9] to a space: the words _ALNUM finds, parted by white space
# alone (a table of single ASCII characters: str.translate's quick path, a third less than findall).
_NOT_ALNUM = str.maketrans({c: c if _ALNUM.match(c) else " " for c in map(chr, range(128))})
_GREEK_LETTERS = str.maketrans({"ϵ": "ε", "ϑ": "θ", "ϕ": "φ", "ϱ": "ρ", "ς": "σ", "ϖ": "π"})


@remembered(8192, WITHIN_ENTRY)
def fold_title(text: str) -> str:
    """Lower-case ASCII words separated by single spaces (see the module docstring)."""
    text = strip_html(text)
    if "\\" in text:
        text = latex_to_text(_BARE_AMPERSAND.sub(r"\\&", text), math="text")
    if "$" in text or "^" in text or "_" in text or "{" in text or "}" in text:
        text = _MATH_MARKUP.sub("", text)
    if not text.isascii():
        text = anyascii(unicodedata.normalize("NFKC", text).translate(_GREEK_LETTERS))
    text = text.lower()
    if "&" in text:
        text = text.replace("&", " and ")
    # every other run one space, none at the ends (the text is ASCII here: a table maps the rest)
    return fold_space(text.translate(_NOT_ALNUM))


def title_key(text: str) -> str:
    """The folded title without spaces: what equality is decided on."""
    return fold_title(text).replace(" ", "")


def word_key(word: str) -> str:
    """One word of a title as the key compares it (for word-by-word differences)."""
    return title_key(word)
