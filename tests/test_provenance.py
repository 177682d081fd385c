"""Provenance: how each field of an entry was read, and what a guess may cost."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from enrich.models import DigestEntry, Source


def _entry(**kw: object) -> DigestEntry:
    return DigestEntry(arxiv_id="2503.22370", source=Source(path="d.md", line=1, format="x"), **kw)


def test_provenance_is_written_in_the_ingest_line_and_read_back() -> None:
    entry = _entry(title="A", provenance={"title": "guessed", "authors": "labelled"})
    line = json.loads(entry.model_dump_json())
    assert line["provenance"] == {"title": "guessed", "authors": "labelled"}
    assert DigestEntry.model_validate_json(entry.model_dump_json()) == entry


def test_provenance_defaults_to_empty_and_refuses_unknown_words() -> None:
    assert _entry().provenance == {}
    with pytest.raises(ValidationError):
        _entry(provenance={"title": "invented"})


def test_every_reader_of_today_records_how_it_read_each_field(tmp_path: object) -> None:
    from enrich.digests import parse_digest

    bib = "@article{k, title={A Title}, author={Lee, Ann and others}, eprint={2401.00001}}\n"
    (entry,) = parse_digest(bib, "refs.bib")
    assert entry.provenance == {
        "arxiv_id": "structured",
        "title": "structured",
        "authors": "structured",
    }
    plain = "Some notes.\n\n- **A Guessed Title** https://arxiv.org/abs/2401.00002 and more\n"
    (guess,) = parse_digest(plain, "notes.txt", format="generic")
    assert guess.title and guess.provenance == {"title": "guessed"}
