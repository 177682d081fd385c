"""compare_entry and entry_conflicts: every conflict kind, on cases modelled on real digests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from enrich.compare import (
    SEVERITY,
    DuplicateFinder,
    compare_entry,
    entry_conflicts,
    invalid_conflict,
    not_found_conflict,
)
from enrich.models import CONFLICT_KINDS, ArxivRecord, Claim, Conflict, DigestEntry, Source

TC_PDM = (
    "TC-PDM: Temporally Consistent Patch Diffusion Models for Infrared-to-Visible Video Translation"
)
TC_AUTHORS = [
    "Anh-Dzung Doan",
    "Vu Minh Hieu Phan",
    "Surabhi Gupta",
    "Markus Wagner",
    "Tat-Jun Chin",
    "Ian Reid",
]


def record(**kw: Any) -> ArxivRecord:
    arxiv_id = kw.pop("arxiv_id", "2408.14227")
    version = kw.pop("latest_version", 1)
    base: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "latest_version": version,
        "title": TC_PDM,
        "authors": TC_AUTHORS,
        "primary_category": "cs.CV",
        "categories": ["cs.CV", "cs.AI"],
        "published": dt.datetime(2024, 8, 26, 12, 0, tzinfo=dt.UTC),
        "abstract": "Infrared imaging offers resilience against changing lighting conditions.",
        "abs_url": f"https://arxiv.org/abs/{arxiv_id}v{version}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}v{version}",
        "html_url": f"https://arxiv.org/html/{arxiv_id}v{version}",
        "arxiv_doi": f"10.48550/arXiv.{arxiv_id}",
    }
    base.update(kw)
    return ArxivRecord(**base)


def entry(**kw: Any) -> DigestEntry:
    base: dict[str, Any] = {
        "arxiv_id": "2408.14227",
        "version": 1,
        "title": TC_PDM,
        "authors": list(TC_AUTHORS),
        "categories": [],
        "links": ["http://arxiv.org/abs/2408.14227v1"],
        "source": Source(path="digests/2024-08-28.md", line=34, format="chatpaperfree"),
    }
    base.update(kw)
    return DigestEntry(**base)


def claim(field: str, value: Any, line: int = 60, **kw: Any) -> Claim:
    return Claim(field=field, value=value, line=line, origin=kw.pop("origin", "summary"), **kw)


def kinds(conflicts: list[Conflict]) -> list[str]:
    return [c.kind for c in conflicts]


def only(conflicts: list[Conflict], kind: str) -> Conflict:
    found = [c for c in conflicts if c.kind == kind]
    assert len(found) == 1, conflicts
    return found[0]


# --- a clean entry ----------------------------------------------------------------------------


def test_an_entry_copied_from_arxiv_has_no_conflict() -> None:
    e = entry(
        categories=["cs.CV", "cs.AI"],
        claims=[claim("authors", ", ".join(TC_AUTHORS)), claim("arxiv_id", "arXiv:2408.14227v1")],
    )
    assert compare_entry(e, record()) == []


def test_a_digest_that_carries_no_authors_or_categories_has_no_conflict() -> None:
    # the weekly overview format (seed 001): date, abstract, link; titles keep line-fold spaces
    e = entry(
        authors=[],
        title="TC-PDM: Temporally Consistent Patch Diffusion Models for   Infrared-to-Visible"
        "   Video Translation",
    )
    assert compare_entry(e, record()) == []


# --- authors ----------------------------------------------------------------------------------


def test_a_list_cut_with_et_al_that_is_a_prefix_is_truncated_info_and_fixed() -> None:
    e = entry(authors=TC_AUTHORS[:3], authors_truncated=True)
    c = only(compare_entry(e, record()), "authors_truncated")
    assert (c.severity, c.fixed, c.field, c.line) == ("info", True, "authors", 34)
    assert c.digest == TC_AUTHORS[:3] and c.arxiv == TC_AUTHORS
    assert "first 3 of 6" in c.message
    assert kinds(compare_entry(e, record())) == ["authors_truncated"]


def test_a_cut_list_that_is_not_a_prefix_is_a_mismatch() -> None:
    e = entry(authors=["Anh-Dzung Doan", "Ian Reid"], authors_truncated=True)
    c = only(compare_entry(e, record()), "authors_mismatch")
    assert c.severity == "warning"
    assert "Vu Minh Hieu Phan" in c.message


def test_a_different_author_list_is_a_mismatch_naming_missing_and_extra() -> None:
    e = entry(authors=["Jue Wang", "Taku Komura", *TC_AUTHORS[2:]])
    c = only(compare_entry(e, record()), "authors_mismatch")
    assert "missing Anh-Dzung Doan, Vu Minh Hieu Phan" in c.message
    assert "not on arXiv Jue Wang, Taku Komura" in c.message
    assert c.fixed is True


def test_a_silently_shortened_list_is_a_mismatch() -> None:
    c = only(compare_entry(entry(authors=TC_AUTHORS[:5]), record()), "authors_mismatch")
    assert "missing Ian Reid" in c.message


def test_reordered_authors_are_a_mismatch_naming_the_moved_name() -> None:
    names = [TC_AUTHORS[1], TC_AUTHORS[0], *TC_AUTHORS[2:]]
    c = only(compare_entry(entry(authors=names), record()), "authors_mismatch")
    assert "out of order" in c.message and "missing" not in c.message


def test_family_names_first_is_name_order_info() -> None:
    rec = record(authors=["Joseph Cho", "Samuel Schmidgall", "Cyril Zakka"])
    e = entry(authors=["Cho Joseph", "Schmidgall Samuel", "Zakka Cyril"])
    c = only(compare_entry(e, rec), "author_name_order")
    assert c.severity == "info"
    assert kinds(compare_entry(e, rec)) == ["author_name_order"]


def test_chinese_characters_for_latin_names_are_unverifiable_not_a_mismatch() -> None:
    rec = record(authors=["Qiyuan He", "Jinghao Wang", "Ziwei Liu", "Angela Yao"])
    e = entry(authors=["齐源何", "景浩王", "子为刘", "安吉拉姚"])
    c = only(compare_entry(e, rec), "authors_unverifiable")
    assert c.severity == "info" and "CJK characters" in c.message
    assert "authors_mismatch" not in kinds(compare_entry(e, rec))


@pytest.mark.parametrize(
    ("digest", "arxiv"),
    [
        (["Jose Muller", "Bjorn Ommer"], ["José Müller", "Björn Ommer"]),
        (["Jose Mueller"], ["José Müller"]),
        (["Yinglin Wang*", "Mike Zheng Shou1∗", "Weihao Wang2", "Jinheng Xie†"],
         ["Yinglin Wang", "Mike Zheng Shou", "Weihao Wang", "Jinheng Xie"]),
        (["Ri-Zhao Qiu", "Mazeyu Ji"], ["Rizhao Qiu", "Mazeyu Ji"]),
        (["S. A. Baumann", "Baumann, S."], ["Stefan Andreas Baumann", "Stefan Baumann"]),
        (["Mihai Bace", "Matthias Niessner"], ["Mihai Bâce", "Matthias Nießner"]),
        (["<em>Gül Varol</em>", "Justus&nbsp;Thies"], ["Gül Varol", "Justus Thies"]),
        (["M{\\\"u}ller, Johann"], ["Johann Müller"]),
    ],
)  # fmt: skip
def test_spelling_variants_are_not_conflicts(digest: list[str], arxiv: list[str]) -> None:
    assert compare_entry(entry(authors=digest), record(authors=arxiv)) == []


def test_a_placeholder_author_line_is_unverifiable_without_a_record() -> None:
    e = entry(authors=["[Authors' names not provided in the text]"])
    c = only(entry_conflicts(e), "authors_unverifiable")
    assert c.fixed is False and "placeholder" in c.message
    with_record = compare_entry(e, record())
    assert kinds(with_record) == ["authors_unverifiable"] and with_record[0].fixed is True


# --- title ------------------------------------------------------------------------------------


def test_a_different_title_is_a_warning_with_a_similarity_figure() -> None:
    e = entry(title="TC-PDM: Patch Diffusion for Thermal-to-RGB Video")
    c = only(compare_entry(e, record()), "title_mismatch")
    assert c.severity == "warning" and "% similar" in c.message and c.fixed
    assert c.digest == e.title and c.arxiv == TC_PDM


@pytest.mark.parametrize(
    ("digest", "arxiv"),
    [
        ("tc-pdm: temporally consistent patch diffusion models for infrared-to-visible video "
         "translation", TC_PDM),
        ("SwiftBrush v2: Make Your One-step Diffusion Model Better Than Its   Teacher",
         "SwiftBrush v2: Make Your One-step Diffusion Model Better Than Its Teacher"),
        ("$\\mathcal{X}^2$-Net: \\emph{Learning} {GANs} with $\\alpha$-Divergence",
         "X²-Net: Learning GANs with α-divergence"),
        ("“Quoted” Titles — With Dashes & Ampersands",
         "\"Quoted\" Titles - With Dashes and Ampersands"),
        ("Pre-training at Scale", "Pretraining at scale"),
        ("Visual Acoustic Fields (CVPR 2025)", "Visual Acoustic Fields"),
        ("A Study of \\textbf{Diffusion} Models…", "A Study of Diffusion Models for Video"),
    ],
)  # fmt: skip
def test_presentation_only_title_differences_are_not_conflicts(digest: str, arxiv: str) -> None:
    got = compare_entry(entry(title=digest), record(title=arxiv))
    assert [c for c in got if c.kind == "title_mismatch"] == [], (digest, arxiv)


def test_a_title_cut_at_a_word_without_ellipsis_is_an_info_note() -> None:
    e = entry(title="TC-PDM: Temporally Consistent Patch Diffusion Models")
    c = only(compare_entry(e, record()), "title_mismatch")
    assert c.severity == "info" and "for infrared to visible video translation" in c.message


# --- versions ---------------------------------------------------------------------------------


def test_an_older_version_is_stale_and_fixed() -> None:
    c = only(compare_entry(entry(version=1), record(latest_version=3)), "version_stale")
    assert (c.severity, c.fixed, c.digest, c.arxiv, c.line) == ("warning", True, 1, 3, 34)
    assert "v1" in c.message and "v3" in c.message


def test_no_version_means_latest_and_is_never_stale() -> None:
    e = entry(version=None, links=["https://arxiv.org/abs/2408.14227"])
    assert compare_entry(e, record(latest_version=4)) == []


def test_a_version_arxiv_does_not_have_is_an_error() -> None:
    e = entry(version=3, links=["https://arxiv.org/abs/2408.14227v3"])
    c = only(compare_entry(e, record(latest_version=2)), "version_ahead")
    assert c.severity == "error"
    assert "arXiv has only v1" in c.message and " to v2" in c.message
    one = only(compare_entry(e, record(latest_version=1)), "version_ahead")
    assert " to " not in one.message.split("arXiv has only")[1]  # not "v1 (...) to v1 (...)"


def test_two_versions_in_one_entry_are_inconsistent_without_a_record() -> None:
    # seed 003: the header's [PDF] link says v1, the summary's "Urls:" line says v2
    e = entry(claims=[claim("arxiv_id", "arXiv:2408.14227v2 [cs.CV] 26 Aug 2024", line=1187)])
    c = only(entry_conflicts(e), "version_inconsistent")
    assert (c.severity, c.line, c.digest) == ("warning", 1187, [1, 2])
    assert "summary (line 1187)" in c.message
    got = compare_entry(e, record(latest_version=2))
    assert sorted(kinds(got)) == ["version_inconsistent", "version_stale"]
    assert only(got, "version_stale").digest == 1


def test_a_stale_version_only_a_claim_names_is_not_fixed() -> None:
    e = entry(
        version=None, links=[], claims=[claim("arxiv_id", "https://arxiv.org/abs/2408.14227v1")]
    )
    c = only(compare_entry(e, record(latest_version=2)), "version_stale")
    assert c.fixed is False and c.field == "claims.arxiv_id" and c.line == 60


# --- categories -------------------------------------------------------------------------------


def test_category_aliases_and_case_are_equal() -> None:
    rec = record(primary_category="eess.SY", categories=["eess.SY", "math.OC", "math-ph"])
    e = entry(categories=["cs.SY", "math.OC", "math.MP"])
    assert compare_entry(e, rec) == []
    assert compare_entry(entry(categories=["CS.CV"]), record()) == []


def test_a_first_category_that_is_not_the_primary_is_a_mismatch() -> None:
    c = only(compare_entry(entry(categories=["cs.AI", "cs.CV"]), record()), "category_mismatch")
    assert c.severity == "warning" and "cs.AI" in c.message and "cs.CV" in c.message
    assert c.arxiv == ["cs.CV", "cs.AI"]


def test_a_category_arxiv_does_not_give_is_a_mismatch() -> None:
    c = only(compare_entry(entry(categories=["cs.CV", "cs.LG"]), record()), "category_mismatch")
    assert "cs.LG" in c.message


def test_an_unknown_category_is_invalid_and_not_counted_again() -> None:
    e = entry(categories=["cs.CV", "cs.VISION"])
    c = only(entry_conflicts(e), "category_invalid")
    assert c.digest == "cs.VISION" and c.severity == "warning"
    assert kinds(compare_entry(e, record())) == ["category_invalid"]


# --- withdrawn --------------------------------------------------------------------------------


def test_a_withdrawn_paper_is_a_warning() -> None:
    rec = record(withdrawn=True, comment="This paper has been withdrawn by the author")
    c = only(compare_entry(entry(), rec), "withdrawn")
    assert c.severity == "warning" and "withdrawn" in c.message and c.line == 34
    assert c.arxiv == "This paper has been withdrawn by the author"


# --- claims -----------------------------------------------------------------------------------


def test_a_summary_naming_other_authors_is_a_claim_mismatch_with_its_line() -> None:
    # seed 004: the model wrote another paper's author list
    e = entry(claims=[claim("authors", "Jue Wang, Taku Komura, Gül Varol", line=372)])
    c = only(compare_entry(e, record()), "claim_mismatch")
    assert (c.field, c.line, c.severity) == ("claims.authors", 372, "warning")
    assert c.digest == ["Jue Wang", "Taku Komura", "Gül Varol"] and c.arxiv == TC_AUTHORS


def test_a_summary_link_to_another_paper_is_a_claim_mismatch() -> None:
    e = entry(claims=[claim("arxiv_id", "https://arxiv.org/abs/2303.16958", line=237)])
    c = only(compare_entry(e, record()), "claim_mismatch")
    assert c.field == "claims.arxiv_id" and "2303.16958" in c.message and c.line == 237


def test_a_malformed_arxiv_id_claim_is_a_mismatch_but_a_journal_doi_is_ignored() -> None:
    bad = entry(claims=[claim("arxiv_id", "arXiv:2408.1422v1")])
    assert kinds(compare_entry(bad, record())) == ["claim_mismatch"]
    doi = entry(claims=[claim("arxiv_id", "10.1109/TPAMI.2020.1234")])
    assert compare_entry(doi, record()) == []


@pytest.mark.parametrize(
    "value",
    [
        "Q. Wang 等",  # seed 004: first author, then 等
        ["Anh-Dzung Doan", "Vu Minh Hieu Phan", "et al."],
        "Anh-Dzung Doan†, Vu Minh Hieu Phan2, Surabhi Gupta*, Markus Wagner, Tat-Jun Chin, "
        "Ian Reid",
        "",
    ],
)
def test_harmless_summary_author_claims_pass(value: Any) -> None:
    rec = record(authors=["Qilin Wang", "Jiangning Zhang"]) if "Q." in str(value) else record()
    e = entry(authors=rec.authors, claims=[claim("authors", value)])
    assert compare_entry(e, rec) == []


def test_summary_authors_in_chinese_characters_are_unverifiable() -> None:
    rec = record(authors=["Yunpeng Luo", "Junlong Du", "Ke Yan", "Shouhong Ding"])
    e = entry(
        authors=rec.authors, claims=[claim("authors", "罗运鹏、杜俊龙、严柯、丁寿鸿", line=312)]
    )
    c = only(compare_entry(e, rec), "authors_unverifiable")
    assert (c.field, c.line, c.fixed) == ("claims.authors", 312, False)


def test_summary_authors_family_first_are_name_order_info() -> None:
    rec = record(authors=["Huawei Wei", "Zejun Yang", "Zhisheng Wang"])
    value = "Wei Huawei<em>、Yang Zejun</em>、Wang Zhisheng"
    e = entry(authors=rec.authors, claims=[claim("authors", value, line=116)])
    assert kinds(compare_entry(e, rec)) == ["author_name_order"]


def test_a_placeholder_in_the_summary_is_reported_once() -> None:
    e = entry(claims=[claim("authors", "[Authors' names not provided in the text]", line=231)])
    assert kinds(entry_conflicts(e)) == ["authors_unverifiable"]
    got = compare_entry(e, record())
    assert kinds(got) == ["authors_unverifiable"] and got[0].line == 231


def test_title_claims_follow_the_title_rules() -> None:
    translated = f"{TC_PDM} (红外到可见光视频翻译的时序一致性补丁扩散模型)"
    chinese = "红外到可见光视频翻译的时序一致性补丁扩散模型"
    other = "Make Your One-step Diffusion Model Better Than Its Teacher"
    ok = entry(claims=[claim("title", translated), claim("title", chinese)])
    assert compare_entry(ok, record()) == []
    c = only(compare_entry(entry(claims=[claim("title", other)]), record()), "claim_mismatch")
    assert c.field == "claims.title" and c.severity == "warning"


def test_a_label_before_the_title_in_a_summary_is_an_info_note() -> None:
    e = entry(claims=[claim("title", f"TCPDM: {TC_PDM}", line=58)])
    c = only(compare_entry(e, record()), "claim_mismatch")
    assert c.severity == "info" and "'TCPDM'" in c.message


def test_category_claims_arxiv_does_not_give_are_a_mismatch() -> None:
    e = entry(claims=[claim("categories", ["cs.CV"]), claim("categories", "cs.RO", line=61)])
    c = only(compare_entry(e, record()), "claim_mismatch")
    assert c.line == 61 and "cs.RO" in c.message


# --- the pipeline's helpers, severities, coverage -----------------------------------------------


def test_not_found_and_invalid_helpers_word_the_pipelines_findings() -> None:
    nf = not_found_conflict(entry(), "absent from two answers")
    assert (nf.kind, nf.severity, nf.digest, nf.line) == ("not_found", "error", "2408.14227v1", 34)
    assert nf.message == "arXiv has no paper 2408.14227v1: absent from two answers."
    bad = entry(arxiv_id="2408.1422", version=None, status="invalid")
    inv = invalid_conflict(bad, "new-style ids have four or five digits after the dot")
    assert (inv.kind, inv.severity, inv.digest) == ("invalid_entry", "error", "2408.1422")


def test_every_conflict_kind_has_its_design_severity() -> None:
    assert set(SEVERITY) == set(CONFLICT_KINDS)
    assert SEVERITY["version_ahead"] == "error" and SEVERITY["authors_truncated"] == "info"


def test_every_conflict_kind_is_produced_somewhere() -> None:
    made: set[str] = set()
    rec = record(latest_version=2)
    cases = [
        entry(authors=TC_AUTHORS[:2], authors_truncated=True),
        entry(authors=["Jue Wang"]),
        entry(authors=[" ".join([n.split()[-1], *n.split()[:-1]]) for n in TC_AUTHORS]),
        entry(authors=["齐源何"]),
        entry(version=1),
        entry(version=5),
        entry(claims=[claim("arxiv_id", "2408.14227v2")]),
        entry(title="Something else entirely"),
        entry(categories=["cs.LG"]),
        entry(categories=["cs.FOO"]),
        entry(claims=[claim("arxiv_id", "2303.16958")]),
    ]
    for e in cases:
        made.update(kinds(compare_entry(e, rec)))
    made.update(kinds(compare_entry(entry(), record(withdrawn=True))))
    v1 = record(title="An earlier title", latest_version=1)
    made.update(kinds(compare_entry(entry(title="An earlier title"), rec, {1: v1})))
    finder = DuplicateFinder()
    finder.add(entry())
    made.update(kinds(finder.add(entry())))
    made.add(not_found_conflict(entry(), "x").kind)
    made.add(invalid_conflict(entry(), "x").kind)
    assert made == set(CONFLICT_KINDS)
