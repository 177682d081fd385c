"""ServerSource: `enrich run --server URL` sends its look-ups to a running `enrich serve`.

A LookupSource like ArxivClient (`fetch(ids, progress)` -> one Lookup per id), so the pipeline and
therefore the output are those of a local run: the service answers with the same records, and the
comparison runs here. Ids go in POST /v1/papers calls of at most CHUNK ids. A 503 from a full queue
is waited out (Retry-After, a few times); what still fails is `unavailable` with the reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import httpx

from enrich.arxiv.client import ClientStats, Lookup
from enrich.models import ArxivRecord
from enrich.settings import Settings

__all__ = ["ServerSource"]

log = logging.getLogger(__name__)

CHUNK = 500  # ids per POST /v1/papers (the service's default limit is 1000)
ATTEMPTS = 5  # tries of one chunk when the service answers 503 or cannot be reached


class ServerSource:
    def __init__(
        self,
        settings: Settings,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.stats = ClientStats()
        self.cache_note: str | None = None
        self._sleep = sleep
        headers = {"User-Agent": settings.full_user_agent}
        if settings.serve_token:
            headers["Authorization"] = f"Bearer {settings.serve_token}"
        self._own = http is None
        # the service may hold a caller for a while (it is queuing for arXiv on its behalf)
        self._http = http or httpx.Client(
            base_url=settings.server,
            headers=headers,
            timeout=httpx.Timeout(
                settings.timeout, read=settings.serve_max_wait + settings.timeout
            ),
        )

    def close(self) -> None:
        if self._own:
            self._http.close()

    def __enter__(self) -> ServerSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(
        self, ids: Iterable[str], progress: Callable[[int], None] | None = None
    ) -> dict[str, Lookup]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Lookup] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            out.update(self._ask(chunk))
            if progress is not None:
                progress(len(out))
        return out

    def fetch_versions(
        self, wanted: Iterable[tuple[str, int]], optional: Iterable[tuple[str, int]] = ()
    ) -> dict[tuple[str, int], ArxivRecord]:
        """Single versions through POST /v1/versions (as ArxivClient.fetch_versions: what cannot
        be fetched is left out, with a warning)."""
        body = {
            "wanted": [{"arxiv_id": i, "version": v} for i, v in dict.fromkeys(wanted)],
            "optional": [{"arxiv_id": i, "version": v} for i, v in dict.fromkeys(optional)],
        }
        if not body["wanted"]:
            return {}
        try:
            response = self._http.post("/v1/versions", json=body)
            response.raise_for_status()
            records = [ArxivRecord.model_validate(r) for r in response.json()["records"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("versions not fetched from %s: %s", self.settings.server, exc)
            return {}
        return {(r.arxiv_id, r.latest_version): r for r in records}

    def _ask(self, ids: list[str]) -> dict[str, Lookup]:
        reason = "no answer"
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self._http.post("/v1/papers", json={"ids": ids})
            except httpx.HTTPError as exc:
                reason = f"the server {self.settings.server} cannot be reached ({exc})"
                wait = min(2.0**attempt, 30.0)
            else:
                if response.status_code == 200:
                    return self._read(ids, response.json())
                reason = f"the server {self.settings.server} answered HTTP {response.status_code}"
                detail = _detail(response)
                if detail:
                    reason += f": {detail}"
                if response.status_code != 503:
                    break
                wait = _retry_after(response.headers.get("Retry-After"))
            if attempt < ATTEMPTS:
                log.info("%s; trying again in %.1f s", reason, wait)
                self.stats.retries += 1
                self.stats.seconds_waiting += wait
                self._sleep(wait)
        return {i: Lookup("unavailable", reason=reason) for i in ids}

    def _read(self, ids: list[str], data: dict[str, object]) -> dict[str, Lookup]:
        out: dict[str, Lookup] = {}
        results = data.get("results")
        for item in results if isinstance(results, list) else []:
            record = item.get("record")
            out[item["arxiv_id"]] = Lookup(
                item["status"],
                ArxivRecord.model_validate(record) if record is not None else None,
                item.get("reason"),
            )
        for arxiv_id in ids:
            out.setdefault(arxiv_id, Lookup("unavailable", reason="the server gave no answer"))
        return out


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:200].strip()
    return detail if isinstance(detail, str) else ""


def _retry_after(value: str | None) -> float:
    from enrich.arxiv.retry import parse_retry_after

    seconds = parse_retry_after(value)
    return min(max(seconds if seconds is not None else 5.0, 0.1), 60.0)
