"""Entries cut from a text between start matches, built so that one odd entry never stops a file.

Not a format. Pure functions, no I/O.

  blank_comments(text)  HTML comments blanked out, line numbers kept
  safe_entry(...)       run an entry builder; an unexpected error becomes an invalid entry
  entries_between(...)  one entry per start match, up to the next
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial

from enrich.digests.text import line_of
from enrich.models import DigestEntry, Source
from enrich.runtime import regex

__all__ = ["blank_comments", "entries_between", "safe_entry"]

_COMMENT = regex(r"<!--.*?-->", re.DOTALL)


def blank_comments(text: str) -> str:
    """HTML comments replaced by spaces, newlines kept (offsets and line numbers stay right)."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def safe_entry(
    build: Callable[[], DigestEntry | None], path: str, line: int, format_name: str
) -> DigestEntry | None:
    """Build one entry; an unexpected error becomes an invalid entry, so parsing never raises and
    nothing is dropped silently."""
    try:
        return build()
    except Exception as exc:  # never let one odd entry stop the file
        return DigestEntry(
            source=Source(path=path, line=line, format=format_name),
            status="invalid",
            error=f"{path}:{line}: could not parse this entry ({type(exc).__name__}: {exc})",
        )


def entries_between(
    text: str,
    path: str,
    format_name: str,
    starts: Sequence[re.Match[str]],
    build: Callable[[int, int, re.Match[str]], DigestEntry | None],
) -> Iterator[DigestEntry]:
    """One entry per start match, spanning up to the next start (or the end of the text); each is
    built by `build(start, end, match)` under safe_entry, so one odd entry never stops the file."""
    for i, m in enumerate(starts):
        start = m.start()
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        entry = safe_entry(partial(build, start, end, m), path, line_of(text, start), format_name)
        if entry is not None:
            yield entry
