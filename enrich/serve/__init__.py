"""`enrich serve`: the enrichment service many pipelines share (FastAPI on uvicorn).

app.py      create_app(settings): the routes, limits, token, /metrics and /healthz
queue.py    Coalescer: memory -> cache -> one queue; single flight; full batches; 503 when full
metrics.py  the counters and their Prometheus text
remote.py   ServerSource: `enrich run --server URL`, the pipeline's look-ups sent to a service
run.py      serve(settings, host, port): the safety checks, then uvicorn
"""

from __future__ import annotations

__all__: list[str] = []
