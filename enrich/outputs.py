"""Where a run writes: checked against the inputs before anything is opened, written atomically.

Rules (issue 10, "nothing lost"):

* **Outputs never name inputs.** Every output (`--out`, each `--report`, `ingest --out`, the fixed
  copies `--fix-dir` would write) is compared with every input (the paths given and the files a
  folder yields) by resolved path (symlinks followed) and by device + inode (hard links). A clash
  is an OutputError naming both; the CLI turns it into exit status 2. A `--fix-dir` on or inside
  an input folder is refused (the next run would read the copies back); so is an output with a
  digest suffix inside an input folder, for the same reason. `--fix` (in place) is the explicit way
  to have digests corrected where they are.
* **Found before the network.** Each output's folder is created and a probe file written in it when
  the plan is made, so an unwritable location stops the run before any request is sent.
* **Atomic.** Every file is written to a hidden temporary file beside its target
  (`.NAME.enrich-XXXX.tmp`, skipped by folder discovery) and renamed into place only when the run
  has finished and every output is complete; the renames come one after the other at the very end.
  A run killed earlier leaves every earlier output as it was (and at worst a temporary file).
* **Never out of the fix-dir.** A fixed copy whose folder resolves outside the fix-dir (a symlinked
  sub-folder) is refused; a symlink at the target itself is replaced, never followed.

Errors while writing (a full disk, a vanished folder) raise OutputError with one line.
This module prints nothing and decides no exit status.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TextIO, cast

from enrich.errors import OutputError

__all__ = ["AtomicText", "OutputPlan", "check_outputs", "output_file"]

_STDIO = {None, "-"}
_BUFFER = 1 << 18  # bytes gathered before each write to an output file
# bytes written to a temporary file before the disk is asked, on a thread of its own, to take what
# is written so far: the sync at the end (before the rename) then has only the rest to wait for
SYNC_AHEAD = 1 << 23


@dataclass
class _Inputs:
    """What the run reads: every path as given and found, resolved, and their device+inode."""

    names: dict[Path, str] = field(default_factory=dict)  # resolved path -> as the user gave it
    inodes: dict[tuple[int, int], str] = field(default_factory=dict)
    folders: list[tuple[Path, str]] = field(default_factory=list)  # resolved, as given
    files: list[Path] = field(default_factory=list)  # the files read, as discovery yields them

    @classmethod
    def of(cls, paths: Iterable[str | Path]) -> _Inputs:
        from enrich.ingest import iter_input_files

        inputs = cls()
        for raw in paths:
            if str(raw) == "-":
                continue  # standard input: nothing on disk to protect
            path = Path(raw)
            inputs._add(path, str(raw))
            if path.is_dir():
                inputs.folders.append((path.resolve(), str(raw)))
                for found in iter_input_files([path]):
                    inputs._add(found, str(found))
                    inputs.files.append(found)
            elif path.exists():
                inputs.files.append(path)
        return inputs

    def _add(self, path: Path, shown: str) -> None:
        self.names.setdefault(path.resolve(), shown)
        with contextlib.suppress(OSError):
            st = path.stat()
            self.inodes.setdefault((st.st_dev, st.st_ino), shown)

    def clash(self, target: Path) -> str | None:
        """The input `target` would overwrite, if any."""
        resolved = target.resolve()
        if resolved in self.names:
            return self.names[resolved]
        try:
            st = target.stat()
        except OSError:
            return None
        return self.inodes.get((st.st_dev, st.st_ino))

    def folder_holding(self, target: Path) -> str | None:
        resolved = target.resolve()
        for folder, shown in self.folders:
            if resolved == folder or resolved.is_relative_to(folder):
                return shown
        return None


class AtomicText:
    """A text file written beside `target` and renamed onto it by `commit()` (see the docstring).

    Writes that fail (a full disk) raise OutputError; `discard()` removes the temporary file.
    A target that exists and is not a regular file (/dev/null, a named pipe) is written directly:
    renaming a file onto it would replace the device.
    """

    def __init__(self, target: Path, *, keep_mode_of: Path | None = None) -> None:
        self.target = target
        self._mode_of = keep_mode_of
        self.direct = _is_special(target)
        try:
            if self.direct:
                fd, name = os.open(target, os.O_WRONLY), str(target)
            else:
                fd, name = tempfile.mkstemp(
                    dir=target.parent, prefix=f".{target.name}.enrich-", suffix=".tmp"
                )
        except OSError as exc:
            raise _cannot_write(target, exc) from None
        self.temp = Path(name)
        # bytes, buffered in large blocks: text is encoded here (UTF-8, no newline translation)
        self._stream: BinaryIO | None = os.fdopen(fd, "wb", buffering=_BUFFER)
        self._unsynced = 0  # bytes written since the last sync ahead was started
        self._syncing: threading.Thread | None = None

    def write(self, text: str) -> int:
        self.write_bytes(text.encode("utf-8"))
        return len(text)

    def write_bytes(self, data: bytes) -> None:
        """Write UTF-8 `data` as it is (what a caller that serialises straight to bytes uses)."""
        assert self._stream is not None, "written after commit or discard"
        try:
            self._stream.write(data)
            self._unsynced += len(data)
            if self._unsynced >= SYNC_AHEAD and not self.direct:
                self._sync_ahead()
        except OSError as exc:
            self.discard()
            raise _cannot_write(self.target, exc) from None

    def _sync_ahead(self) -> None:
        """What is written so far handed to the kernel and synced on a thread, unless the last
        such sync is still running (a full disk is still reported by `finish`)."""
        assert self._stream is not None
        if self._syncing is not None and self._syncing.is_alive():
            return
        self._unsynced = 0
        self._stream.flush()
        self._syncing = threading.Thread(
            target=_sync_quietly, args=(self._stream.fileno(),), name="enrich-sync", daemon=True
        )
        self._syncing.start()

    def _synced(self) -> None:
        """The sync ahead, if one runs, is over (before the file is synced or closed)."""
        if self._syncing is not None:
            self._syncing.join()
            self._syncing = None

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except OSError as exc:
            self.discard()
            raise _cannot_write(self.target, exc) from None

    def finish(self) -> None:
        """Flush and sync the temporary file (a full disk shows here at the latest)."""
        if self._stream is None:
            return
        try:
            self._stream.flush()
            self._synced()
            if not self.direct:
                os.fsync(self._stream.fileno())
            self._stream.close()
            self._stream = None
            if not self.direct:
                os.chmod(self.temp, _mode_for(self._mode_of or self.target))
        except OSError as exc:
            self.discard()
            raise _cannot_write(self.target, exc) from None

    def commit(self) -> None:
        self.finish()
        if self.direct:
            return
        try:
            os.replace(self.temp, self.target)
        except OSError as exc:
            self.discard()
            raise _cannot_write(self.target, exc) from None

    def discard(self) -> None:
        self._synced()
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.close()
            self._stream = None
        if not self.direct:
            with contextlib.suppress(OSError):
                self.temp.unlink()


def _sync_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):  # the sync in `finish` says what went wrong
        os.fdatasync(fd)


def _is_special(target: Path) -> bool:
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        return False  # absent: a new regular file


def _mode_for(target: Path) -> int:
    """An existing file keeps its permissions; a new one gets the usual 0666 minus the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _cannot_write(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"{target}: cannot write: {exc.strerror or exc}")


def _leaves(target: Path, fix_dir: Path) -> OutputError:
    return OutputError(
        f"{target}: its folder leads out of --fix-dir {fix_dir} (a symlink); "
        "refusing to write there"
    )


def _probe_folder(folder: Path, shown: str) -> None:
    """Create `folder` if needed and prove a file can be written in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".enrich-probe-", suffix=".tmp")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write in {folder}: {exc.strerror or exc}") from None


class OutputPlan:
    """Every output of one run, checked at construction (see the module docstring).

    Use as a context manager: the outputs are renamed into place when the block ends normally and
    thrown away when it raises. `out` is the JSONL stream (standard output when none was named);
    `stage(path, text)` writes a report or a fixed copy; `fix_target(source)` says where the fixed
    copy of a digest goes (None when no fixed copies are wanted).
    """

    def __init__(
        self,
        inputs: Iterable[str | Path],
        *,
        out: str | None = None,
        reports: Iterable[str | Path] = (),
        fix_dir: str | Path | None = None,
        fix_in_place: bool = False,
        stdout: TextIO | None = None,
    ) -> None:
        if fix_dir is not None and fix_in_place:
            raise OutputError("--fix writes into the digests themselves; drop --fix-dir or --fix")
        self._inputs = _Inputs.of(inputs)
        self.fix_dir = Path(fix_dir) if fix_dir is not None else None
        self.fix_in_place = fix_in_place
        self._root = _common_root(self._inputs.files)
        named: list[tuple[Path, str]] = []  # a list: `--out x --report x` names x twice
        if out not in _STDIO:
            named.append((Path(str(out)), "--out"))
        named += [(Path(report), "--report") for report in reports]
        self._check(named)
        self._staged: list[AtomicText] = []
        self.out: TextIO = stdout or sys.stdout  # the caller's standard output
        self._out_file: AtomicText | None = None
        if out not in _STDIO:
            self._out_file = AtomicText(Path(str(out)))
            self.out = cast("TextIO", self._out_file)  # write() and flush() are all a run uses

    # -- checks --------------------------------------------------------------------------------

    def _check(self, named: list[tuple[Path, str]]) -> None:
        seen: dict[Path, str] = {}
        for path, option in named:
            shown = f"{option} {path}"
            victim = self._inputs.clash(path)
            if victim is not None:
                raise OutputError(f"{shown} is the input {victim}; refusing to overwrite an input")
            folder = self._inputs.folder_holding(path)
            if folder is not None and _is_digest_name(path):
                raise OutputError(
                    f"{shown} is inside the input folder {folder}, where the next run would "
                    "read it as a digest; write it elsewhere"
                )
            if path.resolve() in seen:
                raise OutputError(f"{shown} is also {seen[path.resolve()]}; name two files")
            if path.is_dir():
                raise OutputError(f"{shown} is a folder; name a file")
            seen[path.resolve()] = shown
            if not _is_special(path):  # a device or a pipe is opened as it is, not replaced
                _probe_folder(path.parent, shown)
        if self.fix_dir is not None:
            self._check_fix_dir(self.fix_dir)
        if self.fix_in_place:
            for parent in {p.resolve().parent for p in self._fix_sources()}:
                _probe_folder(parent, "--fix")

    def _check_fix_dir(self, fix_dir: Path) -> None:
        shown = f"--fix-dir {fix_dir}"
        folder = self._inputs.folder_holding(fix_dir)
        if folder is not None:
            raise OutputError(
                f"{shown} is (inside) the input folder {folder}: the copies would replace or "
                "join the digests; use another folder, or --fix to correct them in place"
            )
        inside = fix_dir.resolve()
        for source in self._fix_sources():
            target = fix_dir / self._relative(source)
            victim = self._inputs.clash(target)
            if victim is not None:
                raise OutputError(
                    f"{shown} would write {target} over the input {victim}; use another folder, "
                    "or --fix to correct the digests in place"
                )
            if not target.parent.resolve().is_relative_to(inside):
                raise _leaves(target, fix_dir)
        _probe_folder(fix_dir, shown)

    def _fix_sources(self) -> list[Path]:
        return [p for p in self._inputs.files if p.suffix.lower() != ".jsonl"]

    def _relative(self, source: Path) -> Path:
        return source.resolve().relative_to(self._root)

    # -- writing -------------------------------------------------------------------------------

    def fix_target(self, source: str | Path) -> Path | None:
        """Where the corrected copy of the digest `source` goes; None when none is wanted."""
        resolved = Path(source).resolve()
        if self.fix_in_place:
            return resolved
        if self.fix_dir is None:
            return None
        # a digest named by an ingest JSONL may live outside the inputs: its own folder is its root
        base = self._root if resolved.is_relative_to(self._root) else resolved.parent
        target = self.fix_dir / resolved.relative_to(base)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(target, exc) from None
        if not target.parent.resolve().is_relative_to(self.fix_dir.resolve()):
            raise _leaves(target, self.fix_dir)
        return target

    def stage(self, target: Path, text: str) -> None:
        """Write `text` for `target` now; it replaces `target` when the plan commits."""
        victim = None if self.fix_in_place else self._inputs.clash(target)
        if victim is not None:  # a last guard: the checks above should have caught it
            raise OutputError(f"{target} is the input {victim}; refusing to overwrite an input")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(target, exc) from None
        staged = AtomicText(target)
        self._staged.append(staged)
        staged.write(text)
        staged.finish()

    def commit(self) -> None:
        """Rename every output into place, --out first (each file is complete by now)."""
        files = ([self._out_file] if self._out_file else []) + self._staged
        for staged in files:
            staged.finish()
        for staged in files:
            staged.commit()
        self._out_file, self._staged = None, []

    def discard(self) -> None:
        for staged in ([self._out_file] if self._out_file else []) + self._staged:
            staged.discard()
        self._out_file, self._staged = None, []

    def __enter__(self) -> OutputPlan:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()


def check_outputs(inputs: Iterable[str | Path], **outputs: object) -> None:
    """Only the checks of OutputPlan (no file is opened): raises OutputError on a clash."""
    OutputPlan(inputs, **outputs).discard()  # type: ignore[arg-type]


@contextlib.contextmanager
def output_file(path: str | None, inputs: Iterable[str | Path] = ()) -> Iterator[TextIO]:
    """One checked, atomic output (`enrich ingest --out`); standard output for None or "-"."""
    with OutputPlan(inputs, out=path) as plan:
        yield plan.out


def _is_digest_name(path: Path) -> bool:
    from enrich.ingest import DIGEST_SUFFIXES

    return path.suffix.lower() in DIGEST_SUFFIXES


def _common_root(paths: list[Path]) -> Path:
    if not paths:
        return Path.cwd().resolve()
    return Path(os.path.commonpath([str(p.resolve().parent) for p in paths]))
