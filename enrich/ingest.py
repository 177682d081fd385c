"""Ingest: find the input files, read them safely, parse them, validate every entry.

Reading never crashes on bad bytes: invalid UTF-8 is decoded with replacement characters and
reported; a binary or unreadable file is reported (and the CLI exits 2), the other files go on.
Validation never drops an entry: one that has no usable arXiv id stays, with status "invalid" and
an error naming file, line and reason. A JSONL file (as `enrich ingest` writes) is read back line by
line; a broken line becomes an invalid entry with its line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from pydantic import ValidationError

from enrich.digests import get_format, sniff_format
from enrich.errors import InputError, InvalidArxivId
from enrich.ids import parse_arxiv_id
from enrich.models import DigestEntry, FileSummary, Source
from enrich.runtime import regex
from enrich.text.markup import without_surrogates

__all__ = [
    "DIGEST_SUFFIXES",
    "FileReport",
    "iter_entries",
    "iter_input_files",
    "read_text",
    "validate",
]

# What a folder is searched for (design contract): every suffix a reader knows; the content, not
# the suffix, decides the reader. A JSONL written by `enrich ingest` is read when it is named as a
# file, never picked up from a folder, where it is more likely an earlier output.
DIGEST_SUFFIXES = frozenset(
    {
        ".md",
        ".markdown",
        ".txt",
        ".html",
        ".htm",
        ".bib",
        ".bbl",
        ".xml",
        ".ris",
        ".csv",
        ".tsv",
        ".json",
        ".org",
        ".rst",
    }
)
_OWN_REPORT = regex(
    r"\A\s*(?:# arxiv-enrich report\b|<!doctype html>\s*<html[^>]*>\s*<head>.{0,400}?"
    r"<title>arxiv-enrich review:|\{\s*\"summary\":\s*\{)",
    re.IGNORECASE | re.DOTALL,
)
_OWN_LINE = regex(r'\A\s*\{"arxiv_id":.{0,20000}?"source":\s*\{"path":')
_BINARY_SNIFF = 8192


@dataclass
class FileReport:
    """What happened to one input file; the CLI prints these and sets the exit status from them."""

    path: str
    format: str | None = None
    entries: int = 0
    invalid: int = 0
    error: str | None = None  # unreadable / binary: the file gave no entries
    notes: list[str] = field(default_factory=list)  # e.g. "3 invalid UTF-8 sequences replaced"
    skipped: str | None = None  # the tool's own output met in a folder: why it was not read

    def summary(self) -> FileSummary:
        return FileSummary(
            path=self.path,
            format=self.format,
            entries=self.entries,
            invalid=self.invalid,
            error=self.error,
        )


STDIN = "-"  # the path that stands for standard input


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and folders walked recursively for digest suffixes, in a stable order.
    "-" (standard input) is yielded as Path("-")."""
    for raw in paths:
        path = Path(raw)
        if str(raw) == STDIN:
            yield path
        elif path.is_dir():
            found = (
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in DIGEST_SUFFIXES and not _hidden(p, path)
            )
            yield from sorted(found)
        elif path.exists():
            yield path
        else:
            raise InputError(f"{path}: no such file or folder", str(path))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_text(path: Path) -> tuple[str, list[str]]:
    """The file's text and notes on its decoding; InputError for an unreadable or binary file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}", str(path)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Windows Notepad's "Unicode")
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            return text, [f"{path}:1: {NOT_UTF8}, read as UTF-16 (its byte order mark)"]
    _check_text(path, data[:_BINARY_SNIFF])
    notes: list[str] = []
    if data.startswith(BOM):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if re.search(_UTF8_SEQUENCE, data) is None:  # no character is UTF-8: 8-bit text
            text = _decode_8bit(data)
            notes.append(f"{path}:{line}: {NOT_UTF8}, read as Windows-1252 (Latin-1)")
        else:  # UTF-8 with some bytes damaged
            text = data.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            notes.append(f"{path}:{line}: {NOT_UTF8} ({bad} byte sequence(s) replaced with U+FFFD)")
    return text, notes


BOM = b"\xef\xbb\xbf"  # UTF-8's byte order mark, which Windows editors write first
NOT_UTF8 = "invalid UTF-8"  # the start of the note read_text gives a file that is not UTF-8
# one character written in UTF-8 beyond ASCII: a file holding one is UTF-8, damaged or not
_UTF8_SEQUENCE = rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"


def _decode_8bit(data: bytes) -> str:
    """A file of an 8-bit encoding: Windows-1252 (what Windows and older web pages wrote; Latin-1
    with curly quotes and dashes in 0x80-0x9f), else Latin-1, which decodes every byte."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _refuse_binary(path: Path) -> None:
    try:
        with path.open("rb") as stream:
            head = stream.read(_BINARY_SNIFF)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}", str(path)) from None
    _check_text(path, head)


def _check_text(path: Path, head: bytes) -> None:
    if b"\x00" in head or _mostly_control(head):
        raise InputError(f"{path}: binary file, not a digest", str(path))


def _mostly_control(head: bytes) -> bool:
    if not head:
        return False
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) // 10


def validate(entry: DigestEntry) -> DigestEntry:
    """Canonicalise the entry's id and version, or mark it invalid with a reason."""
    if entry.status == "invalid":
        return entry
    if not entry.arxiv_id:
        return entry.model_copy(
            update={"status": "invalid", "error": f"{_where(entry)}: no arXiv id in this entry"}
        )
    try:
        parsed = parse_arxiv_id(entry.arxiv_id)
    except InvalidArxivId as exc:
        error = f"{_where(entry)}: {exc.text!r}: {exc.reason}"
        return entry.model_copy(update={"status": "invalid", "error": error})
    if entry.version is not None and entry.version < 1:
        error = f"{_where(entry)}: version {entry.version}: versions start at v1"
        return entry.model_copy(update={"status": "invalid", "error": error})
    version = entry.version or parsed.version
    if parsed.id == entry.arxiv_id and version == entry.version:
        return entry  # already canonical (a JSONL written by `enrich ingest`): nothing to copy
    return entry.model_copy(update={"arxiv_id": parsed.id, "version": version})


def _where(entry: DigestEntry) -> str:
    """Where an entry stands, for its error: "path:line", or the path alone."""
    source = entry.source
    return f"{source.path}:{source.line}" if source.line else source.path


def own_output(text: str) -> str | None:
    """What kind of the tool's own output `text` is (a report, a JSONL of entries), or None."""
    head = text[:4096]
    if _OWN_REPORT.match(head):
        return "a report written by enrich"
    if _OWN_LINE.match(head):
        return OWN_ENTRIES
    return None


OWN_ENTRIES = "entries written by enrich (JSONL)"


def _jsonl_lines(path: Path) -> Iterator[str]:
    """The lines of a JSONL file, read one at a time (an input may be far larger than memory)."""
    try:
        # utf-8-sig: a byte order mark (Windows editors write one) is no part of the first line
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
            yield from stream
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}", str(path)) from None


def _jsonl_entries(lines: Iterable[str], path: str) -> Iterator[DigestEntry]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield _line_entry(line)
        except (ValueError, ValidationError, RecursionError) as exc:
            reason = _short_reason(exc)
            yield DigestEntry(
                source=Source(path=path, line=number, format="jsonl"),
                status="invalid",
                error=f"{path}:{number}: broken JSONL line: {reason}",
            )


def _line_entry(line: str) -> DigestEntry:
    """The entry of one JSONL line; ValueError or ValidationError as the standard JSON reader
    and validation give them. A line that is one entry (as `enrich ingest` writes it) is read
    by pydantic's JSON reader straight into the model (~20 % less than reading it to a dict
    first; it reads integers exactly and refuses what the standard reader would read otherwise,
    such as a lone surrogate). Any other line is read by orjson (several times faster than the
    standard reader); whenever that fails, or the line holds an integer orjson would have read
    as a float (past 2**53), the line is read again with the standard reader, so its reading is
    the one that counts."""
    try:
        return DigestEntry.model_validate_json(line)
    except ValueError:  # pydantic's ValidationError is a ValueError
        pass
    if line.count("[") + line.count("{") < _ORJSON_NESTING:
        try:
            entry = _entry_of(orjson.loads(line))
        except (ValueError, ValidationError):  # orjson.JSONDecodeError is a ValueError
            pass
        else:
            if not _past_float_precision(entry):
                return entry
    return _entry_of(without_surrogates(json.loads(line)))


# orjson crashes the process (a segmentation fault, seen with 200,000 nested lists) where the
# standard reader raises RecursionError: a line with this many brackets goes to the latter
_ORJSON_NESTING = 500


def _entry_of(data: object) -> DigestEntry:
    if not isinstance(data, dict):
        raise ValueError("a line must hold a JSON object")
    if "digest" in data and "status" in data and isinstance(data["digest"], dict):
        data = data["digest"]  # an `enrich run` line: take the entry as parsed
    return DigestEntry.model_validate(data)


_EXACT = 2**53  # integers a float holds exactly; orjson reads one past 64 bits as a float


def _past_float_precision(entry: DigestEntry) -> bool:
    """Whether an integer field of `entry` is too large to have come through a float intact."""
    numbers = [entry.version, entry.source.line]
    for claim in entry.claims:
        numbers.append(claim.line)
        if isinstance(claim.value, int):
            numbers.append(claim.value)
    return any(n is not None and abs(n) >= _EXACT for n in numbers)


def _short_reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        return f"{loc}: {first['msg']}" if loc else str(first["msg"])
    return str(exc).splitlines()[0]


def iter_entries(
    paths: Iterable[str | Path],
    *,
    format: str | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> Iterator[DigestEntry]:
    """Every validated entry of every input file, in order. `on_file` gets each file's report
    once the file is done (also for files that could not be read)."""
    if format is not None:
        get_format(format)  # unknown format: fail before reading anything
    paths = list(paths)
    named = {Path(p) for p in paths if str(p) != STDIN}  # given as such, not met in a folder
    read: set[Path] = set()  # a file named twice, or named and in a folder named, is read once
    for path in iter_input_files(paths):
        if str(path) == STDIN:
            yield from _stdin_entries(format, on_file)
            continue
        report = FileReport(path=str(path))
        if (real := path.resolve()) in read:
            report.skipped = f"{path}: skipped, read already in this run"
            if on_file:
                on_file(report)
            continue
        read.add(real)
        jsonl = path.suffix.lower() == ".jsonl"
        try:
            if jsonl:
                _refuse_binary(path)
                jsonl = format is None and not _foreign_jsonl(path)
            if not jsonl:
                text, report.notes = read_text(path)
        except InputError as exc:
            report.error = str(exc)
            if on_file:
                on_file(report)
            continue
        if not jsonl and (kind := own_output(text)) is not None:
            if path in named and kind == OWN_ENTRIES:  # `enrich ingest > entries.json`, named
                jsonl = True
            else:
                report.skipped = f"{path}: skipped, {kind}"
                if on_file:
                    on_file(report)
                continue
        if jsonl:
            report.format = "jsonl"
            raw: Iterator[DigestEntry] = _jsonl_entries(_jsonl_lines(path), str(path))
        else:
            fmt = get_format(format) if format else sniff_format(text, str(path))
            report.format = fmt.name
            raw = fmt.parse(text, str(path))
        yield from _validated(raw, report)
        if on_file:
            on_file(report)


def _foreign_jsonl(path: Path) -> bool:
    """Whether a .jsonl file is a digest of another program's (papers under keys of its own,
    `{"paper_id": ..., "headline": ...}`), read by the JSON reader like any digest, rather than
    entries as `enrich ingest`/`enrich run` write them: its first non-blank line is a JSON object
    with neither an entry's `source` nor a run line's `digest` and `status`. A first line that
    is no JSON object keeps the file JSONL of entries, whose broken lines are reported one by
    one."""
    try:
        with path.open("rb") as stream:
            data = _first_object(stream)
    except OSError:
        return False
    return isinstance(data, dict) and not _entry_keys(data)


def _first_object(lines: Iterable[bytes]) -> object:
    """The JSON value of the first non-blank line (a byte order mark before it dropped), or
    None when that line is no JSON."""
    for raw in lines:
        if raw.strip():
            try:
                return json.loads(raw.removeprefix(BOM))
            except (ValueError, RecursionError):
                return None
    return None


def _entry_keys(data: dict[str, object]) -> bool:
    """Does a JSON object hold an entry (`enrich ingest`) or a run line (`enrich run`)?"""
    return "source" in data or ("digest" in data and "status" in data)


def _looks_like_jsonl(head: bytes) -> bool:
    """Whether standard input holds `enrich ingest`/`enrich run` lines rather than a digest: its
    first non-blank line is a JSON object with an entry's `source` and `status`."""
    data = _first_object(head.splitlines())
    return isinstance(data, dict) and "source" in data and "status" in data


def _stdin_entries(
    format: str | None, on_file: Callable[[FileReport], None] | None
) -> Iterator[DigestEntry]:
    """The entries read from standard input: ingest JSONL or digest text, told apart by content.
    The bytes are spooled to an anonymous temporary file, so a long JSONL is read line by line."""
    import shutil
    import sys
    import tempfile

    report = FileReport(path=STDIN)
    with tempfile.NamedTemporaryFile(prefix="enrich-stdin-") as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
        spool.flush()
        spool.seek(0)
        first_line = spool.readline(1 << 20)
        spool.seek(0)
        spooled = Path(spool.name)
        if _looks_like_jsonl(first_line):
            report.format = "jsonl"
            raw: Iterator[DigestEntry] = _jsonl_entries(_jsonl_lines(spooled), STDIN)
        else:
            try:
                text, notes = read_text(spooled)
            except InputError as exc:
                report.error = str(exc).replace(str(spooled), "standard input")
                if on_file:
                    on_file(report)
                return
            report.notes = [n.replace(str(spooled), STDIN) for n in notes]
            fmt = get_format(format) if format else sniff_format(text, STDIN)
            report.format = fmt.name
            raw = fmt.parse(text, STDIN)
        yield from _validated(raw, report)
    if on_file:
        on_file(report)


def _validated(raw: Iterable[DigestEntry], report: FileReport) -> Iterator[DigestEntry]:
    for entry in raw:
        checked = validate(entry)
        report.entries += 1
        report.invalid += checked.status == "invalid"
        yield checked
