"""The OAI-PMH arXivRaw parser (enrich.mirror.oai) and the record it leads to (paper.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrich.errors import ArxivBadResponse
from enrich.mirror.oai import parse_list_records
from enrich.mirror.paper import parse_version_date, split_raw_authors, to_record

# The shape of arXiv's answer (arXiv/oaipmh templates base.xml, list_records.xml, macros.xml,
# record_formats.xml arXivRaw_record, token.xml), white space as its templates leave it.
PAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
    <responseDate>2026-11-28T10:00:00Z</responseDate>
        <request verb="ListRecords" metadataPrefix="arXivRaw" from="2007-04-01">https://oaipmh.arxiv.org/oai</request>
    <ListRecords>
        <record>
    <header>
        <identifier>oai:arXiv.org:0704.0001</identifier>
        <datestamp>2008-11-13</datestamp>
            <setSpec>physics:hep-ph</setSpec>
    </header>
            <metadata>
    <arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">
        <id>0704.0001</id>
        <submitter>Pavel Nadolsky</submitter>
            <version version="v1">
                <date>Mon, 2 Apr 2007 19:18:42 GMT</date>
                <size>37kb</size>
                    <source_type>D</source_type>
            </version>
            <version version="v2">
                <date>Tue, 24 Jul 2007 20:10:27 GMT</date>
                <size>37kb</size>
            </version>
        <title>Calculation of prompt diphoton production cross sections at Tevatron and
  LHC energies</title>
        <authors>C. Bal\\'azs, E. L. Berger (Argonne), P. M. Nadolsky and C.-P. Yuan</authors>
        <categories>hep-ph hep-ex</categories>
            <comments>37 pages, 15 figures; published version</comments>
            <report-no>ANL-HEP-PR-07-12</report-no>
            <acm-class>60B10</acm-class>
            <journal-ref>Phys.Rev.D76:013009,2007</journal-ref>
            <doi>10.1103/PhysRevD.76.013009</doi>
            <license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>
            <abstract>  A fully differential calculation in perturbative quantum chromodynamics is
presented for the production of massive photon pairs at hadron colliders.
</abstract>
    </arXivRaw>
            </metadata>
        </record>
        <record>
    <header status="deleted">
        <identifier>oai:arXiv.org:hep-th/9901001</identifier>
        <datestamp>2008-11-14</datestamp>
    </header>
        </record>
        <resumptionToken expires='2026-11-29T00:00:00Z'
        >verb%3DListRecords%26skip%3D2</resumptionToken>
    </ListRecords>
</OAI-PMH>
"""


def test_a_page_gives_its_papers_deleted_ids_and_token() -> None:
    page = parse_list_records(PAGE)
    assert [p.arxiv_id for p in page.papers] == ["0704.0001"]
    assert page.deleted == [("hep-th/9901001", "2008-11-14")]
    assert page.token == "verb%3DListRecords%26skip%3D2"
    assert page.last_datestamp == "2008-11-14"
    paper = page.papers[0]
    assert paper.datestamp == "2008-11-13"
    assert paper.versions == [
        (1, "Mon, 2 Apr 2007 19:18:42 GMT", 37),
        (2, "Tue, 24 Jul 2007 20:10:27 GMT", 37),
    ]
    assert paper.authors == ["C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert paper.categories == "hep-ph hep-ex"
    assert paper.report_no == "ANL-HEP-PR-07-12"
    assert paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def test_the_record_is_the_one_the_api_gives_plus_dated_versions() -> None:
    record = to_record(parse_list_records(PAGE).papers[0])
    assert record.latest_version == 2
    assert record.title.startswith(
        "Calculation of prompt diphoton production cross sections at Tev"
    )
    assert "  " not in record.title and "\n" not in record.abstract
    assert record.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert record.affiliations == [[], ["Argonne"], [], []]
    assert record.primary_category == "hep-ph"
    assert record.categories == ["hep-ph", "hep-ex"]
    assert record.published == dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=dt.UTC)
    assert record.updated == dt.datetime(2007, 7, 24, 20, 10, 27, tzinfo=dt.UTC)
    assert [(v.version, v.date) for v in record.versions] == [
        (1, dt.date(2007, 4, 2)),
        (2, dt.date(2007, 7, 24)),
    ]
    assert record.abs_url == "https://arxiv.org/abs/0704.0001v2"
    assert record.arxiv_doi == "10.48550/arXiv.0704.0001"
    assert record.doi == "10.1103/PhysRevD.76.013009"
    assert record.comment == "37 pages, 15 figures; published version"
    assert record.withdrawn is False


def test_the_last_page_has_an_empty_token() -> None:
    last = PAGE.replace(
        b"<resumptionToken expires='2026-11-29T00:00:00Z'\n        >verb%3DListRecords%26skip%3D2"
        b"</resumptionToken>",
        b"<resumptionToken/>",
    )
    assert parse_list_records(last).token is None


@pytest.mark.parametrize("code", ["badResumptionToken", "noRecordsMatch", "badArgument"])
def test_an_oai_error_is_an_answer(code: str) -> None:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        b"<responseDate>2026-11-28T10:00:00Z</responseDate><request>https://oaipmh.arxiv.org/oai"
        b"</request><error code='" + code.encode() + b"'>The value is invalid.</error></OAI-PMH>"
    )
    page = parse_list_records(body)
    assert page.error is not None and page.error.code == code
    assert page.papers == [] and page.token is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"Service Unavailable",
        PAGE[: len(PAGE) // 2],
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><OAI-PMH '
        b'xmlns="http://www.openarchives.org/OAI/2.0/">&e;</OAI-PMH>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>',
    ],
)
def test_what_is_not_a_complete_oai_answer_is_a_bad_response(body: bytes) -> None:
    with pytest.raises(ArxivBadResponse):
        parse_list_records(body)


def test_arxiv_author_strings_split_on_commas_and_and_never_inside_parentheses() -> None:
    assert split_raw_authors("A. One (MIT, Cambridge and Harvard), B. Two, and C. Three") == [
        ("A. One", ["MIT, Cambridge and Harvard"]),
        ("B. Two", []),
        ("C. Three", []),
    ]
    assert split_raw_authors("Alexander Anderson and Sandra Andrews") == [
        ("Alexander Anderson", []),
        ("Sandra Andrews", []),
    ]
    assert split_raw_authors("") == []


def test_version_dates_are_read_as_arxiv_writes_them() -> None:
    assert parse_version_date("Mon, 11 Jan 2021 20:31:27 GMT") == dt.datetime(
        2021, 1, 11, 20, 31, 27, tzinfo=dt.UTC
    )
    assert parse_version_date("2 Apr 2007 09:08:07 GMT") == dt.datetime(
        2007, 4, 2, 9, 8, 7, tzinfo=dt.UTC
    )
    assert parse_version_date("yesterday") is None
    assert parse_version_date("Mon, 31 Feb 2021 20:31:27 GMT") is None
