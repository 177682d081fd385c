"""Building Conflict records: the default severities, and the wording of the pipeline's findings.

`not_found_conflict` and `invalid_conflict` are here so that every sentence a report shows comes
from one package; the pipeline makes those two (it alone knows an id is unknown or unparseable).
"""

from __future__ import annotations

from typing import Any

from enrich.ids import format_id
from enrich.models import (
    ArxivVersion,
    Conflict,
    ConflictKind,
    DigestEntry,
    Severity,
    construct_valid,
)

__all__ = [
    "SEVERITY",
    "cap_guessed",
    "conflict",
    "invalid_conflict",
    "not_found_conflict",
    "where",
]

SEVERITY: dict[ConflictKind, Severity] = {
    "authors_truncated": "info",
    "authors_mismatch": "warning",
    "author_name_order": "info",
    "authors_unverifiable": "info",
    "changed_in_later_version": "info",
    "version_stale": "warning",
    "version_ahead": "error",
    "version_inconsistent": "warning",
    "title_mismatch": "warning",
    "category_mismatch": "warning",
    "category_invalid": "warning",
    "not_found": "error",
    "withdrawn": "warning",
    "duplicate": "warning",
    "claim_mismatch": "warning",
    "invalid_entry": "error",
}


def conflict(
    kind: ConflictKind,
    message: str,
    *,
    field: str | None = None,
    digest: Any = None,
    arxiv: Any = None,
    fixed: bool = False,
    line: int | None = None,
    severity: Severity | None = None,
    version: ArxivVersion | None = None,
) -> Conflict:
    """A Conflict with the default severity of its kind unless one is given."""
    return construct_valid(  # the types are the signature's (a test holds it)
        Conflict,
        kind=kind,
        severity=severity or SEVERITY[kind],
        field=field,
        digest=digest,
        arxiv=arxiv,
        message=message,
        fixed=fixed,
        line=line,
        version=version,
    )


def _rests_on(found: Conflict) -> tuple[str, ...]:
    """The entry fields a finding rests on (a same-title duplicate rests on title and authors)."""
    if found.field is None or found.field.startswith("claims."):
        return ()
    if found.kind == "duplicate" and found.field == "title":
        return ("title", "authors")
    return (found.field,)


def cap_guessed(found: list[Conflict], entry: DigestEntry) -> list[Conflict]:
    """A finding that rests on a field the reader guessed from layout (provenance "guessed") is
    at most info: a guess never raises a warning. The message says why."""
    guessed = {f for f, how in entry.provenance.items() if how == "guessed"}
    if not guessed:
        return found
    out: list[Conflict] = []
    for c in found:
        fields = [f for f in _rests_on(c) if f in guessed]
        if fields and c.severity != "info":
            note = f" (info only: the digest's {' and '.join(fields)} was guessed from its layout)"
            c = c.model_copy(update={"severity": "info", "message": c.message + note})
        out.append(c)
    return out


def where(origin: str, line: int | None) -> str:
    """Where a statement stands, as words: "the summary (line 231)"."""
    return f"the {origin} (line {line})" if line is not None else f"the {origin}"


def not_found_conflict(entry: DigestEntry, reason: str) -> Conflict:
    """arXiv does not know the entry's id; `reason` says how that was established."""
    written = format_id(entry.arxiv_id, entry.version) if entry.arxiv_id else None
    reason = reason.strip().rstrip(".")
    return conflict(
        "not_found",
        f"arXiv has no paper {written or '(no id)'}" + (f": {reason}." if reason else "."),
        field="arxiv_id",
        digest=written,
        line=entry.source.line,
    )


def invalid_conflict(entry: DigestEntry, reason: str) -> Conflict:
    """The entry could not be validated (no id, a malformed id); `reason` in plain words."""
    reason = reason.strip().rstrip(".")
    return conflict(
        "invalid_entry",
        "The entry cannot be checked against arXiv" + (f": {reason}." if reason else "."),
        field="arxiv_id",
        digest=entry.arxiv_id,
        line=entry.source.line,
    )
