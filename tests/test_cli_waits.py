"""Visible waits and useful verbosity, through the real CLI against the stand-in: a retry says
why and for how long, on the progress line in a terminal and as a plain line otherwise; -v logs
one line per request and the cache hits."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from standin import StandIn, make_record


def _env(backoff: str = "0.3") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": backoff}
    env |= {"ENRICH_BACKOFF_MAX": backoff, "COLUMNS": "200"}
    return env


def _digest(tmp_path: Path) -> Path:
    path = tmp_path / "d.bib"
    path.write_text(
        "@article{a, title={A Paper}, author={Ada Lovelace}, eprint={2501.00001v1}}\n"
        "@article{b, title={B Paper}, author={Alan Turing}, eprint={2501.00002v1}}\n",
        "utf-8",
    )
    return path


def _cmd(digest: Path, server: StandIn, cache: Path, *extra: str) -> list[str]:
    out = str(cache.parent / "o.jsonl")
    return [sys.executable, "-m", "enrich", "run", str(digest), "--out", out,
            "--api-url", server.url, "--cache-dir", str(cache), *extra]  # fmt: skip


RECORDS = [make_record("2501.00001", title="A Paper", authors=["Ada Lovelace"]),
           make_record("2501.00002", title="B Paper", authors=["Alan Turing"])]  # fmt: skip


@pytest.mark.parametrize("lookup_process", ["off", "on"])
def test_a_503_is_announced_with_the_wait_and_the_attempt(
    tmp_path: Path, lookup_process: str
) -> None:
    """The same lines when the client runs in the look-up process (its log records are handled
    by the run's own loggers)."""
    env = _env() | {"ENRICH_LOOKUP_PROCESS": lookup_process}
    with StandIn(RECORDS) as server:
        server.fail("503", times=2)
        done = subprocess.run(_cmd(_digest(tmp_path), server, tmp_path / "c"), env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stderr.splitlines() if "arXiv answered" in x]
    assert lines == [
        "enrich: arXiv answered 503; retrying in 0.3 s, attempt 2 of 5",
        "enrich: arXiv answered 503; retrying in 0.3 s, attempt 3 of 5",
    ]


def test_the_progress_line_in_a_terminal_says_why_it_waits(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    with StandIn(RECORDS) as server:
        server.fail("503", times=2)
        proc = subprocess.Popen(_cmd(_digest(tmp_path), server, tmp_path / "c"), env=_env("1.5"),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=slave)  # fmt: skip
        os.close(slave)
        seen = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
        proc.wait(timeout=60)
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "asking arXiv" in text
    assert "arXiv answered 503; retrying in 1.5 s, attempt 2 of 5" in text
    assert "enrich: arXiv answered" not in text  # on the bar, not as extra lines


@pytest.mark.parametrize("lookup_process", ["off", "on"])
def test_verbose_logs_each_request_and_the_cache_hits(tmp_path: Path, lookup_process: str) -> None:
    digest = _digest(tmp_path)
    env = _env() | {"ENRICH_LOOKUP_PROCESS": lookup_process}
    with StandIn(RECORDS) as server:
        first = subprocess.run(_cmd(digest, server, tmp_path / "c", "-v"), env=env,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        again = subprocess.run(_cmd(digest, server, tmp_path / "c", "-v"), env=env,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
    assert first.returncode == again.returncode == 0
    requests = [x for x in first.stderr.splitlines() if x.startswith("arXiv: ")]
    assert len(requests) == 1
    assert requests[0].startswith("arXiv: 2 ids (2501.00001, ...): HTTP 200, ")
    assert " bytes, " in requests[0] and requests[0].endswith(" s, attempt 1 of 5")
    assert "cache: 0 of 2 ids answered from the cache" in first.stderr
    assert "cache: 2 of 2 ids answered from the cache" in again.stderr
    assert not [x for x in again.stderr.splitlines() if x.startswith("arXiv: ")]
    assert "HTTP Request:" not in first.stderr  # the HTTP library's own lines stay quiet
