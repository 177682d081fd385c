"""Which failures of the arXiv API are worth another try, and how long to wait before it.

Transient (retried, with back-off):
* HTTP 429 (throttled; usually without Retry-After, body "Rate exceeded."), 503, 500, 502, 504,
  and 406 (seen from arXiv's front end under load);
* timeouts and transport failures (connection reset, refused, protocol errors);
* a 200 whose body is not a complete Atom feed ("Rate exceeded.", truncated XML): ArxivBadResponse;
* an empty feed where entries were expected (EmptyFeed, raised by the client once per batch);
* a short answer: fewer entries than asked and than its own totalResults (ShortFeed).

Anything else (403 denied, 404, 414...) is not retried: the ids of that request are unavailable.
A 400 is not a transient failure either: it means a malformed id, which the client bisects; nor is
an answer that cannot be parsed the same way every time (ArxivUnparseable), isolated the same way.

The wait before attempt n+1 is drawn uniformly from [initial * 2**(n-1), initial * 2**n], clamped
to [backoff_initial, backoff_max]: exponential, jittered so that several clients refused together
do not come back together. A Retry-After header, when sent, replaces it (capped at backoff_max).
At most `max_attempts` attempts in all. The sleep is tenacity's `sleep=` argument: injectable.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from enrich.errors import ArxivBadResponse, ArxivHTTPError, ArxivUnparseable

if TYPE_CHECKING:  # httpx and tenacity load when the first request is made, not at start-up
    import tenacity

    from enrich.arxiv.feed import Feed

__all__ = [
    "RETRY_STATUSES",
    "EmptyFeed",
    "RetrySettings",
    "ShortFeed",
    "backoff_wait",
    "build_retrying",
    "is_transient",
    "parse_retry_after",
]

RETRY_STATUSES = frozenset({406, 429, 500, 502, 503, 504})
THROTTLE_STATUSES = frozenset({429, 503})


class EmptyFeed(ArxivBadResponse):
    """A valid feed with no entry at all for a batch of several ids: probably a glitch."""


class ShortFeed(ArxivBadResponse):
    """A valid feed with fewer entries than asked and than its own totalResults: a glitch."""

    def __init__(self, message: str, url: str = "", attempt: int = 0, *, feed: Feed) -> None:
        super().__init__(message, url, attempt)
        self.feed = feed


def is_transient(exc: BaseException) -> bool:
    """Is this failure worth another attempt?"""
    if isinstance(exc, ArxivHTTPError):
        return exc.status in RETRY_STATUSES
    if isinstance(exc, ArxivUnparseable):
        return False  # the same answer every time: the client isolates the id instead
    if isinstance(exc, ArxivBadResponse):
        return True
    import httpx

    if isinstance(exc, httpx.ConnectError) and _unknown_host(exc):
        return False  # no network or a mistyped api_url: minutes of back-off would not help
    return isinstance(exc, httpx.TransportError)  # timeouts, resets, refused, protocol errors


_NO_SUCH_HOST = ("Name or service not known", "nodename nor servname", "No address associated")


def _unknown_host(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):  # httpx wraps httpcore, which wraps the socket error
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror) or any(m in str(seen) for m in _NO_SUCH_HOST):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    base = now if now is not None else dt.datetime.now(dt.UTC).timestamp()
    return max(0.0, when.timestamp() - base)


def backoff_wait(
    attempt: int, initial: float, maximum: float, rng: random.Random | None = None
) -> float:
    """The jittered exponential wait after failed attempt number `attempt` (1-based)."""
    low = initial * 2 ** (attempt - 1)
    high = initial * 2**attempt
    value = (rng or random).uniform(low, high)
    return min(max(value, initial), maximum)


class RetrySettings(Protocol):
    """The settings a retry policy is made of (enrich.settings.Settings has them)."""

    max_attempts: int
    backoff_initial: float
    backoff_max: float


def build_retrying(
    settings: RetrySettings,
    *,
    sleep: Callable[[float], None],
    rng: random.Random | None = None,
    before_sleep: Callable[[tenacity.RetryCallState], None] | None = None,
) -> tenacity.Retrying:
    """A tenacity policy for one batch, by `settings`' max_attempts, backoff_initial and
    backoff_max; the last failure is re-raised as it is."""
    import tenacity

    max_attempts = settings.max_attempts
    backoff_initial, backoff_max = settings.backoff_initial, settings.backoff_max

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, int | float):
            return float(min(max(retry_after, 0.0), backoff_max))
        return backoff_wait(state.attempt_number, backoff_initial, backoff_max, rng)

    kwargs: dict[str, Any] = {}
    if before_sleep is not None:
        kwargs["before_sleep"] = before_sleep
    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(max_attempts),
        wait=wait,
        retry=tenacity.retry_if_exception(is_transient),
        sleep=sleep,
        reraise=True,
        **kwargs,
    )
