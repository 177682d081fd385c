"""Digest formats: one module per format, chosen by sniffing the content.

Every module in this package that defines `FORMAT` is a format (see base.py for the interface);
the registry finds them by name, so adding a format is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from functools import cache

from enrich.digests.base import DigestFormat
from enrich.errors import InputError
from enrich.models import DigestEntry

__all__ = ["all_formats", "get_format", "parse_digest", "sniff_format"]

_NOT_FORMATS = {
    "base",
    "bibtex_syntax",
    "blocks",
    "claims",
    "document",
    "fields",
    "links",
    "outline",
    "rows",
    "text",
}
FALLBACK = "generic"
# Asked when no dedicated format claims a file, before the generic scan: the outline readers
# for HTML and Markdown of any layout.
LAST_RESORTS = ("html", "markdown")


@cache
def all_formats() -> dict[str, DigestFormat]:
    found: dict[str, DigestFormat] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in _NOT_FORMATS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        fmt = getattr(module, "FORMAT", None)
        if fmt is not None:
            found[fmt.name] = fmt
    return found


def get_format(name: str) -> DigestFormat:
    formats = all_formats()
    if name not in formats:
        raise InputError(f"unknown format {name!r}; known: {', '.join(sorted(formats))}")
    return formats[name]


def sniff_format(text: str, path: str) -> DigestFormat:
    """The format that claims the text most strongly; the generic fallback when none does."""
    best: tuple[float, int, str] | None = None
    for name, fmt in all_formats().items():
        if name == FALLBACK or name in LAST_RESORTS:
            continue
        score = fmt.sniff(text, path)
        if score <= 0:
            continue
        key = (score, getattr(fmt, "priority", 0), name)
        if best is None or key > best:
            best = key
    if best is None or best[0] < 0.5:
        for name in LAST_RESORTS:
            resort = all_formats().get(name)
            if resort is not None and resort.sniff(text, path) > 0:
                return resort
        return get_format(FALLBACK) if FALLBACK in all_formats() else _no_format(path)
    return all_formats()[best[2]]


def _no_format(path: str) -> DigestFormat:
    raise InputError(f"{path}: no digest format recognises this file")


def parse_digest(text: str, path: str, format: str | None = None) -> Iterator[DigestEntry]:
    fmt = get_format(format) if format else sniff_format(text, path)
    return fmt.parse(text, path)
