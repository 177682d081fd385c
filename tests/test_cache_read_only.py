"""A populated cache in a folder that cannot be written is still read, and the run says it is
read-only (issue 10, item 6). The folder is a tmpfs remounted read-only where the machine allows
mounting (root); otherwise a folder without write permission (which root would ignore)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from standin import StandIn, make_record

from enrich.arxiv.cache import RecordCache

IDS = [f"2503.{n:05d}" for n in range(1, 31)]


class ReadOnly:
    def __init__(self, folder: Path, mounted: bool) -> None:
        self.folder = folder
        self.mounted = mounted

    def freeze(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)
        else:
            for path in [self.folder, *self.folder.rglob("*")]:
                path.chmod(0o555 if path.is_dir() else 0o444)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[ReadOnly]:
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = False
    if sys.platform == "linux" and shutil.which("mount"):
        tried = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True
        )
        mounted = tried.returncode == 0
    if not mounted and os.geteuid() == 0:
        pytest.skip("cannot mount a tmpfs, and permissions do not stop root: no read-only folder")
    yield ReadOnly(folder, mounted)
    if mounted:
        subprocess.run(["umount", str(folder)], check=False)
    else:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755)


def test_a_read_only_populated_cache_is_read(read_only: ReadOnly, tmp_path: Path) -> None:
    cache = read_only.folder / "cache"
    with RecordCache(cache) as store:
        store.put_found(make_record(i) for i in IDS)
    read_only.freeze()

    with RecordCache(cache) as store:
        assert store.read_only
        assert store.get(IDS[0]) is not None and store.get(IDS[0]).status == "found"  # type: ignore[union-attr]
        store.put_found([make_record("2503.99999")])  # dropped, not an error
        assert store.get("2503.99999") is None and store.degraded is None
        assert store.stats().positive == len(IDS) and store.stats().read_only

    digest = tmp_path / "d.md"
    digest.write_text("".join(f"- [P](https://arxiv.org/abs/{i})\n" for i in IDS), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env["ENRICH_MIN_INTERVAL"] = "0"
    with StandIn([make_record(i) for i in IDS]) as server:
        cmd = [sys.executable, "-m", "enrich", "run", str(digest), "--out", str(tmp_path / "o")]
        cmd += ["--api-url", server.url, "--cache-dir", str(cache)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert server.requests == [], done.stderr  # every answer came from the read-only cache
    assert "read-only" in done.stderr and "Traceback" not in done.stderr
