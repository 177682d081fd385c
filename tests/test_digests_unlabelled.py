"""What digests write without a label: a line of names after a paper's link, arXiv's own page
title ("[2403.03518] Title") as a link's text, "& al.", and JSON Lines of another program's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrich.digests import all_formats
from enrich.ingest import iter_entries, validate
from enrich.models import DigestEntry
from enrich.text.authors import reads_as_names


def _markdown(text: str) -> list[DigestEntry]:
    return [validate(e) for e in all_formats()["markdown"].parse(text, "x.md")]


LINK = "[A Title of Words](https://arxiv.org/abs/2402.13301v2)"
ARXIV = "[arXiv](https://arxiv.org/abs/2402.13301)"


@pytest.mark.parametrize(
    ("item", "names", "cut"),
    [
        (f"{LINK} — Nora Fisk et al.", ["Nora Fisk"], True),
        (f"{LINK} by Yi-Chen Lin and Arjun Mehta", ["Yi-Chen Lin", "Arjun Mehta"], False),
        (f"{LINK} by Ada Quist-Lee", ["Ada Quist-Lee"], False),
        (f"**A Title** (Sam Okafor, Hye-jin Kang) {ARXIV}", ["Sam Okafor", "Hye-jin Kang"], False),
        (f"{LINK}, Gabriela Lopes, H. Tran, et al., 2024", ["Gabriela Lopes", "H. Tran"], 1),
        (f"{LINK}\n  *Dan O'Connor, Priya Raghu, et al.*", ["Dan O'Connor", "Priya Raghu"], 1),
        (f"{LINK} — Ann van der Berg & J. R. Whit Jr.", ["Ann van der Berg", "J. R. Whit Jr."], 0),
        ("[一个标题](https://arxiv.org/abs/2402.13301) — 张伟、黄丽华等", ["张伟", "黄丽华"], True),
    ],
)  # fmt: skip
def test_a_line_of_names_beside_the_link_gives_the_authors(
    item: str, names: list[str], cut: bool
) -> None:
    (entry,) = _markdown(f"# Picks\n\n- {item}\n")
    assert entry.arxiv_id == "2402.13301"
    assert (entry.authors, entry.authors_truncated) == (names, bool(cut))
    assert entry.provenance["authors"] == "guessed"  # a finding on them is at most info


def test_names_under_a_heading_without_a_label() -> None:
    text = (
        "### Calibrated Ranking for Retrieval\n\n"
        "*Anneliese van der Berg, Kwame Mensah and Yuki Tanabe* — [abs](https://arxiv.org/abs/"
        "2402.09120v1) | [pdf](https://arxiv.org/pdf/2402.09120v1)\n\n"
        "Conformal sets for retrieval. Nice, practical, short.\n"
    )
    (entry,) = _markdown(text)
    assert entry.title == "Calibrated Ranking for Retrieval"
    assert entry.authors == ["Anneliese van der Berg", "Kwame Mensah", "Yuki Tanabe"]
    assert entry.source.line == 1


@pytest.mark.parametrize(
    "rest",
    [
        "— Computer Vision, Machine Learning",  # tags
        "— Google DeepMind, Meta AI",  # labs
        "— Stanford University",
        "— We propose a new way to rank, and Anna Lee agrees",  # a sentence
        "— Nora Fisk",  # one name, no cue: perhaps a person, perhaps a place
        "— Medical Imaging, Drug Discovery",  # tags, capitalised
        "— Hugging Face, Carnegie Mellon",  # labs
        "— Nature Communications, Cell Reports",  # venues
        "— Highly Recommended, Must Read",
        "by Hugging Face",
        "— 大模型、多模态、推理",  # Chinese tags
        "— Ann Lee, Bo Chen",  # names, perhaps; nothing says so: missed rather than invented
        "— Oral, Spotlight",
        "(2024)",
        "· `cs.CL` `cs.LG`",
        "— 12 ⭐",
    ],
)
def test_what_is_no_line_of_names_gives_no_authors(rest: str) -> None:
    (entry,) = _markdown(f"- [A Title of Words](https://arxiv.org/abs/2402.13301) {rest}\n")
    assert entry.authors == []
    assert "authors" not in entry.provenance


def test_a_labelled_line_wins_over_a_guess() -> None:
    text = (
        "- [A Title of Words](https://arxiv.org/abs/2402.13301) — Nora Fisk et al.\n"
        "  **Authors:** Nora Fisk, Omar Haddad, Li Wei\n"
    )
    (entry,) = _markdown(text)
    assert entry.authors == ["Nora Fisk", "Omar Haddad", "Li Wei"]
    assert entry.provenance["authors"] == "labelled"


def test_only_the_first_lines_of_an_entry_are_asked() -> None:
    prose = "\n".join(f"Line {n} of what the paper does, at length." for n in range(3))
    text = f"### A Title of Words\n\n{ARXIV}\n\n{prose}\n\nNora Fisk, Omar Haddad\n"
    (entry,) = _markdown(text)
    assert entry.authors == []


@pytest.mark.parametrize(
    ("text", "names", "cut"),
    [
        ("Ann-Marie Lee, Bo Chen", ["Ann-Marie Lee", "Bo Chen"], False),
        ("Ann Lee et al.", ["Ann Lee"], True),
        ("Sebastián de la Cruz and Mei-Ling Hsu", ["Sebastián de la Cruz", "Mei-Ling Hsu"], False),
        ("Smith J, Doe A", ["Smith J", "Doe A"], False),
        ("Ann Van Der Berg, Bo Chen", ["Ann Van Der Berg", "Bo Chen"], False),  # the gate too
    ],
)
def test_reads_as_names(text: str, names: list[str], cut: bool) -> None:
    found = reads_as_names(text)
    assert found is not None
    assert (found.names, found.truncated) == (names, cut)


@pytest.mark.parametrize(
    "text",
    [
        "Ann Lee",
        "Deep Learning, Robotics",
        "IBM Research, MIT",
        "Accepted at ICML 2024",
        "A B C D E F",
    ],
)
def test_reads_as_no_names(text: str) -> None:
    assert reads_as_names(text) is None


def test_one_name_after_by_reads_as_names() -> None:
    found = reads_as_names("by Ann-Marie Lee", cue=True)
    assert found is not None and found.names == ["Ann-Marie Lee"]
    assert reads_as_names("by Hugging Face", cue=True) is None  # capitalised words alone


@pytest.mark.parametrize(
    ("written", "title"),
    [
        ("[2403.03518] A Population of Radio Transients", "A Population of Radio Transients"),
        ("[2403.03518v4] A Population of Radio Transients", "A Population of Radio Transients"),
        ("[arXiv:2403.03518] A Population of Radio Transients", "A Population of Radio Transients"),
        ("[Review] A Population of Radio Transients", "[Review] A Population of Radio Transients"),
        (
            "[WIP] A Population of Radio Transients (2024)",
            "[WIP] A Population of Radio Transients (2024)",
        ),
    ],
)
def test_arxivs_page_title_as_a_link_text(written: str, title: str) -> None:
    (entry,) = _markdown(f"- [{written}](https://arxiv.org/abs/2403.03518v4)\n")
    assert entry.arxiv_id == "2403.03518"
    assert entry.title == title


def test_arxivs_page_title_in_a_json_field(tmp_path: Path) -> None:
    path = tmp_path / "bot.json"
    path.write_text(
        json.dumps([{"title": "[2403.03518v1] A Population of Radio Transients", "url": "https://arxiv.org/abs/2403.03518v1"}]),
        encoding="utf-8",
    )  # fmt: skip
    (entry,) = iter_entries([str(path)])
    assert entry.title == "A Population of Radio Transients"
    assert (entry.arxiv_id, entry.version) == ("2403.03518", 1)


def test_ampersand_al_cuts_the_list() -> None:
    text = "## A paper\n\n**Authors:** Dan O'Connor, Priya Raghunathan & al.\n\n[arXiv](https://arxiv.org/abs/2402.10077v3)\n"
    (entry,) = _markdown(text)
    assert entry.authors == ["Dan O'Connor", "Priya Raghunathan"]
    assert entry.authors_truncated


def test_json_lines_of_another_program_are_a_digest(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    rows = [
        {"paper_id": "2401.01234v3", "headline": "Scaling Laws for Autoencoders"},
        {"paper_id": "hep-th/9901001", "headline": "Boundary States and Charges"},
    ]
    rows[0] |= {"subjects": ["cs.LG"], "posted": "2024-01-02"}
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    entries = list(iter_entries([str(path)]))
    assert [(e.arxiv_id, e.version, e.status) for e in entries] == [
        ("2401.01234", 3, "valid"),
        ("hep-th/9901001", None, "valid"),
    ]
    assert [e.title for e in entries] == [
        "Scaling Laws for Autoencoders",
        "Boundary States and Charges",
    ]
    assert [e.source.line for e in entries] == [1, 2]
    assert entries[0].categories == ["cs.LG"] and entries[0].date is not None
    assert {e.source.format for e in entries} == {"json"}


def test_json_lines_of_entries_stay_entries(tmp_path: Path) -> None:
    entry = DigestEntry(
        arxiv_id="2401.01234", source={"path": "d.md", "line": 7, "format": "markdown"}
    )
    path = tmp_path / "entries.jsonl"
    path.write_text(entry.model_dump_json() + "\n" + "{broken\n", encoding="utf-8")
    got = list(iter_entries([str(path)]))
    assert [(e.arxiv_id, e.source.line, e.source.format) for e in got[:1]] == [
        ("2401.01234", 7, "markdown")
    ]
    assert got[1].status == "invalid" and "entries.jsonl:2" in (got[1].error or "")


def test_a_paper_named_in_passing_in_a_section_is_no_entry() -> None:
    text = (
        "## Sparse Depths for Long Contexts\n\n"
        "**Authors:** Léa Fontaine, Rahul Venkataraman\n"
        "**arXiv:** [2402.08811v2](https://arxiv.org/abs/2402.08811v2)\n\n"
        "Builds on [Raposo et al.](https://arxiv.org/abs/2311.02000) and is compared with "
        "[MoE](https://arxiv.org/abs/2101.03961) throughout.\n\n"
        "## Second Paper Title Here\n\n"
        "**arXiv:** [2402.09120v1](https://arxiv.org/abs/2402.09120v1)\n"
    )
    entries = _markdown(text)
    assert [(e.arxiv_id, e.title, e.source.line) for e in entries] == [
        ("2402.08811", "Sparse Depths for Long Contexts", 1),
        ("2402.09120", "Second Paper Title Here", 8),
    ]
    assert entries[0].claims == []  # named in passing: no claim about the entry's own id
    assert entries[0].links == ["https://arxiv.org/abs/2402.08811v2"]


@pytest.mark.parametrize(
    "second",
    [
        "> [!paper] Register Tokens for Dense Prediction\n> https://arxiv.org/abs/2403.05990v1\n",
        "[Register Tokens](https://arxiv.org/abs/2403.05990v1) · [pdf](https://arxiv.org/pdf/2403.05990v1)\n",
        "Register Tokens\nAuthors: Sam Okafor, Bo Li\nhttps://arxiv.org/abs/2403.05990 is new\n",
        "- [Register Tokens](https://arxiv.org/abs/2403.05990v1) is what we read next week\n",
    ],
)
def test_a_paper_of_its_own_beside_a_stated_one_stays_an_entry(second: str) -> None:
    text = (
        "# Inbox\n\n**Authors:** Ana Souza, Felix Hartmann\n"
        "**arXiv:** [2403.04567v2](https://arxiv.org/abs/2403.04567v2)\n\n" + second
    )
    assert {e.arxiv_id for e in _markdown(text)} == {"2403.04567", "2403.05990"}


def test_japanese_labels_and_cut_markers() -> None:
    text = (
        "### 1. 日本語敬語の理解評価\n\n"
        "- 著者：山田 太郎、佐藤 花子 ほか\n- 分野：cs.CL\n- 投稿日：2024-06-03\n"
        "- arXiv：<https://arxiv.org/abs/2406.01010v1>\n- 概要：評価データセットを構築した。\n"
    )
    (entry,) = _markdown(text)
    assert (entry.arxiv_id, entry.version) == ("2406.01010", 1)
    assert entry.authors == ["山田 太郎", "佐藤 花子"] and entry.authors_truncated
    assert entry.categories == ["cs.CL"] and str(entry.date) == "2024-06-03"
    assert entry.abstract == "評価データセットを構築した。"
    assert entry.provenance["authors"] == "labelled"


def test_one_paper_listed_twice_is_two_entries() -> None:
    """A list whose items all name one paper (pasted twice, or its v1 and its v2) gives an entry
    per item, as a list of different papers does: the duplicate finder, not the reader, says
    what repeats."""
    item = "- [A Paper Title](https://arxiv.org/abs/2501.00001{v}) by Ada Lovelace, Alan Turing\n"
    same = _markdown(item.format(v="") * 3)
    assert [(e.arxiv_id, e.source.line) for e in same] == [("2501.00001", n) for n in (1, 2, 3)]
    versions = _markdown(item.format(v="v1") + item.format(v="v2"))
    assert [e.version for e in versions] == [1, 2]


def test_a_list_of_one_papers_links_is_one_entry() -> None:
    text = (
        "### A Paper Title\n\n"
        "- [PDF](https://arxiv.org/pdf/2501.00001v2)\n"
        "- [arXiv](https://arxiv.org/abs/2501.00001v2)\n"
        "- [Code](https://github.com/x/y)\n"
    )
    (entry,) = _markdown(text)
    assert (entry.arxiv_id, entry.title) == ("2501.00001", "A Paper Title")


def test_a_chat_export_gives_the_papers_its_messages_link(tmp_path: Path) -> None:
    """Messages are no paper objects (no title or id key): the papers their text links are
    entries all the same, read as Markdown (Slack's <url|text> links too)."""
    messages = [
        {"type": "message", "user": "U1", "ts": "1708416000.1", "text": "morning all"},
        {
            "type": "message",
            "subtype": "bot_message",
            "text": "*<https://arxiv.org/abs/2403.04567v2|Direct Preference Optimization Is "
            "Secretly a Contrastive Estimator>*\n_Ana Souza, Félix Hartmann, Jia Li_",
        },
        {"type": "message", "text": "see https://arxiv.org/abs/2403.05990 for details"},
    ]
    path = tmp_path / "channel.json"
    path.write_text(json.dumps(messages, indent=2), "utf-8")
    first, second = iter_entries([path])
    assert (first.arxiv_id, first.version) == ("2403.04567", 2)
    assert first.title == "Direct Preference Optimization Is Secretly a Contrastive Estimator"
    assert first.authors == ["Ana Souza", "Félix Hartmann", "Jia Li"]
    assert second.arxiv_id == "2403.05990"
    opens = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if line == "  {"]
    assert (first.source.line, second.source.line) == (opens[1], opens[2])  # each message's {


def test_a_definition_lists_terms_keep_their_definitions(tmp_path: Path) -> None:
    """<dl>: a paper's <dt> and the <dd>s after it are one entry (labels and classes in them)."""
    path = tmp_path / "papers.html"
    path.write_text(
        "<html><body><dl>\n"
        '<dt><a href="https://arxiv.org/abs/2402.13301v2">Tactile Pretraining Helps</a></dt>\n'
        "<dd>Authors: Nora Fisk, Ama Owusu</dd>\n<dd>Categories: cs.RO</dd>\n"
        '<dt><a href="https://arxiv.org/abs/2402.14456v1">Distillation Without a Teacher</a></dt>\n'
        '<dd class="authors">Yi-Chen Lin, Arjun Mehta</dd>\n'
        "</dl></body></html>\n",
        "utf-8",
    )
    first, second = iter_entries([path])
    assert (first.title, first.authors, first.categories) == (
        "Tactile Pretraining Helps",
        ["Nora Fisk", "Ama Owusu"],
        ["cs.RO"],
    )
    assert (second.source.line, second.authors) == (5, ["Yi-Chen Lin", "Arjun Mehta"])


def test_a_saved_arxiv_listing_page(tmp_path: Path) -> None:
    """arXiv's own list page saved as HTML: <dt> the links, <dd> the meta, each value after a
    descriptor ("Title:") that names its own class."""
    path = tmp_path / "new.html"
    path.write_text(
        "<html><body><dl id='articles'>\n<dt><a href='/abs/2401.00001' title='Abstract'>"
        "arXiv:2401.00001</a> [<a href='/pdf/2401.00001'>pdf</a>]</dt>\n<dd><div class='meta'>\n"
        "<div class='list-title mathjax'><span class='descriptor'>Title:</span>\n"
        "Paper One About Transformers\n</div>\n<div class='list-authors'><a href='/a/s'>Alice "
        "Smith</a>, <a href='/a/j'>Bob Jones</a></div>\n</div></dd>\n</dl></body></html>\n",
        "utf-8",
    )
    titled = [e for e in iter_entries([path]) if e.title]
    assert [(e.arxiv_id, e.title, e.authors) for e in titled] == [
        ("2401.00001", "Paper One About Transformers", ["Alice Smith", "Bob Jones"])
    ]


def test_a_section_over_sections_keeps_the_papers_its_prose_names() -> None:
    """The in-passing rule holds within one section: a week's intro that links two papers by
    their titles keeps them, though a later section states its own paper in a field."""
    text = (
        "# Week 12 in ML\n\nThis week [Long Context at Scale](https://arxiv.org/abs/2403.05530) "
        "showed it works. Meanwhile [Mixture of Open Experts](https://arxiv.org/abs/2401.04088) "
        "released weights.\n\n## Deep dive: Mamba\n\n"
        "Links: [arXiv](https://arxiv.org/abs/2312.00752) · [Code](https://github.com/x/y)\n"
    )
    assert [e.arxiv_id for e in _markdown(text)] == ["2403.05530", "2401.04088", "2312.00752"]
    paragraphs = (
        "# Daily papers\n\n[Paper One](https://arxiv.org/abs/2401.00001): a new method.\n\n"
        "**Paper Two**\narXiv: 2401.00002\nThe authors study agents.\n"
    )
    assert [e.arxiv_id for e in _markdown(paragraphs)] == ["2401.00001", "2401.00002"]


def test_a_list_of_one_papers_links_with_descriptive_texts_is_one_entry() -> None:
    text = (
        "# Mamba: Linear-Time Sequence Modeling\n\nAuthors: Albert Gu, Tri Dao\n\n"
        "- [Read the abstract on arXiv](https://arxiv.org/abs/2312.00752)\n"
        "- [Download the full PDF](https://arxiv.org/pdf/2312.00752)\n"
    )
    (entry,) = _markdown(text)
    assert (entry.title, entry.authors) == (
        "Mamba: Linear-Time Sequence Modeling",
        ["Albert Gu", "Tri Dao"],
    )


def test_japanese_other_authors_count() -> None:
    from enrich.text.authors import split_authors

    assert split_authors("山田 太郎、他3名") == (["山田 太郎"], True)
