"""Markdown table rows: cells (escaped pipes, code spans, <details>) and separator rows.

Not a format. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from enrich.runtime import regex

__all__ = ["is_separator_row", "split_row"]

_ROW_TOKEN = regex(r"\\\||<details\b|</details\s*>|\|", re.IGNORECASE)


def split_row(line: str) -> list[str]:
    """Cells of a markdown table row. `\\|` is a literal pipe (as in GFM, where a pipe splits
    even inside a code span); a pipe inside a <details>…</details> block does not split either
    (generated abstract cells hold raw `$|x|$`)."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells: list[str] = []
    buf: list[str] = []
    depth = 0
    pos = 0
    for token in _ROW_TOKEN.finditer(s):
        buf.append(s[pos : token.start()])
        pos = token.end()
        kind = token.group(0).lower()
        if kind == "\\|":
            buf.append("|")
            continue
        if kind == "|" and depth == 0:
            cells.append("".join(buf).strip())
            buf = []
            continue
        if kind.startswith("<details"):
            depth += 1
        elif kind.startswith("</details"):
            depth = max(0, depth - 1)
        buf.append(token.group(0))
    buf.append(s[pos:])
    cells.append("".join(buf).strip())
    if depth:  # an unclosed <details>: protecting it would swallow the rest of the row
        return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s)]
    return cells


def is_separator_row(line: str) -> bool:
    cells = split_row(line)
    return bool(cells) and all(re.fullmatch(r":?-{2,}:?", c.strip()) for c in cells)
