"""The record cache: expiry at the next announcement, negative answers, stats/clear, bad folders."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from standin import make_record

from enrich.arxiv import ArxivClient, open_cache
from enrich.arxiv.cache import RecordCache, next_announcement, positive_expiry
from enrich.errors import CacheError
from enrich.models import ArxivRecord
from enrich.settings import Settings

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> float:
    return dt.datetime(*args, tzinfo=NY).timestamp()  # type: ignore[misc]


class Now:
    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 2026-07-06 is a Monday
        (ny(2026, 7, 6, 10, 0), ny(2026, 7, 6, 20, 0)),  # Monday morning -> Monday 20:00
        (ny(2026, 7, 6, 19, 59, 59), ny(2026, 7, 6, 20, 0)),
        (ny(2026, 7, 6, 20, 0), ny(2026, 7, 7, 20, 0)),  # exactly at 20:00 -> the next one
        (ny(2026, 7, 9, 21, 0), ny(2026, 7, 12, 20, 0)),  # Thursday night -> Sunday 20:00
        (ny(2026, 7, 10, 12, 0), ny(2026, 7, 12, 20, 0)),  # Friday -> Sunday
        (ny(2026, 7, 11, 23, 0), ny(2026, 7, 12, 20, 0)),  # Saturday -> Sunday
        (ny(2026, 7, 12, 20, 30), ny(2026, 7, 13, 20, 0)),  # Sunday after -> Monday
        # across the DST change (2026-03-08 02:00 EST -> EDT): 20:00 local either side
        (ny(2026, 3, 7, 12, 0), ny(2026, 3, 8, 20, 0)),
    ],
)
def test_next_announcement_is_20h_new_york_sunday_to_thursday(now: float, expected: float) -> None:
    assert next_announcement(now) == expected


def test_positive_answers_expire_at_the_next_announcement_or_after_the_ttl() -> None:
    monday_morning = ny(2026, 7, 6, 10, 0)
    assert positive_expiry(monday_morning, 86400) == ny(2026, 7, 6, 20, 0)
    assert positive_expiry(monday_morning, 3600) == monday_morning + 3600
    friday = ny(2026, 7, 10, 12, 0)  # no announcement until Sunday: the TTL wins
    assert positive_expiry(friday, 86400) == friday + 86400


def test_a_record_fetched_before_the_announcement_is_stale_after_it(tmp_path: Path) -> None:
    now = Now(ny(2026, 7, 6, 19, 0))  # Monday 19:00 New York
    cache = RecordCache(tmp_path, cache_ttl=86400, negative_ttl=600, now=now)
    cache.put_found([make_record("2501.00001")])
    now.value = ny(2026, 7, 6, 19, 59)
    hit = cache.get("2501.00001")
    assert hit is not None and hit.status == "found" and hit.record == make_record("2501.00001")
    assert hit.expires == ny(2026, 7, 6, 20, 0)
    now.value = ny(2026, 7, 6, 20, 0, 1)
    assert cache.get("2501.00001") is None
    cache.close()


def test_negative_answers_expire_after_negative_ttl(tmp_path: Path) -> None:
    now = Now(ny(2026, 7, 10, 12, 0))
    cache = RecordCache(tmp_path, cache_ttl=86400, negative_ttl=600, now=now)
    cache.put_not_found(["2501.00002"])
    cache.put_invalid("2501.00003", "incorrect id format for 2501.00003")
    hit = cache.get("2501.00003")
    assert hit is not None and (hit.status, hit.reason) == (
        "invalid",
        "incorrect id format for 2501.00003",
    )
    assert cache.get("2501.00002") is not None
    now.value += 601
    assert cache.get("2501.00002") is None and cache.get("2501.00003") is None
    cache.close()


def test_stats_and_clear(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "c", cache_ttl=86400, negative_ttl=60)
    with open_cache(settings) as cache:
        cache.put_found([make_record("2501.00001"), make_record("hep-th/9901001")])
        cache.put_not_found(["2501.00009"])
        stats = cache.stats()
        assert (stats.entries, stats.positive, stats.negative) == (3, 2, 1)
        assert stats.size_bytes > 0 and stats.path == str(tmp_path / "c")
        assert cache.clear() == 3
        assert cache.stats().entries == 0


def test_a_record_that_no_longer_validates_is_a_miss(tmp_path: Path) -> None:
    with RecordCache(tmp_path) as cache:
        cache.put_found([make_record(f"2501.0000{n}") for n in range(1, 6)])
        with sqlite3.connect(tmp_path / "cache.db") as db:  # another program, or an older model
            db.execute("UPDATE answers SET record = '{\"x\": 1}' WHERE id = '2501.00001'")
            db.execute("UPDATE answers SET record = ? WHERE id = '2501.00002'", (b"\x00garbage",))
            db.execute("UPDATE answers SET record = '1}, {' WHERE id = '2501.00003'")
        assert cache.get("2501.00001") is None and cache.get("2501.00002") is None
        batch = cache.get_many(f"2501.0000{n}" for n in range(1, 6))
        assert sorted(batch) == ["2501.00004", "2501.00005"]  # the good rows are still read
        assert batch["2501.00004"].record == make_record("2501.00004")


def test_records_are_read_as_bytes_and_one_that_is_not_utf8_is_a_miss(tmp_path: Path) -> None:
    """get_many reads each record's JSON as UTF-8 bytes (CAST AS BLOB): the same record as the
    text gives, non-ASCII included; a row whose text is not UTF-8 is a miss for that id only (as
    text, sqlite3 would fail the whole read and degrade the cache)."""
    records = [
        make_record("2501.00001", title="Zoë’s \\alpha\n  wrapped \U0001d4b3 title"),
        make_record("2501.00002", authors=["Jürgen Müller", "李 雷"]),
        make_record("2501.00003"),
    ]
    with RecordCache(tmp_path) as cache:
        cache.put_found(records)
        with sqlite3.connect(tmp_path / "cache.db") as db:
            stored = dict(db.execute("SELECT id, record FROM answers"))
            bad = stored["2501.00003"].encode().replace(b'"title":"', b'"title":"\xff')
            update = "UPDATE answers SET record = CAST(? AS TEXT) WHERE id = '2501.00003'"
            db.execute(update, (bad,))
        batch = cache.get_many(["2501.00001", "2501.00002", "2501.00003"])
        assert cache.degraded is None and sorted(batch) == ["2501.00001", "2501.00002"]
        for record in records[:2]:
            assert batch[record.arxiv_id].record == record
            assert batch[record.arxiv_id].record == ArxivRecord.model_validate_json(
                stored[record.arxiv_id]
            )


def test_a_corrupted_cache_folder_raises_cache_error_on_open(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "cache.db").write_bytes(b"this is not a sqlite database at all" * 100)
    with pytest.raises(CacheError):
        open_cache(Settings(cache_dir=folder))


def test_a_file_where_the_folder_should_be_raises_cache_error(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("oops")
    with pytest.raises(CacheError):
        open_cache(Settings(cache_dir=tmp_path / "cache"))


def test_a_locked_cache_raises_cache_error_on_open(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    RecordCache(folder).close()
    holder = sqlite3.connect(folder / "cache.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(CacheError):
            RecordCache(folder, timeout=0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


class Broken:
    """A connection whose every statement fails as a locked database does."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    def close(self) -> None:
        pass


def test_errors_after_opening_degrade_the_cache_instead_of_killing_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = RecordCache(tmp_path)
    real = cache._db
    monkeypatch.setattr(cache, "_db", Broken())
    assert cache.get("2501.00001") is None
    assert cache.degraded is not None and "locked" in cache.degraded
    monkeypatch.setattr(cache, "_db", real)  # the database answers again: the cache stays off
    cache.put_found([make_record("2501.00001")])  # dropped, no exception
    assert cache.get_many(["2501.00001"]) == {}
    cache.close()
    with RecordCache(tmp_path) as fresh:
        assert fresh.get("2501.00001") is None  # nothing was written after the failure


def test_the_client_runs_without_a_cache_when_the_folder_is_corrupted(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "cache.db").write_bytes(b"garbage" * 1000)
    settings = Settings(cache_dir=folder, offline=True)
    with ArxivClient(settings) as client:
        assert client.cache is None
        assert client.cache_note is not None and "ran without it" in client.cache_note
        result = client.fetch(["2501.00001"])
    assert result["2501.00001"].status == "unavailable"
