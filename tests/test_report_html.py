"""The HTML review page (enrich.report.html), from hand-built entries, some of them hostile.

The page is parsed back with lxml: nothing from a digest or arXiv may turn into an element or an
attribute, the summary must say what the RunSummary says, and every entry with a warning or an
error must be there with its file:line. tests/test_report_browser.py reuses `sample_run`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence

import lxml.html
import pytest

from enrich.models import (
    ArxivRecord,
    Conflict,
    DigestEntry,
    EnrichedEntry,
    FileSummary,
    RunSummary,
    Source,
)
from enrich.report.html import MAX_CARDS, entry_level, render_html, safe_href, triage
from enrich.report.html_cards import card as _card

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_PATH = 'evil"<b>bold</b>.md'

# Every tag the page itself writes; anything else would have come from a digest or arXiv.
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "ul", "li",
    "section", "div", "span", "code", "table", "thead", "tbody", "tr", "th", "td", "form", "label",
    "select", "option", "input", "a", "del", "ins", "article", "script", "bdi", "details",
    "summary", "strong",
}  # fmt: skip


def record(
    arxiv_id: str, latest: int, title: str, authors: Sequence[str], **kw: object
) -> ArxivRecord:
    fields: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "latest_version": latest,
        "title": title,
        "authors": list(authors),
        "primary_category": "cs.CV",
        "categories": ["cs.CV", "cs.LG"],
        "published": dt.datetime(2025, 3, 31, 17, 0, tzinfo=dt.UTC),
        "abs_url": f"https://arxiv.org/abs/{arxiv_id}v{latest}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}v{latest}",
        "html_url": f"https://arxiv.org/html/{arxiv_id}v{latest}",
        "arxiv_doi": f"10.48550/arXiv.{arxiv_id}",
    }
    fields.update(kw)
    return ArxivRecord.model_validate(fields)


def conflict(kind: str, severity: str, message: str = "", **kw: object) -> Conflict:
    return Conflict.model_validate(
        {"kind": kind, "severity": severity, "message": message or kind, **kw}
    )


def make_entry(
    path: str,
    line: int | None,
    rec: ArxivRecord | None,
    conflicts: Sequence[Conflict] = (),
    *,
    status: str | None = None,
    arxiv_id: str | None = None,
    **digest: object,
) -> EnrichedEntry:
    source = Source(path=path, line=line, format="awesome-daily")
    the_id = arxiv_id or (rec.arxiv_id if rec else None)
    fields: dict[str, object] = {"arxiv_id": the_id, "title": rec.title if rec else None}
    fields.update(digest)
    d = DigestEntry.model_validate({**fields, "source": source})
    return EnrichedEntry(
        arxiv_id=the_id,
        status=status or ("enriched" if rec else "not_found"),  # type: ignore[arg-type]
        source=source,
        digest=d,
        arxiv=rec,
        conflicts=list(conflicts),
    )


def summarize(entries: Sequence[EnrichedEntry]) -> RunSummary:
    """The summary the pipeline would write for these entries."""
    statuses = Counter(e.status for e in entries)
    by_kind: dict[str, dict[str, int]] = {}
    for e in entries:
        for c in e.conflicts:
            by_kind.setdefault(c.kind, {}).setdefault(c.severity, 0)
            by_kind[c.kind][c.severity] += 1
    files: dict[str, FileSummary] = {}
    for e in entries:
        f = files.setdefault(e.source.path, FileSummary(path=e.source.path, format=e.source.format))
        f.entries += 1
        f.invalid += e.status == "invalid"
    return RunSummary(
        entries=len(entries),
        statuses=dict(statuses),
        conflicts=by_kind,
        files=[*files.values(), FileSummary(path="broken.md", error="cannot decode <bytes>")],
        unique_ids=len({e.arxiv_id for e in entries if e.arxiv_id}),
        requests=2,
        cache_hits=3,
        seconds=6.5,
        cache_note="cache unusable: <locked>; ran without it",
    )


def sample_run(extra: int = 0) -> tuple[list[EnrichedEntry], RunSummary]:
    """Hand-built entries covering every look of the page; `extra` adds generated ones."""
    a, b = "digests/000_daily.txt", "digests/003_blog.md"
    full = ["Shuaizheng Liu", "Jianqi Ma", "Lingchen Sun", "Xiangtao Kong", "Lei Zhang", "Ana Ruiz"]
    name_order = ["Jianqi Ma", "Shuaizheng Liu", *full[2:]]
    rec_ir = record("2503.24357", 3, "InstructRestore: Region-Customized Image Restoration", full)
    rec_evil = record(
        "2408.14227",
        2,
        SCRIPT,
        [IMG, "Ian Reid"],
        abs_url="javascript:alert(2)",
        pdf_url="data:text/html,<script>alert(3)</script>",
    )
    evil_links = ["javascript:alert(1)", "https://github.com/x/y?a=1&b=<2>", "http://ok.example/p"]
    entries = [
        make_entry(a, 17, rec_ir,
                   [conflict("title_mismatch", "warning", "titles differ"),
                    conflict("version_stale", "warning", "v1 is old", digest=1, arxiv=3)],
                   version=1, title="InstructRestore: Region Customised Image Restoration",
                   authors=name_order, categories=["cs.CV", "cs.AI"],
                   links=["http://arxiv.org/abs/2503.24357v1"]),
        make_entry(a, 23, record("2503.24354", 1, "ORAL: Prompting Your Large-Scale LoRAs", full),
                   [conflict("authors_truncated", "info", "4 of 6 authors", fixed=True)],
                   version=1, authors=full[:4], authors_truncated=True),
        make_entry(a, 29, None, [conflict("not_found", "error", "arXiv does not know 2503.99999")],
                   arxiv_id="2503.99999", title="A paper arXiv never heard of"),
        make_entry(b, 5, rec_evil,
                   [conflict("authors_mismatch", "warning", f"names differ: {IMG}",
                             digest=[IMG], arxiv=[SCRIPT]),
                    conflict("claim_mismatch", "error", "summary: <iframe src=//evil.example>")],
                   version=2, title=f"Hostile {SCRIPT} title {IMG}", authors=[IMG, "Tat-Jun Chin"],
                   links=evil_links),
        make_entry(HOSTILE_PATH, 3, record("2408.14016", 1, "Pixel-Aligned", ["Zhenggang Tang"]),
                   [conflict("duplicate", "warning", "the same paper as line 9")],
                   version=1, authors=["Zhenggang Tang"]),
        make_entry(b, 40, record("2408.14000", 1, "A clean entry", ["X Y"]), [],
                   version=1, authors=["X Y"]),
        make_entry(b, 52, None, [], status="unavailable", arxiv_id="2408.13999",
                   title="arXiv was down"),
        make_entry(b, 60, None, [conflict("invalid_entry", "error", "no arXiv id")],
                   status="invalid", arxiv_id=None, title="No id at all", error="no arXiv id"),
    ]  # fmt: skip
    for i in range(extra):
        rec = record(
            f"2501.{10000 + i}", 2, f"Generated paper number {i}", ["Gen Author", "Other One"]
        )
        kinds = [
            [conflict("version_stale", "warning", "old", digest=1, arxiv=2)],
            [conflict("category_mismatch", "warning", "cats")],
            [conflict("authors_truncated", "info", "cut", fixed=True)],
            [conflict("version_ahead", "error", "v9")],
        ][i % 4]
        path = f"digests/gen_{i % 3}.md"
        entries.append(make_entry(path, 10 + 7 * i, rec, kinds, version=1, authors=["Gen Author"]))
    return entries, summarize(entries)


@pytest.fixture
def page() -> tuple[list[EnrichedEntry], RunSummary, lxml.html.HtmlElement, str]:
    entries, summary = sample_run()
    text = render_html(entries, summary)
    return entries, summary, lxml.html.document_fromstring(text), text


def texts(nodes: Sequence[lxml.html.HtmlElement]) -> list[str]:
    return [n.text_content().strip() for n in nodes]


def test_nothing_from_a_digest_or_arxiv_becomes_markup(page) -> None:  # type: ignore[no-untyped-def]
    _, _, doc, text = page
    tags = {el.tag for el in doc.iter() if isinstance(el.tag, str)}
    assert tags <= PAGE_TAGS, tags - PAGE_TAGS
    assert len(doc.xpath("//script")) == 1  # the page's own, at the end of <body>
    assert doc.xpath("//script")[0].getparent().tag == "body"
    assert not doc.xpath("//img | //iframe | //b | //object | //embed | //link")
    for el in doc.iter():
        if isinstance(el.tag, str):
            assert not [k for k in el.attrib if k.lower().startswith("on")], el.attrib
    # the hostile strings are shown as text, where they belong
    hostile = next(a for a in doc.xpath("//article") if "2408.14227" in a.text_content())
    assert (
        hostile.xpath('.//h3[@class="title"]')[0].text_content() == f"Hostile {SCRIPT} title {IMG}"
    )
    assert IMG in hostile.xpath('.//div[@class="row"][2]')[0].text_content()  # authors row
    assert SCRIPT in hostile.text_content()
    assert "<iframe src=//evil.example>" in hostile.text_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert" not in text and "<img src=x" not in text


def test_links_are_http_only_and_nothing_is_fetched(page) -> None:  # type: ignore[no-untyped-def]
    _, _, doc, text = page
    hrefs = doc.xpath("//@href")
    assert hrefs and all(re.match(r"https?://", h) for h in hrefs), hrefs
    assert not doc.xpath("//@src | //@srcset | //@action | //@formaction | //@background")
    assert "javascript:alert(1)" in text  # shown, as text, never a link
    assert not [h for h in hrefs if "javascript" in h or "data:" in h]
    assert "https://github.com/x/y?a=1&amp;b=&lt;2&gt;" in text  # an ampersand is escaped in href
    # the CSS fetches nothing either (no url(), no @import) and the policy forbids it anyway
    style = doc.xpath("//style")[0].text
    assert "url(" not in style and "@import" not in style
    csp = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert 'name="viewport"' in text and "@media (max-width" in style


def test_abs_and_pdf_links(page) -> None:  # type: ignore[no-untyped-def]
    _, _, doc, _ = page
    first = doc.xpath('//article[@data-line="17"]')[0]
    assert first.xpath('.//a[@class="abs"]/@href')[0] == "https://arxiv.org/abs/2503.24357v3"
    assert first.xpath('.//a[@class="pdf"]/@href')[0] == "https://arxiv.org/pdf/2503.24357v3"
    # a hostile record's URLs are not links; an unknown id still gets arXiv's own address
    hostile = doc.xpath('//article[@data-line="5"]')[0]
    assert not hostile.xpath('.//a[@class="abs"] | .//a[@class="pdf"]')
    missing = doc.xpath('//article[@data-line="29"]')[0]
    assert missing.xpath('.//a[@class="abs"]/@href') == ["https://arxiv.org/abs/2503.99999"]


def test_summary_counts_are_the_run_summary(page) -> None:  # type: ignore[no-untyped-def]
    _, summary, doc, _ = page

    def table(table_id: str) -> dict[str, list[str]]:
        rows = doc.xpath(f'//table[@id="{table_id}"]/tbody/tr')
        return {r.get("data-key"): texts(r.xpath("./td"))[1:] for r in rows}

    assert table("by-status") == {k: [str(v)] for k, v in summary.statuses.items()}
    assert summary.statuses == {"enriched": 5, "not_found": 1, "unavailable": 1, "invalid": 1}
    by_kind = table("by-kind")
    assert set(by_kind) == set(summary.conflicts)
    for kind, counts in by_kind.items():
        want = [str(summary.conflicts[kind].get(s, 0)) for s in ("error", "warning", "info")]
        assert counts == want, kind
    for sev, label in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        assert (
            doc.get_element_by_id(f"total-{sev}").text_content() == f"{summary.count(sev)} {label}"
        )
    assert summary.count("error") == 3 and summary.count("warning") == 4
    files = table("by-file")
    assert files[HOSTILE_PATH][:2] == ["awesome-daily", "1"]
    assert files["digests/003_blog.md"][1:5] == [
        "4",
        "1",
        "2",
        "1",
    ]  # entries, invalid, errors, warnings
    assert files["broken.md"][-1] == "cannot decode <bytes>"
    assert "cache unusable: <locked>" in doc.xpath('//p[@class="note"]')[0].text_content()


def items(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Every entry on the page: cards (<article>) and compact lines (<li class="entry ...">)."""
    return doc.xpath('//*[contains(concat(" ", @class, " "), " entry ")]')


def test_every_entry_with_a_finding_is_there_with_file_and_line(page) -> None:  # type: ignore[no-untyped-def]
    entries, _, doc, _ = page
    found = items(doc)
    listed = [e for e in entries if entry_level(e) is not None]
    assert len(found) == len(listed) == len(entries) - 1  # the clean one is counted only
    for e in listed:
        [el] = [
            a
            for a in found
            if a.get("data-file") == e.source.path and a.get("data-line") == str(e.source.line)
        ]
        assert el.xpath('.//code[@class="loc"]')[0].text_content() == (
            f"{e.source.path}:{e.source.line}"
        )
        for c in e.conflicts:
            assert f"{c.kind}:{c.severity}" in el.get("data-c").split()
        assert (el.tag == "article") is (triage(e) == "person")
    person = [e for e in entries if triage(e) == "person"]
    assert len(person) == 5  # the unavailable one is in the banner, the fixed-only one below
    assert doc.get_element_by_id("entries-head").text_content().endswith(": 5")
    # the filter offers every kind and file there is
    kinds = doc.xpath('//select[@name="kind"]/option/@value')
    assert {c.kind for e in entries for c in e.conflicts} | {"unavailable"} <= set(kinds)
    files = doc.xpath('//select[@name="file"]/option/@value')
    assert set(files) == {
        "all",
        "broken.md",
        HOSTILE_PATH,
        "digests/000_daily.txt",
        "digests/003_blog.md",
    }


def test_triage_first_errors_then_warnings_then_what_the_fixer_does(page) -> None:  # type: ignore[no-untyped-def]
    _, _, doc, text = page
    cards = doc.xpath('//section[@id="entries"]/article')
    levels = [c.get("class").split()[1] for c in cards]
    assert levels == sorted(levels, key=["lvl-error", "lvl-warning"].index)
    assert levels.count("lvl-error") == 3
    # the page's order: banner, counts, filters, then the cards; the summary tables come last
    at = {name: text.index(f'id="{name}"') for name in ("banner", "total-error", "filters")}
    at |= {"entries": text.index('id="entries"'), "by-file": text.index('id="by-file"')}
    assert at["banner"] < at["total-error"] < at["filters"] < at["entries"] < at["by-file"]
    fixer = doc.xpath('//ul[@id="fixer"]/li')
    assert [(li.get("data-line")) for li in fixer] == ["23"]
    assert "fixed: full author list" in fixer[0].text_content()
    # the entry arXiv could not be asked about: once, in the banner, not as a card
    banner = doc.get_element_by_id("banner")
    assert "1 entries could not be checked" in banner.text_content()
    assert banner.xpath('.//li[@data-line="52"]') and not doc.xpath('//article[@data-line="52"]')


def test_an_offline_run_is_one_banner_not_a_card_per_entry() -> None:
    entries = [
        make_entry(f"d{i % 2}.md", i, None, [], status="unavailable", arxiv_id=f"2501.{i:05d}",
                   title=f"Paper {i}", authors=["Ada Lovelace"])
        for i in range(1, 129)
    ]  # fmt: skip
    for e in entries:
        e.error = "offline and not in the cache"
    summary = summarize(entries).model_copy(update={"offline": True, "requests": 0})
    doc = lxml.html.document_fromstring(render_html(entries, summary))
    assert doc.xpath("//article") == [] and doc.xpath("//del") == []  # nothing struck through
    [banner] = doc.xpath('//section[@class="banner"]')
    assert banner.text_content().startswith("Offline run: arXiv was not asked.")
    assert "128 entries could not be checked" in banner.text_content()
    assert "offline and not in the cache (128)" in banner.text_content()


def test_a_bidi_control_in_a_title_stays_inside_its_bdi(page) -> None:  # type: ignore[no-untyped-def]
    rlo = "\u202e"
    rec = record("2501.00001", 2, "A Real Title", ["Ada Lovelace"])
    hostile = make_entry("d.md", 3, rec,
                         [conflict("title_mismatch", "warning", f"titles differ: {rlo}evil",
                                   digest=f"{rlo}Evil title", arxiv="A Real Title")],
                         title=f"{rlo}Evil title", version=2, authors=["Ada Lovelace"])  # fmt: skip
    doc = lxml.html.document_fromstring(render_html([hostile], summarize([hostile])))
    [vals] = doc.xpath('//span[@class="vals"]')
    # the label text around it is the page's own, each hostile value isolated
    assert [t.strip() for t in vals.xpath("./text()")] == ["digest:", "· arXiv:"]
    assert [b.text_content() for b in vals.xpath("./bdi")] == [f"{rlo}Evil title", "A Real Title"]
    for el in doc.iter():
        if isinstance(el.tag, str) and el.text and rlo in el.text:
            assert el.tag in ("bdi", "h3") or el.xpath("ancestor::bdi"), el.tag
    assert doc.xpath("//h3")[0].get("dir") == "auto"


def test_past_max_cards_the_rest_needing_a_person_are_lines() -> None:
    rec = record("2501.00001", 1, "T", ["A B"])
    many = [
        make_entry("d.md", i, rec, [conflict("title_mismatch", "warning", "t")], version=1)
        for i in range(1, MAX_CARDS + 51)
    ]
    doc = lxml.html.document_fromstring(render_html(many, summarize(many)))
    assert len(doc.xpath("//article")) == MAX_CARDS
    assert len(doc.xpath('//ul[@id="more"]/li')) == 50
    lines = [int(a.get("data-line")) for a in items(doc)]
    assert lines == list(range(1, MAX_CARDS + 51))


def test_without_javascript_everything_is_listed(page) -> None:  # type: ignore[no-untyped-def]
    """The page as written (what a browser without JS shows): every entry, no filter form."""
    entries, _, doc, _ = page
    assert not doc.xpath("//*[@hidden and not(@id='filters')]")
    assert len(items(doc)) == len(entries) - 1
    assert doc.get_element_by_id("filters").get("hidden") is not None


def test_differences_are_marked(page) -> None:  # type: ignore[no-untyped-def]
    entries, _, doc, _ = page
    first = doc.xpath('//article[@data-line="17"]')[0]
    title_row, authors_row, version_row, cats_row = first.xpath('.//div[@class="row"]')[:4]
    assert texts(title_row.xpath(".//del")) == ["Region Customised"]
    assert texts(title_row.xpath(".//ins")) == ["Region-Customized"]
    moved = texts(authors_row.xpath('.//span[@class="moved"]'))
    assert moved == ["Jianqi Ma", "Jianqi Ma"] or set(moved) <= {"Jianqi Ma", "Shuaizheng Liu"}
    assert texts(version_row.xpath('.//span[@class="stale"]')) == ["v1"]
    assert texts(cats_row.xpath(".//del")) == ["cs.AI"] and texts(cats_row.xpath(".//ins")) == [
        "cs.LG"
    ]
    cut_entry = next(e for e in entries if e.source.line == 23)
    cut = lxml.html.fragment_fromstring(_card(1, cut_entry))
    assert texts(cut.xpath('.//span[@class="cut"]')) == ["Lei Zhang", "Ana Ruiz"]
    assert texts(cut.xpath('.//span[@class="etal"]')) == ["et al."]
    hostile = doc.xpath('//article[@data-line="5"]')[0]
    authors = hostile.xpath('.//div[@class="row"]')[1]
    assert texts(authors.xpath(".//del")) == ["Tat-Jun Chin"]
    assert texts(authors.xpath(".//ins")) == ["Ian Reid"]


def test_many_entries_render() -> None:
    entries, summary = sample_run(extra=130)
    doc = lxml.html.document_fromstring(render_html(entries, summary))
    assert len(items(doc)) == 137  # all but the clean one
    ids = [el.get("id") for el in items(doc)]
    assert len(set(ids)) == len(ids)
    cards = [(a.get("class"), a.get("data-file"), int(a.get("data-line")))
             for a in doc.xpath("//article")]  # fmt: skip
    assert cards == sorted(cards, key=lambda c: (c[0] != "entry lvl-error", c[1], c[2]))


def test_empty_run() -> None:
    doc = lxml.html.document_fromstring(render_html([], RunSummary()))
    assert doc.xpath("//article") == []
    assert doc.get_element_by_id("total-error").text_content() == "0 errors"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://arxiv.org/abs/2503.24357v1", True),
        ("http://arxiv.org/pdf/2503.24357", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example/x", False),
        ("https://", False),
        ('https://x.org/"onmouseover=alert(1)', False),
        ("https://x.org/a b", False),
        (None, False),
    ],
)
def test_safe_href(url: str | None, ok: bool) -> None:
    assert (safe_href(url) is not None) is ok


def test_markdown_and_terminal_show_invisible_characters() -> None:
    import io

    from enrich.report.data import render_markdown
    from enrich.report.fix import LeftAlone
    from enrich.report.terminal import left_alone_lines
    from enrich.report.writeback import FixedDigest
    from enrich.runner import RunOutcome
    from enrich.text.invisible import show_invisible

    rlo = "\u202e"
    rec = record("2501.00001", 2, "A Real Title", ["Ada Lovelace"])
    e = make_entry("d.md", 3, rec, [conflict("title_mismatch", "warning", f"differs: {rlo}x")],
                   title=f"{rlo}Evil", version=2)  # fmt: skip
    text = render_markdown([e], summarize([e]))
    assert rlo not in text and "⟨U+202E⟩x" in text
    done = FixedDigest(f"{rlo}d.md", None, None, left_alone=[LeftAlone(3, "2501.00001",
                       ("title_mismatch",), f"needs a person: {rlo}x")])  # fmt: skip
    lines = left_alone_lines(RunOutcome(summary=summarize([e]), files=[], fixed=[done]))
    assert lines and all(rlo not in line for line in lines) and "⟨U+202E⟩" in lines[1]
    assert show_invisible("plain") == "plain" and show_invisible("a\u200bb") == "a⟨U+200B⟩b"
    assert io  # the terminal writer is a plain stream


def test_every_format_character_is_made_visible() -> None:
    import unicodedata

    from enrich.text.invisible import show_invisible

    cf = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert cf and all(show_invisible(ch) == f"⟨U+{ord(ch):04X}⟩" for ch in cf)
