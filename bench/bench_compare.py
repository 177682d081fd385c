"""CPU time of the comparison stage alone, per function, on an input and its `enrich run` output.

    python bench/bench_compare.py IN.jsonl RUN_OUT.jsonl

IN.jsonl: the entries (bench_perf.py's in_N.jsonl); RUN_OUT.jsonl: an `enrich run` of it (for
arXiv's records, taken from each line's "arxiv"). Runs, in the pipeline's order, for every entry:
validate (ingest), plan_version_lookups (one window of 500), correct_entry, compare_entry,
DuplicateFinder.add; prints the CPU seconds (time.process_time) of each and a hash of everything
they returned (equal hashes before and after a change: the same results). One pass in a fresh
process, so the caches start cold as in a run; the collector tuned as a run tunes it
(runtime.tune_gc), so a full collection of the loaded data does not land in one stage by chance.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from enrich.compare import DuplicateFinder, compare_entry, correct_entry
from enrich.ingest import validate
from enrich.models import ArxivRecord, DigestEntry
from enrich.runtime import tune_gc
from enrich.versions import plan_version_lookups


def main(entries_path: str, run_path: str) -> None:
    lines = Path(entries_path).read_text(encoding="utf-8").splitlines()
    entries = [DigestEntry.model_validate_json(line) for line in lines]
    records: dict[str, ArxivRecord] = {}
    for line in Path(run_path).read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if data.get("arxiv"):
            records[data["arxiv_id"]] = ArxivRecord.model_validate(data["arxiv"])
    tune_gc()
    cpu: defaultdict[str, float] = defaultdict(float)
    out = hashlib.sha256()
    clock = time.process_time
    dup = DuplicateFinder()
    window = 500
    start_all = clock()
    for first in range(0, len(entries), window):
        t = clock()
        checked = [validate(e) for e in entries[first : first + window]]
        cpu["validate"] += clock() - t
        pairs = [(e, records[e.arxiv_id]) for e in checked if e.arxiv_id in records]
        t = clock()
        plan = plan_version_lookups(pairs)
        cpu["plan_version_lookups"] += clock() - t
        out.update(repr(plan).encode())
        for entry in checked:
            record = records.get(entry.arxiv_id or "")
            if record is not None and entry.status == "valid":
                t = clock()
                corrected = correct_entry(entry, record)
                t2 = clock()
                conflicts = compare_entry(entry, record)
                t3 = clock()
                cpu["correct_entry"] += t2 - t
                cpu["compare_entry"] += t3 - t2
                out.update(corrected.model_dump_json().encode())
                out.update(json.dumps([c.model_dump(mode="json") for c in conflicts]).encode())
            if entry.status == "valid":
                t = clock()
                found = dup.add(entry)
                cpu["DuplicateFinder.add"] += clock() - t
                out.update(json.dumps([c.model_dump(mode="json") for c in found]).encode())
    total = clock() - start_all
    for name, seconds in cpu.items():
        print(f"{name:24} {seconds:7.3f} s CPU")
    print(f"{'stages':24} {sum(cpu.values()):7.3f} s CPU (whole loop {total:.3f} s)")
    print(f"entries {len(entries)}  results sha256 {out.hexdigest()[:16]}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
