"""The tests' short name for the public stand-in (`enrich.testing`), plus a pytest fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from enrich.testing import (
    Fault,
    RequestLog,
    StandIn,
    make_history,
    make_record,
    render_error_feed,
    render_feed,
)

__all__ = [
    "Fault",
    "RequestLog",
    "StandIn",
    "make_history",
    "make_record",
    "render_error_feed",
    "render_feed",
]


@pytest.fixture
def standin_server() -> Iterator[StandIn]:
    """A started StandIn, stopped after the test (import it into a test module to use it)."""
    with StandIn() as server:
        yield server
