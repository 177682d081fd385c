"""One field reader: labels, columns, keys and tags -> DigestEntry fields, for every reader.

`field_of(label)` maps a label as written ("**Authors:**", "作者：", "Primary category", a CSV
column, a JSON key such as `arxiv_id` or `externalIds.ArXiv`) to a canonical field name, or None.
Case, surrounding markup, emoji and the colon (`:` or `：`) do not matter. A text that is nothing
but a label is never a value (`is_label`).

`entries_of(records, path, format_name)` turns the records a reader made (see document.py) into
entries:
  arxiv_id   an id field first (arxiv_id, eprint, externalIds.ArXiv, an arXiv DOI), then the
             record's links, then its text; every other version of that paper in the record is a
             claim; a malformed id in an arXiv context (and no valid one) gives an invalid entry
  title      the title field; else a guess (link text, heading, emphasis) that is no label,
             count, date, site name or button
  authors    a list of names or of name objects ({family, given}, {firstName, lastName}, {name},
             OpenAlex authorships), or one line of names
  categories arXiv categories written in the field ("cs.CV cs.LG", "arXiv:1806.01401 [stat.ML]")
  date, abstract, comment, links
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterable, Iterator
from typing import Any

from enrich.digests.claims import WrittenId, main_id_and_claims
from enrich.digests.document import Record, Value
from enrich.ids import find_arxiv_ids, find_malformed_ids, try_parse
from enrich.models import DigestEntry, Provenance, Source
from enrich.runtime import regex
from enrich.taxonomy import taxonomy
from enrich.text import (
    clean_text,
    clean_title,
    drop_user_handles,
    split_author_field,
    structured_authors,
)
from enrich.text.dates import parse_date
from enrich.text.markup import fold_space

__all__ = [
    "FIELDS",
    "entries_of",
    "field_of",
    "is_label",
    "looks_like_title",
    "names_of",
    "record_id_values",
]

# Canonical field -> the labels that name it (folded: lower case, "_"/"-"/"." as spaces).
FIELDS: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "paper title",
        "paper",
        "headline",
        "标题",
        "题目",
        "论文标题",
        "论文题目",
        "タイトル",
        "題名",
        "ti",
        "t1",
    ),
    "authors": (
        "authors",
        "author",
        "author s",
        "by",
        "作者",
        "著者",
        "creators",
        "authorships",
        "author list",
        "authors list",
        "author names",
        "au",
        "a1",
    ),
    "categories": (
        "categories",
        "category",
        "subjects",
        "subject",
        "primary category",
        "primary",
        "arxiv category",
        "arxiv categories",
        "分类",
        "类别",
        "分野",
    ),
    "date": (
        "date",
        "published",
        "submitted",
        "updated",
        "published date",
        "publication date",
        "published at",
        "submitted at",
        "posted",
        "announced",
        "issued",
        "日期",
        "发布",
        "发布日期",
        "发表日期",
        "提交日期",
        "投稿日",
        "公開日",
        "da",
    ),
    "abstract": (
        "abstract",
        "summary",
        "tl dr",
        "tl;dr",
        "tldr",
        "摘要",
        "概要",
        "要約",
        "abstract note",
        "ab",
        "n2",
    ),
    "comment": ("comments", "comment", "备注", "注释"),
    "links": (
        "links",
        "link",
        "pdf",
        "code",
        "url",
        "urls",
        "abs url",
        "pdf url",
        "paper url",
        "paper link",
        "arxiv url",
        "arxiv link",
        "arxiv page url",
        "landing page url",
        "html url",
        "链接",
        "论文链接",
        "论文地址",
        "代码",
        "代码链接",
        "リンク",
        "ur",
        "l1",
    ),
    "id": (
        "arxiv id",
        "arxiv",
        "arxivid",
        "arxiv identifier",
        "eprint",
        "externalids arxiv",
        "arxiv no",
        "arxiv number",
    ),
    "maybe_id": ("id", "paper id", "doi", "identifier", "extra", "number", "do"),
    "version": ("version",),
    "venue": (
        "journal",
        "journal name",
        "venue",
        "container title",
        "publication title",
        "publication",
        "jo",
        "jf",
        "t2",
        "ja",
    ),
    "volume": ("volume", "vl"),
}
_LABELS = {label: name for name, labels in FIELDS.items() for label in labels}
_ARXIV_WORD = regex(r"arxiv", re.IGNORECASE)
_CAMEL = regex(r"(?<=[a-z])(?=[A-Z])")
_FOLD = regex(r"[\s_.\-/]+")
_LABEL_EDGE = regex(r"^[\W_]+|[\s:：*_`~]+$")
_MARKUP = regex(r"<[^<>]{0,200}>|\*+|`+|~~")


def _fold(label: str) -> str:
    text = _MARKUP.sub("", label).replace("(s)", " s").replace("（", "(").replace("）", ")")
    text = _CAMEL.sub(" ", _ARXIV_WORD.sub("arxiv", text))
    text = _LABEL_EDGE.sub("", text.strip())
    return _FOLD.sub(" ", text.lower()).strip(" :：()")


def field_of(label: str) -> str | None:
    """The canonical field a label, column, key or tag names, or None."""
    if len(label) > 60:
        return None
    return _LABELS.get(_fold(label))


def is_label(text: str) -> bool:
    """True when `text` is nothing but a label ("**Authors:**", "作者：", "Links")."""
    return bool(text.strip()) and field_of(text) is not None


# Words that are buttons, site names and navigation, never a paper's title.
_NOT_TITLE = regex(
    r"^(?:\W*(?:pdf|paper|papers|arxiv|arxiv\s*paper|abs|abstract|html|link|links|here|url|code"
    r"|project|project\s*page|page|homepage|github|video|tweet|twitter|website|web|demo|download"
    r"|read|more|read\s*more|source|preprint|full\s*text|view|details|hf|hugging\s*face"
    r"|openreview|doi|blog|slides|poster|bib|bibtex|cite|citation|data|dataset|model|weights|star"
    r"|stars|alphaxiv|ar5iv|semantic\s*scholar|papers\s*with\s*code|google\s*scholar|zotero"
    r"|查看|详情|查看详情|原文|论文|链接|代码|主页|项目主页|下载|阅读|全文|阅读原文)\W*)+$",
    re.IGNORECASE,
)
_BUTTONISH = regex(r"(?:查看|详情|点击|阅读原文|论文主页|访问)")
_DATE_LIKE = regex(
    r"^\W*(?:\d{1,4}(?:[-/.年月]\d{1,2}){1,2}[日]?|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}"
    r"|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})\W*$"
)
_COUNT_LIKE = regex(r"^[\W\d]*(?:\d+\s*(?:papers?|entries|items|results|篇|条|个)\W*)?$", re.I)


def looks_like_title(text: str) -> bool:
    """May a guessed `text` be a paper's title? Labels, counts, dates, buttons and site names
    may not."""
    if len(re.findall(r"[^\W\d_]", text)) < 2:
        return False
    if is_label(text) or _NOT_TITLE.match(text) or _DATE_LIKE.match(text):
        return False
    if _COUNT_LIKE.match(text) or (len(text) < 30 and _BUTTONISH.search(text)):
        return False
    return not (text.endswith((":", "：")) and len(text) < 40)


# "Title ⭐ 66", "Title 🔥 12": a star or like count after a guessed title
_TRAILING_COUNT = regex(r"\s+[^\w\s()\[\]]{1,3}\s*\d[\d,.]*[kK]?$")
_NUMBERING = regex(r"^\s*(?:\d{1,4}[.)、]|\[\d{1,4}\]|#\d{1,4})\s+")


# "[2403.03518] Title", "[2402.15789v4] Title": arXiv's own page title, copied as a link's text
_BRACKETED_ID = regex(r"^\s*\[\s*(?:arXiv\s*:\s*)?([^\[\]\s]{4,40})\s*\]\s*", re.IGNORECASE)


def without_id_prefix(title: str) -> str:
    """`title` without an arXiv id in brackets before it, as arXiv's pages title themselves."""
    m = _BRACKETED_ID.match(title)
    return title[m.end() :] if m is not None and try_parse(m.group(1)) is not None else title


def guessed_title(raw: str) -> str | None:
    """A guessed title (link text, heading, emphasis) cleaned, or None when it reads as no title."""
    title = without_id_prefix(clean_title(raw))
    title = _NUMBERING.sub("", title)
    for m in reversed(list(find_arxiv_ids(title, bare=False))):
        title = title[: m.start] + title[m.end :]
    title = _without_lone_brackets(_TRAILING_COUNT.sub("", fold_space(title)).strip(" -–—|:"))
    return title if looks_like_title(title) else None


_PAIRS = {"[": "]", "(": ")"}
_OPENERS = {"]": "[", ")": "("}


def _without_lone_brackets(title: str) -> str:
    """`title` without the brackets at its ends that close or open nothing in it (left where an id
    or a link went: "[2401.00001]" -> "]"), the separators with them; "[Review] Title" stays."""
    while title:
        first, last = title[0], title[-1]
        if first in "])" or (first in _PAIRS and _PAIRS[first] not in title[1:]):
            title = title[1:].lstrip(" -–—|:")
        elif last in _PAIRS or (last in "])" and _OPENERS[last] not in title[:-1]):
            title = title[:-1].rstrip(" -–—|:")
        else:
            return title
    return title


def _text_of(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, list):
        return " ".join(_text_of(x) for x in raw)
    if isinstance(raw, dict):
        return " ".join(_text_of(x) for x in raw.values())
    return ""


def names_of(raw: Any) -> tuple[list[str], bool]:
    """Author names from a list of names or name objects, or from one line of names (the one
    author-list reader, enrich.text); the second value is True when the list was cut."""
    if isinstance(raw, list):
        found = structured_authors(raw)
    elif isinstance(raw, dict):
        found = structured_authors([raw])
    else:
        found = split_author_field(_text_of(raw))
    return list(found.names), found.truncated


_CATEGORY = regex(r"(?<![\w.-])([a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2,}(?:-[A-Za-z]+)?)?)(?![\w-])")


def categories_of(raw: Any) -> list[str]:
    """arXiv categories in a value: "cs.CV cs.LG", ["cs.CV"], "arXiv:1806.01401 [stat.ML]"."""
    text = _text_of(raw).replace("{", "").replace("}", "")
    tax = taxonomy()
    found: list[str] = []
    for m in _CATEGORY.finditer(text):
        token = str(m.group(1))
        fixed = (tax.fix_case(token) or token) if "." in token else token
        if tax.is_known(fixed) or ("." in token and token.split(".")[0].lower() in tax.archives):
            found.append(fixed if tax.is_known(fixed) else token)
    return list(dict.fromkeys(found))


_CITED_CATEGORIES = regex(
    r"arxiv\}?\s*[:：]\s*(?:\d{4}\.\d{4,5}|[a-z-]+/\d{7})(?:v\d+)?\s*\[([^\[\]]{1,60})\]",
    re.IGNORECASE,
)
_ISO_START = regex(r"^\s*(\d{4}-\d{2}-\d{2})")


def date_of(raw: Any) -> dt.date | None:
    if isinstance(raw, dict) and isinstance(raw.get("date-parts"), list):  # CSL-JSON
        parts = raw["date-parts"][0] if raw["date-parts"] else []
        if isinstance(parts, list) and len(parts) >= 3:
            try:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            except (TypeError, ValueError):
                return None
        return None
    text = _text_of(raw).strip()
    if not text:
        return None
    if m := _ISO_START.match(text):
        return parse_date(m.group(1))
    found = parse_date(text)
    if found is None and "," in text:
        try:
            stamp = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return stamp.date() if stamp else None
    return found


def record_id_values(record: Record) -> list[Value]:
    """The values that may write the paper's id, most trusted first."""
    values = list(record.fields.get("id", []))
    for value in record.fields.get("maybe_id", []):
        if (
            any(True for _ in find_arxiv_ids(_text_of(value.raw)))
            or "arxiv" in _text_of(value.raw).lower()
        ):
            values.append(value)
    if any(_ARXIV_VENUE.match(_text_of(v.raw)) for v in record.fields.get("venue", [])):
        # dblp's CoRR style and its copies: journal "CoRR" / "ArXiv", volume "abs/2101.06569"
        for value in record.fields.get("volume", []):
            text = _ABS_VOLUME.sub("", _text_of(value.raw).strip())
            if text:
                values.append(Value(text, value.provenance, value.line))
    return values


_ARXIV_VENUE = regex(r"^\s*(?:arxiv|corr)\b", re.IGNORECASE)
_ABS_VOLUME = regex(r"^abs/", re.IGNORECASE)


def _ids_in(text: str, origin: str, line: int, *, bare: bool) -> list[WrittenId]:
    return [WrittenId(m.text, m.arxiv_id, origin, line) for m in find_arxiv_ids(text, bare=bare)]


def _written_ids(record: Record) -> list[WrittenId]:
    """Every writing of an id in the record, most trusted first: id fields, links, else text."""
    line = record.line
    written: list[WrittenId] = []
    for value in record_id_values(record):
        text = _text_of(value.raw)
        parsed = try_parse(text.strip())
        if parsed is not None:
            written.append(WrittenId(text.strip(), parsed, "id", line))
        else:
            written.extend(_ids_in(text, "id", line, bare=True))
    for value in record.fields.get("links", []):
        written.extend(_ids_in(_text_of(value.raw), "link", line, bare=False))
    for link in record.links:
        written.extend(_ids_in(link.url, "link", line, bare=False))
    if not written:
        written.extend(_ids_in(record.text, "text", line, bare=True))
    return written


def _malformed(record: Record) -> str | None:
    for value in record_id_values(record):
        text = _text_of(value.raw).strip()
        if (
            value in record.fields.get("id", [])
            and text
            and try_parse(text) is None
            and not any(True for _ in find_arxiv_ids(text))
        ):
            return text
    pieces = [_text_of(v.raw) for v in record.fields.get("links", [])]
    pieces += [link.url for link in record.links]
    pieces.append(record.text)
    for piece in pieces:
        for bad in find_malformed_ids(piece):
            return bad.text
    return None


def _first(record: Record, name: str) -> Value | None:
    return record.first(name)


def entry_of(record: Record, path: str, format_name: str) -> DigestEntry | None:
    """The entry a one-paper record makes, or None when the record names no arXiv paper."""
    main = main_id_and_claims(_written_ids(record), in_passing=("text",))
    source = Source(path=path, line=record.line, format=format_name)
    provenance: dict[str, Provenance] = {}
    data: dict[str, Any] = {"source": source}
    if main is None:
        bad = _malformed(record)
        if bad is None:
            return None
        data["arxiv_id"] = bad
    else:  # another paper named in passing in the text is no claim
        data["arxiv_id"] = main.written
        data["version"] = main.version
        provenance["arxiv_id"] = "structured"
        data["claims"] = main.claims
    if (version := _first(record, "version")) is not None and data.get("version") is None:
        digits = re.sub(r"\D", "", _text_of(version.raw))
        data["version"] = int(digits) if digits and 0 < int(digits) < 1000 else None
    _fill(record, data, provenance)
    _links(record, data)
    data["provenance"] = provenance
    return DigestEntry(**data)


_HUGGING_FACE = "huggingface.co/"


def _fill(record: Record, data: dict[str, Any], provenance: dict[str, Provenance]) -> None:
    for value in record.fields.get("title", []):
        text = _text_of(value.raw)
        if value.provenance == "guessed":
            title = guessed_title(text)
        else:
            title = without_id_prefix(clean_title(text))
        if title and not is_label(title):
            data["title"], provenance["title"] = title, value.provenance
            break
    if (authors := _first(record, "authors")) is not None:
        names, cut = names_of(authors.raw)
        if _HUGGING_FACE in record.text:  # its lists mix user handles in with the names
            names, _ = drop_user_handles(names, one_word=True)
        if names or cut:
            data["authors"], data["authors_truncated"] = names, cut
            provenance["authors"] = authors.provenance
    categories: list[str] = []
    for value in record.fields.get("categories", []):
        found = categories_of(value.raw)
        categories.extend(found)
        if found:
            provenance.setdefault("categories", value.provenance)
    if not categories:  # "arXiv:2312.07321 [math.DG]", as arXiv and reference managers cite
        for m in _CITED_CATEGORIES.finditer(record.text):
            categories.extend(categories_of(m.group(1)))
        if categories:
            provenance["categories"] = "labelled"
    if categories:
        data["categories"] = list(dict.fromkeys(categories))
    for value in record.fields.get("date", []):
        if (day := date_of(value.raw)) is not None:
            data["date"], provenance["date"] = day, value.provenance
            break
    for name in ("abstract", "comment"):
        if (said := _first(record, name)) is not None:
            text = clean_text(_text_of(said.raw))
            if text and not is_label(text):
                data[name], provenance[name] = text, said.provenance


def _links(record: Record, data: dict[str, Any]) -> None:
    urls: list[str] = []
    for value in record.fields.get("links", []):
        raw = value.raw if isinstance(value.raw, list) else [value.raw]
        urls.extend(u.strip() for u in raw if isinstance(u, str) and u.strip().startswith("http"))
    urls.extend(link.url for link in record.links if link.url.startswith("http"))
    parsed = try_parse(data["arxiv_id"]) if data.get("arxiv_id") else None
    if parsed is not None:
        urls = [u for u in urls if any(m.arxiv_id.id == parsed.id for m in find_arxiv_ids(u))]
    else:
        urls = []
    data["links"] = list(dict.fromkeys(urls))


def entries_of(records: Iterable[Record], path: str, format_name: str) -> Iterator[DigestEntry]:
    """One entry per record that names an arXiv paper, in order; an odd record becomes an invalid
    entry with its line, never an exception."""
    for record in records:
        try:
            entry = entry_of(record, path, format_name)
        except Exception as exc:  # one odd record must not stop the file
            entry = DigestEntry(
                source=Source(path=path, line=record.line, format=format_name),
                status="invalid",
                error=f"{path}:{record.line}: could not read this entry ({type(exc).__name__})",
            )
        if entry is not None:
            yield entry
