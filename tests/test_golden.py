"""Byte-identity: `enrich run` writes exactly the stored golden outputs (scripts/golden.py).

The golden files were taken from main before the performance work (issue 13). A change that MEANS
to alter the output regenerates them on its own commit first: `python scripts/golden.py --update`,
committed as "golden: regenerate for <change>".
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import ROOT, shared_path

sys.path.insert(0, str(ROOT / "scripts"))

import golden


@pytest.mark.parametrize("case", golden.CASES)
def test_output_is_byte_identical_to_golden(case: str, tmp_path: Path) -> None:
    if case == "seeds":
        shared_path("seeds")
    elif case == "corpus":
        shared_path("corpus", "digests")
    files = golden.produce(case, tmp_path)
    assert len(files) >= 5  # JSONL, warm delta, three reports (and the fixes for digests)
    for name, data in files.items():
        old = golden.stored(name)
        assert old is not None, f"tests/golden/{name}.gz is missing: run scripts/golden.py --update"
        assert data == old, (
            f"{name} differs from its golden file at {golden.first_difference(old, data)}\n"
            "An intended output change? Regenerate on that commit: "
            "python scripts/golden.py --update"
        )


def test_first_difference_names_the_line() -> None:
    said = golden.first_difference(b"a\nbcd\n", b"a\nbXd\n")
    assert said.startswith("line 2, byte 1")
    assert golden.first_difference(b"a", b"a\n").startswith("line counts differ")


def test_run_time_is_masked_in_reports() -> None:
    masked = golden._mask(b'{"seconds": 12.5, "x": 1} cache hits; 3.2 s. retries \xc2\xb7 0.4 s')
    assert masked == b'{"seconds": 0, "x": 1} cache hits; 0 s. retries \xc2\xb7 0 s'


@pytest.mark.parametrize("case", golden.CASES)
def test_looked_up_in_a_process_of_its_own_the_same_bytes(case: str, tmp_path: Path) -> None:
    """`lookup_process = "on"` (enrich/arxiv/process.py; the forked child of a one-thread CLI)
    for the cold and the warm run: not a byte changes."""
    if case == "seeds":
        shared_path("seeds")
    elif case == "corpus":
        shared_path("corpus", "digests")
    files = golden.produce(case, tmp_path, {"ENRICH_LOOKUP_PROCESS": "on"})
    assert len(files) >= 5
    for name, data in files.items():
        assert data == golden.stored(name), (
            f"{name}: {golden.first_difference(golden.stored(name) or b'', data)}"
        )
