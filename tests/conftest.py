"""Test mode for the whole suite: no ENRICH_* leaks in, and the cache lives in tmp_path.

`shared` gives the path of ../shared (the seeds, the corpus, the captured arXiv answers). When it is
absent the tests that need it are skipped, except under CI=true, where its absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skip the test cleanly when it is missing (fail under CI=true)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{path} is missing: CI needs ../shared beside the project")
        pytest.skip(f"{path} is missing (../shared is not beside the project)")
    return path


@pytest.fixture
def shared() -> Path:
    return shared_path()


@pytest.fixture(autouse=True)
def _test_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("ENRICH_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ENRICH_CACHE_DIR", str(tmp_path / "cache"))
