"""A run that stops (Ctrl-C, a reader that went away) sends no request more: the look-ups end at
the next wait or batch, in this process or in the look-up process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from standin import StandIn, make_record

from enrich.arxiv import ArxivClient
from enrich.errors import LookupCancelled
from enrich.settings import Settings

IDS = [f"2501.{n:05d}" for n in range(1, 1001)]


def _settings(server: StandIn, tmp_path: Path, **more: object) -> Settings:
    fields: dict[str, object] = {"api_url": server.url, "cache_dir": str(tmp_path / "cache")}
    fields |= {"min_interval": 0.2, "batch_size": 100, "backoff_initial": 0, "backoff_max": 0}
    return Settings(**(fields | more))


def test_cancel_ends_a_fetch_in_its_wait(tmp_path: Path) -> None:
    """The gap's wait ends at cancel(), and no request more goes out."""
    with StandIn([make_record(i) for i in IDS]) as server:
        client = ArxivClient(_settings(server, tmp_path, min_interval=30.0), cache=None)
        seen: list[int] = []

        def progress(done: int) -> None:
            seen.append(done)
            if done >= 100:  # the first batch is in: the next waits 30 s for its gap
                threading.Timer(0.1, client.cancel).start()

        started = time.monotonic()
        with client, pytest.raises(LookupCancelled):
            client.fetch(IDS, progress)
        assert time.monotonic() - started < 10
        assert len(server.requests) == 1


def test_cancel_before_a_wait_with_an_injected_sleep() -> None:
    naps: list[float] = []
    client = ArxivClient(Settings(), sleep=naps.append, cache=None)
    client._sleep(1.5)  # as the limiter and the back-off wait
    client.cancel()
    with pytest.raises(LookupCancelled):
        client._sleep(2.0)
    assert naps == [1.5]  # the second wait did not begin


@pytest.mark.parametrize(
    ("process", "stop"),
    [("on", signal.SIGINT), ("off", signal.SIGINT), ("on", signal.SIGTERM), ("off", signal.SIGHUP)],
)
def test_ctrl_c_stops_a_cold_run(tmp_path: Path, process: str, stop: signal.Signals) -> None:
    source = tmp_path / "in.jsonl"
    where = {"path": "d.md", "line": 1, "format": "markdown"}
    lines = [{"arxiv_id": arxiv_id, "source": where} for arxiv_id in IDS]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    out = tmp_path / "out.jsonl"
    with StandIn([make_record(i) for i in IDS], delay=0.3) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
        env |= {"ENRICH_MIN_INTERVAL": "0.01", "ENRICH_LOOKUP_PROCESS": process}
        cmd = [sys.executable, "-m", "enrich", "run", str(source), "--out", str(out)]
        cmd += ["--api-url", server.url, "--cache-dir", str(tmp_path / "cache")]
        with subprocess.Popen(
            cmd, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
        ) as run:
            deadline = time.monotonic() + 60
            while len(server.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            if stop == signal.SIGINT:
                os.killpg(run.pid, stop)  # as a terminal sends it: to the whole group
            else:
                os.kill(run.pid, stop)  # `kill PID`, `timeout`: to the run alone
            stopped = time.monotonic()
            _, err = run.communicate(timeout=60)
            waited = time.monotonic() - stopped
        asked = len(server.requests)
    # 128 + the signal, or ended by the signal itself (a shell shows both alike): Python does
    # that when Ctrl-C lands where it cannot be raised, in a callback of the import system
    assert run.returncode in (128 + stop, -stop)
    if stop != signal.SIGINT:
        assert f"stopped (signal {int(stop)})" in err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file
    assert asked <= 3, f"{asked} of 10 requests went out after Ctrl-C"  # at most one in flight
    assert waited < 5
    assert "Traceback" not in err
    assert not out.exists()  # nothing half-written in its place


def test_the_interrupt_handler_stops_the_lookups_first() -> None:
    """Ctrl-C cancels the look-ups before it raises: where KeyboardInterrupt is swallowed (an
    import-system callback), the run still ends at its next look-up."""
    from enrich.runner import _stop_on_interrupt

    class Pipe:
        cancelled = 0

        def cancel_lookups(self) -> None:
            self.cancelled += 1

    pipe = Pipe()
    with _stop_on_interrupt(pipe):  # type: ignore[arg-type]
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler) and handler is not signal.default_int_handler
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)
        assert pipe.cancelled == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="Linux's full device")
def test_standard_output_on_a_full_disk_is_one_line(tmp_path: Path) -> None:
    digest = tmp_path / "a.md"
    digest.write_text("- [A paper](https://arxiv.org/abs/2501.00001)\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "enrich", "run", str(digest), "--offline", "-q"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env | {"ENRICH_CACHE_DIR": str(tmp_path / "c")},
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["enrich: error: No space left on device"]


def test_a_run_cut_short_cancels_its_lookups(tmp_path: Path) -> None:
    """A reader gone (`| head -1`: the write fails) ends the pipeline with an error: its
    look-ups are cancelled before its client is closed."""
    from enrich.pipeline import Pipeline

    class Client:
        cancelled = closed = 0

        def cancel(self) -> None:
            self.cancelled += 1

        def close(self) -> None:
            self.closed += 1
            assert self.cancelled  # cancelled first

    client = Client()
    with pytest.raises(BrokenPipeError), Pipeline(Settings(), client=client, owns_client=True):  # type: ignore[arg-type]
        raise BrokenPipeError
    assert (client.cancelled, client.closed) == (1, 1)
    quiet = Client()
    quiet.cancelled = 1  # so that its close() passes: a run that finished cancels nothing
    with Pipeline(Settings(), client=quiet, owns_client=True):  # type: ignore[arg-type]
        pass
    assert (quiet.cancelled, quiet.closed) == (1, 1)


def test_cancel_ends_the_version_lookups_of_the_lookup_process(tmp_path: Path) -> None:
    from enrich.arxiv.process import ProcessClient

    ids = IDS[:50]
    with StandIn([make_record(i, latest_version=3) for i in ids], delay=0.3) as server:
        settings = _settings(server, tmp_path, batch_size=5)
        client = ProcessClient(settings)
        result: dict[str, object] = {}

        def versions() -> None:
            try:
                result["got"] = client.fetch_versions([(i, 1) for i in ids])
            except BaseException as exc:  # LookupCancelled is what is looked for
                result["raised"] = exc

        thread = threading.Thread(target=versions)
        thread.start()
        deadline = time.monotonic() + 30
        while len(server.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        asked = len(server.requests)
        client.cancel()
        thread.join(30)
        client.close()
    assert isinstance(result.get("raised"), LookupCancelled)  # not finished in this process
    assert len(server.requests) <= asked + 1


def test_a_callers_client_is_not_cancelled_by_a_run_cut_short(tmp_path: Path) -> None:
    """A library caller's client serves its next run after one that failed or stopped early."""
    from enrich.pipeline import Pipeline

    digest, later = tmp_path / "d.md", tmp_path / "later.md"
    digest.write_text("".join(f"- [P](https://arxiv.org/abs/{i})\n" for i in IDS[:3]))
    later.write_text("".join(f"- [P](https://arxiv.org/abs/{i})\n" for i in IDS[3:6]))
    with (
        StandIn([make_record(i) for i in IDS[:6]]) as server,
        ArxivClient(_settings(server, tmp_path, min_interval=0.01)) as client,
    ):
        with Pipeline(Settings(), client=client) as pipe:
            for _ in pipe.run([digest]):
                break  # stopped early: the generator is closed, its look-ups cut short
        with pytest.raises(RuntimeError), Pipeline(Settings(), client=client):
            raise RuntimeError
        with Pipeline(Settings(), client=client) as pipe:  # ids not cached: asked of arXiv
            statuses = [e.status for e in pipe.run([later])]
    assert statuses == ["enriched"] * 3
