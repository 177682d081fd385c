"""A planted-defect set in nine formats, end to end through the stand-in and the real CLI.

tests/fixtures/planted/ holds digests written for this test in JSON, CSV, RIS, org-mode,
reStructuredText, LaTeX .bbl, arXiv's e-mail listing, Chinese Markdown and HTML, all about real
papers (tests/fixtures/planted-arxiv.json is what arXiv says of them, served by enrich.testing's
stand-in over a real socket). They plant stale and ahead versions, author lists cut in every style
(et al., et. al, et~al., and others, and 7 others, +10 authors, …, ..., etc., 等, 等人), wrong
titles, swapped and malformed ids and duplicates, beside clean entries that must stay quiet
(diacritics stripped, family name first, CJK names, "Last, First").

PLANTED states, per file and in file order, each entry's id (as canonical, or the malformed text)
and the conflict kinds planted in it. The test asserts recall 100 % for every kind, and that no
entry shows a warning or an error that was not planted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from enrich.testing import StandIn, make_record

FIXTURES = Path(__file__).parent / "fixtures"
FOLDER = FIXTURES / "planted"

STALE, AHEAD, CUT = "version_stale", "version_ahead", "authors_truncated"
TITLE, INVALID, DUP, AUTHORS = "title_mismatch", "invalid_entry", "duplicate", "authors_mismatch"

# file -> [(id, planted kinds)] in file order; () is a clean entry
PLANTED: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "bot-papers.json": [
        ("1706.03762", (STALE,)),  # and "Lukasz Kaiser" for "Łukasz Kaiser": clean
        ("1810.04805", (AHEAD,)),
        ("1406.2661", (CUT,)),  # "et al." as a list item
        ("1512.03385", (TITLE,)),
        ("2013.11929", (INVALID,)),  # month 13
        ("1409.0473", ()),
    ],
    "table.csv": [
        ("1502.03167", (STALE,)),  # "Ioffe, Sergey; Szegedy, Christian": clean names
        ("1707.06347", (CUT,)),  # "et. al"
        ("1910.10683", (CUT,)),  # "etc."
        ("1506.02640", ()),
        ("https://arxiv.org/abs/1505.4597", (INVALID,)),
        ("1506.02640", (DUP,)),  # "Redmon, Joseph; ...": family first, clean otherwise
    ],
    "library.ris": [
        ("1706.03762", ()),  # AU "Kaiser, Łukasz": family first
        ("2006.11239", (AHEAD,)),
        ("1502.03167", (TITLE, AUTHORS)),  # swapped: Distilling's title and authors, BN's id
        ("1301.3781", (CUT,)),  # dblp style: T2 CoRR + VL abs/ID; AU "et al."
    ],
    "reading.org": [
        ("1505.04597", (AHEAD,)),
        ("1707.06347", (CUT,)),  # "and others"
        ("1609.02907", (STALE,)),
        ("1906.04032", ()),  # "Stoter" for "Stöter"
        ("1906.04032", (DUP,)),
    ],
    "papers.rst": [
        ("1706.03762", (CUT,)),  # "…"
        ("1412.6980", (STALE,)),
        ("1506.01497", ()),  # initials: "S. Ren, K. He, R. Girshick and J. Sun"
        ("http://arxiv.org/abs/1512.3385", (INVALID,)),
    ],
    "refs.bbl": [
        ("2103.00020", (CUT,)),  # "et~al."
        ("2010.11929", (STALE,)),
        ("1406.2661", (TITLE,)),  # "Generative adversarial nets"
        ("1503.02531", ()),
    ],
    "listing.txt": [
        ("2006.11239", ()),
        ("1910.10683", (CUT,)),  # "..."
        ("1301.3781", (AHEAD,)),  # "Date (revised v5)"
        ("1609.02907", ()),
    ],
    "zh-digest.md": [
        ("1512.03385", ()),  # 何恺明、张祥雨、任少卿、孙剑: cannot be checked, never a warning
        ("1706.03762", (CUT,)),  # 等
        ("1406.2661", (CUT,)),  # 等人
        ("2010.11929", (CUT,)),  # +10 authors
        ("1505.04597", ()),
        ("1512.03385", (DUP,)),
    ],
    "cards.html": [
        ("1706.03762", (CUT,)),  # "and 7 others"
        ("1506.02640", ()),  # "Redmon, Joseph; Divvala, Santosh; ..."
        ("1409.0473", (TITLE, AUTHORS)),  # swapped: Adam's title and authors, Bahdanau's id
        ("https://arxiv.org/abs/1503.025310", (INVALID,)),
    ],
}
SERIOUS = {"warning", "error"}


def _records() -> list[object]:
    truth = json.loads((FIXTURES / "planted-arxiv.json").read_text(encoding="utf-8"))
    return [
        make_record(item.pop("arxiv_id"), primary_category=item["categories"][0], **item)
        for item in truth
    ]


def _run(folder: Path, out: Path, server: StandIn, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": "0", "ENRICH_BACKOFF_MAX": "0"}
    cmd = [sys.executable, "-m", "enrich", "run", str(folder), "--out", str(out), "-q"]
    cmd += ["--api-url", server.url, "--cache-dir", str(cache)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)


def test_planted_defects_in_nine_formats_are_all_found_and_clean_entries_stay_quiet(
    tmp_path: Path,
) -> None:
    lines: list[dict[str, object]] = []
    with StandIn(_records()) as server:  # type: ignore[arg-type]
        for digest in sorted(FOLDER.iterdir()):  # each digest checked on its own, as people do
            out = tmp_path / f"{digest.name}.jsonl"
            done = _run(digest, out, server, tmp_path / "cache")
            assert done.returncode == 0, done.stderr
            lines += [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    by_file: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        by_file.setdefault(Path(str(line["source"]["path"])).name, []).append(line)  # type: ignore[index]
    assert sorted(by_file) == sorted(PLANTED)
    assert len({line["source"]["format"] for line in lines}) == 9  # type: ignore[index]

    planted: Counter[str] = Counter()
    found: Counter[str] = Counter()
    noise: list[str] = []
    for name, expected in PLANTED.items():
        got = by_file[name]
        assert [g["arxiv_id"] for g in got] == [i for i, _ in expected], name
        for entry, (arxiv_id, kinds) in zip(got, expected, strict=True):
            conflicts = entry["conflicts"]
            assert isinstance(conflicts, list)
            seen = {c["kind"] for c in conflicts}
            for kind in kinds:
                planted[kind] += 1
                found[kind] += kind in seen
            for c in conflicts:
                if c["severity"] in SERIOUS and c["kind"] not in kinds:
                    noise.append(f"{name} {arxiv_id}: {c['kind']} ({c['message']})")
    recall = {kind: found[kind] / planted[kind] for kind in planted}
    assert recall == dict.fromkeys(planted, 1.0), recall
    assert not noise, "\n".join(noise)
    assert {STALE, AHEAD, CUT, TITLE, INVALID, DUP} <= set(planted)
    assert planted[CUT] >= 11  # every cut style above


def test_every_cut_style_reads_as_cut() -> None:
    from enrich.ingest import iter_entries

    cut = [e for e in iter_entries([FOLDER]) if e.authors_truncated and e.status == "valid"]
    assert len(cut) == sum(CUT in kinds for file in PLANTED.values() for _, kinds in file)
    assert all(e.authors for e in cut)  # the names before the marker are kept
