"""The look-up process (enrich/arxiv/process.py): the same lookups, calls and requests as the
client in this process, over real sockets to the stand-in; nothing lost when the child dies."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standin import StandIn, make_record

from enrich.arxiv.backends import PROCESS_AFTER_BYTES, input_size, wants_lookup_process
from enrich.arxiv.client import ArxivClient, Lookup
from enrich.arxiv.process import ProcessClient
from enrich.models import ArxivRecord
from enrich.settings import Settings
from enrich.testing.workload import workload

IDS = [f"2501.{n:05d}" for n in range(1, 251)]


def _records() -> list[ArxivRecord]:
    records = [make_record(i, title=f"Paper {i}", latest_version=1 + n % 3) for n, i in
               enumerate(IDS) if n % 50 != 7]  # fmt: skip
    return records


def _settings(server: StandIn, cache: Path) -> Settings:
    return Settings(
        api_url=server.url, cache_dir=cache, min_interval=0, backoff_initial=0, backoff_max=0
    )


def _plain(lookups: dict[str, Lookup]) -> dict[str, tuple[Any, ...]]:
    return {
        key: (lookup.status, lookup.reason, lookup.from_cache, lookup.record)
        for key, lookup in lookups.items()
    }


class _Feed:
    """Ids handed over as a lazy iterator that also offers what it holds (like the pipeline's
    _IdFeed): `take_ready` must never lose or repeat an id."""

    def __init__(self, ids: list[str]) -> None:
        self._ids = list(ids)
        self.taken_at_once = 0

    def take_ready(self) -> list[str]:
        ready, self._ids = self._ids[:7], self._ids[7:]
        self.taken_at_once += len(ready)
        return ready

    def __iter__(self) -> Iterator[str]:
        while self._ids:
            yield self._ids.pop(0)


def _fetch_both(
    tmp_path: Path, given: Any, **extra: Any
) -> tuple[dict[str, Lookup], dict[str, Lookup], list[dict[str, Lookup]], StandIn, int]:
    """The same fetch by ArxivClient and by ProcessClient (each with its own empty cache)."""
    asked = list(given() if callable(given) else given)
    with StandIn(_records()) as server:
        with ArxivClient(_settings(server, tmp_path / "here")) as client:
            here = client.fetch(list(asked))
        requests_here = len(server.requests)
        batches: list[dict[str, Lookup]] = []
        with ProcessClient(_settings(server, tmp_path / "there")) as remote:
            there = remote.fetch(given() if callable(given) else given, settled=batches.append,
                                 **extra)  # fmt: skip
            assert remote.stats.requests == len(server.requests) - requests_here
        return here, there, batches, server, requests_here


def test_the_same_lookups_and_requests_as_here(tmp_path: Path) -> None:
    asked = [*IDS, "2501.00003", "arXiv:2501.00004v2", "not-an-id"]
    here, there, batches, server, requests_here = _fetch_both(tmp_path, asked)
    assert _plain(there) == _plain(here)
    assert there["2501.00008"].status == "not_found"  # n % 50 == 7: unknown to the stand-in
    assert there["not-an-id"].status == "invalid"
    assert there["arXiv:2501.00004v2"].record == here["arXiv:2501.00004v2"].record
    assert len(server.requests) == 2 * requests_here  # the same requests, no more
    settled = Counter(key for batch in batches for key in batch)
    assert set(settled) == set(there) and max(settled.values()) == 1  # each exactly once


def test_ids_given_lazily_and_taken_as_they_are_ready(tmp_path: Path) -> None:
    feeds: list[_Feed] = []

    def given() -> _Feed:
        feeds.append(_Feed(IDS))
        return feeds[-1]

    here, there, _batches, _server, _requests = _fetch_both(tmp_path, given)
    assert _plain(there) == _plain(here)
    assert feeds[-1].taken_at_once > 0  # the child was sent more than one id at a time


def test_versions_asked_from_inside_settled(tmp_path: Path) -> None:
    """The pipeline asks for versions from its `settled` callback, while the child waits."""
    with StandIn(_records()) as server:
        wanted = [(i, 1) for i in IDS[:120:3]]
        with ArxivClient(_settings(server, tmp_path / "here")) as client:
            expected = client.fetch_versions(wanted)
        got: list[dict[tuple[str, int], ArxivRecord]] = []
        with ProcessClient(_settings(server, tmp_path / "there")) as remote:

            def settled(lookups: dict[str, Lookup]) -> None:
                if not got:
                    got.append(remote.fetch_versions(wanted))

            before = len(server.requests)
            remote.fetch(IDS[:250], settled=settled)
            asked = [r.ids for r in server.requests[before:]]
            again = remote.fetch_versions(wanted)  # outside a fetch: from the cache there
    assert expected and got == [expected]
    assert again == expected
    # asked after the batch whose lookups the version step needed (when the child was next
    # between batches, or done)
    versions_at = next(n for n, ids in enumerate(asked) if ids[0].endswith("v1"))
    assert versions_at >= 1


def test_a_dead_child_loses_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with StandIn(_records()) as server:
        with ArxivClient(_settings(server, tmp_path / "here")) as client:
            here = client.fetch(IDS)
        seen: Counter[str] = Counter()
        settings = _settings(server, tmp_path / "there")
        settings.min_interval = 0.2  # the child cannot be done with its 3 batches before the kill
        with ProcessClient(settings) as remote:
            pid = remote.pid
            assert pid is not None

            def settled(lookups: dict[str, Lookup]) -> None:
                seen.update(list(lookups))
                if remote.pid is not None:  # killed after its first batch
                    os.kill(pid, signal.SIGKILL)

            with caplog.at_level(logging.WARNING, "enrich.arxiv.process"):
                there = remote.fetch(IDS, settled=settled)
            assert remote.pid is None
            assert remote.stats.requests >= 3  # the child's and this process's
    # the same answers (those the child stored, this process read back from the cache)
    assert {k: (v[0], v[1], v[3]) for k, v in _plain(there).items()} == {
        k: (v[0], v[1], v[3]) for k, v in _plain(here).items()
    }
    assert set(seen) == set(IDS) and max(seen.values()) == 1
    assert "look-up process is gone" in caplog.text


def test_its_log_lines_reach_this_process(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with (
        StandIn(_records()) as server,
        caplog.at_level(logging.INFO, "enrich"),
        ProcessClient(_settings(server, tmp_path / "there")) as remote,
    ):
        remote.fetch(IDS[:20])
    requests = [r for r in caplog.records if getattr(r, "enrich_event", None) == "request"]
    assert requests and requests[0].name == "enrich.arxiv.client"
    assert "arXiv: 20 ids" in requests[0].getMessage()


def test_an_error_raised_there_is_raised_here(tmp_path: Path) -> None:
    with StandIn(_records()) as server:
        settings = _settings(server, tmp_path / "there")
        with ProcessClient(settings) as remote:
            with pytest.raises(ValueError, match="unpack"):
                remote.fetch_versions([("2501.00001",)])  # type: ignore[list-item]
            assert remote.fetch(IDS[:3])["2501.00001"].status == "found"  # it goes on


_FORKED = """
import json, sys
from enrich.arxiv.process import ProcessClient, _Child
from enrich.settings import Settings
settings = Settings(api_url=sys.argv[1], cache_dir=sys.argv[2], min_interval=0)
with ProcessClient(settings) as remote:
    got = remote.fetch(sys.argv[3].split(","))
    print(json.dumps({"forked": isinstance(remote._child, _Child),
                      "found": sorted(k for k, v in got.items() if v.status == "found")}))
"""


def test_forked_from_a_process_with_one_thread(tmp_path: Path) -> None:
    with StandIn(_records()) as server:
        done = subprocess.run(
            [sys.executable, "-c", _FORKED, server.url, str(tmp_path), ",".join(IDS[:30])],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["forked"] is True
    assert out["found"] == sorted(i for n, i in enumerate(IDS[:30]) if n % 50 != 7)
    assert done.stderr == ""


def test_when_the_pipeline_looks_up_apart(tmp_path: Path) -> None:
    small, big = tmp_path / "small.jsonl", tmp_path / "big" / "in.jsonl"
    small.write_text("{}\n")
    big.parent.mkdir()
    big.write_bytes(b" " * (PROCESS_AFTER_BYTES + 1))
    assert input_size([small]) == 3
    assert input_size([small, big.parent]) == PROCESS_AFTER_BYTES + 4
    assert input_size([small, "-"]) is None
    assert input_size([tmp_path / "absent"]) == 0  # the run itself says it is not there

    def decides(paths: list[Any], **settings: Any) -> bool:
        return wants_lookup_process(Settings(**settings), paths)

    import enrich.workers

    cores = enrich.workers.cpu_count()
    assert decides([big]) is (cores >= 2)
    assert decides([small]) is False
    assert decides(["-"]) is False
    assert decides([big], offline=True) is False
    assert decides([small], lookup_process="on") is True
    assert decides([big], lookup_process="off") is False


def test_the_pipeline_sizes_its_input_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """run() and the client it then opens ask whether to look up apart: the input's folders are
    walked for their size once, not for each question."""
    import enrich.arxiv.backends as backends
    from enrich.pipeline import Pipeline

    folder = tmp_path / "digests"
    folder.mkdir()
    (folder / "a.md").write_text("# Papers\n\n- [A title](https://arxiv.org/abs/2401.00001)\n")
    walks: list[Any] = []
    size = backends.input_size
    monkeypatch.setattr(backends, "input_size", lambda paths: walks.append(paths) or size(paths))
    opened: list[bool] = []

    class Source:
        def fetch(self, ids: Any, progress: Any = None) -> dict[str, Any]:
            return {i: None for i in ids}

    def open_source(settings: Settings, *, process: bool = False) -> Source:
        opened.append(process)
        return Source()

    monkeypatch.setattr(backends, "open_lookup_source", open_source)
    monkeypatch.setattr("enrich.workers.cpu_count", lambda: 2)
    settings = Settings(cache_dir=tmp_path / "cache", lookup_process="auto", workers=1)
    with Pipeline(settings) as pipe:
        entries = list(pipe.run([folder]))
    assert len(entries) == 1 and opened == [False]
    assert len(walks) == 1
    from click.testing import CliRunner

    import enrich.cli

    walks.clear()
    args = ["run", str(folder), "--out", str(tmp_path / "out.jsonl"), "--cache-dir"]
    done = CliRunner().invoke(enrich.cli.cli, [*args, str(tmp_path / "cache"), "-q"])
    assert "could not be looked up" in done.output  # the fake source answers nothing
    assert len(walks) == 1 and opened == [False, False]  # the CLI's choice, told the pipeline


def test_a_run_writes_the_same_bytes_either_way(tmp_path: Path) -> None:
    """The CLI on an input past PROCESS_AFTER_BYTES: looked up apart (forked), or here."""
    source = tmp_path / "in.jsonl"
    records = []
    with source.open("w", encoding="utf-8") as out:
        for entry, record in workload(2400, seed=5):
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            if record is not None:
                records.append(record)
    assert source.stat().st_size > PROCESS_AFTER_BYTES
    outputs = {}
    with StandIn(records) as server:
        for choice in ("auto", "off"):
            env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
            env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_LOOKUP_PROCESS": choice,
                    "ENRICH_WORKERS": "1"}  # fmt: skip
            target = tmp_path / f"{choice}.jsonl"
            cmd = [sys.executable, "-m", "enrich", "run", str(source), "--out", str(target)]
            cmd += ["--api-url", server.url, "--cache-dir", str(tmp_path / choice), "-q"]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
            assert done.returncode in (0, 1), done.stderr
            assert "Traceback" not in done.stderr
            outputs[choice] = target.read_bytes()
        per_run = len(server.requests) // 2
    assert outputs["auto"] == outputs["off"]
    assert per_run >= 20


def test_a_child_that_cannot_start_ends_without_a_word() -> None:
    """A fresh interpreter's child given no settings exits 1 and prints nothing (the parent
    then says the look-up process is gone and looks up itself)."""
    import socket
    from multiprocessing.connection import Connection

    from enrich.arxiv.process import _BOOT

    ours, theirs = socket.socketpair()
    command = [sys.executable, "-c", _BOOT, str(theirs.fileno()), json.dumps(sys.path)]
    child = subprocess.Popen(command, pass_fds=[theirs.fileno()], stderr=subprocess.PIPE)
    theirs.close()
    with Connection(ours.detach()) as conn:
        conn.send("not the settings")
        assert child.wait(60) == 1
    assert child.stderr is not None and child.stderr.read() == b""


def test_the_child_lets_go_of_what_it_sent_in_a_wait_or_past_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lookups sent are freed in the next wait long enough for it (not between an answer and
    the next request), or at once past SPENT_MAX batches (a run answered from the cache)."""
    from enrich.arxiv import process

    class Conn:
        def __init__(self) -> None:
            self.sent: list[Any] = []

        def send(self, message: Any) -> None:
            self.sent.append(message[0])

        def poll(self) -> bool:
            return False

    slept: list[float] = []
    monkeypatch.setattr(process.time, "sleep", slept.append)
    serving = process._Serving(Conn())  # type: ignore[arg-type]
    serving.client = ArxivClient(Settings(), cache=None)
    lookups = {"2501.00001": Lookup("found", make_record("2501.00001"))}
    for _ in range(3):
        serving._settled(dict(lookups))
    serving.sleep(process.SPENT_TIME / 2)  # too short: kept
    assert len(serving.spent) == 3 and slept
    serving.sleep(process.SPENT_TIME * 2)
    assert serving.spent == [] and len(slept) == 2 and 0 < slept[-1] <= process.SPENT_TIME * 2
    for _ in range(process.SPENT_MAX + 5):
        serving._settled(dict(lookups))
    assert len(serving.spent) <= process.SPENT_MAX


def test_behind_the_mirror(tmp_path: Path) -> None:
    """The mirror answers first; the look-up process asks arXiv for the rest."""
    from enrich.mirror.store import MirrorPaper, MirrorStore
    from enrich.models import DigestEntry
    from enrich.pipeline import enrich_entries

    mirror = tmp_path / "m.sqlite3"
    with MirrorStore(mirror) as opened:
        source = opened.begin_source("sync", "oai")
        paper = MirrorPaper(
            arxiv_id="2511.00001", datestamp="2026-11-24",
            versions=[(1, "Mon, 1 Nov 2026 10:00:00 GMT", 5)], title="From the mirror",
            authors_raw="A. One", authors=["A. One"], categories="cs.LG",
        )  # fmt: skip
        opened.write_sync_page([paper], [], source, None)
        opened.finish_source(source, records=1)
    entries = [
        DigestEntry.model_validate(
            {"arxiv_id": i, "title": "T", "source": {"path": "d", "line": n, "format": "jsonl"}}
        )
        for n, i in enumerate(["2511.00001", "2511.00002"])
    ]
    with StandIn([make_record("2511.00002", title="From the API")]) as api:
        settings = Settings(api_url=api.url, cache_dir=tmp_path / "c", min_interval=0,
                            mirror_path=str(mirror), lookup_process="on")  # fmt: skip
        out = enrich_entries(entries, settings)
        asked = [r.ids for r in api.requests]
    assert asked == [["2511.00002"]]
    assert [e.arxiv.title if e.arxiv else None for e in out] == ["From the mirror", "From the API"]


def test_closed_soon_the_child_is_reaped_on_a_thread(tmp_path: Path) -> None:
    import threading

    with StandIn(_records()) as server:
        remote = ProcessClient(_settings(server, tmp_path / "there"))
        remote.fetch(IDS[:3])
        pid = remote.pid
        remote.close_soon()
        reapers = [t for t in threading.enumerate() if t.name == "enrich-reap"]
        assert remote.pid is None  # handed to a thread that reaps it
        for thread in reapers:
            thread.join(10)
    assert pid is not None
    with pytest.raises(ChildProcessError):  # reaped: no zombie left
        os.waitpid(pid, os.WNOHANG)


def test_requests_made_here_after_the_child_died_are_counted_once(tmp_path: Path) -> None:
    """Looked up in this process, with versions asked from inside `settled` too: the stats
    count each request once."""
    with (
        StandIn(_records()) as server,
        ProcessClient(_settings(server, tmp_path / "there")) as remote,
    ):
        assert remote.pid is not None
        os.kill(remote.pid, signal.SIGKILL)
        asked: list[int] = []

        def settled(lookups: dict[str, Lookup]) -> None:
            if not asked:
                asked.append(len(remote.fetch_versions([(i, 1) for i in IDS[:120:3]])))

        remote.fetch(IDS, settled=settled)
        assert asked and asked[0] > 0
        assert remote.pid is None
        assert remote.stats.requests == len(server.requests)


_EARLY = """
import json, sys
import enrich.arxiv.process as process
from enrich.cli import main

seen = {}
start = process._start

def _start(*args):
    seen["loaded"] = sorted(m for m in ("enrich.compare", "enrich.pipeline") if m in sys.modules)
    return start(*args)

process._start = _start
send = process.ProcessClient._send

def _send(self, message):
    if message[0] == "ids" and "ids" not in seen:
        seen["ids"] = sorted(m for m in ("enrich.compare", "rapidfuzz") if m in sys.modules)
    return send(self, message)

process.ProcessClient._send = _send
sys.argv = ["enrich", *sys.argv[1:]]
try:
    main()
finally:
    print(json.dumps(seen), file=sys.stderr)
"""


def test_the_cli_starts_the_look_up_process_before_it_loads_the_comparison(
    tmp_path: Path,
) -> None:
    """Its start-up (httpx) overlaps the loading of the comparison, not after it, and the first
    ids go to it before the comparison is loaded; the wait lines the run turns on later still
    come from the child."""
    source = tmp_path / "in.jsonl"
    [(entry, record)] = list(workload(1, seed=3))
    source.write_text(json.dumps(entry) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_LOOKUP_PROCESS": "on"}
    with StandIn([record]) as server:
        server.fail("503", retry_after=0.05)
        cmd = [sys.executable, "-c", _EARLY, "run", str(source), "--out", str(tmp_path / "o")]
        cmd += ["--api-url", server.url, "--cache-dir", str(tmp_path / "c")]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[-1]) == {"loaded": [], "ids": []}
    assert "arXiv answered 503; retrying" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_cli_closes_the_look_up_source_it_opened_when_the_run_fails_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import enrich.cli

    class Client:
        closed = 0

        def close(self) -> None:
            self.closed += 1

    client = Client()
    monkeypatch.setattr(
        enrich.cli, "_lookup_process_now", lambda settings, inputs: (settings, client)
    )
    source = tmp_path / "in.jsonl"
    source.write_text("{}\n")
    args = ["run", str(source), "--report", str(tmp_path / "r.pdf"), "--offline", "-q"]
    done = CliRunner().invoke(enrich.cli.cli, args)
    assert done.exit_code != 0 and "report" in str(done.output) + str(done.exception)
    assert client.closed == 1


def test_the_cli_loads_httpx_without_its_command_line_client_or_trio() -> None:
    """rich, pygments and trio stay out of the processes that send requests; a program that
    loaded httpx before keeps all of it."""
    code = (
        "import sys; from enrich.cli import _lean_imports; {first}"
        "_lean_imports(); import httpx; httpx.Client().close(); "
        "print(sorted(m for m in ('rich', 'pygments', 'httpx._main', 'trio') "
        "if sys.modules.get(m)))"
    )
    assert _python_says(code.format(first="")) == ["[]"]
    assert "'httpx._main'" in " ".join(_python_says(code.format(first="import httpx; ")))


def test_the_cli_looks_for_no_pydantic_plugins_unless_told_to() -> None:
    """enrich's own processes skip pydantic's walk of every installed package's entry points;
    a value the user set is kept."""
    code = (
        "import os, sys; import enrich.cli as cli; cli._no_pydantic_plugins(); "
        "import pydantic.plugin._loader as loader; from enrich.models import ArxivRecord; "
        "print(os.environ['PYDANTIC_DISABLE_PLUGINS'], loader._plugins is None)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    assert _python_says(code, env) == ["__all__", "True"]  # never scanned
    assert _python_says(code, env | {"PYDANTIC_DISABLE_PLUGINS": "logfire"}) == ["logfire", "False"]


def _python_says(code: str, env: dict[str, str] | None = None) -> list[str]:
    """The words a fresh interpreter prints running `code`."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)  # fmt: skip
    return done.stdout.split()


_TUNED = """
import sys
from pathlib import Path
import enrich.arxiv.process as process
from enrich.settings import Settings

process.tune_gc = lambda: Path(sys.argv[2]).write_text("tuned")  # what the forked child calls
with process.ProcessClient(Settings(cache_dir=sys.argv[1], offline=True)) as remote:
    remote.fetch(["2501.00001"])
    assert isinstance(remote._child, process._Child)
"""


def test_the_child_tunes_its_collector_itself(tmp_path: Path) -> None:
    """The CLI starts the child before the run tunes the collector, so the child does it (else
    its first full collections walk all it loaded, between two requests)."""
    marker = tmp_path / "gc"
    cmd = [sys.executable, "-c", _TUNED, str(tmp_path / "c"), str(marker)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "tuned"
