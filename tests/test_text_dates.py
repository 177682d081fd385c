"""One date parser (enrich/text/dates.py) for every reader."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrich.digests import _mdcommon, bibtex, parse_digest
from enrich.text.dates import parse_date

DAY = dt.date(2024, 1, 5)


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-05",
        "2024.01.05",
        "2024/1/5",
        "2024-01-05T12:30:00Z",
        "2024-01-05T12:30:00-05:00",
        "2024-01-05 12:30",
        "2024年1月5日",
        "5 Jan 2024",
        "5 January 2024",
        "Jan 5, 2024",
        "Fri, 05 Jan 2024 12:30:00 +0000",
    ],
)
def test_every_written_form_gives_the_day(text: str) -> None:
    assert parse_date(text) == DAY
    assert _mdcommon.parse_date(text) == DAY  # the readers' import is the same rule


@pytest.mark.parametrize("text", ["2024", "2024-01", "Jan 2024", "2024-13-05", "soon", ""])
def test_what_is_not_a_full_date_gives_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("written", ["2024-01-05", "2024-01-05T00:00:00Z", "5 Jan 2024"])
def test_bibtex_reads_dates_with_the_same_rule(written: str) -> None:
    bib = f"@misc{{k, title={{T}}, eprint={{2401.00001}}, date={{{written}}}}}\n"
    (entry,) = parse_digest(bib, "r.bib")
    assert entry.date == parse_date(written) == DAY
    assert bibtex.parse_date is parse_date


@given(st.text(max_size=80))
def test_parse_date_never_raises(text: str) -> None:
    assert parse_date(text) is None or isinstance(parse_date(text), dt.date)
