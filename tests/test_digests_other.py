"""BibTeX, arXiv XML (Atom API answers, RSS/RDF feeds) and the generic fallback; every format's
parser never raises on arbitrary text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrich.digests import all_formats, atom_feed, bibtex, bibtex_syntax, generic, sniff_format
from enrich.digests.text import clean_title, strip_markdown
from enrich.ids import find_arxiv_ids, try_parse
from enrich.models import DigestEntry


def _entries(fmt_name: str, text: str, path: str = "x") -> list[DigestEntry]:
    return list(all_formats()[fmt_name].parse(text, path))


def _found_ids(entries: list[DigestEntry]) -> set[str]:
    ids: set[str] = set()
    for entry in entries:
        parsed = try_parse(entry.arxiv_id or "")
        if parsed is not None:
            ids.add(parsed.id)
        for claim in entry.claims:
            if claim.field == "arxiv_id" and isinstance(claim.value, str):
                parsed = try_parse(claim.value)
                if parsed is not None:
                    ids.add(parsed.id)
    return ids


def _coverage(text: str, entries: list[DigestEntry]) -> tuple[int, int]:
    seen = {m.arxiv_id.id for m in find_arxiv_ids(text)}
    return len(seen & _found_ids(entries)), len(seen)


# ------------------------------------------------------------------------------------ the corpus


@pytest.mark.parametrize(
    ("folder", "format_name"), [("bibtex-arxiv", "bibtex"), ("arxiv-xml-feeds", "arxiv-xml")]
)
def test_corpus_files_parse_with_their_format(folder: str, format_name: str) -> None:
    root = shared_path("corpus", "digests", folder)
    files = sorted(p for p in root.iterdir() if p.is_file())
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8")
        fmt = sniff_format(text, str(file))
        assert fmt.name == format_name, file.name
        entries = list(fmt.parse(text, str(file)))
        assert entries, file.name
        assert all(e.source.format == format_name and e.source.path == str(file) for e in entries)
        found, seen = _coverage(text, entries)
        assert seen and found >= 0.9 * seen, (file.name, found, seen)


def test_corpus_bibtex_counts() -> None:
    path = shared_path("corpus", "digests", "bibtex-arxiv", "rebiber_example_input.bib")
    text = path.read_text(encoding="utf-8")
    result = bibtex.read_bibtex(text, str(path))
    assert len(result.entries) == 48
    assert len(result.skipped) == 146  # journal papers and books: not arXiv papers
    assert len(result.entries) + len(result.skipped) == len(bibtex.read_items(text))
    by_line = {e.source.line: e for e in result.entries}
    # Semantic Scholar style: journal = {ArXiv}, volume = {abs/1909.05311}
    lv = by_line[73]
    assert try_parse(lv.arxiv_id or "") is not None
    assert lv.arxiv_id == "1909.05311"
    assert lv.title is not None and lv.title.startswith("Graph-Based Reasoning")
    # archivePrefix style with primaryClass
    deberta = next(e for e in result.entries if e.arxiv_id == "2006.03654")
    assert deberta.categories == ["cs.CL"]
    # "Doll{\'a}r, Piotr" in a skipped entry is still read right by the name splitter
    names, _ = bibtex.split_bibtex_names(r"Doll{\'a}r, Piotr and Zitnick, C Lawrence")
    assert names == ["Piotr Dollár", "C Lawrence Zitnick"]


def test_corpus_atom_fields() -> None:
    path = shared_path(
        "corpus", "digests", "arxiv-xml-feeds", "arxiv-api-atom_all-Einstein_2018-02-05.xml"
    )
    text = path.read_text(encoding="utf-8")
    entries = _entries("arxiv-xml", text, str(path))
    assert len(entries) == 10
    first = entries[0]
    assert first.arxiv_id == "http://arxiv.org/abs/1801.05533v1"
    assert first.version == 1
    assert first.categories == ["math.DG"]  # the MSC codes "53D10, 53D15" are not categories
    assert first.comment == "12 pages, no figures"
    assert first.source.line == 10
    last = entries[-1]
    assert last.arxiv_id == "http://arxiv.org/abs/math/0507289v1"
    assert last.authors == ["Alessandro Ghigi", "János Kollár"]
    assert last.categories == ["math.DG", "math.AG"]
    assert last.date == dt.date(2005, 7, 14)


def test_corpus_rss_items() -> None:
    path = shared_path("corpus", "digests", "arxiv-xml-feeds", "cn-chat-arxiv_cs.CL_2023-03-13.xml")
    text = path.read_text(encoding="utf-8")
    entries = _entries("arxiv-xml", text, str(path))
    assert len(entries) == 19
    first = entries[0]
    assert first.arxiv_id == "arXiv:2303.06135v1"
    assert first.title == "Rewarding Chatbots for Real-World Engagement with Millions of Users"
    assert first.categories == ["cs.CL"]
    assert first.abstract is not None and first.abstract.startswith("The emergence of pretrained")
    assert "http://arxiv.org/abs/2303.06135" in first.links
    assert entries[-1].version == 4  # "(arXiv:2107.13290v4 [cs.CL] UPDATED)"


# ------------------------------------------------------------------------------------ BibTeX

BIB = r"""
% a comment line
@string{acl = "Proceedings of ACL"}

@misc{he2020deberta,
      title={{DeBERTa}: Decoding-enhanced {BERT} with Disentangled Attention},
      author={Pengcheng He and Xiaodong Liu and Jianfeng Gao and Weizhu Chen},
      year={2020},
      eprint={2006.03654v2},
      archivePrefix={arXiv},
      primaryClass={cs.CL},
      url={https://arxiv.org/abs/2006.03654v1}
}

@article{mueller2021,
  title   = {\"Uber {S}chr\"{o}dinger's cat and Na\"{\i}ve {G}{\"o}del \& Co},
  author  = {M{\"u}ller, J{\"o}rg and Ko{\v{c}}isk{\'y}, Tom{\'a}{\v{s}} and others},
  journal = {arXiv preprint arXiv:2101.00001},
  year    = {2021}
}

@book{knuth,
  title = {The Art of Computer Programming},
  author = {Knuth, Donald E.},
  publisher = {Addison-Wesley}
}

@inproceedings{dblp,
  author    = {von Neumann, Jr, John and {Barnes and Noble} and Ada Lovelace},
  title     = {A paper},
  booktitle = acl # " 2022",
  doi       = {10.48550/arXiv.2203.00002},
  eprinttype = {arXiv}
}

@article{broken,
  title = {Never closed {brace,
  journal = {arXiv:2204.00003}

@article{after_broken,
  title = "Quoted title",
  note = {arXiv:2205.00004},
}
"""


def test_bibtex_entries() -> None:
    result = bibtex.read_bibtex(BIB, "refs.bib")
    entries = {e.arxiv_id: e for e in result.entries}
    assert [s.key for s in result.skipped] == ["knuth"]
    assert result.skipped[0].line == 22

    deberta = entries["2006.03654v2"]
    assert deberta.version == 2
    assert deberta.title == "DeBERTa: Decoding-enhanced BERT with Disentangled Attention"
    assert deberta.authors == ["Pengcheng He", "Xiaodong Liu", "Jianfeng Gao", "Weizhu Chen"]
    assert not deberta.authors_truncated
    assert deberta.categories == ["cs.CL"]
    assert deberta.source.line == 5 and deberta.source.format == "bibtex"
    # the url names another version: a further statement about the paper
    assert [(c.field, c.value, c.origin, c.line) for c in deberta.claims] == [
        ("arxiv_id", "https://arxiv.org/abs/2006.03654v1", "bibtex url", 12)
    ]

    mueller = entries["arXiv:2101.00001"]
    assert mueller.title == "Über Schrödinger's cat and Naïve Gödel & Co"
    assert mueller.authors == ["Jörg Müller", "Tomáš Kočiský"]
    assert mueller.authors_truncated
    assert mueller.source.line == 15

    dblp = entries["10.48550/arXiv.2203.00002"]
    assert dblp.authors == ["John von Neumann Jr", "Barnes and Noble", "Ada Lovelace"]
    assert dblp.links == ["https://doi.org/10.48550/arXiv.2203.00002"]

    # an entry that never closes ends where the next one starts: neither is lost
    assert "arXiv:2204.00003" in entries
    assert entries["arXiv:2205.00004"].title == "Quoted title"
    assert entries["arXiv:2205.00004"].source.line == 40


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"u}ber", "über"),
        (r"Schr\"{o}dinger", "Schrödinger"),
        (r"\v{S}koda", "Škoda"),
        (r"Fran\c{c}ois and Fran\c cois", "François and François"),
        (r"na\"{\i}ve \'{\i}", "naïve í"),
        (r"{\O}ystein {\ss} \AA{}ngstr\"om", "Øystein ß Ångström"),
        (r"\{x\} 50\% \emph{very} \textbf{bold}", "{x} 50% very bold"),
        (r"The $\mathcal{O}(n^{2})$ {BERT}", r"The $\mathcal{O}(n^{2})$ BERT"),
        ("a--b---c~d", "a–b—c d"),
    ],
)
def test_delatex(latex: str, text: str) -> None:
    assert bibtex.delatex(latex) == text


def test_bibtex_names() -> None:
    assert bibtex.split_bibtex_names("Guo, Ruiqi and Philip Sun and others") == (
        ["Ruiqi Guo", "Philip Sun"],
        True,
    )
    assert bibtex.split_bibtex_names("") == ([], False)
    assert bibtex.split_bibtex_names("{Van Landeghem}, Sofie") == (["Sofie Van Landeghem"], False)


def test_bibtex_sniff() -> None:
    assert bibtex.sniff(BIB, "refs.bib") >= 0.9
    assert bibtex.sniff("@article{a, title={x}}", "refs.txt") >= 0.5
    readme = "# My paper\n\nCite as:\n```bibtex\n@article{a,\n title={x}}\n```\n"
    assert bibtex.sniff(readme, "README.md") == 0.0
    assert sniff_format(readme, "README.md").name != "bibtex"


# ------------------------------------------------------------------------------------ arXiv XML

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/abc</id>
  <title>arXiv Query: id_list=2401.00001</title>
  <entry>
    <id>http://arxiv.org/abs/2401.00001v2</id>
    <title>A Title
      on Two Lines with $x_i$</title>
    <updated>2024-01-05T00:00:00Z</updated>
    <published>2024-01-01T10:00:00Z</published>
    <summary>  An abstract
 with a fold.
</summary>
    <author><name>Ada Lovelace</name><arxiv:affiliation>Somewhere</arxiv:affiliation></author>
    <author><name>Alan Turing</name></author>
    <arxiv:comment>10 pages</arxiv:comment>
    <link href="https://arxiv.org/abs/2401.00001v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="https://arxiv.org/pdf/2401.00001v1" rel="related"
          type="application/pdf"/>
    <arxiv:primary_category term="cs.LG"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="stat.ML" scheme="http://arxiv.org/schemas/atom"/>
    <category term="68T05" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>https://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
    <title>Error</title>
    <summary>incorrect id format for 1234</summary>
  </entry>
</feed>
"""


def test_atom_fields() -> None:
    entries = _entries("arxiv-xml", ATOM, "q.xml")
    assert len(entries) == 2
    e = entries[0]
    assert e.arxiv_id == "http://arxiv.org/abs/2401.00001v2"
    assert e.version == 2
    assert e.title == "A Title on Two Lines with $x_i$"
    assert e.abstract == "An abstract with a fold."
    assert e.authors == ["Ada Lovelace", "Alan Turing"]
    assert e.categories == ["cs.LG", "stat.ML"]
    assert e.date == dt.date(2024, 1, 1)
    assert e.comment == "10 pages"
    assert e.links == ["https://arxiv.org/abs/2401.00001v2", "https://arxiv.org/pdf/2401.00001v1"]
    assert [(c.value, c.origin) for c in e.claims] == [
        ("https://arxiv.org/pdf/2401.00001v1", "link")
    ]
    assert e.source.line == 5
    # an error entry has no id: it is kept, for validation to mark invalid
    assert entries[1].arxiv_id is None and entries[1].title == "Error"


RSS1 = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://arxiv.org/"><title>cs.CL updates on arXiv.org</title></channel>
<item rdf:about="http://arxiv.org/abs/2303.06074">
<title>Susceptibility to Influence of Large Language Models. (arXiv:2303.06074v1 [cs.CL])</title>
<link>http://arxiv.org/abs/2303.06074</link>
<description rdf:parseType="Literal">&lt;p&gt;Two studies tested the hypothesis.&lt;/p&gt;
</description>
<dc:creator> &lt;a href="http://arxiv.org/find/cs/1/au:+Griffin_L/0/1/0/all/0/1"&gt;Lewis D
Griffin&lt;/a&gt;, &lt;a href="x"&gt;Bennett Kleinberg&lt;/a&gt;</dc:creator>
</item>
</rdf:RDF>
"""

RSS2 = """<rss version="2.0"><channel><title>feed</title>
<item><title>A new-style arXiv RSS item</title><link>https://arxiv.org/abs/2401.00002</link>
<description>arXiv:2401.00002v1 Announce Type: new
Abstract: We study things.</description>
<guid isPermaLink="false">oai:arXiv.org:2401.00002v1</guid>
<category>cs.CV</category><category>cs.AI</category>
<pubDate>Tue, 02 Jan 2024 00:00:00 -0500</pubDate>
<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ann Lee, Bo Chen</dc:creator>
</item>
<item><title>Off arXiv</title><link>https://example.org/paper</link></item>
</channel></rss>
"""


def test_rss_items() -> None:
    [e] = _entries("arxiv-xml", RSS1, "cs.CL.rdf")
    assert e.arxiv_id == "arXiv:2303.06074v1"
    assert e.version == 1
    assert e.title == "Susceptibility to Influence of Large Language Models"
    assert e.categories == ["cs.CL"]
    assert e.authors == ["Lewis D Griffin", "Bennett Kleinberg"]
    assert e.abstract == "Two studies tested the hypothesis."
    assert e.source.line == 5

    first, off = _entries("arxiv-xml", RSS2, "feed.xml")
    assert first.arxiv_id == "2401.00002v1"  # the link has no version; the guid has one
    assert first.version == 1
    assert first.title == "A new-style arXiv RSS item"
    assert first.abstract == "We study things."
    assert first.categories == ["cs.CV", "cs.AI"]
    assert first.authors == ["Ann Lee", "Bo Chen"]
    assert first.date == dt.date(2024, 1, 2)
    # an item that names no arXiv paper is kept without an id (validation marks it invalid)
    assert off.arxiv_id is None and off.title == "Off arXiv"


def test_atom_truncated_falls_back_to_a_scan() -> None:
    cut = ATOM[: ATOM.index("<arxiv:primary_category")]
    entries = _entries("arxiv-xml", cut, "cut.xml")
    assert [e.arxiv_id for e in entries] == ["http://arxiv.org/abs/2401.00001v2"]
    e = entries[0]
    assert e.title == "A Title on Two Lines with $x_i$"
    assert e.authors == ["Ada Lovelace", "Alan Turing"]
    assert e.date == dt.date(2024, 1, 1)
    assert e.source.line == 5
    # garbage with ids but no <entry> at all: the ids still come out
    junk = "<feed><title>x</title> see arXiv:2401.00003 and <"
    assert [e.arxiv_id for e in _entries("arxiv-xml", junk)] == ["arXiv:2401.00003"]


def test_xml_is_parsed_safely(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("2401.09999 top secret", encoding="utf-8")
    evil = f"""<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY xxe SYSTEM "file://{secret}">
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>
<title>&xxe;&c;</title></entry></feed>"""
    entries = _entries("arxiv-xml", evil, "evil.xml")
    assert [e.arxiv_id for e in entries] == ["http://arxiv.org/abs/2401.00001v1"]
    assert "secret" not in (entries[0].title or "")
    assert len(entries[0].title or "") < 1000


def test_xml_sniff() -> None:
    assert atom_feed.sniff(ATOM, "q.xml") >= 0.9
    assert atom_feed.sniff(RSS2, "feed.xml") >= 0.9
    assert atom_feed.sniff("<rss><channel/></rss>", "x.xml") >= 0.5
    assert atom_feed.sniff("<html><body><a href='https://arxiv.org/abs/2401.00001'>", "") == 0
    assert atom_feed.sniff("# heading\n<feed>", "README.md") == 0


# ------------------------------------------------------------------------------------ generic

MARKDOWN = """# Weekly papers

Intro text with no paper.

## Vision

- **A Bold Title.** by Someone [PDF](https://arxiv.org/pdf/2401.00001v2.pdf)
  continued on a second line, also [abs](https://arxiv.org/abs/2401.00001v3)
- [Linked Title](http://arxiv.org/abs/2401.00002) and `arXiv:2401.00003`

| Date | Title | Link |
|---|---|---|
| **2024-01-05** | **Row Title** | [2401.00004v1](http://arxiv.org/abs/2401.00004v1) |

### Language
A paragraph about arXiv:2401.00005
that goes on.

Setext Heading
--------------

* [arXiv](https://arxiv.org/abs/2401.00006)

### [2401.00007] A Heading Title (arXiv:2401.00007v1)
"""


def test_generic_markdown() -> None:
    entries = _entries("generic", MARKDOWN, "digest.md")
    got = [(e.arxiv_id, e.version, e.title, e.source.line) for e in entries]
    assert got == [
        ("https://arxiv.org/pdf/2401.00001v2", 2, "A Bold Title", 7),
        ("http://arxiv.org/abs/2401.00002", None, "Linked Title", 9),
        ("arXiv:2401.00003", None, "Vision", 9),
        ("2401.00004v1", 1, "Row Title", 13),
        ("arXiv:2401.00005", None, "Language", 16),
        ("https://arxiv.org/abs/2401.00006", None, "Setext Heading", 22),
        ("arXiv:2401.00007v1", 1, "A Heading Title", 24),
    ]
    first = entries[0]
    assert [(c.value, c.line, c.origin) for c in first.claims] == [
        ("https://arxiv.org/abs/2401.00001v3", 8, "link")
    ]
    assert first.links == [
        "https://arxiv.org/pdf/2401.00001v2.pdf",
        "https://arxiv.org/abs/2401.00001v3",
    ]
    assert all(e.source.format == "generic" and e.source.path == "digest.md" for e in entries)


HTML = """<html><body>
<h2 id="x">3D Control of 2D
Generative Models</h2>
<ul>
<li><p><strong>On the “steerability” of generative adversarial
networks.</strong><br> <em>Ali Jahanian, Lucy Chai.</em><br> ICLR 2020. [<a
href="https://arxiv.org/abs/1907.07171">PDF</a>] [<a
href="https://github.com/x">Project</a>]</p></li>
<li><a href="https://arxiv.org/abs/2210.14267">A Survey on 3D-aware
Image Synthesis</a></li>
<li>arXiv:2002.03754</li>
</ul>
<table><tr><td><b>2024-01-01</b></td><td><b>Cell Title</b></td>
<td><a href="http://arxiv.org/pdf/2401.00007v1">pdf</a></td></tr></table>
</body></html>
"""


def test_generic_html() -> None:
    entries = _entries("generic", HTML, "page.html")
    got = [(e.arxiv_id, e.title, e.source.line) for e in entries]
    assert got == [
        (
            "https://arxiv.org/abs/1907.07171",
            "On the “steerability” of generative adversarial networks",
            5,
        ),
        ("https://arxiv.org/abs/2210.14267", "A Survey on 3D-aware Image Synthesis", 9),
        ("arXiv:2002.03754", "3D Control of 2D Generative Models", 11),
        ("http://arxiv.org/pdf/2401.00007v1", "Cell Title", 13),
    ]


@pytest.mark.parametrize(
    "text",
    ["查看详情", "Semantic Scholar", "12 papers", "3 Nov 2026", "Authors:", "Papers with Code"],
)
def test_generic_refuses_what_no_reader_takes_for_a_title(text: str) -> None:
    """The fallback guesses titles by the readers' one rule (fields.looks_like_title): link
    texts that are buttons, site names, counts, dates or labels are no title."""
    from enrich.digests.fields import looks_like_title

    assert not looks_like_title(text)
    entries = _entries("generic", f"- [{text}](https://arxiv.org/abs/2401.00001)\n")
    assert [(e.arxiv_id, e.title) for e in entries] == [("https://arxiv.org/abs/2401.00001", None)]


def test_generic_one_entry_per_id_per_block() -> None:
    text = "See arXiv:2401.00001 and arXiv:2401.00001v2, then arXiv:2401.00002.\n\n"
    text += "arXiv:2401.00001\n"
    entries = _entries("generic", text)
    assert [(e.arxiv_id, e.source.line) for e in entries] == [
        ("arXiv:2401.00001v2", 1),
        ("arXiv:2401.00002", 1),
        ("arXiv:2401.00001", 3),
    ]
    assert generic.sniff(text, "x.md") == pytest.approx(0.1)


# ------------------------------------------------------------------------------------ text helpers


def test_underscores_inside_words_are_not_emphasis() -> None:
    assert clean_title(r"Bounds on $x_i$ and $y_i$ for snake_case_names") == (
        r"Bounds on $x_i$ and $y_i$ for snake_case_names"
    )
    assert strip_markdown("_it_ and __bold__ and *star* and **strong**") == (
        "it and bold and star and strong"
    )
    assert strip_markdown("_**both**_") == "both"


# ------------------------------------------------------------------------------------ never raising

FRAGMENTS = [
    "arxiv.org/abs/",
    "https://arxiv.org/pdf/",
    "2401.0000",
    "2401.00001",
    "v2",
    "hep-th/99010",
    "arXiv:",
    "10.48550/arXiv.",
    "|",
    "**",
    "__",
    "*",
    "_",
    "[",
    "](",
    ")",
    "<details>",
    "</details>",
    "<summary>",
    '<a href="',
    '">',
    "</a>",
    "<li>",
    "<p>",
    "<h2>",
    "</h2>",
    "@article{",
    "@string{",
    "@comment{",
    "title = {",
    "author = ",
    " and ",
    "others",
    '\\"',
    "{\\'a}",
    "}",
    "{",
    '"',
    "#",
    "=",
    ",",
    "<entry>",
    "</entry>",
    "<item>",
    "<id>",
    "</id>",
    "<title>",
    "<?xml version='1.0'?>",
    "<feed xmlns='http://www.w3.org/2005/Atom'>",
    "<rss>",
    "<![CDATA[",
    "&amp;",
    "&#",
    "et al.",
    "Authors:",
    "作者",
    "\n",
    "\n\n",
    "  ",
    "- ",
    "## ",
    "1. ",
    "```",
    "---",
]

_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _parse_everything(text: str) -> None:
    for name, fmt in all_formats().items():
        for path in ("digest.md", "refs.bib", "feed.xml"):
            fmt.sniff(text, path)
            for entry in fmt.parse(text, path):
                assert isinstance(entry, DigestEntry), name


@_SETTINGS
@given(st.text(max_size=400))
def test_no_format_raises_on_any_text(text: str) -> None:
    _parse_everything(text)


@_SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=40).map("".join))
def test_no_format_raises_on_digest_like_fragments(text: str) -> None:
    _parse_everything(text)


@_SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=40).map("".join))
def test_readers_behind_the_safety_nets_do_not_raise(text: str) -> None:
    # parse() catches anything as a last resort; the readers themselves should never need it
    list(generic._scan_blocks(text, "x.md", "generic"))
    atom_feed._entries(text, "x.xml")
    list(bibtex_syntax.BibReader(text).items())
    for item in bibtex_syntax.BibReader(text).items():
        found = bibtex._ids_of(item)
        if found:
            bibtex._entry(item, found, generic.LineIndex(text), "x.bib")
