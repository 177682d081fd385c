"""The record cache's own SQLite table (issue 13): batch reads, expiry, versions, several processes,
an older version's diskcache folder, another layout."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from standin import make_record

from enrich.arxiv.cache import RecordCache

ROOT = Path(__file__).resolve().parents[1]


class Now:
    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value


FRIDAY = 1783684800.0  # 2026-07-10 08:00 New York: no announcement until Sunday


def test_a_batch_read_equals_reading_each_id(tmp_path: Path) -> None:
    now = Now(FRIDAY)
    with RecordCache(tmp_path, cache_ttl=86400, negative_ttl=600, now=now) as cache:
        found = [make_record(f"2501.{n:05d}") for n in range(0, 1300, 2)]  # more than one chunk
        cache.put_found(found)
        cache.put_not_found([f"2501.{n:05d}" for n in range(1, 40, 2)])
        cache.put_invalid("2501.00041", "incorrect id format for 2501.00041")
        now.value += 300
        cache.put_not_found(["2501.00043"])  # stored later: outlives the others by 300 s
        asked = [f"2501.{n:05d}" for n in range(1400)] + ["2501.00002", "2501.00001"]  # repeats
        batch = cache.get_many(asked)
        one_by_one = {i: a for i in asked if (a := cache.get(i)) is not None}
        assert batch == one_by_one
        assert len(batch) == len(found) + 20 + 2
        assert batch["2501.00002"].record == found[1] and batch["2501.00041"].status == "invalid"
        now.value += 301  # the first negative answers expired, the later one and records not
        later = cache.get_many(asked)
        assert {i for i, a in later.items() if a.status != "found"} == {"2501.00043"}
        assert sum(a.status == "found" for a in later.values()) == len(found)
        now.value += 86400  # the records' ttl passed too
        assert cache.get_many(asked) == {}
        stats = cache.stats()
        assert (stats.entries, stats.expired) == (0, len(found) + 22)


def test_expired_rows_are_culled_a_day_after_they_expire(tmp_path: Path) -> None:
    now = Now(FRIDAY)
    with RecordCache(tmp_path, cache_ttl=3600, negative_ttl=60, now=now) as cache:
        cache.put_not_found(["2501.00001"])
        cache.put_found([make_record("2501.00002")])
        now.value += 7200
        cache.put_found([make_record("2501.00003")])
        assert cache.stats().expired == 2  # expired, kept a while (stats still count them)
        now.value += 86400
        cache.put_found([make_record("2501.00004")])
        stats = cache.stats()
        # the first two were culled by the last write; 2501.00003 expired less than a day ago
        assert (stats.expired, stats.positive) == (1, 1)


def test_versions_never_expire_and_only_the_asked_ones_come_back(tmp_path: Path) -> None:
    now = Now(FRIDAY)
    with RecordCache(tmp_path, now=now) as cache:
        v1 = make_record("2501.00001", title="First title", latest_version=1)
        v2 = make_record("2501.00001", title="Second title", latest_version=2)
        other = make_record("2501.00002", latest_version=3)
        cache.put_versions([v1, v2, other])
        now.value += 10 * 365 * 86400
        got = cache.get_versions([("2501.00001", 2), ("2501.00002", 3), ("2501.00002", 1)])
        assert got == {("2501.00001", 2): v2, ("2501.00002", 3): other}
        assert cache.get("2501.00001") is None  # a version record is not the paper's answer
        assert cache.clear() == 3 and cache.get_versions([("2501.00001", 1)]) == {}


_WRITER = """
import sys
from enrich.arxiv.cache import RecordCache
from enrich.testing.arxiv_api import make_record
folder, first = sys.argv[1], int(sys.argv[2])
with RecordCache(folder, timeout=30) as cache:
    for start in range(first, first + 300, 10):
        cache.put_found([make_record(f"2502.{n:05d}") for n in range(start, start + 10)])
        assert cache.degraded is None, cache.degraded
"""


def test_two_processes_write_one_cache_at_the_same_time(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    RecordCache(folder).close()
    code = textwrap.dedent(_WRITER)
    env = {"PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen([sys.executable, "-c", code, str(folder), str(first)], env=env)
        for first in (0, 300)
    ]
    with RecordCache(folder) as reader:  # reading while they write: never an error
        while any(w.poll() is None for w in writers):
            reader.get_many(f"2502.{n:05d}" for n in range(600))
        assert reader.degraded is None
        assert [w.returncode for w in writers] == [0, 0]
        got = reader.get_many(f"2502.{n:05d}" for n in range(600))
    assert len(got) == 600 and got["2502.00599"].record == make_record("2502.00599")


def test_an_older_versions_diskcache_folder_is_a_miss_and_clear_drops_its_table(
    tmp_path: Path,
) -> None:
    with sqlite3.connect(tmp_path / "cache.db") as old:  # diskcache's layout, one entry
        old.execute("CREATE TABLE Settings (key TEXT NOT NULL UNIQUE, value)")
        old.execute(
            "CREATE TABLE Cache (rowid INTEGER PRIMARY KEY, key BLOB, raw INTEGER, store_time"
            " REAL, expire_time REAL, access_time REAL, access_count INTEGER, tag BLOB,"
            " size INTEGER, mode INTEGER, filename TEXT, value BLOB)"
        )
        old.execute("INSERT INTO Cache (key, raw, value) VALUES ('arxiv/v1/2501.00001', 1, '{}')")
    with RecordCache(tmp_path) as cache:
        assert cache.get("2501.00001") is None
        cache.put_found([make_record("2501.00001")])
        assert cache.get("2501.00001") is not None
        assert cache.clear() == 1
    with sqlite3.connect(tmp_path / "cache.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "Cache" not in tables and "answers" in tables


def test_tables_of_another_layout_are_made_anew(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "cache.db") as db:  # an earlier layout of our own table
        db.execute("CREATE TABLE answers (id TEXT PRIMARY KEY, blob TEXT)")
        db.execute("INSERT INTO answers VALUES ('2501.00001', 'x')")
    with RecordCache(tmp_path) as cache:
        assert cache.get("2501.00001") is None and cache.degraded is None
        cache.put_found([make_record("2501.00001")])
    with RecordCache(tmp_path) as cache:  # this layout is kept
        assert cache.get("2501.00001") is not None
