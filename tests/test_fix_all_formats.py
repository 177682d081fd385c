"""Write-back on every real digest we have, one per format: with records that extend every cut
author list and move every versioned paper one version on, the corrected copy differs from the
original only in author lists and version numbers, and correcting it again changes nothing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, shared_path

from enrich.ingest import iter_entries, read_text
from enrich.models import ArxivRecord, DigestEntry
from enrich.pipeline import enrich_entries
from enrich.report.fix import fix_digest
from enrich.settings import load_settings
from enrich.testing.records import EXTRA_AUTHORS, records_agreeing

_VERSIONS = re.compile(r"(\d{4}\.\d{4,5}|/\d{7})v\d+")


@dataclass
class _Found:
    status: str
    record: ArxivRecord | None
    reason: str | None = None


class _Records:
    """A client stand-in for the pipeline (LookupSource): answers from a dict, no I/O."""

    def __init__(self, records: dict[str, ArxivRecord]) -> None:
        self.records = records

    def fetch(self, ids: object, progress: object = None) -> dict[str, _Found]:
        return {
            i: _Found("found", r) if (r := self.records.get(i)) else _Found("not_found", None)
            for i in ids  # type: ignore[attr-defined]
        }


def _records(entries: list[DigestEntry]) -> dict[str, ArxivRecord]:
    """Every valid entry's paper, one version further, with every cut list completed."""

    def plant(n: int, entry: DigestEntry, fields: dict[str, Any]) -> bool:
        fields["latest_version"] += 1 if entry.version else 0
        fields.setdefault("primary_category", "cs.LG")
        fields.setdefault("categories", ["cs.LG"])
        return True

    valid = [e for e in entries if e.status == "valid"]
    return {r.arxiv_id: r for r in records_agreeing(valid, plant=plant)}


def _files() -> list[Path]:
    roots = [SHARED / "seeds", SHARED / "corpus" / "digests"]
    found = [p for r in roots if r.exists() for p in sorted(r.rglob("*")) if p.is_file()]
    return [p for p in found if p.suffix in {".txt", ".md", ".bib", ".xml", ".html"}] or [
        Path("missing")
    ]


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_write_back_touches_only_authors_and_versions(path: Path) -> None:
    if not path.exists():
        shared_path("corpus")  # skips (or fails under CI) with a clear reason
    entries = list(iter_entries([path]))
    records = _records(entries)
    settings = load_settings(None, api_url="http://127.0.0.1:9/api/query")
    enriched = enrich_entries(entries, settings, client=_Records(records))
    text, _ = read_text(path)
    result = fix_digest(text, enriched)
    expected_kinds = {c.kind for e in enriched for c in e.conflicts} & {
        "authors_truncated",
        "version_stale",
    }
    if not expected_kinds:
        assert result.text == text
        return
    assert result.changes or result.left_alone  # something was fixed, or said why not
    fixed_kinds = {c.kind for c in result.changes}
    assert fixed_kinds <= expected_kinds
    for before, after in _changed_blocks(text, result.text):
        # version tokens aside, what changed is one span: a cut author list, now arXiv's list
        old, new = _middle(_VERSIONS.sub(r"\1vN", before), _VERSIONS.sub(r"\1vN", after))
        if old == new == "":
            continue  # only version numbers moved
        assert EXTRA_AUTHORS[0] in new and EXTRA_AUTHORS[0] not in old, (old, new)
        assert "\n" not in old.strip() or old.count("\n") == new.count("\n"), (old, new)
    for change in result.changes:
        assert change.kind in {"authors_truncated", "version_stale"}
    # a second pass, with the run redone on the corrected text, changes nothing
    again = enrich_entries(_reparse(result.text, path), settings, client=_Records(records))
    assert fix_digest(result.text, again).text == result.text


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _middle(a: str, b: str) -> tuple[str, str]:
    """a and b without their common beginning and end."""
    start = _common(a, b)
    end = _common(a[start:][::-1], b[start:][::-1])
    return a[start : len(a) - end], b[start : len(b) - end]


def _changed_blocks(old: str, new: str) -> list[tuple[str, str]]:
    """The runs of lines that differ (a line diff first: a character diff of a whole file is
    quadratic), each as (old text, new text)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    blocks = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            blocks.append(("".join(a[i1:i2]), "".join(b[j1:j2])))
    return blocks


def _reparse(text: str, path: Path) -> list[DigestEntry]:
    from enrich.digests import parse_digest
    from enrich.ingest import validate

    return [validate(e) for e in parse_digest(text, str(path))]
