"""Identifiers: every form seen in the wild parses to (canonical id, version); bad ones say why."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrich.errors import InvalidArxivId
from enrich.ids import ArxivId, find_arxiv_ids, format_id, parse_arxiv_id
from enrich.taxonomy import taxonomy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2503.22370", ArxivId("2503.22370")),
        ("2503.22370v2", ArxivId("2503.22370", 2)),
        ("arXiv:2503.22370v12", ArxivId("2503.22370", 12)),
        ("arxiv: 2503.22370", ArxivId("2503.22370")),
        ("  2503.22370 ", ArxivId("2503.22370")),
        ("http://arxiv.org/abs/2503.24357v1", ArxivId("2503.24357", 1)),
        ("https://arxiv.org/pdf/2503.22370", ArxivId("2503.22370")),
        ("https://arxiv.org/pdf/2503.22370v3.pdf", ArxivId("2503.22370", 3)),
        ("https://arxiv.org/html/2503.22370v1", ArxivId("2503.22370", 1)),
        ("https://export.arxiv.org/abs/2503.22370", ArxivId("2503.22370")),
        ("https://www.arxiv.org/abs/2503.22370?context=cs", ArxivId("2503.22370")),
        ("arxiv.org/abs/0704.0001", ArxivId("0704.0001")),
        ("1412.9999v1", ArxivId("1412.9999", 1)),
        ("1501.00001", ArxivId("1501.00001")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v3", ArxivId("hep-th/9901001", 3)),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("math.CA/0611800v2", ArxivId("math/0611800", 2)),
        ("https://arxiv.org/abs/astro-ph/0601001", ArxivId("astro-ph/0601001")),
        ("quant-ph/0201082v1", ArxivId("quant-ph/0201082", 1)),
        ("10.48550/arXiv.2202.01037", ArxivId("2202.01037")),
        ("https://doi.org/10.48550/arXiv.2202.01037", ArxivId("2202.01037")),
        ("doi:10.48550/ARXIV.2202.01037", ArxivId("2202.01037")),
        ("2503.22370V2", ArxivId("2503.22370", 2)),
    ],
)
def test_every_form_parses_to_canonical_id_and_version(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("abc", "neither"),
        ("2513.12345", "month 13"),
        ("2500.12345", "month 00"),
        ("0612.1234", "April 2007"),
        ("1412.12345", "four digits"),
        ("1501.1234", "five digits"),
        ("2401.123", "four or five digits"),
        ("0112019", "needs its archive"),
        ("foo-bar/9901001", "not an arXiv archive"),
        ("hep-th/0801001", "9107 to 0703"),
        ("hep-th/9013001", "month 13"),
        ("2401.00001v0", "v1"),
    ],
)
def test_malformed_ids_are_rejected_with_a_plain_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidArxivId) as info:
        parse_arxiv_id(text)
    assert reason in info.value.reason


@st.composite
def valid_ids(draw: st.DrawFn) -> ArxivId:
    version = draw(st.none() | st.integers(1, 30))
    if draw(st.booleans()):
        yy = draw(st.integers(7, 29))
        mm = draw(st.integers(4 if yy == 7 else 1, 12))
        digits = 4 if yy * 100 + mm <= 1412 else 5
        num = draw(st.integers(0, 10**digits - 1))
        return ArxivId(f"{yy:02d}{mm:02d}.{num:0{digits}d}", version)
    archive = draw(st.sampled_from(sorted(taxonomy().archives - {"bad-arch"})))
    stamp = draw(
        st.sampled_from([(y, m) for y in (*range(91, 100), *range(0, 8)) for m in range(1, 13)])
    )
    yy, mm = stamp
    if (yy >= 91 and yy * 100 + mm < 9107) or (yy <= 7 and yy * 100 + mm > 703):
        yy, mm = 95, 5
    num = draw(st.integers(0, 999))
    return ArxivId(f"{archive}/{yy:02d}{mm:02d}{num:03d}", version)


FORMS = [
    "{v}",
    "arXiv:{v}",
    "https://arxiv.org/abs/{v}",
    "http://export.arxiv.org/abs/{v}",
    "https://arxiv.org/pdf/{v}.pdf",
    "https://arxiv.org/pdf/{v}",
    "https://arxiv.org/html/{v}",
]


@given(valid_ids(), st.sampled_from(FORMS))
def test_formatting_then_parsing_any_valid_id_gives_it_back(aid: ArxivId, form: str) -> None:
    assert parse_arxiv_id(form.format(v=aid.versioned)) == aid
    assert format_id(aid.id, aid.version) == aid.versioned


@given(valid_ids())
def test_a_valid_id_is_found_in_surrounding_prose(aid: ArxivId) -> None:
    text = f"See [the paper](https://arxiv.org/abs/{aid.versioned}) for details."
    found = [m.arxiv_id for m in find_arxiv_ids(text)]
    assert found == [aid]


@given(st.text(max_size=300))
def test_scanning_arbitrary_text_never_raises(text: str) -> None:
    for match in find_arxiv_ids(text):
        assert text[match.start : match.end] == match.text


def test_scan_finds_links_prefixes_dois_and_bare_ids_but_not_paths() -> None:
    text = (
        "[PDF](http://arxiv.org/abs/2403.12963v1) `arXiv:2401.00001` doi 10.48550/arXiv.2202.01037"
        " bare 2410.12345v2, github.com/x/2401.00002, version 1.2401.00003, hep-th/9901001"
    )
    found = [(str(m.arxiv_id), m.in_link) for m in find_arxiv_ids(text)]
    assert found == [
        ("2403.12963v1", True),
        ("2401.00001", False),
        ("2202.01037", True),
        ("2410.12345v2", False),
        ("hep-th/9901001", False),
    ]
    assert list(find_arxiv_ids("2410.12345", bare=False)) == []


def _outcome(parse: object, text: str) -> object:
    try:
        return parse(text)  # type: ignore[operator]
    except InvalidArxivId as exc:
        return ("invalid", exc.text, exc.reason)


ID_PIECES = st.sampled_from(
    ["https://", "http://", "HTTPS://", "www.", "arxiv.org/", "abs/", "pdf/", "html/", "arXiv:",
     "2401", "0704", "9912", "1413", ".", "10000", "0001", "123", "v", "V", "2", "0", "/", " ",
     ".pdf", "?x", "#", "hep-th", "1234567", "٣", "\n"]
)  # fmt: skip


@given(
    st.lists(ID_PIECES, max_size=8).map("".join)
    | st.builds(lambda aid, form: form.format(v=aid.versioned), valid_ids(), st.sampled_from(FORMS))
)
def test_the_plain_id_shortcut_gives_the_full_parse(text: str) -> None:
    from enrich import ids

    assert _outcome(ids.parse_arxiv_id.__wrapped__, text) == _outcome(ids._parse, text)


@given(
    st.lists(
        ID_PIECES | st.sampled_from(["(", ")", "<", ">", '"', "[x]", "\n", "\t"]), max_size=8
    ).map("".join)
    | st.text(max_size=20)
)
def test_text_without_the_digits_of_an_id_is_no_id(text: str) -> None:
    from enrich import ids

    if ids._MAY_HOLD_ID.search(text) is None:
        assert isinstance(_outcome(ids.parse_arxiv_id.__wrapped__, text), tuple)  # raised
