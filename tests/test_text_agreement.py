"""One rule, one answer: every place that uses a text rule agrees on every string of ONE table.

The table mixes names (diacritics, German umlaut spellings, family-first, LaTeX, HTML, markers,
CJK), cut markers, placeholders and titles. For each rule, each place that applies it (the readers,
the comparison, the duplicate finder, the HTML report) is asked about every string (or pair of
strings) of the table, and the answers must agree. No answer is written down per string here
except the few the issue names (TBD is a placeholder everywhere; Müller = Mueller everywhere).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re

import pytest

from enrich.compare import entry_conflicts
from enrich.compare.authors import compare_authors
from enrich.compare.claims import claim_conflicts
from enrich.compare.duplicates import _title_hash
from enrich.compare.names import is_placeholder as compare_is_placeholder
from enrich.compare.names import split_names
from enrich.compare.titles import compare_titles
from enrich.digests import bibtex, chatpaper, json_doc, table
from enrich.digests.claims import WrittenId, main_id_and_claims
from enrich.digests.fields import names_of
from enrich.digests.text import split_authors as reader_split_authors
from enrich.ids import try_parse
from enrich.mirror.paper import split_raw_authors
from enrich.models import ArxivRecord, Claim, DigestEntry, Source
from enrich.report.html_text import authors_diff, title_diff
from enrich.text import (
    is_placeholder,
    is_user_handle,
    split_authors,
    strip_cut_marker,
    structured_authors,
)
from enrich.text.authors import split_author_field, split_outside
from enrich.text.latex import latex_to_text
from enrich.text.markup import strip_html
from enrich.text.names import parse_name, same_person
from enrich.text.titles import fold_title, title_key
from enrich.text.vocabulary import is_cut_item

TABLE: tuple[str, ...] = (
    # names, and the same people written otherwise
    "Thomas Müller",
    "Thomas Mueller",
    "Thomas Muller",
    "Müller, Thomas",
    r"Thomas M{\"u}ller",
    "<b>Thomas Müller</b>",
    "Thomas Müller1,2*",
    "Thomas Müller†",
    "T. Müller",
    "José Álvarez",
    "Jose Alvarez",
    r"Jos\'e \'Alvarez",
    "Zhang Wei",
    "Wei Zhang",
    "张伟",
    "Søren Kierkegaard",
    r"S{\o}ren Kierkegaard",
    "Anh-Dzung Doan",
    "Anh Dzung Doan",
    "Yunxiang (Jun) Xiang",
    "Hugo Touvron",
    # cut markers
    "et al.",
    "et. al",
    "et~al.",
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
    "others",
    # placeholders
    "TBD",
    "N/A",
    "n/a",
    "None",
    "Unknown",
    "Anonymous",
    "null",
    "未提供",
    "无",
    "暂无",
    "[Authors' names not provided in the text]",
    "Authors: Not available",
    "Authors are not mentioned in the excerpt",
    "作者：未提供，请提供论文全文",
    "Author Names",
    # not placeholders, though close
    "Nonna Smith",
    "Anonymous Coward, Jane Doe",
    "Tina Bd",
    # titles, and the same titles written otherwise
    "Attention Is All You Need",
    "attention is all you need",
    "Attention is All You Need.",
    "<i>Attention</i> Is All You Need",
    r"\emph{Attention} Is All You {N}eed",
    "Attention-Is-All-You-Need",
    r"$\alpha$-Blending for Diffusion",
    "α-Blending for Diffusion",
    "Pre-training Transformers",
    "Pretraining Transformers",
    r"Speed \& Accuracy",
    "Speed & Accuracy",
    "Speed and Accuracy",
    "Speed &amp; Accuracy",
    r"O(n\log n) Sorting",
    "X$^2$-Net",
    "X2-Net",
)

LINE = "Ann Lee, Bo Chen, {}"
RECORD = ArxivRecord(
    arxiv_id="2401.00001",
    latest_version=1,
    title="A title",
    authors=["Ann Lee", "Bo Chen", "Cy Diaz", "Dee Evans"],
    abs_url="https://arxiv.org/abs/2401.00001v1",
    pdf_url="https://arxiv.org/pdf/2401.00001v1",
    html_url="https://arxiv.org/html/2401.00001v1",
    arxiv_doi="10.48550/arXiv.2401.00001",
)


def _entry(authors: list[str]) -> DigestEntry:
    return DigestEntry(
        arxiv_id="2401.00001", authors=authors, source=Source(path="d.md", line=1, format="t")
    )


# --- placeholders -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TABLE)
def test_placeholder_everywhere_or_nowhere(text: str) -> None:
    said = is_placeholder(text)
    assert compare_is_placeholder(text) == said
    assert chatpaper._is_placeholder(text) == said or text.startswith(("[", "("))
    placeholder_finding = any("placeholder" in c.message for c in entry_conflicts(_entry([text])))
    assert placeholder_finding == said  # the comparison reports it as a placeholder
    if said:  # every reader gives no names for it
        assert split_authors(text).names == []
        assert reader_split_authors(text)[0] == []
        assert structured_authors([text]).names == []
        assert bibtex.split_bibtex_names(text)[0] == []
        assert split_names([text]).names == []
        assert claim_conflicts([Claim(field="authors", value=text, origin="summary")], RECORD) == []


def test_the_issues_placeholder_is_one_everywhere() -> None:
    assert is_placeholder("TBD") and compare_is_placeholder("TBD")
    assert split_authors("TBD") == ([], False)
    assert split_authors("Authors: TBD") == ([], False)


# --- cut markers --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TABLE)
def test_cut_marker_everywhere_or_nowhere(text: str) -> None:
    line = LINE.format(text)
    cut = strip_cut_marker(line)[1] or is_cut_item(text)
    assert split_authors(line).truncated == cut or is_placeholder(text)
    assert split_names(line).truncated == split_authors(line).truncated
    assert structured_authors(["Lee, Ann", "Chen, Bo", text]).truncated == (
        is_cut_item(text) or strip_cut_marker(text)[1]
    )
    assert (
        bibtex.split_bibtex_names(f"Lee, Ann and {text}")[1] == is_cut_item(text)
        or (
            strip_cut_marker(text)[1]  # "and 7 others" splits on its own "and" in BibTeX
        )
    )
    if cut:  # a cut marker is never a name
        assert split_authors(line).names == ["Ann Lee", "Bo Chen"]


# --- names: one person in the comparison, the report and the duplicate finder -------------------

NAMES = [
    t
    for t in TABLE
    if parse_name(t).tokens
    and not is_placeholder(t)
    and not is_cut_item(t)
    and not is_user_handle(t)  # "X2-Net": not a name to the comparison
]


def test_same_person_everywhere_or_nowhere() -> None:
    disagree = []
    for a, b in itertools.combinations(NAMES, 2):
        same = same_person(a, b)
        verdict = compare_authors([a], False, [b]).verdict
        left, right = authors_diff([a], False, [b])
        marked = "<del" in left or "<ins" in right
        if (verdict != "unverifiable" and (verdict == "ok") != same) or marked == same:
            disagree.append((a, b, same, verdict, marked))
    assert disagree == []
    assert any(same_person(a, b) for a, b in itertools.combinations(NAMES, 2))


def test_the_issues_umlaut_pair_is_one_person_in_the_report_too() -> None:
    assert same_person("Thomas Müller", "Thomas Mueller")
    left, right = authors_diff(["Thomas Müller"], False, ["Thomas Mueller"])
    assert "<del" not in left and "<ins" not in right


# --- titles: one key for the comparison, the report's word diff and the duplicate finder --------


def test_title_equal_everywhere_or_nowhere() -> None:
    disagree = []
    equal_pairs = 0
    for a, b in itertools.combinations(TABLE, 2):
        equal = title_key(a) == title_key(b)
        equal_pairs += equal
        verdict = compare_titles(a, b).verdict
        if equal and (verdict != "equal" or _title_hash(a) != _title_hash(b)):
            disagree.append((a, b, "comparison or duplicate finder"))
        if not equal and verdict == "equal" and not any(c in a + b for c in "([（【"):
            disagree.append((a, b, "comparison beyond its trailing-note rule"))
        left, right = title_diff(a, b)
        one_word = " " not in a.strip() and " " not in b.strip()  # the word diff is the key
        if one_word and ("<del" in left or "<ins" in right) == equal:
            disagree.append((a, b, "report"))
    assert disagree == []
    assert equal_pairs > 10  # the table does hold titles written two ways


# --- LaTeX and HTML: one decoder --------------------------------------------------------------


@pytest.mark.parametrize("text", TABLE)
def test_latex_is_read_the_same_by_readers_and_comparison(text: str) -> None:
    assert bibtex.delatex(text) == latex_to_text(text)
    assert parse_name(text).tokens == parse_name(latex_to_text(text, math="text")).tokens
    assert fold_title(text) == fold_title(latex_to_text(text, math="text")) or "$" in text


@pytest.mark.parametrize("text", TABLE)
def test_html_is_read_the_same_by_readers_and_comparison(text: str) -> None:
    plain = strip_html(text)
    assert fold_title(text) == fold_title(plain)
    assert parse_name(text).tokens == parse_name(plain).tokens
    assert split_authors(text) == split_authors(plain)


# "The entry's id, and every other writing as a claim": one rule (enrich/digests/claims.py),
# asked through the BibTeX reader and the field reader (JSON), and directly.
# (first writing, second writing, the entry's version, how many claims)
ID_WRITINGS: tuple[tuple[str, str, int | None, int], ...] = (
    ("2006.03654", "2006.03654v2", 2, 0),  # a later writing gives the version: no claim
    ("2006.03654v1", "2006.03654v3", 1, 1),  # another version of the same paper: a claim
    ("2006.03654", "2101.00001v2", None, 1),  # another paper in a link/field: a claim
    ("2006.03654v2", "2006.03654", 2, 0),  # the same paper without a version says nothing more
    ("2006.03654v2", "2006.03654v2", 2, 0),  # said twice: no claim
    ("hep-th/9901001", "hep-th/9901001v4", 4, 0),
)


def _paper(written: str) -> tuple[str, int | None]:
    parsed = try_parse(written)
    assert parsed is not None, written
    return parsed.id, parsed.version


@pytest.mark.parametrize(("first", "second", "version", "n_claims"), ID_WRITINGS)
def test_main_id_and_claims_agree_across_readers(
    first: str, second: str, version: int | None, n_claims: int
) -> None:
    bib = f"@article{{k, title={{T}}, eprint={{{first}}}, note={{arXiv:{second}}}}}\n"
    (from_bib,) = list(bibtex.parse(bib, "x.bib"))
    js = f'[{{"title": "T", "arxiv_id": "{first}", "pdf": "https://arxiv.org/pdf/{second}"}}]'
    (from_json,) = list(json_doc.FORMAT.parse(js, "x.json"))
    found = [WrittenId(w, p, "id", 1) for w in (first, second) if (p := try_parse(w))]
    direct = main_id_and_claims(found)
    assert direct is not None
    answers = {
        (
            _paper(entry.arxiv_id or "")[0],
            entry.version,
            tuple(_paper(str(c.value)) for c in entry.claims),
        )
        for entry in (from_bib, from_json)
    }
    answers.add(
        (
            _paper(direct.written)[0],
            direct.version,
            tuple(_paper(str(c.value)) for c in direct.claims),
        )
    )
    assert len(answers) == 1, answers
    ((_, got_version, claims),) = answers
    assert (got_version, len(claims)) == (version, n_claims)


# One bracket-aware splitter (enrich.text.authors.split_outside): BibTeX names split outside
# braces, the mirror's arXiv author string outside (affiliation) parentheses.
_PLAIN_NAMES = [
    t
    for t in TABLE
    if t.strip() and not set(t) & set(",;(){}\\<>&") and " and " not in f" {t.lower()} "
]


def test_one_bracket_aware_splitter_for_bibtex_and_the_mirror() -> None:
    assert len(_PLAIN_NAMES) >= 5
    wrapped = [f"{n} (Lab A, and Lab B; Lab C)" for n in _PLAIN_NAMES]
    assert split_outside(" and ".join(wrapped), re.compile(r"\s+and\s+"), "()") == wrapped
    mirror = split_raw_authors(", ".join(wrapped))
    assert [name for name, _ in mirror] == [" ".join(n.split()) for n in _PLAIN_NAMES]
    assert all(affiliations == ["Lab A, and Lab B; Lab C"] for _, affiliations in mirror)
    braced = ["{" + n + " and Co}" for n in _PLAIN_NAMES]
    assert split_outside(" and ".join(braced), re.compile(r"\s+and\s+")) == braced


# An author FIELD ("A B; C, D" from a reference manager): one rule (split_author_field), read
# alike by the CSV reader, the JSON reader and the field reader.
FIELD_LISTS: tuple[str, ...] = (
    "Huang, Ligang; Wei Zhang; Müller, Thomas",
    "Shlens, Jonathon",
    "A. One, B. Two and C. Three",
    "Zhang Wei；Thomas Müller",
)


@pytest.mark.parametrize("text", TABLE + FIELD_LISTS)
def test_author_field_read_alike_by_every_field_reader(text: str) -> None:
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["title", "authors", "arxiv_id"])
    writer.writerow(["A title here", text, "2006.03654"])
    record = {"title": "A title here", "authors": text, "arxiv_id": "2006.03654"}
    entries = list(table.FORMAT.parse(rows.getvalue(), "x.csv"))
    entries += list(json_doc.FORMAT.parse(json.dumps([record]), "x.json"))
    expected = split_author_field(text)
    assert len(entries) == 2
    for entry in entries:
        assert (entry.authors, entry.authors_truncated) == (expected.names, expected.truncated)
    assert names_of(text) == (expected.names, expected.truncated)


def test_a_family_first_name_inside_a_semicolon_list_is_one_name() -> None:
    found = split_author_field("Huang, Ligang; Wei Zhang")
    assert found.names == ["Ligang Huang", "Wei Zhang"]
