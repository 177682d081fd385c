"""arXiv XML: an arXiv API (Atom) answer, and RSS 2.0 / RSS 1.0 (RDF) feeds of arXiv papers.

Parsed with lxml, safely: no entity expansion, no DTD, no network, no huge trees. Each Atom
<entry> and each RSS <item> is one entry:

  arxiv_id    Atom <id> (http://arxiv.org/abs/IDvN), else its links; RSS <link>, <guid>, the classic
              arXiv RSS title "Title. (arXiv:IDvN [cs.CL])", else the links in <description>.
              When the same paper is also written with a version, that versioned form is used.
  claims      any other id, or the same id with another version (field "arxiv_id")
  title       Atom <title> with white space folded (it is arXiv's own text: no markup is removed);
              RSS: the title of an arXiv-style "Title. (arXiv:ID [cat])" line in <title> or in the
              <description>, else <title> cleaned of HTML
  authors     Atom <author><name>; RSS <dc:creator> / <author>
  categories  <arxiv:primary_category> first, then <category term> (MSC/ACM codes that the legacy
              API listed as categories are not arXiv categories and are left out); RSS <category>
              and the "[cs.CL]" of the title line
  date        <published> (RSS: <pubDate> or <dc:date>)
  abstract    Atom <summary>; RSS: the <description> paragraphs that are neither the title line, nor
              links, nor in another script (feeds such as cn-chat-arxiv add a Chinese translation
              and summary: these are commentary, not statements about the paper, and are not kept)
  comment     <arxiv:comment>

Truncated or invalid XML never raises: the text is scanned with regular expressions for <entry> /
<item> blocks (the last one may be cut short) and read the same way; a text with no such block at
all is read by the generic scanner, so every arXiv id in it still becomes an entry.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from enrich.digests import generic
from enrich.digests.base import STRUCTURED, SimpleFormat
from enrich.digests.generic import LineIndex
from enrich.digests.text import (
    clean_name,
    clean_text,
    clean_title,
    split_authors,
    strip_html,
)
from enrich.ids import IdMatch, find_arxiv_ids
from enrich.models import Claim, DigestEntry, Source
from enrich.runtime import regex
from enrich.safexml import safe_xml_parser
from enrich.text.dates import parse_date
from enrich.text.markup import fold_space

__all__ = ["FORMAT", "NAME", "parse", "sniff"]

log = logging.getLogger(__name__)

NAME = "arxiv-xml"

_CATEGORY = regex(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
# The classic arXiv RSS title: "Title. (arXiv:2303.06074v1 [cs.CL] UPDATED)"
_RSS_TITLE = regex(
    r"^(?P<title>.*?)\s*\(\s*arXiv\s*:\s*(?P<id>[^\s\[\])]+)\s*(?:\[(?P<cats>[^\]]*)\])?"
    r"\s*(?P<status>[A-Z][A-Z ]*)?\)\s*$",
    re.S,
)
_ANNOUNCE = regex(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.I)
_PARAGRAPH_SPLIT = regex(r"</?p(?:\s[^<>]{0,200})?>|<br\s*/?>|\n\s*\n", re.I)
_FOREIGN = regex(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")
_FEED_ROOT = regex(r"<(?:[\w-]+:)?(feed|rss|RDF)(?=[\s>])", re.I)


@dataclass
class _Raw:
    """What one <entry> or <item> says, however it was read."""

    kind: str  # "entry" (Atom) or "item" (RSS)
    line: int
    id: str | None = None
    links: list[str] = field(default_factory=list)  # hrefs / link texts, alternate first
    title: str | None = None
    summary: str | None = None  # Atom summary/content, RSS description (HTML as text)
    published: str | None = None
    updated: str | None = None
    names: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)  # RSS dc:creator / author texts
    primary: str | None = None
    categories: list[str] = field(default_factory=list)
    comment: str | None = None


# --------------------------------------------------------------------------- the lxml reading


def _local(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(el: Any) -> str:
    return "".join(el.itertext())


def _from_element(el: Any) -> _Raw:
    kind = "entry" if _local(el) == "entry" else "item"
    raw = _Raw(kind=kind, line=int(el.sourceline or 1))
    alternate: list[str] = []
    other: list[str] = []
    for child in el:
        name = _local(child)
        if not name:
            continue
        value = _text(child)
        if name == "id" or name == "guid":
            raw.id = raw.id or value.strip()
        elif name == "link":
            href = child.get("href")
            if href is None:
                other.append(value.strip())
            elif child.get("rel", "alternate") == "alternate":
                alternate.append(href.strip())
            else:
                other.append(href.strip())
        elif name == "title":
            raw.title = value
        elif name in {"summary", "description"} or (
            name in {"content", "encoded"} and raw.summary is None
        ):
            raw.summary = value
        elif name in {"published", "pubDate", "date", "issued"}:
            raw.published = raw.published or value.strip()
        elif name == "updated":
            raw.updated = raw.updated or value.strip()
        elif name == "author":
            names = [_text(n) for n in child if _local(n) == "name"]
            if names:
                raw.names.extend(names)
            elif value.strip():
                raw.creators.append(value)
        elif name == "creator":
            raw.creators.append(value)
        elif name == "primary_category":
            raw.primary = child.get("term") or value.strip() or None
        elif name == "category":
            term = child.get("term")
            raw.categories.append(term if term is not None else value)
        elif name == "comment":
            raw.comment = value
    raw.links = [x for x in alternate + other if x]
    return raw


def _read_xml(text: str) -> list[_Raw] | None:
    """The entries/items of a well-formed feed; None when the XML is not well formed."""
    parser = safe_xml_parser(recover=False, encoding="utf-8")
    try:
        root = etree.fromstring(text.lstrip("\ufeff").encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    return [_from_element(el) for el in root.iter() if _local(el) in {"entry", "item"}]


# --------------------------------------------------------------------------- the regex reading

_CHUNK = regex(
    r"<(?:[\w-]+:)?(entry|item)(?=[\s>/])[^<>]{0,1000}>(.*?)"
    r"(?:</(?:[\w-]+:)?\1\s*>|(?=<(?:[\w-]+:)?\1(?=[\s>/]))|\Z)",
    re.S,
)
_CDATA = regex(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.S)


def _unescape(inner: str) -> str:
    parts: list[str] = []
    pos = 0
    for m in _CDATA.finditer(inner):
        parts.append(html.unescape(re.sub(r"<[^<>]*>", "", inner[pos : m.start()])))
        parts.append(m.group(1))
        pos = m.end()
    parts.append(html.unescape(re.sub(r"<[^<>]*>", "", inner[pos:])))
    return "".join(parts)


def _tag_pattern(names: str) -> re.Pattern[str]:
    return regex(
        rf"<(?:[\w-]+:)?({names})(?=[\s>/])([^<>]{{0,1000}}?)(?:/>|>(.*?)</(?:[\w-]+:)?\1\s*>)",
        re.S,
    )


_FIELDS = _tag_pattern(
    "id|guid|link|title|summary|description|content|encoded|published|pubDate|date|issued|updated"
    "|author|creator|primary_category|category|comment"
)
_NAME_TAG = _tag_pattern("name")
_ATTR = regex(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2) or m.group(3) or "") for m in _ATTR.finditer(raw)}


def _from_chunk(m: re.Match[str], line_of: LineIndex) -> _Raw:
    raw = _Raw(kind=m.group(1), line=line_of(m.start()))
    alternate: list[str] = []
    other: list[str] = []
    for f in _FIELDS.finditer(m.group(2)):
        name, attrs, inner = f.group(1), _attrs(f.group(2)), f.group(3) or ""
        value = _unescape(inner)
        if name in {"id", "guid"}:
            raw.id = raw.id or value.strip()
        elif name == "link":
            href = attrs.get("href")
            if href is None:
                other.append(value.strip())
            elif attrs.get("rel", "alternate") == "alternate":
                alternate.append(href.strip())
            else:
                other.append(href.strip())
        elif name == "title":
            raw.title = raw.title if raw.title is not None else value
        elif name in {"summary", "description", "content", "encoded"}:
            # the HTML of an RSS description arrives escaped: unescaping once gives the HTML
            raw.summary = raw.summary if raw.summary is not None else value
        elif name in {"published", "pubDate", "date", "issued"}:
            raw.published = raw.published or value.strip()
        elif name == "updated":
            raw.updated = raw.updated or value.strip()
        elif name == "author":
            names = [_unescape(n.group(3) or "") for n in _NAME_TAG.finditer(inner)]
            if names:
                raw.names.extend(names)
            elif value.strip():
                raw.creators.append(value)
        elif name == "creator":
            raw.creators.append(value)
        elif name == "primary_category":
            raw.primary = attrs.get("term") or value.strip() or None
        elif name == "category":
            raw.categories.append(attrs.get("term", value))
        elif name == "comment":
            raw.comment = value
    raw.links = [x for x in alternate + other if x]
    return raw


def _read_regex(text: str) -> list[_Raw]:
    lines = LineIndex(text)
    return [_from_chunk(m, lines) for m in _CHUNK.finditer(text)]


# --------------------------------------------------------------------------- entries


def _fold(text: str | None) -> str | None:
    if text is None:
        return None
    folded = fold_space(unicodedata.normalize("NFC", text))
    return folded or None


def _categories(raw: _Raw, extra: list[str]) -> list[str]:
    cats: list[str] = []
    for value in [raw.primary or "", *raw.categories, *extra]:
        for cat in re.split(r"[\s,;]+", value.strip()):
            if cat and _CATEGORY.match(cat) and cat not in cats:
                cats.append(cat)
    return cats


def _paragraphs(description: str) -> list[str]:
    out: list[str] = []
    for part in _PARAGRAPH_SPLIT.split(description):
        cleaned = clean_text(part)
        if cleaned:
            out.append(cleaned)
    return out


def _foreign(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _FOREIGN.match(c)) > 0.3 * len(letters)


@dataclass(frozen=True)
class _Occurrence:
    match: IdMatch
    origin: str
    line: int


def _entry(raw: _Raw, text: str, path: str) -> DigestEntry:
    occurrences: list[_Occurrence] = []

    def add(value: str | None, origin: str, *, links_only: bool = False) -> None:
        if not value:
            return
        for m in find_arxiv_ids(value):
            if links_only and not m.in_link:
                continue
            occurrences.append(_Occurrence(m, origin, raw.line))

    title: str | None = None
    abstract: str | None = None
    extra_cats: list[str] = []
    if raw.kind == "entry":
        add(raw.id, "id")
        for link in raw.links:
            add(link, "link")
        title = _fold(raw.title)
        abstract = _fold(raw.summary)
    else:
        for link in raw.links:
            add(link, "link")
        add(raw.id, "guid")
        line_title = _RSS_TITLE.match(clean_text(raw.title or ""))
        paragraphs = _paragraphs(raw.summary or "")
        if line_title is None:
            line_title = next(filter(None, (_RSS_TITLE.match(p) for p in paragraphs)), None)
        if line_title is not None:
            add("arXiv:" + line_title.group("id"), "title")
            extra_cats = [line_title.group("cats") or ""]
            title = clean_title(line_title.group("title")).rstrip(".").strip() or None
        else:
            title = clean_title(raw.title or "") or None
        add(strip_html(raw.summary or ""), "description link", links_only=True)
        kept = [
            p
            for p in paragraphs
            if not _RSS_TITLE.match(p)
            and not _foreign(p)
            and p != title
            and not re.fullmatch(r"\W*(?:\S*://\S*|\[[^\]]*\]\([^)]*\))\W*", p)
        ]
        abstract = _ANNOUNCE.sub("", " ".join(kept)).strip() or None

    main = occurrences[0] if occurrences else None
    claims: list[Claim] = []
    if main is not None and main.match.arxiv_id.version is None:
        main = next(
            (
                o
                for o in occurrences
                if o.match.arxiv_id.id == main.match.arxiv_id.id
                and o.match.arxiv_id.version is not None
            ),
            main,
        )
    if main is not None:
        seen = {(main.match.arxiv_id.id, main.match.arxiv_id.version)}
        for o in occurrences:
            aid = o.match.arxiv_id
            if (aid.id, aid.version) in seen or (
                aid.id == main.match.arxiv_id.id and aid.version is None
            ):
                continue
            seen.add((aid.id, aid.version))
            claims.append(Claim(field="arxiv_id", value=o.match.text, line=o.line, origin=o.origin))

    if raw.names:
        authors = [n for n in (clean_name(x) for x in raw.names) if n]
        truncated = False
    else:
        authors, truncated = [], False
        if len(raw.creators) == 1:
            authors, truncated = split_authors(raw.creators[0])
        else:
            for creator in raw.creators:
                names, cut = split_authors(creator)
                authors.extend(names)
                truncated = truncated or cut

    links = [x for x in raw.links if re.match(r"https?://", x)]
    if not links and raw.id and re.match(r"https?://", raw.id):
        links.append(raw.id.strip())  # an RSS guid that is the paper's address
    return DigestEntry(
        arxiv_id=main.match.text if main else None,
        version=main.match.arxiv_id.version if main else None,
        title=title,
        authors=authors,
        authors_truncated=truncated,
        categories=_categories(raw, extra_cats),
        date=parse_date(raw.published) or parse_date(raw.updated),
        abstract=abstract,
        comment=_fold(raw.comment),
        links=list(dict.fromkeys(links)),
        source=Source(path=path, line=raw.line, format=NAME),
        claims=claims,
    )


def _entries(text: str, path: str) -> list[DigestEntry]:
    raws = _read_xml(text)
    if raws is None:
        log.info("%s: not well-formed XML; reading entries with a text scan", path)
        raws = _read_regex(text)
    if not raws:
        return generic.scan(text, path, NAME)
    entries: list[DigestEntry] = []
    for raw in raws:
        try:
            entries.append(_entry(raw, text, path))
        except Exception as exc:  # one odd entry must not cost the others
            log.warning("%s:%d: feed entry not read: %s", path, raw.line, exc)
            entries.append(
                DigestEntry(
                    source=Source(path=path, line=raw.line, format=NAME),
                    status="invalid",
                    error=f"feed entry could not be read: {exc}",
                )
            )
    return entries


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    try:
        entries = _entries(text, path)
    except Exception:  # a safety net: the readers are written not to raise
        log.exception("%s: feed reading failed; scanning for ids", path)
        entries = generic.scan(text, path, NAME)
    yield from entries


def sniff(text: str, path: str) -> float:
    head = text[:4000].lstrip("\ufeff \t\r\n")
    if not head.startswith("<"):
        return 0.0
    m = _FEED_ROOT.search(head)
    if m is None or re.search(r"<(?:[\w-]+:)?html(?=[\s>])", head[: m.start()], re.I):
        return 0.0
    return 0.95 if re.search(r"arxiv", text[:50_000], re.I) else 0.6


FORMAT = SimpleFormat(
    name=NAME,
    description="arXiv API Atom answers and RSS/RDF feeds of arXiv papers",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=STRUCTURED,
)
