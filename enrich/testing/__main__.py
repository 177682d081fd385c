"""Try `enrich` offline: a local arXiv stand-in that knows every paper of your digests.

    python -m enrich.testing run ../shared/seeds --out out/seeds.jsonl --report out/seeds.html

starts the stand-in (enrich.testing.StandIn) on 127.0.0.1 with one record per id the digests
name, agreeing with the digest except a few planted differences (a cut author list completed,
every tenth paper one version further, so the report and `--fix-dir` have something to show),
then runs `enrich run` with the given paths and options against it (a throw-away cache, no
3 s gap: the stand-in is not arxiv.org). Nothing touches the network. A module of the test
helpers rather than an `enrich` command: it is a demonstration and a test fixture, not a way to
check digests.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from enrich.models import ArxivRecord, DigestEntry
from enrich.testing.arxiv_api import StandIn
from enrich.testing.records import records_agreeing

__all__ = ["main", "records_for"]


def records_for(entries: Iterable[DigestEntry], *, stale_every: int = 10) -> list[ArxivRecord]:
    """One record per id the valid entries name, agreeing with the first entry of each (see
    enrich.testing.records), except that every `stale_every`-th id has a later version."""

    def stale(n: int, entry: DigestEntry, fields: dict[str, Any]) -> bool:
        if (n + 1) % stale_every == 0:
            fields["latest_version"] += 1
        return True

    return records_agreeing((e for e in entries if e.status == "valid"), plant=stale)


def _paths(args: Sequence[str]) -> list[str]:
    """The INPUT arguments of an `enrich run` command line (what comes before the options)."""
    out = []
    for arg in args:
        if arg.startswith("-") and arg != "-":
            break
        out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "run" or len(args) < 2:
        sys.stderr.write(
            "usage: python -m enrich.testing run INPUT... [enrich run options]\n"
            "  runs `enrich run` against a local arXiv stand-in that knows the inputs' papers\n"
        )
        return 2
    from enrich.cli import _invoke
    from enrich.ingest import iter_entries

    paths = _paths(args[1:])
    records = records_for(iter_entries(p for p in paths if p != "-"))
    with StandIn(records) as arxiv, tempfile.TemporaryDirectory(prefix="enrich-demo-") as cache:
        sys.stderr.write(f"arXiv stand-in on {arxiv.url} with {len(records)} papers\n")
        os.environ.setdefault("ENRICH_MIN_INTERVAL", "0")
        os.environ.setdefault("ENRICH_BACKOFF_INITIAL", "0")
        os.environ.setdefault("ENRICH_BACKOFF_MAX", "0")
        sys.argv = ["enrich", *args, "--api-url", arxiv.url, "--cache-dir", cache]
        return _invoke()


if __name__ == "__main__":
    sys.exit(main())
