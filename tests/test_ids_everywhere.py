"""Ids wherever a paper is named, and malformed ids in an arXiv context (enrich.ids)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrich.ids import ArxivId, find_arxiv_ids, find_malformed_ids, parse_arxiv_id

PAGES = [
    "https://arxiv.org/abs/2401.00001v2",
    "https://arxiv.org/pdf/2401.00001v2",
    "https://arxiv.org/html/2401.00001v2",
    "https://arxiv.org/format/2401.00001v2",
    "https://arxiv.org/src/2401.00001v2",
    "http://arxiv.org/2401.00001v2",
    "https://arxiv.org/abs/arXiv:2401.00001v2",
    "https://ar5iv.labs.arxiv.org/html/2401.00001v2",
    "https://ar5iv.org/abs/2401.00001v2",
    "https://www.alphaxiv.org/abs/2401.00001v2",
    "https://huggingface.co/papers/2401.00001v2",
    "https://paperswithcode.com/paper/arxiv:2401.00001v2",
    "https://api.semanticscholar.org/arXiv:2401.00001v2",
    "https://www.semanticscholar.org/arxiv/2401.00001v2",
    "https://papers.cool/arxiv/2401.00001v2",
    'data-arxiv-id="2401.00001v2"',
    "arXiv:2401.00001v2 [cs.CV]",
    "https://doi.org/10.48550/arXiv.2401.00001v2",
]


@pytest.mark.parametrize("text", PAGES)
def test_every_page_that_names_a_paper_gives_its_id(text: str) -> None:
    expected = ArxivId("2401.00001", 2)
    assert parse_arxiv_id(text) == expected
    found = list(find_arxiv_ids(f"see {text} here"))
    assert [m.arxiv_id for m in found] == [expected]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://arxiv.org/abs/2401.123", "four or five digits"),
        ("arXiv:2413.00001", "month 13"),
        ("https://huggingface.co/papers/2401.0001", "five digits"),
        ("10.48550/arXiv.12345", "neither"),
        ('data-arxiv-id="2401.1"', "four or five"),
    ],
)
def test_a_malformed_id_in_an_arxiv_context_is_found(text: str, reason: str) -> None:
    found = list(find_malformed_ids(f"x {text} y"))
    assert len(found) == 1 and reason in found[0].reason
    assert not list(find_arxiv_ids(text))


@pytest.mark.parametrize(
    "text",
    ["arXiv preprint", "https://arxiv.org/list/cs.CV/recent", "arXiv:2401.00001v2.pdf", "2401.123"],
)
def test_no_malformed_id_where_there_is_none(text: str) -> None:
    assert not list(find_malformed_ids(text))


@given(st.text(max_size=300))
def test_finding_never_raises(text: str) -> None:
    list(find_arxiv_ids(text))
    list(find_malformed_ids(text))
