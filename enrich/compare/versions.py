"""Versions in words, and the digest's own version against later ones. Pure: no I/O.

  dated(record, n)                 "v1 (2024-03-18)"; "v2 (date unknown)" when no answer dated it
  with_versions(record, others)    the record, its `versions` completed from other answers (the
                                   records of single versions the look-up step fetched)
  disagrees_with_latest(entry, record)
                                   does the entry point at an older version AND differ from the
                                   latest in title or authors? (then its own version is worth a
                                   look-up: enrich/versions.py asks arXiv for it)
  revise_for_versions(entry, record, versions, conflicts)
                                   title_mismatch / authors_mismatch on the entry's own fields,
                                   held against the versions fetched (`versions`: number -> that
                                   version's record): right for the digest's version but changed
                                   later -> changed_in_later_version (info, fixed with the
                                   version); right for no version seen -> the warning stays and
                                   names the versions it was compared with. A summary's title or
                                   authors (claim_mismatch) the same way, but not `fixed`: the
                                   corrected entry carries no claims

The version that changed a field is the first version after the digest's whose field differs
from the digest's version. When a version between them was not fetched, the message says the
change came "by vK at the latest" rather than claim an exactness it does not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from enrich.compare.authors import compare_authors, describe_difference
from enrich.compare.conflicts import conflict, where
from enrich.compare.names import split_names
from enrich.compare.titles import compare_titles, describe_title
from enrich.models import ArxivRecord, ArxivVersion, Claim, Conflict, DigestEntry

__all__ = [
    "dated",
    "disagrees_with_latest",
    "revise_for_versions",
    "version_date",
    "with_versions",
]


def version_date(record: ArxivRecord, number: int) -> ArxivVersion:
    """What is known of version `number` of the record's paper (its date may be None)."""
    for known in record.versions:
        if known.version == number:
            return known
    return ArxivVersion(version=number)


def dated(record: ArxivRecord, number: int) -> str:
    """ "v3 (2024-06-02)", or "v3 (date unknown)"."""
    known = version_date(record, number)
    day = known.date.isoformat() if known.date else "date unknown"
    return f"v{number} ({day})"


def with_versions(record: ArxivRecord, others: Iterable[ArxivRecord]) -> ArxivRecord:
    """`record` with the versions other answers date added (a copy; the record if none adds)."""
    known = {v.version: v for v in record.versions}
    added = False
    for other in others:
        for v in other.versions:
            if v.date is not None and (v.version not in known or known[v.version].date is None):
                known[v.version] = v
                added = True
    if not added:
        return record
    return record.model_copy(update={"versions": [known[n] for n in sorted(known)]})


def _title_fits(title: str, version: ArxivRecord) -> bool:
    said = describe_title(compare_titles(title, version.title), "")
    return said is None or said[1] == "info"


def _authors_fit(entry: DigestEntry, version: ArxivRecord) -> bool:
    verdict = compare_authors(entry.authors, entry.authors_truncated, version.authors).verdict
    return verdict in ("ok", "truncated")


def _titles_differ(a: ArxivRecord, b: ArxivRecord) -> bool:
    return compare_titles(a.title, b.title).verdict != "equal"


def _authors_differ(a: ArxivRecord, b: ArxivRecord) -> bool:
    return compare_authors(a.authors, False, b.authors).verdict == "mismatch"


def disagrees_with_latest(entry: DigestEntry, record: ArxivRecord) -> bool:
    """The entry names an older version than arXiv's latest and its title or authors differ."""
    if entry.version is None or entry.version >= record.latest_version:
        return False
    if entry.title and entry.title.strip() and not _is_equal_title(entry.title, record.title):
        return True
    if entry.authors:
        result = compare_authors(entry.authors, entry.authors_truncated, record.authors)
        return result.verdict == "mismatch"
    return False


def _is_equal_title(title: str, latest: str) -> bool:
    return describe_title(compare_titles(title, latest), "") is None


def _changed_by(
    record: ArxivRecord,
    own: int,
    versions: Mapping[int, ArxivRecord],
    *,
    field: str,
) -> tuple[int, bool]:
    """The first version after `own` whose `field` differs from `own`'s, and whether every
    version in between was seen (exact) or only some (then: "at the latest")."""
    chain = {**versions, record.latest_version: record}
    base = chain[own]
    test = _titles_differ if field == "title" else _authors_differ
    expected = own + 1
    exact = True
    for number in sorted(n for n in chain if n > own):
        exact = exact and number == expected
        expected = number + 1
        if test(base, chain[number]):
            return number, exact
    return record.latest_version, exact


def _compared(record: ArxivRecord, versions: Mapping[int, ArxivRecord]) -> str:
    numbers = sorted({*versions, record.latest_version})
    names = [dated(record, n) for n in numbers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _changed(
    c: Conflict, entry: DigestEntry, record: ArxivRecord, versions: Mapping[int, ArxivRecord]
) -> Conflict:
    """The finding for a title or author list right for the linked version, changed later. On a
    further statement (a summary's, field "claims.*") it is not `fixed`: the corrected entry
    carries no claims."""
    assert entry.version is not None
    own = entry.version
    field = c.field or ""
    on_claim = field.startswith("claims.")
    number, exact = _changed_by(record, own, versions, field=field.removeprefix("claims."))
    by = dated(record, number) if exact else f"{dated(record, number)} at the latest"
    what = "title" if field.endswith("title") else "author list"
    if on_claim:
        claim = _claim(c, entry)
        place = where(claim.origin if claim is not None else "entry", c.line)
        message = (
            f"The {what} in {place} is that of {dated(record, own)}, the version the entry "
            f"links; {by} changed it."
        )
    else:
        change = ""
        if field == "authors":
            result = compare_authors(entry.authors, entry.authors_truncated, record.authors)
            change = f" (against the latest: {describe_difference(result)})"
        message = (
            f"The digest's {what} is that of {dated(record, own)}, the version it links; "
            f"{by} changed it{change}. Update both to arXiv's latest, "
            f"{dated(record, record.latest_version)}."
        )
    return conflict(
        "changed_in_later_version",
        message,
        field=field,
        digest=c.digest,
        arxiv=c.arxiv,
        fixed=not on_claim,
        line=c.line,
        version=version_date(record, number),
    )


def _unexplained(
    c: Conflict, entry: DigestEntry, record: ArxivRecord, versions: Mapping[int, ArxivRecord]
) -> Conflict:
    assert entry.version is not None
    compared = _compared(record, versions)
    if entry.version in versions:
        note = f" It matches none of the versions compared: {compared}."
    else:
        note = (
            f" Compared with {compared} only: the digest's own {dated(record, entry.version)} "
            "could not be fetched."
        )
    return c.model_copy(update={"message": c.message + note})


def revise_for_versions(
    entry: DigestEntry,
    record: ArxivRecord,
    versions: Mapping[int, ArxivRecord],
    conflicts: list[Conflict],
) -> list[Conflict]:
    """The conflicts, with the entry's title/author mismatches held against its own version."""
    own = entry.version
    if own is None or own >= record.latest_version:
        return conflicts
    mine = versions.get(own)
    out: list[Conflict] = []
    for c in conflicts:
        if c.kind == "title_mismatch" and c.field == "title" and entry.title:
            if mine is not None and _title_fits(entry.title, mine) and _titles_differ(mine, record):
                c = _changed(c, entry, record, versions)
            elif c.severity != "info":
                c = _unexplained(c, entry, record, versions)
        elif c.kind == "authors_mismatch" and c.field == "authors":
            if mine is not None and _authors_fit(entry, mine) and _authors_differ(mine, record):
                c = _changed(c, entry, record, versions)
            else:
                c = _unexplained(c, entry, record, versions)
        elif c.kind == "claim_mismatch" and c.field in ("claims.title", "claims.authors"):
            if mine is not None and _claim_fits(c, entry, mine, record):
                c = _changed(c, entry, record, versions)
            elif c.severity != "info":
                c = _unexplained(c, entry, record, versions)
        out.append(c)
    if any(c.kind == "changed_in_later_version" and c.field == "authors" for c in out):
        # a list cut short of the latest is explained by the same later change, and the version's
        # fix writes the latest's full list (cut or not): one finding, not two
        out = [c for c in out if not (c.kind == "authors_truncated" and c.field == "authors")]
    return out


def _claim(c: Conflict, entry: DigestEntry) -> Claim | None:
    field = (c.field or "").removeprefix("claims.")
    return next((x for x in entry.claims if x.field == field and x.line == c.line), None)


def _claim_fits(c: Conflict, entry: DigestEntry, mine: ArxivRecord, latest: ArxivRecord) -> bool:
    """A summary's title or author list that is the digest's own version's, changed later."""
    claim = _claim(c, entry)
    if claim is None or not isinstance(claim.value, str | list):
        return False
    if c.field == "claims.title":
        return (
            isinstance(claim.value, str)
            and _title_fits(claim.value, mine)
            and _titles_differ(mine, latest)
        )
    names, cut = split_names(claim.value)
    verdict = compare_authors(names, claim.authors_truncated or cut, mine.authors).verdict
    return verdict in ("ok", "truncated") and _authors_differ(mine, latest)
