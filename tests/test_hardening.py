"""Hostile and broken input: XML bombs and external entities in an API answer, a huge one-line
digest, binary files, invalid UTF-8, a folder of 2,000 files, broken JSONL lines, a corrupted or
locked cache. Each must end in a reported error or an `unavailable`/`invalid` entry, never a crash.
(The property "an entry built from its record has no conflict" is in test_compare_properties.py.)
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import httpx
import pytest
from standin import StandIn, make_record

import enrich.arxiv.backends as backends_module
import enrich.pipeline as pipeline_module
from enrich.arxiv import ArxivClient, Lookup, open_cache
from enrich.ingest import iter_entries
from enrich.models import ArxivRecord, DigestEntry
from enrich.pipeline import Pipeline, enrich_entries
from enrich.settings import Settings

ID = "2503.22370"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<id>http://arxiv.org/abs/2503.22370v1</id><title>&lol9;</title>
<author><name>Ada Lovelace</name></author>
</entry></feed>"""


def _external_entity(target: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{target}">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<id>http://arxiv.org/abs/{ID}v1</id><title>&xxe;</title>
<author><name>Ada Lovelace</name></author>
<summary>&xxe;</summary>
</entry></feed>""".encode()


def _client(tmp_path: Path, body: bytes) -> ArxivClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/atom+xml"})

    settings = Settings(
        cache_dir=tmp_path / "c",
        api_url="http://127.0.0.1:9/api/query",
        min_interval=0,
        max_attempts=2,
        backoff_initial=0,
        backoff_max=0,
        recheck_delay=0,
    )
    http = httpx.Client(transport=httpx.MockTransport(answer))
    return ArxivClient(settings, http=http, cache=None, sleep=lambda _s: None)


@pytest.mark.parametrize("kind", ["bomb", "external"])
def test_hostile_xml_in_an_answer_expands_nothing_and_crashes_nothing(
    tmp_path: Path, kind: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", "utf-8")
    body = BILLION_LAUGHS if kind == "bomb" else _external_entity(secret)
    started = time.monotonic()
    with _client(tmp_path, body) as client:
        lookups = client.fetch([ID])
    assert time.monotonic() - started < 5
    lookup = lookups[ID]
    assert lookup.status in {"unavailable", "not_found", "found"}
    if lookup.record is not None:  # parsed with entities left alone: nothing expanded or read
        dumped = lookup.record.model_dump_json()
        assert "TOP-SECRET" not in dumped
        assert "lollol" not in dumped
        assert len(dumped) < 10_000


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": "0", "ENRICH_BACKOFF_MAX": "0"}
    env["ENRICH_CACHE_DIR"] = str(cache)
    return env


def _run(args: list[str], cache: Path, url: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "enrich", "run", *args, "--api-url", url]
    return subprocess.run(cmd, capture_output=True, text=True, env=_env(cache), timeout=60)


def _line(arxiv_id: str, n: int) -> str:
    entry = {
        "arxiv_id": arxiv_id,
        "title": f"Title of {arxiv_id}",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "source": {"path": "d.md", "line": n, "format": "markdown"},
    }
    return json.dumps(entry)


def test_broken_jsonl_lines_are_reported_by_line_and_the_rest_go_on(tmp_path: Path) -> None:
    ids = ["2501.00001", "2501.00002", "2501.00003"]
    lines = [
        _line(ids[0], 1),
        '{"arxiv_id": "2501.0000',  # cut short
        _line(ids[1], 3),
        "[1, 2, 3]",  # not an object
        '{"arxiv_id": "2501.00009", "bogus_field": 1, "source": {"path": "x", "format": "md"}}',
        _line(ids[2], 6),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    with StandIn([make_record(i) for i in ids]) as server:
        done = _run([str(source), "--out", str(out), "-q"], tmp_path / "c", server.url)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["status"] for r in rows] == [
        "enriched",
        "invalid",
        "enriched",
        "invalid",
        "invalid",
        "enriched",
    ]
    for row, number in zip((rows[1], rows[3], rows[4]), (2, 4, 5), strict=True):
        assert row["error"].startswith(f"{source}:{number}: broken JSONL line")
        assert row["source"]["line"] == number


def test_a_corrupted_cache_is_reported_and_the_run_goes_on_without_it(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cache.db").write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    source = tmp_path / "in.jsonl"
    source.write_text(_line(ID, 1) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    with StandIn([make_record(ID)]) as server:
        done = _run([str(source), "--out", str(out)], cache, server.url)
    assert done.returncode == 0, done.stderr
    assert "cache unusable" in done.stderr and "ran without it" in done.stderr
    (row,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert row["status"] == "enriched"


def test_a_locked_cache_is_reported_and_the_run_goes_on_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # open_cache waits `timeout` (10 s) for the lock; the same path with a short wait
    monkeypatch.setattr(backends_module, "open_cache", functools.partial(open_cache, timeout=0.2))
    cache = tmp_path / "cache"
    cache.mkdir()
    holder = sqlite3.connect(cache / "cache.db", isolation_level=None)
    try:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN EXCLUSIVE")
        with StandIn([make_record(ID)]) as server:
            settings = Settings(cache_dir=cache, api_url=server.url, min_interval=0)
            with Pipeline(settings) as pipe:
                (row,) = list(pipe.enrich([_entry(ID)]))
    finally:
        holder.close()
    assert row.status == "enriched"
    assert pipe.summary.cache_note and "cache unusable" in pipe.summary.cache_note


def _entry(arxiv_id: str) -> DigestEntry:
    return DigestEntry.model_validate_json(_line(arxiv_id, 1))


class _Fake:
    """A LookupSource answering from records in memory."""

    def __init__(self, records: dict[str, ArxivRecord]) -> None:
        self.records = records
        self.calls: list[int] = []

    def fetch(self, ids: Iterable[str], progress: object = None) -> dict[str, Lookup]:
        ids = list(ids)
        self.calls.append(len(ids))
        out = {}
        for i in ids:
            record = self.records.get(i)
            out[i] = Lookup("found", record) if record else Lookup("not_found")
        return out


def test_spooling_to_disk_changes_nothing_in_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [f"2501.{n + 10000:05d}" for n in range(40)]
    entries = [_entry(i) for i in ids] + [_entry(ids[3]), _entry("2501.99999")]
    entries.append(
        DigestEntry.model_validate(
            {**_entry(ID).model_dump(), "arxiv_id": None, "status": "invalid", "error": "x"}
        )
    )
    records = {i: make_record(i, authors=["Ada Lovelace", "Alan Turing", "Extra"]) for i in ids}
    settings = Settings(cache_dir=tmp_path / "c")
    held = [e.model_dump_json() for e in enrich_entries(entries, settings, client=_Fake(records))]
    monkeypatch.setattr(pipeline_module, "SPOOL_IN_MEMORY", 3)
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 2)
    fake = _Fake(records)
    spooled = enrich_entries(entries, settings.model_copy(update={"batch_size": 5}), client=fake)
    assert [e.model_dump_json() for e in spooled] == held
    assert len(held) == len(entries)
    assert fake.calls == [10, 10, 10, 10, 1]  # 41 unique ids, fetched 2 batches of 5 at a time


def test_a_digest_of_one_huge_line_parses(tmp_path: Path) -> None:
    # ~5 MB on one line: prose after one linked id (ids.find_arxiv_ids reads ~1.3 MB/s)
    prose = "lorem ipsum dolor sit amet, " * (5_000_000 // 28)
    text = f"# Digest\n\n- [{ID}](https://arxiv.org/abs/{ID}) A title. {prose}\n"
    path = tmp_path / "huge.md"
    path.write_text(text, "utf-8")
    started = time.monotonic()
    entries = list(iter_entries([path]))
    assert time.monotonic() - started < 10
    assert all(isinstance(e, DigestEntry) for e in entries)


def test_binary_and_invalid_utf8_files_are_reported_and_the_rest_go_on(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\x00\x01\x02PNG\x00" * 500)
    (tmp_path / "b.txt").write_bytes(os.urandom(4096).replace(b"\n", b" "))
    (tmp_path / "c.md").write_bytes(
        f"- [{ID}](https://arxiv.org/abs/{ID}) A title \xe9\xff here\n".encode("latin-1")
    )
    reports = []
    entries = list(iter_entries([tmp_path], on_file=reports.append))
    by_name = {Path(r.path).name: r for r in reports}
    assert by_name["a.md"].error and "binary" in by_name["a.md"].error
    assert by_name["c.md"].error is None
    assert any("invalid UTF-8" in note for note in by_name["c.md"].notes)
    assert any(e.arxiv_id == ID for e in entries)


def test_a_folder_of_two_thousand_small_files(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for n in range(2000):
        sub = folder / f"d{n % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        ident = f"2501.{n + 10000:05d}"
        (sub / f"f{n:04d}.md").write_text(f"- [{ident}](https://arxiv.org/abs/{ident}) T\n")
    reports = []
    started = time.monotonic()
    entries = list(iter_entries([folder], on_file=reports.append))
    assert time.monotonic() - started < 10
    assert len(reports) == 2000
    assert not any(r.error for r in reports)
    assert len({e.arxiv_id for e in entries if e.status == "valid"}) == 2000


def test_ids_repeated_across_windows_read_back_what_was_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record read back from the spill file, then more records set aside: every repeat still
    reads its own record (a write once landed where the read had left the file position)."""
    ids = [f"2501.{n + 10000:05d}" for n in range(40)]
    order = ids[:10] + ids[10:20] + [ids[3]] + ids[20:30] + [ids[4], ids[3]] + ids[30:] + [ids[5]]
    entries = [_entry(i) for i in order]
    records = {i: make_record(i, authors=["Ada Lovelace", "Alan Turing", "Extra"]) for i in ids}
    settings = Settings(cache_dir=tmp_path / "c")
    held = [e.model_dump_json() for e in enrich_entries(entries, settings, client=_Fake(records))]
    monkeypatch.setattr(pipeline_module, "SPOOL_IN_MEMORY", 3)
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 2)
    monkeypatch.setattr(pipeline_module, "SPILL_WRITE", 1)  # a write per record set aside
    fake = _Fake(records)
    spooled = enrich_entries(entries, settings.model_copy(update={"batch_size": 5}), client=fake)
    assert [e.model_dump_json() for e in spooled] == held
    assert [e.status for e in spooled] == ["enriched"] * len(order)
    assert fake.calls == [10, 10, 10, 10]  # 40 unique ids: each asked once


def test_a_record_set_aside_keeps_its_status_and_reason() -> None:
    from enrich.pipeline import _Lookups, _Settled

    records = [make_record(f"2501.{n + 10000:05d}") for n in range(4)]
    lookups = _Lookups(limit=1)
    lookups.add({r.arxiv_id: _Settled("found", r, None) for r in records[:2]})
    lookups.add({records[2].arxiv_id: _Settled("found", records[2], "from the mirror")})
    lookups.add({records[3].arxiv_id: _Settled("unavailable", records[3], "stale copy")})
    got = [lookups.get(r.arxiv_id) for r in records]
    assert [(g.status, g.record, g.reason) for g in got if g is not None] == [
        ("found", records[0], None),
        ("found", records[1], None),
        ("found", records[2], "from the mirror"),
        ("unavailable", records[3], "stale copy"),
    ]
    assert len(lookups.spilled) == 3 and lookups.file is not None
    lookups.close()


def test_records_read_from_the_cache_are_set_aside_as_the_json_they_were_read_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run sets its cached records aside as the bytes the cache gave (no second
    serialisation): what is read back is the record the cache gave, and the output is that of
    holding everything in memory."""
    from enrich.pipeline import _Lookups

    ids = [f"2501.{n + 10000:05d}" for n in range(40)]
    records = {
        i: make_record(i, title=f"Zoë’s \\alpha\n  title {i}", authors=["Jürgen Müller", "李 雷"])
        for i in ids
    }
    settings = Settings(cache_dir=tmp_path / "c", offline=True)
    with open_cache(settings) as cache:
        cache.put_found(records.values())
        answers = cache.get_many(ids)
    with ArxivClient(settings) as client:
        got = client.fetch(ids)
    assert all(got[i].raw == answers[i].raw is not None for i in ids)
    lookups = _Lookups(limit=1)
    lookups.add(dict(got))
    assert lookups.file is not None
    lookups.file.seek(0)
    assert lookups.file.read() == b"".join(answers[i].raw or b"" for i in ids[1:])
    assert all(got[i].raw is None for i in ids)  # let go once set aside
    assert all((back := lookups.get(i)) and back.record == records[i] for i in ids)
    back = lookups.get(ids[5])  # read back with the JSON it was read from, for a worker
    assert back is not None and getattr(back, "raw", None) == answers[ids[5]].raw
    lookups.close()

    order = ids[:10] + ids[10:20] + [ids[3]] + ids[20:30] + [ids[4], ids[3]] + ids[30:]
    entries = [_entry(i) for i in order]
    held = [e.model_dump_json() for e in enrich_entries(entries, settings)]
    monkeypatch.setattr(pipeline_module, "SPOOL_IN_MEMORY", 3)
    monkeypatch.setattr(pipeline_module, "FETCH_BATCHES", 2)
    spooled = enrich_entries(entries, settings.model_copy(update={"batch_size": 5}))
    assert [e.model_dump_json() for e in spooled] == held
    assert [e.status for e in spooled] == ["enriched"] * len(order)
