"""The comparison's side of issue 9: a list both cut and reordered reports both findings; a
finding resting on a guessed field is at most info; user handles are not names."""

from __future__ import annotations

from typing import Any

import pytest

from enrich.compare import DuplicateFinder, compare_entry, entry_conflicts
from enrich.models import ArxivRecord, Conflict, DigestEntry, Source
from enrich.report.fix import FIXABLE

AUTHORS = ["Anh-Dzung Doan", "Vu Minh Hieu Phan", "Surabhi Gupta", "Markus Wagner", "Ian Reid"]
TITLE = "TC-PDM: Temporally Consistent Patch Diffusion Models"


def record(**kw: Any) -> ArxivRecord:
    base: dict[str, Any] = {
        "arxiv_id": "2408.14227",
        "latest_version": 2,
        "title": TITLE,
        "authors": AUTHORS,
        "primary_category": "cs.CV",
        "categories": ["cs.CV"],
        "abs_url": "https://arxiv.org/abs/2408.14227v2",
        "pdf_url": "https://arxiv.org/pdf/2408.14227v2",
        "html_url": "https://arxiv.org/html/2408.14227v2",
        "arxiv_doi": "10.48550/arXiv.2408.14227",
    }
    base.update(kw)
    return ArxivRecord(**base)


def entry(**kw: Any) -> DigestEntry:
    base: dict[str, Any] = {
        "arxiv_id": "2408.14227",
        "version": 2,
        "title": TITLE,
        "authors": list(AUTHORS),
        "source": Source(path="d.md", line=7, format="t"),
    }
    base.update(kw)
    return DigestEntry(**base)


def by_kind(conflicts: list[Conflict]) -> dict[str, Conflict]:
    return {c.kind: c for c in conflicts}


def test_a_list_cut_and_reordered_reports_both_and_the_cut_is_fixable() -> None:
    cut_and_swapped = [AUTHORS[1], AUTHORS[0]]
    found = by_kind(compare_entry(entry(authors=cut_and_swapped, authors_truncated=True), record()))
    assert set(found) == {"authors_mismatch", "authors_truncated"}
    assert found["authors_mismatch"].severity == "warning"
    assert "out of order" in found["authors_mismatch"].message
    assert found["authors_truncated"].fixed and "authors_truncated" in FIXABLE
    assert "2 of 5" in found["authors_truncated"].message


def test_a_reordered_list_that_is_not_cut_is_only_a_mismatch() -> None:
    swapped = [AUTHORS[1], AUTHORS[0], *AUTHORS[2:]]
    assert [c.kind for c in compare_entry(entry(authors=swapped), record())] == ["authors_mismatch"]


def test_a_cut_list_as_long_as_arxivs_is_not_called_cut() -> None:
    swapped = [AUTHORS[1], AUTHORS[0], *AUTHORS[2:]]
    kinds = [
        c.kind for c in compare_entry(entry(authors=swapped, authors_truncated=True), record())
    ]
    assert kinds == ["authors_mismatch"]


@pytest.mark.parametrize(
    ("field", "changes", "kind"),
    [
        ("title", {"title": "Authors:"}, "title_mismatch"),
        ("authors", {"authors": ["Jue Wang", "Taku Komura"]}, "authors_mismatch"),
        ("categories", {"categories": ["cs.AI"]}, "category_mismatch"),
        ("categories", {"categories": ["cs.XX"]}, "category_invalid"),
    ],
)
def test_a_finding_on_a_guessed_field_is_info_and_says_why(
    field: str, changes: dict[str, Any], kind: str
) -> None:
    labelled = by_kind(compare_entry(entry(**changes, provenance={field: "labelled"}), record()))
    guessed = by_kind(compare_entry(entry(**changes, provenance={field: "guessed"}), record()))
    assert labelled[kind].severity == "warning"
    assert guessed[kind].severity == "info"
    assert "guessed" in guessed[kind].message
    assert guessed[kind].fixed == labelled[kind].fixed


def test_a_guess_on_one_field_leaves_the_others_findings_alone() -> None:
    e = entry(title="Authors:", version=1, provenance={"title": "guessed", "version": "labelled"})
    found = by_kind(compare_entry(e, record()))
    assert found["title_mismatch"].severity == "info"
    assert found["version_stale"].severity == "warning"


def test_record_free_findings_on_a_guessed_field_are_info_too() -> None:
    e = entry(categories=["cs.XX"], provenance={"categories": "guessed"})
    assert [(c.kind, c.severity) for c in entry_conflicts(e)] == [("category_invalid", "info")]


def test_a_same_title_duplicate_resting_on_a_guessed_title_is_info() -> None:
    finder = DuplicateFinder()
    assert finder.add(entry(arxiv_id="2408.00001")) == []
    guessed = finder.add(entry(arxiv_id="2408.00002", provenance={"title": "guessed"}))
    assert [(c.kind, c.severity) for c in guessed] == [("duplicate", "info")]
    labelled = finder.add(entry(arxiv_id="2408.00003", provenance={"title": "labelled"}))
    assert [(c.kind, c.severity) for c in labelled] == [("duplicate", "warning")]


def test_hugging_face_handles_are_kept_out_of_the_author_comparison() -> None:
    listed = [AUTHORS[0], AUTHORS[1], "HJH2CMD", "ssz1111", "@akhaliq"]
    found = compare_entry(entry(authors=listed, authors_truncated=True), record())
    assert [c.kind for c in found] == ["authors_truncated"]


def test_a_cut_list_with_names_arxiv_lacks_is_a_mismatch_only() -> None:
    wrong = [AUTHORS[1], "Ada Lovelace"]
    kinds = [c.kind for c in compare_entry(entry(authors=wrong, authors_truncated=True), record())]
    assert kinds == ["authors_mismatch"]
