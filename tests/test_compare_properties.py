"""Properties of the comparison stage: no false alarm on a faithful copy, never an exception."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from enrich.compare import DuplicateFinder, compare_entry, correct_entry, entry_conflicts
from enrich.compare.names import is_placeholder, match_names, parse_name
from enrich.compare.titles import fold_title
from enrich.models import CONFLICT_KINDS, ArxivRecord, Claim, DigestEntry, Source
from enrich.taxonomy import taxonomy

CODES = sorted(taxonomy().categories)
SETTINGS = settings(
    max_examples=int(os.environ.get("COMPARE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ids = st.builds(
    lambda yy, mm, n: f"{yy:02d}{mm:02d}.{n:05d}",
    st.integers(15, 25),
    st.integers(1, 12),
    st.integers(0, 99999),
)
names = st.one_of(
    st.text(min_size=1, max_size=40),
    st.from_regex(r"[A-Z][a-zà-ÿ]{1,9}(-[A-Z][a-z]{1,6})? [A-Z][a-zà-ÿ]{1,12}", fullmatch=True),
    st.sampled_from(["齐源何", "Ri-Zhao Qiu", "Baumann, S.", "Mike Zheng Shou1∗", "<em>Gül</em>"]),
)
titles = st.one_of(
    st.text(min_size=1, max_size=120),
    st.sampled_from(["$\\mathcal{X}^2$-Net", "0", "…", "((()))", "\\emph{}", "Title (CVPR)"]),
)
values = st.one_of(
    st.none(), st.integers(), st.text(max_size=60), st.lists(st.text(max_size=20), max_size=5)
)


@st.composite
def records(draw: st.DrawFn) -> ArxivRecord:
    arxiv_id = draw(ids)
    version = draw(st.integers(1, 6))
    cats = draw(st.lists(st.sampled_from(CODES), min_size=0, max_size=4, unique=True))
    return ArxivRecord(
        arxiv_id=arxiv_id,
        latest_version=version,
        title=draw(titles),
        authors=draw(st.lists(names, max_size=8)),
        primary_category=cats[0] if cats else None,
        categories=cats,
        abstract=draw(st.text(max_size=50)),
        abs_url=f"https://arxiv.org/abs/{arxiv_id}v{version}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}v{version}",
        html_url=f"https://arxiv.org/html/{arxiv_id}v{version}",
        arxiv_doi=f"10.48550/arXiv.{arxiv_id}",
        withdrawn=False,
    )


def copy_of(record: ArxivRecord) -> DigestEntry:
    versioned = f"{record.arxiv_id}v{record.latest_version}"
    return DigestEntry(
        arxiv_id=record.arxiv_id,
        version=record.latest_version,
        title=record.title,
        authors=list(record.authors),
        categories=list(record.categories),
        links=[f"https://arxiv.org/abs/{versioned}", f"https://arxiv.org/pdf/{versioned}.pdf"],
        source=Source(path="p.md", line=1, format="t"),
        claims=[
            Claim(field="authors", value=list(record.authors), line=2, origin="summary"),
            Claim(field="arxiv_id", value=f"arXiv:{versioned}", line=3, origin="summary"),
            Claim(field="title", value=record.title, line=4, origin="summary"),
            Claim(field="categories", value=list(record.categories), line=5, origin="summary"),
        ],
    )


@SETTINGS
@given(records())
def test_an_entry_copied_from_its_record_has_no_conflict(record: ArxivRecord) -> None:
    # arXiv never lists a placeholder ("NONE", "TBD") as an author; the readers drop such items
    assume(not is_placeholder(", ".join(record.authors)))
    assume(not any(is_placeholder(name) for name in record.authors))
    assert compare_entry(copy_of(record), record) == []


@SETTINGS
@given(records())
def test_an_entry_copied_from_its_record_is_its_own_correction(record: ArxivRecord) -> None:
    fixed = correct_entry(copy_of(record), record)
    assert fixed.authors == record.authors and fixed.version == record.latest_version


@SETTINGS
@given(
    records(),
    st.lists(names, max_size=8),
    st.one_of(st.none(), titles),
    st.lists(st.text(max_size=12), max_size=4),
    st.lists(
        st.builds(
            lambda f, v, t: Claim(field=f, value=v, line=9, origin="summary", authors_truncated=t),
            st.sampled_from(["authors", "arxiv_id", "title", "categories", "date", "other"]),
            values,
            st.booleans(),
        ),
        max_size=5,
    ),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 9)),
)
def test_compare_never_raises_on_arbitrary_text(
    record: ArxivRecord,
    authors: list[str],
    title: str | None,
    categories: list[str],
    claims: list[Claim],
    truncated: bool,
    version: int | None,
) -> None:
    entry = DigestEntry(
        arxiv_id=record.arxiv_id,
        version=version,
        title=title,
        authors=authors,
        authors_truncated=truncated,
        categories=categories,
        links=["https://arxiv.org/abs/2401.00001v3", "not a link", ""],
        source=Source(path="p.md", line=None, format="t"),
        claims=claims,
    )
    for conflict in [*compare_entry(entry, record), *entry_conflicts(entry)]:
        assert conflict.message.strip() and conflict.kind in CONFLICT_KINDS
    correct_entry(entry, record)
    finder = DuplicateFinder()
    finder.add(entry)
    assert finder.add(entry)[0].kind == "duplicate"


@SETTINGS
@given(names)
def test_a_name_always_matches_itself(name: str) -> None:
    parsed = parse_name(name)
    assume(parsed.tokens)
    assert match_names(parsed, parsed) == "same"


@SETTINGS
@given(titles)
def test_folding_a_title_is_idempotent(title: str) -> None:
    assert fold_title(fold_title(title)) == fold_title(title)
