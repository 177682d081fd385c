"""The author-list reader (enrich.text): every separator, every cut marker, structured names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrich.text import (
    AuthorList,
    drop_user_handles,
    is_user_handle,
    split_authors,
    structured_authors,
)


@pytest.mark.parametrize(
    "line",
    [
        "Ann Lee, Bo Chen, Cy Diaz",
        "Ann Lee; Bo Chen; Cy Diaz",
        "Ann Lee, Bo Chen and Cy Diaz",
        "Ann Lee, Bo Chen & Cy Diaz",
        "Ann Lee、Bo Chen、Cy Diaz",
        "Ann Lee，Bo Chen，Cy Diaz",
        "Ann Lee；Bo Chen；Cy Diaz",
        "Authors: Ann Lee, Bo Chen, Cy Diaz",
        "作者：Ann Lee, Bo Chen, Cy Diaz",
        "Ann Lee1,2, Bo Chen2*, Cy Diaz†",
        "Ann Lee (MIT), Bo Chen (Stanford University, CA), Cy Diaz (ETH)",
        "<b>Ann Lee</b>, Bo Chen, Cy Diaz.",
    ],
)
def test_every_separator_gives_the_same_names(line: str) -> None:
    assert split_authors(line) == AuthorList(["Ann Lee", "Bo Chen", "Cy Diaz"], False)


@pytest.mark.parametrize(
    "cut",
    [
        "et al.",
        "et. al",
        "et~al.",
        "et al",
        "etal.",
        "and others",
        "and 7 others",
        "+10 authors",
        "(+3 more)",
        "…",
        "...",
        "etc.",
        "等",
        "等人",
    ],
)
def test_every_cut_marker_sets_truncated_and_is_no_name(cut: str) -> None:
    sep = "" if cut[0] in "…等" else " "
    assert split_authors(f"Ann Lee, Bo Chen{sep}{cut}") == (["Ann Lee", "Bo Chen"], True)
    assert split_authors(f"Ann Lee, Bo Chen, {cut}") == (["Ann Lee", "Bo Chen"], True)


def test_cut_marker_before_an_affiliation_note_still_counts() -> None:
    line = "Ann Lee, Bo Chen, Cy Diaz, et al. (Google DeepMind)"
    assert split_authors(line) == (["Ann Lee", "Bo Chen", "Cy Diaz"], True)


def test_a_nickname_between_the_words_of_a_name_stays() -> None:
    assert split_authors("Yunxiang (Jun) Xiang, Bo Chen (MIT)").names == [
        "Yunxiang (Jun) Xiang",
        "Bo Chen",
    ]


@pytest.mark.parametrize("text", ["N/A", "TBD", "Unknown", "[Authors not provided]", "未提供"])
def test_placeholders_give_no_names(text: str) -> None:
    assert split_authors(text) == ([], False)
    assert structured_authors([text]) == ([], False)


def test_structured_names_of_every_shape() -> None:
    items: list[object] = [
        "Lee, Ann",
        {"family": "Chen", "given": "Bo"},
        {"lastName": "Diaz", "firstName": "Cy"},
        {"name": "Dee Evans"},
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        "Smith, Jr, John",
        {"author": {"display_name": "Fay Gu"}},
        "others",
    ]
    assert structured_authors(items) == (
        [
            "Ann Lee",
            "Bo Chen",
            "Cy Diaz",
            "Dee Evans",
            "Jan van der Berg",
            "John Smith Jr",
            "Fay Gu",
        ],
        True,
    )


def test_a_structured_item_holding_a_whole_line_is_split() -> None:
    assert structured_authors(["Ann Lee and Bo Chen and Cy Diaz"]).names == [
        "Ann Lee",
        "Bo Chen",
        "Cy Diaz",
    ]
    assert structured_authors(["Lee, Ann; Chen, Bo"]).names == ["Ann Lee", "Bo Chen"]


@pytest.mark.parametrize(
    "line",
    [
        "Lee, Ann; Chen, Bo; Diaz, Cy",
        "Lee, Ann and Chen, Bo and Diaz, Cy",
        "Lee, Ann; Chen, Bo; Diaz, Cy; et al.",
    ],
)
def test_family_first_lists_become_given_first(line: str) -> None:
    assert split_authors(line).names == ["Ann Lee", "Bo Chen", "Cy Diaz"]


def test_hugging_face_handles_are_not_names() -> None:
    listed = ["Zhe Huang", "Zhuoyue Chang", "HJH2CMD", "Yu2020", "POTATO66", "ssz1111", "@akhaliq"]
    assert drop_user_handles(listed) == (["Zhe Huang", "Zhuoyue Chang"], 5)
    assert is_user_handle("chenxz")
    assert not is_user_handle("Zhe Huang")
    assert not is_user_handle("Ziqi")  # a given name alone is not surely a handle...
    assert is_user_handle("Ziqi", one_word=True)  # ...unless the list is known to mix them in


@given(st.text(max_size=300))
def test_split_authors_never_raises_and_gives_clean_names(text: str) -> None:
    result = split_authors(text)
    assert isinstance(result.truncated, bool)
    for name in result.names:
        assert name == name.strip() and name


@given(
    st.lists(
        st.one_of(
            st.text(max_size=60),
            st.dictionaries(
                st.sampled_from(["family", "given", "name", "literal", "lastName", "author"]),
                st.one_of(st.text(max_size=30), st.none(), st.integers()),
            ),
            st.integers(),
            st.none(),
        ),
        max_size=8,
    )
)
def test_structured_authors_never_raises(items: list[object]) -> None:
    result = structured_authors(items)
    assert all(n == n.strip() and n for n in result.names)


def test_a_one_word_east_asian_name_is_no_user_handle() -> None:
    """Hugging Face lists mix handles in with the names, so one word is a handle there; but a
    Chinese, Japanese or Korean name is one word written without a space."""
    names = ["张伟", "akhaliq", "Ann Lee", "ssz1111", "김민준", "さくら"]
    assert drop_user_handles(names, one_word=True) == (["张伟", "Ann Lee", "김민준", "さくら"], 2)
    assert drop_user_handles(["张伟", "Ann Lee"]) == (["张伟", "Ann Lee"], 0)
