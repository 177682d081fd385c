"""Invisible format characters (Unicode category Cf: bidi controls such as U+202E RIGHT-TO-LEFT
OVERRIDE, zero-width spaces and joiners, the BOM) in text that came from a digest or arXiv.

They are kept in the data (JSONL) as they were; where text is shown to a person they must neither
hide nor reorder the report's own words. The HTML page isolates such text (`<bdi>`, see
enrich.report.html); Markdown and the terminal show each character as a visible ``⟨U+202E⟩``.
Pure functions, no I/O.
"""

from __future__ import annotations

import re

from enrich.runtime import regex

__all__ = ["has_invisible", "show_invisible"]

# Every Cf character of the Unicode database Python ships (a test checks against unicodedata),
# plus U+2028/U+2029, which break a terminal line in the middle of a name.
_INVISIBLE = regex(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)


def _mark(match: re.Match[str]) -> str:
    return f"⟨U+{ord(match.group(0)):04X}⟩"


def has_invisible(text: str) -> bool:
    return bool(_INVISIBLE.search(text))


def show_invisible(text: str) -> str:
    """`text` with every invisible format character written as ``⟨U+XXXX⟩``."""
    if text.isascii():
        return text
    return _INVISIBLE.sub(_mark, text)
