"""Corrected digests for a run: one meaning of `fixed`, written copies, diffs `git apply` takes.

A conflict says ``fixed: true`` exactly when the corrected copy of its digest changes it: the
pipeline passes its entries through `settle_fixed`, which runs the fixer (`fix.fix_digest`) on each
digest as its entries stream past and sets every conflict's ``fixed`` from what the fixer changed.
The same per-file results are what `--fix-dir`, `--diff` and `write_fixed` write, so the JSONL, the
reports and the written copies cannot disagree.

Entries stream grouped by file (a file's entries are consecutive); one file's entries are held at
a time. An entry read from a broken JSONL line has no digest to fix and passes untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from enrich.errors import InputError
from enrich.models import EnrichedEntry, RunSummary
from enrich.report.fix import FIXABLE, Change, LeftAlone, fix_digest, unified_diff

__all__ = [
    "FixedDigest",
    "common_root",
    "diff_base",
    "diff_path",
    "fix_digests",
    "fixed_target",
    "settle_fixed",
    "write_copies",
    "write_fixed",
]


@dataclass
class FixedDigest:
    """One digest's corrected copy: what changed, and what was left for a person and why."""

    path: str  # the digest, as the run named it
    text: str | None  # the corrected text (None when the digest could not be read again)
    original: str | None
    changes: list[Change] = field(default_factory=list)
    left_alone: list[LeftAlone] = field(default_factory=list)
    fixed_entries: int = 0  # entries with at least one change
    error: str | None = None  # why the digest could not be read again
    target: Path | None = None  # where the copy was written, if it was

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def diff(self, name: str | None = None) -> str:
        """A unified diff of the fix ("" when nothing changed), under `name` (default: the path
        as `diff_path` gives it)."""
        if self.text is None or self.original is None:
            return ""
        return unified_diff(name or diff_path(self.path), self.original, self.text)


def _fix_file(path: str, entries: Sequence[EnrichedEntry]) -> FixedDigest:
    from enrich.ingest import NOT_UTF8, read_text

    try:
        original, notes = read_text(Path(path))
        if any(NOT_UTF8 in note for note in notes):  # written back, every other byte would change
            raise InputError(f"{notes[0]}; only UTF-8 digests are corrected", path)
    except InputError as exc:
        for entry in entries:
            for conflict in entry.conflicts:
                conflict.fixed = False
        return FixedDigest(path, None, None, error=str(exc))
    if _starts_with_bom(Path(path)):  # kept: the corrected copy differs only where corrected
        original = "\ufeff" + original
    result = fix_digest(original, entries)
    for index, entry in enumerate(entries):
        for conflict in entry.conflicts:
            conflict.fixed = conflict.kind in FIXABLE and (index, conflict.kind) in result.fixed
    owners = {owner for owner, _ in result.fixed}
    return FixedDigest(
        path,
        result.text,
        original,
        changes=result.changes,
        left_alone=result.left_alone,
        fixed_entries=len(owners),
    )


def _starts_with_bom(path: Path) -> bool:
    from enrich.ingest import BOM

    try:
        with path.open("rb") as stream:
            return stream.read(len(BOM)) == BOM
    except OSError:
        return False


def _fixable_source(entry: EnrichedEntry) -> bool:
    path = entry.source.path
    return entry.source.format != "jsonl" and bool(path) and path != "-"  # "-": standard input


def settle_fixed(
    entries: Iterable[EnrichedEntry], on_file: Callable[[FixedDigest], None] | None = None
) -> Iterator[EnrichedEntry]:
    """The entries, in order, each conflict's `fixed` set by the fixer's result for its digest;
    `on_file` gets each digest's FixedDigest once its last entry went past. A digest that is not
    there to fix (an ingest JSONL read without its digests) holds nothing back: its FixedDigest
    (the reading error) comes first and its entries stream through unfixed."""
    group: list[EnrichedEntry] = []
    path: str | None = None
    absent: str | None = None  # the digest being streamed through: it cannot be read

    def flush() -> Iterator[EnrichedEntry]:
        if path is not None and group:
            done = _fix_file(path, group)
            if on_file is not None:
                on_file(done)
        yield from group
        group.clear()

    for entry in entries:
        fixable = _fixable_source(entry)
        if fixable and entry.source.path != path and entry.source.path != absent:
            yield from flush()
            path, absent = entry.source.path, None
            if not Path(path).exists():
                absent, path = path, None
                if on_file is not None:
                    on_file(_fix_file(absent, []))
        if not fixable or entry.source.path == absent:
            if not fixable:
                yield from flush()
                path = absent = None
            for conflict in entry.conflicts:
                conflict.fixed = False
            yield entry
            continue
        group.append(entry)
    yield from flush()


def fix_digests(
    entries: Iterable[EnrichedEntry], summary: RunSummary | None = None
) -> list[FixedDigest]:
    """Every digest of a run, corrected (nothing is written). Sets `fixed` like the pipeline."""
    del summary  # the same shape as the other report functions; the entries say it all
    by_file: dict[str, list[EnrichedEntry]] = {}
    for entry in entries:
        if _fixable_source(entry):
            by_file.setdefault(entry.source.path, []).append(entry)
    return [_fix_file(path, group) for path, group in by_file.items()]


def common_root(paths: Iterable[str]) -> Path:
    """The deepest folder holding every one of `paths` (the fix-dir mirrors the tree under it)."""
    resolved = [str(Path(p).resolve().parent) for p in paths]
    return Path(os.path.commonpath(resolved)) if resolved else Path.cwd()


def fixed_target(fix_dir: Path, path: str, root: Path) -> Path:
    return fix_dir / Path(path).resolve().relative_to(root)


def write_fixed(
    target: str | Path, entries: Iterable[EnrichedEntry], summary: RunSummary | None = None
) -> list[FixedDigest]:
    """Write each digest's corrected copy under the folder `target`, mirroring the inputs' tree
    (relative to the deepest folder holding them all). Returns what was fixed where."""
    done = fix_digests(entries, summary)
    write_copies(done, Path(target))
    return done


def write_copies(done: Sequence[FixedDigest], fix_dir: Path) -> None:
    """Write every readable digest's corrected copy under `fix_dir` (setting its `target`)."""
    from enrich.report.render import write_text

    readable = [d for d in done if d.text is not None]
    root = common_root([d.path for d in readable])
    for digest in readable:
        assert digest.text is not None
        digest.target = fixed_target(fix_dir, digest.path, root)
        write_text(digest.target, digest.text)


def diff_base(paths: Iterable[str]) -> Path:
    """The folder a run's diff is relative to: the current folder when every digest is inside
    it, else the deepest folder holding them all (`git apply` refuses paths with "../")."""
    here = Path.cwd().resolve()
    paths = list(paths)
    if all(Path(p).resolve().is_relative_to(here) for p in paths):
        return here
    return common_root(paths)


def diff_path(path: str, base: Path | None = None) -> str:
    """`path` as a diff names it: relative to `base` (default: the current folder) with "/"
    separators, so that `git apply` and `patch -p1` run in `base` find it."""
    rel = os.path.relpath(Path(path).resolve(), (base or Path.cwd()).resolve())
    return Path(rel).as_posix()
