"""The text rules of arxiv-enrich, one home each: readers, comparison and reports all call these.

  markup      HTML tags and entities, Markdown remnants, white space (`clean_text`, `strip_html`,
              `fold_space`)
  authors     the author-list reader: every separator and cut marker, structured names
              (`split_authors`, `structured_authors` -> `AuthorList`)

Pure functions, no I/O, no settings. Nothing here raises on odd input.

The names below are loaded when first asked for (`from enrich.text import clean_text`), not with
the package: a module that needs only one rule (the feed reader folds white space) does not load
the author-list reader and its vocabulary too, before the look-up process starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from enrich.text.authors import (
        AuthorList,
        clean_name,
        drop_user_handles,
        is_user_handle,
        split_author_field,
        split_authors,
        structured_authors,
    )
    from enrich.text.markup import clean_text, clean_title, fold_space, strip_html, strip_markdown
    from enrich.text.vocabulary import PLACEHOLDER_AUTHORS, is_placeholder, strip_cut_marker

_HOMES = {
    "AuthorList": "authors",
    "clean_name": "authors",
    "drop_user_handles": "authors",
    "is_user_handle": "authors",
    "split_author_field": "authors",
    "split_authors": "authors",
    "structured_authors": "authors",
    "clean_text": "markup",
    "clean_title": "markup",
    "fold_space": "markup",
    "strip_html": "markup",
    "strip_markdown": "markup",
    "PLACEHOLDER_AUTHORS": "vocabulary",
    "is_placeholder": "vocabulary",
    "strip_cut_marker": "vocabulary",
}

__all__ = [
    "PLACEHOLDER_AUTHORS",
    "AuthorList",
    "clean_name",
    "clean_text",
    "clean_title",
    "drop_user_handles",
    "fold_space",
    "is_placeholder",
    "is_user_handle",
    "split_author_field",
    "split_authors",
    "strip_cut_marker",
    "strip_html",
    "strip_markdown",
    "structured_authors",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'enrich.text' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"enrich.text.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
