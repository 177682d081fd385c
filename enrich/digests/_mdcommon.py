"""Helpers shared by the markdown/HTML list and table parsers (cv-arxiv-daily, DailyArXiv, ...),
re-exported from their homes so that older imports keep working. New code imports the homes:

  links.py    Link, links_in, urls_in, is_arxiv_url, version_of, pick_main
  claims.py   id_claims (the further arXiv ids an entry states, as Claims), main_id_and_claims
  rows.py     split_row, is_separator_row (markdown table rows)
  blocks.py   blank_comments, safe_entry, entries_between
  enrich/text/dates.py  parse_date, the one date parser

Not a format (the leading underscore keeps the registry away).
"""

from __future__ import annotations

from enrich.digests.blocks import blank_comments, entries_between, safe_entry
from enrich.digests.claims import id_claims
from enrich.digests.links import Link, is_arxiv_url, links_in, pick_main, urls_in, version_of
from enrich.digests.rows import is_separator_row, split_row
from enrich.text.dates import parse_date

__all__ = [
    "Link",
    "blank_comments",
    "entries_between",
    "id_claims",
    "is_arxiv_url",
    "is_separator_row",
    "links_in",
    "parse_date",
    "pick_main",
    "safe_entry",
    "split_row",
    "urls_in",
    "version_of",
]
