"""Outputs never destroy inputs, and are written atomically (issue 10, items 1, 2 and 4).

Each test here is one of the failures found by probing `enrich` as a hostile user would: an output
naming an input (directly, by symlink, by hard link), a fix-dir on or in an input folder, a run
killed while it waits for arXiv, an unwritable or full output location.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from standin import StandIn, make_record

from enrich.errors import OutputError
from enrich.outputs import AtomicText, OutputPlan

DIGEST = """# Papers · 2025-03-31

## 📚 Paper List

- **[A Study of Things](http://arxiv.org/abs/2501.00001v1)**  `arXiv:2501.00001`  `cs.LG`
  _Ada Lovelace, Alan Turing, et al._

- **[Another Study](http://arxiv.org/abs/2501.00002v1)**  `arXiv:2501.00002`  `cs.LG`
  _Grace Hopper_
"""
RECORDS = [
    make_record(
        "2501.00001",
        title="A Study of Things",
        authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
    ),
    make_record("2501.00002", title="Another Study", authors=["Grace Hopper"]),
]


def _enrich(
    *args: str, server: StandIn | None = None, cache: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env |= {"ENRICH_MIN_INTERVAL": "0", "ENRICH_BACKOFF_INITIAL": "0", "ENRICH_BACKOFF_MAX": "0"}
    cmd = [sys.executable, "-m", "enrich", *args]
    if server is not None:
        cmd += ["--api-url", server.url, "--cache-dir", str(cache)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def _refused(done: subprocess.CompletedProcess[str], *names: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    folder = tmp_path / "digests"
    folder.mkdir()
    path = folder / "v.md"
    path.write_text(DIGEST, "utf-8")
    return path


@pytest.fixture
def server() -> StandIn:
    with StandIn(RECORDS) as running:
        yield running


def test_run_out_naming_the_input_is_refused_and_the_input_kept(
    digest: Path, server: StandIn, tmp_path: Path
) -> None:
    done = _enrich("run", str(digest), "--out", str(digest), server=server, cache=tmp_path / "c")
    _refused(done, str(digest))
    assert digest.read_text("utf-8") == DIGEST
    assert server.requests == []  # refused before any network work


def test_ingest_out_naming_the_input_is_refused(digest: Path) -> None:
    _refused(_enrich("ingest", str(digest), "--out", str(digest)), str(digest))
    assert digest.read_text("utf-8") == DIGEST


def test_a_report_naming_the_input_is_refused(
    digest: Path, server: StandIn, tmp_path: Path
) -> None:
    args = ["run", str(digest), "--out", str(tmp_path / "o.jsonl"), "--report", str(digest)]
    _refused(_enrich(*args, server=server, cache=tmp_path / "c"), str(digest))
    assert digest.read_text("utf-8") == DIGEST
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_an_out_linked_to_the_input_is_refused(
    digest: Path, server: StandIn, tmp_path: Path, link: str
) -> None:
    alias = tmp_path / "alias.jsonl"
    if link == "symlink":
        alias.symlink_to(digest)
    else:
        os.link(digest, alias)
    done = _enrich("run", str(digest), "--out", str(alias), server=server, cache=tmp_path / "c")
    _refused(done, str(alias), str(digest))
    assert digest.read_text("utf-8") == DIGEST


def test_a_folder_input_protects_every_file_in_it(digest: Path, tmp_path: Path) -> None:
    folder = digest.parent
    _refused(_enrich("ingest", str(folder), "--out", str(digest)), str(digest))
    assert digest.read_text("utf-8") == DIGEST


@pytest.mark.parametrize("where", ["same", "inside"])
def test_a_fix_dir_on_or_inside_an_input_folder_is_refused(
    digest: Path, server: StandIn, tmp_path: Path, where: str
) -> None:
    folder = digest.parent
    fix_dir = folder if where == "same" else folder / "fixed"
    args = ["run", str(folder), "--out", str(tmp_path / "o.jsonl"), "--fix-dir", str(fix_dir)]
    _refused(_enrich(*args, server=server, cache=tmp_path / "c"), str(fix_dir), str(folder))
    assert digest.read_text("utf-8") == DIGEST
    assert sorted(p.name for p in folder.iterdir()) == ["v.md"]  # nothing nested, nothing added


def test_a_fix_dir_that_would_write_over_a_named_input_is_refused(
    digest: Path, server: StandIn, tmp_path: Path
) -> None:
    args = ["run", str(digest), "--out", str(tmp_path / "o.jsonl"), "--fix-dir", str(digest.parent)]
    _refused(_enrich(*args, server=server, cache=tmp_path / "c"), str(digest))
    assert digest.read_text("utf-8") == DIGEST


def test_fix_corrects_the_digest_in_place_and_a_second_pass_changes_nothing(
    digest: Path, server: StandIn, tmp_path: Path
) -> None:
    os.chmod(digest, 0o640)
    args = ["run", str(digest), "--out", str(tmp_path / "o.jsonl"), "--fix"]
    done = _enrich(*args, server=server, cache=tmp_path / "c")
    assert done.returncode == 0, done.stderr
    fixed = digest.read_text("utf-8")
    assert "_Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra_" in fixed
    assert fixed.replace("Grace Hopper, Edsger Dijkstra", "et al.") == DIGEST
    assert digest.stat().st_mode & 0o777 == 0o640  # the digest keeps its permissions
    assert [p.name for p in digest.parent.iterdir()] == ["v.md"]  # no temporary file left
    again = _enrich(*args, server=server, cache=tmp_path / "c")
    assert again.returncode == 0, again.stderr
    assert digest.read_text("utf-8") == fixed


def test_fix_and_fix_dir_together_are_refused(digest: Path, tmp_path: Path) -> None:
    args = ["run", str(digest), "--fix", "--fix-dir", str(tmp_path / "f"), "--offline"]
    done = _enrich(*args, "--api-url", "http://127.0.0.1:9/api/query")
    _refused(done, "--fix")


def test_a_symlink_in_the_fix_dir_is_never_followed_out_of_it(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    (inputs / "sub" / "v.md").write_text(DIGEST, "utf-8")
    (inputs / "w.md").write_text(DIGEST, "utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    fix_dir = tmp_path / "fixed"
    fix_dir.mkdir()
    (fix_dir / "sub").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="leads out of --fix-dir"):
        OutputPlan([inputs], fix_dir=fix_dir)
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_at_a_fix_target_is_replaced_not_followed(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "v.md").write_text(DIGEST, "utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", "utf-8")
    fix_dir = tmp_path / "fixed"
    fix_dir.mkdir()
    (fix_dir / "v.md").symlink_to(victim)
    with OutputPlan([inputs], fix_dir=fix_dir) as plan:
        target = plan.fix_target(inputs / "v.md")
        assert target is not None
        plan.stage(target, "fixed text")
    assert victim.read_text("utf-8") == "keep me"
    assert not (fix_dir / "v.md").is_symlink()
    assert (fix_dir / "v.md").read_text("utf-8") == "fixed text"


def test_an_unwritable_out_is_found_before_any_request(
    digest: Path, server: StandIn, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    out = blocker / "sub" / "o.jsonl"  # a folder cannot be made under a file, even by root
    done = _enrich("run", str(digest), "--out", str(out), server=server, cache=tmp_path / "c")
    _refused(done, str(blocker / "sub"))
    assert server.requests == []


def test_a_failed_run_leaves_earlier_outputs_as_they_were(tmp_path: Path, digest: Path) -> None:
    out, report = tmp_path / "o.jsonl", tmp_path / "r.md"
    out.write_text("earlier output\n", "utf-8")
    report.write_text("earlier report\n", "utf-8")
    with pytest.raises(RuntimeError), OutputPlan([digest], out=str(out), reports=[report]) as plan:
        plan.out.write("half of a new output\n")
        plan.stage(report, "a new report")
        raise RuntimeError("killed half-way")
    assert out.read_text("utf-8") == "earlier output\n"
    assert report.read_text("utf-8") == "earlier report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digests", "o.jsonl", "r.md"]


def test_a_run_killed_while_waiting_for_arxiv_keeps_the_previous_output(
    digest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o.jsonl"
    out.write_text("the previous run's output\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["ENRICH_MIN_INTERVAL"] = "0"
    with StandIn(RECORDS, delay=30) as server:  # arXiv takes its time
        cmd = [sys.executable, "-m", "enrich", "run", str(digest), "--out", str(out)]
        cmd += ["--api-url", server.url, "--cache-dir", str(tmp_path / "c")]
        process = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests, "the run never asked arXiv"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()
    assert out.read_text("utf-8") == "the previous run's output\n"


def test_reports_appear_together_with_the_output(
    digest: Path, server: StandIn, tmp_path: Path
) -> None:
    out, md, js = tmp_path / "o.jsonl", tmp_path / "r.md", tmp_path / "r.json"
    args = ["run", str(digest), "--out", str(out), "--report", str(md), "--report", str(js)]
    done = _enrich(*args, server=server, cache=tmp_path / "c")
    assert done.returncode == 0, done.stderr
    assert len(out.read_text("utf-8").splitlines()) == 2
    assert md.stat().st_size > 0 and js.stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_device_output_is_written_to_not_replaced(digest: Path) -> None:
    done = _enrich("ingest", str(digest), "--out", os.devnull, "-q")
    assert done.returncode == 0, done.stderr
    assert Path(os.devnull).is_char_device()
    assert not [p for p in Path(os.devnull).parent.iterdir() if p.name.startswith(".null.")]


def test_atomic_text_keeps_nothing_when_discarded(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    atomic = AtomicText(target)
    atomic.write("x")
    assert not target.exists() and atomic.temp.exists()
    atomic.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_long_output_is_synced_ahead_then_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SYNC_AHEAD bytes the disk is asked for what is written so far, on a thread (the
    sync before the rename then waits for the rest only); a sync ahead that fails changes
    nothing, the sync at the end still comes and the file is whole."""
    import enrich.outputs

    monkeypatch.setattr(enrich.outputs, "SYNC_AHEAD", 1000)
    synced: list[int] = []
    real = os.fdatasync

    def fdatasync(fd: int) -> None:
        synced.append(os.fstat(fd).st_size)
        if len(synced) == 2:
            raise OSError(5, "Input/output error")
        real(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    target = tmp_path / "long.jsonl"
    atomic = AtomicText(target)
    lines = [f"{n:04d} {'x' * 395}\n".encode() for n in range(30)]
    for line in lines:
        atomic.write_bytes(line)
        assert atomic._syncing is None or atomic._syncing.name == "enrich-sync"
        if atomic._syncing is not None:
            atomic._syncing.join()  # one at a time here, so that each is counted
    atomic.commit()
    assert atomic._syncing is None
    assert target.read_bytes() == b"".join(lines)
    assert len(synced) >= 4 and synced == sorted(synced)  # ahead, as the file grew
    assert all(size % len(lines[0]) == 0 and size >= 1000 for size in synced)  # whole lines


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    """A 64 KiB tmpfs, where the machine allows mounting one (root on Linux)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if shutil.which("mount") is None or sys.platform != "linux":
        pytest.skip("no mount command: cannot make a small disk")
    tried = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if tried.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {tried.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_under_out_is_one_line_and_exit_2(small_disk: Path, tmp_path: Path) -> None:
    lines = "\n".join(
        f"- **[Paper {n}](http://arxiv.org/abs/2501.{n:05d}v1)**  `arXiv:2501.{n:05d}`  `cs.LG`  \n"
        "  _Ada Lovelace_\n"
        for n in range(1, 400)
    )
    big = tmp_path / "big.md"
    big.write_text("# Papers · 2025-03-31\n\n## 📚 Paper List\n\n" + lines, "utf-8")
    out = small_disk / "o.jsonl"
    done = _enrich("ingest", str(big), "--out", str(out), "-q")
    _refused(done, str(out), "No space left on device")
    assert list(small_disk.iterdir()) == []  # no partial output, no temporary file


@pytest.mark.parametrize(
    ("out", "reports"),
    [("same.json", ["same.json"]), ("out.jsonl", ["r.md", "r.md"]), ("a.json", ["./a.json"])],
)
def test_one_file_named_for_two_outputs_is_refused(
    tmp_path: Path, out: str, reports: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out x --report x` let the report silently replace the JSONL."""
    digest = tmp_path / "d.md"
    digest.write_text("- [A](https://arxiv.org/abs/2501.00001)\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="name two files"):
        OutputPlan([digest], out=out, reports=reports)
