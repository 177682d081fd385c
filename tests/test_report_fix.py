"""Digest write-back (enrich.report.fix): only cut author lists and stale versions change.

The entries are built by hand (as the pipeline would hand them over) for snippets in the style of
each seed format; difflib proves that nothing but the author spans and version tokens moved.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import pytest

from enrich.models import ArxivRecord, Conflict, DigestEntry, EnrichedEntry, Source
from enrich.report.fix import fix_digest, unified_diff

# --- builders -------------------------------------------------------------------------------


def record(arxiv_id: str, latest: int, title: str, authors: Sequence[str]) -> ArxivRecord:
    return ArxivRecord(
        arxiv_id=arxiv_id,
        latest_version=latest,
        title=title,
        authors=list(authors),
        abs_url=f"https://arxiv.org/abs/{arxiv_id}v{latest}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}v{latest}",
        html_url=f"https://arxiv.org/html/{arxiv_id}v{latest}",
        arxiv_doi=f"10.48550/arXiv.{arxiv_id}",
    )


def cut(digest: Sequence[str], full: Sequence[str]) -> Conflict:
    return Conflict(
        kind="authors_truncated",
        severity="info",
        field="authors",
        digest=list(digest),
        arxiv=list(full),
        message=f"the digest lists {len(digest)} of {len(full)} authors",
        fixed=True,
    )


def stale(mine: int, latest: int) -> Conflict:
    return Conflict(
        kind="version_stale",
        severity="warning",
        field="version",
        digest=mine,
        arxiv=latest,
        message=f"v{mine} is not the latest version (v{latest})",
        fixed=True,
    )


def warn(kind: str, message: str = "needs a look") -> Conflict:
    return Conflict(kind=kind, severity="warning", message=message)  # type: ignore[arg-type]


def entry(
    path: str,
    line: int,
    fmt: str,
    rec: ArxivRecord | None,
    *,
    arxiv_id: str | None = None,
    version: int | None = None,
    authors: Sequence[str] = (),
    truncated: bool = False,
    conflicts: Sequence[Conflict] = (),
    title: str | None = None,
) -> EnrichedEntry:
    source = Source(path=path, line=line, format=fmt)
    the_id = arxiv_id or (rec.arxiv_id if rec else None)
    digest = DigestEntry(
        arxiv_id=the_id,
        version=version,
        title=title or (rec.title if rec else None),
        authors=list(authors),
        authors_truncated=truncated,
        source=source,
    )
    return EnrichedEntry(
        arxiv_id=the_id,
        status="enriched" if rec else "not_found",
        source=source,
        digest=digest,
        arxiv=rec,
        conflicts=list(conflicts),
    )


def touched(old: str, new: str) -> list[tuple[int, int]]:
    """The ranges of `old` that difflib says changed (an insertion is an empty range)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2) for op, i1, i2, _, _ in matcher.get_opcodes() if op != "equal"]


def assert_only_touches(old: str, new: str, allowed: Sequence[tuple[int, int]]) -> None:
    for i1, i2 in touched(old, new):
        assert any(a <= i1 and i2 <= b for a, b in allowed), (
            f"change at {i1}:{i2} ({old[i1:i2]!r}) is outside the allowed spans"
        )


def spans_of(text: str, *needles: str) -> list[tuple[int, int]]:
    """Every occurrence of each needle (they must occur)."""
    out = []
    for needle in needles:
        found = [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)]
        assert found, needle
        out.extend(found)
    return out


def version_spans(text: str, arxiv_id: str) -> list[tuple[int, int]]:
    pattern = re.escape(arxiv_id) + r"v(\d+)"
    return [(m.start(1), m.end(1)) for m in re.finditer(pattern, text)]


def changed_lines(old: str, new: str) -> set[int]:
    """1-based numbers of the lines of `old` that a line diff replaces."""
    matcher = difflib.SequenceMatcher(None, old.split("\n"), new.split("\n"), autojunk=False)
    return {
        i + 1 for op, i1, i2, _, _ in matcher.get_opcodes() if op != "equal" for i in range(i1, i2)
    }


def rederive(result_text: str, entries: Sequence[EnrichedEntry]) -> list[EnrichedEntry]:
    """The entries a second run finds in the fixed text: full lists, latest versions, no
    conflicts from those; every other conflict (the ones a person must settle) stays."""
    out = []
    for e in entries:
        rec = e.arxiv
        kept = [c for c in e.conflicts if c.kind not in ("authors_truncated", "version_stale")]
        fixed = rec is not None and not kept
        digest = e.digest.model_copy(
            update={
                "authors": list(rec.authors) if fixed and rec else e.digest.authors,
                "authors_truncated": False if fixed else e.digest.authors_truncated,
                "version": rec.latest_version if fixed and rec else e.digest.version,
            }
        )
        out.append(e.model_copy(update={"digest": digest, "conflicts": kept}))
    return out


# --- awesome-daily-AI-arxiv list --------------------------------------------------------------

FULL_A = [
    "Shuaizheng Liu",
    "Jianqi Ma",
    "Lingchen Sun",
    "Xiangtao Kong",
    "Lei Zhang",
    "Yuelei Li",
    "Hyunjin Kim",
    "Fangneng Zhan",
]
CUT_A = "Shuaizheng Liu, Jianqi Ma, Lingchen Sun, Xiangtao Kong, Lei Zhang, Yuelei Li, et al."
AWESOME = """## 📚 Paper List

- **[InstructRestore: Region-Customized Image Restoration with Human Instructions](http://arxiv.org/abs/2503.24357v1)**  `arXiv:2503.24357`  `cs.CV`  
  _Shuaizheng Liu, Jianqi Ma, Lingchen Sun, Xiangtao Kong, Lei Zhang, Yuelei Li, et al._
  <details open><summary>Abstract</summary>
  Despite the significant progress in diffusion prior-based image restoration, see arXiv:2503.24357v1.
  </details>

- **[ORAL: Prompting Your Large-Scale LoRAs via Conditional Recurrent Diffusion](http://arxiv.org/abs/2503.24354v1)**  `arXiv:2503.24354`  `cs.LG` `cs.CV`  
  _Rana Muhammad Shahroz Khan, Dongwen Tang, Pingzhi Li, Kai Wang, Tianlong Chen, Ri-Zhao Qiu, et al._
  <details open><summary>Abstract</summary>
  Parameter generation has emerged as a novel paradigm for neural network development.
  </details>

- **[Semantic Library Adaptation](http://arxiv.org/abs/2503.21780v2)**  `arXiv:2503.21780`  `cs.CV`  
  _Reza Qorbani, Gianluca Villani, Theodoros Panagiotakopoulos_
  <details open><summary>Abstract</summary>
  Despite the impressive progress in segmentation models. Compare arXiv:2503.24357v1.
  </details>
"""  # noqa: E501, W291 (the digest's own long lines and trailing spaces must survive)


def awesome_entries() -> list[EnrichedEntry]:
    path, fmt = "digests/000.txt", "awesome-daily"
    rec_a = record("2503.24357", 2, "InstructRestore: Region-Customized Image Restoration", FULL_A)
    oral_authors = ["Rana Muhammad Shahroz Khan", "Dongwen Tang", "Pingzhi Li", "Kai Wang"]
    rec_b = record(
        "2503.24354", 3, "A Different Title", [*oral_authors, "Tianlong Chen", "X Y", "Z W"]
    )
    rec_c = record(
        "2503.21780", 4, "Semantic Library Adaptation", ["Reza Qorbani", "Gianluca Villani"]
    )
    return [
        entry(path, 3, fmt, rec_a, version=1, authors=FULL_A[:6], truncated=True,
              conflicts=[cut(FULL_A[:6], FULL_A), stale(1, 2)]),
        entry(path, 9, fmt, rec_b, version=1, truncated=True,
              authors=[*oral_authors, "Tianlong Chen", "Ri-Zhao Qiu"],
              title="ORAL: Prompting Your Large-Scale LoRAs",
              conflicts=[warn("title_mismatch"), warn("authors_mismatch"), stale(1, 3)]),
        entry(path, 15, fmt, rec_c, version=2, authors=["Reza Qorbani", "Gianluca Villani"],
              conflicts=[stale(2, 4)]),
    ]  # fmt: skip


def test_awesome_daily_list() -> None:
    entries = awesome_entries()
    result = fix_digest(AWESOME, entries)
    expected = (
        AWESOME.replace("_" + CUT_A + "_", "_" + ", ".join(FULL_A) + "_")
        .replace("abs/2503.24357v1)", "abs/2503.24357v2)")
        .replace("see arXiv:2503.24357v1.", "see arXiv:2503.24357v2.")
        .replace("abs/2503.21780v2", "abs/2503.21780v4")
    )
    assert result.text == expected
    # difflib: only the author span of entry 1 and version digits moved ...
    allowed = spans_of(AWESOME, CUT_A)
    allowed += version_spans(AWESOME, "2503.24357")[:2] + version_spans(AWESOME, "2503.21780")
    assert_only_touches(AWESOME, result.text, allowed)
    assert changed_lines(AWESOME, result.text) == {3, 4, 6, 15}
    # ... the mention of 2503.24357v1 inside entry 3's span is not entry 1's to change
    assert "Compare arXiv:2503.24357v1." in result.text
    # ... and entry 2 (title_mismatch, authors_mismatch) is untouched though its version is old
    assert AWESOME.split("\n")[8:14] == result.text.split("\n")[8:14]
    [alone] = result.left_alone
    assert (alone.line, alone.arxiv_id) == (9, "2503.24354")
    assert alone.kinds == ("title_mismatch", "authors_mismatch")
    assert alone.reason.startswith("needs a person")
    assert [(c.line, c.kind) for c in result.changes] == [
        (3, "version_stale"),
        (4, "authors_truncated"),
        (6, "version_stale"),
        (15, "version_stale"),
    ]
    assert result.changes[0].old == "2503.24357v1" and result.changes[0].new == "2503.24357v2"
    assert result.changes[1].new == ", ".join(FULL_A)
    assert_idempotent(result.text, entries)


def assert_idempotent(fixed: str, entries: Sequence[EnrichedEntry]) -> None:
    again = fix_digest(fixed, rederive(fixed, entries))
    assert again.text == fixed
    assert again.changes == []
    # the run's own entries applied twice change nothing either, and report nothing new
    twice = fix_digest(fixed, entries)
    assert twice.text == fixed and twice.changes == []
    assert all(a.reason.startswith("needs a person") for a in twice.left_alone)


# --- ChatPaperFree blog post ------------------------------------------------------------------

CHATPAPER = """# 2024-08-28 更新


## TC-PDM: Temporally Consistent Patch Diffusion Models for   Infrared-to-Visible Video Translation

**Authors:Anh-Dzung Doan, Vu Minh Hieu Phan, Surabhi Gupta et al.**

Infrared imaging offers resilience against changing lighting conditions.

[PDF](http://arxiv.org/abs/2408.14227v1) Technical report

**Summary**
红外转可见光视频翻译的TC-DPM方法。

1. Title: TC-PDM: Temporally Consistent Patch Diffusion Models (红外到可见光视频翻译)

2. Authors: Anh-Dzung Doan, Vu Minh Hieu Phan, Surabhi Gupta et al.

5. Urls: https://arxiv.org/abs/2408.14227v1, Github: https://github.com/dzungdoan6/tc-pdm


## Pixel-Aligned Multi-View Generation with Depth Guided Decoder

**Authors:Zhenggang Tang, Peiye Zhuang, Chaoyang Wang**

[PDF](http://arxiv.org/abs/2408.14016v1) 

2. Authors: Cho Joseph, Schmidgall Samuel

5. Urls: https://arxiv.org/abs/2408.14999v1, Github: None
"""  # noqa: W291

FULL_TC = [
    "Anh-Dzung Doan",
    "Vu Minh Hieu Phan",
    "Surabhi Gupta",
    "Markus Wagner",
    "Tat-Jun Chin",
    "Ian Reid",
]


def test_chatpaperfree_post() -> None:
    path, fmt = "posts/003.md", "chatpaperfree"
    rec_tc = record("2408.14227", 3, "TC-PDM", FULL_TC)
    rec_pa = record(
        "2408.14016", 2, "Pixel-Aligned", ["Zhenggang Tang", "Peiye Zhuang", "Chaoyang Wang"]
    )
    entries = [
        entry(path, 4, fmt, rec_tc, version=1, authors=FULL_TC[:3], truncated=True,
              conflicts=[cut(FULL_TC[:3], FULL_TC), stale(1, 3)]),
        entry(path, 21, fmt, rec_pa, version=1, authors=rec_pa.authors,
              conflicts=[stale(1, 2), warn("claim_mismatch", "the summary's link is 2408.14999")]),
    ]  # fmt: skip
    result = fix_digest(CHATPAPER, entries)
    head_list = "Anh-Dzung Doan, Vu Minh Hieu Phan, Surabhi Gupta et al."
    # the header list is fixed (the first one, the entry's own); the summary's copy is a claim
    expected = CHATPAPER.replace(
        f"**Authors:{head_list}**", "**Authors:" + ", ".join(FULL_TC) + "**"
    ).replace("2408.14227v1", "2408.14227v3")
    assert result.text == expected
    assert f"2. Authors: {head_list}" in result.text
    allowed = spans_of(CHATPAPER, head_list)[:1] + version_spans(CHATPAPER, "2408.14227")
    assert_only_touches(CHATPAPER, result.text, allowed)
    assert changed_lines(CHATPAPER, result.text) == {6, 10, 19}
    # the second entry needs a person: its stale [PDF] link stays v1
    assert "[PDF](http://arxiv.org/abs/2408.14016v1) \n" in result.text
    assert [a.kinds for a in result.left_alone] == [("claim_mismatch",)]
    assert_idempotent(result.text, entries)


# --- weekly overview (生成式论文概览) -----------------------------------------------------------

WEEKLY = """# 2024-03-15--2024-03-20 生成式论文概览
## FouriScale: A Frequency Perspective on Training-Free High-Resolution   Image Synthesis 
  * 2024-03-19  
  * In this study, we delve into the generation of high-resolution images. 
 * link:[http://arxiv.org/abs/2403.12963v1](http://arxiv.org/abs/2403.12963v1) 
## FRESCO: Spatial-Temporal Correspondence for Zero-Shot Video Translation 
  * 2024-03-19  
  * The remarkable efficacy of text-to-image diffusion models. 
 * link:[http://arxiv.org/abs/2403.12962v1](http://arxiv.org/abs/2403.12962v1) 
"""  # noqa: W291


def test_weekly_overview_links_and_link_text() -> None:
    path, fmt = "weekly/001.md", "weekly-overview"
    rec_f = record("2403.12963", 2, "FouriScale", ["Linjiang Huang"])
    rec_r = record("2403.12962", 1, "FRESCO", ["Shuai Yang"])
    entries = [
        entry(path, 2, fmt, rec_f, version=1, conflicts=[stale(1, 2)]),
        entry(path, 6, fmt, rec_r, version=1),  # current: nothing to do
    ]
    result = fix_digest(WEEKLY, entries)
    assert result.text == WEEKLY.replace("2403.12963v1", "2403.12963v2")
    assert_only_touches(WEEKLY, result.text, version_spans(WEEKLY, "2403.12963"))
    assert changed_lines(WEEKLY, result.text) == {5}
    assert len(result.changes) == 2 and result.left_alone == []
    # trailing spaces, the CJK title line and the other entry survive byte for byte
    assert result.text.encode().count(b" \n") == WEEKLY.encode().count(b" \n")
    assert_idempotent(result.text, entries)


# --- a markdown table ---------------------------------------------------------------------------

TABLE = """| Title | Authors | Link |
|---|---|---|
| Paper A | Alice Smith, Bob Jones et al. | [2501.01234v1](https://arxiv.org/pdf/2501.01234v1.pdf) |
| Paper A again | Alice Smith, Bob Jones et al. | [2501.01234v1](https://arxiv.org/abs/2501.01234v1) |
| Paper C | Carol White and others | [arXiv](https://arxiv.org/html/2502.00042v1) |
"""  # noqa: E501


def test_markdown_table_rows() -> None:
    path, fmt = "table.md", "markdown-table"
    full_a = ["Alice Smith", "Bob Jones", "Chen Wei"]
    rec_a = record("2501.01234", 2, "Paper A", full_a)
    rec_c = record("2502.00042", 5, "Paper C", ["Carol White", "Dan Black"])
    entries = [
        entry(path, 3, fmt, rec_a, version=1, authors=full_a[:2], truncated=True,
              conflicts=[cut(full_a[:2], full_a), stale(1, 2)]),
        entry(path, 4, fmt, rec_a, version=1, authors=full_a[:2], truncated=True,
              conflicts=[cut(full_a[:2], full_a), stale(1, 2), warn("duplicate")]),
        entry(path, 5, fmt, rec_c, version=1, authors=["Carol White"], truncated=True,
              conflicts=[cut(["Carol White"], rec_c.authors), stale(1, 5)]),
    ]  # fmt: skip
    result = fix_digest(TABLE, entries)
    lines = TABLE.split("\n")
    want = lines.copy()
    want[2] = (
        "| Paper A | Alice Smith, Bob Jones, Chen Wei | "
        "[2501.01234v2](https://arxiv.org/pdf/2501.01234v2.pdf) |"
    )
    want[4] = (
        "| Paper C | Carol White and Dan Black | [arXiv](https://arxiv.org/html/2502.00042v5) |"
    )
    assert result.text == "\n".join(want)
    assert changed_lines(TABLE, result.text) == {3, 5}  # the duplicate row (line 4) is not touched
    assert [(a.line, a.kinds) for a in result.left_alone] == [(4, ("duplicate",))]
    assert_idempotent(result.text, entries)


# --- BibTeX ---------------------------------------------------------------------------------------

BIBTEX = """% exported from a reading list
@article{liu2025instructrestore,
  title         = {InstructRestore: Region-Customized Image Restoration with Human Instructions},
  author        = {Liu, Shuaizheng and Ma, Jianqi and
                   Sun, Lingchen and others},
  year          = {2025},
  eprint        = {2503.24357v1},
  archivePrefix = {arXiv},
  primaryClass  = {cs.CV},
  url           = {https://arxiv.org/abs/2503.24357v1},
}

@misc{khan2025oral,
  title  = {ORAL},
  author = {Rana Muhammad Shahroz Khan and Dongwen Tang and others},
  eprint = {2503.24354v1},
}
"""


@pytest.mark.parametrize("as_written", [True, False], ids=["last-first", "first-last"])
def test_bibtex_entry(as_written: bool) -> None:
    path, fmt = "refs.bib", "bibtex"
    rec_a = record("2503.24357", 2, "InstructRestore", FULL_A[:5])
    # a parser may keep "Last, First" as written or turn it round; both must be found
    names = ["Liu, Shuaizheng", "Ma, Jianqi", "Sun, Lingchen"] if as_written else FULL_A[:3]
    oral = ["Rana Muhammad Shahroz Khan", "Dongwen Tang"]
    rec_b = record("2503.24354", 1, "ORAL", [*oral, "Pingzhi Li"])
    entries = [
        entry(path, 2, fmt, rec_a, version=1, authors=names, truncated=True,
              conflicts=[cut(names, rec_a.authors), stale(1, 2)]),
        entry(path, 13, fmt, rec_b, version=1, authors=oral, truncated=True,
              conflicts=[cut(oral, rec_b.authors)]),
    ]  # fmt: skip
    result = fix_digest(BIBTEX, entries)
    old_a = "Liu, Shuaizheng and Ma, Jianqi and\n                   Sun, Lingchen and others"
    new_a = "Liu, Shuaizheng and Ma, Jianqi and Sun, Lingchen and Kong, Xiangtao and Zhang, Lei"
    old_b = "Rana Muhammad Shahroz Khan and Dongwen Tang and others"
    new_b = "Rana Muhammad Shahroz Khan and Dongwen Tang and Pingzhi Li"
    expected = (
        BIBTEX.replace(old_a, new_a).replace(old_b, new_b).replace("2503.24357v1", "2503.24357v2")
    )
    assert result.text == expected
    allowed = spans_of(BIBTEX, old_a, old_b) + version_spans(BIBTEX, "2503.24357")
    assert_only_touches(BIBTEX, result.text, allowed)
    assert "eprint = {2503.24354v1}" in result.text  # current version: left as it is
    assert result.left_alone == []
    assert_idempotent(result.text, entries)


# --- edge cases -------------------------------------------------------------------------------


def test_crlf_and_no_final_newline_survive() -> None:
    text = AWESOME.replace("\n", "\r\n").rstrip("\r\n")
    result = fix_digest(text, awesome_entries())
    assert result.text.count("\r\n") == text.count("\r\n")
    assert "\n" not in result.text.replace("\r\n", "")
    assert not result.text.endswith("\n")
    assert "_" + ", ".join(FULL_A) + "_\r\n" in result.text


def test_what_cannot_be_fixed_is_reported_not_guessed() -> None:
    path, fmt = "x.md", "generic"
    gone = Conflict(kind="not_found", severity="error", message="arXiv does not know it")
    rec = record("2503.00001", 3, "T", ["A Person", "B Person", "C Person"])
    not_fixable = cut(["A Person"], rec.authors).model_copy(update={"fixed": False})
    text = "- [T](https://arxiv.org/abs/2503.00001)\n  Someone Else et al.\n- [U](https://x.org)\n"
    entries = [
        entry(path, 1, fmt, rec, version=None, authors=["A Person"], truncated=True,
              conflicts=[cut(["A Person"], rec.authors), stale(1, 3)]),
        entry(path, 3, fmt, None, arxiv_id="2503.99999",
              conflicts=[gone]),
        entry(path, 2, fmt, rec, authors=["A Person"], truncated=True, conflicts=[not_fixable]),
    ]  # fmt: skip
    result = fix_digest(text, entries)
    assert result.text == text and result.changes == []
    reasons = {(a.line, a.kinds): a.reason for a in result.left_alone}
    assert "not found" in reasons[(1, ("authors_truncated",))]
    assert "no versioned link" in reasons[(1, ("version_stale",))]
    assert "fixed=false" in reasons[(2, ("authors_truncated",))]
    assert reasons[(3, ("not_found",))].startswith("needs a person")


def test_unified_diff() -> None:
    result = fix_digest(WEEKLY, [entry("w.md", 2, "weekly", record("2403.12963", 2, "F", ["A"]),
                                       version=1, conflicts=[stale(1, 2)])])  # fmt: skip
    diff = unified_diff("weekly/001.md", WEEKLY, result.text)
    assert diff.startswith("--- a/weekly/001.md\n+++ b/weekly/001.md\n@@ ")
    minus = [ln for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert minus == [
        "- * link:[http://arxiv.org/abs/2403.12963v1](http://arxiv.org/abs/2403.12963v1) "
    ]
    assert plus == [
        "+ * link:[http://arxiv.org/abs/2403.12963v2](http://arxiv.org/abs/2403.12963v2) "
    ]
    assert unified_diff("same.md", WEEKLY, WEEKLY) == ""
    tail = unified_diff("t.md", "a\nb", "a\nc")
    assert tail.endswith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")
