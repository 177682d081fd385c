"""LaTeX to Unicode text, through pylatexenc (no hand-made table of accents and commands).

`latex_to_text` resolves accents ({\\"u} -> ü, \\v{s} -> š, \\ss -> ß), escapes (\\& -> &), text
commands (\\emph{x} -> x), case-protecting braces, ties (~) and dashes (-- -> –); with
`math="verbatim"` (the default, for titles shown to people) `$...$` stays as written, with
`math="text"` it becomes text too ($\\alpha$ -> α, $\\mathcal{X}$ -> 𝒳; for keys). White space comes
out folded to single spaces. Text without a backslash, brace, tie or dash pair is returned as it is,
so the cost is paid only where LaTeX is. Nothing here raises: pylatexenc parses tolerantly.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import cache, lru_cache
from typing import Any, Literal

from enrich.runtime import COMPARISON, WITHIN_ENTRY, regex, remembered

__all__ = ["has_latex", "latex_to_text"]

_LATEX_HINT = regex(r"[\\{}~]|--")
_SPACES = regex(r"\s+")
_BARE_PERCENT = regex(r"(?<!\\)%")  # a literal percent sign, not a TeX comment


def has_latex(text: str) -> bool:
    """Does `text` hold anything LaTeX would change?"""
    return _LATEX_HINT.search(text) is not None


# Operator names in math ($O(n\\log n)$) say nothing a title key needs; the keys have always
# dropped them, and dropping keeps the keys stable.
_MATH_OPERATORS = [
    "log",
    "ln",
    "lg",
    "exp",
    "sin",
    "cos",
    "tan",
    "cot",
    "sec",
    "csc",
    "sinh",
    "cosh",
    "tanh",
    "arcsin",
    "arccos",
    "arctan",
    "max",
    "min",
    "sup",
    "inf",
    "lim",
    "limsup",
    "liminf",
    "det",
    "dim",
    "ker",
    "deg",
    "gcd",
    "hom",
    "arg",
    "Pr",
]


@cache
def _converter(math: str) -> Any:
    from pylatexenc.latex2text import (  # lazy: only digests with LaTeX pay the import
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    logging.getLogger("pylatexenc").setLevel(logging.ERROR)  # tolerant parsing is the point
    db = get_default_latex_context_db()
    db.add_context_category(
        "enrich",
        prepend=True,
        macros=[
            MacroTextSpec("url", "%(1)s"),
            MacroTextSpec("cite", ""),
            MacroTextSpec("citep", ""),
            MacroTextSpec("citet", ""),
            *(MacroTextSpec(op, " ") for op in (_MATH_OPERATORS if math == "text" else ())),
        ],
    )
    return LatexNodes2Text(latex_context=db, math_mode=math, strict_latex_spaces=True)


@cache
def _parsing_context() -> Any:
    """pylatexenc's default parsing context, built once: `LatexNodes2Text.latex_to_text` builds a
    fresh one for every text, which cost more than parsing a short title."""
    from pylatexenc.latexwalker import get_default_latex_context_db

    return get_default_latex_context_db()


def _pylatexenc(text: str, math: str) -> str:
    """pylatexenc's conversion of `text`: `LatexNodes2Text.latex_to_text` with the parsing
    context reused (the walker never changes it)."""
    from pylatexenc.latexwalker import LatexWalker

    walker = LatexWalker(text, latex_context=_parsing_context())
    return str(_converter(math).nodelist_to_text(walker.get_latex_nodes()[0]))


# Text pylatexenc copies as it is: no macro, group, math, comment, tie, table column, parameter,
# script, quote ligature or dash ligature ("--" and "''" are looked for in the whole piece).
_PLAIN = regex(r"[^\\{}$%&~#^_`]*")
# Inline math that ends at its closing "$": characters, brace groups of characters and macros,
# each macro followed by exactly the brace groups it takes (a macro short of an argument would
# take the closing "$" as one: "$\\frac{a}$ b" -> "a/$ b").
_ISLAND = regex(r"\$([^$]+)\$")
_MATH_TOKEN = regex(r"\\([a-zA-Z]+)((?:\{[^$\\{}%]*\})*)|\{[^$\\{}%]*\}|[^$\\{}%&~#]")


@lru_cache(maxsize=1024)
def _takes(macro: str) -> str | None:
    """The brace groups `macro` takes ("{", "{{"; "" for none), None for any other arguments."""
    spec = _parsing_context().get_macro_spec(macro)
    if spec is None:
        return ""  # a macro pylatexenc does not know takes nothing
    argspec = getattr(getattr(spec, "args_parser", None), "argspec", None)
    return argspec if isinstance(argspec, str) and set(argspec) <= {"{"} else None


def _simple_math(content: str) -> bool:
    pos = 0
    while pos < len(content):
        m = _MATH_TOKEN.match(content, pos)
        if m is None:
            return False
        if m.group(1) is not None and _takes(m.group(1)) != "{" * m.group(2).count("{"):
            return False
        pos = m.end()
    return True


@lru_cache(maxsize=1024)
def _island(math_text: str, math: str) -> str:
    return _pylatexenc(math_text, math)


def _by_pieces(text: str, math: str) -> str | None:
    """pylatexenc's conversion of `text` put together from its pieces, or None when `text` is not
    plain text and simple inline math: the plain text as it is, each "$...$" converted alone
    (and once: a title's "$\\alpha$" is everybody's). The same result as converting the whole
    (tests/test_compare_fast_paths.py holds the two against each other)."""
    parts = _ISLAND.split(text)  # plain, math, plain, ..., plain
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if not _PLAIN.fullmatch(part) or "--" in part or "''" in part:
                return None
            if not part and 0 < i < len(parts) - 1:
                return None  # "$a$$b$": "$$" opens display math
            out.append(part)
        elif _simple_math(part):
            out.append(_island(f"${part}$", math))
        else:
            return None
    return "".join(out)


def _convert(text: str, math: str) -> str:
    try:
        fast = _by_pieces(text, math)
    except Exception:
        fast = None  # the whole text decides
    try:
        return fast if fast is not None else _pylatexenc(text, math)
    except Exception:  # pylatexenc is tolerant, but a parser must never take a digest down
        return text.replace("{", "").replace("}", "")


@remembered(16384, WITHIN_ENTRY, COMPARISON)
def latex_to_text(text: str, math: Literal["verbatim", "text"] = "verbatim") -> str:
    """`text` with its LaTeX resolved to Unicode (see the module docstring)."""
    if not has_latex(text) and (math == "verbatim" or "$" not in text):
        return text
    out = _convert(_BARE_PERCENT.sub(r"\\%", text), math)
    out = _SPACES.sub(" ", out.replace("\xa0", " "))
    return unicodedata.normalize("NFC", out).strip()
