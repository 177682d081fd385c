"""The parsers of the three seed producers: awesome-daily-AI-arxiv (seeds 000/002), the
生成式论文概览 weekly overview (001) and ChatPaperFree Hexo posts (003/004), on the seeds and the
sample corpus.

Expected values come from plain scans of the raw text (regexes written here, independent of the
parsers), not from per-seed answer lists; the only fixed numbers are the seed README's counts.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from conftest import shared_path

from enrich.digests import awesome_daily, chatpaper, parse_digest, sniff_format, weekly_overview
from enrich.digests.text import split_authors
from enrich.models import DigestEntry

SEEDS = [
    ("000", "awesome-daily-ai-arxiv", 21),
    ("001", "weekly-overview", 57),
    ("002", "awesome-daily-ai-arxiv", 22),
    ("003", "chatpaperfree", 17),
    ("004", "chatpaperfree", 11),
]
MODULES = {
    "awesome-daily-ai-arxiv": awesome_daily,
    "weekly-overview": weekly_overview,
    "chatpaperfree": chatpaper,
}
CORPUS = {
    "awesome-daily-ai-arxiv": ("awesome-daily-ai-arxiv", re.compile(r"^- \*\*\[", re.M)),
    "chatpaperfree": ("chatpaperfree-hexo", re.compile(r"^\[PDF\]\(", re.M)),
}
# An arXiv id written in a link or after "arXiv:", with its version when it has one.
ID_MENTION = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*)(\d{4}\.\d{4,5})(?:v(\d+))?", re.I)


def seed(prefix: str) -> Path:
    found = sorted(shared_path("seeds").glob(f"{prefix}_*.txt"))
    assert len(found) == 1, f"seed {prefix} missing"
    return found[0]


def corpus_files(fmt: str) -> list[Path]:
    folder, _ = CORPUS[fmt]
    files = sorted(shared_path("corpus", "digests", folder).glob("*.md"))
    assert files
    return files


def parsed(path: Path, fmt: str | None = None) -> tuple[str, list[DigestEntry]]:
    text = path.read_text(encoding="utf-8")
    return text, list(parse_digest(text, str(path), fmt))


def blocks(text: str, entries: list[DigestEntry]) -> list[tuple[int, list[str]]]:
    """Each entry's raw lines (first line number, lines), cut at the next entry's start line."""
    lines = text.split("\n")
    starts = [e.source.line or 0 for e in entries]
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
        out.append((start, lines[start - 1 : end]))
    return out


def all_files() -> list[tuple[str, Path]]:
    files = [(fmt, seed(prefix)) for prefix, fmt, _ in SEEDS]
    for fmt in CORPUS:
        files += [(fmt, p) for p in corpus_files(fmt)]
    return files


# --- counts and sniffing ---------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "fmt", "count"), SEEDS)
def test_seed_counts_and_sniffing(prefix: str, fmt: str, count: int) -> None:
    path = seed(prefix)
    text = path.read_text(encoding="utf-8")
    assert sniff_format(text, str(path)).name == fmt
    for other, module in MODULES.items():
        if other != fmt:
            assert module.FORMAT.sniff(text, str(path)) < 0.5, other
    entries = list(parse_digest(text, str(path)))
    assert len(entries) == count
    start = {
        "awesome-daily-ai-arxiv": re.compile(r"^- \*\*\["),
        "weekly-overview": re.compile(r"^## "),
        "chatpaperfree": re.compile(r"^## "),
    }[fmt]
    lines = text.split("\n")
    previous = 0
    for e in entries:
        assert e.source.format == fmt and e.source.path == str(path)
        assert e.source.line is not None and e.source.line > previous
        previous = e.source.line
        assert start.match(lines[e.source.line - 1]), e.source.line
        assert e.arxiv_id and e.arxiv_id in e.links and e.title


def test_awesome_daily_count_matches_its_badge() -> None:
    for path in [seed("000"), seed("002"), *corpus_files("awesome-daily-ai-arxiv")]:
        text, entries = parsed(path)
        badge = re.search(r"badge/Papers-(\d+)-", text)
        assert badge and int(badge.group(1)) == len(entries), path


@pytest.mark.parametrize("fmt", list(CORPUS))
def test_corpus_files_parse_with_the_right_counts(fmt: str) -> None:
    _, entry_line = CORPUS[fmt]
    for path in corpus_files(fmt):
        text = path.read_text(encoding="utf-8")
        assert sniff_format(text, str(path)).name == fmt
        _, entries = parsed(path)
        # a plain scan: the ids written on the entry lines, in order
        expected = []
        for line in text.split("\n"):
            if entry_line.match(line):
                m = ID_MENTION.search(line)
                assert m
                expected.append(m.group(1))
        got = [ID_MENTION.search(e.arxiv_id or "") for e in entries]
        assert [m.group(1) if m else None for m in got] == expected, path


def test_sniffers_leave_other_corpus_files_alone() -> None:
    root = shared_path("corpus", "digests")
    mine = {folder for folder, _ in CORPUS.values()}
    checked = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.parent == root or path.parent.name in mine:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, module in MODULES.items():
            assert module.FORMAT.sniff(text, str(path)) < 0.5, (name, path)
        checked += 1
    assert checked


# --- authors ---------------------------------------------------------------------------------


def test_fifteen_truncated_author_lists() -> None:
    header_author_line = re.compile(r"^\s*_.*_\s*$|^\*\*Authors:.*\*\*\s*$")
    independent = 0
    truncated = 0
    for prefix, _, _ in SEEDS:
        text, entries = parsed(seed(prefix))
        independent += sum(
            1
            for line in text.split("\n")
            if header_author_line.match(line) and re.search(r"\bet al\b", line)
        )
        truncated += sum(e.authors_truncated for e in entries)
    assert independent == 15
    assert truncated == independent


def test_author_names_are_clean() -> None:
    bad = re.compile(r"et al|[*†\d]", re.I)
    for _, path in all_files():
        _, entries = parsed(path)
        for e in entries:
            names = list(e.authors)
            for c in e.claims:
                if c.field == "authors":
                    assert isinstance(c.value, list)
                    names += c.value
            for name in names:
                assert name and not bad.search(name), (path, e.source.line, name)
                assert name == name.strip() and "  " not in name


def test_awesome_daily_authors_match_the_italic_line() -> None:
    for path in [seed("000"), seed("002"), *corpus_files("awesome-daily-ai-arxiv")]:
        text, entries = parsed(path)
        for e, (_, lines) in zip(entries, blocks(text, entries), strict=True):
            italic = next(line for line in lines[1:] if line.strip())
            names = [n.strip() for n in italic.strip().strip("_").split(",")]
            names = [n for n in names if n and n != "et al."]
            assert e.authors == names
            assert e.authors_truncated == italic.rstrip().endswith("et al._")


# --- titles, versions, categories, dates ------------------------------------------------------


def test_titles_are_clean() -> None:
    for _, path in all_files():
        _, entries = parsed(path)
        for e in entries:
            titles = [e.title] + [c.value for c in e.claims if c.field == "title"]
            for title in titles:
                assert isinstance(title, str) and title
                assert "  " not in title and title == title.strip()
                assert not re.search(r"\*\*|\]\(|</?\w+>", title), title


def test_every_written_version_and_id_is_kept() -> None:
    """Every id written in a link or after "arXiv:" in an entry is its main id (with the version)
    or one of its claims (value as written, version kept)."""
    for fmt, path in all_files():
        text, entries = parsed(path)
        for e, (start, lines) in zip(entries, blocks(text, entries), strict=True):
            assert e.arxiv_id is not None
            main = ID_MENTION.search(e.arxiv_id)
            assert main
            assert e.version == (int(main.group(2)) if main.group(2) else None)
            main_seen = False
            for k, line in enumerate(lines):
                for m in ID_MENTION.finditer(line):
                    written = m.group(1) + (f"v{m.group(2)}" if m.group(2) else "")
                    if m.group(0) in e.arxiv_id and (not main_seen or fmt == "weekly-overview"):
                        main_seen = True  # the main link (whose text may repeat it)
                        continue
                    claims = [
                        c
                        for c in e.claims
                        if c.field == "arxiv_id"
                        and c.line == start + k
                        and isinstance(c.value, str)
                        and re.search(rf"{re.escape(written)}(?![v\d])", c.value)
                    ]
                    assert claims, (path, start + k, written)
            assert main_seen, (path, start)


def test_awesome_daily_code_span_is_an_id_claim() -> None:
    for path in [seed("000"), seed("002"), *corpus_files("awesome-daily-ai-arxiv")]:
        text, entries = parsed(path)
        for e in entries:
            line = text.split("\n")[(e.source.line or 0) - 1]
            spans = re.findall(r"`(arXiv:[^`]*)`", line)
            got = [c.value for c in e.claims if c.field == "arxiv_id"]
            assert got == spans and all(c.line == e.source.line for c in e.claims)


def test_every_category_span_is_listed() -> None:
    span = re.compile(r"`([a-z][a-z-]*\.[A-Za-z-]+)`")
    for path in [seed("000"), seed("002"), *corpus_files("awesome-daily-ai-arxiv")]:
        text, entries = parsed(path)
        expected = [span.findall(line) for line in text.split("\n") if line.startswith("- **[")]
        assert [e.categories for e in entries] == expected
        assert all(e.categories for e in entries)


def test_every_date_of_the_weekly_overview() -> None:
    path = seed("001")
    text, entries = parsed(path)
    dates = re.findall(r"^\s*\*\s+(\d{4}-\d{2}-\d{2})\s*$", text, re.M)
    assert len(dates) == len(entries) == 57
    assert [e.date.isoformat() if e.date else None for e in entries] == dates
    assert all(e.abstract and not e.authors and not e.categories for e in entries)


def test_weekly_overview_titles_lose_the_line_fold_spaces() -> None:
    text, entries = parsed(seed("001"))
    heads = re.findall(r"^## (.*)$", text, re.M)
    assert any("   " in h for h in heads)
    assert [e.title for e in entries] == [" ".join(h.split()) for h in heads]


# --- ChatPaperFree: header and model summary ----------------------------------------------------


def chatpaper_files() -> list[Path]:
    return [seed("003"), seed("004"), *corpus_files("chatpaperfree")]


def test_chatpaper_header_fields() -> None:
    pdf = re.compile(r"^\[PDF\]\((?P<url>[^)]*)\)(?P<comment>.*)$")
    for path in chatpaper_files():
        text, entries = parsed(path)
        for e, (_, lines) in zip(entries, blocks(text, entries), strict=True):
            link = next(pdf.match(line) for line in lines if pdf.match(line))
            assert link is not None
            assert e.arxiv_id == link.group("url")
            comment = " ".join(link.group("comment").split()) or None
            assert e.comment == comment
            authors = next(line for line in lines if line.startswith("**Authors:"))
            assert e.authors == [n.strip() for n in authors[10:-2].split(",")]
            assert e.abstract and e.date is None


SUMMARY_TITLE = re.compile(r"(?:Title|标题|题目)\**\s*[:：]")
SUMMARY_AUTHORS = re.compile(
    r"(?:^|[\s>*.])(?:Authors|作者(?:名单[^:：]*)?)\**\s*[:：](?P<rest>.*)"
)
PLACEHOLDER = re.compile(r"not provided|请提供|无法|需要您")


def summary_lines(lines: list[str]) -> list[tuple[int, str]]:
    """The lines after the [PDF] line: what the language model wrote."""
    k = next(i for i, line in enumerate(lines) if line.startswith("[PDF]("))
    return list(enumerate(lines))[k + 1 :]


def test_chatpaper_every_summary_claim_is_read() -> None:
    totals = {"title": 0, "authors": 0, "arxiv_id": 0}
    for path in chatpaper_files():
        text, entries = parsed(path)
        for e, (start, lines) in zip(entries, blocks(text, entries), strict=True):
            by_line: dict[tuple[str, int], list[object]] = {}
            for c in e.claims:
                by_line.setdefault((c.field, c.line or 0), []).append(c.value)
            for k, line in summary_lines(lines):
                number = start + k
                if SUMMARY_TITLE.search(line) and not re.search(r"[:：]\s*$|</p>\s*$", line):
                    assert ("title", number) in by_line, (path, number)
                    totals["title"] += 1
                m = SUMMARY_AUTHORS.search(line)
                if m and not re.search(r"单位|机构|隶属|所属", line):
                    rest = re.sub(r"<[^>]+>", "", m.group("rest")).strip()
                    if PLACEHOLDER.search(line):
                        assert ("authors", number) not in by_line, (path, number)
                    elif rest or k + 1 < len(lines):
                        assert ("authors", number) in by_line, (path, number)
                        totals["authors"] += 1
                for mention in ID_MENTION.finditer(line):
                    written = mention.group(1) + (
                        f"v{mention.group(2)}" if mention.group(2) else ""
                    )
                    values = by_line.get(("arxiv_id", number), [])
                    assert any(isinstance(v, str) and v.endswith(written) for v in values), (
                        path,
                        number,
                        written,
                    )
                    totals["arxiv_id"] += 1
    assert all(totals.values()), totals


def test_chatpaper_summary_author_truncation_and_script() -> None:
    for path in chatpaper_files():
        text, entries = parsed(path)
        for e in entries:
            lines = text.split("\n")
            for c in e.claims:
                if c.field != "authors":
                    continue
                raw = re.sub(r"<[^>]+>", "", lines[(c.line or 0) - 1])
                assert c.authors_truncated == bool(re.search(r"et al|等\W*$", raw)), raw
                assert isinstance(c.value, list) and c.value


def test_chatpaper_summary_titles_prefer_the_latin_title() -> None:
    for path in chatpaper_files():
        _, entries = parsed(path)
        for e in entries:
            for c in e.claims:
                if c.field == "title" and isinstance(c.value, str):
                    latin = re.search(r"[A-Za-z]{4,}.*[A-Za-z]{4,}", c.value)
                    cjk = re.search(r"[\u4e00-\u9fff]", c.value)
                    # a pair "English (中文)" or "中文 (English)" keeps only the English part
                    assert not (latin and cjk and re.search(r"[(（].*[)）]$", c.value)), c.value


def test_chatpaper_stamp_after_an_id_gives_category_and_date_claims() -> None:
    text, entries = parsed(seed("003"))
    stamps = re.findall(r"arXiv:\d{4}\.\d{5}v\d+ \[([a-z]+\.[A-Z]+)\]", text)
    cats = [c.value for e in entries for c in e.claims if c.field == "categories"]
    assert cats == [[s] for s in stamps]
    dated = re.findall(r"\] (\d{1,2} [A-Z][a-z]{2} \d{4})", text)
    dates = [c.value for e in entries for c in e.claims if c.field == "date"]
    assert len(dates) == len(dated)


# --- odd input ---------------------------------------------------------------------------------


def test_broken_entries_are_kept() -> None:
    awesome = (
        "## Paper List\n\n"
        "- **[Good](http://arxiv.org/abs/2503.24357v1)**  `arXiv:2503.24357`  `cs.CV`\n"
        "  _A One, B Two_\n\n"
        "- **[No link]()**  `arXiv:2503.2435`  `cs.CV`\n  _C Three_\n\n"
        "- **Bold only**  `cs.LG`\n\n"
        "- **[Bad](http://arxiv.org/abs/25x3.1)**\n"
    )
    entries = list(awesome_daily.FORMAT.parse(awesome, "a.md"))
    assert [e.arxiv_id for e in entries] == [
        "http://arxiv.org/abs/2503.24357v1",
        "arXiv:2503.2435",
        None,
        "http://arxiv.org/abs/25x3.1",
    ]
    assert entries[0].version == 1 and entries[1].claims == []
    assert [e.source.line for e in entries] == [3, 6, 9, 11]

    weekly = (
        "# 2024-03-15--2024-03-20 生成式论文概览\n## A   title \n  * 2024-02-30  \n  * abs\n"
        "## B\n  * 2024-03-01\n * link:[http://arxiv.org/abs/2403.12963v2](http://arxiv.org/abs/2403.12963v1)\n"
    )
    entries = list(weekly_overview.FORMAT.parse(weekly, "w.md"))
    assert len(entries) == 2
    assert entries[0].arxiv_id is None and entries[0].date is None and entries[0].title == "A title"
    assert entries[1].version == 1
    assert [c.value for c in entries[1].claims] == ["http://arxiv.org/abs/2403.12963v2"]

    post = (
        "---\ntitle: x\n---\n## One\n\n**Authors:A B, C D**\n\nabs\n\n[PDF]() note\n\n"
        "## Two\n\n**Authors:E F et al.**\n\nno pdf line\n\n**Summary**\nx\n"
    )
    entries = list(chatpaper.FORMAT.parse(post, "p.md"))
    assert [e.arxiv_id for e in entries] == [None, None]
    assert entries[0].comment == "note" and entries[1].authors_truncated
    assert entries[1].abstract == "no pdf line"


@pytest.mark.parametrize("module", list(MODULES.values()), ids=list(MODULES))
def test_parsers_never_raise(module: object) -> None:
    rng = random.Random(7)
    texts = ["", "\n", "## \n", "- **", "[PDF](", "<details>", "\x00\ufffd", "## x\n" * 3]
    for prefix, _, _ in SEEDS:
        raw = seed(prefix).read_text(encoding="utf-8")
        for _ in range(15):
            a, b = sorted(rng.randrange(len(raw)) for _ in range(2))
            texts.append(raw[:a] + raw[b:])
            lines = raw.split("\n")
            rng.shuffle(lines)
            texts.append("\n".join(lines[: rng.randrange(1, 60)]))
    fmt = module.FORMAT  # type: ignore[attr-defined]
    for text in texts:
        score = fmt.sniff(text, "x.md")
        assert 0.0 <= score <= 1.0
        for e in fmt.parse(text, "x.md"):
            assert e.source.format == fmt.name


# --- the shared text helpers (fixes made for these formats) -------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "truncated"),
    [
        (
            "Yunxiang Xiang、Yudong Guo、Yancheng Yuan等。",
            ["Yunxiang Xiang", "Yudong Guo", "Yancheng Yuan"],
            True,
        ),
        (
            "Taekyung Ki, Dongchan Min, Gyeongsu Chae.",
            ["Taekyung Ki", "Dongchan Min", "Gyeongsu Chae"],
            False,
        ),
        ("赵舒琳^1^, 徐丹^1\\*", ["赵舒琳", "徐丹"], False),
        ("[Authors' names not provided in the text]", [], False),
        ("Q. Wang 等", ["Q. Wang"], True),
        ("John Smith Jr., A. B.", ["John Smith Jr.", "A. B."], False),
    ],
)
def test_split_authors_cases_from_model_summaries(
    text: str, names: list[str], truncated: bool
) -> None:
    assert split_authors(text) == (names, truncated)
