"""Helpers shared by the markdown/HTML list and table parsers (cv-arxiv-daily, DailyArXiv, ...).

Not a format (the leading underscore keeps the registry away). Pure functions, no I/O.

  links_in(text)        every link in a piece of markdown/HTML: label, target, span, image or not
  urls_in(text)         every URL a reader could follow (image sources are decoration: left out)
  is_arxiv_url(url)     an arXiv page (abs/pdf/html/...), even when the id in it is malformed
  split_row(line)       a markdown table row into cells (escaped pipes, code spans, <details>)
  blank_comments(text)  HTML comments blanked out, line numbers kept
  safe_entry(...)       run an entry builder; an unexpected error becomes an invalid entry
  parse_date            re-exported from enrich/text/dates.py, the one date parser
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from enrich.digests.text import line_of
from enrich.ids import try_parse
from enrich.models import DigestEntry, Source
from enrich.text.dates import parse_date  # its home; re-exported for the readers

__all__ = [
    "Link",
    "blank_comments",
    "entries_between",
    "is_arxiv_url",
    "links_in",
    "parse_date",
    "pick_main",
    "safe_entry",
    "split_row",
    "urls_in",
    "version_of",
]

# [label](target) where the label may hold one nested image link or bracketed text, and the
# target may hold one level of parentheses (Wikipedia-style URLs).
_MD_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<target>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\s*\)"
)
_HTML_A = re.compile(
    r"<a\s[^>]*?href\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))[^>]*>"
    r"(?P<label>.*?)</a\s*>",
    re.IGNORECASE | re.DOTALL,
)
_IMG_SRC = re.compile(r"<img\s[^>]*?src\s*=\s*[\"']?(?P<src>[^\"'\s>]+)", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}|`]+", re.IGNORECASE)
_ARXIV_URL = re.compile(
    r"^(?:https?:)?//(?:www\.|export\.|[a-z]{2}\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TRAILING_PUNCT = ".,;:!?"


@dataclass(frozen=True, slots=True)
class Link:
    """One link: its visible label (markup kept), its target, where it stands, and its kind."""

    label: str
    url: str
    start: int
    end: int
    image: bool = False

    @property
    def name(self) -> str:
        """The label as plain words ("PDF", "Code"); for a badge, the image's alt text."""
        inner = _MD_LINK.search(self.label)
        text = inner.group("label") if inner and inner.group("bang") else self.label
        text = re.sub(r"<[^>]*>", "", text)
        return " ".join(html.unescape(text).split()).strip(" *_`[]")


def links_in(text: str) -> list[Link]:
    """Markdown links (badges too: the outer link; the image is `image=True`) and HTML anchors."""
    found: list[Link] = []
    for m in _MD_LINK.finditer(text):
        found.append(
            Link(
                m.group("label"),
                m.group("target").strip("<>"),
                m.start(),
                m.end(),
                bool(m.group("bang")),
            )
        )
        for inner in _MD_LINK.finditer(m.group("label")):
            offset = m.start("label")
            found.append(
                Link(
                    inner.group("label"),
                    inner.group("target"),
                    offset + inner.start(),
                    offset + inner.end(),
                    bool(inner.group("bang")),
                )
            )
    for m in _HTML_A.finditer(text):
        url = m.group("dq") or m.group("sq") or m.group("bare") or ""
        found.append(Link(m.group("label"), html.unescape(url.strip()), m.start(), m.end()))
    found.sort(key=lambda link: (link.start, -link.end))
    return found


def urls_in(text: str) -> list[str]:
    """Every URL in the text a reader can follow, in order, once each; image sources excluded."""
    images = {link.url for link in links_in(text) if link.image}
    images.update(html.unescape(m.group("src")) for m in _IMG_SRC.finditer(text))
    seen: dict[str, None] = {}
    for link in links_in(text):
        if not link.image and link.url.lower().startswith(("http://", "https://")):
            seen.setdefault(link.url, None)
    for m in _BARE_URL.finditer(text):
        url = html.unescape(m.group(0)).rstrip(_TRAILING_PUNCT)
        if url not in images and not any(url != known and known.startswith(url) for known in seen):
            seen.setdefault(url, None)
    return [url for url in seen if url not in images]


def is_arxiv_url(url: str) -> bool:
    return bool(_ARXIV_URL.match(url.strip()))


_TRAILING_VERSION = re.compile(r"v(\d+)(?:\.pdf)?/?$", re.IGNORECASE)


def version_of(written: str | None) -> int | None:
    """The version a written id or link names (None when unversioned); a link whose id is
    malformed still gives the `vN` it ends with, so the invalid entry keeps what it said."""
    if not written:
        return None
    parsed = try_parse(written)
    if parsed is not None:
        return parsed.version
    m = _TRAILING_VERSION.search(written)
    return int(m.group(1)) if m else None


def pick_main(links: Iterable[Link], preferred: tuple[str, ...]) -> Link | None:
    """The entry's main arXiv link: the first arXiv link whose name is one of `preferred`
    (case-insensitive), else the first arXiv link at all, else None."""
    arxiv = [link for link in links if not link.image and is_arxiv_url(link.url)]
    for link in arxiv:
        if link.name.lower() in preferred:
            return link
    return arxiv[0] if arxiv else None


_ROW_TOKEN = re.compile(r"\\\||<details\b|</details\s*>|\|", re.IGNORECASE)


def split_row(line: str) -> list[str]:
    """Cells of a markdown table row. `\\|` is a literal pipe (as in GFM, where a pipe splits
    even inside a code span); a pipe inside a <details>…</details> block does not split either
    (generated abstract cells hold raw `$|x|$`)."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells: list[str] = []
    buf: list[str] = []
    depth = 0
    pos = 0
    for token in _ROW_TOKEN.finditer(s):
        buf.append(s[pos : token.start()])
        pos = token.end()
        kind = token.group(0).lower()
        if kind == "\\|":
            buf.append("|")
            continue
        if kind == "|" and depth == 0:
            cells.append("".join(buf).strip())
            buf = []
            continue
        if kind.startswith("<details"):
            depth += 1
        elif kind.startswith("</details"):
            depth = max(0, depth - 1)
        buf.append(token.group(0))
    buf.append(s[pos:])
    cells.append("".join(buf).strip())
    if depth:  # an unclosed <details>: protecting it would swallow the rest of the row
        return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s)]
    return cells


def is_separator_row(line: str) -> bool:
    cells = split_row(line)
    return bool(cells) and all(re.fullmatch(r":?-{2,}:?", c.strip()) for c in cells)


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
