"""The entry's own fields against arXiv's record: withdrawal, versions, title, authors, categories.

Every finding here is on a field the corrected entry replaces with arXiv's value, so `fixed` is
true, except a version only a claim names (the corrected entry has no claims; see claims.py).

Rules where the issue left a choice:
  * versions: every distinct version the entry names (main link, links, claims) is held against the
    latest, each named with its date as far as `record.versions` knows it: older ->
    version_stale, newer -> version_ahead, one finding per version; no version means "the
    latest" and is never stale; a version only a claim names, beside another version in the entry
    itself, is left to version_inconsistent (one slip, one finding);
  * title: a digest title cut with "..." / "…" that begins arXiv's passes; one cut at a word without
    an ellipsis is a title_mismatch of severity info; anything else a warning with the similarity;
  * categories: codes are compared canonically (cs.SY = eess.SY, chao-dyn = nlin.CD); unknown codes
    are left to category_invalid and not counted again here.
"""

from __future__ import annotations

from enrich.compare.authors import compare_authors, describe_difference, short_list
from enrich.compare.checks import (
    VersionStatement,
    canonical_category,
    entry_codes,
    version_statements,
)
from enrich.compare.conflicts import conflict, where
from enrich.compare.names import is_placeholder, script_names
from enrich.compare.titles import compare_titles, describe_title
from enrich.compare.versions import dated
from enrich.models import ArxivRecord, Conflict, ConflictKind, DigestEntry
from enrich.runtime import COMPARISON, remembered

__all__ = [
    "author_conflicts",
    "category_conflicts",
    "primary_of",
    "title_conflicts",
    "version_conflicts",
    "withdrawn_conflicts",
]


def primary_of(record: ArxivRecord) -> str | None:
    return record.primary_category or (record.categories[0] if record.categories else None)


def withdrawn_conflicts(entry: DigestEntry, record: ArxivRecord) -> list[Conflict]:
    if not record.withdrawn:
        return []
    note = f" ({record.comment.strip()})" if record.comment and record.comment.strip() else ""
    return [
        conflict(
            "withdrawn",
            f"arXiv:{record.arxiv_id} was withdrawn in {dated(record, record.latest_version)}"
            f"{note}.",
            field="withdrawn",
            arxiv=record.comment or True,
            line=entry.source.line,
        )
    ]


def _places(statements: list[VersionStatement]) -> str:
    return ", ".join(dict.fromkeys(where(s.origin, s.line) for s in statements))


def version_conflicts(
    entry: DigestEntry, record: ArxivRecord, statements: list[VersionStatement] | None = None
) -> list[Conflict]:
    """`statements`: the entry's version_statements when the caller has them already."""
    latest = record.latest_version
    out: list[Conflict] = []
    if statements is None:
        statements = version_statements(entry)
    if all(s.version == latest for s in statements):
        return out  # (most entries: none, or the latest)
    for version in dict.fromkeys(s.version for s in statements):
        these = [s for s in statements if s.version == version]
        if version == latest:
            continue
        if entry.version is not None and not any(s.in_entry for s in these):
            # only a claim names this version and the entry names another: that is already
            # version_inconsistent; calling it stale or ahead too would report one slip twice
            continue
        kind: ConflictKind = "version_stale" if version < latest else "version_ahead"
        message = (
            f"The digest points at {dated(record, version)} in {_places(these)}; "
            f"arXiv's latest is {dated(record, latest)}."
            if version < latest
            else f"The digest points at v{version} in {_places(these)}, but arXiv has only "
            + (
                f"{dated(record, 1)} to {dated(record, latest)}."
                if latest > 1
                else f"{dated(record, 1)}."  # not "v1 (2025-03-28) to v1 (2025-03-28)"
            )
        )
        field = "version" if these[0].in_entry else "claims.arxiv_id"
        out.append(
            conflict(
                kind,
                message,
                field=field,
                digest=version,
                arxiv=latest,
                fixed=all(s.in_entry for s in these),
                line=these[0].line,
            )
        )
    return out


def title_conflicts(entry: DigestEntry, record: ArxivRecord) -> list[Conflict]:
    if not entry.title or not entry.title.strip():
        return []
    said = describe_title(compare_titles(entry.title, record.title), "The digest's title")
    if said is None:
        return []
    message, severity = said
    return [
        conflict(
            "title_mismatch",
            message,
            field="title",
            digest=entry.title,
            arxiv=record.title,
            fixed=True,
            line=entry.source.line,
            severity=severity,
        )
    ]


def author_conflicts(
    entry: DigestEntry, record: ArxivRecord, placeholder: bool | None = None
) -> list[Conflict]:
    """`placeholder`: whether the entry's author line is a placeholder, when the caller knows."""
    if placeholder is None:
        placeholder = bool(entry.authors) and is_placeholder(", ".join(entry.authors))
    if not entry.authors or placeholder:
        return []  # nothing to compare; a placeholder is reported by the record-free checks
    result = compare_authors(entry.authors, entry.authors_truncated, record.authors)

    def found(kind: ConflictKind, message: str) -> Conflict:
        return conflict(
            kind,
            message,
            field="authors",
            digest=entry.authors,
            arxiv=record.authors,
            fixed=True,
            line=entry.source.line,
        )

    if result.verdict == "unverifiable":
        scripts = script_names(result.scripts)
        return [
            found(
                "authors_unverifiable",
                f"The digest writes the authors in a script arXiv does not use ({scripts}).",
            )
        ]
    n_d, n_a = len(entry.authors), len(record.authors)
    if result.verdict == "mismatch":
        message = f"The author list differs from arXiv's: {describe_difference(result)}."
        out = [found("authors_mismatch", message)]
        if result.cut:  # cut and reordered: the cut is a finding of its own, and fixable
            message = f"The digest cuts the list after {n_d} of {n_a} authors."
            out.append(found("authors_truncated", message))
        return out
    out = []
    if result.verdict == "truncated":
        message = f"The digest lists the first {n_d} of {n_a} authors."
        out.append(found("authors_truncated", message))
    if result.swapped:
        message = f"The digest writes family names first: {short_list(result.swapped)}."
        out.append(found("author_name_order", message))
    return out


@remembered(8192, COMPARISON)  # a record's categories are one of a few thousand lists
def _arxiv_codes(primary: str, categories: tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """arXiv's primary category and all its categories, canonical (a code the taxonomy does not
    know as it is)."""
    arxiv_primary = canonical_category(primary) or primary
    return arxiv_primary, frozenset({canonical_category(c) or c for c in categories}) | {
        arxiv_primary
    }


def category_conflicts(entry: DigestEntry, record: ArxivRecord) -> list[Conflict]:
    digest = entry_codes(tuple(entry.categories))[0]
    primary = primary_of(record)
    if not digest or primary is None:
        return []
    arxiv_primary, arxiv_all = _arxiv_codes(primary, tuple(record.categories))
    if digest[0] == arxiv_primary and arxiv_all.issuperset(digest):
        return []
    reasons = []
    if digest[0] != arxiv_primary:
        reasons.append(f"lists {digest[0]} first where arXiv's primary category is {primary}")
    extra = [c for c in digest if c not in arxiv_all]
    if extra:
        reasons.append(f"gives {short_list(extra)}, which arXiv does not")
    if not reasons:
        return []
    return [
        conflict(
            "category_mismatch",
            f"The digest {' and '.join(reasons)}.",
            field="categories",
            digest=entry.categories,
            arxiv=[primary, *[c for c in record.categories if c != primary]],
            fixed=True,
            line=entry.source.line,
        )
    ]
