"""Compare a digest's title with arXiv's after folding away everything that is only presentation.

The folding (`fold_title`, `title_key`) has its home in enrich/text/titles.py. Two titles are equal
when their keys agree ("Pre-training" = "Pretraining", arXiv's line-fold spaces, words glued by a
digest).

When they are not equal:
  a trailing "(...)" / "[...]" note on the digest's side (a venue, a Chinese translation) is dropped
  and the titles compared again; equal then counts as equal;
  a digest title that is the beginning of arXiv's, cut at a word, is a "prefix": with an ellipsis
  ("...", "…") it is a plain abbreviation and no finding, without one it is a mild note (info);
  a digest title that is arXiv's with a short label put before it ("D3N: <arXiv's title>") is
  "labelled", a mild note (info);
  a digest title at least half of whose letters are in a non-Latin script where arXiv's title is
  Latin (a translation, "SurGen：基于文本引导的...") is "foreign" and not compared;
  anything else is "different", reported with a similarity figure (rapidfuzz ratio of the folds).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from enrich.models import Severity
from enrich.runtime import COMPARISON, regex, remembered
from enrich.text.titles import fold_title, title_key

__all__ = ["TitleComparison", "compare_titles", "describe_title", "fold_title", "title_key"]

Verdict = Literal["equal", "abbreviated", "prefix", "labelled", "foreign", "different"]

_LABEL = regex(r"\s*([^\s:：]+(?:\s+[^\s:：]+){0,2})\s*[:：]\s+")  # "D3N: " before a title
_ELLIPSIS = regex(r"\s*(?:…|\.{3,}|⋯)\s*$")
_TRAILING_NOTE = regex(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|（[^（）]*）|【[^【】]*】)\s*$")


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def _has_latin(text: str) -> bool:
    return any(ch.isalpha() and _is_latin(ch) for ch in text)


def _mostly_foreign(text: str) -> bool:
    """At least half the letters in a non-Latin script: a translation ("SurGen：基于文本的...")."""
    if text.isascii():
        return False  # every letter Latin
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(not _is_latin(ch) for ch in letters) * 2 >= len(letters)


@dataclass(frozen=True, slots=True)
class TitleComparison:
    verdict: Verdict
    similarity: int = 100  # rapidfuzz ratio of the folded titles, 0..100
    rest: str = ""  # "prefix": the folded words the digest leaves out; "labelled": the label


def _prefix_rest(digest: str, arxiv: str) -> str | None:
    """The rest of `arxiv` when `digest` is its beginning cut at a word, else None."""
    d, a = fold_title(digest), fold_title(arxiv)
    if d and a.startswith(d + " "):
        return a[len(d) + 1 :]
    return None


_EQUAL = TitleComparison("equal")


def _same_words(digest: str, arxiv: str) -> bool:
    """Equal but for white space (arXiv folds long titles over lines) and, without entities,
    case, in plain ASCII without tags or LaTeX: folding (which lower-cases) could not tell them
    apart, so they are equal without folding."""
    if not (digest.isascii() and arxiv.isascii()):
        return False
    both = digest + arxiv
    if "<" in both or "\\" in both:
        return False
    if arxiv.replace("\n  ", " ") == digest:  # arXiv's line fold of the digest's title (most)
        return True  # a run of white space for another: the same words
    if digest.split() == arxiv.split():
        return True
    return "&" not in both and digest.lower().split() == arxiv.lower().split()


@remembered(1024, COMPARISON)  # the version plan, the title rule and the version revision ask again
def compare_titles(digest: str, arxiv: str) -> TitleComparison:
    """How the digest's title relates to arXiv's (see the module docstring)."""
    if digest == arxiv or _same_words(digest, arxiv):
        return _EQUAL
    if title_key(digest) == title_key(arxiv):
        return TitleComparison("equal")
    cut = _ELLIPSIS.sub("", digest)
    if cut != digest:
        d, a = title_key(cut), title_key(arxiv)
        if d and a.startswith(d):
            return TitleComparison("abbreviated")
    stripped = digest
    while True:
        shorter = _TRAILING_NOTE.sub("", stripped)
        if shorter == stripped or not shorter.strip():
            break
        stripped = shorter
        if title_key(stripped) == title_key(arxiv):
            return TitleComparison("equal")
    if _mostly_foreign(digest) and _has_latin(arxiv):
        return TitleComparison("foreign")
    similarity = round(fuzz.ratio(fold_title(digest), fold_title(arxiv)))
    for candidate in (cut, stripped):
        rest = _prefix_rest(candidate, arxiv)
        if rest is not None:
            return TitleComparison("prefix", similarity, rest)
    label = _LABEL.match(stripped)
    if label and title_key(stripped[label.end() :]) == title_key(arxiv):
        return TitleComparison("labelled", similarity, label.group(1).strip())
    return TitleComparison("different", similarity)


def describe_title(result: TitleComparison, subject: str) -> tuple[str, Severity] | None:
    """The finding's sentence and severity for a comparison, None when there is nothing to say.

    `subject` names the title: "The digest's title", "The title in the summary (line 58)".
    """
    if result.verdict == "prefix":
        return f"{subject} stops short of arXiv's, which goes on {result.rest!r}.", "info"
    if result.verdict == "labelled":
        return f"{subject} puts {result.rest!r} before arXiv's title.", "info"
    if result.verdict == "different":
        return f"{subject} differs from arXiv's ({result.similarity}% similar).", "warning"
    return None
