"""Every file of ../shared/corpus/wild/ is read, checked against an independent reading.

Each test reads the file a second way -- with the format's own library (json, csv, rispy, lxml) or a
plain regex scan written here for that file's layout -- and states what the entries must be: their
ids and versions, and where the file writes them, titles, authors, cut flags and categories. The
parser's output is never the expectation.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import lxml.html
import pytest
import rispy

from enrich.ids import find_arxiv_ids, parse_arxiv_id
from enrich.ingest import FileReport, iter_entries
from enrich.models import DigestEntry
from tests.conftest import shared_path

_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v(\d+))?")


def wild(*parts: str) -> Path:
    return shared_path("corpus", "wild", *parts)


def read(path: Path) -> tuple[list[DigestEntry], FileReport]:
    reports: list[FileReport] = []
    entries = list(iter_entries([path], on_file=reports.append))
    assert len(reports) == 1 and reports[0].error is None
    return entries, reports[0]


def squash(text: str) -> str:
    return " ".join(text.split())


def ids_of(entries: list[DigestEntry]) -> list[tuple[str | None, int | None]]:
    return [(e.arxiv_id, e.version) for e in entries]


def first_id(text: str) -> tuple[str, int | None]:
    m = _ID.search(text)
    assert m is not None, text
    return m.group(1), int(m.group(2)) if m.group(2) else None


def test_every_wild_file_has_a_test_here() -> None:
    files = sorted(p.name for p in wild().rglob("*") if p.is_file() and p.name != "SOURCES.md")
    source = Path(__file__).read_text(encoding="utf-8")
    assert len(files) == 22
    missing = [name for name in files if name not in source]
    assert not missing


def test_every_wild_file_is_read_by_a_reader_made_for_it() -> None:
    for path in sorted(wild().rglob("*")):
        if not path.is_file() or path.name == "SOURCES.md":
            continue
        entries, report = read(path)
        assert entries, path
        assert report.format != "generic", path
        assert all(e.status == "valid" for e in entries), path
        for entry in entries:  # a guess never shows a label as a value
            assert entry.title is None or not re.fullmatch(
                r"\W*(?:authors?|title|links?|pdf|code|url)\W*", entry.title, re.I
            )


# --- hf-daily -----------------------------------------------------------------------------------


def test_hf_daily_json_atharvadomale() -> None:
    path = wild("hf-daily", "atharvadomale-2026-01-14.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    entries, report = read(path)
    assert report.format == "json"
    assert ids_of(entries) == [first_id(item["paper_url"]) for item in data]
    assert [e.title for e in entries] == [item["title"] for item in data]
    for entry, item in zip(entries, data, strict=True):
        # Hugging Face lists mix user handles ("ssz1111", "chenxz") in with names: no handle stays
        written = [a.replace("\\", "") for a in item["authors"] if " " in a.strip()]
        assert entry.authors == written
        assert bool(entry.abstract) == bool((item["details"].get("abstract") or "").strip())
        assert entry.provenance["title"] == "structured"


def test_hf_daily_readme_atharvadomale() -> None:
    path = wild("hf-daily", "atharvadomale-README.md")
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(
        r"<summary><b>\d+\.\s*(.*?)</b>.*?</summary>.*?huggingface\.co/papers/(\d{4}\.\d{5})",
        text,
        re.S,
    )
    entries, report = read(path)
    assert report.format == "markdown" and len(blocks) == 26
    assert ids_of(entries) == [(i, None) for _, i in blocks]
    assert [e.title for e in entries] == [squash(t) for t, _ in blocks]
    assert all(e.provenance["title"] == "guessed" for e in entries)


def test_hf_daily_chinese_hiwei93() -> None:
    path = wild("hf-daily", "hiwei93-20230911-hf-daily-papers.md")
    text = path.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1)) for m in re.finditer(r"^## (.+)$", text, re.M)]
    links = list(re.finditer(r"huggingface\.co/papers/(\d{4}\.\d{5})", text))
    # each paper's section: the last heading before its link
    titles = [squash([h for at, h in headings if at < m.start()][-1]) for m in links]
    entries, _ = read(path)
    assert len(links) == 5
    assert ids_of(entries) == [(m.group(1), None) for m in links]
    # the link text "到 Huggingface 论文主页查看详情" is a button: the heading is the title
    assert [e.title for e in entries] == titles


# --- chinese ------------------------------------------------------------------------------------


def test_chinese_table_shiyibihua() -> None:
    path = wild("chinese", "shiyibihua-cs-CV-2025-12-24-index.md")
    text = path.read_text(encoding="utf-8")
    rows = re.findall(
        r"<tr>\s*<td>\d+</td>\s*<td><a [^>]*>(.*?)</a>.*?data-arxiv-id=\"([^\"]+)\"", text, re.S
    )
    entries, _ = read(path)
    assert len(rows) == 25
    expected = [parse_arxiv_id(i) for _, i in rows]
    assert ids_of(entries) == [(a.id, a.version) for a in expected]
    assert [e.title for e in entries] == [
        squash(lxml.html.fromstring(t).text_content()) for t, _ in rows
    ]


def test_chinese_paper_cards_yuanxinguo() -> None:
    path = wild("chinese", "yuanxinguo-audio-sudi-2026-08-22.md")
    text = path.read_text(encoding="utf-8")
    cards = lxml.html.fragments_fromstring(
        "<div>"
        + "".join(
            re.findall(
                r"<div class=\"paper-card.*?</div></div>|"
                r"<div class=\"paper-card.*?\n</div>\n</div>",
                text,
                re.S,
            )
        )
        + "</div>"
    )[0].find_class("paper-card")
    by_id: dict[str, tuple[str, str | None]] = {}
    for card in cards:
        arxiv = [a for a in card.iter("a") if "arxiv.org/abs/" in (a.get("href") or "")]
        if not arxiv:
            continue
        arxiv_id = first_id(arxiv[0].get("href"))[0]
        title = squash(card.find_class("card-title")[0].text_content())
        authors = card.find_class("card-authors")
        by_id.setdefault(arxiv_id, (title, squash(authors[0].text_content()) if authors else None))
    entries, _ = read(path)
    assert len(by_id) == 15 == len(entries)
    assert [e.arxiv_id for e in entries] == list(by_id)
    for entry in entries:
        title, authors = by_id[str(entry.arxiv_id)]
        assert entry.title == title
        if authors is None:
            assert entry.authors == []
        else:
            written = [a.strip() for a in authors.split(",") if "et al" not in a]
            assert entry.authors == written
            assert entry.authors_truncated == ("et al" in authors)
    assert sum(e.authors_truncated for e in entries) == sum(
        1 for _, authors in by_id.values() if authors and "et al" in authors
    )


# --- org-rst ------------------------------------------------------------------------------------


def test_org_reading_list_ilkerkesen() -> None:
    path = wild("org-rst", "ilkerkesen-papers.org")
    text = path.read_text(encoding="utf-8")
    expected = []
    for heading, body in re.findall(r"^\* (.+)\n((?:(?!\* ).*\n?)*)", text, re.M):
        link = re.search(r":link:\s+(\S*arxiv\.org\S*)", body)
        if link:
            expected.append((*first_id(link.group(1)), heading.strip()))
    entries, report = read(path)
    assert report.format == "org" and len(expected) == 36
    assert ids_of(entries) == [(i, v) for i, v, _ in expected]
    assert [e.title for e in entries] == [t for _, _, t in expected]
    assert sum(1 for e in entries if e.version) == 7


def test_rst_reading_list_ml_glossary() -> None:
    path = wild("org-rst", "ml-glossary-papers.rst")
    text = path.read_text(encoding="utf-8")
    lines = [m for m in re.finditer(r"^- (.*)$", text, re.M) if "arxiv.org" in m.group(1)]
    entries, report = read(path)
    assert report.format == "rst"
    assert ids_of(entries) == [first_id(m.group(1).split("arxiv.org", 1)[1]) for m in lines]
    for entry, m in zip(entries, lines, strict=True):
        cited = re.match(r"(.*?) \((\d{4})\), (.*?) `", m.group(1))
        if cited is None:  # no year: the item is no citation line
            continue
        assert entry.title == cited.group(1)
        names = cited.group(3).strip(" ,")
        assert entry.authors_truncated == names.endswith("et al.")
        written = re.sub(r"\s*et al\.$", "", names)
        assert entry.authors == [n.strip().rstrip(".") for n in written.split(" and ")]
    assert sum(1 for e in entries if e.version) == 12


# --- refmgr -------------------------------------------------------------------------------------


def test_better_bibtex_json_zotero() -> None:
    path = wild("refmgr", "bbt-zotero-json-arXiv-identifiers-460.json")
    items = json.loads(path.read_text(encoding="utf-8"))["items"]
    entries, _ = read(path)
    assert ids_of(entries) == [first_id(item["url"]) for item in items]
    assert [e.title for e in entries] == [item["title"] for item in items]
    for entry, item in zip(entries, items, strict=True):
        assert entry.authors == [f"{c['firstName']} {c['lastName']}" for c in item["creators"]]
        cited = " ".join([item.get("publicationTitle", ""), *item.get("extra", [])])
        cats = re.findall(r"arXiv: ?[\d.]+ \[([\w.-]+)\]", cited)
        assert entry.categories == list(dict.fromkeys(c for c in cats if "-" in c or "." in c))


def test_better_csl_json_j1c() -> None:
    path = wild("refmgr", "j1c-zotero-better-csl-My-Library.json")
    items = [
        i for i in json.loads(path.read_text(encoding="utf-8")) if "arxiv.org" in i.get("URL", "")
    ]
    entries, _ = read(path)
    assert len(items) == 10
    assert ids_of(entries) == [first_id(i["URL"]) for i in items]
    assert [e.title for e in entries] == [i["title"] for i in items]
    for entry, item in zip(entries, items, strict=True):
        assert entry.authors == [f"{a['given']} {a['family']}" for a in item["author"]]
        parts = item["issued"]["date-parts"][0]
        if len(parts) == 3:
            year, month, day = (int(x) for x in parts)
            assert entry.date is not None and (
                entry.date.year,
                entry.date.month,
                entry.date.day,
            ) == (
                year,
                month,
                day,
            )


def test_zotero_csv_controlnet() -> None:
    path = wild("refmgr", "controlnet-zotero-My-Library.csv")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if "arxiv" in (r["Extra"] + r["Url"]).lower()]
    entries, report = read(path)
    assert report.format == "csv" and len(rows) == 9
    assert [e.arxiv_id for e in entries] == [first_id(r["Extra"] or r["Url"])[0] for r in rows]
    assert [e.title for e in entries] == [r["Title"] for r in rows]
    for entry, row in zip(entries, rows, strict=True):
        written = [n.split(", ", 1) for n in row["Author"].split("; ")]
        assert entry.authors == [f"{given} {family}" for family, given in written]
        assert entry.date is not None and entry.date.isoformat() == row["Date"][:10]


def test_ris_from_arxiv_mail_willjay() -> None:
    path = wild("refmgr", "willjay-arxiv-mail.ris")
    records = rispy.loads(path.read_text(encoding="utf-8"))
    entries, report = read(path)
    assert report.format == "ris" and len(records) == 2
    # UR is the malformed "https://arxiv.org/abs/arXiv:2411.13560": still the paper's id
    assert ids_of(entries) == [first_id(r["urls"][0]) for r in records]
    assert [e.title for e in entries] == [r["title"] for r in records]
    for entry, record in zip(entries, records, strict=True):
        written = [n.split(", ", 1) for n in record["authors"][0].split(" and ")]
        assert entry.authors == [f"{given} {family}" for family, given in written]


def test_ris_dblp_style_tengann() -> None:
    path = wild("refmgr", "tengann-references-trimmed.ris")
    records = rispy.loads(path.read_text(encoding="utf-8"))
    arxiv = [r for r in records if str(r.get("secondary_title", "")).lower() == "arxiv"]
    entries, _ = read(path)
    assert len(records) == 35 and len(arxiv) == 1
    assert ids_of(entries) == [first_id(r["volume"]) for r in arxiv]
    assert entries[0].title == arxiv[0]["title"]
    assert entries[0].authors == [" ".join(reversed(a.split(", "))) for a in arxiv[0]["authors"]]


# --- csv ----------------------------------------------------------------------------------------


def test_csv_paper_hub_wam() -> None:
    path = wild("csv", "wam-paper-hub-papers.csv")
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    written = [
        r["arxiv_id"]
        or next(
            (
                m.text
                for c in ("abs_url", "pdf_url", "doi")
                for m in find_arxiv_ids(r[c], bare=False)
            ),
            "",
        )
        for r in rows
    ]
    rows = [r for r, w in zip(rows, written, strict=True) if w]
    entries, _ = read(path)
    assert len(rows) == 84
    assert ids_of(entries) == [first_id(w) for w in written if w]
    assert [e.title for e in entries] == [squash(r["title"]) for r in rows]
    for entry, row in zip(entries, rows, strict=True):  # "A; B; Huang, Ligang": family first
        names = [" ".join(reversed(n.split(", "))) for n in row["authors"].split("; ")]
        assert entry.authors == names
    assert [str(e.date) for e in entries] == [r["date"] for r in rows]
    assert sum(1 for e in entries if e.version) == 83


def test_csv_curated_list_genai() -> None:
    path = wild("csv", "genai-research-papers-summarized-papers.csv")
    with path.open(encoding="utf-8", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if "arxiv.org" in r["url"]]
    entries, _ = read(path)
    assert ids_of(entries) == [first_id(r["url"]) for r in rows]
    assert [e.title for e in entries] == [r["title"] for r in rows]
    for entry, row in zip(entries, rows, strict=True):
        if " - " in row["authors"]:  # several papers' authors in one cell: no list to check
            continue
        # notes after a name (affiliations, labs) go; a nickname inside a name stays
        written = re.sub(r"\s*\([^()]*\)(?=\s*(?:[,;]|$))", "", row["authors"])
        cut = bool(re.search(r"\bet al\.?$", written))
        assert entry.authors_truncated == cut, row["authors"]
        names = [n.strip() for n in re.split(r"[,;]", re.sub(r",?\s*et al\.?$", "", written))]
        assert entry.authors == [n for n in names if n], row["authors"]
        assert entry.categories == []  # "architectures", "multimodal" are no arXiv categories


# --- json ---------------------------------------------------------------------------------------


def test_json_arxiv_bot_yibanshanzhu() -> None:
    path = wild("json", "yibanshanzhu-daily-paper-digest-arxiv.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [item for group in data.values() for item in group]
    entries, _ = read(path)
    assert ids_of(entries) == [first_id(i["link"]) for i in items]
    assert [e.title for e in entries] == [squash(i["title"]) for i in items]
    assert [e.authors for e in entries] == [i["authors"].split(", ") for i in items]
    assert [str(e.date) for e in entries] == [i["published"][:10] for i in items]
    assert all(e.provenance["authors"] == "structured" for e in entries)


def test_json_openalex_answer_fmuro() -> None:
    path = wild("json", "fmuro-openalex-works-trimmed.json")
    works = json.loads(path.read_text(encoding="utf-8"))["results"]
    expected = []
    for work in works:
        urls = json.dumps(work["locations"])
        found = list(find_arxiv_ids(urls, bare=False))
        if found:  # the first work's arXiv PDF is only in a raw_source_name
            expected.append((work, found[0].arxiv_id))
    entries, _ = read(path)
    assert [e.arxiv_id for e in entries] == [a.id for _, a in expected]
    assert "math/0603544" in [e.arxiv_id for e in entries]  # old style
    for entry, (work, _) in zip(entries, expected, strict=True):
        assert entry.title == work["title"]
        assert entry.authors == [a["author"]["display_name"] for a in work["authorships"]]


def test_csl_json_zbmath_fmuro() -> None:
    path = wild("json", "fmuro-output-zbmath-csl.json")
    items = [i for i in json.loads(path.read_text(encoding="utf-8")) if i.get("arxiv")]
    entries, _ = read(path)
    assert len(items) == 39
    assert [e.arxiv_id for e in entries] == [parse_arxiv_id(i["arxiv"]).id for i in items]
    assert sum("/" in str(e.arxiv_id) for e in entries) == 12
    assert [e.title for e in entries] == [i["title"] for i in items]
    assert [e.authors for e in entries] == [
        [f"{a['given']} {a['family']}" for a in i["author"]] for i in items
    ]


# --- html ---------------------------------------------------------------------------------------


def test_html_preprints_fmuro() -> None:
    path = wild("html", "fmuro-preprints.html")
    text = path.read_text(encoding="utf-8")
    page = lxml.html.fromstring(text)
    hrefs = [a.get("href") for a in page.iter("a") if "arxiv.org/abs/" in (a.get("href") or "")]
    distinct = list(dict.fromkeys(first_id(h)[0] for h in hrefs))
    cited = dict(re.findall(r"\{arXiv\}:(\d{4}\.\d{5}) \[([^\]]+)\]", text))
    entries, report = read(path)
    assert report.format == "html"
    assert [e.arxiv_id for e in entries] == distinct  # the button and the BibTeX modal: one paper
    assert [e.categories for e in entries] == [
        [cited[i].replace("{", "").replace("}", "")] for i in distinct
    ]


# --- other --------------------------------------------------------------------------------------


def test_obsidian_note_tsingqingyun() -> None:
    path = wild("other", "tsingqingyun-obsidian-note-EXIMO.md")
    text = path.read_text(encoding="utf-8")
    url = re.search(r'^url: "(.*)"$', text, re.M)
    names = re.search(r"^- Authors: (.*)$", text, re.M)
    heading = re.search(r"^# (.*)$", text, re.M)
    assert url and names and heading
    entries, _ = read(path)
    assert ids_of(entries) == [first_id(url.group(1))]
    assert entries[0].authors == names.group(1).split(", ")
    assert entries[0].title == heading.group(1)
    assert str(entries[0].date) == re.search(r'^published: "(\d{4}-\d\d-\d\d)', text, re.M).group(1)  # type: ignore[union-attr]


def test_arxiv_mail_listing_willjay() -> None:
    path = wild("other", "willjay-arxiv-mailing-list-digest.txt")
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(
        r"^arXiv:(\S+)\n.*?^Title: (.*?)\n(?=\S).*?^Authors: (.*?)\n(?=\S).*?^Categories: (.*?)$",
        text,
        re.M | re.S,
    )
    entries, report = read(path)
    assert report.format == "arxiv-email" and len(blocks) == 2
    assert [e.arxiv_id for e in entries] == [b[0] for b in blocks]
    assert [e.title for e in entries] == [squash(b[1]) for b in blocks]
    assert [e.authors for e in entries] == [squash(b[2]).split(", ") for b in blocks]
    assert [e.categories for e in entries] == [b[3].split() for b in blocks]


def test_bbl_tokenshare() -> None:
    path = wild("other", "tokenshare-paper.bbl")
    text = path.read_text(encoding="utf-8")
    items = re.split(r"(?=\\bibitem)", text)[1:]
    named = [
        (item, first_id(item))
        for item in items
        if re.search(r"arxiv", item, re.I) and _ID.search(item)
    ]
    entries, report = read(path)
    assert report.format == "bbl" and len(named) == 9
    assert ids_of(entries) == [i for _, i in named]
    for entry, (item, _) in zip(entries, named, strict=True):
        author_block = re.split(r"\\newblock", item.split("\n", 1)[1])[0]
        assert entry.authors_truncated == ("et~al" in author_block or "et al" in author_block)
        title_block = re.split(r"\\newblock", item)[1]
        words = re.findall(r"[A-Za-z]{4,}", title_block)[:3]
        assert entry.title and all(w in entry.title for w in words)


def test_reddit_dump_barrcodes() -> None:
    path = wild("other", "barrcodes-reddit-ml-2026-01-28.md")
    text = path.read_text(encoding="utf-8")
    posts = re.findall(
        r"^## (.+)\n- \*\*URL:\*\* (\S*arxiv\.org\S*)\n- \*\*Published:\*\* (\S+)", text, re.M
    )
    entries, _ = read(path)
    assert len(posts) == 2
    assert ids_of(entries) == [first_id(u) for _, u, _ in posts]
    assert [e.title for e in entries] == [t for t, _, _ in posts]
    assert [str(e.date) for e in entries] == [d for _, _, d in posts]


@pytest.mark.parametrize(
    "name", ["json", "csv", "ris", "org", "rst", "bbl", "arxiv-email", "html", "markdown"]
)
def test_new_readers_are_registered(name: str) -> None:
    from enrich.digests import all_formats

    assert name in all_formats()
