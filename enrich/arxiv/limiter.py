"""The politeness gate: one request at a time, at least `min_interval` apart, across processes.

arXiv's terms of use ask for "no more than one request every three seconds, and limit requests to
a single connection at a time", for all the machines of one user together
(https://info.arxiv.org/help/api/tou.html). Every process that shares a cache folder shares this
budget:

* **One connection at a time.** `Limiter.slot()` takes an exclusive `flock` on
  `<cache_dir>/arxiv-api.lock` (plus a thread lock inside the process) and holds it for the whole
  request: connecting, sending, reading the body, closing. The OS drops the lock when its holder
  dies, even by SIGKILL, so a killed run never wedges the others. The client also sends
  `Connection: close`, so no idle keep-alive socket lingers while another process holds the slot.
* **The gap is measured from the end of one request to the start of the next** (end-to-start),
  the stricter of the two readings: start-to-start would let a slow answer eat the pause.
* **The end of a request** is when its answer is read and its connection closed: the holder says
  so with `end_request()` inside the slot (the slot's exit does otherwise) and may keep the slot
  a little longer to parse and store the answer, so that the next holder finds it in the cache;
  that time counts towards the gap (it runs from the end), never the other way round.
* **The shared stamp.** When a request ends, the holder writes `<cache_dir>/arxiv-api.stamp`:
  the wall-clock time it finished (`time.time()`: `time.monotonic()` means nothing in another
  process), its process id and a per-Limiter token, and optionally a "hold off" deadline set after a
  429/503 so that every process backs off, not just the one that was refused.
* **Robust waits.** If the stamp is ours, the wait uses our own monotonic clock only. If it comes
  from another process, the elapsed wall time is clamped to [0, min_interval]: a clock stepped back
  makes the gap look negative and is treated as "it just ended" (wait the full interval, never
  more); a clock stepped forward can at worst shorten one wait. The hold-off wait is clamped to
  the length recorded with it and to this process's own `backoff_max` (another process may have
  honoured a longer Retry-After), and announced through `announce` (by default a warning on
  standard error: "arXiv asked us to wait; resuming at 14:02:10"). An unreadable stamp (a writer
  killed mid-write) means "wait the full interval".
* **Nothing left to ask.** `slot(ready=...)` calls `ready()` once the lock is held and before any
  wait: when it says there is nothing to send (another process just stored the answers), the
  slot is given back at once, without waiting and without stamping.
* **A holder killed mid-request.** While a request is out (from the start of the wait before it,
  so that nothing but the request follows the gap), `<cache_dir>/arxiv-api.busy` exists; it is
  removed when the request ends. A process that gets the lock and finds it (its writer died,
  even by SIGKILL, before it could stamp the end) does not know when that request really ended
  (arXiv may have gone on answering it), so it waits the full interval from now.
* **The next connection, opened ahead.** `slot(early=Early(lead, run))` calls `run()` (the
  client opens the connection its request will use) `lead` seconds before the wait ends, then
  sleeps the rest out by the clock: the request still goes no sooner than the gap allows, and
  its connection is opened with the slot held, the previous one closed (see `wait_out`). With
  `Early(..., hold=...)` the wait's last HANDOVER seconds are the request's first write's to
  wait out (the client builds the request meanwhile): its bytes go no sooner either.
* **Degraded mode.** When the lock file cannot be created (read-only or missing folder), the
  limiter still enforces the gap and the single connection within this process and says why in
  `degraded`.

`clock`, `wall` and `sleep` are injectable: tests run with a fake clock and no real waiting.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Early", "Limiter", "Stamp", "wait_out"]

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: in-process limiting only (see `degraded`)
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_NAME = "arxiv-api.lock"
STAMP_NAME = "arxiv-api.stamp"
BUSY_NAME = "arxiv-api.busy"


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the last request left behind for the next one, in any process."""

    finished: float  # wall-clock time the last request ended
    pid: int
    token: str
    hold_until: float = 0.0  # wall-clock deadline of a shared back-off, 0 if none
    hold_for: float = 0.0  # the length of that back-off when it was set (caps the wait)

    def dump(self) -> str:
        return f"{self.finished!r} {self.pid} {self.token} {self.hold_until!r} {self.hold_for!r}\n"

    @classmethod
    def load(cls, text: str) -> Stamp | None:
        parts = text.split()
        if len(parts) != 5:
            return None
        try:
            return cls(float(parts[0]), int(parts[1]), parts[2], float(parts[3]), float(parts[4]))
        except ValueError:
            return None


HANDOVER = 0.002  # seconds of a wait an Early with `hold` waits out at the request's first write


@dataclass(frozen=True, slots=True)
class Early:
    """Something to do `lead` seconds before a slot's wait ends: open the request's connection.

    `hold(seconds, sleep)`, when given, takes over the wait's last HANDOVER seconds (or what is
    left of them): the request's first byte is written no sooner than that, its bytes built and
    its connection chosen meanwhile (the client's transport, enrich/arxiv/transport.py: about
    0.6 ms of httpx's own work that would otherwise follow the gap)."""

    lead: float
    run: Callable[[], None]
    hold: Callable[[float, Callable[[float], None]], None] | None = None


def wait_out(
    seconds: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    early: Early | None = None,
) -> None:
    """Sleep `seconds`, calling `early.run()` `early.lead` seconds before the end (at once when
    the wait is shorter); what is left is slept out by `clock`, so the wait never ends sooner,
    but for its last HANDOVER seconds, handed to `early.hold` when there is one (which makes the
    request's first write wait them out). `early.run()` failing is only a head start missed: the
    request connects by itself."""
    if seconds <= 0:
        return
    if early is None or early.lead <= 0:
        sleep(seconds)
        return
    due = clock() + seconds
    if seconds > early.lead:
        sleep(seconds - early.lead)
    try:
        early.run()
    except Exception as exc:
        log.debug("the next connection, opened ahead, failed: %s", exc)
    left = due - clock()
    if early.hold is not None and left > HANDOVER:
        sleep(left - HANDOVER)
        left = due - clock()
    if left > 0:
        if early.hold is not None:
            early.hold(left, sleep)
        else:
            sleep(left)


class Limiter:
    """Grants request slots: see the module docstring for the rules and why."""

    def __init__(
        self,
        folder: Path | str | None,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        backoff_max: float = math.inf,
        announce: Callable[[float], None] | None = None,
    ) -> None:
        self.min_interval = min_interval
        self.backoff_max = backoff_max
        self.announce = announce or _announce
        self.clock = clock
        self.wall = wall
        self.sleep = sleep
        self.token = uuid.uuid4().hex[:12]
        self.seconds_waiting = 0.0
        self.degraded: str | None = None
        self._thread_lock = threading.Lock()
        self._last_end: float | None = None  # our own clock, when our last request ended
        self._in_request = False  # inside slot(), between the wait and end_request()
        self._hold_until: float | None = None  # our own clock
        self._fd: int | None = None
        self._stamp_path: Path | None = None
        self._busy_path: Path | None = None
        if folder is None:
            self.degraded = "no cache folder: limiting within this process only"
            return
        if fcntl is None:  # pragma: no cover
            self.degraded = "no fcntl on this platform: limiting within this process only"
            return
        try:
            path = Path(folder)
            path.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
            self._stamp_path = path / STAMP_NAME
            self._busy_path = path / BUSY_NAME
        except OSError as exc:
            self.degraded = f"cannot lock {folder}: {exc}; limiting within this process only"

    # -- the slot ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def slot(
        self, ready: Callable[[], bool] | None = None, early: Early | None = None
    ) -> Iterator[bool]:
        """Hold the only connection: wait for the lock and the gap; stamp the end of the request.

        Yields True; or False, at once and without stamping, when `ready()` (called with the lock
        held, before any wait) says there is nothing to send. `early`: see `wait_out`.
        """
        started = self.clock()
        with self._thread_lock, self._file_lock():
            if ready is not None and not ready():
                self.seconds_waiting += max(0.0, self.clock() - started)
                yield False
                return
            stamp = self._read_stamp()
            wait, held = self._wait_needed(stamp)
            if held > 0 and held >= wait:
                self.announce(self.wall() + wait)
            elif wait >= 1 and stamp is not None and stamp.token != self.token:
                log.info(
                    "waiting %.0f s for another process's turn (pid %d)", wait, stamp.pid,
                    extra={"enrich_event": "wait"},
                )  # fmt: skip
            if self._busy_path is not None and self._busy_path.exists():
                wait = max(wait, self.min_interval)  # its holder died mid-request
            # marked before the wait, so that nothing but the request follows it; dying while
            # waiting costs the next holder one full interval, never a shorter gap
            self._mark_busy(True)
            self._in_request = True
            wait_out(wait, self.clock, self.sleep, early)
            self.seconds_waiting += max(0.0, self.clock() - started)
            try:
                yield True
            finally:
                self.end_request()

    def end_request(self) -> None:
        """The slot's request is over, its connection closed: the gap runs from now.

        Called inside `slot()` once the answer is read, so that what the holder still does there
        (parsing the answer, storing it: other processes must find it stored when they get the
        slot) overlaps the gap instead of adding to it. The slot's exit calls it otherwise; a
        second call does nothing.
        """
        if not self._in_request:
            return
        self._in_request = False
        self._last_end = self.clock()
        self._write_stamp(hold_for=None)
        self._mark_busy(False)

    def hold_off(self, seconds: float) -> None:
        """Ask every process sharing the folder not to start a request for `seconds` (429/503)."""
        if seconds <= 0:
            return
        with self._thread_lock, self._file_lock():
            self._hold_until = max(self._hold_until or 0.0, self.clock() + seconds)
            self._write_stamp(hold_for=seconds)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # -- internals -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self._fd is None or fcntl is None:
            yield
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another process's turn", extra={"enrich_event": "wait"})
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _wait_needed(self, stamp: Stamp | None) -> tuple[float, float]:
        """(the wait before the next request, the part of it a shared hold-off asks for)."""
        now = self.clock()
        waits = [0.0]
        held = 0.0
        if self._last_end is not None:
            waits.append(self.min_interval - (now - self._last_end))
        if self._hold_until is not None:
            waits.append(self._hold_until - now)
        if self._stamp_path is not None and self._stamp_path.exists() and stamp is None:
            waits.append(self.min_interval)  # unreadable: a writer died mid-write; be safe
        if stamp is not None and stamp.token != self.token:
            elapsed = min(max(self.wall() - stamp.finished, 0.0), self.min_interval)
            waits.append(self.min_interval - elapsed)
            if stamp.hold_until > 0:
                held = min(stamp.hold_until - self.wall(), stamp.hold_for, self.backoff_max)
                waits.append(held)
        return max(waits), held

    def _mark_busy(self, busy: bool) -> None:
        if self._busy_path is None:
            return
        try:
            if busy:
                self._busy_path.write_text(f"{os.getpid()} {self.token}\n", "ascii")
            else:
                self._busy_path.unlink(missing_ok=True)
        except OSError as exc:
            self.degraded = f"cannot write {self._busy_path}: {exc}"

    def _read_stamp(self) -> Stamp | None:
        if self._stamp_path is None:
            return None
        try:
            return Stamp.load(self._stamp_path.read_text("ascii"))
        except (OSError, UnicodeDecodeError):
            return None

    def _write_stamp(self, hold_for: float | None) -> None:
        if self._stamp_path is None:
            return
        wall = self.wall()
        previous = self._read_stamp()
        hold_until, hold_len = 0.0, 0.0
        if hold_for is not None:
            hold_until, hold_len = wall + hold_for, hold_for
        elif previous is not None and previous.hold_until > wall:
            hold_until, hold_len = previous.hold_until, previous.hold_for  # keep a live back-off
        stamp = Stamp(wall, os.getpid(), self.token, hold_until, hold_len)
        if hold_for is not None and previous is not None:
            stamp = Stamp(previous.finished, previous.pid, previous.token, hold_until, hold_len)
        tmp = self._stamp_path.with_name(f"{STAMP_NAME}.{os.getpid()}.{self.token}")
        try:
            tmp.write_text(stamp.dump(), "ascii")
            os.replace(tmp, self._stamp_path)
        except OSError as exc:
            self.degraded = f"cannot write {self._stamp_path}: {exc}"


def _announce(resume: float) -> None:
    log.warning(
        "arXiv asked us to wait; resuming at %s", time.strftime("%H:%M:%S", time.localtime(resume))
    )
