"""BibTeX syntax: the @entries of a text, their fields and values (no meaning given to them).

The parser is a small tolerant hand parser (no dependency): it reads
`@type{key, field = value, ...}` entries with braced, quoted, numeric and `@string` macro values
joined by `#`, skips `@comment` and `@preamble`, and never raises. A value never runs into the
next line-start `@type{`: one whose braces or quotes never close ends with its own first line,
and the fields after it are still read; an entry that never closes ends where the next one
begins. Stray text between entries is ignored, as BibTeX itself does.

Not a format (bibtex.py is: it turns these items into entries).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from enrich.digests.generic import LineIndex
from enrich.runtime import regex

__all__ = ["LINE_ENTRY_START", "BibItem", "BibReader", "read_items"]

log = logging.getLogger(__name__)

_ENTRY_START = regex(r"@[ \t]*([A-Za-z][\w:-]*)[ \t\r\n]*([{(])")
LINE_ENTRY_START = regex(r"(?m)^[ \t]*@[ \t]*[A-Za-z][\w:-]*[ \t\r\n]*[{(]")
_FIELD_NAME = regex(r"[^\s=,{}()\"#@]+")
_MACRO_NAME = regex(r"[A-Za-z_][\w:.+/'-]*")
_NUMBER = regex(r"\d+")
_KEY = regex(r"\s*([^\s,={}()\"#]*)\s*(,)?")
_WS = regex(r"\s*")
_MONTHS = {
    m: m.capitalize()
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}
_NOT_ENTRIES = {"comment", "preamble", "string"}


@dataclass(frozen=True)
class BibItem:
    """One @entry as read: lower-case type and field names; values raw (macros expanded)."""

    type: str
    key: str
    line: int
    start: int
    fields: dict[str, tuple[str, int]]  # name -> (raw value, offset of the value)
    closed: bool = True  # False: its braces never close (it ends where the next entry starts)


class BibReader:
    """Reads @entries one by one from a BibTeX text; never raises."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.macros: dict[str, str] = dict(_MONTHS)
        self.line_of = LineIndex(text)
        self.closed = True  # did the last entry's fields end with its closing brace?

    def _at_line_entry(self, pos: int) -> bool:
        """Whether an `@type{` starting a line stands at `pos` (only blanks before it)."""
        m = LINE_ENTRY_START.match(self.text, self.text.rfind("\n", 0, pos) + 1)
        return m is not None and self.text.find("@", m.start()) == pos

    def _skip_ws(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def _braced(self, pos: int) -> tuple[str, int]:
        """`pos` is at "{": the inside and the position after the matching "}"."""
        depth = 0
        i = pos
        text = self.text
        while i < self.n:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[pos + 1 : i], i + 1
            elif ch == "\n" and LINE_ENTRY_START.match(text, i + 1):
                break  # a value does not run into the next entry
            i += 1
        return self._unclosed(pos)

    def _unclosed(self, pos: int) -> tuple[str, int]:
        """A value that never closes: it is taken to end with its first line."""
        end = self.text.find("\n", pos)
        end = self.n if end < 0 else end
        return self.text[pos + 1 : end], end

    def _quoted(self, pos: int) -> tuple[str, int]:
        depth = 0
        i = pos + 1
        text = self.text
        while i < self.n:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth = max(0, depth - 1)
            elif ch == '"' and depth == 0:
                return text[pos + 1 : i], i + 1
            elif ch == "\n" and LINE_ENTRY_START.match(text, i + 1):
                break
            i += 1
        return self._unclosed(pos)

    def _value(self, pos: int, close: str) -> tuple[str, int]:
        """A value: parts joined by '#'. Returns the text and the position after it."""
        parts: list[str] = []
        while True:
            pos = self._skip_ws(pos)
            if pos >= self.n:
                break
            ch = self.text[pos]
            if ch == "@" and self._at_line_entry(pos):
                break  # the value is missing and the next entry starts here
            if ch == "{":
                part, pos = self._braced(pos)
            elif ch == '"':
                part, pos = self._quoted(pos)
            elif m := _NUMBER.match(self.text, pos):
                part, pos = m.group(0), m.end()
            elif m := _MACRO_NAME.match(self.text, pos):
                part, pos = self.macros.get(m.group(0).lower(), m.group(0)), m.end()
            else:
                # not a value: take the raw text up to the next comma or the closing delimiter
                end = pos
                while end < self.n and self.text[end] not in ",\n" + close:
                    end += 1
                part, pos = self.text[pos:end], end
            parts.append(part)
            after = self._skip_ws(pos)
            if after < self.n and self.text[after] == "#":
                pos = after + 1
                continue
            break
        return "".join(parts), pos

    def _fields(self, pos: int, close: str) -> tuple[dict[str, tuple[str, int]], int]:
        self.closed = True
        fields: dict[str, tuple[str, int]] = {}
        while True:
            before = pos
            while pos < self.n and (self.text[pos].isspace() or self.text[pos] == ","):
                pos += 1
            if pos >= self.n:
                self.closed = False
                return fields, self.n
            if self.text[pos] == close:
                return fields, pos + 1
            if self.text[pos] == "@" and self._at_line_entry(pos):
                self.closed = False
                return fields, pos  # an entry that never closed: the next one starts here
            m = _FIELD_NAME.match(self.text, pos)
            if m is None:
                pos += 1  # a stray character ("}", "(", '"', "#"): step over it
                continue
            name = m.group(0).lower()
            pos = self._skip_ws(m.end())
            if pos >= self.n or self.text[pos] != "=":
                continue  # a word without "= value": ignore it
            value_start = self._skip_ws(pos + 1)
            value, pos = self._value(pos + 1, close)
            if name not in fields:  # BibTeX keeps the first of two equal field names
                fields[name] = (value, value_start)
            if pos <= before:
                pos = before + 1

    def items(self) -> Iterator[BibItem]:
        pos = 0
        while pos < self.n:
            m = _ENTRY_START.search(self.text, pos)
            if m is None:
                return
            kind = m.group(1).lower()
            close = "}" if m.group(2) == "{" else ")"
            body = m.end()
            if kind in {"comment", "preamble"}:
                if m.group(2) == "{":
                    _, pos = self._braced(m.end() - 1)
                else:
                    end = self.text.find(")", body)
                    pos = end + 1 if end >= 0 else self.n
                pos = max(pos, m.end())
                continue
            if kind == "string":
                fields, pos = self._fields(body, close)
                for name, (value, _) in fields.items():
                    self.macros[name] = value
                pos = max(pos, m.end())
                continue
            # the key: up to the first comma (none when the entry starts with "field =")
            key = ""
            km = _KEY.match(self.text, body)
            if km and km.group(1):
                after = self._skip_ws(km.end(1))
                if after < self.n and self.text[after] == "=":
                    pass  # no key: the first field starts right away
                else:
                    key = km.group(1)
                    body = km.end()
            fields, pos = self._fields(body, close)
            pos = max(pos, m.end())
            yield BibItem(kind, key, self.line_of(m.start()), m.start(), fields, self.closed)


def read_items(text: str) -> list[BibItem]:
    """Every @entry of a BibTeX text (not @string/@comment/@preamble), in file order."""
    try:
        return list(BibReader(text).items())
    except Exception:  # pragma: no cover - the reader is written not to raise; stay safe anyway
        log.exception("BibTeX reader failed; no entries read")
        return []
