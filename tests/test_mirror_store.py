"""The mirror's store and snapshot import: newer wins, idempotent, freshness, bad lines named."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from enrich.errors import CacheError
from enrich.mirror.paper import MirrorPaper, to_record
from enrich.mirror.snapshot import import_snapshot, row_from_snapshot
from enrich.mirror.store import HarvestState, MirrorStore, day_start

DAY = 86400.0


def snapshot_obj(
    arxiv_id: str, *, update_date: str = "2026-11-20", versions: int = 2, **fields: Any
) -> dict[str, Any]:
    """One line of the metadata snapshot, in its 14 fields."""
    obj: dict[str, Any] = {
        "id": arxiv_id,
        "submitter": "Ada Lovelace",
        "authors": 'Ada Lovelace, J\\"org M\\"uller and Alan Turing',
        "title": f"Title of\n  {arxiv_id}",
        "comments": "10 pages",
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.LG cs.AI",
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "abstract": f"  The abstract of {arxiv_id}.\n",
        "versions": [
            {"version": f"v{n}", "created": f"Mon, {n} Jun 2026 10:00:00 GMT"}
            for n in range(1, versions + 1)
        ],
        "update_date": update_date,
        "authors_parsed": [
            ["Lovelace", "Ada", ""],
            ['M\\"uller', 'J\\"org', ""],
            ["Turing", "Alan", ""],
        ],
    }
    obj.update(fields)
    return obj


def write_snapshot(path: Path, objs: list[dict[str, Any] | str], *, gz: bool = False) -> Path:
    text = "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as out:
            out.write(text)
    else:
        path.write_text(text, "utf-8")
    return path


def paper(arxiv_id: str, datestamp: str, versions: int = 1, title: str = "T") -> MirrorPaper:
    return MirrorPaper(
        arxiv_id=arxiv_id,
        datestamp=datestamp,
        versions=[(n, f"Mon, {n} Jun 2026 10:00:00 GMT", 10) for n in range(1, versions + 1)],
        title=title,
        authors_raw="A. One",
        authors=["A. One"],
        categories="cs.LG",
    )


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(day_start("2026-11-25") + 3600)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> MirrorStore:
    with MirrorStore(tmp_path / "m" / "mirror.sqlite3", now=clock) as opened:
        yield opened


@pytest.mark.parametrize("gz", [False, True])
def test_a_snapshot_is_imported_and_read_back_as_the_api_record(
    tmp_path: Path, store: MirrorStore, gz: bool
) -> None:
    file = write_snapshot(
        tmp_path / "snap.jsonl",
        [snapshot_obj("2501.00001"), snapshot_obj("hep-th/9901001", versions=1)],
        gz=gz,
    )
    result = import_snapshot(file, store)
    assert (result.papers, result.written, result.kept, result.bad) == (2, 2, 0, 0)
    hits = store.get_many(["2501.00001", "hep-th/9901001", "2501.99999"])
    assert set(hits) == {"2501.00001", "hep-th/9901001"}
    record = to_record(hits["2501.00001"].paper)
    assert record.authors == ["Ada Lovelace", "Jörg Müller", "Alan Turing"]
    assert record.title == "Title of 2501.00001"
    assert record.latest_version == 2 and [v.version for v in record.versions] == [1, 2]
    assert record.primary_category == "cs.LG"
    assert hits["2501.00001"].paper.authors_raw == 'Ada Lovelace, J\\"org M\\"uller and Alan Turing'
    # a snapshot is current as of the start of its newest update_date day
    assert hits["2501.00001"].fresh_at == day_start("2026-11-20")


def test_importing_twice_changes_nothing(tmp_path: Path, store: MirrorStore) -> None:
    file = write_snapshot(
        tmp_path / "s.jsonl", [snapshot_obj(f"2501.{i:05d}") for i in range(1, 50)]
    )
    import_snapshot(file, store, batch=7)
    before = store.db.execute("SELECT * FROM papers ORDER BY id").fetchall()
    again = import_snapshot(file, store, batch=7)
    assert (again.written, again.kept) == (0, 49)
    assert store.db.execute("SELECT * FROM papers ORDER BY id").fetchall() == before


def test_older_data_never_overwrites_newer_rows(tmp_path: Path, store: MirrorStore) -> None:
    source = store.begin_source("sync", "oai")
    store.write_sync_page([paper("2501.00001", "2026-11-22", 3, "Synced title")], [], source, None)
    old = write_snapshot(
        tmp_path / "old.jsonl", [snapshot_obj("2501.00001", update_date="2026-11-20", versions=2)]
    )
    assert import_snapshot(old, store).written == 0
    assert store.get_many(["2501.00001"])["2501.00001"].paper.title == "Synced title"
    newer = write_snapshot(
        tmp_path / "new.jsonl", [snapshot_obj("2501.00001", update_date="2026-11-23", versions=3)]
    )
    assert import_snapshot(newer, store).written == 1
    assert store.get_many(["2501.00001"])["2501.00001"].paper.title == "Title of\n  2501.00001"
    # a replayed older sync page leaves it alone too
    counts = store.write_sync_page([paper("2501.00001", "2026-11-21", 2)], [], source, None)
    assert (counts.added, counts.updated, counts.unchanged) == (0, 0, 0)
    assert store.get_many(["2501.00001"])["2501.00001"].paper.latest_version == 3


def test_a_sync_page_counts_added_updated_unchanged_and_deleted(store: MirrorStore) -> None:
    source = store.begin_source("sync", "oai")
    first = store.write_sync_page(
        [paper("2501.00001", "2026-11-20"), paper("2501.00002", "2026-11-20")], [], source, None
    )
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    second = store.write_sync_page(
        [paper("2501.00001", "2026-11-20"), paper("2501.00002", "2026-11-21", 2)],
        [("2501.00003", "2026-11-21")],
        source,
        None,
    )
    assert (second.added, second.updated, second.unchanged, second.deleted) == (0, 1, 1, 0)
    third = store.write_sync_page([], [("2501.00001", "2026-11-22")], source, None)
    assert third.deleted == 1 and set(store.get_many(["2501.00001", "2501.00002"])) == {
        "2501.00002"
    }


def test_the_harvest_state_is_written_with_its_page(store: MirrorStore) -> None:
    source = store.begin_source("sync", "oai")
    state = HarvestState("cs", source, "2026-11-01", "tok-2", "2026-11-20", 1, 1, 0, 0, 0, 0)
    store.write_sync_page([paper("2501.00001", "2026-11-20")], [], source, state)
    held = store.harvest_state("cs")
    assert held is not None and (held.token, held.pages, held.added) == ("tok-2", 1, 1)
    assert store.harvest_state("") is None


def test_freshness_a_complete_sync_vouches_for_its_set_without_a_gap(
    tmp_path: Path, store: MirrorStore, clock: Clock
) -> None:
    file = write_snapshot(
        tmp_path / "s.jsonl",
        [snapshot_obj("2501.00001"), snapshot_obj("2501.00002", categories="math.PR")],
    )
    import_snapshot(file, store)  # as of 2026-11-20

    def fresh(arxiv_id: str) -> float:
        return store.get_many([arxiv_id])[arxiv_id].fresh_at

    # a cs sync from 2026-11-25 leaves a gap (11-20 .. 11-25): vouches for nothing
    clock.now += 10
    gap = store.begin_source("sync", "oai", set_spec="cs", from_day="2026-11-25")
    store.finish_source(gap, records=0)
    assert fresh("2501.00001") == day_start("2026-11-20")
    # a cs sync from the snapshot's day vouches for the cs paper only
    clock.now += 10
    sync = store.begin_source("sync", "oai", set_spec="cs", from_day="2026-11-20")
    started = clock.now
    store.finish_source(sync, records=0)
    assert fresh("2501.00001") == started
    assert fresh("2501.00002") == day_start("2026-11-20")
    # an unfinished sync vouches for nothing
    clock.now += 10
    store.begin_source("sync", "oai", from_day="2026-11-20")
    assert fresh("2501.00002") == day_start("2026-11-20")


def test_an_interrupted_import_is_not_fresh_until_an_import_completes(
    tmp_path: Path, store: MirrorStore
) -> None:
    source = store.begin_source("import", "half.jsonl")  # killed before finish_source
    store.import_rows([row_from_snapshot(snapshot_obj("2501.00001"), source)])
    assert store.get_many(["2501.00001"])["2501.00001"].fresh_at == 0.0
    file = write_snapshot(tmp_path / "s.jsonl", [snapshot_obj("2501.00001")])
    import_snapshot(file, store)
    assert store.get_many(["2501.00001"])["2501.00001"].fresh_at == day_start("2026-11-20")


def test_bad_lines_are_named_and_the_rest_imported(tmp_path: Path, store: MirrorStore) -> None:
    file = write_snapshot(
        tmp_path / "s.jsonl",
        [
            snapshot_obj("2501.00001"),
            "{not json",
            snapshot_obj("not an id"),
            "",
            snapshot_obj("2501.00002", versions=0),
            snapshot_obj("2501.00003", update_date="20 Nov"),
            "[1, 2]",
            snapshot_obj("2501.00004"),
        ],
    )
    result = import_snapshot(file, store)
    assert (result.papers, result.bad) == (2, 5)
    assert [p.split(": ", 1)[0] for p in result.problems] == [
        f"{file}:{n}" for n in (2, 3, 5, 6, 7)
    ]
    assert set(store.get_many(["2501.00001", "2501.00004"])) == {"2501.00001", "2501.00004"}


def test_a_file_that_is_not_a_mirror_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(CacheError):
        MirrorStore(bad)


def test_stats_say_what_is_held_and_how_fresh(tmp_path: Path, store: MirrorStore) -> None:
    file = write_snapshot(
        tmp_path / "s.jsonl",
        [
            snapshot_obj("2501.00001"),
            snapshot_obj("2501.00002", update_date="2026-10-01", versions=1),
        ],
    )
    import_snapshot(file, store)
    stats = store.stats()
    assert (stats.papers, stats.versions) == (2, 3)
    assert (stats.oldest_datestamp, stats.newest_datestamp) == ("2026-10-01", "2026-11-20")
    assert stats.last_import is not None and "2026-11-20" in stats.last_import
    assert stats.last_sync is None and stats.size_bytes > 0


def test_the_import_and_stats_commands(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    file = write_snapshot(
        tmp_path / "snap.jsonl.gz", [snapshot_obj("2501.00001"), "{broken"], gz=True
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"PYTHONPATH": str(root), "ENRICH_CACHE_DIR": str(tmp_path / "cache")}
    mirror = ["--mirror-path", str(tmp_path / "m.sqlite3")]
    enrich = [sys.executable, "-m", "enrich", "mirror"]
    done = subprocess.run(
        [*enrich, "import", str(file), *mirror], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "1 papers read; written 1" in done.stdout
    assert f"{file}:2:" in done.stderr  # the bad line is named, never silently dropped
    stats = subprocess.run(
        [*enrich, "stats", "--json", *mirror], env=env, capture_output=True, text=True
    )
    assert json.loads(stats.stdout)["papers"] == 1
    missing = subprocess.run(
        [*enrich, "import", str(tmp_path / "nope.jsonl"), *mirror],
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "nope.jsonl" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1  # one line, no traceback
