"""What `enrich run` does around the pipeline: the JSONL output, reports, corrected digests and
diffs. It returns a RunOutcome and decides nothing else: the exit status and every message to a
person are cli.py's (through enrich.report.terminal). Nothing here writes to standard output: the
caller passes the stream that stands for "standard output"."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from enrich.errors import InputError, RunStopped
from enrich.ingest import FileReport
from enrich.models import RunSummary
from enrich.report.writeback import FixedDigest
from enrich.runtime import tune_gc
from enrich.settings import Settings

if TYPE_CHECKING:
    from types import FrameType

    from enrich.models import EnrichedEntry
    from enrich.outputs import OutputPlan
    from enrich.pipeline import LookupSource, Pipeline

__all__ = ["SEVERITY_RANK", "RunOutcome", "run_command", "tune_gc"]

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
Progress = Callable[[int, int], None]


@dataclass
class RunOutcome:
    """What a run did, for the caller to report and to turn into an exit status."""

    summary: RunSummary
    files: list[FileReport]
    findings: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, severity) -> n
    unavailable_reason: str | None = None
    out: Path | None = None  # the JSONL file (None: the stream the caller passed)
    reports: list[Path] = field(default_factory=list)
    fixed: list[FixedDigest] = field(default_factory=list)
    fix_dir: Path | None = None
    fix_in_place: bool = False
    diff_base: Path | None = None

    @property
    def unreadable(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    def at_or_above(self, severity: str) -> dict[str, int]:
        """Conflict kinds of `severity` or worse, with their counts (what `--fail-on` names)."""
        rank = SEVERITY_RANK[severity]
        found: Counter[str] = Counter()
        for (kind, sev), n in self.findings.items():
            if SEVERITY_RANK.get(sev, 0) >= rank:
                found[kind] += n
        return dict(sorted(found.items()))

    @property
    def fixed_entries(self) -> int:
        return sum(d.fixed_entries for d in self.fixed)

    @property
    def fixed_files(self) -> int:
        return sum(1 for d in self.fixed if d.changed)


def _check_inputs(inputs: Sequence[str]) -> None:
    for raw in inputs:  # before any output file is created
        if raw != "-" and not Path(raw).exists():
            raise InputError(f"{raw}: no such file or folder", raw)


class _JsonlSink:
    """The JSONL output: each entry serialised straight to UTF-8 bytes (pydantic's JSON, the
    bytes `model_dump_json` would give) and written in blocks of about CHUNK bytes, so a long
    run makes a few hundred writes, not one per line. A file of the plan takes the bytes as
    they are; another stream (standard output) gets them decoded, block by block. What is
    gathered is written when the block ends, also when it ends with an error."""

    CHUNK = 1 << 18
    STREAM_CHUNK = 1 << 14  # standard output: a reader down the pipe gets lines as they come,
    # and one that went away (`| head -1`) is seen a few entries later, not 100 entries later

    def __init__(self, stream: TextIO) -> None:
        from enrich.models import EnrichedEntry

        self._to_json = EnrichedEntry.__pydantic_serializer__.to_json
        write_bytes = getattr(stream, "write_bytes", None)
        self._write: Callable[[bytes], object] = write_bytes or (
            lambda data: stream.write(data.decode("utf-8"))
        )
        self._chunk = self.CHUNK if write_bytes is not None else self.STREAM_CHUNK
        self._lines: list[bytes] = []
        self._size = 0

    def add(self, enriched: EnrichedEntry) -> None:
        line = self._to_json(enriched)
        self._lines.append(line)
        self._lines.append(b"\n")
        self._size += len(line)
        if self._size >= self._chunk:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            data = b"".join(self._lines)
            self._lines, self._size = [], 0
            self._write(data)

    def __enter__(self) -> _JsonlSink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        if exc_type is None:
            self.flush()
            return
        with contextlib.suppress(Exception):  # the lines so far, as a line-by-line writer had
            self.flush()


_STOPPING = ("SIGTERM", "SIGHUP")  # (SIGHUP is not on Windows)


@contextlib.contextmanager
def _stop_on_interrupt(pipe: Pipeline) -> Iterator[None]:
    """Ctrl-C stops the look-ups first, then raises KeyboardInterrupt as Python does: where that
    lands in a place that cannot raise (a callback of the import system), the run still ends,
    at its next look-up, with LookupCancelled. SIGTERM and SIGHUP, which would end the process
    on the spot (its temporary files left, its look-up process and workers orphaned), do the
    same with RunStopped. Only in the main thread, and only over the default handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupted(signum: int, frame: FrameType | None) -> None:
        pipe.cancel_lookups()
        signal.default_int_handler(signum, frame)

    def stopped(signum: int, frame: FrameType | None) -> None:
        pipe.cancel_lookups()
        raise RunStopped(signum)

    ours: dict[int, tuple[object, Callable[[int, FrameType | None], None]]] = {
        signal.SIGINT: (signal.default_int_handler, interrupted)
    }
    for name in _STOPPING:
        if (number := getattr(signal, name, None)) is not None:
            ours[number] = (signal.SIG_DFL, stopped)
    before = {n: signal.getsignal(n) for n in ours}
    taken = [n for n, (default, _) in ours.items() if before[n] is default]
    for number in taken:
        signal.signal(number, ours[number][1])
    try:
        yield
    finally:
        for number in taken:
            signal.signal(number, before[number])


def run_command(
    *,
    settings: Settings,
    inputs: Sequence[str],
    stdout: TextIO,
    out: str | None = None,
    reports: Sequence[str] = (),
    fmt: str | None = None,
    fix_dir: str | None = None,
    fix: bool = False,
    diff: bool = False,
    progress: Progress | None = None,
    client: LookupSource | None = None,
) -> RunOutcome:
    """Run the pipeline over `inputs`, writing the JSONL to `out` (or `stdout`), each report,
    the corrected digests under `fix_dir` (or in place with `fix`) and, with `diff`, a unified
    diff to `stdout`. Every output is checked against the inputs first and written atomically
    (enrich.outputs). `client`: the look-up source, opened already by the caller (who closes
    it in the end; the pipeline lets it go as soon as it is done with it)."""
    from enrich.outputs import OutputPlan
    from enrich.pipeline import Pipeline
    from enrich.report.collect import Findings
    from enrich.report.render import render_report, report_kind

    kinds = [report_kind(raw) for raw in reports]  # a bad suffix is refused before anything runs
    _check_inputs(inputs)
    tune_gc()
    if diff and out in (None, "-"):
        raise InputError("--diff writes the diff to standard output: give the JSONL --out FILE")
    findings = Findings()
    fixed: list[FixedDigest] = []
    keep_texts = bool(fix_dir or fix or diff)

    def on_fixed(digest: FixedDigest) -> None:
        if not keep_texts:  # only the counts are needed: let the texts go now
            digest.text = digest.original = None
        fixed.append(digest)

    outcome = RunOutcome(summary=RunSummary(), files=[])
    outputs = OutputPlan(  # checks every output against every input before anything is opened
        inputs, out=out, reports=reports, fix_dir=fix_dir, fix_in_place=fix, stdout=stdout
    )
    with outputs:  # every output is renamed into place together at the end, or not at all
        stream = outputs.out
        outcome.out = None if out in (None, "-") else Path(str(out))
        with (
            Pipeline(
                settings,
                client=client,
                owns_client=True,
                format=fmt,
                progress=progress,
                on_fixed=on_fixed,
            ) as pipe,
            _JsonlSink(stream) as sink,
            _stop_on_interrupt(pipe),
        ):
            for enriched in pipe.run(inputs):
                sink.add(enriched)
                if reports:  # kept only for a report: a plain run stays lean
                    findings.add(enriched)
                for conflict in enriched.conflicts:
                    outcome.findings[(conflict.kind, conflict.severity)] += 1
                if enriched.status == "unavailable" and outcome.unavailable_reason is None:
                    outcome.unavailable_reason = enriched.error
            outcome.summary = pipe.summary
            outcome.files = pipe.files
        _write_fixed(fixed, outcome, outputs, diff, stdout)
        try:
            for raw, kind in zip(reports, kinds, strict=True):
                outputs.stage(Path(raw), render_report(kind, findings, outcome.summary))
                outcome.reports.append(Path(raw))
        finally:
            findings.close()
    return outcome


def _write_fixed(
    done: list[FixedDigest], outcome: RunOutcome, outputs: OutputPlan, diff: bool, stdout: TextIO
) -> None:
    """Stage the corrected copies (under the fix-dir, or in place) and write the diff to
    `stdout`, then let the texts go."""
    from enrich.report.writeback import diff_base, diff_path

    readable = [d for d in done if d.text is not None]
    outcome.fix_dir = outputs.fix_dir
    outcome.fix_in_place = outputs.fix_in_place
    for digest in readable:
        assert digest.text is not None
        target = outputs.fix_target(digest.path)
        if target is not None and (digest.changed or not outputs.fix_in_place):
            outputs.stage(target, digest.text)
            digest.target = target
    if diff:
        changed = [d for d in readable if d.changed]
        outcome.diff_base = base = diff_base([d.path for d in changed])
        for digest in changed:
            stdout.write(digest.diff(diff_path(digest.path, base)))
    for digest in done:
        digest.text = digest.original = None
    outcome.fixed = done
