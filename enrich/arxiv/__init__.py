"""The arXiv API client: batched, cached, polite across processes, retried.

    with ArxivClient(settings) as client:
        lookups = client.fetch(["2503.22370", "hep-th/9901001"], progress=print)
        lookups["2503.22370"].status    # "found" | "not_found" | "invalid" | "unavailable"
        client.stats                    # requests, cache_hits, retries, bytes, seconds_waiting

Modules, one concept each:
    feed.py     parse_feed(bytes) -> Feed: the pure Atom parser (both arXiv servers)
    limiter.py  Limiter: one connection, min_interval end-to-start, shared by processes
    retry.py    which failures are transient; jittered exponential back-off, Retry-After
    cache.py    RecordCache / open_cache: a SQLite table, TTL up to the next announcement
    client.py   ArxivClient.fetch: batching, 400 bisection, re-checks, Lookup results

Politeness defaults live in enrich/settings.py (3 s, quoting arXiv's terms of use).
"""

from __future__ import annotations

from enrich.arxiv.cache import CachedAnswer, CacheStats, RecordCache, open_cache
from enrich.arxiv.client import GET_MAX_IDS, ArxivClient, ArxivRejected, ClientStats, Lookup
from enrich.arxiv.feed import Feed, FeedError, is_withdrawn, parse_feed
from enrich.arxiv.limiter import Limiter

__all__ = [
    "GET_MAX_IDS",
    "ArxivClient",
    "ArxivRejected",
    "CacheStats",
    "CachedAnswer",
    "ClientStats",
    "Feed",
    "FeedError",
    "Limiter",
    "Lookup",
    "RecordCache",
    "is_withdrawn",
    "open_cache",
    "parse_feed",
]
