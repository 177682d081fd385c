"""Links in a piece of Markdown or HTML, and which of them name an arXiv paper.

Not a format. Pure functions, no I/O.

  Link                  one link: label (markup kept), target, span, image or not
  links_in(text)        every link in a piece of markdown/HTML: label, target, span, image or not
  urls_in(text)         every URL a reader could follow (image sources are decoration: left out)
  is_arxiv_url(url)     an arXiv page (abs/pdf/html/...), even when the id in it is malformed
  version_of(written)   the version a written id or link names
  pick_main(links, ...) the entry's main arXiv link
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from enrich.ids import try_parse
from enrich.runtime import regex
from enrich.text.markup import fold_space

__all__ = ["Link", "is_arxiv_url", "links_in", "pick_main", "urls_in", "version_of"]

# [label](target) where the label may hold one nested image link or bracketed text, and the
# target may hold one level of parentheses (Wikipedia-style URLs).
_MD_LINK = regex(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<target>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\s*\)"
)
_HTML_A = regex(
    r"<a\s[^>]*?href\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))[^>]*>"
    r"(?P<label>.*?)</a\s*>",
    re.IGNORECASE | re.DOTALL,
)
_IMG_SRC = regex(r"<img\s[^>]*?src\s*=\s*[\"']?(?P<src>[^\"'\s>]+)", re.IGNORECASE)
_BARE_URL = regex(r"https?://[^\s<>\"'()\[\]{}|`]+", re.IGNORECASE)
_ARXIV_URL = regex(
    r"^(?:https?:)?//(?:www\.|export\.|[a-z]{2}\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/",
    re.IGNORECASE,
)
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
        return fold_space(html.unescape(text)).strip(" *_`[]")


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


_TRAILING_VERSION = regex(r"v(\d+)(?:\.pdf)?/?$", re.IGNORECASE)


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
