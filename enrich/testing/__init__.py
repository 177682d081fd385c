"""Test helpers for arxiv-enrich and for your own pipelines: a local arXiv on 127.0.0.1.

    from enrich.testing import StandIn, make_record

    with StandIn() as arxiv:                      # real sockets, real Atom, able to misbehave
        arxiv.add(make_record("2501.00001", title="A paper"))
        arxiv.fail("503", times=2)
        settings = Settings(api_url=arxiv.url, min_interval=0)

    with OaiStandIn(page_size=500) as oai:        # arXiv's OAI-PMH (ListRecords, arXivRaw)
        oai.add(make_record("2501.00001"), datestamp="2026-11-20")
        settings = Settings(oai_url=oai.url, ...)   # then `enrich mirror sync`

Nothing here touches the internet; see `enrich.testing.arxiv_api` and `enrich.testing.oai_pmh`
for every fault they can serve.
"""

from __future__ import annotations

from enrich.testing.arxiv_api import (
    Fault,
    RequestLog,
    StandIn,
    make_history,
    make_record,
    render_error_feed,
    render_feed,
)
from enrich.testing.oai_pmh import OaiStandIn
from enrich.testing.records import records_agreeing

__all__ = [
    "Fault",
    "OaiStandIn",
    "RequestLog",
    "StandIn",
    "make_history",
    "make_record",
    "records_agreeing",
    "render_error_feed",
    "render_feed",
]
