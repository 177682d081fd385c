"""The records that flow through arxiv-enrich (pydantic models; field names are a contract).

DigestEntry   one paper as a digest states it (what `enrich ingest` writes, one per line)
Claim         a further statement an entry makes about its paper (a summary's authors, a link)
ArxivRecord   what arXiv says about the paper (latest version)
Conflict      one disagreement between the digest and arXiv
EnrichedEntry what `enrich run` writes, one per input entry

See ../shared/docs/design.md, "Contracts other programs rely on". Do not rename fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ArxivRecord",
    "ArxivVersion",
    "Claim",
    "Conflict",
    "ConflictKind",
    "CorrectedEntry",
    "DigestEntry",
    "EnrichedEntry",
    "FileSummary",
    "Provenance",
    "RunSummary",
    "Severity",
    "Source",
    "Status",
    "construct_valid",
    "record_json",
]

Severity = Literal["info", "warning", "error"]
Status = Literal["enriched", "not_found", "invalid", "unavailable"]
# How a field of an entry was read: a column, key or tag; a label ("Authors:"); or a guess from
# layout (the first emphasised text, the heading). A conflict resting on a guess is at most info.
Provenance = Literal["structured", "labelled", "guessed"]
ConflictKind = Literal[
    "authors_truncated",
    "authors_mismatch",
    "author_name_order",
    "authors_unverifiable",
    "changed_in_later_version",
    "version_stale",
    "version_ahead",
    "version_inconsistent",
    "title_mismatch",
    "category_mismatch",
    "category_invalid",
    "not_found",
    "withdrawn",
    "duplicate",
    "claim_mismatch",
    "invalid_entry",
]

CONFLICT_KINDS: tuple[str, ...] = ConflictKind.__args__  # type: ignore[attr-defined]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


_M = TypeVar("_M", bound=_Model)
_FIELD_ORDER: dict[type[_Model], tuple[str, ...]] = {}
_set = object.__setattr__


def construct_valid(cls: type[_M], **values: Any) -> _M:
    """`cls(**values)` without validating again, for values that already have their fields'
    types (what model_construct is for; made for every entry, where model_construct costs more
    than the validation it saves: it looks up aliases and defaults field by field). Given every
    field in the model's order, the model is made as model_construct makes it; given anything
    else, it is validated. The caller's test holds the result equal to the validated model."""
    order = _FIELD_ORDER.get(cls)
    if order is None:
        order = _FIELD_ORDER[cls] = tuple(cls.model_fields)
    if tuple(values) != order:
        return cls(**values)  # a field left to its default, or another order (the JSON's)
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(order))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


class Source(_Model):
    """Where an entry stands: the file, the 1-based line of its start, and the format parsed."""

    path: str
    line: int | None = None
    format: str


class Claim(_Model):
    """A further statement about the paper inside one entry.

    field:  "authors" (list of names), "arxiv_id" (an id, URL or DOI as written, maybe versioned),
            "title", "categories" (list), "date" (ISO)
    origin: where it was read, e.g. "summary", "summary link", "pdf link", "code link"
    """

    field: str
    value: str | list[str] | int | None
    line: int | None = None
    origin: str
    authors_truncated: bool = False


class DigestEntry(_Model):
    """One paper as the digest states it. `arxiv_id` is canonical (no version) once validated."""

    arxiv_id: str | None = None
    version: int | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    authors_truncated: bool = False
    categories: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    abstract: str | None = None
    comment: str | None = None
    links: list[str] = Field(default_factory=list)
    source: Source
    claims: list[Claim] = Field(default_factory=list)
    provenance: dict[str, Provenance] = Field(default_factory=dict)  # field name -> how it was read
    status: Literal["valid", "invalid"] = "valid"
    error: str | None = None


class ArxivVersion(_Model):
    """One version of a paper as far as it is known: its number and the day it was submitted."""

    version: int
    date: dt.date | None = None


class ArxivRecord(_Model):
    """What the arXiv API says about one paper (its latest version unless asked otherwise)."""

    arxiv_id: str
    latest_version: int
    title: str
    authors: list[str]
    affiliations: list[list[str]] = Field(default_factory=list)
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list)
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    abstract: str = ""
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    abs_url: str
    pdf_url: str
    html_url: str
    arxiv_doi: str
    withdrawn: bool = False
    # every version known, oldest first: the latest's from `updated`, v1's from `published`,
    # others from version look-ups (enrich/versions.py) or a mirror that knows them all
    versions: list[ArxivVersion] = Field(default_factory=list)


# an ArxivRecord as JSON, UTF-8 bytes: what model_dump_json gives, without its decoding
record_json = ArxivRecord.__pydantic_serializer__.to_json


class Conflict(_Model):
    kind: ConflictKind
    severity: Severity
    field: str | None = None
    digest: Any = None
    arxiv: Any = None
    message: str
    fixed: bool = False
    line: int | None = None
    # changed_in_later_version: the version (and its date) that changed the digest's value
    version: ArxivVersion | None = None


class CorrectedEntry(_Model):
    """The entry with everything fixable fixed from arXiv's record."""

    arxiv_id: str
    version: int
    title: str
    authors: list[str]
    authors_truncated: bool = False
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    abstract: str | None = None
    links: list[str] = Field(default_factory=list)
    abs_url: str
    pdf_url: str
    html_url: str
    arxiv_doi: str


class EnrichedEntry(_Model):
    arxiv_id: str | None
    status: Status
    source: Source
    digest: DigestEntry
    arxiv: ArxivRecord | None = None
    corrected: CorrectedEntry | None = None
    conflicts: list[Conflict] = Field(default_factory=list)
    error: str | None = None


class FileSummary(_Model):
    path: str
    format: str | None = None
    entries: int = 0
    invalid: int = 0
    error: str | None = None  # the file could not be read at all


class RunSummary(_Model):
    """What a run did: the counts a person reads first, and the cost of asking arXiv."""

    entries: int = 0
    statuses: dict[str, int] = Field(default_factory=dict)  # status -> count
    conflicts: dict[str, dict[str, int]] = Field(default_factory=dict)  # kind -> severity -> count
    files: list[FileSummary] = Field(default_factory=list)
    unique_ids: int = 0
    requests: int = 0
    cache_hits: int = 0
    mirror_hits: int = 0  # papers the local mirror answered (no request)
    retries: int = 0
    seconds: float = 0.0
    offline: bool = False
    cache_note: str | None = None  # e.g. "cache unusable: ...; ran without it"

    def count(self, severity: str) -> int:
        return sum(by_sev.get(severity, 0) for by_sev in self.conflicts.values())
