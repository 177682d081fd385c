"""`enrich mirror sync` against the OAI-PMH stand-in, over real sockets."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from standin import make_record

from enrich.errors import ArxivUnavailable
from enrich.mirror.harvest import OaiError, sync
from enrich.mirror.store import MirrorStore
from enrich.settings import Settings
from enrich.testing.oai_pmh import OaiStandIn

ROOT = Path(__file__).resolve().parents[1]


def records(n: int, *, start: int = 1, day: str = "2026-11-20", cats: str = "cs.LG") -> list:
    base = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    return [
        make_record(
            f"2511.{i:05d}",
            latest_version=1 + i % 3,
            primary_category=cats,
            categories=[cats],
            published=base - dt.timedelta(days=30),
            updated=base,
        )
        for i in range(start, start + n)
    ]


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def settings_for(oai: OaiStandIn, tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "api_url": "http://127.0.0.1:9/api/query",
        "oai_url": oai.url,
        "cache_dir": tmp_path / "cache",
        "min_interval": 0.0,
        "backoff_initial": 1.0,
        "backoff_max": 60.0,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def ids_held(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT id FROM papers ORDER BY id")]


def test_a_sync_follows_tokens_and_a_second_asks_only_from_the_last_day(tmp_path: Path) -> None:
    with OaiStandIn(page_size=40) as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        oai.add(records(100, day="2026-11-19"))
        oai.add(records(30, start=101, day="2026-11-20"))
        first = sync(settings_for(oai, tmp_path), store, sleep=Sleeps())
        assert (first.pages, first.records, first.added, first.requests) == (4, 130, 130, 4)
        asked = [r.params for r in oai.requests]
        assert asked[0] == {"verb": "ListRecords", "metadataPrefix": "arXivRaw"}
        assert all(set(p) == {"verb", "resumptionToken"} for p in asked[1:])
        # a day later: two papers change, one is new
        oai.add(records(2, start=5, day="2026-11-21"))
        oai.add(records(1, start=500, day="2026-11-21"))
        before = len(oai.requests)
        second = sync(settings_for(oai, tmp_path), store, sleep=Sleeps())
        again = oai.requests[before:]
        assert again[0].params == {
            "verb": "ListRecords",
            "metadataPrefix": "arXivRaw",
            "from": "2026-11-20",
        }
        assert (second.added, second.updated, second.unchanged) == (1, 2, 30)
        assert len(ids_held(tmp_path / "m.sqlite3")) == 131


def test_503_with_retry_after_is_honoured_and_zero_is_not_go_now(tmp_path: Path) -> None:
    sleeps = Sleeps()
    with OaiStandIn(page_size=10) as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        oai.add(records(15))
        oai.fail("503", retry_after=7)
        oai.fail("503", retry_after=0)
        result = sync(settings_for(oai, tmp_path), store, sleep=sleeps)
        assert [r.status for r in oai.requests] == [503, 503, 200, 200]
        assert result.added == 15
    assert sleeps.waits[0] == 7  # Retry-After: 7
    assert sleeps.waits[1] >= 1.0  # Retry-After: 0 -> the usual back-off, never 0
    hold = (tmp_path / "cache" / "arxiv-api.stamp").read_text().split()
    assert float(hold[4]) > 0  # the hold-off was shared through the stamp


def test_an_expired_token_restarts_the_list_from_the_last_day_committed(tmp_path: Path) -> None:
    with OaiStandIn(page_size=10) as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        oai.add(records(10, day="2026-11-18"))
        oai.add(records(15, start=11, day="2026-11-19"))
        oai.fail("expire")  # the first request carrying a token is refused
        result = sync(settings_for(oai, tmp_path), store, sleep=Sleeps())
        params = [r.params for r in oai.requests]
        assert oai.requests[1].error == "badResumptionToken"
        assert params[2] == {
            "verb": "ListRecords",
            "metadataPrefix": "arXivRaw",
            "from": "2026-11-18",
        }
        assert result.restarts == 1 and result.added == 25
        assert len(ids_held(tmp_path / "m.sqlite3")) == 25


def test_no_records_match_is_an_empty_harvest(tmp_path: Path) -> None:
    with OaiStandIn() as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        result = sync(settings_for(oai, tmp_path), store, from_day="2030-01-01", sleep=Sleeps())
        assert oai.requests[0].error == "noRecordsMatch"
        assert (result.records, result.pages) == (0, 0)
        assert store.harvest_state("") is None


def test_a_set_harvest_asks_for_the_set_only(tmp_path: Path) -> None:
    with OaiStandIn() as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        oai.add(records(5, cats="cs.AI"))
        oai.add(records(5, start=6, cats="math.PR"))
        result = sync(settings_for(oai, tmp_path), store, set_spec="cs", sleep=Sleeps())
        assert oai.requests[0].params["set"] == "cs"
        assert result.added == 5
        assert ids_held(tmp_path / "m.sqlite3") == [f"2511.{i:05d}" for i in range(1, 6)]


def test_deleted_records_leave_the_mirror(tmp_path: Path) -> None:
    with OaiStandIn() as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        oai.add(records(3))
        sync(settings_for(oai, tmp_path), store, sleep=Sleeps())
        oai.delete("2511.00002", datestamp="2026-11-22")
        result = sync(settings_for(oai, tmp_path), store, sleep=Sleeps())
        assert result.deleted == 1
        assert ids_held(tmp_path / "m.sqlite3") == ["2511.00001", "2511.00003"]


def test_a_server_that_stays_down_stops_the_sync_and_keeps_the_pages(tmp_path: Path) -> None:
    with OaiStandIn(page_size=5) as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        oai.add(records(12))
        settings = settings_for(oai, tmp_path, max_attempts=2)
        first = sync  # one good page, then the server fails every attempt
        oai_fail_after_first = [0]

        def progress(_: object) -> None:
            if oai_fail_after_first[0] == 0:
                oai.fail("503", times=2)
            oai_fail_after_first[0] += 1

        with pytest.raises(ArxivUnavailable):
            first(settings, store, sleep=Sleeps(), progress=progress)
        state = store.harvest_state("")
        assert state is not None and state.pages == 1 and state.token
        resumed = sync(settings, store, sleep=Sleeps())
        assert resumed.resumed and resumed.added == 12 and resumed.pages == 3
        assert len(ids_held(tmp_path / "m.sqlite3")) == 12


def test_a_refused_request_is_an_oai_error(tmp_path: Path) -> None:
    with OaiStandIn() as oai, MirrorStore(tmp_path / "m.sqlite3") as store:
        oai.add(records(1))
        with pytest.raises(OaiError, match="badArgument"):
            sync(settings_for(oai, tmp_path), store, set_spec="nonsense", sleep=Sleeps())


def test_the_politeness_rule_holds_for_arxivs_oai_host(tmp_path: Path) -> None:
    from enrich.errors import SettingsError

    settings = Settings(api_url="http://127.0.0.1:9/q", min_interval=0.5, cache_dir=tmp_path)
    with MirrorStore(tmp_path / "m.sqlite3") as store, pytest.raises(SettingsError, match="oaipmh"):
        sync(settings, store)


GAP = 0.25


@pytest.mark.timing
def test_a_sync_killed_mid_way_resumes_with_every_record_once_and_the_gap_kept(
    tmp_path: Path,
) -> None:
    """A real `enrich mirror sync` process, killed by SIGKILL after a few pages, then run again."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "ENRICH_MIN_INTERVAL": str(GAP),
        "ENRICH_API_URL": "http://127.0.0.1:9/api/query",
        "ENRICH_CACHE_DIR": str(tmp_path / "cache"),
        "ENRICH_MIRROR_PATH": str(tmp_path / "mirror.sqlite3"),
    }
    total = 3000
    with OaiStandIn(page_size=250) as oai:
        oai.add(records(2000, day="2026-11-18"))
        oai.add(records(total - 2000, start=2001, day="2026-11-19"))
        oai.delay = 0.02
        cmd = [sys.executable, "-m", "enrich", "mirror", "sync", "--oai-url", oai.url]
        first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(oai.requests) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_after = len(oai.requests)
        assert first.returncode == -signal.SIGKILL
        assert 5 <= killed_after < total // 250  # it really stopped half-way
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        log = oai.requests
        gaps = oai.gaps()
    held = ids_held(tmp_path / "mirror.sqlite3")
    assert held == sorted({r.arxiv_id for r in records(total)})  # every record, exactly once
    # the second process went on with the saved token: no page asked from the start again
    assert all("resumptionToken" in r.params for r in log[killed_after:])
    assert "added 3,000" in done.stdout and "resumed" in done.stdout  # each page counted once
    assert min(gaps) >= GAP * 0.95, gaps  # no request sooner than the gap, across both processes
    assert oai.max_in_flight == 1
