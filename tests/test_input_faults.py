"""Input that programs really write and that once stopped a run: half an emoji in JSON, deep
nesting, a byte order mark before JSON Lines, version 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from enrich.arxiv.cache import RecordCache
from enrich.ingest import FileReport, iter_entries
from enrich.testing.arxiv_api import make_record
from enrich.text.markup import without_surrogates

SOURCE = {"path": "d.md", "line": 3, "format": "markdown"}


def _line(**fields: object) -> str:
    return json.dumps({"arxiv_id": "2401.00001", "source": SOURCE, **fields}) + "\n"


def test_a_lone_surrogate_becomes_a_replacement_character(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    # json.dumps writes the escape "\ud83d": half an emoji, as JavaScript cuts strings
    path.write_text(_line(title="Paper \ud83d") + _line(title="Whole \ud83d\ude00"), "utf-8")
    first, second = iter_entries([path])
    assert first.title == "Paper \ufffd" and first.status == "valid"
    assert second.title == "Whole \U0001f600"  # a pair is one character, kept
    assert "\ufffd" in first.model_dump_json()  # it can be written: "\ud83d" could not


def test_a_lone_surrogate_in_a_json_digest(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    text = '[{"title": "Paper \\ud83d cut", "url": "https://arxiv.org/abs/2401.00001"}]'
    path.write_text(text, "utf-8")
    (entry,) = iter_entries([path])
    assert entry.title == "Paper \ufffd cut"


def test_without_surrogates_keeps_what_has_none() -> None:
    data = {"a": ["x", {"b": "ü\U0001f600"}], "n": 1}
    assert without_surrogates(data) == data
    assert without_surrogates({"\udc80": ["\ud800x"]}) == {"\ufffd": ["\ufffdx"]}


def test_deep_nesting_is_an_invalid_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = "[" * 200_000 + "]" * 200_000
    path.write_text('{"x": ' + deep + "}\n" + _line(), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "enrich", "ingest", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-500:]
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["status"] == "invalid" and "deep.jsonl:1" in first["error"]
    assert second["arxiv_id"] == "2401.00001"
    assert "Traceback" not in done.stderr


def test_a_byte_order_mark_before_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _line().encode() + _line(arxiv_id="2401.00002").encode())
    assert [(e.arxiv_id, e.status) for e in iter_entries([path])] == [
        ("2401.00001", "valid"),
        ("2401.00002", "valid"),
    ]
    foreign = tmp_path / "papers.jsonl"
    foreign.write_bytes(b'\xef\xbb\xbf{"paper_id": "2401.00003", "headline": "A Title Here"}\n')
    (entry,) = iter_entries([foreign])
    assert (entry.arxiv_id, entry.title) == ("2401.00003", "A Title Here")


def test_version_zero_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "v0.jsonl"
    path.write_text(_line(version=0) + _line(version=2), "utf-8")
    zero, two = iter_entries([path])
    assert zero.status == "invalid" and zero.error == "d.md:3: version 0: versions start at v1"
    assert (two.status, two.version) == ("valid", 2)


def _fix_in_place(tmp_path: Path, digest: Path) -> subprocess.CompletedProcess[str]:
    """`enrich run DIGEST --fix --offline` with arXiv's answer for 2502.00011 (v2) cached."""
    cache = tmp_path / "cache"
    with RecordCache(cache, cache_ttl=86400.0) as store:
        store.put_found([make_record("2502.00011", title="Étude des réseaux", latest_version=2)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    args = [str(digest), "--fix", "--offline", "--cache-dir", str(cache), "--out", "-"]
    return subprocess.run(
        [sys.executable, "-m", "enrich", "run", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_an_8bit_digest_is_read_right_and_never_rewritten(tmp_path: Path) -> None:
    digest = tmp_path / "digest.md"
    text = "- [Étude des réseaux](https://arxiv.org/abs/2502.00011v1) — José Müller et al.\n"
    digest.write_bytes((text + "Naïve café.\n").encode("cp1252"))
    before = digest.read_bytes()
    done = _fix_in_place(tmp_path, digest)
    assert done.returncode == 0, done.stderr[-500:]
    (line,) = (json.loads(raw) for raw in done.stdout.splitlines())
    assert line["digest"]["title"] == "Étude des réseaux"  # not "�tude des r�seaux"
    assert line["digest"]["authors"] == ["José Müller"]
    kinds = {c["kind"]: c["fixed"] for c in line["conflicts"]}
    assert kinds["version_stale"] is False  # fixable, but not in this file: it is not UTF-8
    assert "title_mismatch" not in kinds
    assert digest.read_bytes() == before
    assert "not corrected:" in done.stderr and "read as Windows-1252" in done.stderr


def test_a_damaged_utf8_digest_is_not_rewritten(tmp_path: Path) -> None:
    digest = tmp_path / "digest.md"
    good = "- [Étude des réseaux](https://arxiv.org/abs/2502.00011v1)\n".encode()
    digest.write_bytes(good + b"Na\xefve caf\xc3\xa9.\n")  # one byte of Latin-1 in UTF-8
    before = digest.read_bytes()
    done = _fix_in_place(tmp_path, digest)
    assert done.returncode == 0, done.stderr[-500:]
    assert digest.read_bytes() == before
    assert "replaced with U+FFFD" in done.stderr


def test_fix_keeps_a_byte_order_mark(tmp_path: Path) -> None:
    digest = tmp_path / "digest.md"
    line = "- [Étude des réseaux](https://arxiv.org/abs/2502.00011v1)\n"
    digest.write_bytes(b"\xef\xbb\xbf" + line.encode())
    done = _fix_in_place(tmp_path, digest)
    assert done.returncode == 0, done.stderr[-500:]
    after = digest.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf- [") and b"2502.00011v2" in after


def test_entries_under_another_name_are_read_when_named(tmp_path: Path) -> None:
    """`enrich ingest digests > entries.json; enrich run entries.json`: named, the file is
    entries; met in a folder, it is the tool's own output and skipped."""
    folder = tmp_path / "in"
    folder.mkdir()
    named = folder / "entries.json"
    named.write_text(_line() + _line(arxiv_id="2401.00002"), "utf-8")
    assert [(e.arxiv_id, e.source.path) for e in iter_entries([named])] == [
        ("2401.00001", "d.md"),
        ("2401.00002", "d.md"),
    ]
    assert list(iter_entries([folder])) == []


def test_a_utf16_digest_is_read(tmp_path: Path) -> None:
    """Windows Notepad's "Unicode": UTF-16 with a byte order mark, once refused as binary."""
    for encoding in ("utf-16-le", "utf-16-be"):
        digest = tmp_path / f"{encoding}.md"
        bom = "\ufeff".encode(encoding)
        text = (
            "- [Étude des réseaux](https://arxiv.org/abs/2502.00011v1) by José Müller and Ann Lee\n"
        )
        digest.write_bytes(bom + text.encode(encoding))
        (entry,) = iter_entries([digest])
        assert (entry.arxiv_id, entry.title) == ("2502.00011", "Étude des réseaux")
        assert entry.authors == ["José Müller", "Ann Lee"]


def test_a_damaged_cache_is_removed_by_cache_clear(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cache.db").write_bytes(b"not a database " * 100)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}

    def enrich(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "enrich", *args, "--cache-dir", str(cache)]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)

    digest = tmp_path / "d.md"
    digest.write_text("- [A](https://arxiv.org/abs/2501.00001)\n", "utf-8")
    run = enrich("run", str(digest), "--offline", "--out", str(tmp_path / "o.jsonl"))
    assert "`enrich cache clear` removes it" in run.stderr
    cleared = enrich("cache", "clear")
    assert cleared.returncode == 0, cleared.stderr
    assert "removed the damaged cache database (cache.db)" in cleared.stdout
    stats = enrich("cache", "stats")
    assert stats.returncode == 0 and "entries: 0" in stats.stdout


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    digest = tmp_path / "a.md"
    digest.write_text("- [A Paper Title](https://arxiv.org/abs/2501.00001)\n", "utf-8")
    reports: list[FileReport] = []
    entries = list(iter_entries([digest, digest, tmp_path], on_file=reports.append))
    assert [e.arxiv_id for e in entries] == ["2501.00001"]
    assert [r.skipped for r in reports] == [
        None,
        f"{digest}: skipped, read already in this run",
        f"{digest}: skipped, read already in this run",
    ]
