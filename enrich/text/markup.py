"""Markup remnants out of text: HTML tags and entities, Markdown links and emphasis, white space.

Pure functions, no I/O. Readers, comparison and reports call these rather than cleaning text their
own way, so that every format yields names and titles in one shape.
"""

from __future__ import annotations

import html
import re
import unicodedata

from enrich.runtime import regex

__all__ = [
    "clean_text",
    "clean_title",
    "fold_space",
    "strip_html",
    "strip_markdown",
    "without_surrogates",
]

_TAG = regex(r"<[^<>]{0,500}>")
# [text](target) and [text]( target "title" ): CommonMark allows spaces around the target.
_MD_LINK = regex(r"!?\[([^\[\]]*)\]\(\s*[^()\s]*(?:\([^()]*\))?[^()\s]*(?:\s+\"[^\"]*\")?\s*\)")
# Emphasis marks. Underscores only count at word edges (CommonMark: `snake_case` and TeX `$x_i$`
# are not emphasis); stars, code ticks and strike-through count anywhere.
_MD_EMPH = regex(r"(\*\*|\*|`|~~)(?=\S)(.+?)(?<=\S)\1|(?<![\w\\])(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
# The white space of str.split (and of regex \s) in ASCII, but for the space itself
_ASCII_BREAKS = ("\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def fold_space(text: str) -> str:
    """White space folded: every run of it one space, none at either end (str.split's white
    space, which is regex \\s's). ASCII text that is folded already (no double space, no other
    white space, none at the ends: what arXiv's records hold once read) is given back as it is,
    after a few scans of it: about a fifth of what splitting and joining it again costs."""
    if (
        type(text) is str  # a subclass (lxml's strings that hold their element) is copied
        and text.isascii()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
    ):
        for mark in _ASCII_BREAKS:
            if mark in text:
                break
        else:
            return text
    return " ".join(text.split())


def strip_html(text: str) -> str:
    """Drop tags (each becomes a space) and decode entities (&amp; -> &)."""
    if "<" not in text and "&" not in text:
        return text
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
    return fold_space(unicodedata.normalize("NFC", text))


def clean_title(text: str) -> str:
    """A title as a person would type it: no markup, no arXiv line-fold spaces."""
    title = clean_text(text)
    return title.strip(" *_`").strip()


_SURROGATE = regex(r"[\ud800-\udfff]")


def without_surrogates(value: object) -> object:
    """JSON data (strings, lists, dicts) with every lone surrogate a U+FFFD. The standard JSON
    reader turns an escape such as "\\ud83d" (half an emoji, cut by a program counting UTF-16
    units) into a character no UTF-8 text can hold: the output could not be written."""
    if isinstance(value, str):
        if value.isascii() or _SURROGATE.search(value) is None:
            return value
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value
