"""DuplicateFinder: the same id twice anywhere, or the same paper under two ids."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

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


SOME_NAMES = ["Jue Wang", "Wang, Jue", "J. W.", "Ada Lovelace", "A.", "Lei Zhang", "",
              "Name\x1fWith Separator", "Lone \udc80 Surrogate", "Alan Turing Jr"]  # fmt: skip


class _Reference:
    """The finder's rules written plainly (each entry's author signature worked out as it comes,
    everything kept in lists), for the packed finder, which reads names only when a title comes
    again, to be held to."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.titles: dict[int, list[tuple[str, int]]] = {}

    def add(self, entry: DigestEntry) -> list[str]:
        from enrich.compare.duplicates import _author_sig, _title_hash, _unpack

        if entry.status != "valid" or not entry.arxiv_id:
            return []
        arxiv_id = entry.arxiv_id
        if arxiv_id in self.ids:
            return [f"arXiv:{arxiv_id} is listed again; first at {self.ids[arxiv_id]}."]
        line = entry.source.line
        self.ids[arxiv_id] = entry.source.path + ("" if line is None else f":{line}")
        key = _title_hash(entry.title)
        sig = 0 if key is None else _author_sig(entry.authors)
        if key is None or not sig:
            return []
        kept = self.titles.setdefault(key, [])
        found = [
            f"arXiv:{arxiv_id} has the same title and authors as arXiv:{other} at "
            f"{self.ids[other]}; it may be the same paper under two ids."
            for other, other_sig in kept
            if _unpack(sig) & _unpack(other_sig)
        ][:1]
        if len(kept) < 4:
            kept.append((arxiv_id, sig))
        return found


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),  # the id
            st.sampled_from([TITLE, TITLE.upper() + ".", "Another Paper About Diffusion", "ORAL"]),
            st.lists(st.sampled_from(SOME_NAMES), max_size=6),
        ),
        max_size=30,
    )
)
def test_names_read_only_when_a_title_comes_again_give_the_same_findings(
    stream: list[tuple[int, str, list[str]]],
) -> None:
    finder, reference = DuplicateFinder(), _Reference()
    for line, (n, title, authors) in enumerate(stream):
        entry = _entry(f"2503.{n:05d}", line=line, title=title, authors=authors)
        assert [c.message for c in finder.add(entry)] == reference.add(entry)
