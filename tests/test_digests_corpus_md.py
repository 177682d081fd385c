"""The markdown/HTML list and table parsers on the sample corpus: cv-arxiv-daily,
daily-arXiv-ai-enhanced, DailyArXiv, ML Papers of the Week and Awesome-* lists.

Expected values come from plain scans of the raw text with regexes written here, independent of
the parsers (and from enrich.ids.find_arxiv_ids for id coverage), never from stored answers.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
from conftest import shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrich.digests import (
    awesome_badges,
    cv_arxiv_daily,
    daily_arxiv_ai,
    dailyarxiv,
    ml_papers_week,
    sniff_format,
)
from enrich.digests.text import clean_text, split_authors
from enrich.ids import find_arxiv_ids, try_parse
from enrich.models import DigestEntry

MODULES = {
    "cv-arxiv-daily": cv_arxiv_daily,
    "daily-arxiv-ai-enhanced": daily_arxiv_ai,
    "dailyarxiv": dailyarxiv,
    "ml-papers-of-the-week": ml_papers_week,
    "awesome-list": awesome_badges,
}
# (corpus folder, file, format, independent regex counting the file's paper entries)
FILES = [
    ("cv-arxiv-daily", "README_2022-09-28.md", "cv-arxiv-daily", r"^\|\*\*\d{4}-\d\d-\d\d\*\*\|"),
    ("cv-arxiv-daily", "wechat_2022-12-02.md", "cv-arxiv-daily", r"^- \d{4}-\d\d-\d\d, \*\*"),
    ("daily-arxiv-ai-enhanced", "2026-02-10.md", "daily-arxiv-ai-enhanced", r"^### \[\d+\] \["),
    ("daily-arxiv-ai-enhanced", "2026-06-25.md", "daily-arxiv-ai-enhanced", r"^### \[\d+\] \["),
    ("zezhishao-dailyarxiv", "README_2024-03-15.md", "dailyarxiv", r"^\| \*\*\["),
    ("zezhishao-dailyarxiv", "README_2024-03-25.md", "dailyarxiv", r"^\| \*\*\["),
    ("ml-papers-of-the-week", "README_2023-07-02.md", "ml-papers-of-the-week", r"^\| ?\d+[).] "),
    ("ml-papers-of-the-week", "README_2023-09-17.md", "ml-papers-of-the-week", r"^\| ?\d+[).] "),
    ("awesome-list-arxiv-badges", "README_2024-12-18.md", "awesome-list", r"^\+ \*\*"),
    ("awesome-list-arxiv-badges", "README_2025-11-13.md", "awesome-list", r"^\+ \*\*"),
    ("awesome-list-weihaox", "README.md", "awesome-list", r"^\* \*\*|^\*   \["),
    ("awesome-list-weihaox", "index.html", "awesome-list", r"<li>"),
]
MINE = {folder for folder, *_ in FILES}


def corpus(folder: str, name: str) -> tuple[Path, str]:
    path = shared_path("corpus", "digests", folder, name)
    return path, path.read_text(encoding="utf-8")


def parse_file(folder: str, name: str) -> tuple[str, list[DigestEntry]]:
    path, text = corpus(folder, name)
    return text, list(sniff_format(text, str(path)).parse(text, str(path)))


def stated_ids(entries: list[DigestEntry]) -> set[str]:
    """Canonical ids of the entries' main ids and of their arxiv_id claims."""
    found: set[str] = set()
    for entry in entries:
        values = [entry.arxiv_id] + [c.value for c in entry.claims if c.field == "arxiv_id"]
        for value in values:
            parsed = try_parse(value) if isinstance(value, str) else None
            if parsed:
                found.add(parsed.id)
    return found


def by_line(entries: list[DigestEntry]) -> dict[int, DigestEntry]:
    out = {e.source.line: e for e in entries if e.source.line is not None}
    assert len(out) == len(entries), "two entries on one line"
    return out


# --- every file: chosen by sniffing, parsed without error, every scanned id found --------------


@pytest.mark.parametrize(("folder", "name", "fmt", "count_re"), FILES)
def test_sniffed_parsed_and_ids_covered(folder: str, name: str, fmt: str, count_re: str) -> None:
    path, text = corpus(folder, name)
    chosen = sniff_format(text, str(path))
    assert chosen.name == fmt
    entries = list(chosen.parse(text, str(path)))
    assert entries
    assert all(e.source.format == fmt and e.source.path == str(path) for e in entries)
    # one entry per paper item, counted by an independent pattern
    assert len(entries) == len(re.findall(count_re, text, re.M))
    # every id a plain scan sees is an entry's id or one of its claims (all are real entries here)
    scanned = {m.arxiv_id.id for m in find_arxiv_ids(text)}
    missing = scanned - stated_ids(entries)
    assert not missing, f"{len(missing)} of {len(scanned)} scanned ids not found: {sorted(missing)}"
    # and nothing is invented: every stated id is written in the file
    assert stated_ids(entries) <= scanned
    lines = text.splitlines()
    starts = [e.source.line or 0 for e in entries] + [len(lines) + 1]
    for entry, end in zip(entries, starts[1:], strict=True):
        assert entry.title or (fmt == "ml-papers-of-the-week" and entry.comment), entry.source
        assert entry.source.line is not None and 1 <= entry.source.line <= len(lines)
        if entry.arxiv_id:  # written as given, between the entry's first line and the next entry
            window = "\n".join(lines[entry.source.line - 1 : max(end - 1, entry.source.line)])
            assert entry.arxiv_id in window.replace("&amp;", "&")
            assert entry.version == (try_parse(entry.arxiv_id) or _NoId).version
        for claim in entry.claims:
            assert claim.line is not None and claim.line >= entry.source.line


class _NoId:
    version = None


@pytest.mark.parametrize(("folder", "name", "fmt", "count_re"), FILES)
def test_never_raises_on_cut_or_shuffled_files(
    folder: str, name: str, fmt: str, count_re: str
) -> None:
    path, text = corpus(folder, name)
    module = MODULES[fmt]
    rng = random.Random(f"{folder}/{name}")
    lines = text.splitlines(keepends=True)
    samples = [text[: rng.randrange(len(text))] for _ in range(3)]
    samples += ["".join(rng.sample(lines, min(len(lines), 60))) for _ in range(2)]
    samples += [text.replace("](", "] (", 7), text.replace("|", "", 50), text.replace("*", "")]
    for sample in samples:
        for entry in module.FORMAT.parse(sample, str(path)):
            assert isinstance(entry, DigestEntry)


FRAGMENTS = [
    "|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n",
    "|**2022-13-45**|**T**|A et.al.|[x](http://arxiv.org/abs/2209.1)|null|\n",
    "- 2022-02-30, **T**, A et.al., Paper: [u](u), Code: ",
    "### [1] [T](https://arxiv.org/abs/9999.99999)\n*,,*\nMain category: \nTL;DR: 作者：\n",
    "<details><summary>",
    "</details>",
    "| **Title** | **Date** | **Abstract** | **Comment** |\n| --- | --- | --- | --- |\n",
    "| **[T](http://arxiv.org/abs/2403.09554v0)** | 2024-99-01 | <details> | |\n",
    "| **Paper**  | **Links** |\n| --- | --- |\n| 1) **X** - y | [Paper](",
    "+ **T** (31 Feb 2023) <details><summary>[V] et al.</summary></details>\n",
    "[![Paper](https://img.shields.io/badge/arXiv-b31b1b.svg)]()\n",
    "* **T.**<br>\n*A, B.*<br>\nV. [[PDF](https://arxiv.org/abs//1234)]\n",
    "<li><p><strong>T</strong><br><em></em><br>[<a href=>PDF</a>]</p></li>",
    "<!-- ",
    "\n",
    " | ",
    "`",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=25))
def test_never_raises_on_odd_input(parts: list[str]) -> None:
    text = "".join(parts)
    for module in MODULES.values():
        assert 0.0 <= module.FORMAT.sniff(text, "x.md") <= 1.0
        for entry in module.FORMAT.parse(text, "x.md"):
            assert isinstance(entry, DigestEntry)


def test_sniffing_claims_no_other_file() -> None:
    """Each of these formats stays under 0.5 on every other corpus folder and on every seed."""
    others = [
        p
        for p in shared_path("corpus", "digests").glob("*/*")
        if p.parent.name not in MINE and p.is_file()
    ]
    others += sorted(shared_path("seeds").glob("*.txt"))
    assert others
    for path in others:
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, module in MODULES.items():
            assert module.FORMAT.sniff(text, str(path)) < 0.5, (name, path)
    for folder, name, fmt, _ in FILES:
        path, text = corpus(folder, name)
        for other, module in MODULES.items():
            if other != fmt:
                assert module.FORMAT.sniff(text, str(path)) < 0.5, (other, path)


# --- spot checks per format against independent scans ------------------------------------------

CV_ROW = re.compile(
    r"^\|\*\*(\d{4}-\d\d-\d\d)\*\*\|\*\*(.+)\*\*\|(.+?) et\.al\.\|"
    r"\[[^\]]+\]\(http://arxiv\.org/abs/(\d{4}\.\d{5})v(\d+)\)\|(.*)\|$"
)
CV_BULLET = re.compile(
    r"^- (\d{4}-\d\d-\d\d), \*\*(.+)\*\*, (.+?) et\.al\., Paper: "
    r"\[[^\]]+\]\(http://arxiv\.org/abs/(\d{4}\.\d{5})v(\d+)\)"
)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [("README_2022-09-28.md", CV_ROW), ("wechat_2022-12-02.md", CV_BULLET)],
)
def test_cv_arxiv_daily_rows(name: str, pattern: re.Pattern[str]) -> None:
    text, entries = parse_file("cv-arxiv-daily", name)
    entries_at = by_line(entries)
    checked = 0
    for number, line in enumerate(text.splitlines(), start=1):
        m = pattern.match(line)
        if not m:
            continue
        entry = entries_at[number]
        assert entry.date == dt.date.fromisoformat(m[1])
        assert try_parse(entry.arxiv_id or "") == try_parse(f"{m[4]}v{m[5]}")
        assert entry.version == int(m[5])
        assert entry.authors == [m[3].strip()]
        assert entry.authors_truncated  # the producer always writes "et.al."
        if "github.com" in line:
            assert any("github.com" in url for url in entry.links)
        checked += 1
    assert checked == len(entries)


def test_daily_arxiv_ai_entries() -> None:
    heading = re.compile(r"^### \[\d+\] \[(.+)\]\(https://arxiv\.org/abs/(\d{4}\.\d{5})\)$")
    for name in ("2026-02-10.md", "2026-06-25.md"):
        text, entries = parse_file("daily-arxiv-ai-enhanced", name)
        entries_at = by_line(entries)
        lines = text.splitlines()
        section = None
        for number, line in enumerate(lines, start=1):
            if m := re.match(r"^# (\S+) \[\[Back\]\]", line):
                section = m[1]
            m = heading.match(line)
            if not m:
                continue
            entry = entries_at[number]
            assert entry.arxiv_id == f"https://arxiv.org/abs/{m[2]}"
            assert entry.version is None
            names = lines[number].strip().strip("*")  # the italic line right below
            assert len(entry.authors) == names.count(",") + 1
            assert entry.authors[0] == names.split(",")[0].strip()
            assert not entry.authors_truncated
            main = next(x for x in lines[number : number + 4] if x.startswith("Main category:"))
            assert entry.categories[0] == main.split(":", 1)[1].strip()
            assert section in entry.categories
            assert entry.abstract and len(entry.abstract) > 100
            assert entry.date is None
            assert not entry.claims  # no TL;DR in these files names authors


def test_dailyarxiv_rows() -> None:
    row = re.compile(
        r"^\| \*\*\[.+\]\(http://arxiv\.org/abs/(\d{4}\.\d{5})v(\d+)\)\*\* \| "
        r"(\d{4}-\d\d-\d\d) \| .*</details> \|(.*)\|$"
    )
    for name in ("README_2024-03-15.md", "README_2024-03-25.md"):
        text, entries = parse_file("zezhishao-dailyarxiv", name)
        entries_at = by_line(entries)
        versions: set[int] = set()
        for number, line in enumerate(text.splitlines(), start=1):
            m = row.match(line)
            if not m:
                continue
            entry = entries_at[number]
            assert try_parse(entry.arxiv_id or "") == try_parse(f"{m[1]}v{m[2]}")
            assert entry.version == int(m[2])
            assert entry.date == dt.date.fromisoformat(m[3])
            assert entry.authors == [] and not entry.authors_truncated  # the producer has none
            assert entry.abstract and "<" not in entry.abstract
            assert bool(entry.comment) == bool(m[4].strip())
            if entry.comment:
                assert "..." not in entry.comment[-4:]  # the full <p> text, not the cut summary
            versions.add(entry.version)
        assert versions > {1}  # the files do hold v2+ links


def test_ml_papers_of_the_week_rows() -> None:
    paper = re.compile(r"\[Paper\]\((https?://arxiv\.org/abs/+(\d{4}\.\d{5})(?:v(\d+))?)\)")
    for name in ("README_2023-07-02.md", "README_2023-09-17.md"):
        text, entries = parse_file("ml-papers-of-the-week", name)
        entries_at = by_line(entries)
        for number, line in enumerate(text.splitlines(), start=1):
            if not re.match(r"^\| ?\d+[).] ", line):
                continue
            entry = entries_at[number]
            bold = re.search(r"\*\*(.+?)\*\*", line)
            # the bold short name is not the paper's title: it leads the comment, title is None
            assert bold and entry.title is None
            assert entry.comment is not None and entry.comment.startswith(clean_text(bold[1]))
            m = paper.search(line)
            if m:
                assert entry.arxiv_id == m[1]  # as written, `abs//ID` included
                assert entry.version == (int(m[3]) if m[3] and "//" not in m[1][8:] else None)
            elif "arxiv.org/abs/" not in line:
                assert entry.arxiv_id is None  # a paper off arXiv: kept, to be marked invalid
                assert entry.links
            assert entry.authors == [] and entry.date is None
            assert all(u in line for u in entry.links)


def test_awesome_badge_entries() -> None:
    item = re.compile(r"^\+ \*\*(.+?)\*\*\s*(?:\((\d{1,2} [A-Z][a-z]+ \d{4})\))?")
    details = re.compile(r"<summary>(.*?)</summary>(.*?)</details>")
    for name in ("README_2024-12-18.md", "README_2025-11-13.md"):
        text, entries = parse_file("awesome-list-arxiv-badges", name)
        entries_at = by_line(entries)
        lines = text.splitlines()
        dated = summaries = 0
        for number, line in enumerate(lines, start=1):
            m = item.match(line)
            if not m:
                continue
            entry = entries_at[number]
            if m[2]:
                month = m[2].split()[1]
                fmt = "%d %B %Y" if len(month) > 3 else "%d %b %Y"
                assert entry.date == dt.datetime.strptime(m[2], fmt).date()
                dated += 1
            d = details.search(line)
            if d and d[2].strip():
                assert len(entry.authors) == len(re.split(r",| and ", d[2]))
                assert not entry.authors_truncated  # the body holds the full list
                if "et al." in d[1]:
                    claim = next(c for c in entry.claims if c.field == "authors")
                    assert claim.authors_truncated and claim.origin == "author summary"
                    assert isinstance(claim.value, list)
                    assert claim.value == entry.authors[: len(claim.value)]
                    summaries += 1
            below = []
            for nxt in lines[number:]:
                if not nxt.startswith("[!["):
                    break
                below.append(nxt)
            badge = re.search(
                r"\[!\[Paper\]\([^)]*\)\]\((https?://(?:www\.)?arxiv\.org/abs/[^)]+)\)",
                "\n".join(below),
            )
            if badge:
                assert entry.arxiv_id == badge[1]
                version = re.search(r"v(\d+)$", badge[1])
                assert entry.version == (int(version[1]) if version else None)
            elif not any("arxiv.org/" in x for x in below):
                assert entry.arxiv_id is None
        assert dated > 40 and summaries > 40
        assert not any(e.title and e.title.startswith("✅") for e in entries)  # the tips


def test_awesome_weihaox_markdown_and_html_agree() -> None:
    """README.md and index.html are two renderings of one list: the entries must match."""
    md_text, md = parse_file("awesome-list-weihaox", "README.md")
    _, html = parse_file("awesome-list-weihaox", "index.html")
    assert len(md) == len(html) == 130

    def norm(s: str | None) -> str:
        return re.sub(r"[“”\"’'–-]+", "", s or "")

    for a, b in zip(md, html, strict=True):
        assert norm(a.title) == norm(b.title)
        assert a.arxiv_id == b.arxiv_id
        assert a.authors == b.authors and a.authors
        assert not a.authors_truncated
        assert norm(a.comment) == norm(b.comment)
    # independent: each `* **Title.**<br>` item's PDF link, as written
    pdf = re.compile(r"\[\[PDF\]\((https?://arxiv\.org/abs/[^)]+)\)\]")
    md_at = by_line(md)
    lines = md_text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("* **"):
            block = "\n".join(lines[number - 1 : number + 3])
            m = pdf.search(block)
            if m:
                assert md_at[number].arxiv_id == m[1]
            title = md_at[number].title
            assert title and not title.endswith(".")
    survey = md[0]
    assert survey.authors == ["Weihao Xia", "Jing-Hao Xue"]
    assert [(c.field, c.value, c.origin) for c in survey.claims] == [
        ("arxiv_id", "arXiv: 2210.14267", "text")
    ]


# --- claims and entry rules on small hand-written samples ---------------------------------------


def test_cv_row_claims_and_row_without_id() -> None:
    text = (
        "## SLAM\n\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n"
        "|**2022-09-24**|**A Title**|Ann Lee et.al.|[2209.12091v2](http://arxiv.org/abs/2209.12091v2)"
        "|**[link](https://paperswithcode.com/paper/arxiv:2209.12091v1)**|\n"
        "|**2022-09-23**|**No Link**|Bo Li et.al.|null|null|\n"
    )
    first, second = cv_arxiv_daily.FORMAT.parse(text, "t.md")
    assert first.arxiv_id == "http://arxiv.org/abs/2209.12091v2" and first.version == 2
    assert [(c.value, c.origin, c.line) for c in first.claims] == [
        ("arxiv:2209.12091v1", "link link", 5)
    ]
    assert second.arxiv_id is None and second.title == "No Link" and second.source.line == 6


def test_ml_papers_claim_from_a_second_arxiv_link() -> None:
    text = (
        "## Top ML Papers of the Week (Jan 1-8)\n| **Paper**  | **Links** |\n| --- | --- |\n"
        "| 1) **Nick** - does things. | [Paper](https://arxiv.org/abs/2301.00001v3), "
        "[Project](https://arxiv.org/pdf/2301.00002.pdf), [Tweet](https://twitter.com/x) |\n"
        "| 2) **Blog** - no paper. | [Blog](https://example.org/post) |\n"
    )
    assert ml_papers_week.FORMAT.sniff(text, "t.md") >= 0.5
    first, second = ml_papers_week.FORMAT.parse(text, "t.md")
    assert first.arxiv_id == "https://arxiv.org/abs/2301.00001v3" and first.version == 3
    assert first.title is None and first.comment == "Nick: does things."
    assert [(c.value, c.origin) for c in first.claims] == [
        ("https://arxiv.org/pdf/2301.00002.pdf", "project link")
    ]
    assert second.arxiv_id is None and second.links == ["https://example.org/post"]


def test_daily_arxiv_ai_summary_authors_become_a_claim() -> None:
    text = (
        "# cs.CL [[Back]](#toc)\n\n"
        "### [1] [A Title](https://arxiv.org/abs/2602.00001)\n*Ann Lee,Bo Li*\n\n"
        "Main category: cs.CL\n\nTL;DR: 提出了一个方法（作者：张三、李四等）。\n\n"
        "<details>\n  <summary>Details</summary>\nMotivation: m\n\n"
        "Abstract: We cite arXiv:2401.00001 here.\n\n</details>\n"
    )
    (entry,) = daily_arxiv_ai.FORMAT.parse(text, "t.md")
    assert entry.authors == ["Ann Lee", "Bo Li"] and entry.categories == ["cs.CL"]
    assert entry.abstract == "We cite arXiv:2401.00001 here."
    (claim,) = entry.claims  # the abstract's citation is not a claim
    assert claim.field == "authors" and claim.origin == "summary" and claim.line == 8
    assert claim.authors_truncated and claim.value == ["张三", "李四"]


def test_dailyarxiv_pipe_inside_abstract_does_not_split() -> None:
    text = (
        "| **Title** | **Date** | **Abstract** | **Comment** |\n| --- | --- | --- | --- |\n"
        "| **[T](http://arxiv.org/abs/2403.09554v2)** | 2024-03-14 | <details><summary>Show"
        "</summary><p>norm $|x|$ bound</p></details> | <details><summary>9 pa...</summary>"
        "<p>9 pages</p></details> |\n"
    )
    (entry,) = dailyarxiv.FORMAT.parse(text, "t.md")
    assert entry.abstract == "norm $|x|$ bound" and entry.comment == "9 pages"
    assert entry.date == dt.date(2024, 3, 14) and entry.version == 2


def test_awesome_items_that_are_not_papers_are_skipped() -> None:
    text = (
        "- [Intro](#intro)\n- **✅ Tip**: search with ctrl+F\n\n"
        "+ **Only Code** \n[![Code](https://img.shields.io/github/stars/a/b.svg)](https://github.com/a/b)\n\n"
        "+ **Off arXiv** <details><summary>A et al.</summary>A, B</details>\n"
        "[![Paper](https://img.shields.io/badge/arXiv-b31b1b.svg)](https://openreview.net/x)\n"
    )
    entries = list(awesome_badges.FORMAT.parse(text, "t.md"))
    assert [e.title for e in entries] == ["Only Code", "Off arXiv"]
    assert all(e.arxiv_id is None for e in entries)
    assert entries[1].authors == ["A", "B"] and entries[1].links == ["https://openreview.net/x"]


# --- the text.py fixes these formats needed -----------------------------------------------------


def test_markdown_link_with_spaces_around_the_target() -> None:
    assert clean_text("[Christian Richardt]( https://richardt.name/)") == "Christian Richardt"
    assert clean_text('[a]( x "title" ) and [b](y)') == "a and b"
    names = "*Ann Bo, [Cy Do]( https://c.d/), Ed Fu.*"
    assert split_authors(names) == (["Ann Bo", "Cy Do", "Ed Fu"], False)


def test_full_stop_left_by_an_html_tag_is_not_part_of_a_name() -> None:
    html = '<em><a href="x">Yujun Shen</a>, <a href="y">Bolei Zhou</a>.</em>'
    assert split_authors(html) == (["Yujun Shen", "Bolei Zhou"], False)
    assert split_authors("Ann Lee, Edward J.") == (["Ann Lee", "Edward J."], False)
