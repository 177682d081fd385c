"""Records for the stand-in that agree with a digest: what a test or a demo serves for its input.

    records = records_agreeing(iter_entries(["digest.md"]))   # each paper as the digest has it
    records = records_agreeing(entries, plant=my_plant)         # with planted differences

One record per arXiv id the entries name (the first entry naming it decides), in id order. The
record copies the entry's title, authors, version and categories; where the entry has none,
`Title of <id>` and two stock authors stand in; a list cut with "et al." gets EXTRA_AUTHORS
appended, so that arXiv's list is longer than the digest's.

`plant(n, entry, fields)` is called for the n-th id (counting from 0, in id order) with the
fields about to become the record (`title`, `authors`, `latest_version`, and `primary_category`
and `categories` when the entry has categories); it may change them in place, and returns False
to leave the paper out (arXiv does not know it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from enrich.models import ArxivRecord, DigestEntry
from enrich.testing.arxiv_api import make_record

__all__ = ["EXTRA_AUTHORS", "Plant", "records_agreeing"]

EXTRA_AUTHORS = ("Quinn Extra-Author", "Rosa Lastname")
STOCK_AUTHORS = ("Ada Lovelace", "Alan Turing")

Plant = Callable[[int, DigestEntry, dict[str, Any]], "bool | None"]


def records_agreeing(
    entries: Iterable[DigestEntry], *, plant: Plant | None = None
) -> list[ArxivRecord]:
    """One record per id, agreeing with its first entry, except what `plant` changes."""
    first: dict[str, DigestEntry] = {}
    for entry in entries:
        if entry.arxiv_id and entry.arxiv_id not in first:
            first[entry.arxiv_id] = entry
    records = []
    for n, (arxiv_id, entry) in enumerate(sorted(first.items())):
        authors = list(entry.authors) or list(STOCK_AUTHORS)
        if entry.authors_truncated:
            authors += EXTRA_AUTHORS
        fields: dict[str, Any] = {
            "title": entry.title or f"Title of {arxiv_id}",
            "authors": authors,
            "latest_version": entry.version or 1,
        }
        if entry.categories:
            fields["primary_category"] = entry.categories[0]
            fields["categories"] = list(entry.categories)
        if plant is not None and plant(n, entry, fields) is False:
            continue
        records.append(make_record(arxiv_id, **fields))
    return records
