"""Ingest: files and folders read safely, entries validated, nothing dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.errors import InputError
from enrich.ingest import (
    FileReport,
    _entry_of,
    _line_entry,
    _short_reason,
    iter_entries,
    iter_input_files,
    read_text,
    validate,
)
from enrich.models import DigestEntry, Source
from enrich.text.markup import without_surrogates


def _entry(arxiv_id: str | None, version: int | None = None) -> DigestEntry:
    return DigestEntry(
        arxiv_id=arxiv_id, version=version, source=Source(path="d.md", line=7, format="generic")
    )


def test_validation_canonicalises_id_and_version() -> None:
    checked = validate(_entry("https://arxiv.org/abs/2503.24357v2"))
    assert (checked.arxiv_id, checked.version, checked.status) == ("2503.24357", 2, "valid")
    assert validate(_entry("math.GT/0309136")).arxiv_id == "math/0309136"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(None, "no arXiv id"), ("2513.00001", "month 13"), ("1501.1234", "five digits")],
)
def test_invalid_entries_stay_with_file_line_and_reason(raw: str | None, reason: str) -> None:
    checked = validate(_entry(raw))
    assert checked.status == "invalid"
    assert checked.error is not None
    assert checked.error.startswith("d.md:7: ")
    assert reason in checked.error


def test_folders_are_walked_recursively_for_digest_suffixes(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/x.md", "a/b/y.bib", "a/b/z.png", "a/.hidden/w.md", "top.html", "n.jsonl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_input_files([tmp_path])]
    assert found == ["a/b/y.bib", "a/x.md", "top.html"]  # a .jsonl only when named itself
    assert list(iter_input_files([tmp_path / "n.jsonl"])) == [tmp_path / "n.jsonl"]
    with pytest.raises(InputError, match="no such file"):
        list(iter_input_files([tmp_path / "missing.md"]))


def test_invalid_utf8_is_replaced_and_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(
        "# ok é\n- [T](https://arxiv.org/abs/2401.00001)\n".encode() + b"bad \xff here\n"
    )
    text, notes = read_text(path)
    assert "\ufffd" in text and "é" in text  # UTF-8 with one byte damaged
    assert len(notes) == 1 and f"{path}:3: invalid UTF-8" in notes[0]


def test_a_file_with_no_utf8_character_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(
        "# ok\n- [T](https://arxiv.org/abs/2401.00001)\nMüller “quoted”\n".encode("cp1252")
    )
    text, notes = read_text(path)
    assert text.endswith("Müller “quoted”\n")
    assert notes == [f"{path}:3: invalid UTF-8, read as Windows-1252 (Latin-1)"]
    path.write_bytes(b"# ok\n\x81 \xe9\n")  # 0x81 is no Windows-1252 character: Latin-1
    assert read_text(path)[0] == "# ok\n\x81 é\n"


def test_binary_files_are_reported_and_skipped_while_others_go_on(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "b.md").write_text("- see arXiv:2401.00001\n")
    reports: list[FileReport] = []
    entries = list(iter_entries([tmp_path], on_file=reports.append))
    assert [r.error is not None for r in reports] == [True, False]
    assert reports[0].error is not None and "binary" in reports[0].error
    assert [e.arxiv_id for e in entries] == ["2401.00001"]


def test_jsonl_input_round_trips_and_broken_lines_become_invalid_entries(tmp_path: Path) -> None:
    good = validate(_entry("2401.00001v3")).model_dump_json()
    path = tmp_path / "in.jsonl"
    path.write_text(f'{good}\n{{"arxiv_id": \n\n[1, 2]\n{good}\n{{"source": 5}}\n', "utf-8")
    entries = list(iter_entries([path]))
    assert [e.status for e in entries] == ["valid", "invalid", "invalid", "valid", "invalid"]
    assert entries[0].version == 3 and entries[0].source.path == "d.md"
    errors = [e.error for e in entries if e.error]
    assert [err.split(": ")[0] for err in errors] == [f"{path}:2", f"{path}:4", f"{path}:6"]
    assert all("broken JSONL line" in err for err in errors)


def test_enrich_run_lines_are_accepted_as_input(tmp_path: Path) -> None:
    entry = validate(_entry("2401.00001"))
    line = {
        "arxiv_id": "2401.00001",
        "status": "enriched",
        "digest": json.loads(entry.model_dump_json()),
    }
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps(line) + "\n")
    assert [e.arxiv_id for e in iter_entries([path])] == ["2401.00001"]


@pytest.mark.parametrize(
    "value",
    [
        "123456789012345678901234567890",  # past 64 bits: orjson would read a float
        "9007199254740993",  # 2**53 + 1: a float cannot hold it
        "NaN",  # the standard reader takes it, orjson does not
        '"\\ud800"',  # a lone surrogate: the same
        '"\\ud83d\\ude00"',  # a surrogate pair: one character
        "1.0",  # a float that is an integer
        "1e2",
        "1e400",
        "-0",
        "true",
        '"7"',
        "null",
    ],
)
def test_a_jsonl_line_reads_as_the_standard_json_reader_reads_it(
    tmp_path: Path, value: str
) -> None:
    """Every JSONL line gives the entry (or the error) json.loads + validation gives (a lone
    surrogate made U+FFFD first: no output could hold it)."""
    good = json.loads(validate(_entry("2401.00001v3")).model_dump_json())
    good["source"]["line"] = "@@"
    line = json.dumps(good).replace('"@@"', value)
    path = tmp_path / "in.jsonl"
    path.write_text(line + "\n", "utf-8")
    [got] = list(iter_entries([path]))
    try:
        expected = validate(DigestEntry.model_validate(without_surrogates(json.loads(line))))
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        assert got.status == "invalid"
        assert got.error == f"{path}:1: broken JSONL line: {_short_reason(exc)}"
    else:
        assert got == expected
        assert got.source.line == expected.source.line


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = st.sampled_from(
    ["title", "version", "authors", "date", "claims", "provenance", "links", "arxiv_id", "status",
     "error", "authors_truncated", "source", "line", "path", "value", "nothing", "digest"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(FIELDS, JSON_VALUES, st.booleans(), st.booleans())
def test_any_line_reads_as_the_standard_json_reader_reads_it(
    field: str, value: object, ascii_only: bool, run_line: bool
) -> None:
    """_line_entry (pydantic's JSON reader first, then orjson, then the standard reader) gives
    the entry, or the error, that the standard reader and validation give, whatever the line."""
    data = json.loads(validate(_entry("2401.00001v3")).model_dump_json())
    data["claims"] = [{"field": "title", "value": "T", "origin": "summary", "line": 3}]
    if field in ("line", "path"):
        data["source"][field] = value
    elif field == "value":  # a claim's value: str, list of str, int or None
        data["claims"][0]["value"] = value
    elif field != "nothing":
        data[field] = value
    if run_line:  # an `enrich run` line holds the entry under "digest"
        data = {"arxiv_id": "2401.00001", "status": "enriched", "digest": data}
    line = json.dumps(data, ensure_ascii=ascii_only)
    try:
        expected = _entry_of(without_surrogates(json.loads(line)))
    except ValueError as exc:
        with pytest.raises(ValueError) as raised:
            _line_entry(line)
        assert _short_reason(raised.value) == _short_reason(exc)
    else:
        got = _line_entry(line)
        assert got == expected
        assert got.model_dump_json() == expected.model_dump_json()


def test_a_canonical_entry_is_not_copied_by_validation() -> None:
    entry = validate(_entry("2401.00001v3"))
    assert validate(entry) is entry
    raw = _entry("arXiv:2401.00001v2")
    copied = validate(raw)
    assert (copied.arxiv_id, copied.version) == ("2401.00001", 2)
    assert raw.arxiv_id == "arXiv:2401.00001v2"  # the parser's entry is left as it was
