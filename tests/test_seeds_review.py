"""The seeds reviewed as a person would: corrected copies written back in their own format, and the
HTML review page opened in headless Chromium (screenshot kept in ENRICH_SCREENSHOT_DIR if set)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_path
from standin import StandIn
from test_run_e2e import _records_for

from enrich.ingest import iter_entries

SCREENSHOT_DIR = os.environ.get("ENRICH_SCREENSHOT_DIR")  # read before conftest clears ENRICH_*
VERSIONED = re.compile(r"(\d{4}\.\d{4,5})v\d+")
CUT = re.compile(r"et\.? ?al|and others|等", re.IGNORECASE)


def _enrich(args: list[str], server: StandIn, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["ENRICH_MIN_INTERVAL"] = "0"
    cmd = [sys.executable, "-m", "enrich", "run", *args, "--api-url", server.url]
    return subprocess.run(
        [*cmd, "--cache-dir", str(cache)], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    seeds = shared_path("seeds")
    work = tmp_path_factory.mktemp("review")
    records, _ = _records_for(list(iter_entries([seeds])))
    with StandIn(records) as server:
        first = _enrich(
            [
                str(seeds),
                "-q",
                "--out",
                str(work / "out.jsonl"),
                "--report",
                str(work / "r.html"),
                "--fix-dir",
                str(work / "fixed"),
            ],
            server,
            work / "cache",
        )
        assert first.returncode == 0, first.stderr
        second = _enrich(
            [
                str(work / "fixed"),
                "-q",
                "--out",
                str(work / "out2.jsonl"),
                "--fix-dir",
                str(work / "fixed2"),
            ],
            server,
            work / "cache",
        )
        assert second.returncode == 0, second.stderr
    return {"seeds": seeds, "work": work}


def test_corrected_seeds_differ_only_in_author_lists_and_versions(
    reviewed: dict[str, Path],
) -> None:
    seeds, work = reviewed["seeds"], reviewed["work"]
    lines = [json.loads(x) for x in (work / "out.jsonl").read_text("utf-8").splitlines()]
    full_lists = {x["arxiv_id"]: x["arxiv"]["authors"] for x in lines if x["arxiv"]}
    changed_files = 0
    for original in sorted(seeds.glob("0*.txt")):
        fixed = work / "fixed" / original.name
        old, new = original.read_text("utf-8"), fixed.read_text("utf-8")
        assert len(old.splitlines()) == len(new.splitlines())
        changed_files += old != new
        for a, b in zip(old.splitlines(), new.splitlines(), strict=True):
            if a == b or VERSIONED.sub(r"\1", a) == VERSIONED.sub(r"\1", b):
                continue
            # otherwise a cut author list, now arXiv's full list, and only that changed
            assert CUT.search(a) and not CUT.search(b), (a, b)
            assert any(all(n in b for n in names) for names in full_lists.values()), b
    assert changed_files >= 2  # 000 and 002 carry cut lists; planted new versions touch others


def test_correcting_a_corrected_digest_changes_nothing(reviewed: dict[str, Path]) -> None:
    work = reviewed["work"]
    for fixed in sorted((work / "fixed").glob("*.txt")):
        again = work / "fixed2" / fixed.name
        assert again.read_bytes() == fixed.read_bytes(), fixed.name
    fixable = {"authors_truncated", "version_stale"}
    lines = [json.loads(x) for x in (work / "out2.jsonl").read_text("utf-8").splitlines()]
    for x in lines:  # what is still fixable was left for a person, beside a finding of that kind
        kinds = {c["kind"] for c in x["conflicts"] if c["severity"] != "info"}
        if {c["kind"] for c in x["conflicts"]} & fixable:
            assert kinds - fixable, x["source"]


@pytest.mark.browser
def test_seed_report_in_a_real_browser(reviewed: dict[str, Path], tmp_path: Path) -> None:
    from test_report_browser import Browser, png_size  # skips cleanly without Chromium

    work = reviewed["work"]
    page = work / "r.html"
    lines = [json.loads(x) for x in (work / "out.jsonl").read_text("utf-8").splitlines()]
    serious = {
        (x["source"]["path"], str(x["source"]["line"]))
        for x in lines
        if any(c["severity"] != "info" for c in x["conflicts"]) or x["status"] != "enriched"
    }
    browser = Browser(tmp_path)
    doc = browser.dom(page.as_uri())
    entry = '//*[contains(concat(" ", @class, " "), " entry ")]'  # cards and one-line entries
    shown = {
        (a.get("data-file"), a.get("data-line"))
        for a in doc.xpath(entry)
        if a.get("hidden") is None
    }
    assert shown == serious and serious
    # full cards for what needs a person: a warning or error the corrected copy does not fix
    person = {
        (x["source"]["path"], str(x["source"]["line"]))
        for x in lines
        if any(c["severity"] != "info" and not c["fixed"] for c in x["conflicts"])
        or x["status"] != "enriched"
    }
    assert {(a.get("data-file"), a.get("data-line")) for a in doc.xpath("//article")} == person
    only = browser.dom(page.as_uri() + "#kind=title_mismatch")
    narrowed = [a for a in only.xpath(entry) if a.get("hidden") is None]
    assert 0 < len(narrowed) < len(shown)
    shots = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    target = shots / "seeds-report.png"
    browser.run(page.as_uri(), f"--screenshot={target}", "--window-size=1280,2000")
    data = target.read_bytes()
    assert png_size(data) == (1280, 2000) and len(data) > 40_000
