"""Write-back: a digest's text with what arXiv settles fixed, and every other byte left alone.

Two repairs only, each inside the span of the entry that asked for it (from the entry's first line
up to the next entry's first line):

* ``authors_truncated`` (``fixed=True``): the cut author list ("A, B, et al.") becomes arXiv's full
  list, written with the digest's own separator and name order style; the wrapping around the list
  (``_..._``, ``**Authors:...**``, ``author = {...}``) is kept, the "et al." marker goes.
* ``version_stale``: every ``<id>vN`` of the paper (abs/pdf/html links, link text, ``eprint``) with
  N below arXiv's latest version becomes ``<id>v<latest>``.
* ``changed_in_later_version`` (``fixed=True``): the digest's title or author list was right for
  the version it links and a later version changed it: the title (its first occurrence in the
  entry, any white space between its words) becomes arXiv's, the author list becomes arXiv's full
  list as above (cut or not). These go together with the version: when one of them, or the
  version, cannot be placed, none of them is made (a new version beside the old title would turn
  a fix into a mistake). A summary's copy (a claim: ``fixed=False``) is left as written.

An entry with a warning or error that needs a person (title_mismatch, claim_mismatch, duplicate,
authors_mismatch, version_ahead, ...) is not touched at all and is listed in ``left_alone``; an
authors_mismatch that comes with authors_truncated (a list both cut and reordered) does not hold
the fix back: arXiv's full list replaces the cut one and mends the order with it.
Pure: no I/O. Lines are counted on "\\n", 1-based, like the parsers count them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from enrich.models import Conflict, EnrichedEntry
from enrich.text.markup import fold_space

__all__ = ["FIXABLE", "Change", "FixResult", "LeftAlone", "fix_digest", "unified_diff"]

FIXABLE = frozenset({"authors_truncated", "version_stale", "changed_in_later_version"})


class Change(NamedTuple):
    line: int  # 1-based line of the original text where the replaced text starts
    kind: str  # "authors_truncated" | "version_stale" | "changed_in_later_version"
    old: str
    new: str


class LeftAlone(NamedTuple):
    line: int | None
    arxiv_id: str | None
    kinds: tuple[str, ...]
    reason: str


@dataclass
class FixResult:
    text: str
    changes: list[Change] = field(default_factory=list)
    left_alone: list[LeftAlone] = field(default_factory=list)
    # (index in `entries`, conflict kind) of every change made: what `fixed: true` means
    fixed: set[tuple[int, str]] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# --- author lists ---------------------------------------------------------------------------

# What may follow a name in a digest: footnote markers, affiliation digits, ^{1,2}.
_NAME_MARKS = (
    r"(?:[*†‡§¶#✉⋆∗\u00b9\u00b2\u00b3\u2070-\u209f]|\d|\^\{?[\w,*†‡]*\}?|<sup>[^<>]{0,20}</sup>)*"
)
_SEP = r"(?:\s*[,;，、；]\s*(?:and\s+)?|\s+and\s+|\s*&\s*)"
_CUT = (
    r"(?:\s*[,;，、；])?\s*"
    r"(?i:(?:and\s+)?others\b|et\.?\s*al\b\.?|etal\.|et\s+alii\b|等人?|…|\.\.\.)"
)
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "le", "la"}
)


def _name_pattern(name: str) -> str:
    """A digest name as it may stand in the text: any white space, "Last, First" also accepted."""

    def words(part: str) -> str:
        return r"\s+".join(map(re.escape, part.split()))

    if "," in name:  # written "Last, First" already
        alts = [r"\s*,\s*".join(words(part) for part in name.split(",") if part.strip())]
    else:
        alts = [words(name)]
        tokens = name.split()
        if len(tokens) > 1:  # "First Last" may stand as "Last, First" (BibTeX)
            alts.append(re.escape(tokens[-1]) + r",\s*" + words(" ".join(tokens[:-1])))
    return "(?:" + "|".join(alts) + ")" + _NAME_MARKS


def _authors_regex(names: Sequence[str]) -> re.Pattern[str]:
    parts = [f"(?P<first>{_name_pattern(names[0])})"]
    for i, name in enumerate(names[1:]):
        sep = f"(?P<sep>{_SEP})" if i == 0 else _SEP
        parts.append(sep + _name_pattern(name))
    return re.compile("".join(parts) + f"(?P<cut>{_CUT})?")


def _inverted(name: str) -> str:
    """ "Jan van der Berg" -> "van der Berg, Jan" (for digests that write "Last, First")."""
    words = name.split()
    if len(words) < 2 or "," in name:
        return name
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in _PARTICLES:
        i -= 1
    return " ".join(words[i:]) + ", " + " ".join(words[:i])


def _author_text(match: re.Match[str], authors: Sequence[str]) -> str:
    sep = match.groupdict().get("sep")
    if sep is None and match.group("cut") is None:  # one name, no cut: nothing to learn from
        sep = ", "
    if sep is None:  # one name before the cut: take the style from the cut itself
        cut = match.group("cut")
        sep = " and " if re.match(r"\s+and\s+others", cut, re.I) else ", "
        sep = cut[0] + " " if cut[:1] in ("，", "、", ";", "；") else sep
    if "\n" in sep or "\r" in sep:
        sep = re.sub(r"\s+", " ", sep)
    clean = [fold_space(name) for name in authors]
    if "," in match.group("first") and "," not in sep:
        clean = [_inverted(name) for name in clean]
    return sep.join(clean)


# --- versions -------------------------------------------------------------------------------


def _version_regex(arxiv_id: str) -> re.Pattern[str]:
    if "/" in arxiv_id:  # old style: the subject class may stand after the archive
        archive, number = arxiv_id.split("/", 1)
        core = re.escape(archive) + r"(?:\.[A-Za-z]{2})?/" + re.escape(number)
        return re.compile(r"(?<![\w.-])" + core + r"v(?P<v>\d+)(?!\d)", re.IGNORECASE)
    return re.compile(r"(?<![\w.])" + re.escape(arxiv_id) + r"v(?P<v>\d+)(?!\d)")


# --- the fix --------------------------------------------------------------------------------


class _Edit(NamedTuple):
    start: int
    end: int
    new: str
    kind: str
    owner: int = -1  # index of the entry (in fix_digest's `entries`) that asked for the edit


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _blocking(conflicts: Sequence[Conflict]) -> list[Conflict]:
    # a list both cut and reordered: arXiv's full list, written for the cut, mends the order too
    cut = any(c.kind == "authors_truncated" and c.field == "authors" for c in conflicts)
    return [
        c
        for c in conflicts
        if c.severity != "info"
        and c.kind not in FIXABLE
        and not (cut and c.kind == "authors_mismatch" and c.field == "authors")
    ]


def _describe(conflicts: Sequence[Conflict]) -> str:
    return "; ".join(f"{c.kind} ({c.severity}): {c.message}" for c in conflicts)


def _authors_edit(
    text: str, start: int, end: int, entry: EnrichedEntry, conflict: Conflict, whole: bool = False
) -> tuple[_Edit | None, str | None]:
    """The edit replacing the cut list in [start, end) (any list when `whole`), or a reason why
    there is none."""
    assert entry.arxiv is not None
    names = list(entry.digest.authors)
    if not names and isinstance(conflict.digest, list):
        names = [str(n) for n in conflict.digest]
    if not names:
        return None, "the digest's author names are unknown"
    full = entry.arxiv.authors
    found = list(_authors_regex(names).finditer(text, start, end))
    if not found:
        return None, "the digest's author list was not found in the entry's text"
    match = found[0]  # the entry's own list comes first; later copies (a summary's) are claims
    if conflict.line is not None:  # unless the conflict names the line of the list
        on_line = [m for m in found if text.count("\n", 0, m.start()) + 1 == conflict.line]
        match = on_line[0] if on_line else match
    if match.group("cut") is None and not whole:
        if _authors_present(text[match.start() : end], full):
            return None, None  # the full list already: fixed before
        return None, 'the entry\'s author list carries no "et al." to replace'
    stop = match.end()
    if match.group("cut") is None:  # a whole list: its last marks may be the wrapping ("**")
        listed = text[match.start() : stop]
        stop = match.start() + len(re.sub(_NAME_MARKS + "$", "", listed))
    return _Edit(match.start(), stop, _author_text(match, full), conflict.kind), None


def _authors_present(text: str, full: Sequence[str]) -> bool:
    """Whether every name of `full` stands in `text` ("First Last" or "Last, First")."""
    flat = fold_space(text)
    names = [fold_space(n) for n in full]
    return bool(names) and all(n in flat or _inverted(n) in flat for n in names)


def _title_edit(
    text: str, start: int, end: int, old: str | None, new: str
) -> tuple[_Edit | None, str | None]:
    """The edit replacing the digest's title (first occurrence in [start, end)) by `new`."""
    words = (old or "").split()
    if not words:
        return None, "the digest's title is unknown"
    found = re.compile(r"\s+".join(map(re.escape, words))).search(text, start, end)
    if found is None:
        return None, "the digest's title was not found in the entry's text"
    return _Edit(found.start(), found.end(), fold_space(new), "changed_in_later_version"), None


def _version_edits(
    text: str, start: int, end: int, arxiv_id: str, latest: int
) -> tuple[list[_Edit], bool]:
    """Edits moving each older `<id>vN` in [start, end) to `latest`; and whether any vN was seen."""
    edits: list[_Edit] = []
    seen = False
    for m in _version_regex(arxiv_id).finditer(text, start, end):
        seen = True
        if int(m.group("v")) < latest:
            new = m.group(0)[: m.start("v") - m.start()] + str(latest)
            edits.append(_Edit(m.start(), m.end(), new, "version_stale"))
    return edits, seen


def fix_digest(text: str, entries: Sequence[EnrichedEntry]) -> FixResult:
    """Fix `text` (one digest file) from its entries of a run; see the module's docstring."""
    result = FixResult(text=text)
    starts = _line_starts(text)
    lines = sorted({e.source.line for e in entries if e.source.line is not None})
    edits: list[_Edit] = []
    order = sorted(range(len(entries)), key=lambda i: entries[i].source.line or 0)
    for owner in order:
        entry = entries[owner]
        line = entry.source.line
        if line is None or not 1 <= line <= len(starts):
            if entry.conflicts:
                kinds = tuple(dict.fromkeys(c.kind for c in entry.conflicts))
                why = "no line number" if line is None else f"line {line} is not in the file"
                result.left_alone.append(LeftAlone(line, entry.arxiv_id, kinds, why))
            continue
        later = [n for n in lines if line < n <= len(starts)]
        span = (starts[line - 1], starts[later[0] - 1] if later else len(text))
        found, alone = _fix_entry(text, span, entry)
        edits.extend(edit._replace(owner=owner) for edit in found)
        result.left_alone.extend(alone)
    result.text, result.changes, result.fixed = _apply(text, edits)
    return result


def _fix_entry(
    text: str, span: tuple[int, int], entry: EnrichedEntry
) -> tuple[list[_Edit], list[LeftAlone]]:
    line, arxiv_id = entry.source.line, entry.arxiv_id
    blocking = _blocking(entry.conflicts)
    if blocking:
        kinds = tuple(dict.fromkeys(c.kind for c in blocking))
        return [], [LeftAlone(line, arxiv_id, kinds, "needs a person: " + _describe(blocking))]
    fixable = [c for c in entry.conflicts if c.kind in FIXABLE]
    if not fixable:
        return [], []
    if entry.arxiv is None or arxiv_id is None:
        kinds = tuple(dict.fromkeys(c.kind for c in fixable))
        return [], [LeftAlone(line, arxiv_id, kinds, "no arXiv record")]
    edits: list[_Edit] = []
    alone: list[LeftAlone] = []
    start, end = span
    done: set[tuple[str, str | None]] = set()
    together: list[_Edit] = []  # changed_in_later_version and version_stale: all or none
    failed: list[str] = []
    for conflict in fixable:
        reason: str | None = None
        if (conflict.kind, conflict.field) in done:
            continue
        done.add((conflict.kind, conflict.field))
        if conflict.kind == "authors_truncated":
            if conflict.fixed:
                edit, reason = _authors_edit(text, start, end, entry, conflict)
                edits.extend([edit] if edit is not None else [])
            else:
                reason = "authors_truncated is not marked fixable (fixed=false)"
        elif conflict.kind == "version_stale":
            latest = entry.arxiv.latest_version
            found, seen = _version_edits(text, start, end, arxiv_id, latest)
            together.extend(found)
            reason = None if seen else f"no versioned link of {arxiv_id} in the entry's text"
        elif conflict.kind == "changed_in_later_version" and conflict.fixed:
            if conflict.field == "title":
                edit, reason = _title_edit(text, start, end, entry.digest.title, entry.arxiv.title)
            else:
                edit, reason = _authors_edit(text, start, end, entry, conflict, whole=True)
            together.extend([edit] if edit is not None else [])
            if reason is not None:
                failed.append(conflict.kind)
        if reason is not None:
            alone.append(LeftAlone(line, arxiv_id, (conflict.kind,), reason))
    if failed:  # a later version's title or authors cannot be written: keep the old version too
        why = "fixed only together with the title/authors the later version changed"
        alone.append(LeftAlone(line, arxiv_id, ("version_stale",), why))
    else:
        edits.extend(together)
    return edits, alone


def _apply(text: str, edits: list[_Edit]) -> tuple[str, list[Change], set[tuple[int, str]]]:
    """Apply non-overlapping edits (an edit overlapping an earlier one is dropped)."""
    kept: list[_Edit] = []
    for edit in sorted(set(edits)):
        if kept and edit.start < kept[-1].end:
            continue
        kept.append(edit)
    out: list[str] = []
    changes: list[Change] = []
    fixed: set[tuple[int, str]] = set()
    pos = 0
    for edit in kept:
        old = text[edit.start : edit.end]
        if old == edit.new:
            continue
        out.append(text[pos : edit.start])
        out.append(edit.new)
        pos = edit.end
        changes.append(Change(text.count("\n", 0, edit.start) + 1, edit.kind, old, edit.new))
        fixed.add((edit.owner, edit.kind))
    out.append(text[pos:])
    return "".join(out), changes, fixed


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff (as `diff -u` prints it) of a digest before and after the fix; "" if equal."""
    if old == new:
        return ""
    lines: list[str] = []
    for line in difflib.unified_diff(
        _lines(old),
        _lines(new),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    ):
        lines.append(line)
        if not line.endswith("\n"):
            lines.append("\n\\ No newline at end of file\n")
    return "".join(lines)


def _lines(text: str) -> list[str]:
    """Lines split on "\n" only (not on the other characters str.splitlines breaks at)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)
