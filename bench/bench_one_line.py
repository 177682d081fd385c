"""Peak memory of reading a digest written on ONE line (issue 10: "a 50 MB one-line digest is read
in under 500 MB").

Three shapes, each `--mb` megabytes on a single line:
  links  markdown: "[Title n](https://arxiv.org/abs/ID) Authors · " repeated (one entry per link)
  prose  one linked id, then prose (one entry, a huge paragraph)
  html   minified HTML: <li><a href=".../abs/ID">Title</a> ...</li> repeated, no newline

Each is read by `enrich ingest FILE --out FILE.jsonl -q` and by `enrich run FILE --offline -q`
(nothing cached: every entry comes out `unavailable`, so the whole pipeline runs, without network)
in a child process; the child's peak RSS comes from os.wait4. Prints one line per run.

    python bench/bench_one_line.py            # 50 MB, the goal
    python bench/bench_one_line.py --mb 5     # quicker
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_MB = 500


def write_links(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("# Digest\n\n")
        written, n = 0, 0
        while written < size:
            n += 1
            part = (
                f"[Paper number {n} about things](https://arxiv.org/abs/"
                f"{2501 + n // 99999 % 9}.{n % 99999:05d}) Ada Lovelace, Alan Turing et al. · "
            )
            out.write(part)
            written += len(part)
        out.write("\n")


def write_prose(path: Path, size: int) -> None:
    prose = "lorem ipsum dolor sit amet, " * (size // 28)
    path.write_text(
        f"# Digest\n\n- [2503.22370](https://arxiv.org/abs/2503.22370) A title. {prose}\n", "utf-8"
    )


def write_html(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("<html><body><ul>")
        written, n = 0, 0
        while written < size:
            n += 1
            part = (
                f'<li><a href="https://arxiv.org/abs/{2501 + n // 99999 % 9}.{n % 99999:05d}">'
                f'Paper number {n} about things</a> <span class="a">Ada Lovelace</span></li>'
            )
            out.write(part)
            written += len(part)
        out.write("</ul></body></html>")


def measure(cmd: list[str], env: dict[str, str]) -> tuple[int, float, float]:
    """(exit status, peak RSS in MB, seconds) of one child process."""
    started = time.monotonic()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.stderr is not None:
        child.stderr.close()
    return child.returncode, usage.ru_maxrss / 1024, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--shapes", default="links,prose,html")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    writers = {"links": write_links, "prose": write_prose, "html": write_html}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["ENRICH_API_URL"] = "http://127.0.0.1:9/api/query"  # never asked: --offline
    enrich = [sys.executable, "-m", "enrich"]
    with tempfile.TemporaryDirectory(prefix="bench-one-line-") as tmp:
        folder = Path(tmp)
        print(f"{'shape':6} {'command':7} {'input MB':>8} {'entries':>8} {'peak MB':>8} {'s':>7}")
        for shape in args.shapes.split(","):
            digest = folder / (f"{shape}.html" if shape == "html" else f"{shape}.md")
            writers[shape](digest, size)
            mb = digest.stat().st_size / 1e6
            out = folder / f"{shape}.jsonl"
            runs = {
                "ingest": [*enrich, "ingest", str(digest), "--out", str(out), "-q"],
                "run": [
                    *enrich,
                    *("run", str(digest), "--out", str(out), "-q", "--offline"),
                    *("--cache-dir", str(folder / "cache")),
                ],
            }
            for name, cmd in runs.items():
                code, peak, seconds = measure(cmd, env)
                entries = sum(1 for _ in out.open("rb")) if out.exists() else 0
                verdict = "met" if peak < GOAL_MB else "MISSED"
                print(
                    f"{shape:6} {name:7} {mb:8.1f} {entries:8d} {peak:8.0f} {seconds:7.1f}"
                    f"  exit {code}, < {GOAL_MB} MB: {verdict}",
                    flush=True,
                )
                out.unlink(missing_ok=True)
            digest.unlink()


if __name__ == "__main__":
    main()
