"""`enrich` in a pipeline, driven as a user drives it (real CLI, real sockets, the local stand-in):
standard input, one format per stream, diffs that `git apply` takes, one meaning of `fixed`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from bisect import bisect_right
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import shared_path
from standin import StandIn
from test_run_e2e import _records_for

from enrich.ingest import iter_entries, read_text


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": "0", "ENRICH_BACKOFF_MAX": "0"}
    return env


def _enrich(*args: str, server: StandIn, cache: Path, **kw: object) -> list[str]:
    cmd = [sys.executable, "-m", "enrich", *args]
    if args[0] == "run":
        cmd += ["--api-url", server.url, "--cache-dir", str(cache)]
    return cmd


@pytest.fixture
def seeds() -> Path:
    return shared_path("seeds")


def test_ingest_piped_into_run_equals_the_run_on_the_files(seeds: Path, tmp_path: Path) -> None:
    records, _ = _records_for(list(iter_entries([seeds])))
    direct, piped = tmp_path / "direct.jsonl", tmp_path / "piped.jsonl"
    with StandIn(records) as server:
        done = subprocess.run(
            _enrich(
                "run", str(seeds), "--out", str(direct), "-q", server=server, cache=tmp_path / "c1"
            ),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        ingest = subprocess.Popen(
            [sys.executable, "-m", "enrich", "ingest", str(seeds), "-q"],
            stdout=subprocess.PIPE,
            env=_env(),
        )
        run = subprocess.run(
            _enrich("run", "-", "--out", str(piped), server=server, cache=tmp_path / "c2"),
            stdin=ingest.stdout,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ingest.wait(timeout=60) == 0
    assert run.returncode == 0, run.stderr
    assert "-: jsonl, 128 entries" in run.stderr
    assert piped.read_text("utf-8") == direct.read_text("utf-8")
    assert direct.read_text("utf-8").count("\n") == 128


def test_a_digest_on_standard_input_is_read_as_a_digest(seeds: Path, tmp_path: Path) -> None:
    seed = seeds / "000_0a46ef0f5c851673.txt"
    want = list(iter_entries([seed]))
    done = subprocess.run(
        [sys.executable, "-m", "enrich", "ingest", "-"],
        stdin=seed.open("rb"),
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    got = [json.loads(x) for x in done.stdout.splitlines()]
    assert [x["arxiv_id"] for x in got] == [e.arxiv_id for e in want]
    assert {x["source"]["path"] for x in got} == {"-"}
    assert done.stderr.startswith(f"-: {want[0].source.format}, {len(want)} entries")


def _copy_seeds(seeds: Path, where: Path) -> Path:
    shutil.copytree(seeds, where / "digests", ignore=shutil.ignore_patterns("README*"))
    return where / "digests"


def test_the_diff_applies_with_git_apply_and_patch(seeds: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    digests = _copy_seeds(seeds, work)
    records, planted = _records_for(list(iter_entries([digests])))
    assert "version_stale" in planted.values()
    with StandIn(records) as server:
        done = subprocess.run(
            _enrich(
                "run",
                "digests",
                "--out",
                "out.jsonl",
                "--diff",
                "-q",
                server=server,
                cache=tmp_path / "c",
            ),
            cwd=work,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    patch = tmp_path / "fix.patch"
    patch.write_text(done.stdout, "utf-8")
    assert done.stdout.startswith("--- a/digests/") and "\n+++ b/digests/" in done.stdout
    assert all(not line.startswith("{") for line in done.stdout.splitlines())  # no JSONL in it
    for tool in (["git", "apply", "--check"], ["patch", "-p1", "--dry-run"]):
        if shutil.which(tool[0]) is None:
            continue
        copy = tmp_path / f"copy-{tool[0]}"
        shutil.copytree(work, copy)
        check = subprocess.run([*tool, str(patch)], cwd=copy, capture_output=True, text=True)
        assert check.returncode == 0, (tool, check.stdout, check.stderr)
    # applied for real, the copy equals what --fix-dir writes
    applied = tmp_path / "applied"
    shutil.copytree(work, applied)
    subprocess.run(["git", "apply", str(patch)], cwd=applied, check=True)
    with StandIn(records) as server:
        subprocess.run(
            _enrich(
                "run",
                "digests",
                "--out",
                "o2.jsonl",
                "--fix-dir",
                str(tmp_path / "fixed"),
                "-q",
                server=server,
                cache=tmp_path / "c",
            ),
            cwd=work,
            env=_env(),
            check=True,
            timeout=120,
        )
    for fixed in (tmp_path / "fixed").iterdir():
        assert fixed.read_bytes() == (applied / "digests" / fixed.name).read_bytes()


def _changed_entry_lines(original: str, fixed: str, starts: list[int]) -> set[int]:
    """The entry start lines whose span (up to the next entry's start) has a changed line."""
    old, new = original.split("\n"), fixed.split("\n")
    assert len(old) == len(new)  # the fixer replaces within lines, it never adds or drops one
    changed = {n for n, (a, b) in enumerate(zip(old, new, strict=True), 1) if a != b}
    owners = set()
    for line in changed:
        i = bisect_right(starts, line) - 1
        assert i >= 0, f"line {line} changed before the first entry"
        owners.add(starts[i])
    return owners


def test_fixed_true_is_exactly_what_fix_dir_changed(tmp_path: Path) -> None:
    roots = [shared_path("seeds"), shared_path("corpus", "digests"), shared_path("corpus", "wild")]
    records, _ = _records_for(list(iter_entries(roots)))
    out, fix_dir = tmp_path / "out.jsonl", tmp_path / "fixed"
    with StandIn(records) as server:
        done = subprocess.run(
            _enrich(
                "run",
                *map(str, roots),
                "--out",
                str(out),
                "--fix-dir",
                str(fix_dir),
                "-q",
                server=server,
                cache=tmp_path / "c",
            ),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    by_file: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for x in lines:
        by_file[x["source"]["path"]].append(x)
    root = Path(os.path.commonpath([str(Path(p).resolve().parent) for p in by_file]))
    files_checked = fixed_entries = 0
    for path, entries in by_file.items():
        if path.endswith(".jsonl"):
            continue
        original, _ = read_text(Path(path))
        copy = (fix_dir / Path(path).resolve().relative_to(root)).read_bytes()
        fixed = copy.decode("utf-8-sig")  # a digest's byte order mark is kept in its copy
        starts = sorted({x["source"]["line"] for x in entries if x["source"]["line"]})
        changed = _changed_entry_lines(original, fixed, starts)
        said = {x["source"]["line"] for x in entries if any(c["fixed"] for c in x["conflicts"])}
        assert said == changed, path
        files_checked += 1
        fixed_entries += len(said)
        for x in entries:  # and each fixed conflict is fixed in the copy the way it says
            for c in x["conflicts"]:
                if c["fixed"] and c["kind"] == "version_stale":
                    assert f"{x['arxiv_id']}v{x['arxiv']['latest_version']}" in fixed
                if c["fixed"] and c["kind"] == "authors_truncated":
                    assert x["arxiv"]["authors"][-1].split()[-1] in fixed
    assert files_checked >= 30 and fixed_entries > 20
