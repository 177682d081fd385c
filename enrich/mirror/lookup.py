"""Look-ups ask the mirror first: the one place where the mirror meets the arXiv client.

`MirrorFirst(client, store, settings).fetch(ids, progress, versions=...)` answers each id the
mirror holds fresh enough (see store.py for `fresh_at`; "enough" is within `mirror_max_age`) with
the mirror's record, costing no request, and hands the rest to the wrapped client's `fetch`
(cache, then the API), as before. Fell through to the client:

* ids the mirror does not hold, or holds older than `mirror_max_age`;
* ids for which the digest names a version newer than the mirror's latest (`versions` maps an id
  to the highest version the digest names): the mirror is behind, arXiv is asked;
* versioned ids (`IDvN` asks for that version's own title and authors, which the mirror does not
  keep), and the per-version look-ups (`fetch_versions`) of enrich/versions.py;
* everything when `refresh` is set (ask arXiv again) or `mirror_max_age` is 0.

With `offline`, the mirror still answers (it is local) and the client answers the rest from its
cache. The wrapped client's statistics stay its own; `stats.mirror_hits` adds the mirror's share.
`open_mirror_first(client, settings)` wraps a client when a mirror database exists.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from enrich.errors import CacheError, InvalidArxivId
from enrich.ids import parse_arxiv_id
from enrich.mirror.paper import to_record
from enrich.models import ArxivRecord
from enrich.settings import Settings

if TYPE_CHECKING:
    from enrich.mirror.store import MirrorStore

__all__ = ["MirrorFirst", "MirrorLookup", "open_mirror_first"]

log = logging.getLogger(__name__)


@dataclass
class MirrorLookup:
    """A look-up the mirror answered (LookupLike: status, record, reason)."""

    status: str
    record: ArxivRecord | None
    reason: str | None = None
    from_cache: bool = True
    from_mirror: bool = True


@dataclass
class _NoStats:
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0


class MirrorFirst:
    """A look-up source: the mirror, then the wrapped client (see the module docstring)."""

    def __init__(
        self,
        client: Any,
        store: MirrorStore,
        settings: Settings,
        *,
        now: Callable[[], float] = time.time,
        own_store: bool = False,
    ) -> None:
        self.client = client
        self.store = store
        self.settings = settings
        self.now = now
        self.mirror_hits = 0
        self._own_store = own_store

    # the wrapped client's face: the pipeline reads these
    @property
    def stats(self) -> Any:
        stats = getattr(self.client, "stats", None)
        return stats if stats is not None else _NoStats()

    @property
    def fetch_versions(self) -> Any:
        """The wrapped client's per-version look-ups (enrich/versions.py): the mirror holds the
        latest version's metadata only. AttributeError when the client has none."""
        return self.client.fetch_versions

    @property
    def redis(self) -> Any:
        """The wrapped source's Redis connection, for the service's readiness check. Its `cache`
        is deliberately not exposed: a caller holding it would ask it before the mirror."""
        return self.client.redis

    @property
    def cache_note(self) -> str | None:
        return getattr(self.client, "cache_note", None)

    def cancel(self) -> None:
        """The wrapped client's cancel (Ctrl-C): no request more goes to arXiv."""
        cancel = getattr(self.client, "cancel", None)
        if cancel is not None:
            cancel()

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()
        if self._own_store:
            self.store.close()

    def __enter__(self) -> MirrorFirst:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(
        self,
        ids: Iterable[str],
        progress: Callable[[int], None] | None = None,
        versions: Mapping[str, int | None] | None = None,
    ) -> dict[str, Any]:
        """One look-up per id given: the mirror's where it may answer, the client's for the rest."""
        given = list(dict.fromkeys(ids))
        answered: dict[str, Any] = {}
        if not self.settings.refresh and self.settings.mirror_max_age > 0:
            canonical: dict[str, list[str]] = {}
            for arxiv_id in given:
                try:
                    parsed = parse_arxiv_id(arxiv_id)
                except InvalidArxivId:
                    continue  # the client says why
                if parsed.version is None:  # IDvN asks for that version's own metadata
                    canonical.setdefault(parsed.id, []).append(arxiv_id)
            oldest = self.now() - self.settings.mirror_max_age
            for arxiv_id, hit in self.store.get_many(canonical).items():
                wanted = (versions or {}).get(arxiv_id) or 0
                if hit.fresh_at < oldest or wanted > hit.paper.latest_version:
                    continue
                lookup = MirrorLookup("found", to_record(hit.paper))
                for alias in canonical[arxiv_id]:
                    answered[alias] = lookup
            self.mirror_hits += len(answered)
        rest = [i for i in given if i not in answered]
        if progress is not None and answered:
            progress(len(answered))
        if rest:
            done = len(answered)

            def report(n: int) -> None:
                if progress is not None:
                    progress(done + n)

            answered.update(self.client.fetch(rest, report if progress is not None else None))
        return answered


def open_mirror_first(client: Any, settings: Settings) -> Any:
    """`client` wrapped in MirrorFirst when the mirror database exists, else `client` itself."""
    path = settings.mirror_file
    if settings.mirror_max_age <= 0 or not path.is_file():
        return client
    from enrich.mirror.store import MirrorStore  # only when there is a mirror

    try:
        store = MirrorStore(path)
    except CacheError as exc:
        log.warning("%s; looking up without the mirror", exc)
        return client
    return MirrorFirst(client, store, settings, own_store=True)
