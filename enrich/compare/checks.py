"""The checks that need no arXiv record: an entry against itself and against arXiv's taxonomy.

  category_invalid      a category code arXiv never had (case is forgiven: CS.CV is cs.CV)
  version_inconsistent  the entry's main link, its other links and its claims name two versions
  authors_unverifiable  the entry or a claim gives a placeholder where names should be
                        ("[Authors' names not provided in the text]", "N/A", 未提供)

`fixed` says whether the corrected entry no longer carries the wrong value; without a record there
is no corrected entry, so the caller passes `corrected=False`. With a `record`, the versions named
carry their dates as far as the record knows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from enrich.compare.conflicts import conflict, where
from enrich.compare.names import is_placeholder
from enrich.compare.versions import dated
from enrich.errors import InvalidArxivId
from enrich.ids import ArxivId, find_arxiv_ids, parse_arxiv_id, try_parse
from enrich.models import ArxivRecord, Claim, Conflict, DigestEntry
from enrich.runtime import COMPARISON, regex, remembered
from enrich.taxonomy import taxonomy

__all__ = [
    "VersionStatement",
    "canonical_category",
    "category_codes",
    "claim_id",
    "entry_checks",
    "entry_codes",
    "link_version",
    "looks_like_arxiv_id",
    "page_version",
    "version_statements",
]

_ARXIV_LIKE = regex(r"arxiv|(?<![\w./])\d{4}\.\d{3,6}(?:v\d+)?(?![\w.])", re.IGNORECASE)


@lru_cache(maxsize=4096)
def canonical_category(code: str) -> str | None:
    """The canonical code (aliases and subsumed archives folded, case fixed), None if unknown."""
    known = taxonomy().fix_case(code.strip())
    if known is None:
        return None
    tax = taxonomy()
    known = tax.canonical(known)
    return tax.canonical(tax.archives_subsumed.get(known, known))


def claim_id(value: object) -> ArxivId | None:
    """The arXiv id a claim states: the whole value parsed, else the first id found in it."""
    if not isinstance(value, str):
        return None
    parsed = try_parse(value)
    if parsed is None:
        parsed = next((m.arxiv_id for m in find_arxiv_ids(value)), None)
    return parsed


_NEW_STYLE = regex(r"[0-9]{4}\.[0-9]{4,5}")
_PAGES = ("https://arxiv.org/abs/", "https://arxiv.org/pdf/")  # 22 characters each
_VERSION = regex(r"v0*[1-9][0-9]*")


def page_version(link: str, arxiv_id: str | None) -> int | None:
    """What try_parse says of the link nearly every entry holds, without the parse: for the abs
    or pdf page of `arxiv_id` (a canonical new-style id), bare or with a version from v1, the
    version (0: none); None for any other link, which try_parse has to read."""
    if not arxiv_id or not link.startswith(_PAGES) or not link.startswith(arxiv_id, 22):
        return None
    number = link[22 + len(arxiv_id) :]
    if number and (number[0] != "v" or _VERSION.fullmatch(number) is None):
        return None
    if _NEW_STYLE.fullmatch(arxiv_id) is None:
        return None
    try:  # the id's own check (month, digits): the parse's, memoised (validation asked it first)
        valid = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        return None
    if valid.id != arxiv_id or valid.version is not None:
        return None
    return int(number[1:]) if number else 0


@remembered(1024, COMPARISON)  # the corrected view and the version rule ask of the same links
def link_version(link: str, arxiv_id: str | None) -> int | None:
    """The version (0: none) a link to an arXiv page of `arxiv_id` names; None for a link to
    anything else. page_version's quick answer for the usual link, else the full parse's."""
    version = page_version(link, arxiv_id)
    if version is not None:
        return version
    parsed = try_parse(link)
    if parsed is None or not arxiv_id or parsed.id != arxiv_id:
        return None
    return parsed.version or 0


def looks_like_arxiv_id(value: object) -> bool:
    """A claim value that means to be an arXiv id (names arXiv, or has the YYMM.NNNNN shape)."""
    return isinstance(value, str) and _ARXIV_LIKE.search(value) is not None


class VersionStatement(NamedTuple):  # made for every entry: a named tuple is quickest to make
    version: int
    origin: str  # "main link", "link", or the claim's origin
    line: int | None
    in_entry: bool  # the main link or the entry's links: the corrected entry replaces them


def version_statements(entry: DigestEntry) -> list[VersionStatement]:
    """Every version the entry names for its own paper, in order: main link, links, claims."""
    out: list[VersionStatement] = []
    line = entry.source.line
    if entry.version is not None:
        out.append(VersionStatement(entry.version, "main link", line, True))
    for link in entry.links:
        version = link_version(link, entry.arxiv_id)
        if version and all(s.version != version for s in out):  # the main link is among them
            out.append(VersionStatement(version, "link", line, True))
    for claim in entry.claims:
        if claim.field == "arxiv_id":
            parsed = claim_id(claim.value)
            if parsed and parsed.id == entry.arxiv_id and parsed.version is not None:
                out.append(VersionStatement(parsed.version, claim.origin, claim.line, False))
    return out


def category_codes(value: object) -> list[str]:
    """Category codes from a list or a "cs.CV, cs.LG" string, stripped, without repeats."""
    if isinstance(value, str):
        items: list[object] = list(re.split(r"[\s,;]+", value))
    else:
        items = list(value) if isinstance(value, list) else []
    return list(dict.fromkeys(str(c).strip().strip("[]()`") for c in items if str(c).strip()))


@remembered(8192, COMPARISON)  # an entry's list is one of a few thousand, asked about twice
def entry_codes(categories: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An entry's categories as (the known codes, canonical; the codes arXiv never had)."""
    codes = category_codes(list(categories))
    known = tuple(c for c in (canonical_category(x) for x in codes) if c)
    return known, tuple(c for c in codes if c and canonical_category(c) is None)


def _invalid_categories(
    codes: Iterable[str], field: str, line: int | None, fixed: bool
) -> list[Conflict]:
    out: list[Conflict] = []
    for code in codes:
        if code and canonical_category(code) is None:
            out.append(
                conflict(
                    "category_invalid",
                    f"{code!r} is not an arXiv category.",
                    field=field,
                    digest=code,
                    fixed=fixed,
                    line=line,
                )
            )
    return out


def _version_inconsistent(
    statements: list[VersionStatement], corrected: bool, record: ArxivRecord | None
) -> list[Conflict]:
    if len(statements) < 2:
        return []  # (nearly every entry: its main link alone, or the same version again)
    versions = list(dict.fromkeys(s.version for s in statements))
    if len(versions) < 2:
        return []
    first = statements[0]
    other = next(s for s in statements if s.version != first.version)
    named = "; ".join(
        (dated(record, v) if record is not None else f"v{v}")
        + " in "
        + ", ".join(where(s.origin, s.line) for s in statements if s.version == v)
        for v in versions
    )
    return [
        conflict(
            "version_inconsistent",
            f"The entry names {len(versions)} versions of the paper: {named}.",
            field="version",
            digest=versions,
            fixed=corrected and all(s.in_entry for s in statements),
            line=other.line,
        )
    ]


def _placeholder(value: object) -> str | None:
    if isinstance(value, str):
        text = value
    elif isinstance(value, list):
        text = ", ".join(map(str, value))
    else:
        return None
    return text.strip() if is_placeholder(text) else None


def _placeholders(entry: DigestEntry, corrected: bool) -> list[Conflict]:
    out: list[Conflict] = []
    text = _placeholder(entry.authors) if entry.authors else None
    if text is not None:
        out.append(
            conflict(
                "authors_unverifiable",
                f"The entry's author line is a placeholder ({text!r}), not a list of names.",
                field="authors",
                digest=entry.authors,
                fixed=corrected,
                line=entry.source.line,
            )
        )
    for claim in entry.claims:
        text = _placeholder(claim.value) if claim.field == "authors" else None
        if text is not None:
            out.append(_claim_placeholder(claim, text))
    return out


def _claim_placeholder(claim: Claim, text: str) -> Conflict:
    return conflict(
        "authors_unverifiable",
        f"The author list in {where(claim.origin, claim.line)} is a placeholder ({text!r}), "
        "not a list of names.",
        field="claims.authors",
        digest=claim.value,
        line=claim.line,
    )


def entry_checks(
    entry: DigestEntry,
    *,
    corrected: bool,
    record: ArxivRecord | None = None,
    statements: list[VersionStatement] | None = None,
) -> list[Conflict]:
    """Record-free findings for one entry (see the module docstring). `statements`: the entry's
    version_statements when the caller has them already (compare_entry needs them twice)."""
    unknown = entry_codes(tuple(entry.categories))[1]
    out = _invalid_categories(unknown, "categories", entry.source.line, corrected)
    for claim in entry.claims:
        if claim.field == "categories":
            codes = category_codes(claim.value)
            out += _invalid_categories(codes, "claims.categories", claim.line, False)
    if statements is None:
        statements = version_statements(entry)
    out += _version_inconsistent(statements, corrected, record)
    out += _placeholders(entry, corrected)
    return out
