"""DuplicateFinder: the same id twice anywhere, or the same paper under two ids."""

from __future__ import annotations

import sys

from enrich.compare import DuplicateFinder
from enrich.models import DigestEntry, Source

TITLE = "InstructRestore: Region-Customized Image Restoration with Human Instructions"
AUTHORS = ["Shuaizheng Liu", "Jianqi Ma", "Lingchen Sun", "Xiangtao Kong", "Lei Zhang"]


def _entry(arxiv_id: str | None, path: str = "a.md", line: int = 10, **kw: object) -> DigestEntry:
    base: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "title": TITLE,
        "authors": AUTHORS,
        "source": Source(path=path, line=line, format="awesome-daily"),
    }
    base.update(kw)
    return DigestEntry.model_validate(base)


def test_the_same_id_again_names_the_first_occurrence() -> None:
    finder = DuplicateFinder()
    assert finder.add(_entry("2503.24357", "2025-03-31.md", 19)) == []
    assert finder.add(_entry("2503.24354", "2025-03-31.md", 25, title="ORAL")) == []
    found = finder.add(_entry("2503.24357", "2025-04-01.md", 7))
    assert len(found) == 1
    c = found[0]
    assert (c.kind, c.severity, c.field, c.digest, c.line) == (
        "duplicate",
        "warning",
        "arxiv_id",
        "2503.24357",
        7,
    )
    assert "2025-03-31.md:19" in c.message
    assert len(finder.add(_entry("2503.24357", "b.md", 1))) == 1  # still the first occurrence
    assert "2025-03-31.md:19" in finder.add(_entry("2503.24357", "c.md", 1))[0].message


def test_the_same_title_and_authors_under_another_id_is_a_duplicate() -> None:
    finder = DuplicateFinder()
    finder.add(_entry("2503.24357", "x.md", 3))
    swapped = ["Liu Shuaizheng", "Ma Jianqi"]  # family-first still overlaps
    found = finder.add(_entry("2504.00001", "y.md", 9, title=TITLE.upper() + ".", authors=swapped))
    assert [c.kind for c in found] == ["duplicate"]
    assert "2503.24357" in found[0].message and "x.md:3" in found[0].message
    assert found[0].field == "title"


def test_same_title_with_other_authors_or_no_authors_is_not_a_duplicate() -> None:
    finder = DuplicateFinder()
    finder.add(_entry("2503.24357"))
    assert finder.add(_entry("2504.00001", authors=["Jue Wang", "Taku Komura"])) == []
    assert finder.add(_entry("2504.00002", authors=[])) == []


def test_short_generic_titles_never_match() -> None:
    finder = DuplicateFinder()
    finder.add(_entry("2503.24357", title="Introduction"))
    assert finder.add(_entry("2504.00001", title="Introduction")) == []


def test_invalid_entries_are_skipped() -> None:
    finder = DuplicateFinder()
    bad = _entry(None, status="invalid", error="no id")
    assert finder.add(bad) == [] and finder.add(bad) == []
    assert len(finder) == 0


def _held(obj: object, counted: set[int]) -> int:
    """Bytes of `obj` and everything it holds, each object once."""
    if id(obj) in counted:
        return 0
    counted.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(_held(k, counted) + _held(v, counted) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        size += sum(_held(v, counted) for v in obj)
    return size


def test_each_entry_leaves_only_a_small_signature() -> None:
    n = 20_000  # the finder must hold 100,000 and more: every byte an entry is kept to the end
    finder = DuplicateFinder()
    ids = []
    for i in range(n):
        entry = _entry(
            f"25{i // 10000 + 1:02d}.{i % 10000:05d}",
            line=i,
            title=f"Paper number {i} about diffusion models",
            authors=[f"Author{i}a Family{i}", "Common Name"],
        )
        ids.append(entry.arxiv_id)
        assert finder.add(entry) == []
    counted = {id(i) for i in ids}  # the ids are the entries' (and the pipeline's) own strings
    size = _held(vars(finder), counted)
    assert size / n < 200  # bytes per entry, containers included (was 326 with tuples and lists)


def test_lines_of_any_size_are_named_as_given() -> None:
    finder = DuplicateFinder()
    for n, line in enumerate([None, 0, -3, 1, (1 << 48) - 3, (1 << 48) - 2, 1 << 60]):
        arxiv_id = f"2503.{n:05d}"
        finder.add(_entry(arxiv_id, path=f"p{n}.md", line=line, title=f"Paper {n}"))
        found = finder.add(_entry(arxiv_id, path="again.md", line=5))
        where = f"p{n}.md" if line is None else f"p{n}.md:{line}"
        assert f"first at {where}." in found[0].message


def test_the_same_title_names_the_first_of_at_most_four_earlier_ids() -> None:
    finder = DuplicateFinder()
    others = [["Jue Wang"], ["Taku Komura"], ["Ada Lovelace"], ["Alan Turing"], ["Emmy Noether"]]
    for n, authors in enumerate(others):
        assert finder.add(_entry(f"2503.0000{n}", line=n, authors=authors)) == []
    found = finder.add(_entry("2504.00001", authors=["Alan Turing"]))
    assert "arXiv:2503.00003 at a.md:3" in found[0].message
    assert finder.add(_entry("2504.00002", authors=["Emmy Noether"])) == []  # not kept: fifth
    found = finder.add(_entry("2504.00003", authors=["Jue Wang", "Alan Turing"]))
    assert "arXiv:2503.00000 at a.md:0" in found[0].message  # the first that overlaps
