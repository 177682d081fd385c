"""Without network (or with a mistyped host) a run gives up at once instead of backing off for
minutes, keeps every entry as `unavailable`, and says why."""

from __future__ import annotations

from pathlib import Path

import httpx
import respx

from enrich.arxiv import ArxivClient
from enrich.arxiv.retry import is_transient
from enrich.settings import load_settings


def test_unknown_host_is_not_retried_but_resets_are() -> None:
    assert not is_transient(httpx.ConnectError("[Errno -2] Name or service not known"))
    assert is_transient(httpx.ConnectError("[Errno 111] Connection refused"))
    assert is_transient(httpx.ReadTimeout("timed out"))


def test_a_run_without_network_marks_ids_unavailable_after_one_attempt(tmp_path: Path) -> None:
    settings = load_settings(None, cache_dir=str(tmp_path / "c"))
    slept: list[float] = []
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(url__startswith=settings.api_url).mock(
            side_effect=httpx.ConnectError("[Errno -2] Name or service not known")
        )
        with ArxivClient(settings, sleep=slept.append) as client:
            found = client.fetch(["2401.00001", "2401.00002"])
    assert route.call_count == 1
    assert {v.status for v in found.values()} == {"unavailable"}
    assert all("Name or service not known" in (v.reason or "") for v in found.values())
    assert sum(slept) <= settings.min_interval  # no back-off, at most the polite gap
