"""Text clean-up for digest readers: the rules themselves live in `enrich.text` (one home each).

This module keeps the names the readers have always imported, and `line_of`, which is about
positions in a digest rather than about text.
"""

from __future__ import annotations

from enrich.text import (
    PLACEHOLDER_AUTHORS,
    clean_name,
    clean_text,
    clean_title,
    split_authors,
    strip_html,
    strip_markdown,
)

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


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1
