"""Every sample digest (the corpus and the seeds) parses with the format sniffing picks, and the
entries account for at least 90% of the arXiv ids a plain scan of the file sees."""

from __future__ import annotations

import pytest
from conftest import SHARED, shared_path

from enrich.digests import parse_digest, sniff_format
from enrich.ids import find_arxiv_ids, try_parse

_SKIP_NAMES = {("corpus/digests", "SOURCES.md"), ("seeds", "README.md")}


def _files() -> list[str]:
    found: list[str] = []
    for folder in ("corpus/digests", "seeds"):
        root = SHARED / folder
        if not root.is_dir():
            found.append(f"{folder}/<missing>")
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if (folder, path.name) in _SKIP_NAMES and path.parent == root:
                continue
            found.append(path.relative_to(SHARED).as_posix())
    return found


@pytest.mark.parametrize("relative", _files())
def test_every_sample_digest_parses(relative: str) -> None:
    path = shared_path(*relative.split("/"))
    text = path.read_text(encoding="utf-8")
    fmt = sniff_format(text, str(path))
    entries = list(parse_digest(text, str(path)))
    assert all(e.source.path == str(path) for e in entries)

    seen = {m.arxiv_id.id for m in find_arxiv_ids(text)}
    found: set[str] = set()
    for entry in entries:
        for written in [entry.arxiv_id or ""] + [
            c.value for c in entry.claims if c.field == "arxiv_id" and isinstance(c.value, str)
        ]:
            parsed = try_parse(written)
            if parsed is not None:
                found.add(parsed.id)
    missing = sorted(seen - found)
    assert len(seen & found) >= 0.9 * len(seen), (fmt.name, len(seen), missing[:20])
