"""The service's counters, rendered in the Prometheus text format (version 0.0.4) for GET /metrics.

Written by hand: a dozen counters do not need a client library, and the format is four line
shapes (https://prometheus.io/docs/instrumenting/exposition_formats/). Every name starts `enrich_`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Metrics"]


@dataclass
class Metrics:
    arxiv_requests: int = 0  # HTTP requests this instance sent to arXiv (retries included)
    ids_fetched: int = 0  # ids answered by arXiv (not by a cache) for this instance's callers
    batches: int = 0  # look-up batches the worker handed to the source
    cache_hits: Counter[str] = field(default_factory=Counter)  # layer -> hits
    lookups: Counter[str] = field(default_factory=Counter)  # status -> ids answered to callers
    unavailable: int = 0  # ids the source could not answer (arXiv or Redis down)
    refused: int = 0  # calls answered 503 because the queue was full
    dropped: int = 0  # queued ids dropped because every caller waiting for them went away
    waits: int = 0
    wait_seconds: float = 0.0  # time callers spent waiting for the queue
    http: Counter[tuple[str, int]] = field(default_factory=Counter)  # (route, status) -> count

    def render(self, gauges: dict[str, tuple[str, float]], seconds_waiting: float) -> str:
        lines: list[str] = []

        def metric(
            name: str, kind: str, help_: str, values: list[tuple[str, float]] | float
        ) -> None:
            lines.append(f"# HELP enrich_{name} {help_}")
            lines.append(f"# TYPE enrich_{name} {kind}")
            if isinstance(values, int | float):
                values = [("", float(values))]
            for labels, value in values:
                lines.append(f"enrich_{name}{labels} {_number(value)}")

        metric(
            "arxiv_requests_total",
            "counter",
            "HTTP requests sent to arXiv by this instance (retries included).",
            self.arxiv_requests,
        )
        metric(
            "arxiv_ids_fetched_total",
            "counter",
            "Ids answered by arXiv rather than a cache.",
            self.ids_fetched,
        )
        per = self.ids_fetched / self.arxiv_requests if self.arxiv_requests else 0.0
        metric(
            "arxiv_ids_per_request",
            "gauge",
            "ids_fetched_total / requests_total: how full the requests are (100 is a full batch).",
            per,
        )
        metric(
            "arxiv_wait_seconds_total",
            "counter",
            "Seconds spent waiting for the shared budget (the gap, the one connection, back-offs).",
            seconds_waiting,
        )
        metric(
            "cache_hits_total",
            "counter",
            "Ids answered from memory or the cache.",
            _labelled("layer", self.cache_hits),
        )
        metric(
            "lookups_total",
            "counter",
            "Ids answered to callers, by status.",
            _labelled("status", self.lookups),
        )
        metric(
            "lookup_errors_total",
            "counter",
            "Ids that could not be looked up "
            "(arXiv or Redis unreachable): answered as unavailable.",
            self.unavailable,
        )
        metric(
            "queue_refused_total",
            "counter",
            "Calls refused with 503: the wait would pass serve_max_wait.",
            self.refused,
        )
        metric(
            "queue_dropped_total",
            "counter",
            "Queued ids dropped because their callers went away.",
            self.dropped,
        )
        metric(
            "queue_wait_seconds",
            "summary",
            "Time callers waited for the queue.",
            [("_sum", self.wait_seconds), ("_count", float(self.waits))],
        )
        metric(
            "http_requests_total",
            "counter",
            "Requests served, by route and status.",
            [
                (f'{{route="{r}",status="{s}"}}', float(n))
                for (r, s), n in sorted(self.http.items())
            ],
        )
        for name, (help_, value) in sorted(gauges.items()):
            metric(name, "gauge", help_, value)
        return "\n".join(lines) + "\n"


def _labelled(label: str, counts: Counter[str]) -> list[tuple[str, float]]:
    return [(f'{{{label}="{key}"}}', float(n)) for key, n in sorted(counts.items())]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
