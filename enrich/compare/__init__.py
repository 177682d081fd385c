"""The comparison stage: a digest entry against arXiv's record. Pure: no I/O, no network.

What the pipeline calls:
  compare_entry(entry, record)  every finding for an entry arXiv knows: the record-free checks of
                                entry_conflicts included, so call one or the other, never both
  entry_conflicts(entry)        the findings that need no record (invalid category codes, versions
                                the entry contradicts itself on, placeholder author lists): for
                                entries without a record (not found, unavailable)
  correct_entry(entry, record)  the corrected view (full authors, latest version and links,
                                primary category first, arXiv's DOI, title and abstract)
  DuplicateFinder().add(entry)  duplicates across the whole input, streaming
  not_found_conflict / invalid_conflict   the pipeline's own findings, worded here

Conflict.field names the entry field ("authors", "title", "version", "categories", "withdrawn",
"arxiv_id") or, for a claim, "claims.<field>"; `line` is the line of the statement (the claim's
line, else the entry's). A finding that rests on a field the reader guessed (provenance "guessed")
is at most info (conflicts.cap_guessed).

Modules: names and authors (author lists), titles, checks (record-free), rules (entry fields vs
record), versions (dates in words; the digest's own version against later ones), claims, correct,
duplicates, conflicts (severities and constructors).
"""

from __future__ import annotations

from collections.abc import Mapping

from enrich.compare.checks import entry_checks, version_statements
from enrich.compare.claims import claim_conflicts
from enrich.compare.conflicts import SEVERITY, cap_guessed, invalid_conflict, not_found_conflict
from enrich.compare.correct import correct_entry
from enrich.compare.duplicates import DuplicateFinder
from enrich.compare.rules import (
    author_conflicts,
    category_conflicts,
    title_conflicts,
    version_conflicts,
    withdrawn_conflicts,
)
from enrich.compare.versions import disagrees_with_latest, revise_for_versions, with_versions
from enrich.models import ArxivRecord, Conflict, DigestEntry

__all__ = [
    "SEVERITY",
    "DuplicateFinder",
    "compare_entry",
    "correct_entry",
    "disagrees_with_latest",
    "entry_conflicts",
    "invalid_conflict",
    "not_found_conflict",
    "with_versions",
]


def entry_conflicts(entry: DigestEntry) -> list[Conflict]:
    """Findings that need no arXiv record; for entries arXiv did not return."""
    return cap_guessed(entry_checks(entry, corrected=False), entry)


def compare_entry(
    entry: DigestEntry, record: ArxivRecord, versions: Mapping[int, ArxivRecord] | None = None
) -> list[Conflict]:
    """Every finding for `entry` (validated: canonical id, int version) against arXiv's `record`.

    Includes entry_conflicts' findings (with `fixed` set where the corrected entry repairs them).
    Order: withdrawn, versions, title, authors, categories, then claims. `versions` (number ->
    that version's own record, as enrich/versions.py fetched them) turns a title or author
    difference the digest's own version explains into changed_in_later_version.
    """
    if versions:
        record = with_versions(record, versions.values())  # their dates, for every message
    statements = version_statements(entry)  # the checks and the version rule both need them
    own = entry_checks(entry, corrected=True, record=record, statements=statements)
    out = withdrawn_conflicts(entry, record)
    out += version_conflicts(entry, record, statements)
    if own:
        out += [c for c in own if c.field == "version"]
    out += title_conflicts(entry, record)
    placeholder = False  # the checks report an author line that is a placeholder
    if own:
        mine = [c for c in own if c.field == "authors"]
        placeholder = any(c.kind == "authors_unverifiable" for c in mine)
        out += mine
    out += author_conflicts(entry, record, placeholder)
    if own:
        out += [c for c in own if c.field == "categories"]
    out += category_conflicts(entry, record)
    if own:
        out += [c for c in own if c.field not in ("version", "authors", "categories")]
    if entry.claims:
        out += claim_conflicts(entry.claims, record)
    if entry.version is not None and entry.version < record.latest_version:
        out = revise_for_versions(entry, record, versions or {}, out)
    return cap_guessed(out, entry)
