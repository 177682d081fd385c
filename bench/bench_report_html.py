"""The HTML review page at scale: peak memory of `enrich run ... --report out.html` and the page's
size, at 100,000 entries (issue 10, item 6: under 500 MB, a page a browser opens).

    python bench/bench_report_html.py [--sizes 10000,100000] [--keep DIR]

The input is bench_scale's synthetic ingest JSONL with a warm cache, made harder for the page:
every third paper has a later version on "arXiv" (version_stale, a warning no digest copy can fix
here, so each needs a person), every fiftieth another title (title_mismatch), every seventh a cut
author list (authors_truncated, info). Each size runs twice in a fresh child, with and without
--report, so the report's own cost shows; peak RSS comes from getrusage(RUSAGE_CHILDREN).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import entry_line, peak_rss_mb, record_for

from enrich.arxiv.cache import RecordCache


def build(folder: Path, size: int) -> tuple[Path, Path]:
    source = folder / f"in_{size}.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for n in range(size):
            out.write(json.dumps(entry_line(n, "digest.md")) + "\n")
    cache = folder / f"cache_{size}"

    def record(n: int):  # type: ignore[no-untyped-def]
        rec = record_for(n)
        update: dict[str, object] = {}
        if n % 3 == 0:
            update["latest_version"] = rec.latest_version + 1
        if n % 50 == 0:
            update["title"] = f"Something Else Entirely, Number {n}"
        return rec.model_copy(update=update)

    with RecordCache(cache, cache_ttl=7 * 86400.0) as store:
        for start in range(0, size, 1000):
            store.put_found(record(n) for n in range(start, min(size, start + 1000)))
    return source, cache


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()} (shared with other work: figures are noisy)")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",")):
            source, cache = build(folder, size)
            plain_s, plain_mb = peak_rss_mb(source, cache, folder / "plain.jsonl")
            page = folder / f"review_{size}.html"
            report = ["--report", str(page)]
            html_s, html_mb = peak_rss_mb(source, cache, folder / "out.jsonl", report)
            text = page.read_text("utf-8")
            cards, lines = text.count("<article"), text.count('<li class="entry compact')
            print(
                f"{size:>7} entries: run {plain_s:6.1f} s, peak {plain_mb:6.0f} MB | "
                f"with --report html {html_s:6.1f} s, peak {html_mb:6.0f} MB, "
                f"page {page.stat().st_size / 1e6:6.1f} MB "
                f"({cards} cards, {lines} lines)"
            )


if __name__ == "__main__":
    main()
