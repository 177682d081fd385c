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

from enrich.models import ArxivRecord, DigestEntry
from enrich.testing.arxiv_api import StandIn, make_record

__all__ = ["main", "records_for"]

EXTRA_AUTHORS = ["Quinn Extra-Author", "Rosa Lastname"]


def records_for(entries: Iterable[DigestEntry], *, stale_every: int = 10) -> list[ArxivRecord]:
    """One record per id the entries name, agreeing with the first entry of each, except: a cut
    author list gets two more names, and every `stale_every`-th id has a later version."""
    first: dict[str, DigestEntry] = {}
    for entry in entries:
        if entry.status == "valid" and entry.arxiv_id and entry.arxiv_id not in first:
            first[entry.arxiv_id] = entry
    records = []
    for n, (arxiv_id, entry) in enumerate(sorted(first.items()), 1):
        authors = list(entry.authors) or ["Ada Lovelace", "Alan Turing"]
        if entry.authors_truncated:
            authors += EXTRA_AUTHORS
        version = entry.version or 1
        fields: dict[str, object] = {
            "title": entry.title or f"Title of {arxiv_id}",
            "authors": authors,
            "latest_version": version + 1 if n % stale_every == 0 else version,
        }
        if entry.categories:
            fields["primary_category"] = entry.categories[0]
            fields["categories"] = list(entry.categories)
        records.append(make_record(arxiv_id, **fields))
    return records


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
