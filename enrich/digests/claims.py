"""The entry's arXiv id and the further ids it states, as claims: the one home of that rule.

Not a format (the registry only takes modules that define FORMAT). Pure functions, no I/O.

  WrittenId                 one writing of an arXiv id: as written, parsed, where, and its origin
  main_id_and_claims(...)   the entry's id (the first writing; a same-paper writing with a version
                            gives the version) and every other (id, version) once, as claims
  id_claims(...)            the arXiv ids stated in a block outside its main link, as claims
  claim_of(written)         one writing as an `arxiv_id` Claim
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from enrich.digests.links import is_arxiv_url, links_in
from enrich.digests.text import line_of
from enrich.ids import ArxivId, find_arxiv_ids
from enrich.models import Claim

__all__ = ["MainId", "WrittenId", "claim_of", "id_claims", "main_id_and_claims"]


@dataclass(frozen=True, slots=True)
class WrittenId:
    """One writing of an arXiv id in an entry: the text as written, what it parses to, the line
    it stands on and where it came from ("bibtex eprint", "link", "pdf link", "text")."""

    written: str
    parsed: ArxivId
    origin: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class MainId:
    """The entry's id as written, its version, and the other writings as claims."""

    written: str
    version: int | None
    claims: list[Claim] = field(default_factory=list)


def claim_of(found: WrittenId) -> Claim:
    return Claim(field="arxiv_id", value=found.written, line=found.line, origin=found.origin)


def main_id_and_claims(
    found: Sequence[WrittenId],
    *,
    versioned_form: bool = False,
    in_passing: Iterable[str] = (),
) -> MainId | None:
    """The entry's id and claims from its id writings, most trusted first (None when empty).

    The first writing names the paper. If it has no version, the first writing of the same paper
    that has one gives the version (with `versioned_form`, that writing also becomes the id as
    written: "2006.03654v2" says more than "2006.03654"). Every other (id, version) is a claim,
    once; a writing of the same paper without a version says nothing more. Another paper
    written with an origin in `in_passing` ("text") is named in passing, not claimed.
    """
    if not found:
        return None
    first = found[0]
    main = next(
        (f for f in found if f.parsed.id == first.parsed.id and f.parsed.version is not None),
        first,
    )
    passing = set(in_passing)
    seen = {(main.parsed.id, main.parsed.version)}
    claims: list[Claim] = []
    for f in found:
        pair = (f.parsed.id, f.parsed.version)
        if pair in seen or (f.parsed.id == main.parsed.id and f.parsed.version is None):
            continue
        if f.parsed.id != main.parsed.id and f.origin in passing:
            continue
        seen.add(pair)
        claims.append(claim_of(f))
    written = main.written if versioned_form else first.written
    return MainId(written=written, version=main.parsed.version, claims=claims)


def id_claims(
    text: str,
    first_line: int,
    skip: Iterable[tuple[int, int]] = (),
    *,
    bare: bool = True,
) -> list[Claim]:
    """arXiv ids stated in `text` (an entry's block starting at `first_line`) outside the spans in
    `skip` (the main link, an abstract), as `arxiv_id` claims with the value as written.

    The origin is the name of the link the id stands in ("pdf link", "code link") or "text".
    """
    spans = list(skip)
    links = [link for link in links_in(text) if not link.image]
    claims: list[Claim] = []
    for match in find_arxiv_ids(text, bare=bare):
        if any(start <= match.start < end for start, end in spans):
            continue
        holder = next((lk for lk in links if lk.start <= match.start < lk.end), None)
        origin = f"{holder.name.lower() or 'unnamed'} link" if holder else "text"
        written = match.text
        if holder is not None and match.text in holder.url:
            written = holder.url if is_arxiv_url(holder.url) else match.text
        line = first_line + line_of(text, match.start) - 1
        claims.append(claim_of(WrittenId(written, match.arxiv_id, origin, line)))
    return _dedupe(claims)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    """One claim per (value, line, origin): a link's text and target often repeat the same id."""
    seen: set[tuple[str, int | None, str]] = set()
    out: list[Claim] = []
    for claim in claims:
        key = (str(claim.value), claim.line, claim.origin)
        if key not in seen:
            seen.add(key)
            out.append(claim)
    return out
