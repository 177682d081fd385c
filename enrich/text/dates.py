"""Dates as digests write them: one parser for every reader. Pure; never raises.

`parse_date` reads a full calendar date: 2022-09-24, 2022.09.24, 2022/9/24, an ISO timestamp
(2024-01-05T12:00:00Z, 2024-01-05 12:00), 2022年9月24日, 13 Aug 2023, Aug 13, 2023, and an e-mail /
RSS date (Mon, 05 Jan 2024 00:00:00 -0500). A bare year or a month alone is not a date: None.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from enrich.runtime import regex

__all__ = ["parse_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = regex(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_TIMESTAMP = regex(
    r"(\d{4})-(\d{2})-(\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_CJK = regex(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_DMY = regex(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")
_MDY = regex(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")
_MAIL = regex(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")


def parse_date(text: str | None) -> dt.date | None:
    """A full calendar date (see the module docstring), else None."""
    if not text:
        return None
    s = text.strip()
    try:
        for pattern in (_ISO, _TIMESTAMP, _CJK):
            if m := pattern.fullmatch(s):
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _DMY.fullmatch(s)) and m[2].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        if (m := _MDY.fullmatch(s)) and m[1].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        if _MAIL.match(s):
            return email.utils.parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return None
