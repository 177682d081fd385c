"""The retry policy: what is transient, the jittered exponential wait, Retry-After."""

from __future__ import annotations

import email.utils
import random

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrich.arxiv.client import ArxivRejected
from enrich.arxiv.retry import (
    EmptyFeed,
    backoff_wait,
    build_retrying,
    is_transient,
    parse_retry_after,
)
from enrich.errors import ArxivBadResponse, ArxivHTTPError
from enrich.settings import Settings


@pytest.mark.parametrize("status", [406, 429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_transient(status: int) -> None:
    assert is_transient(ArxivHTTPError("x", status=status))


@pytest.mark.parametrize("status", [403, 404, 414])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert not is_transient(ArxivHTTPError("x", status=status))


@pytest.mark.parametrize(
    "exc",
    [
        ArxivBadResponse("not XML: 'Rate exceeded.'"),
        EmptyFeed("empty"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.ConnectError("refused"),
    ],
)
def test_bad_bodies_timeouts_and_resets_are_transient(exc: BaseException) -> None:
    assert is_transient(exc)


def test_a_400_is_not_retried_it_is_bisected() -> None:
    assert not is_transient(ArxivRejected("incorrect id format for x", status=400))
    assert not is_transient(ValueError("a bug"))


@given(
    attempt=st.integers(min_value=1, max_value=30),
    initial=st.floats(min_value=0.0, max_value=60.0),
    extra=st.floats(min_value=0.0, max_value=600.0),
    seed=st.integers(),
)
def test_the_wait_stays_between_initial_and_max(
    attempt: int, initial: float, extra: float, seed: int
) -> None:
    maximum = initial + extra
    wait = backoff_wait(attempt, initial, maximum, random.Random(seed))
    assert initial <= wait <= maximum
    uncapped_low = initial * 2 ** (attempt - 1)
    assert wait >= min(uncapped_low, maximum)  # exponential: never below the attempt's floor


def test_the_wait_is_jittered() -> None:
    rng = random.Random(7)
    waits = {round(backoff_wait(3, 1.0, 100.0, rng), 6) for _ in range(20)}
    assert len(waits) > 1 and all(4.0 <= w <= 8.0 for w in waits)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("120", 120.0), ("0", 0.0), (" 2.5 ", 2.5), ("-3", 0.0), ("soon", None), ("", None)],
)
def test_retry_after_seconds(header: str, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_http_date() -> None:
    now = 1_800_000_000.0
    header = email.utils.formatdate(now + 90, usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(90.0)
    assert parse_retry_after(None) is None


def test_retry_after_is_honoured_and_capped_at_backoff_max() -> None:
    sleeps: list[float] = []
    policy = Settings(max_attempts=3, backoff_initial=1.0, backoff_max=10.0)
    retrying = build_retrying(policy, sleep=sleeps.append)
    failures = iter(
        [
            ArxivHTTPError("429", status=429, retry_after=4.0),
            ArxivHTTPError("503", status=503, retry_after=999.0),
        ]
    )

    def flaky() -> str:
        exc = next(failures, None)
        if exc is not None:
            raise exc
        return "ok"

    assert retrying(flaky) == "ok"
    assert sleeps == [4.0, 10.0]


def test_at_most_max_attempts_then_the_last_error_is_raised() -> None:
    sleeps: list[float] = []
    calls = []
    policy = Settings(max_attempts=4, backoff_initial=1.0, backoff_max=5.0)
    retrying = build_retrying(policy, sleep=sleeps.append)

    def always() -> None:
        calls.append(1)
        raise ArxivHTTPError("503", status=503)

    with pytest.raises(ArxivHTTPError):
        retrying(always)
    assert len(calls) == 4 and len(sleeps) == 3
    assert 1.0 <= sleeps[0] <= 2.0 and 2.0 <= sleeps[1] <= 4.0 and 4.0 <= sleeps[2] <= 5.0
