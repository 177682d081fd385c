"""Golden outputs of `enrich run`: what the code wrote before a change that must not change it.

    python scripts/golden.py              # run every case, compare with tests/golden/ (exit 1)
    python scripts/golden.py --update     # rewrite tests/golden/ from the code as it is now
    python scripts/golden.py --case seeds # one case only

Cases (inputs read where they are, never copied into the repo):
  seeds   ../shared/seeds
  corpus  ../shared/corpus/digests
  bench   400 entries of enrich.testing.workload (seed 13, 1 % of ids unknown to arXiv)

For each case the arXiv stand-in (enrich.testing.StandIn) serves records derived from the entries
(agreeing with the digest except a planted difference every few ids: a later version, another
title, authors moved, withdrawn, an unknown id) and the real CLI runs twice in a subprocess:
cold (--report .json/.md/.html, --fix-dir) and warm (--offline: the cache alone). Stored,
gzipped: the cold JSONL; the warm run's lines that differ from it (none since a cached not_found
keeps its reason); the cold run's three reports (their run time masked); the corrected digests as
one unified diff against the inputs.

When a change means to alter the output (a new field, a new finding), regenerate on the commit
that makes it, BEFORE other work goes on top: `python scripts/golden.py --update` and commit
"golden: regenerate for <change>". The byte-identity test (tests/test_golden.py) then keeps proving
that performance work changes nothing.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SHARED = ROOT.parent / "shared"
CASES = ("seeds", "corpus", "bench")
BENCH_SIZE = 400

_MASKS = (
    (re.compile(rb'"seconds": ?[0-9.eE+-]+'), b'"seconds": 0'),
    (re.compile(rb"cache hits; [0-9.]+ s\."), b"cache hits; 0 s."),
    (re.compile("retries · [0-9.]+ s".encode()), "retries · 0 s".encode()),
)


def _mask(data: bytes) -> bytes:
    for pattern, replacement in _MASKS:
        data = pattern.sub(replacement, data)
    return data


def _plant(n: int, entry: Any, fields: dict[str, Any]) -> bool:
    """The golden cases' planted differences, one kind every 40 ids."""
    plant, authors = n % 40, fields["authors"]
    if plant == 7 and entry.version:
        fields["latest_version"] = entry.version + 1
    elif plant == 13 and len(authors) > 2:
        fields["authors"] = [authors[1], authors[0], *authors[2:]]
    elif plant == 21 and entry.title:
        fields["title"] = "An Entirely Different Study of Something Else"
    elif plant == 29:
        fields["withdrawn"] = True
        fields["comment"] = "This paper has been withdrawn by the authors"
    elif plant == 33:
        return False  # arXiv does not know it
    elif plant == 37:
        fields["categories"] = [*fields.get("categories", ["cs.LG"]), "stat.ML"]
    return True


def _records_from_entries(inputs: list[Path]) -> list[Any]:
    """One record per id, agreeing with its first entry except a planted difference."""
    from enrich.ingest import iter_entries
    from enrich.testing.records import records_agreeing

    return records_agreeing(iter_entries(inputs), plant=_plant)


def _bench_input(folder: Path) -> tuple[Path, list[Any]]:
    from enrich.testing.workload import workload

    path = folder / "bench.jsonl"
    records = []
    with path.open("w", encoding="utf-8") as out:
        for entry, record in workload(BENCH_SIZE, seed=13, missing=0.01):
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            if record is not None:
                records.append(record)
    return path, records


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": "0", "ENRICH_BACKOFF_MAX": "0"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env | (extra or {})


def _enrich(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    cmd = [sys.executable, "-m", "enrich", "run", *args, "-q"]
    done = subprocess.run(cmd, cwd=cwd, env=_env(env), capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, 3):
        raise SystemExit(f"enrich run exited {done.returncode}: {done.stderr[-2000:]}")


def _fix_diffs(fixed: Path, source: Path) -> bytes:
    """Every corrected digest as a unified diff against its input, joined (small to store)."""
    parts = []
    for path in sorted(p for p in fixed.rglob("*") if p.is_file()):
        name = path.relative_to(fixed).as_posix()
        before = (source / name).read_text(encoding="utf-8", errors="replace").splitlines(True)
        after = path.read_text(encoding="utf-8", errors="replace").splitlines(True)
        parts += difflib.unified_diff(before, after, f"a/{name}", f"b/{name}")
    return "".join(parts).encode()


def _delta(cold: bytes, warm: bytes) -> bytes:
    """The warm run's lines that differ from the cold run's, numbered."""
    cold_lines, warm_lines = cold.split(b"\n"), warm.split(b"\n")
    out = [f"lines {len(cold_lines)} {len(warm_lines)}\n".encode()]
    for number, (a, b) in enumerate(zip(cold_lines, warm_lines, strict=False), start=1):
        if a != b:
            out.append(f"{number}: ".encode() + b + b"\n")
    return b"".join(out)


def produce(case: str, work: Path, env: dict[str, str] | None = None) -> dict[str, bytes]:
    """Run one case in `work` (a scratch folder); the golden files' names and contents. `env`:
    settings for both runs (e.g. ENRICH_WORKERS), which must not change a byte."""
    from enrich.testing import StandIn

    if case == "bench":
        source, records = _bench_input(work)
        inputs, cwd, folder = [source.name], work, work
    else:
        folder = SHARED / ("seeds" if case == "seeds" else "corpus/digests")
        if not folder.exists():
            raise FileNotFoundError(f"{folder} is missing (../shared is not beside the project)")
        records = _records_from_entries([folder])
        inputs, cwd = [os.path.relpath(folder, ROOT)], ROOT
    out, warm, fixed = work / "out.jsonl", work / "warm.jsonl", work / "fixed"
    reports = [work / f"report.{kind}" for kind in ("json", "md", "html")]
    with StandIn(records) as server:
        common = ["--api-url", server.url, "--cache-dir", str(work / "cache")]
        args = [*inputs, "--out", str(out), *common]
        for report in reports:
            args += ["--report", str(report)]
        if case != "bench":
            args += ["--fix-dir", str(fixed)]
        _enrich(args, cwd, env)
        _enrich([*inputs, "--out", str(warm), *common, "--offline"], cwd, env)
    cold_bytes = out.read_bytes()
    files = {
        f"{case}.jsonl": cold_bytes,
        f"{case}.warm-delta": _delta(cold_bytes, warm.read_bytes()),
    }
    for report in reports:
        files[f"{case}.report{report.suffix}"] = _mask(report.read_bytes())
    if case != "bench":
        files[f"{case}.fixed.diff"] = _fix_diffs(fixed, folder)
    return files


def stored(name: str) -> bytes | None:
    path = GOLDEN / f"{name}.gz"
    return gzip.decompress(path.read_bytes()) if path.exists() else None


def first_difference(old: bytes, new: bytes) -> str:
    """Where two outputs part, for a person: the line number and both lines, shortened."""
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if a != b:
            at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
            at = min(len(a), len(b)) if at is None else at
            lo = max(0, at - 80)
            return (
                f"line {number}, byte {at}:\n  golden: {a[lo : at + 120]!r}\n"
                f"  now:    {b[lo : at + 120]!r}"
            )
    return f"line counts differ: golden {len(old_lines)}, now {len(new_lines)}"


def check(cases: Iterable[str], update: bool) -> int:
    failures = 0
    for case in cases:
        with tempfile.TemporaryDirectory(prefix=f"golden-{case}-") as tmp:
            files = produce(case, Path(tmp))
        for name, data in files.items():
            if update:
                GOLDEN.mkdir(parents=True, exist_ok=True)
                (GOLDEN / f"{name}.gz").write_bytes(gzip.compress(data, 9, mtime=0))
                print(f"wrote tests/golden/{name}.gz ({len(data):,} bytes)")
                continue
            old = stored(name)
            if old == data:
                print(f"same: {name}")
            else:
                failures += 1
                why = "no golden file" if old is None else first_difference(old, data)
                print(f"DIFFERENT: {name}: {why}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/")
    parser.add_argument("--case", action="append", choices=CASES, help="only this case")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.exit(check(args.case or CASES, args.update))


if __name__ == "__main__":
    main()
