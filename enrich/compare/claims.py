"""The entry's further statements (claims) against arXiv's record.

A contradiction is a claim_mismatch (warning) carrying the claimed value, arXiv's value and the
claim's line; its field is "claims.<field>". The corrected entry has no claims, so nothing here is
`fixed`. By field:
  authors     the author rules (authors.py): a list cut with "et al." / 等 that is a prefix of
              arXiv's passes; names family-first -> author_name_order (info); names in a script
              arXiv does not use -> authors_unverifiable (info); missing, extra or moved names ->
              claim_mismatch; a placeholder is reported by the record-free checks (checks.py)
  arxiv_id    another paper's id -> claim_mismatch; another version of this paper is left to the
              version rules; a value that means to be an arXiv id but is malformed ("2408.1422")
              -> claim_mismatch; a value that is no arXiv id at all (a journal DOI) is ignored
  title       the title rules: a translation (no Latin letters) is ignored, a prefix is a
              claim_mismatch of severity info, any other difference a warning
  categories  a known code arXiv does not give the paper -> claim_mismatch (unknown codes are
              category_invalid, from checks.py)
  date and any other field are not checked (a digest's date is usually its listing date).
"""

from __future__ import annotations

from enrich.compare.authors import compare_authors, describe_difference, short_list
from enrich.compare.checks import (
    canonical_category,
    category_codes,
    claim_id,
    looks_like_arxiv_id,
)
from enrich.compare.conflicts import conflict, where
from enrich.compare.names import is_placeholder, script_names, split_names
from enrich.compare.titles import compare_titles, describe_title
from enrich.models import ArxivRecord, Claim, Conflict, ConflictKind

__all__ = ["claim_conflicts"]


def _authors(claim: Claim, record: ArxivRecord) -> list[Conflict]:
    value = claim.value
    if not isinstance(value, str | list) or not value:
        return []
    if is_placeholder(value if isinstance(value, str) else ", ".join(map(str, value))):
        return []
    names, cut = split_names(value)
    result = compare_authors(names, claim.authors_truncated or cut, record.authors)
    place = where(claim.origin, claim.line)

    def found(kind: ConflictKind, message: str) -> Conflict:
        return conflict(
            kind,
            message,
            field="claims.authors",
            digest=names,
            arxiv=record.authors,
            line=claim.line,
        )

    if result.verdict == "unverifiable":
        scripts = script_names(result.scripts)
        message = f"The author list in {place} is in a script arXiv does not use ({scripts})."
        return [found("authors_unverifiable", message)]
    if result.verdict == "mismatch":
        message = f"The author list in {place} contradicts arXiv's: {describe_difference(result)}."
        return [found("claim_mismatch", message)]
    if result.swapped:
        message = f"The author list in {place} writes family names first: " + short_list(
            result.swapped
        )
        return [found("author_name_order", message + ".")]
    return []


def _arxiv_id(claim: Claim, record: ArxivRecord) -> list[Conflict]:
    parsed = claim_id(claim.value)
    place = where(claim.origin, claim.line)
    if parsed is None:
        if not looks_like_arxiv_id(claim.value):
            return []
        message = f"{place.capitalize()} gives {claim.value!r}, which is not a valid arXiv id."
    elif parsed.id != record.arxiv_id:
        message = (
            f"{place.capitalize()} points at arXiv:{parsed.versioned}, "
            f"another paper than arXiv:{record.arxiv_id}."
        )
    else:
        return []
    return [
        conflict(
            "claim_mismatch",
            message,
            field="claims.arxiv_id",
            digest=claim.value,
            arxiv=record.arxiv_id,
            line=claim.line,
        )
    ]


def _title(claim: Claim, record: ArxivRecord) -> list[Conflict]:
    if not isinstance(claim.value, str) or not claim.value.strip():
        return []
    place = where(claim.origin, claim.line)
    said = describe_title(compare_titles(claim.value, record.title), f"The title in {place}")
    if said is None:
        return []
    message, severity = said
    return [
        conflict(
            "claim_mismatch",
            message,
            field="claims.title",
            digest=claim.value,
            arxiv=record.title,
            line=claim.line,
            severity=severity,
        )
    ]


def _categories(claim: Claim, record: ArxivRecord) -> list[Conflict]:
    arxiv = {canonical_category(c) or c for c in record.categories}
    if record.primary_category:
        arxiv.add(canonical_category(record.primary_category) or record.primary_category)
    if not arxiv:
        return []
    codes = category_codes(claim.value)
    known = [canonical_category(c) for c in codes]
    foreign = [c for c, k in zip(codes, known, strict=True) if k is not None and k not in arxiv]
    if not foreign:
        return []
    return [
        conflict(
            "claim_mismatch",
            f"{where(claim.origin, claim.line).capitalize()} gives the category "
            f"{short_list(foreign)}, which arXiv does not.",
            field="claims.categories",
            digest=codes,
            arxiv=record.categories,
            line=claim.line,
        )
    ]


_BY_FIELD = {"authors": _authors, "arxiv_id": _arxiv_id, "title": _title, "categories": _categories}


def claim_conflicts(claims: list[Claim], record: ArxivRecord) -> list[Conflict]:
    """Findings for every claim of one entry, in the claims' order."""
    out: list[Conflict] = []
    for claim in claims:
        check = _BY_FIELD.get(claim.field)
        if check is not None:
            out += check(claim, record)
    return out
