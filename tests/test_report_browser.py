"""The review page in a real browser: headless Chromium runs the page's script, then dumps the DOM.

No driver library: Chromium is run as a command (`--dump-dom` prints the DOM after the page's
scripts ran, `--screenshot` writes a PNG). Filters are preset through the URL (`#severity=error`,
`?file=...`), which the page's script reads on load. Skipped when no Chromium binary is found
(set CHROME_BIN to point at one); CI installs Debian's `chromium`.

Screenshots go to $ENRICH_SCREENSHOT_DIR when it is set (read at import: the suite's conftest
clears ENRICH_* variables before each test), else to the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from test_report_html import HOSTILE_PATH, make_entry, record, sample_run, summarize

from enrich.models import EnrichedEntry
from enrich.report.html import entry_level, render_html

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("ENRICH_SCREENSHOT_DIR")
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--hide-scrollbars",
]


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROME_BIN")
    if explicit:
        return explicit if Path(explicit).exists() else shutil.which(explicit)
    return next((found for name in _CANDIDATES if (found := shutil.which(name))), None)


CHROMIUM = find_chromium()
if CHROMIUM is None:
    pytest.skip(
        "no chromium binary found (install chromium or set CHROME_BIN)", allow_module_level=True
    )


class Browser:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.runs = 0

    def run(self, url: str, *extra: str) -> str:
        assert CHROMIUM is not None
        self.runs += 1
        profile = self.workdir / f"profile-{self.runs}"
        args = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    def dom(self, url: str, *extra: str) -> lxml.html.HtmlElement:
        out = self.run(url, "--dump-dom", *extra)
        assert "<article" in out or "<main" in out, out[:500]
        return lxml.html.document_fromstring(out)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[EnrichedEntry], Path, Browser]:
    entries, _ = sample_run(extra=130)
    pwn = "document.body.setAttribute('data-pwned','{}')"
    entries.append(
        make_entry(
            "digests/evil.md",
            7,
            record("2409.00001", 1, f"<script>{pwn.format('script')}</script>", ["A B"]),
            [],
            title=(
                f'Evil <img src=x onerror="{pwn.format("img")}"> <script>{pwn.format("s")}</script>'
            ),
            status="invalid",
        )
    )
    work = tmp_path_factory.mktemp("browser")
    page = work / "review.html"
    page.write_text(render_html(entries, summarize(entries)), encoding="utf-8")
    return entries, page, Browser(work)


def visible(doc: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """The entries (cards and lines) the filters left visible, sorted by file and line."""
    return sorted(
        (a.get("data-file"), a.get("data-line"))
        for a in doc.xpath('//*[contains(concat(" ", @class, " "), " entry ")]')
        if a.get("hidden") is None
    )


def keys(entries: Sequence[EnrichedEntry]) -> list[tuple[str, str]]:
    return sorted((e.source.path, str(e.source.line)) for e in entries if entry_level(e))


def test_default_view_shows_every_warning_and_error_entry(site) -> None:  # type: ignore[no-untyped-def]
    entries, page, browser = site
    doc = browser.dom(page.as_uri())
    assert doc.body.get("data-ready") == "1"  # the script ran
    want = keys([e for e in entries if entry_level(e) in ("warning", "error")])
    assert visible(doc) == want
    assert doc.get_element_by_id("shown-count").text_content() == str(len(want))
    assert doc.body.get("data-shown") == str(len(want))
    assert doc.xpath('//form[@id="filters"]')[0].get("hidden") is None  # shown once JS runs


@pytest.mark.parametrize(
    ("fragment", "select"),
    [
        ("#severity=error", lambda e: any(c.severity == "error" for c in e.conflicts)
         or e.status in ("invalid", "not_found")),
        ("#kind=version_stale", lambda e: any(c.kind == "version_stale" for c in e.conflicts)),
        ("#kind=authors_truncated&severity=info",
         lambda e: any(c.kind == "authors_truncated" for c in e.conflicts)),
        ("?file=digests%2F003_blog.md#severity=all",
         lambda e: e.source.path == "digests/003_blog.md"),
        (f"#file={quote(HOSTILE_PATH, safe='')}", lambda e: e.source.path == HOSTILE_PATH),
        ("#q=instructrestore", lambda e: e.arxiv_id == "2503.24357"),
        ("#severity=all", lambda e: True),
    ],
    ids=["errors", "kind", "kind+info", "file-query", "hostile-file", "text", "everything"],
)  # fmt: skip
def test_filter_preset_from_the_url_narrows_the_list(site, fragment, select) -> None:  # type: ignore[no-untyped-def]
    entries, page, browser = site
    doc = browser.dom(page.as_uri() + fragment)
    want = keys([e for e in entries if select(e)])
    assert 0 < len(want) <= len(entries)
    assert visible(doc) == want
    assert doc.get_element_by_id("shown-count").text_content() == str(len(want))


def test_hostile_text_stays_text(site) -> None:  # type: ignore[no-untyped-def]
    _, page, browser = site
    doc = browser.dom(page.as_uri() + "#severity=all")
    assert doc.body.get("data-pwned") is None  # no injected handler or script ran
    assert len(doc.xpath("//script")) == 1
    assert not doc.xpath("//img | //iframe | //b")
    evil = doc.xpath('//article[@data-file="digests/evil.md"]')[0]
    assert (
        evil.xpath('.//h3[@class="title"]')[0].text_content().startswith("Evil <img src=x onerror=")
    )
    hostile = doc.xpath('//article[@data-line="5"]')[0]
    assert "<script>alert(1)</script>" in hostile.xpath('.//h3[@class="title"]')[0].text_content()
    assert all(h.startswith(("http://", "https://")) for h in doc.xpath("//@href"))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(("name", "size", "fragment"), [
    ("review-desktop.png", (1280, 2000), ""),
    ("review-phone.png", (390, 1800), "#file=digests%2F003_blog.md"),
])  # fmt: skip
def test_screenshot(site, tmp_path: Path, name: str, size: tuple[int, int], fragment: str) -> None:  # type: ignore[no-untyped-def]
    _, page, browser = site
    out_dir = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    out_dir.mkdir(parents=True, exist_ok=True)
    shot = out_dir / name
    shot.unlink(missing_ok=True)
    browser.run(
        page.as_uri() + fragment, f"--screenshot={shot}", f"--window-size={size[0]},{size[1]}"
    )
    data = shot.read_bytes()
    assert png_size(data) == size
    # a blank page compresses to a few kB; a rendered report with text is far larger
    assert len(data) > 40_000, len(data)


# --- triage, banner, phone width and hostile text, measured in the browser ---------------------

PROBE = """
(function () {
  function top(id) {
    var el = document.getElementById(id);
    return el ? el.getBoundingClientRect().top : -1;
  }
  function charLefts(el, word) {
    var out = [];
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      if (node.parentNode !== el) { continue; }
      var at = node.data.indexOf(word);
      if (at < 0) { continue; }
      for (var i = at; i < at + word.length; i++) {
        var r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
        out.push(Math.round(r.getBoundingClientRect().left));
      }
      return out;
    }
    return out;
  }
  var vals = Array.prototype.filter.call(document.querySelectorAll(".vals"),
    function (v) { return v.textContent.indexOf("Evil title") >= 0; })[0];
  var probe = {
    height: window.innerHeight, width: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    tops: {filters: top("filters"), entriesHead: top("entries-head"), totals: top("total-error"),
           banner: top("banner"), summary: top("summary")},
    cards: Array.prototype.map.call(document.querySelectorAll("#entries > article"),
                                    function (a) { return a.className; }),
    arxivLabel: vals ? charLefts(vals, "arXiv:") : [],
    digestLabel: vals ? charLefts(vals, "digest:") : []
  };
  document.body.setAttribute("data-probe", JSON.stringify(probe));
})();
"""


FRAME = """<!DOCTYPE html><html><body style="margin:0"><main></main>
<iframe id="f" src="%s" style="border:0;width:%dpx;height:%dpx"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {
  var inner = this.contentDocument;
  var wait = setInterval(function () {
    var probe = inner.body.getAttribute("data-probe");
    if (probe) { clearInterval(wait); document.body.setAttribute("data-probe", probe); }
  }, 20);
});
</script></body></html>"""


def probed(page: Path, work: Path, size: tuple[int, int], browser: Browser) -> dict:  # type: ignore[type-arg]
    """Measure a copy of the page (its policy meta dropped so the probe may run) in a frame of
    `size`: headless Chromium keeps its window at least 500 px wide, a frame can be narrower."""
    import json
    import re

    text = page.read_text("utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text, count=1)
    copy = work / f"probe-{size[0]}.html"
    copy.write_text(text.replace("</body>", f"<script>{PROBE}</script></body>"), "utf-8")
    frame = work / f"frame-{size[0]}.html"
    frame.write_text(FRAME % (copy.name, size[0], size[1]), "utf-8")
    doc = browser.dom(
        frame.as_uri(),
        "--allow-file-access-from-files",
        "--virtual-time-budget=5000",
        f"--window-size={max(size[0], 800)},{size[1] + 50}",
    )
    return json.loads(doc.body.get("data-probe"))  # type: ignore[no-any-return]


RLO = "\u202e"


@pytest.fixture(scope="module")
def triage_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Browser]:
    entries, _ = sample_run(extra=40)
    rec = record("2501.00077", 2, "A Real Title", ["Ada Lovelace"])
    from test_report_html import conflict

    entries.append(
        make_entry(
            "digests/bidi.md", 4, rec,
            [conflict("title_mismatch", "error", "titles differ",
                      digest=f"{RLO}Evil title arXiv", arxiv=f"A Real Title {RLO}")],
            title=f"{RLO}Evil title", version=2, authors=["Ada Lovelace"],
        )
    )  # fmt: skip
    work = tmp_path_factory.mktemp("triage")
    page = work / "review.html"
    page.write_text(render_html(entries, summarize(entries)), "utf-8")
    return page, work, Browser(work)


def test_desktop_first_screen_is_counts_filters_and_the_errors(triage_site) -> None:  # type: ignore[no-untyped-def]
    page, work, browser = triage_site
    probe = probed(page, work, (1280, 800), browser)
    tops = probe["tops"]
    assert 0 <= tops["banner"] < tops["totals"] < tops["filters"] < tops["entriesHead"]
    assert tops["entriesHead"] < probe["height"]  # "needs a person" starts on the first screen
    assert tops["summary"] > tops["entriesHead"]  # the tables come after the entries
    cards = probe["cards"]
    assert cards and cards == sorted(cards, key=lambda c: "lvl-warning" in c)  # errors first
    assert probe["scrollWidth"] <= probe["width"]


def test_phone_width_fits_without_sideways_scrolling(triage_site) -> None:  # type: ignore[no-untyped-def]
    page, work, browser = triage_site
    probe = probed(page, work, (390, 844), browser)
    assert probe["scrollWidth"] <= probe["width"] == 390
    assert probe["tops"]["entriesHead"] < probe["height"] * 2  # near the top on a phone too


def test_a_right_to_left_override_does_not_flip_the_page_labels(triage_site) -> None:  # type: ignore[no-untyped-def]
    page, work, browser = triage_site
    probe = probed(page, work, (1280, 800), browser)
    for label in ("arxivLabel", "digestLabel"):
        lefts = probe[label]
        assert len(lefts) in (6, 7) and lefts == sorted(lefts), (label, lefts)  # left to right
        assert len(set(lefts)) == len(lefts)


def test_an_offline_run_shows_one_banner_in_the_browser(tmp_path: Path) -> None:
    entries = [
        make_entry(f"d{i % 3}.md", i, None, [], status="unavailable", arxiv_id=f"2501.{i:05d}",
                   title=f"Paper {i}", authors=["Ada Lovelace", "Alan Turing"])
        for i in range(1, 129)
    ]  # fmt: skip
    for e in entries:
        e.error = "offline and not in the cache"
    summary = summarize(entries).model_copy(update={"offline": True, "requests": 0})
    page = tmp_path / "offline.html"
    page.write_text(render_html(entries, summary), "utf-8")
    browser = Browser(tmp_path)
    doc = browser.dom(page.as_uri())
    assert doc.body.get("data-ready") == "1"
    assert doc.xpath("//article") == [] and doc.xpath("//del") == []
    [banner] = doc.xpath('//section[@id="banner"]')
    assert "Offline run" in banner.text_content() and "128 entries" in banner.text_content()
    probe = probed(page, tmp_path, (1280, 800), browser)
    assert 0 <= probe["tops"]["banner"] < probe["height"]
    shot = (Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path) / "review-offline.png"
    browser.run(page.as_uri(), f"--screenshot={shot}", "--window-size=1280,800")
    assert png_size(shot.read_bytes()) == (1280, 800)
