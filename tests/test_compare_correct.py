"""correct_entry: the corrected view takes everything fixable from arXiv's record."""

from __future__ import annotations

import datetime as dt

from enrich.compare import correct_entry
from enrich.models import ArxivRecord, DigestEntry, Source


def _record(**kw: object) -> ArxivRecord:
    base: dict[str, object] = {
        "arxiv_id": "2503.24270",
        "latest_version": 2,
        "title": "Visual Acoustic\n  Fields",
        "authors": ["Yuelei Li", "Hyunjin Kim", "Fangneng Zhan", "Ri-Zhao Qiu", "Mazeyu Ji"],
        "primary_category": "cs.CV",
        "categories": ["cs.AI", "cs.CV"],
        "published": dt.datetime(2025, 3, 31, 17, 0, tzinfo=dt.UTC),
        "abstract": "Objects produce different sounds\nwhen hit.",
        "abs_url": "http://arxiv.org/abs/2503.24270v2",
        "pdf_url": "http://arxiv.org/pdf/2503.24270v2",
        "html_url": "https://arxiv.org/html/2503.24270v2",
        "arxiv_doi": "10.48550/arXiv.2503.24270",
    }
    base.update(kw)
    return ArxivRecord.model_validate(base)


def _entry(**kw: object) -> DigestEntry:
    base: dict[str, object] = {
        "arxiv_id": "2503.24270",
        "version": 1,
        "title": "Visual Acoustic Fields",
        "authors": ["Yuelei Li", "Hyunjin Kim"],
        "authors_truncated": True,
        "categories": ["cs.CV", "cs.AI"],
        "links": [
            "http://arxiv.org/abs/2503.24270v1",
            "https://arxiv.org/pdf/2503.24270v1.pdf",
            "https://github.com/visual-acoustic-fields/code",
        ],
        "source": Source(path="hot_topic/Diffusion.md", line=30, format="awesome-daily"),
    }
    base.update(kw)
    return DigestEntry.model_validate(base)


def test_the_corrected_entry_has_arxivs_full_data_and_latest_links() -> None:
    got = correct_entry(_entry(), _record())
    assert got.arxiv_id == "2503.24270" and got.version == 2
    assert got.title == "Visual Acoustic Fields"
    assert got.authors == _record().authors and got.authors_truncated is False
    assert got.primary_category == "cs.CV" and got.categories == ["cs.CV", "cs.AI"]
    assert got.abstract == "Objects produce different sounds when hit."
    assert got.abs_url == "https://arxiv.org/abs/2503.24270v2"
    assert got.pdf_url == "https://arxiv.org/pdf/2503.24270v2"
    assert got.html_url == "https://arxiv.org/html/2503.24270v2"
    assert got.links == [
        got.abs_url,
        got.pdf_url,
        got.html_url,
        "https://github.com/visual-acoustic-fields/code",
    ]
    assert got.arxiv_doi == "10.48550/arXiv.2503.24270"


def test_the_date_is_the_digests_else_arxivs_first_submission() -> None:
    assert correct_entry(_entry(date=dt.date(2025, 4, 1)), _record()).date == dt.date(2025, 4, 1)
    assert correct_entry(_entry(), _record()).date == dt.date(2025, 3, 31)


def test_the_digests_abstract_is_kept_only_when_arxivs_is_empty() -> None:
    got = correct_entry(_entry(abstract="From the digest."), _record(abstract=""))
    assert got.abstract == "From the digest."


def test_old_style_ids_and_a_missing_primary_category() -> None:
    rec = _record(
        arxiv_id="hep-th/9901001",
        latest_version=1,
        primary_category=None,
        categories=["hep-th", "gr-qc"],
        arxiv_doi="",
    )
    got = correct_entry(_entry(arxiv_id="hep-th/9901001", links=[]), rec)
    assert got.abs_url == "https://arxiv.org/abs/hep-th/9901001v1"
    assert got.primary_category == "hep-th" and got.categories == ["hep-th", "gr-qc"]
    assert got.arxiv_doi == "10.48550/arXiv.hep-th/9901001"
