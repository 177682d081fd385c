"""A digest written on one line, far longer than any block: read piece by piece (bounded memory,
bench/bench_one_line.py measures it) with the same entries a multi-line copy gives."""

from __future__ import annotations

import itertools

from enrich.digests import generic


def _links(n: int, sep: str) -> str:
    return sep.join(
        f"[Paper number {i} about things](https://arxiv.org/abs/2501.{i:05d}) Ada Lovelace ·"
        for i in range(1, n + 1)
    )


def test_a_one_line_digest_gives_the_entries_of_its_multi_line_copy() -> None:
    n = 3 * generic.MAX_BLOCK // 80  # several pieces
    one_line = "# Digest\n\n" + _links(n, " ") + "\n"
    many_lines = "# Digest\n\n" + _links(n, "\n\n") + "\n"
    assert len(one_line) > 3 * generic.MAX_BLOCK
    got = [(e.arxiv_id, e.title, e.links) for e in generic.parse(one_line, "one.md")]
    want = [(e.arxiv_id, e.title, e.links) for e in generic.parse(many_lines, "many.md")]
    assert got == want  # no link was cut in two at a piece boundary
    assert len(got) == n and got[-1][0] == f"https://arxiv.org/abs/2501.{n:05d}"


def test_entries_come_out_while_the_text_is_still_being_read() -> None:
    text = "# Digest\n\n" + _links(4 * generic.MAX_BLOCK // 80, " ") + "\n"
    entries = generic.iter_scan(text, "one.md")
    first = list(itertools.islice(entries, 3))  # a generator: nothing is held for the rest
    assert [e.arxiv_id for e in first] == [f"https://arxiv.org/abs/2501.0000{i}" for i in (1, 2, 3)]


def test_pieces_are_cut_before_a_link_or_at_a_blank() -> None:
    text = "x" * 10 + _links(2 * generic.MAX_BLOCK // 80, " ")
    cuts = generic._cuts(text, 0, len(text))
    assert cuts[0] == 0 and cuts[-1] == len(text) and len(cuts) >= 3
    assert all(text[c] in "[< " or text[c - 1] == " " for c in cuts[1:-1])
    assert all(b - a <= generic.MAX_BLOCK for a, b in itertools.pairwise(cuts))
