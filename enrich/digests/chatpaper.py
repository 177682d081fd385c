"""ChatPaperFree daily posts (the Hexo blog Kedreamix/MyBlog, written with Kedreamix/ChatPaperFree).

After a YAML front matter, one block per paper:

    ## Title as arXiv gives it (with its line-fold spaces)
    **Authors:A. Author, B. Author**
    abstract (cut)
    [PDF](http://arxiv.org/abs/2408.14227v1) arXiv comment
    **Summary** / **Key Takeaways** / **[ChatPaperFree](...)**   <- written by a language model
    1. Title: ...   2. Authors: ...   5. Urls: https://arxiv.org/abs/...        (newer template)
    <ol><li>标题：...</li><li>作者：...</li><li>论文链接：...</li></ol>         (older template)

The header (title, **Authors:**, abstract, [PDF] link and the comment after it) was copied from
arXiv: it is the entry. Everything after the [PDF] line was written by a model; it gives claims:

- field "title": each title line of the summary (also a repeat in translation). When a line pairs
  a title with a translation in parentheses (either order), the part in Latin script is kept; a
  title only in Chinese is kept as written.
- field "authors": each author list of the summary (names; `authors_truncated` when it ends in
  "et al."/"等"). Placeholder text ("[Authors' names not provided in the text]",
  "（请提供作者名单）") states nothing about the authors and gives NO claim.
- field "arxiv_id": every arXiv link or id in the summary (its Urls:/论文链接 lines count bare ids
  too), as written with its version; origin "summary link" on a link line, else "summary".
- field "categories" / "date": the "[cs.CV] 26 Aug 2024" stamp written after such an id.

Links to other sites (GitHub, project pages) in the summary are not claims about arXiv and are
skipped. The post's own date is the day the post was written, not the paper's date: `date` is None.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from enrich.digests.base import LABELLED, SimpleFormat
from enrich.digests.blocks import entries_between
from enrich.digests.links import version_of
from enrich.digests.text import clean_text, clean_title, line_of, split_authors
from enrich.ids import find_arxiv_ids
from enrich.models import Claim, DigestEntry, Source
from enrich.runtime import regex
from enrich.text import is_placeholder

__all__ = ["FORMAT"]

NAME = "chatpaperfree"

_HEADING = regex(r"^##[ \t]+(?P<title>.*)$", re.MULTILINE)
_FRONT_MATTER = regex(r"\A\s*---[ \t]*\n.*?\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_AUTHORS = regex(r"^\s*\*\*\s*Authors?\s*[:：]", re.IGNORECASE)
_PDF = regex(r"^\s*\[PDF\]\((?P<url>[^()\s]*)\)(?P<comment>.*)$", re.IGNORECASE)
_ENTRY_SIGN = regex(r"^\s*\*\*\s*Authors?\s*[:：]|^\s*\[PDF\]\(", re.IGNORECASE | re.MULTILINE)
_SUMMARY_START = regex(
    r"^\s*(?:\*\*(?:Summary|摘要|Key Takeaways|要点|\[ChatPaperFree\])|<ol>)", re.IGNORECASE
)
_CHATPAPER_MARK = regex(r"^\s*\*\*\[ChatPaperFree\]", re.IGNORECASE)
_URL = regex(r"https?://[^\s()<>\[\]`\"'，。、；）]+")

# Summary lines: list markup and emphasis around a "Label: value" pair.
_LEAD = regex(r"^(?:\s+|<[^<>]{0,40}>|\d{1,2}\s*[.)、．]\s*|[-*•+]\s+|\*\*|__)+")
_TRAIL_TAGS = regex(r"(?:\s*</?(?:li|p|ol|ul|code|pre)\b[^<>]*>)+\s*$", re.IGNORECASE)
_LABEL = regex(r"^(?P<label>[^:：\n]{1,30}?)\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(?P<value>.*)$")
_NUMBERED = regex(r"^\s*(?:<[^<>]{0,40}>\s*)*\d{1,2}\s*[.)、．]\s")
_STOP = regex(r"^\s*(?:</ol>|<details|#|\*\*\[ChatPaperFree)", re.IGNORECASE)
_TITLE_LABEL = regex(r"(?:paper\s*)?title|(?:论文|中文|英文)?(?:标题|题目)", re.IGNORECASE)
_AUTHORS_LABEL = regex(
    r"authors?(?:'?\s*names?)?|author\s*list|作者(?:名单|列表|姓名|们)?(?:及.{0,10})?",
    re.IGNORECASE,
)
_URLS_LABEL = regex(
    r"urls?|links?|paper(?:\s*links?)?|paper_info|arxiv|(?:论文)?(?:链接|地址)|github.{0,10}",
    re.IGNORECASE,
)
_OTHER_LABEL = regex(
    r"affiliations?|keywords?|summary|methods?|conclusions?|abstract|background|"
    r".{0,8}(?:单位|机构|隶属|所属|关键词|摘要|方法|结论|中文翻译|工作量|创新点|性能|背景).{0,8}",
    re.IGNORECASE,
)
# ChatPaper's template writes "[作者姓名]" / "（待补充）" where it has no names: a field that
# is only a bracketed note is its placeholder (the vocabulary is enrich.text.is_placeholder).
_BRACKETED = regex(r"^\s*(?:\[[^\[\]]*\]|（[^（）]*）|\([^()]*\))\s*$")
_STAMP = regex(
    r"\s*\[(?P<cats>[a-z][a-z-]*(?:\.[A-Za-z-]+)?(?:\s*[,;]?\s*[a-z][a-z-]*(?:\.[A-Za-z-]+)?)*)\]"
    r"(?:\s*(?P<date>\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}))?"
)
_CJK = regex(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_LATIN = regex(r"[A-Za-z]")
_TRANSLATION = regex(r"^(?P<a>.+?)\s*[(（](?P<b>[^()（）]+)[)）]\s*$")
_SNIFF_PDF = regex(r"^\[PDF\]\((?:https?://)?(?:export\.)?arxiv\.org/", re.MULTILINE)
_SNIFF_AUTHORS = regex(r"^\*\*Authors?:", re.MULTILINE)
_SNIFF_LIMIT = 200_000


def sniff(text: str, path: str) -> float:
    """Sure when `[PDF](arxiv link)` lines come with ChatPaperFree marks or `**Authors:` lines."""
    head = text[:_SNIFF_LIMIT]
    pdf = len(_SNIFF_PDF.findall(head))
    authors = len(_SNIFF_AUTHORS.findall(head))
    marked = "ChatPaperFree" in head or "Kedreamix" in head
    if pdf and marked:
        return 0.95
    if pdf >= 2 and authors >= 2:
        return 0.8
    if pdf == 1 and authors == 1:
        return 0.6
    if marked and authors:
        return 0.55
    return 0.0


def _urls(text: str, into: list[str]) -> None:
    for url in _URL.findall(text):
        url = url.rstrip(".,;:")
        if url not in into:
            into.append(url)


# --- the model-written summary ---------------------------------------------------------------


@dataclass
class _Field:
    kind: str  # "title" | "authors" | "urls"
    line: int
    value: str
    lines: set[int] = field(default_factory=set)  # every line the field spans


def _normalise(raw: str) -> str:
    text = _LEAD.sub("", raw.strip())
    return _TRAIL_TAGS.sub("", text).strip()


def _label(text: str) -> tuple[str | None, str]:
    """The kind of a "Label: value" line ("title", "authors", "urls", "other") and its value."""
    m = _LABEL.match(text)
    if not m:
        return None, text
    label = m.group("label").replace("*", "").strip()
    value = m.group("value")
    for kind, pattern in (
        ("title", _TITLE_LABEL),
        ("authors", _AUTHORS_LABEL),
        ("urls", _URLS_LABEL),
        ("other", _OTHER_LABEL),
    ):
        if pattern.fullmatch(label):
            return kind, value
    return None, text


def _fields(lines: list[str], first_line: int) -> list[_Field]:
    """The labelled title/authors/urls fields of the summary's numbered or <ol> list."""
    found: list[_Field] = []
    i = 0
    while i < len(lines):
        kind, value = _label(_normalise(lines[i]))
        if kind in (None, "other"):
            i += 1
            continue
        assert kind is not None
        current = _Field(kind, first_line + i, value.strip(), {first_line + i})
        j = i + 1
        parts: list[str] = [current.value] if current.value else []
        # an empty value continues on the next lines; a Urls value may go on too
        while j < len(lines) and j - i <= 30 and (not current.value or kind == "urls"):
            raw = lines[j]
            if _STOP.match(raw) or _NUMBERED.match(raw):
                break
            text = _normalise(raw)
            if not text:
                if parts and kind != "urls":
                    break
                if kind == "urls" and not raw.strip():
                    break
                j += 1
                continue
            next_kind, _ = _label(text)
            if next_kind is not None and next_kind != "urls":
                break
            if next_kind == "urls" and kind != "urls":
                break
            parts.append(text)
            current.lines.add(first_line + j)
            j += 1
        sep = " " if kind != "authors" else ", "
        current.value = sep.join(parts)
        found.append(current)
        i = j if j > i else i + 1
    return found


def _pick_title(value: str) -> str:
    """The title in Latin script when the model paired it with a translation in parentheses."""
    text = clean_text(value)
    text = re.sub(r"^(?:中文翻译|英文|English)\s*[:：]\s*", "", text).rstrip("。").strip()
    m = _TRANSLATION.match(text)
    if m:
        a, b = m.group("a").strip(), m.group("b").strip()
        a_cjk, b_cjk = bool(_CJK.search(a)), bool(_CJK.search(b))
        if a_cjk and not b_cjk and _LATIN.search(b):
            return clean_title(b)
        if b_cjk and not a_cjk and _LATIN.search(a):
            return clean_title(a)
    return clean_title(text)


def _is_placeholder(value: str) -> bool:
    text = clean_text(value)
    return bool(not text or is_placeholder(text) or _BRACKETED.match(text))


def _summary_claims(lines: list[str], first_line: int) -> list[Claim]:
    claims: list[Claim] = []
    mark = next((k for k, raw in enumerate(lines) if _CHATPAPER_MARK.match(raw)), 0)
    fields = _fields(lines[mark:], first_line + mark)
    url_lines: set[int] = set()
    for f in fields:  # every title and author list, also a repeat in translation
        if f.kind == "urls":
            url_lines |= f.lines
        elif f.kind == "title":
            title = _pick_title(f.value)
            if title:
                claims.append(Claim(field="title", value=title, line=f.line, origin="summary"))
        elif f.kind == "authors":
            if _is_placeholder(f.value):
                continue
            names, truncated = split_authors(f.value)
            if names:
                claims.append(
                    Claim(
                        field="authors",
                        value=names,
                        line=f.line,
                        origin="summary",
                        authors_truncated=truncated,
                    )
                )
    for k, raw in enumerate(lines):
        number = first_line + k
        on_link_line = number in url_lines
        origin = "summary link" if on_link_line else "summary"
        for found in find_arxiv_ids(raw, bare=on_link_line):
            claims.append(Claim(field="arxiv_id", value=found.text, line=number, origin=origin))
            stamp = _STAMP.match(raw, found.end)
            if not stamp:
                continue
            cats = [c for c in re.split(r"[\s,;]+", stamp.group("cats")) if c]
            claims.append(Claim(field="categories", value=cats, line=number, origin=origin))
            if stamp.group("date"):
                try:
                    day = dt.datetime.strptime(stamp.group("date"), "%d %b %Y").date()
                except ValueError:
                    continue
                claims.append(
                    Claim(field="date", value=day.isoformat(), line=number, origin=origin)
                )
    return claims


# --- entries ---------------------------------------------------------------------------------


def _entry(text: str, path: str, start: int, end: int, title: str) -> DigestEntry:
    first_line = line_of(text, start)
    source = Source(path=path, line=first_line, format=NAME)
    lines = text[start:end].split("\n")
    links: list[str] = []
    _urls(lines[0], links)

    authors: list[str] = []
    truncated = False
    arxiv_id: str | None = None
    comment: str | None = None
    abstract_lines: list[str] = []
    header_end = len(lines)
    for k in range(1, len(lines)):
        raw = lines[k]
        pdf = _PDF.match(raw)
        if pdf:
            arxiv_id = pdf.group("url").strip() or None
            comment = clean_text(pdf.group("comment")) or None
            _urls(raw, links)
            header_end = k + 1
            break
        if _SUMMARY_START.match(raw):
            header_end = k
            break
        if _AUTHORS.match(raw) and not authors and not abstract_lines:
            authors, truncated = split_authors(raw)
            _urls(raw, links)
            continue
        if raw.strip():
            abstract_lines.append(raw.strip())

    claims = _summary_claims(lines[header_end:], first_line + header_end)
    return DigestEntry(
        arxiv_id=arxiv_id,
        version=version_of(arxiv_id),
        title=clean_title(title) or None,
        authors=authors,
        authors_truncated=truncated,
        abstract=clean_text(" ".join(abstract_lines)) or None,
        comment=comment,
        links=links,
        source=source,
        claims=claims,
    )


def _starts(text: str) -> list[re.Match[str]]:
    """Entry headings: a `## ` heading whose block has the header signs (a `## ` written inside a
    model summary stays part of the entry above it)."""
    front = _FRONT_MATTER.match(text)
    heads = list(_HEADING.finditer(text, front.end() if front else 0))
    kept: list[re.Match[str]] = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        if not kept or _ENTRY_SIGN.search(text, m.end(), end):
            kept.append(m)
    return kept


def parse(text: str, path: str) -> Iterator[DigestEntry]:
    """One entry per paper heading, in file order."""
    try:
        heads = _starts(text)
    except Exception:  # pragma: no cover - regexes on str do not fail; keep parse total anyway
        heads = []
    yield from entries_between(
        text, path, NAME, heads, lambda start, end, m: _entry(text, path, start, end, m["title"])
    )


FORMAT = SimpleFormat(
    name=NAME,
    description="ChatPaperFree Hexo posts: ## title, **Authors:**, [PDF](link), LLM summary",
    sniff_fn=sniff,
    parse_fn=parse,
    provenance=LABELLED,
)
