"""`enrich run` against a glitchy stand-in, as real processes (issue 10, items 3 and 6):
arXiv's empty and half-empty pages never become `not_found`, and processes sharing a cache folder
share the work instead of repeating it."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_path
from standin import StandIn, make_record

from enrich.ingest import iter_entries


def _command(args: list[str], server: StandIn, cache: Path) -> list[str]:
    cmd = [sys.executable, "-m", "enrich", "run", *args]
    return [*cmd, "--api-url", server.url, "--cache-dir", str(cache)]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": "0", "ENRICH_BACKOFF_MAX": "0"}
    return env | extra


def _run(args: list[str], server: StandIn, cache: Path) -> subprocess.CompletedProcess[str]:
    cmd = _command(args, server, cache)
    return subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=120)


@pytest.fixture
def seeds() -> Path:
    return shared_path("seeds")


def _statuses(out: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in out.read_text("utf-8").splitlines():
        status = json.loads(line)["status"]
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_ten_empty_pages_in_a_row_are_unavailable_and_a_healthy_rerun_enriches_all(
    seeds: Path, tmp_path: Path
) -> None:
    entries = list(iter_entries([seeds]))
    unique = {e.arxiv_id for e in entries if e.arxiv_id}
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache"
    with StandIn([make_record(i) for i in unique]) as server:
        server.fail("empty_page", times=10)  # HTTP 200, no entries, totalResults counts them
        done = _run([str(seeds), "--out", str(out), "-q"], server, cache)
        assert done.returncode == 3, done.stderr
        assert _statuses(out) == {"unavailable": len(entries)}
        assert "Traceback" not in done.stderr and "short answer" in done.stderr
        assert server.pending_faults == 0 and len(server.requests) == 10

        server.clear_log()
        again = _run([str(seeds), "--out", str(out), "-q"], server, cache)  # no --refresh
        assert again.returncode == 0, again.stderr
        assert _statuses(out) == {"enriched": len(entries)}
        assert len(server.requests) == math.ceil(len(unique) / 100)


def test_half_empty_pages_make_no_paper_not_found(seeds: Path, tmp_path: Path) -> None:
    entries = list(iter_entries([seeds]))
    unique = {e.arxiv_id for e in entries if e.arxiv_id}
    out = tmp_path / "out.jsonl"
    with StandIn([make_record(i) for i in unique]) as server:
        server.fail("half_page", times=4)
        done = _run([str(seeds), "--out", str(out), "-q"], server, tmp_path / "cache")
        assert done.returncode == 0, done.stderr
        assert _statuses(out) == {"enriched": len(entries)}
        assert server.requested_ids().count(sorted(unique)[0]) <= 3


@pytest.mark.parametrize("processes", [4])
def test_processes_sharing_a_cache_send_ceil_unique_over_batch_requests(
    tmp_path: Path, processes: int
) -> None:
    ids = [f"2502.{n:05d}" for n in range(1, 251)]
    digest = tmp_path / "d.md"
    lines = [f"- [Paper {i}](https://arxiv.org/abs/{i})" for i in ids]
    digest.write_text("# Papers\n\n" + "\n".join(lines) + "\n", "utf-8")
    cache = tmp_path / "cache"
    with StandIn([make_record(i) for i in ids], delay=0.3) as server:
        running = [
            subprocess.Popen(
                _command([str(digest), "--out", str(tmp_path / f"o{n}.jsonl")], server, cache),
                env=_env(ENRICH_MIN_INTERVAL="0.2"),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(processes)
        ]
        for process in running:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        assert len(server.requests) == math.ceil(len(ids) / 100)  # 3, not 3 per process
        assert sorted(server.requested_ids()) == ids
        assert server.max_in_flight == 1
    for n in range(processes):
        assert _statuses(tmp_path / f"o{n}.jsonl") == {"enriched": len(ids)}
