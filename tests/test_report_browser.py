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
    return [
        (a.get("data-file"), a.get("data-line"))
        for a in doc.xpath("//article")
        if a.get("hidden") is None
    ]


def keys(entries: Sequence[EnrichedEntry]) -> list[tuple[str, str]]:
    ordered = sorted(entries, key=lambda e: (e.source.path, e.source.line or 0))
    return [(e.source.path, str(e.source.line)) for e in ordered]


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
