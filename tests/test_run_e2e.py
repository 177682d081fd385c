"""`enrich run` end to end, as a user runs it: the real CLI, the real client, real sockets, and a
local stand-in for arXiv whose records are derived from the seeds (with deliberate differences)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path
from standin import StandIn, make_record

from enrich.ingest import iter_entries
from enrich.models import ArxivRecord, DigestEntry
from enrich.testing.records import records_agreeing

NO_CONFLICT_EXPECTED = {"authors_mismatch", "author_name_order", "title_mismatch", "not_found"}


def _records_for(entries: list[DigestEntry]) -> tuple[list[ArxivRecord], dict[str, str]]:
    """One record per id, agreeing with the digest, except a few planted differences."""
    planted: dict[str, str] = {}

    def plant(n: int, entry: DigestEntry, fields: dict[str, Any]) -> bool:
        arxiv_id = entry.arxiv_id or ""
        if n % 40 == 7 and entry.version:  # arXiv has moved on: the digest's link is stale
            fields["latest_version"] = entry.version + 1
            planted[arxiv_id] = "version_stale"
        elif n % 40 == 21 and entry.title:  # the digest names another paper
            fields["title"] = "An Entirely Different Study of Something Else"
            planted[arxiv_id] = "title_mismatch"
        return True

    return records_agreeing(entries, plant=plant), planted


def _run(args: list[str], server: StandIn, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": "0", "ENRICH_BACKOFF_MAX": "0"}
    cmd = [sys.executable, "-m", "enrich", "run", *args]
    cmd += ["--api-url", server.url, "--cache-dir", str(cache)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def seeds() -> Path:
    return shared_path("seeds")


def test_seeds_end_to_end(seeds: Path, tmp_path: Path) -> None:
    entries = list(iter_entries([seeds]))
    records, planted = _records_for(entries)
    truncated = [e for e in entries if e.authors_truncated]
    out, report = tmp_path / "out.jsonl", tmp_path / "report.json"
    with StandIn(records) as server:
        done = _run(
            [str(seeds), "--out", str(out), "--report", str(report)], server, tmp_path / "c"
        )
        assert done.returncode == 0, done.stderr
        asked = server.requested_ids()
        assert len(server.requests) == 2  # 128 unique ids in two batches
        assert len(asked) == len(set(asked)) == len({e.arxiv_id for e in entries}) == 128

        lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        assert len(lines) == len(entries)  # one output line per input entry, in order
        assert [(x["source"]["path"], x["source"]["line"]) for x in lines] == [
            (e.source.path, e.source.line) for e in entries
        ]
        assert {x["status"] for x in lines} == {"enriched"}
        by_id = {r.arxiv_id: r for r in records}
        titles = Counter((e.title or "").lower() for e in entries if e.title)

        # every cut author list is filled from arXiv
        filled = [x for x in lines if x["digest"]["authors_truncated"]]
        assert len(filled) == len(truncated) == 15
        for x in filled:
            kinds = {c["kind"]: c for c in x["conflicts"]}
            assert kinds["authors_truncated"]["fixed"] is True
            assert kinds["authors_truncated"]["severity"] == "info"
            assert x["corrected"]["authors"] == by_id[x["arxiv_id"]].authors

        # planted differences are found where planted, and nowhere else
        for x in lines:
            kinds = {c["kind"] for c in x["conflicts"]}
            expected = planted.get(x["arxiv_id"])
            if expected:
                assert expected in kinds, (x["arxiv_id"], kinds)
            own = {c["kind"] for c in x["conflicts"] if not (c["field"] or "").startswith("claims")}
            assert not (own & NO_CONFLICT_EXPECTED) or expected == "title_mismatch", x
            if expected != "version_stale":
                assert "version_stale" not in kinds and "version_ahead" not in kinds
            serious = [
                c for c in x["conflicts"] if c["severity"] != "info" and c["kind"] != expected
            ]
            # what remains: statements of the model-written summaries, each with its line, and
            # one paper listed twice under two ids (a real slip in a seed)
            allowed = {"claim_mismatch", "version_inconsistent"}
            if titles[(x["digest"]["title"] or "").lower()] > 1:
                allowed.add("duplicate")
            assert all(c["kind"] in allowed for c in serious), serious
            assert all(c["line"] for c in serious)
            if x["corrected"]:
                assert x["corrected"]["version"] == by_id[x["arxiv_id"]].latest_version
                assert x["corrected"]["arxiv_doi"] == f"10.48550/arXiv.{x['arxiv_id']}"

        data = json.loads(report.read_text("utf-8"))
        assert data["summary"]["entries"] == 128
        assert data["summary"]["requests"] == 2
        assert "authors_truncated" in done.stderr  # the summary table names the kinds found

        # a second run answers everything from the cache
        server.clear_log()
        again = _run([str(seeds), "--out", str(tmp_path / "again.jsonl")], server, tmp_path / "c")
        assert again.returncode == 0, again.stderr
        assert server.requests == []
        assert (tmp_path / "again.jsonl").read_text("utf-8") == out.read_text("utf-8")


def test_after_ingest_jsonl_input_gives_the_same_result(seeds: Path, tmp_path: Path) -> None:
    entries = list(iter_entries([seeds / "000_0a46ef0f5c851673.txt"]))
    records, _ = _records_for(entries)
    ingested = tmp_path / "in.jsonl"
    ingested.write_text("".join(e.model_dump_json() + "\n" for e in entries), "utf-8")
    with StandIn(records) as server:
        direct = _run([str(seeds / "000_0a46ef0f5c851673.txt"), "-q"], server, tmp_path / "c")
        via = _run([str(ingested), "-q"], server, tmp_path / "c")
    assert direct.returncode == via.returncode == 0
    assert direct.stdout == via.stdout and direct.stdout.count("\n") == len(entries)


def _digest(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "d.md"
    body = "".join(f"- **[Paper {i}](https://arxiv.org/abs/{i})** `cs.LG`\n" for i in ids)
    path.write_text("# My digest\n\n" + body, "utf-8")
    return path


def test_exit_statuses(tmp_path: Path) -> None:
    digest = _digest(tmp_path, "2501.00001", "2501.00002", "2501.00003")
    records = [make_record("2501.00001", title="Paper 2501.00001")]
    records.append(make_record("2501.00002", title="Something else entirely, not Paper 2"))
    with StandIn(records) as server:
        done = _run([str(digest), "-q"], server, tmp_path / "c1")
        statuses = Counter(json.loads(x)["status"] for x in done.stdout.splitlines())
        assert done.returncode == 0, done.stderr  # conflicts alone are findings
        assert statuses == {"enriched": 2, "not_found": 1}
        assert (
            _run([str(digest), "-q", "--fail-on", "warning"], server, tmp_path / "c1").returncode
            == 1
        )
        assert (
            _run([str(digest), "-q", "--fail-on", "error"], server, tmp_path / "c1").returncode == 1
        )
        # arXiv down for good: entries stay, status unavailable, exit 3
        server.fail("503", times=50)
        down = _run([str(digest), "-q", "--refresh"], server, tmp_path / "c2")
        assert down.returncode == 3, down.stderr
        assert [json.loads(x)["status"] for x in down.stdout.splitlines()] == ["unavailable"] * 3
        missing = _run([str(tmp_path / "nope.md")], server, tmp_path / "c3")
        out = tmp_path / "never.jsonl"
        bad = _run([str(tmp_path / "nope.md"), "--out", str(out)], server, tmp_path / "c3")
    assert missing.returncode == bad.returncode == 2
    assert "nope.md" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    assert not out.exists()  # nothing is written for a run that cannot start


def test_offline_answers_from_cache_only(tmp_path: Path) -> None:
    digest = _digest(tmp_path, "2501.00001", "2501.00002")
    with StandIn([make_record("2501.00001", title="Paper 2501.00001")]) as server:
        _run([str(digest), "-q"], server, tmp_path / "c")
        server.clear_log()
        other = _digest(tmp_path, "2501.00001", "2501.00009")
        done = _run([str(other), "-q", "--offline"], server, tmp_path / "c")
        assert server.requests == []
    statuses = [json.loads(x)["status"] for x in done.stdout.splitlines()]
    assert statuses == ["enriched", "unavailable"]
    assert done.returncode == 3
    assert "1 entries could not be looked up" in done.stderr  # said even with -q
