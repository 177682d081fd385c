"""Real time, sockets and processes: the gap and the one connection hold; a killed run resumes.

The stand-in stamps each request's arrival and the end of its answer with time.monotonic(). The
client's own end comes after the server's and its next start before the server sees it, so a
server-side gap of at least min_interval is implied by the client's; 1 ms is allowed for the
difference between time.time() (the shared stamp) and time.monotonic() (the server's log).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from standin import StandIn, make_record

from enrich.arxiv import ArxivClient, RecordCache
from enrich.settings import Settings

pytestmark = pytest.mark.timing

GAP = 0.2
SLACK = 0.001

# One interpreter imports everything once, then fork()s one worker per id group (before any thread,
# lock or file exists): separate processes, each with its own client, limiter and lock descriptor,
# that start together without paying three interpreter start-ups. One group: no fork.
CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from enrich.arxiv import ArxivClient
    from enrich.settings import Settings

    url, cache_dir, go, min_interval, batch_size, groups = sys.argv[1:]

    def say(line):  # one write(2) per line: atomic on a pipe shared by the forked workers
        os.write(1, (line + "\\n").encode())

    def work(n, ids):
        settings = Settings(
            api_url=url, cache_dir=cache_dir, min_interval=float(min_interval),
            batch_size=int(batch_size), backoff_initial=0.05, backoff_max=0.1, timeout=10,
        )
        with ArxivClient(settings) as client:
            client._get_http()  # build the TLS context now, not inside the measured slot
            say(f"ready {n}")
            while go != "-" and not Path(go).exists():
                time.sleep(0.002)
            result = client.fetch(ids)
        say(f"result {n} " + json.dumps({k: v.status for k, v in result.items()}))

    groups = json.loads(groups)
    if len(groups) == 1:
        work(0, groups[0])
    else:
        pids = []
        for n, ids in enumerate(groups):
            pid = os.fork()
            if pid == 0:
                try:
                    work(n, ids)
                finally:
                    os._exit(0)
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
    """
)


@pytest.fixture
def server() -> Iterator[StandIn]:
    with StandIn() as standin:
        yield standin


def ids(n: int, start: int) -> list[str]:
    return [f"2503.{i:05d}" for i in range(start, start + n)]


def child(
    script: Path,
    server: StandIn,
    cache: Path,
    go: str,
    interval: float,
    batch: int,
    groups: list[list[str]],
) -> subprocess.Popen[str]:
    args = [sys.executable, str(script), server.url, str(cache), go, str(interval), str(batch)]
    return subprocess.Popen([*args, json.dumps(groups)], stdout=subprocess.PIPE, text=True)


def test_one_process_keeps_the_gap_and_one_connection(
    server: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when the connection is opened ahead and the gap's last moments are waited out at
    the request's first write (enrich/arxiv/transport.py), as from the third request on."""
    from enrich.arxiv import transport

    holds: list[float] = []
    hold = transport._Warming.hold
    monkeypatch.setattr(
        transport._Warming, "hold", lambda self, s, sleep: (holds.append(s), hold(self, s, sleep))
    )
    wanted = ids(10, 1)
    server.add(*[make_record(i) for i in wanted])
    settings = Settings(
        api_url=server.url, cache_dir=tmp_path / "cache", min_interval=GAP, batch_size=2
    )
    with ArxivClient(settings) as client:
        result = client.fetch(wanted)
    assert all(v.status == "found" for v in result.values())
    assert len(server.requests) == 5
    assert min(server.gaps()) >= GAP - SLACK
    # the first request waits for nothing; one whose early run overran the gap holds nothing
    assert 1 <= len(holds) <= 4 and all(0 < s <= 0.002 for s in holds)
    assert server.max_in_flight == 1 and server.max_open_connections == 1
    # about 4 gaps: answers are parsed and stored before the slot is let go (so that processes
    # sharing the cache see them), so each wait is the whole gap, plus the sleep's overshoot
    assert 0 < client.stats.seconds_waiting <= 4 * GAP + 0.1


def test_three_processes_on_one_cache_folder_share_the_gap_and_the_connection(
    server: StandIn, tmp_path: Path
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    go = tmp_path / "go"
    per_process = [ids(6, 100 * (p + 1)) for p in range(3)]
    for wanted in per_process:
        server.add(*[make_record(i) for i in wanted])
    proc = child(script, server, tmp_path / "cache", str(go), GAP, 2, per_process)
    try:
        assert proc.stdout is not None
        ready = {proc.stdout.readline().strip() for _ in per_process}
        assert ready == {"ready 0", "ready 1", "ready 2"}  # imported, built, waiting
        go.touch()  # ...and now all three start together
        output = proc.communicate(timeout=30)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
    results = {}
    for line in output.splitlines():
        _, n, payload = line.split(" ", 2)
        results[int(n)] = json.loads(payload)
    assert results == {p: dict.fromkeys(w, "found") for p, w in enumerate(per_process)}
    log = server.requests
    assert len(log) == 9
    assert min(server.gaps()) >= GAP - SLACK
    assert server.max_in_flight == 1 and server.max_open_connections == 1
    # the three really competed: their requests interleave instead of running one after another
    owner = [next(p for p, w in enumerate(per_process) if r.ids[0] in w) for r in log]
    assert owner != sorted(owner)


def test_a_run_killed_mid_way_resumes_with_only_what_it_had_not_stored(
    server: StandIn, tmp_path: Path
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    wanted = ids(40, 500)
    server.add(*[make_record(i) for i in wanted])
    server.delay = 0.15  # a slow arXiv: ten batches take a while
    proc = child(script, server, tmp_path / "cache", "-", 0.0, 4, [wanted])
    try:
        deadline = time.monotonic() + 20
        while sum(1 for r in server.requests if r.finished) < 3:
            assert time.monotonic() < deadline, "the child never got going"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    with RecordCache(tmp_path / "cache") as cache:
        stored = set(cache.get_many(wanted))
    assert 8 <= len(stored) < len(wanted)  # at least two batches were kept, not everything

    server.clear_log()
    server.delay = 0.0
    settings = Settings(api_url=server.url, cache_dir=tmp_path / "cache", min_interval=0.0)
    with ArxivClient(settings) as client:
        result = client.fetch(wanted)
    asked = server.requested_ids()
    assert sorted(asked) == sorted(set(wanted) - stored)  # each missing id once, nothing else
    assert all(v.status == "found" for v in result.values())
    assert client.stats.cache_hits == len(stored)
