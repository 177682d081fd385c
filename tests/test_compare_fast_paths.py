"""The comparison's fast paths give exactly what the full comparison gives (issue 13)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.compare import authors, titles
from enrich.compare.correct import _fold
from enrich.text import names
from enrich.text.latex import has_latex, latex_to_text
from enrich.text.markup import strip_html

NAME_PARTS = st.sampled_from(
    ["Ada", "Lovelace", "Wei", "Zhang", "Müller", "J.", "van der", "Jr", "II", ",", "*", "1",
     "<b>", "</b>", "&amp;", "\\'e", "{", "}", "(Jun)", "[1]", "王", "Ελένη", "-", " ", "et al.",
     "%", "~", "--"]
)  # fmt: skip
NAMES = st.lists(NAME_PARTS, min_size=1, max_size=5).map(" ".join)
LISTS = st.lists(NAMES, max_size=6)


@settings(max_examples=400, deadline=None)
@given(LISTS, st.integers(0, 6), st.booleans())
def test_identical_lists_give_the_full_verdict(arxiv: list[str], cut: int, truncated: bool) -> None:
    digest = tuple(arxiv[:cut])
    fast = authors._identical(digest, truncated, tuple(arxiv))
    if fast is not None:
        assert fast == authors._compare.__wrapped__(digest, truncated, tuple(arxiv))


def test_a_copied_list_takes_the_fast_path() -> None:
    arxiv = ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert authors._identical(arxiv, False, arxiv) == authors.AuthorComparison("ok")
    assert authors._identical(arxiv[:1], True, arxiv).verdict == "truncated"  # type: ignore[union-attr]
    assert authors._identical(arxiv[:1], False, arxiv) is None  # a short list uncut: compare
    assert authors._identical(("Jr",), False, ("Jr",)) is None  # may fold to nothing: compare


def _fold_markup_reference(text: str) -> str:
    """names._fold_markup before its steps were guarded by their trigger characters."""
    text = strip_html(text)
    if has_latex(text):
        text = latex_to_text(text, math="text").replace("{", "").replace("}", "")
    text = unicodedata.normalize("NFKC", text)
    text = names._PARENS.sub(lambda m: names._keep_nickname(m, text), text)
    return names._MARKERS.sub(" ", text)


@settings(max_examples=400, deadline=None)
@given(NAMES | st.text(max_size=30))
def test_guarded_folding_equals_the_full_chain(raw: str) -> None:
    assert names._fold_markup(raw) == _fold_markup_reference(raw)


TITLE_WORDS = st.sampled_from(
    ["Deep", "learning", "of", "$\\alpha$", "<i>x</i>", "&amp;", "Über", "\n ", "  ", "-", ":"]
)
TITLES = st.lists(TITLE_WORDS, max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(TITLES, TITLES)
def test_titles_equal_but_for_white_space_are_equal_keys(a: str, b: str) -> None:
    if titles._same_words(a, b):
        assert titles.title_key(a) == titles.title_key(b)
    assert titles._same_words(a, " ".join(a.split())) or not a.isascii() or "<" in a or "\\" in a


def test_white_space_fold_matches_the_regex() -> None:
    import re

    for text in ["  a \n\t b\u00a0c\u2003 ", "", "x", "\x1c y \x1f"]:
        assert _fold(text) == re.sub(r"\s+", " ", text).strip()
