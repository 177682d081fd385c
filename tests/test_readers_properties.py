"""Never-raises property tests for every reader of the document model, fed text shaped like its
format (JSON objects and arrays, CSV rows, RIS tags, org headings, RST items, .bbl items, arXiv
mail, Markdown sections and HTML cards) so the generated input reaches deep into each reader."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrich.digests import all_formats
from enrich.digests.fields import entries_of, names_of
from enrich.digests.outline import labelled_lines
from enrich.models import DigestEntry

READERS = ["json", "csv", "ris", "org", "rst", "bbl", "arxiv-email", "markdown", "html"]
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDS = st.sampled_from(
    ["2401.00001", "2401.00001v2", "2413.00001", "2401.123", "hep-th/9901001", "math/0603544v1", ""]
)
WORDS = st.sampled_from(
    [
        "Title",
        "Authors",
        "作者",
        "标题",
        "TL;DR",
        "et al.",
        "等人",
        "arXiv:",
        "**",
        ":",
        "：",
        ",",
        ";",
    ]
)
URLS = IDS.map(lambda i: f"https://arxiv.org/abs/{i}") | IDS.map(
    lambda i: f"https://huggingface.co/papers/{i}"
)
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=20) | WORDS | IDS | URLS
KEYS = st.sampled_from(
    [
        "title",
        "authors",
        "author",
        "id",
        "arxiv_id",
        "externalIds",
        "ArXiv",
        "url",
        "links",
        "published",
        "issued",
        "date-parts",
        "categories",
        "summary",
        "family",
        "given",
        "name",
        "extra",
        "doi",
        "items",
        "results",
        "paper",
        "locations",
        "landing_page_url",
    ]
) | st.text(max_size=8)
JSON = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(KEYS, kids, max_size=5),
    max_leaves=25,
)
LINE = st.lists(WORDS | IDS | URLS | st.text(max_size=6), max_size=8).map(" ".join)


def _all_readers(text: str) -> None:
    formats = all_formats()
    for name in READERS:
        fmt = formats[name]
        for path in (
            "d.json",
            "d.csv",
            "d.ris",
            "d.org",
            "d.rst",
            "d.bbl",
            "d.txt",
            "d.md",
            "d.html",
        ):
            fmt.sniff(text, path)
            for entry in fmt.parse(text, path):
                assert isinstance(entry, DigestEntry), name


def test_every_reader_is_registered() -> None:
    assert set(READERS) <= set(all_formats())


@_SETTINGS
@given(JSON)
def test_json_of_any_shape(data: object) -> None:
    _all_readers(json.dumps(data, ensure_ascii=False))
    _all_readers("\n".join(json.dumps(x) for x in (data if isinstance(data, list) else [data])))


@_SETTINGS
@given(st.lists(st.lists(LINE, max_size=5), max_size=6))
def test_tables(rows: list[list[str]]) -> None:
    _all_readers("\n".join(",".join(json.dumps(c) for c in row) for row in rows))
    _all_readers("\n".join("\t".join(row) for row in rows))


TAGGED = st.lists(
    st.tuples(st.sampled_from(["TY", "TI", "AU", "UR", "T2", "VL", "ER", "PY", "AB", "XX"]), LINE),
    max_size=12,
).map(lambda tags: "\n".join(f"{t}  - {v}" for t, v in tags))
OUTLINE = st.lists(
    st.sampled_from(
        [
            "* ",
            "** ",
            "- ",
            "  :PROPERTIES:",
            "  :link: ",
            "  :END:",
            "====",
            "#+TITLE: ",
            "## ",
            "- **Authors:** ",
            '<div class="card-title">',
            "</div>",
            '<a href="',
            '">',
            "</a>",
            "\\bibitem{k} ",
            "\\newblock ",
            "\\\\",
            "arXiv:",
            "Title: ",
            "Authors: ",
            "  ",
            "`[pdf] <",
            ">`__",
            "(2015), ",
        ]
    )
    | LINE,
    max_size=30,
).map(lambda parts: "\n".join(parts))


@_SETTINGS
@given(TAGGED | OUTLINE)
def test_tagged_and_outlined_text(text: str) -> None:
    _all_readers(text)


@_SETTINGS
@given(st.text(max_size=300))
def test_field_reader_parts_never_raise(text: str) -> None:
    list(labelled_lines(text, 1))
    names_of(text)
    names_of([text, {"family": text, "given": text}, {"name": text}, 3])
    assert list(entries_of([], "p", "json")) == []
