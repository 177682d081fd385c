"""The text rules of arxiv-enrich, one home each: readers, comparison and reports all call these.

  markup      HTML tags and entities, Markdown remnants, white space (`clean_text`, `strip_html`)
  authors     the author-list reader: every separator and cut marker, structured names
              (`split_authors`, `structured_authors` -> `AuthorList`)

Pure functions, no I/O, no settings. Nothing here raises on odd input.
"""

from __future__ import annotations

from enrich.text.authors import (
    AuthorList,
    clean_name,
    drop_user_handles,
    is_user_handle,
    split_author_field,
    split_authors,
    structured_authors,
)
from enrich.text.markup import clean_text, clean_title, strip_html, strip_markdown
from enrich.text.vocabulary import PLACEHOLDER_AUTHORS, is_placeholder, strip_cut_marker

__all__ = [
    "PLACEHOLDER_AUTHORS",
    "AuthorList",
    "clean_name",
    "clean_text",
    "clean_title",
    "drop_user_handles",
    "is_placeholder",
    "is_user_handle",
    "split_author_field",
    "split_authors",
    "strip_cut_marker",
    "strip_html",
    "strip_markdown",
    "structured_authors",
]
