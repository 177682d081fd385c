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
import re
import unicodedata
from functools import cache, lru_cache
from typing import Any, Literal

__all__ = ["has_latex", "latex_to_text"]

_LATEX_HINT = re.compile(r"[\\{}~]|--")
_SPACES = re.compile(r"\s+")
_BARE_PERCENT = re.compile(r"(?<!\\)%")  # a literal percent sign, not a TeX comment


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


@lru_cache(maxsize=16384)
def latex_to_text(text: str, math: Literal["verbatim", "text"] = "verbatim") -> str:
    """`text` with its LaTeX resolved to Unicode (see the module docstring)."""
    if not has_latex(text) and (math == "verbatim" or "$" not in text):
        return text
    try:
        out = _converter(math).latex_to_text(_BARE_PERCENT.sub(r"\\%", text))
    except Exception:  # pylatexenc is tolerant, but a parser must never take a digest down
        out = text.replace("{", "").replace("}", "")
    out = _SPACES.sub(" ", out.replace("\xa0", " "))
    return unicodedata.normalize("NFC", out).strip()
