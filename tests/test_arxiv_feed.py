"""The pure Atom parser against every captured arXiv answer, read a second time independently.

The independent reading uses the standard library's ElementTree and plain string handling, never
enrich.arxiv.feed, so a shared bug cannot make both sides agree.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path
from standin import make_record, render_error_feed, render_feed

from enrich.arxiv.feed import Feed, is_withdrawn, parse_feed
from enrich.errors import ArxivBadResponse

A = "{http://www.w3.org/2005/Atom}"
X = "{http://arxiv.org/schemas/atom}"
CORPUS = ("corpus", "arxiv-api")


def _corpus() -> Path:
    return shared_path(*CORPUS)


def _body(path: Path) -> bytes:
    if path.suffix == ".json":
        return str(json.loads(path.read_text("utf-8"))["body"]).encode("latin-1")
    return path.read_bytes()


def _files() -> list[str]:
    names = [
        "arxiv.py-2026/id_0000.0000_s0_m100_8b51d9633a68.json",
        "arxiv.py-2026/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json",
        "arxiv.py-2026/id_0808.05394_s0_m100_7b0c7d0a7cdd.json",
        "arxiv.py-2026/id_1605.08386_s0_m100_199195aa31ad.json",
        "arxiv.py-2026/id_1707.08567_s0_m100_6a1afebfc6a3.json",
        "arxiv.py-2026/id_2104.12255v1_s0_m100_6ae69987ffe1.json",
        "arxiv.py-2026/id_abc_s0_m100_b79c8dcf6bc3.json",
        "arxiv.py-2026/id_astro-ph_0601001_s0_m100_3150dca9dc76.json",
        "arxiv.py-2026/id_quant-ph_0201082v1_s0_m100_86989fe779ef.json",
        "arxiv.py-2026/q_testing_s0_m100_cfe7536492ca.json",
        "arxiv.py-2026/q_testing_s0_m10_bc5a6c384fe9.json",
        "arxiv.py-2026/q_testing_s0_m15_80c242b59d59.json",
        "arxiv.py-2026/q_testing_s10_m10_34e56e15aaac.json",
        "arxiv.py-2026/q_testing_s20_m10_348a237fecab.json",
        "arxiv.py-2026/q_testing_s30_m10_f2e39f0143dc.json",
        "arxiv.py-2026/q_testing_s40_m10_96dd32eb854c.json",
        "arxiv.py-2026/q_testing_s50_m10_7f488ab8598c.json",
        "arxiv.py-2026/q_testing_s5_m10_c0e94a259d4a.json",
        "arxiv.py-2026/q_testing_s5_m15_bbcf6b23085b.json",
        "arxiv.py-2026/q_testing_s9_m15_0b78d4b4d476.json",
        "legacy-2019/search_all_science_max10.xml",
    ]
    return names


def test_every_corpus_file_is_covered() -> None:
    corpus = _corpus()
    on_disk = {
        str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.suffix in {".json", ".xml"}
    }
    assert on_disk == set(_files())


# -- the independent reading -----------------------------------------------------------------------


def _fold(text: str | None) -> str:
    return " ".join((text or "").split())


def _opt(entry: ET.Element, tag: str) -> str | None:
    element = entry.find(tag)
    return _fold(element.text) or None if element is not None else None


def _when(text: str | None) -> dt.datetime:
    assert text is not None
    return dt.datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def _looks_like_category(term: str) -> bool:
    # MSC codes ("03B70, 68Q99") and ACM codes ("F.4.1; K.2") start with a digit or a capital,
    # or hold separators; arXiv categories are lower-case archives with an optional subject.
    return bool(term) and term[0].islower() and not re.search(r"[\s,;]", term)


def _expected(entry: ET.Element) -> dict[str, Any]:
    raw_id = (entry.findtext(f"{A}id") or "").strip()
    abs_part = raw_id.split("/abs/", 1)[1]
    base, version = abs_part.rsplit("v", 1)
    links = entry.findall(f"{A}link")
    alternate = next(link.get("href", "") for link in links if link.get("rel") == "alternate")
    pdf = next(link.get("href", "") for link in links if link.get("title") == "pdf")
    https_abs = "https://" + alternate.split("://", 1)[1]
    authors = entry.findall(f"{A}author")
    comment = _opt(entry, f"{X}comment")
    primary = entry.find(f"{X}primary_category")
    terms = [c.get("term", "") for c in entry.findall(f"{A}category")]
    return {
        "arxiv_id": base,
        "latest_version": int(version),
        "title": _fold(entry.findtext(f"{A}title")),
        "authors": [_fold(a.findtext(f"{A}name")) for a in authors],
        "affiliations": [[_fold(f.text) for f in a.findall(f"{X}affiliation")] for a in authors],
        "primary_category": primary.get("term") if primary is not None else None,
        "categories": [t for t in terms if _looks_like_category(t)],
        "published": _when(entry.findtext(f"{A}published")),
        "updated": _when(entry.findtext(f"{A}updated")),
        "abstract": _fold(entry.findtext(f"{A}summary")),
        "comment": comment,
        "journal_ref": _opt(entry, f"{X}journal_ref"),
        "doi": _opt(entry, f"{X}doi"),
        "abs_url": https_abs,
        "pdf_url": "https://" + pdf.split("://", 1)[1],
        "html_url": https_abs.replace("/abs/", "/html/"),
        "arxiv_doi": f"10.48550/arXiv.{base}",
        "withdrawn": bool(comment and "withdrawn" in comment.lower()),
        "versions": _versions(int(version), entry),
    }


def _versions(version: int, entry: ET.Element) -> list[dict[str, Any]]:
    """v1 submitted on <published>, the returned version on <updated> (the same day for v1)."""
    published = (entry.findtext(f"{A}published") or "").strip()[:10]
    updated = (entry.findtext(f"{A}updated") or "").strip()[:10]
    days = {1: published} if published else {}
    if updated and (version > 1 or not days):
        days[version] = updated
    return [{"version": v, "date": dt.date.fromisoformat(d)} for v, d in sorted(days.items())]


@pytest.mark.parametrize("name", _files())
def test_every_field_of_every_corpus_entry_matches_an_independent_reading(name: str) -> None:
    body = _body(_corpus() / name)
    feed = parse_feed(body)
    root = ET.fromstring(body)
    entries = root.findall(f"{A}entry")
    papers = [e for e in entries if "/api/errors" not in (e.findtext(f"{A}id") or "")]
    assert len(feed.records) == len(papers)
    for entry in papers:
        expected = _expected(entry)
        record = feed.records[expected["arxiv_id"]]
        assert record.model_dump() == expected
    total = root.findtext("{http://a9.com/-/spec/opensearch/1.1/}totalResults")
    assert feed.total_results == int(total or -1)


def test_the_error_feed_is_an_error_not_a_paper() -> None:
    feed = parse_feed(_body(_corpus() / "arxiv.py-2026/id_abc_s0_m100_b79c8dcf6bc3.json"))
    assert feed.records == {}
    assert [e.message for e in feed.errors] == ["incorrect id format for abc"]
    assert feed.errors[0].id == "https://arxiv.org/api/errors#incorrect_id_format_for_abc"


def test_nonexistent_ids_give_an_empty_feed() -> None:
    feed = parse_feed(_body(_corpus() / "arxiv.py-2026/id_0000.0000_s0_m100_8b51d9633a68.json"))
    assert feed == Feed(
        records={},
        errors=(),
        title="arXiv Query: search_query=&id_list=0000.0000&start=0&max_results=100",
        total_results=0,
        start_index=0,
        items_per_page=100,
    )


# -- hand-checked values (what a reader of the captures sees) --------------------------------------


def test_old_style_id_with_affiliations_journal_ref_and_comment() -> None:
    name = "arxiv.py-2026/id_astro-ph_0601001_s0_m100_3150dca9dc76.json"
    record = parse_feed(_body(_corpus() / name)).records["astro-ph/0601001"]
    assert record.latest_version == 1
    assert record.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert record.affiliations == [
        ["Ohio State"],
        ["Ohio State"],
        ["CfA"],
        ["Warsaw University Observatory"],
    ]
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.categories == ["astro-ph"] and record.primary_category == "astro-ph"
    assert record.comment is not None and record.comment.startswith("62 pages including")
    assert record.abstract.startswith("We derive the frequencies")  # leading spaces folded
    assert record.abs_url == "https://arxiv.org/abs/astro-ph/0601001v1"
    assert record.html_url == "https://arxiv.org/html/astro-ph/0601001v1"
    assert record.arxiv_doi == "10.48550/arXiv.astro-ph/0601001"
    assert record.published == dt.datetime(2006, 1, 2, 14, 57, 58, tzinfo=dt.UTC)


def test_the_paper_titled_zero_and_the_34_authors() -> None:
    zero = parse_feed(_body(_corpus() / "arxiv.py-2026/id_2104.12255v1_s0_m100_6ae69987ffe1.json"))
    assert zero.records["2104.12255"].title == "0"
    many = parse_feed(_body(_corpus() / "arxiv.py-2026/id_1707.08567_s0_m100_6a1afebfc6a3.json"))
    assert len(many.records["1707.08567"].authors) == 34


def test_legacy_wrapped_title_msc_acm_codes_and_dx_doi() -> None:
    feed = parse_feed(_body(_corpus() / "legacy-2019/search_all_science_max10.xml"))
    assert list(feed.records) == [
        "1501.05039",
        "1503.01162",
        "quant-ph/0210005",
        "0808.0631",
        "0808.0638",
        "0808.0639",
        "0705.1367",
        "1802.03292",
        "physics/0507092",
        "1312.7288",
    ]
    report = feed.records["1503.01162"]
    assert report.title == (
        "Report on a Boston University Conference December 7-8, 2012 on 'How Can the History "
        "and Philosophy of Science Contribute to Contemporary U.S. Science Teaching?'"
    )
    assert report.doi == "10.1007/s11191-014-9716-8"
    assert report.authors[1] == "Yann Benétreau-Dupin"
    assert report.categories == ["physics.ed-ph", "physics.hist-ph", "physics.soc-ph"]
    logic = feed.records["1802.03292"]
    assert logic.categories == ["cs.LO"]  # not "03B70, 68Q99" nor "F.4.1; F.4.m; K.2"
    assert feed.records["physics/0507092"].affiliations == [
        ["Bologna University and INFN"],
        ["Bologna University and INFN"],
    ]
    assert report.pdf_url == "https://arxiv.org/pdf/1503.01162v1"  # https, not the legacy http


# -- what is not a feed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"Rate exceeded.",
        b"",
        b"   \n",
        b"<html><body>503 Service Unavailable</body></html>",
        b'{"error": "rate"}',
        b"<?xml version='1.0'?><rss><channel/></rss>",
    ],
)
def test_non_atom_bodies_are_bad_responses(body: bytes) -> None:
    with pytest.raises(ArxivBadResponse):
        parse_feed(body)


def test_every_truncation_of_a_feed_is_a_bad_response() -> None:
    body = _body(_corpus() / "arxiv.py-2026/q_testing_s0_m15_80c242b59d59.json")
    end = body.rindex(b"</feed>") + len(b"</feed>")
    for cut in [*range(0, end, 53), end - 1]:
        with pytest.raises(ArxivBadResponse):
            parse_feed(body[:cut])
    assert len(parse_feed(body[:end]).records) == 15


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>http://arxiv.org/abs/2101.00001v1</id><title>&xxe;</title></entry></feed>"
    ).encode()
    with pytest.raises(ArxivBadResponse) as caught:
        parse_feed(body)
    assert "TOP-SECRET" not in str(caught.value)


def test_an_external_dtd_is_not_fetched() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">'
        b'<feed xmlns="http://www.w3.org/2005/Atom"/>'
    )
    with pytest.raises(ArxivBadResponse):
        parse_feed(body)


def test_an_entity_bomb_fails_fast() -> None:
    lols = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY lol0 "lol">{lols}]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>'
    ).encode()
    started = time.monotonic()
    with pytest.raises(ArxivBadResponse):
        parse_feed(body)
    assert time.monotonic() - started < 1.0


def test_entries_without_an_id_are_skipped_and_titled_errors_are_errors() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>ghost</title></entry>'
        b"<entry><id>http://arxiv.org/api/errors#x</id><title>Error</title>"
        b"<summary>incorrect id format for 1234.12345</summary></entry>"
        b"<entry><title>Error</title><summary>something broke</summary></entry></feed>"
    )
    feed = parse_feed(body)
    assert feed.records == {}
    assert [e.message for e in feed.errors] == [
        "incorrect id format for 1234.12345",
        "something broke",
    ]
    assert feed.skipped == 1


# -- withdrawn ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "comment",
    [
        "This paper has been withdrawn by the author due to a crucial error in Lemma 2",
        "Withdrawn.",
        "withdrawn",
        "This submission has been withdrawn by arXiv administrators",
        "The paper is withdrawn due to an error",
        "Paper withdrawn",
        "The authors have withdrawn this paper",
        "We withdraw this paper because of a sign error",
        "withdrawn by the authors",
    ],
)
def test_withdrawal_comments_are_recognised(comment: str) -> None:
    assert is_withdrawn(comment)


@pytest.mark.parametrize(
    "comment",
    [
        None,
        "",
        "12 pages, 3 figures",
        "On withdrawal rates in clinical trials",
        "Patients were withdrawn from the study after week 2",
        "Drugs withdrawn from the market, revisited",
    ],
)
def test_ordinary_comments_are_not_withdrawals(comment: str | None) -> None:
    assert not is_withdrawn(comment)


def test_a_withdrawn_record_is_flagged() -> None:
    record = make_record("2501.00001", comment="This paper has been withdrawn by the author")
    feed = parse_feed(render_feed([(record, 2)], id_list="2501.00001"))
    assert feed.records["2501.00001"].withdrawn is True


# -- the stand-in's serializer is the real one ---------------------------------------------------


@pytest.mark.parametrize(
    "name", [n for n in _files() if n.startswith("arxiv.py") and "abc" not in n]
)
def test_standin_renders_corpus_records_back_identically(name: str) -> None:
    body = _body(_corpus() / name)
    records = list(parse_feed(body).records.values())
    rendered = render_feed([(r, r.latest_version) for r in records], id_list="x", max_results=100)
    assert list(parse_feed(rendered).records.values()) == records
    # the same elements, in the same order, as the 2026 server writes them
    original = [[c.tag for c in e] for e in ET.fromstring(body).findall(f"{A}entry")]
    again = [[c.tag for c in e] for e in ET.fromstring(rendered).findall(f"{A}entry")]
    assert again == original


@pytest.mark.parametrize("name", [n for n in _files() if "abc" not in n])
def test_parsed_records_are_what_validation_makes(name: str) -> None:
    """The parser builds records without validating them again (model_construct): each must be
    exactly the record validation would make of the same values."""
    from enrich.models import ArxivRecord
    from enrich.testing.workload import workload

    records = list(parse_feed(_body(_corpus() / name)).entries)
    page = [(r, r.latest_version) for _, r in workload(60, seed=3) if r is not None]
    records += parse_feed(render_feed(page, id_list="x", max_results=100)).entries
    for record in records:
        validated = ArxivRecord.model_validate(record.model_dump(exclude_unset=True))
        assert validated == record
        assert validated.model_dump_json() == record.model_dump_json()
        assert validated.model_fields_set == record.model_fields_set
        for ours, theirs in zip(record.versions, validated.versions, strict=True):
            assert ours.model_fields_set == theirs.model_fields_set


def test_standin_error_feed_matches_the_capture() -> None:
    captured = _body(_corpus() / "arxiv.py-2026/id_abc_s0_m100_b79c8dcf6bc3.json").decode()
    ours = render_error_feed("incorrect id format for abc").decode()
    strip = re.compile(r"<updated>[^<]*</updated>")
    assert strip.sub("", ours).strip() == strip.sub("", captured).strip()
