"""The seed digests against a stand-in that serves every version as the paper had it.

The stand-in's papers are built from what each seed entry says for the version it links (its
title and authors are that version's), plus a later version for some: one that dropped the first
word of the title, or one that added an author after the first. One paper gets a planted digest
error instead: no version of it has the digest's title. `enrich run` (the real CLI, real sockets)
must call the later changes `changed_in_later_version` with the version and date that made them,
fix them with --fix-dir together with the version, leave the planted error a warning, and spend at
most ceil(entries needing a look-up / batch size) requests on versions, none when warm.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path
from standin import StandIn

from enrich.ingest import iter_entries
from enrich.models import DigestEntry

BATCH = 7
ADDED = "Dhamanpreet Kaur"
FILLER = ["Quinn Extra-Author", "Rosa Lastname"]  # after a list the digest cut with "et al."
PLANTED_TITLE = "An Entirely Different Study of Something Else"
DATED = re.compile(r"\bv\d+ \(\d{4}-\d{2}-\d{2}\)")
VERSION_KINDS = {
    "version_stale",
    "version_ahead",
    "version_inconsistent",
    "withdrawn",
    "changed_in_later_version",
}
VERSIONED_ID = re.compile(r"v\d+$")


@dataclass
class Plan:
    entry: DigestEntry
    change: str  # "title" | "authors" | "planted"
    version: int  # the version that made the change
    date: dt.date
    latest: int
    title: str  # the latest's
    authors: list[str]


def _day(number: int, n: int) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=40 * number + n % 17)


def _build(server: StandIn, entries: list[DigestEntry]) -> dict[str, Plan]:
    """Register every paper; return the plans of those a later version changed (or planted)."""
    plans: dict[str, Plan] = {}
    planted = False
    for n, entry in enumerate(sorted(entries, key=lambda e: e.arxiv_id or "")):
        arxiv_id = entry.arxiv_id
        assert arxiv_id
        title = entry.title or f"Title of {arxiv_id}"
        authors = list(entry.authors) or ["Ada Lovelace", "Alan Turing"]
        if entry.authors_truncated:
            authors += FILLER
        common: dict[str, Any] = {}
        if entry.categories:
            common = {"primary_category": entry.categories[0], "categories": entry.categories}
        mine = entry.version or 1
        own = {"title": title, "authors": authors}
        history = [{**own, "date": _day(k, n)} for k in range(1, mine + 1)]
        change = None
        if entry.version is not None and n % 3 == 1:
            change = "title"
        elif entry.version is not None and n % 3 == 2 and entry.authors:
            change = "authors"
        if change == "title" and not planted and entry.source.path.endswith(".txt"):
            change, planted = "planted", True
        if change is not None:
            gap = n % 2  # every other one: an unchanged version in between
            for k in range(mine + 1, mine + 1 + gap):
                history.append({**own, "date": _day(k, n)})
            words = title.split()
            later = {
                "title": " ".join(words[1:]) if len(words) > 2 else f"A Study of {title}",
                "authors": authors,
            }
            if change == "authors":
                later = {"title": title, "authors": [authors[0], ADDED, *authors[1:]]}
            if change == "planted":
                for version in history:
                    version["title"] = PLANTED_TITLE
            number = mine + 1 + gap
            history.append({**later, "date": _day(number, n)})
            plans[arxiv_id] = Plan(
                entry,
                change,
                number,
                _day(number, n),
                number,
                str(later["title"]),
                list(later["authors"]),
            )
        server.add_history(arxiv_id, history, **common)
    assert planted
    return plans


def _enrich(args: list[str], server: StandIn, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BATCH_SIZE": str(BATCH)}
    cmd = [sys.executable, "-m", "enrich", "run", *args, "--api-url", server.url]
    return subprocess.run(
        [*cmd, "--cache-dir", str(cache)], capture_output=True, text=True, env=env, timeout=300
    )


def _to(flag: str, path: Path) -> list[str]:
    return [flag, str(path)]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    seeds = shared_path("seeds")
    work = tmp_path_factory.mktemp("versions")
    entries = list(iter_entries([seeds]))
    with StandIn() as server:
        plans = _build(server, entries)
        first = _enrich(
            [
                str(seeds),
                "-q",
                "--out",
                str(work / "out.jsonl"),
                *_to("--fix-dir", work / "fixed"),
                *_to("--report", work / "r.md"),
            ],
            server,
            work / "cache",
        )
        assert first.returncode == 0, first.stderr
        cold = server.requests
        server.clear_log()
        warm = _enrich(
            [str(seeds), "-q", "--out", str(work / "warm.jsonl"), "--report", str(work / "r.html")],
            server,
            work / "cache",
        )
        assert warm.returncode == 0, warm.stderr
        warm_requests = server.requests
        second = _enrich(
            [
                str(work / "fixed"),
                "-q",
                *_to("--out", work / "out2.jsonl"),
                *_to("--fix-dir", work / "fixed2"),
            ],
            server,
            work / "cache",
        )
        assert second.returncode == 0, second.stderr
    return {
        "seeds": seeds,
        "work": work,
        "plans": plans,
        "cold": cold,
        "warm": warm_requests,
        "entries": entries,
    }


def test_later_changes_are_info_naming_the_version_and_date_that_made_them(
    run: dict[str, Any],
) -> None:
    plans: dict[str, Plan] = run["plans"]
    lines = {x["arxiv_id"]: x for x in _lines(run["work"] / "out.jsonl")}
    changed = [p for p in plans.values() if p.change != "planted"]
    assert len([p for p in changed if p.change == "title"]) >= 10
    assert len([p for p in changed if p.change == "authors"]) >= 5
    for plan in changed:
        x = lines[plan.entry.arxiv_id]
        own = [c for c in x["conflicts"] if not (c["field"] or "").startswith("claims.")]
        found = [c for c in own if c["kind"] == "changed_in_later_version"]
        assert [c["field"] for c in found] == [plan.change], (plan.entry.arxiv_id, own)
        (c,) = found
        blocking = [d for d in x["conflicts"] if d["severity"] != "info"]
        blocking = [d for d in blocking if d["kind"] != "version_stale"]
        assert c["severity"] == "info" and c["fixed"] == (not blocking)  # the copy changed it
        assert c["version"] == {"version": plan.version, "date": plan.date.isoformat()}
        assert f"v{plan.version} ({plan.date.isoformat()})" in c["message"]
        assert not {"title_mismatch", "authors_mismatch"} & {c["kind"] for c in own}
        assert x["corrected"]["version"] == plan.latest
        assert x["corrected"]["title"] == plan.title
        assert x["corrected"]["authors"] == plan.authors


def test_a_title_no_version_has_stays_a_warning(run: dict[str, Any]) -> None:
    (plan,) = [p for p in run["plans"].values() if p.change == "planted"]
    (x,) = [x for x in _lines(run["work"] / "out.jsonl") if x["arxiv_id"] == plan.entry.arxiv_id]
    kinds = {c["kind"]: c for c in x["conflicts"]}
    assert "changed_in_later_version" not in kinds
    assert kinds["title_mismatch"]["severity"] == "warning"
    message = kinds["title_mismatch"]["message"]
    assert "matches none of the versions compared" in message
    assert f"v{plan.entry.version} (" in message and f"v{plan.latest} (" in message


def test_version_lookups_cost_ceil_needed_over_batch_and_nothing_when_warm(
    run: dict[str, Any],
) -> None:
    plans: dict[str, Plan] = run["plans"]
    needed = {f"{p.entry.arxiv_id}v{p.entry.version}" for p in plans.values()}
    by_version = [r for r in run["cold"] if all(VERSIONED_ID.search(i) for i in r.ids)]
    asked = [i for r in by_version for i in r.ids]
    assert needed <= set(asked) and len(asked) == len(set(asked))
    assert 0 < len(by_version) <= math.ceil(len(needed) / BATCH)
    assert all(len(r.ids) <= BATCH for r in by_version)
    unversioned = [r for r in run["cold"] if r not in by_version]
    assert len(unversioned) == math.ceil(len(run["entries"]) / BATCH)  # 128 unique ids
    assert run["warm"] == []
    warm = {x["arxiv_id"]: x["conflicts"] for x in _lines(run["work"] / "warm.jsonl")}
    cold = {x["arxiv_id"]: x["conflicts"] for x in _lines(run["work"] / "out.jsonl")}
    assert warm == cold


def test_every_version_message_carries_dates(run: dict[str, Any]) -> None:
    said = [
        c
        for x in _lines(run["work"] / "out.jsonl")
        for c in x["conflicts"]
        if c["kind"] in VERSION_KINDS
    ]
    assert len(said) > 20
    for c in said:
        assert DATED.search(c["message"]), c
    for x in _lines(run["work"] / "out.jsonl"):
        versions = (x["arxiv"] or {}).get("versions") or []
        assert versions and versions[0]["version"] == 1 and versions[0]["date"]
        assert versions[-1]["version"] == x["arxiv"]["latest_version"]


def _entry_span(text: str, line: int) -> str:
    return "\n".join(text.splitlines()[line - 1 : line + 2])


def test_fix_dir_writes_the_later_version_and_a_second_pass_changes_nothing(
    run: dict[str, Any],
) -> None:
    work: Path = run["work"]
    plans: dict[str, Plan] = run["plans"]
    lines = {x["arxiv_id"]: x for x in _lines(work / "out.jsonl")}
    fixed_entries = {e.arxiv_id: e for e in iter_entries([work / "fixed"])}
    fixed: set[str | None] = set()
    for plan in plans.values():
        x = lines[plan.entry.arxiv_id]
        after = fixed_entries[plan.entry.arxiv_id]
        blocking = [
            c for c in x["conflicts"] if c["severity"] != "info" and c["kind"] != "version_stale"
        ]
        if plan.change == "planted" or blocking:  # a person must look: nothing moves
            assert after.version == plan.entry.version and after.title == plan.entry.title
            continue
        fixed.add(plan.entry.arxiv_id)
        assert after.version == plan.latest, plan.entry.source
        if plan.change == "title":
            assert " ".join((after.title or "").split()) == plan.title
        else:
            assert after.authors == plan.authors and not after.authors_truncated
    assert len(fixed) >= 0.8 * (len(plans) - 1)
    for path in sorted((work / "fixed").iterdir()):
        assert (work / "fixed2" / path.name).read_bytes() == path.read_bytes(), path.name
    for x in _lines(work / "out2.jsonl"):
        kinds = {c["kind"] for c in x["conflicts"]}
        if x["arxiv_id"] in fixed:
            assert not kinds & {"changed_in_later_version", "version_stale"}, x["conflicts"]


def test_the_markdown_report_lists_later_changes_apart_from_what_looks_wrong(
    run: dict[str, Any],
) -> None:
    text = (run["work"] / "r.md").read_text("utf-8")
    section = None
    kinds_in: dict[str, set[str]] = {"changed": set(), "wrong": set()}
    ids_in: dict[str, set[str]] = {"changed": set(), "wrong": set()}
    for line in text.splitlines():
        if line.startswith("## "):
            section = None
        elif line == "### Changed by a later version":
            section = "changed"
        elif line == "### Looks wrong":
            section = "wrong"
        elif section and line.startswith("| ") and not line.startswith("| line"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            kinds_in[section].add(cells[3])
            ids_in[section].add(cells[1])
    assert kinds_in["changed"] == {"changed_in_later_version", "version_stale"}
    assert "changed_in_later_version" not in kinds_in["wrong"]
    changed = {p.entry.arxiv_id for p in run["plans"].values() if p.change != "planted"}
    assert ids_in["changed"] == changed
    (planted,) = [p for p in run["plans"].values() if p.change == "planted"]
    assert planted.entry.arxiv_id in ids_in["wrong"] - ids_in["changed"]


@pytest.mark.browser
def test_the_review_page_shows_the_version_timeline_of_each_stale_entry(
    run: dict[str, Any], tmp_path: Path
) -> None:
    from test_report_browser import Browser  # skips cleanly without Chromium

    plans = {p.entry.arxiv_id: p for p in run["plans"].values()}
    page = run["work"] / "r.html"
    doc = Browser(tmp_path).dom(page.as_uri() + "#severity=all")
    assert doc.body.get("data-ready") == "1"  # the page's script ran
    stale = 0
    for x in _lines(run["work"] / "warm.jsonl"):
        source = x["source"]
        found = doc.xpath(  # a card, or one line for what the fixer settles (triage first)
            f'//*[contains(concat(" ", @class, " "), " entry ")]'
            f'[@data-file="{source["path"]}"][@data-line="{source["line"]}"]'
        )
        mine, latest = x["digest"]["version"], x["arxiv"]["latest_version"]
        assert found or not x["conflicts"], source  # the page holds every entry with a finding
        if not found:
            continue
        timeline = found[0].xpath('.//section[@class="timeline"]')
        assert bool(timeline) == (mine is not None and mine < latest), source
        if not timeline:
            continue
        stale += 1
        items = {li.get("data-version"): li for li in timeline[0].xpath(".//li[@data-version]")}
        dates = {str(v["version"]): v["date"] for v in x["arxiv"]["versions"]}
        assert "linked" in items[str(mine)].get("class")
        assert "latest" in items[str(latest)].get("class")
        for number, li in items.items():
            assert (dates.get(number) or "date unknown") in li.text_content()
        plan = plans.get(x["arxiv_id"])
        if plan is not None and plan.change != "planted":
            li = items[str(plan.version)]
            assert "changed" in li.get("class")
            assert plan.date.isoformat() in li.text_content()
            what = "the title" if plan.change == "title" else "the author list"
            assert f"changed {what}" in li.text_content()
    assert stale >= len(plans)
    shot = tmp_path / "timeline.png"
    first = sorted(plans.values(), key=lambda p: p.entry.source.path)[0].entry.source
    fragment = f"#severity=all&q={first.path.rsplit('/', 1)[-1][:3]}"
    Browser(tmp_path).run(
        page.as_uri() + fragment, f"--screenshot={shot}", "--window-size=900,1400"
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
