"""The limiter with a fake clock: the end-to-start gap, the shared stamp, robust waits."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich.arxiv.limiter import (
    BUSY_NAME,
    HANDOVER,
    STAMP_NAME,
    Early,
    Limiter,
    Stamp,
    wait_out,
)


class FakeTime:
    """A monotonic clock, a wall clock and a sleep that advances both (no real waiting)."""

    def __init__(self, wall: float = 1_800_000_000.0) -> None:
        self.mono = 100.0
        self.wall_now = wall
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.mono

    def wall(self) -> float:
        return self.wall_now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono += seconds
        self.wall_now += seconds

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall_now += seconds


def limiter(folder: Path | None, t: FakeTime, interval: float = 3.0) -> Limiter:
    return Limiter(folder, interval, clock=t.clock, wall=t.wall, sleep=t.sleep)


def test_the_gap_runs_from_the_end_of_one_request_to_the_start_of_the_next(tmp_path: Path) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    starts, ends = [], []
    for duration in (0.0, 5.0, 1.0, 0.0):
        with gate.slot():
            starts.append(t.mono)
            t.advance(duration)  # a request taking that long
            ends.append(t.mono)
    assert t.sleeps == [3.0, 3.0, 3.0]  # even after a 5 s request: end-to-start
    assert all(s - e >= 3.0 for e, s in zip(ends, starts[1:], strict=False))
    assert gate.seconds_waiting == pytest.approx(9.0)


def test_the_gap_runs_from_end_request_and_what_follows_in_the_slot_counts_towards_it(
    tmp_path: Path,
) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    with gate.slot():
        t.advance(0.5)  # the request
        gate.end_request()
        ended = t.wall_now
        t.advance(2.0)  # parsing and storing the answer, the slot still held
        gate.end_request()  # a second call changes nothing
    stamp = Stamp.load((tmp_path / STAMP_NAME).read_text())
    assert stamp is not None and stamp.finished == ended
    assert not (tmp_path / BUSY_NAME).exists()
    with gate.slot():
        pass
    assert t.sleeps == [1.0]  # 3 s from the end of the answer, not from the end of the slot
    other = limiter(tmp_path, t)  # another process finds the same end in the stamp
    t.advance(0.25)
    with other.slot():
        pass
    assert t.sleeps == [1.0, 2.75]


def test_a_holder_killed_mid_request_costs_the_next_one_a_full_interval(tmp_path: Path) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    with gate.slot():
        pass
    t.advance(1.0)
    busy_while_waiting = []
    real_sleep = t.sleep

    def sleep(seconds: float) -> None:  # the file is there already during the wait
        busy_while_waiting.append((tmp_path / BUSY_NAME).exists())
        real_sleep(seconds)

    gate.sleep = sleep
    with pytest.raises(KeyboardInterrupt), gate.slot():
        gate._in_request = False  # as if killed: the end is never stamped
        raise KeyboardInterrupt
    assert busy_while_waiting == [True] and (tmp_path / BUSY_NAME).exists()
    t.advance(10.0)  # long after the last stamp, but that request's end is unknown
    with limiter(tmp_path, t).slot():
        pass
    assert t.sleeps == [2.0, 3.0]


def test_no_wait_when_the_gap_has_already_passed(tmp_path: Path) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    with gate.slot():
        pass
    t.advance(10)
    with gate.slot():
        pass
    assert t.sleeps == []


def _foreign_stamp(folder: Path, finished: float, **extra: float) -> None:
    stamp = Stamp(
        finished, 4242, "otherprocess", extra.get("hold_until", 0.0), extra.get("hold_for", 0.0)
    )
    (folder / STAMP_NAME).write_text(stamp.dump())


def test_a_request_just_finished_by_another_process_is_waited_for(tmp_path: Path) -> None:
    t = FakeTime()
    _foreign_stamp(tmp_path, t.wall_now - 1.0)  # another process finished 1 s ago
    with limiter(tmp_path, t).slot():
        pass
    assert t.sleeps == [pytest.approx(2.0)]


def test_a_wall_clock_stepped_back_never_makes_the_wait_longer_than_the_interval(
    tmp_path: Path,
) -> None:
    t = FakeTime()
    _foreign_stamp(tmp_path, t.wall_now + 3600.0)  # "finished" an hour in the future
    with limiter(tmp_path, t).slot():
        pass
    assert t.sleeps == [3.0]


def test_a_wall_clock_stepped_forward_at_worst_skips_one_wait(tmp_path: Path) -> None:
    t = FakeTime()
    _foreign_stamp(tmp_path, t.wall_now - 3600.0)
    with limiter(tmp_path, t).slot():
        pass
    assert t.sleeps == []


def test_our_own_stamp_uses_the_monotonic_clock_not_the_wall(tmp_path: Path) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    with gate.slot():
        pass
    t.wall_now -= 10_000  # the wall clock jumps; the monotonic clock does not
    with gate.slot():
        pass
    assert t.sleeps == [3.0]


def test_an_unreadable_stamp_means_wait_the_full_interval(tmp_path: Path) -> None:
    t = FakeTime()
    (tmp_path / STAMP_NAME).write_text("17000")  # a writer killed mid-write
    with limiter(tmp_path, t).slot():
        pass
    assert t.sleeps == [3.0]


def test_a_hold_off_is_shared_and_capped_at_its_length(tmp_path: Path) -> None:
    t = FakeTime()
    first = limiter(tmp_path, t)
    with first.slot():
        pass
    first.hold_off(30.0)  # e.g. after a 429
    second = limiter(tmp_path, t)  # another process (another token), same folder
    with second.slot():
        pass
    assert t.sleeps == [pytest.approx(30.0)]
    # a hold-off whose deadline looks far away (clock stepped back) is capped at its length
    t2 = FakeTime()
    _foreign_stamp(tmp_path, t2.wall_now - 100, hold_until=t2.wall_now + 10_000, hold_for=20.0)
    with limiter(tmp_path, t2).slot():
        pass
    assert t2.sleeps == [20.0]


def test_without_a_usable_folder_the_limiter_still_limits_in_process(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    t = FakeTime()
    gate = limiter(blocker / "sub", t)
    assert gate.degraded is not None
    with gate.slot():
        pass
    with gate.slot():
        pass
    assert t.sleeps == [3.0]
    no_folder = limiter(None, t)
    assert no_folder.degraded is not None


def test_the_end_is_stamped_even_when_the_request_fails(tmp_path: Path) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    with pytest.raises(ConnectionError), gate.slot():
        raise ConnectionError("reset")
    stamp = Stamp.load((tmp_path / STAMP_NAME).read_text())
    assert stamp is not None and stamp.token == gate.token
    with gate.slot():
        pass
    assert t.sleeps == [3.0]


def test_a_shared_hold_off_is_capped_by_our_backoff_max_and_announced(tmp_path: Path) -> None:
    # another process honoured a 600 s Retry-After (its backoff_max is larger than ours)
    t = FakeTime()
    _foreign_stamp(tmp_path, t.wall_now - 100, hold_until=t.wall_now + 600, hold_for=600.0)
    resumes: list[float] = []
    gate = Limiter(
        tmp_path,
        3.0,
        clock=t.clock,
        wall=t.wall,
        sleep=t.sleep,
        backoff_max=60.0,
        announce=resumes.append,
    )
    with gate.slot():
        pass
    assert t.sleeps == [60.0]
    assert resumes == [pytest.approx(t.wall_now)]  # announced with the time it resumes


def test_the_default_announcement_names_the_time_on_standard_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import time

    t = FakeTime()
    _foreign_stamp(tmp_path, t.wall_now - 100, hold_until=t.wall_now + 30, hold_for=30.0)
    with caplog.at_level("WARNING"), limiter(tmp_path, t).slot():
        pass
    expected = time.strftime("%H:%M:%S", time.localtime(t.wall_now))
    assert f"arXiv asked us to wait; resuming at {expected}" in caplog.text


def test_an_ordinary_gap_is_not_announced(tmp_path: Path) -> None:
    t = FakeTime()
    resumes: list[float] = []
    gate = Limiter(
        tmp_path, 3.0, clock=t.clock, wall=t.wall, sleep=t.sleep, announce=resumes.append
    )
    for _ in range(3):
        with gate.slot():
            pass
    assert t.sleeps == [3.0, 3.0] and resumes == []


def test_a_slot_with_nothing_to_send_neither_waits_nor_stamps(tmp_path: Path) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    with gate.slot() as go:
        assert go
    before = (tmp_path / STAMP_NAME).read_text()
    with gate.slot(ready=lambda: False) as go:
        assert not go
    assert t.sleeps == [] and (tmp_path / STAMP_NAME).read_text() == before


# -- the next connection, opened ahead -------------------------------------------------------------


def test_early_runs_lead_seconds_before_the_wait_ends_and_the_wait_never_ends_sooner() -> None:
    t = FakeTime()
    ran: list[float] = []

    def run() -> None:
        ran.append(t.mono)
        t.advance(0.03)  # opening the connection takes time: it is part of the wait, not after

    wait_out(3.0, t.clock, t.sleep, Early(0.5, run))
    assert ran == [pytest.approx(102.5)]
    assert t.mono == pytest.approx(103.0)  # 100 + 3: the wait is whole, not 3 + 0.03
    assert t.sleeps == [pytest.approx(2.5), pytest.approx(0.47)]


def test_early_runs_at_once_in_a_short_wait_and_a_slow_run_is_not_waited_again() -> None:
    t = FakeTime()
    ran: list[float] = []
    wait_out(0.2, t.clock, t.sleep, Early(0.5, lambda: (ran.append(t.mono), t.advance(0.3))))
    assert ran == [100.0] and t.sleeps == [] and t.mono == pytest.approx(100.3)


def test_a_failed_early_run_is_a_missed_head_start_and_no_wait_means_no_early_run() -> None:
    t = FakeTime()

    def fail() -> None:
        raise OSError("connection refused")

    wait_out(1.0, t.clock, t.sleep, Early(0.25, fail))
    assert t.mono == pytest.approx(101.0)
    called: list[int] = []
    wait_out(0.0, t.clock, t.sleep, Early(0.25, lambda: called.append(1)))
    assert called == [] and t.mono == pytest.approx(101.0)


def test_an_early_with_hold_is_handed_the_waits_last_moments_and_never_less() -> None:
    """What is left of the wait after the early run, up to HANDOVER seconds, goes to `hold`
    (the request's first write waits it out); the rest is slept; a run that overran the wait
    leaves nothing to hold."""
    t = FakeTime()
    held: list[tuple[float, float]] = []

    def hold(seconds: float, sleep: object) -> None:
        assert sleep == t.sleep  # the limiter's own sleep waits it out
        held.append((t.mono, seconds))
        t.advance(seconds)  # as the request's first write does

    wait_out(3.0, t.clock, t.sleep, Early(0.5, lambda: t.advance(0.03), hold))
    assert t.sleeps == [pytest.approx(2.5), pytest.approx(0.47 - HANDOVER)]
    assert held == [(pytest.approx(103.0 - HANDOVER), pytest.approx(HANDOVER))]
    assert held[0][0] + held[0][1] == pytest.approx(103.0)  # the wait whole, to the end
    held.clear()
    t.sleeps.clear()
    wait_out(1.0, t.clock, t.sleep, Early(0.5, lambda: t.advance(0.5 - HANDOVER / 2), hold))
    assert t.sleeps == [pytest.approx(0.5)]  # less than HANDOVER left: all of it held
    assert held == [(pytest.approx(104.0 - HANDOVER / 2), pytest.approx(HANDOVER / 2))]
    held.clear()
    wait_out(1.0, t.clock, t.sleep, Early(0.5, lambda: t.advance(0.6), hold))
    assert held == []  # the run took longer than the rest of the wait


def test_the_slot_opens_the_next_connection_before_the_gap_ends_not_before_the_first(
    tmp_path: Path,
) -> None:
    t = FakeTime()
    gate = limiter(tmp_path, t)
    ran: list[float] = []
    early = Early(0.1, lambda: ran.append(t.mono))
    with gate.slot(early=early):  # the first request: nothing to wait for, nothing run ahead
        t.advance(0.5)
    assert ran == []
    with gate.slot(early=early):
        started = t.mono
    assert ran == [pytest.approx(started - 0.1)] and started == pytest.approx(103.5)
