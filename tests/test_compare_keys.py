"""A record's comparison keys, read from the cache or computed, give the very findings the
comparison computes without them (issue 13): over the benchmark workload and random titles."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.arxiv.cache import RecordCache
from enrich.compare import authors, compare_entry, correct_entry
from enrich.compare import keys as keys_module
from enrich.compare.keys import RecordKeys, stored_keys
from enrich.compare.titles import compare_titles
from enrich.models import ArxivRecord, DigestEntry
from enrich.testing.workload import workload
from enrich.text.names import parse_name
from enrich.text.titles import fold_title

TITLE_WORDS = st.sampled_from(
    ["Deep", "learning", "of", "$\\alpha$", "<i>x</i>", "&amp;", "Über", "\n ", "  ", "-", ":",
     "\\emph{Stable}", "$O(n^2)$", "(ICML 2025)", "...", "D3N:", "王", "x$_i$", "\\&", "{"]
)  # fmt: skip
TITLES = st.lists(TITLE_WORDS, max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(TITLES, TITLES | st.text(max_size=40))
def test_a_stored_fold_compares_titles_as_folding_does(digest: str, title: str) -> None:
    record = ArxivRecord.model_validate({**_BASE, "title": title})
    fold = stored_keys(record)
    assert fold == fold_title(title)
    assert compare_titles(digest, title, RecordKeys(title, fold)) == compare_titles(digest, title)


_BASE = {
    "arxiv_id": "2501.00001",
    "latest_version": 1,
    "title": "",
    "authors": [],
    "abs_url": "https://arxiv.org/abs/2501.00001",
    "pdf_url": "https://arxiv.org/pdf/2501.00001",
    "html_url": "https://arxiv.org/html/2501.00001",
    "arxiv_doi": "10.48550/arXiv.2501.00001",
}


def _forget() -> None:
    """Empty the comparison's memos, so each side computes (or reads keys) on its own."""
    fold_title.cache_clear()
    parse_name.cache_clear()
    authors._compare.cache_clear()


def test_cached_keys_give_the_same_findings_as_computing_them(tmp_path: Path) -> None:
    pairs = [
        (DigestEntry.model_validate(line), record)
        for line, record in workload(600, seed=13)
        if record is not None
    ]
    pairs = [(e, r) for e, r in pairs if e.status == "valid" and e.arxiv_id == r.arxiv_id]
    with RecordCache(tmp_path, cache_ttl=86400.0) as cache:
        cache.put_found([r.model_copy() for _, r in pairs])
        cached = cache.get_many(r.arxiv_id for _, r in pairs)
    with_keys = []
    for entry, record in pairs:
        stored = cached[record.arxiv_id].record
        assert stored is not None and stored == record
        keys = stored.__dict__[keys_module._ATTR]
        assert keys._fold is not None  # the fold comes from the row
        with_keys.append((entry, stored))

    _forget()
    computed = [
        (compare_entry(e, r), correct_entry(e, r))
        for e, r in ((e, ArxivRecord.model_validate(r.model_dump())) for e, r in pairs)
    ]
    _forget()
    from_cache = [(compare_entry(e, r), correct_entry(e, r)) for e, r in with_keys]
    assert from_cache == computed
    assert any(conflicts for conflicts, _ in computed)  # the workload has findings to compare
    # the slow path ran on stored keys: the fold of a record with LaTeX in its title was used
    assert any("\\" in r.title for _, r in with_keys)
