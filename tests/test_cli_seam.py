"""The library/CLI seam: the runner returns an outcome, the CLI alone decides the exit status and
talks to people; reports and corrected digests are library functions of one shape."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from standin import StandIn, make_record
from test_run_e2e import _run

import enrich
from enrich.runner import RunOutcome, run_command
from enrich.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def _digest(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(x + "\n" for x in lines), "utf-8")
    return path


STALE = "@article{a, title={A Paper}, author={Ada Lovelace and Alan Turing}, eprint={2501.00001v1}}"
CUT = "@article{b, title={B Paper}, author={Grace Hopper and others}, eprint={2501.00002v2}}"
WRONG = "@article{c, title={C Paper}, author={Edsger Dijkstra}, eprint={2501.00003v1}}"


def _records() -> list:  # type: ignore[type-arg]
    return [
        make_record(
            "2501.00001", title="A Paper", authors=["Ada Lovelace", "Alan Turing"], latest_version=3
        ),
        make_record(
            "2501.00002",
            title="B Paper",
            authors=["Grace Hopper", "Barbara Liskov", "Frances Allen"],
            latest_version=2,
        ),
        make_record(
            "2501.00003",
            title="Another Title Entirely",
            authors=["Edsger Dijkstra"],
            latest_version=1,
        ),
    ]


def test_run_command_takes_no_unknown_option(tmp_path: Path) -> None:
    settings = load_settings(offline=True)
    with pytest.raises(TypeError):
        run_command(settings=settings, inputs=[], stdout=io.StringIO(), verbose=True)  # type: ignore[call-arg]


def test_the_runner_writes_to_the_stream_it_is_given_and_returns_an_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = _digest(tmp_path / "d", "a.bib", [STALE, CUT, WRONG])
    stream = io.StringIO()
    with StandIn(_records()) as server:
        settings = load_settings(
            api_url=server.url,
            min_interval=0,
            backoff_initial=0,
            backoff_max=0,
            cache_dir=tmp_path / "c",
        )
        outcome = run_command(settings=settings, inputs=[str(digest)], stdout=stream)
    assert isinstance(outcome, RunOutcome)
    assert capsys.readouterr().out == ""  # nothing behind the caller's back
    assert len(stream.getvalue().splitlines()) == outcome.summary.entries == 3
    assert outcome.at_or_above("warning") == {"title_mismatch": 1, "version_stale": 1}
    assert outcome.fixed_entries == 2 and outcome.fixed_files == 1


def test_exit_statuses_are_decided_in_cli_alone() -> None:
    tree = ast.parse((ROOT / "enrich" / "runner.py").read_text("utf-8"))
    returned_ints = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Return)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, int)
    ]
    assert returned_ints == []
    source = (ROOT / "enrich" / "runner.py").read_text("utf-8")
    assert "sys.stdout" not in source and "sys.exit" not in source


def test_reports_and_fixes_are_library_functions_of_one_shape(tmp_path: Path) -> None:
    digest = _digest(tmp_path / "d", "a.bib", [STALE, CUT, WRONG])
    with StandIn(_records()) as server:
        settings = load_settings(
            api_url=server.url,
            min_interval=0,
            backoff_initial=0,
            backoff_max=0,
            cache_dir=tmp_path / "c",
        )
        result = enrich.enrich_paths([digest], settings)
    for name in ("r.json", "r.md", "r.html"):
        path = enrich.write_report(tmp_path / "out" / name, result.entries, result.summary)
        assert path.stat().st_size > 0
    assert json.loads((tmp_path / "out" / "r.json").read_text())["summary"]["entries"] == 3
    done = enrich.write_fixed(tmp_path / "fixed", result.entries, result.summary)
    assert [d.target for d in done] == [tmp_path / "fixed" / "a.bib"]
    fixed = (tmp_path / "fixed" / "a.bib").read_text("utf-8")
    assert "2501.00001v3" in fixed and "Barbara Liskov" in fixed and "Edsger" in fixed
    assert "2501.00003v1" in fixed  # the entry needing a person is left alone


def test_no_entries_at_all_is_exit_2_naming_what_was_searched(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with StandIn([]) as server:
        none = _run([str(empty)], server, tmp_path / "c")
        (empty / "notes.md").write_text("# nothing here\n\nno papers today\n", "utf-8")
        (empty / "more.txt").write_text("still nothing\n", "utf-8")
        idless = _run([str(empty)], server, tmp_path / "c")
    assert none.returncode == 2 and "no digest files in" in none.stderr
    assert idless.returncode == 2
    assert "2 files read" in idless.stderr and "none with an arXiv id" in idless.stderr
    assert "notes.md" in idless.stderr


def test_diff_without_an_out_file_is_refused_in_one_line(tmp_path: Path) -> None:
    digest = _digest(tmp_path / "d", "a.bib", [STALE])
    with StandIn(_records()) as server:
        done = _run([str(digest), "--diff"], server, tmp_path / "c")
        assert server.requests == []  # refused before asking arXiv
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "--out FILE" in done.stderr


def test_the_run_names_what_failed_it_and_what_it_wrote(tmp_path: Path) -> None:
    digest = _digest(tmp_path / "d", "a.bib", [STALE, CUT, WRONG])
    out, fixed = tmp_path / "o" / "run.jsonl", tmp_path / "fixed"
    with StandIn(_records()) as server:
        done = _run(
            [str(digest), "--out", str(out), "--fix-dir", str(fixed), "--fail-on", "warning"],
            server,
            tmp_path / "c",
        )
        quiet = _run([str(digest), "--out", str(out), "-q"], server, tmp_path / "c")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[-1] == "enrich: failing on warning or worse: 1 title_mismatch, 1 version_stale"
    assert f"wrote {out} (3 entries)" in lines
    assert f"fixed 2 entries in 1 file → {fixed}" in lines
    left = [x for x in lines if x.startswith(f"{digest}:3 ")]
    assert left == [
        f"{digest}:3 2501.00003 title_mismatch — needs a person: "
        + left[0].split("needs a person: ", 1)[1]
    ]
    summary_at = next(i for i, x in enumerate(lines) if "arxiv-enrich" in x)
    assert lines.index(left[0]) > summary_at  # after the summary
    assert quiet.returncode == 0 and quiet.stderr == ""  # -q hides it all


def test_help_of_cache_stats_offers_only_its_own_options() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "enrich", "cache", "stats", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for foreign in ("--offline", "--refresh", "--api-url"):
        assert foreign not in out
    assert "--json" in out and "Examples" in out


def test_a_mistyped_environment_variable_is_warned_about(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVALL": "5", "ENRICH_CACHE_DIR": str(tmp_path / "c")}
    done = subprocess.run([sys.executable, "-m", "enrich", "cache", "stats", "--json"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (
        "enrich: warning: ENRICH_MIN_INTERVALL is not a setting and is ignored "
        "(did you mean ENRICH_MIN_INTERVAL?)"
    )
    stats = json.loads(done.stdout)
    assert stats["path"] == str((tmp_path / "c").resolve())  # the cache folder, absolute
