"""`enrich serve` end to end: real processes, real sockets, the real Redis, the arXiv stand-in.

The big one: three service instances and three `enrich run`s (two through a service, one straight
to arXiv with `redis_url`), all at once on overlapping digests, must share one budget: the
stand-in never sees two connections at once nor two requests closer than the gap, and about one
request per hundred unique ids; and every output is byte for byte the one a plain local run writes.
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from enrich.testing import StandIn, make_record
from tests.redis_helpers import SHARED_URL, PrivateRedis, free_port, redis_prefix

__all__ = ["redis_prefix"]

ROOT = Path(__file__).resolve().parents[1]
GAP = 0.1


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _digest(ids: list[str], records: dict[str, Any]) -> str:
    lines = ["# Papers of the day", ""]
    for n, arxiv_id in enumerate(ids):
        record = records.get(arxiv_id)
        title = record.title if record is not None else "A paper arXiv does not know"
        authors = list(record.authors) if record is not None else ["Nobody Known"]
        if n % 7 == 3:
            title = "A digest's own wrong title"  # a title_mismatch
        cut = n % 5 == 1 and len(authors) > 1  # a cut list, filled from arXiv
        shown = f"{authors[0]} et al." if cut else ", ".join(authors)
        lines.append(f"- **[{title}](https://arxiv.org/abs/{arxiv_id})** — {shown}")
    return "\n".join(lines) + "\n"


def _papers(arxiv: StandIn, count: int) -> tuple[list[str], dict[str, Any]]:
    ids = [f"2502.{n:05d}" for n in range(1, count + 1)]
    records = {}
    for n, arxiv_id in enumerate(ids):
        if n % 50 == 17:
            continue  # unknown to arXiv: not_found, asked twice
        records[arxiv_id] = make_record(
            arxiv_id,
            title=f"Paper number {n}",
            authors=[f"Author{n} One", f"Author{n} Two", f"Author{n} Three"],
        )
    arxiv.add(*records.values())
    return ids, records


@contextmanager
def _services(count: int, env: dict[str, str], tmp: Path) -> Iterator[list[str]]:
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for n in range(count):
            port = free_port()
            log = (tmp / f"serve{n}.log").open("wb")
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "enrich",
                        "serve",
                        "--port",
                        str(port),
                        "--cache-dir",
                        str(tmp / f"serve-cache{n}"),
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=tmp,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 90
        for url, proc in zip(urls, procs, strict=True):
            while True:
                assert proc.poll() is None, (tmp / "serve0.log").read_text()
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "a service did not start"
                time.sleep(0.1)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "enrich", "run", *args, "-q"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _local(digest: Path, arxiv: StandIn, tmp: Path, name: str) -> bytes:
    out = tmp / f"{name}.local.jsonl"
    env = _env(
        ENRICH_API_URL=arxiv.url,
        ENRICH_MIN_INTERVAL="0",
        ENRICH_CACHE_DIR=str(tmp / f"{name}-local-cache"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "enrich", "run", digest.name, "--out", out.name, "-q"],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def _check_politeness(arxiv: StandIn, unique: int) -> None:
    log = sorted(arxiv.requests, key=lambda r: r.arrived)
    assert arxiv.max_open_connections == 1
    assert arxiv.max_in_flight == 1
    for before, after in itertools.pairwise(log):
        assert after.arrived - before.finished >= GAP * 0.98, (before, after)
    assert len(log) <= math.ceil(unique / 100) + 2, [len(r.ids) for r in log]


def _hold_first_answer(arxiv: StandIn) -> threading.Event:
    """arXiv takes its time over the first answer (as it does, for seconds): here until every
    process has started and asked, so that "all at once" holds whatever the start-up skew of six
    Python processes on a busy machine. The gap and the one connection are unaffected."""
    gate = threading.Event()
    answer = arxiv._answer  # the stand-in's per-request answer: wrapped, not changed

    def gated(*args: Any) -> Any:
        gate.wait(timeout=120)
        return answer(*args)

    arxiv._answer = gated  # type: ignore[method-assign]
    return gate


def _wait_until_everyone_asked(prefix: str, ids: set[str], runs: list[Any]) -> None:
    """Every id is wanted in the shared queue (pending, or claimed by the first holder)."""
    client = redis.Redis.from_url(SHARED_URL, decode_responses=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and all(p.poll() is None for p in runs):
        wanted = set(client.zrange(prefix + "pending", 0, -1))
        wanted |= {k.rsplit(":", 1)[1] for k in client.scan_iter(match=prefix + "flight:*")}
        if wanted >= ids:
            return
        time.sleep(0.05)
    raise AssertionError("not every process asked in time")


@pytest.mark.timing
def test_three_instances_and_three_runs_share_one_budget(redis_prefix: str, tmp_path) -> None:
    with StandIn() as arxiv:
        ids, records = _papers(arxiv, 260)
        parts = {"a": ids[0:130], "b": ids[70:200], "c": ids[120:260]}
        for name, subset in parts.items():
            (tmp_path / f"{name}.md").write_text(_digest(subset, records), "utf-8")
        common = {
            "ENRICH_API_URL": arxiv.url,
            "ENRICH_MIN_INTERVAL": str(GAP),
            "ENRICH_MAX_ATTEMPTS": "2",
            "ENRICH_BACKOFF_INITIAL": "0.1",
            "ENRICH_BACKOFF_MAX": "0.2",
        }
        shared = {
            **common,
            "ENRICH_REDIS_URL": SHARED_URL,
            "ENRICH_REDIS_PREFIX": redis_prefix,
            "ENRICH_SERVE_LINGER": "0.3",
        }
        with _services(3, _env(**shared), tmp_path) as urls:
            assert arxiv.requests == []
            gate = _hold_first_answer(arxiv)
            third: dict[str, Any] = {}

            def ask_third() -> None:  # a bot talking to the third instance directly
                wanted = parts["a"][::2] + parts["c"][::3]
                response = httpx.post(urls[2] + "/v1/papers", json={"ids": wanted}, timeout=60)
                third.update({r["arxiv_id"]: r for r in response.json()["results"]})

            bot = threading.Thread(target=ask_third)
            bot.start()
            runs = [
                _run(["a.md", "--server", urls[0], "--out", "a.jsonl"], _env(**common), tmp_path),
                _run(["b.md", "--out", "b.jsonl"], _env(**common, ENRICH_SERVER=urls[1]), tmp_path),
                _run(["c.md", "--out", "c.jsonl"], _env(**shared), tmp_path),
            ]
            _wait_until_everyone_asked(redis_prefix, set(ids), runs)
            gate.set()
            for proc in runs:
                _, err = proc.communicate(timeout=120)
                assert proc.returncode == 0, err
            bot.join(timeout=120)
        _check_politeness(arxiv, len(ids))
        asked = arxiv.requested_ids()
        missing = {i for i in ids if i not in records}
        assert sorted(set(asked)) == sorted(ids)
        assert all(asked.count(i) == 1 for i in ids if i not in missing)  # nobody asked twice

        arxiv.clear_log()
        for name in parts:
            assert (tmp_path / f"{name}.jsonl").read_bytes() == _local(
                tmp_path / f"{name}.md", arxiv, tmp_path, name
            ), name
        assert set(third) == set(parts["a"][::2] + parts["c"][::3])
        for arxiv_id, answer in third.items():
            expected = records.get(arxiv_id)
            if expected is None:
                assert answer["status"] == "not_found"
            else:
                assert answer["record"] == expected.model_dump(mode="json")


def test_server_run_equals_a_local_run_with_versions(tmp_path) -> None:
    """ENRICH_SERVER alone (no Redis): the output, version look-ups included, is the local one."""
    with StandIn() as arxiv:
        arxiv.add_history(
            "2503.00001",
            [
                {
                    "title": "The first title",
                    "authors": ["Ann Lee", "Bo Chen"],
                    "date": "2025-03-01",
                },
                {
                    "title": "A second title",
                    "authors": ["Ann Lee", "Bo Chen"],
                    "date": "2025-03-09",
                },
            ],
        )
        arxiv.add(make_record("2503.00002", title="Plain", authors=["Cy Dee", "Eve Fox"]))
        digest = tmp_path / "d.md"
        digest.write_text(
            "# Day\n\n"
            "- **[The first title](https://arxiv.org/abs/2503.00001v1)** — Ann Lee, Bo Chen\n"
            "- **[Plain](https://arxiv.org/abs/2503.00002)** — Cy Dee et al.\n"
            "- **[Gone](https://arxiv.org/abs/2503.09999)** — Nobody\n",
            "utf-8",
        )
        env = {"ENRICH_API_URL": arxiv.url, "ENRICH_MIN_INTERVAL": "0"}
        with _services(1, _env(**env), tmp_path) as (url,):
            proc = _run(["d.md", "--out", "d.jsonl"], _env(ENRICH_SERVER=url), tmp_path)
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        assert any("v1" in i for i in arxiv.requested_ids())  # the version was asked
        served = (tmp_path / "d.jsonl").read_bytes()
        assert b"changed_in_later_version" in served
        assert served == _local(digest, arxiv, tmp_path, "d")


def test_redis_stopped_mid_run_then_back(tmp_path) -> None:
    """A run with redis_url while Redis is stopped asks arXiv nothing and exits 3 with the reason;
    with Redis restarted (empty: it keeps nothing on disk) the next run completes."""
    server = PrivateRedis()
    server.start()
    try:
        with StandIn() as arxiv:
            ids, records = _papers(arxiv, 30)
            (tmp_path / "d.md").write_text(_digest(ids, records), "utf-8")
            env = _env(
                ENRICH_API_URL=arxiv.url, ENRICH_MIN_INTERVAL="0", ENRICH_REDIS_URL=server.url
            )
            first = subprocess.run(
                [sys.executable, "-m", "enrich", "run", "d.md", "--out", "1.jsonl", "-q"],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert first.returncode == 0, first.stderr
            server.stop()
            arxiv.clear_log()
            down = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "enrich",
                    "run",
                    "d.md",
                    "--out",
                    "2.jsonl",
                    "-q",
                    "--refresh",
                ],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert down.returncode == 3, down.stderr
            assert "Redis" in down.stderr and "Traceback" not in down.stderr
            assert arxiv.requests == []  # nothing asked without the shared budget
            lines = (tmp_path / "2.jsonl").read_text("utf-8").splitlines()
            assert len(lines) == len(ids)
            assert all('"status":"unavailable"' in line and "Redis" in line for line in lines)
            server.start()
            back = subprocess.run(
                [sys.executable, "-m", "enrich", "run", "d.md", "--out", "3.jsonl", "-q"],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert back.returncode == 0, back.stderr
            assert (tmp_path / "3.jsonl").read_bytes() == (tmp_path / "1.jsonl").read_bytes()
            assert len(arxiv.requests) >= 1  # the restarted Redis was empty: asked again
    finally:
        server.stop()
