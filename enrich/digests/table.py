"""CSV and TSV paper tables (bot tables, curated lists, Zotero's CSV export), read with `csv`.

The dialect is sniffed (comma, semicolon, tab, pipe); the first row is the header, and each column
is mapped to a field by the one field reader (Title, Authors, arxiv_id, Url, Extra, 标题...). Every
later row is one record, its source line the line where the row starts (quoted cells may span
lines). A row that names no arXiv paper gives no entry; a table that breaks the csv reader is read
on from there by the generic scan, so no id is lost.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from enrich.digests import generic
from enrich.digests.base import SimpleFormat
from enrich.digests.document import Record
from enrich.digests.fields import entries_of, field_of
from enrich.models import DigestEntry

__all__ = ["FORMAT", "NAME", "parse", "records", "sniff"]

NAME = "csv"
_DELIMITERS = ",;\t|"
_SAMPLE = 16384


def _dialect(text: str, path: str) -> type[csv.Dialect] | csv.Dialect:
    if path.lower().endswith(".tsv"):
        return csv.excel_tab
    sample = text[:_SAMPLE]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return csv.excel_tab if first.count("\t") > first.count(",") else csv.excel


def records(text: str, path: str) -> tuple[list[Record], int | None]:
    """The table's rows as records, and the line where the csv reader gave up (or None)."""
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text, path))
    found: list[Record] = []
    header: list[str | None] = []
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not header:
                header = [field_of(cell) for cell in row]
                if any(header):
                    continue
                header = [None] * len(row)  # no header row: the cells are only scanned for ids
            if not any(cell.strip() for cell in row):
                continue
            record = Record(line=start, end_line=line - 1, text="\t".join(row))
            for name, cell in zip(header, row, strict=False):
                if name is not None and cell.strip():
                    record.add(name, cell.strip(), "structured")
            found.append(record)
    except csv.Error:
        return found, line
    return found, None


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    found, broken = records(text, path)
    yield from entries_of(found, path, NAME)
    if broken is not None:  # read the rest as text: ids there are not lost
        offset = _offset_of_line(text, broken)
        rest = "\n" * (broken - 1) + text[offset:]
        yield from generic.scan(rest, path, NAME)


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset


def sniff(text: str, path: str) -> float:
    lowered = path.lower()
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if not any(d in first for d in _DELIMITERS):
        return 0.0
    if lowered.endswith((".csv", ".tsv")):
        return 0.9
    if first.lstrip().startswith(("#", "|", "<", "[", "{", "-", "*")):
        return 0.0
    try:
        cells = next(csv.reader([first.rstrip("\r")], _dialect(first, path)), [])
    except csv.Error:
        return 0.0
    labelled = sum(1 for cell in cells if field_of(cell) is not None)
    return 0.7 if labelled >= 2 and len(cells) >= 3 else 0.0


FORMAT = SimpleFormat(
    name=NAME,
    description="CSV / TSV paper tables with a header row (Zotero CSV too)",
    sniff_fn=sniff,
    parse_fn=parse,
)
