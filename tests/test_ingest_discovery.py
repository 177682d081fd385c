"""Discovery: every suffix a reader knows, content decides the reader, the tool's own outputs are
skipped, and files without any arXiv id are named."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from enrich.ingest import (
    DIGEST_SUFFIXES,
    FileReport,
    iter_entries,
    iter_input_files,
)
from enrich.report.terminal import print_file_reports

SUFFIXES = [".md", ".markdown", ".txt", ".html", ".htm", ".bib", ".bbl", ".xml", ".ris"]
SUFFIXES += [".csv", ".tsv", ".json", ".org", ".rst"]


def test_folders_are_searched_for_every_suffix_the_design_lists(tmp_path: Path) -> None:
    assert set(SUFFIXES) == DIGEST_SUFFIXES
    for suffix in [*SUFFIXES, ".png", ".jsonl", ".py"]:
        (tmp_path / f"x{suffix}").write_text("arXiv:2401.00001\n", encoding="utf-8")
    found = sorted(p.suffix for p in iter_input_files([tmp_path]))
    assert found == sorted(SUFFIXES)


@pytest.mark.parametrize(
    ("name", "text", "format"),
    [
        ("a.txt", '[{"title": "T", "arxiv_id": "2401.00001"}]', "json"),
        ("a.md", "TY  - JOUR\nTI  - T\nUR  - https://arxiv.org/abs/2401.00001\nER  - \n", "ris"),
        ("a.txt", "title,authors,url\nT,A B,https://arxiv.org/abs/2401.00001\n", "csv"),
        (
            "a.txt",
            "#+TITLE: x\n* T\n  :PROPERTIES:\n  :link: arxiv.org/abs/2401.00001\n  :END:\n",
            "org",
        ),
        (
            "a.json",
            "\\begin{thebibliography}{1}\n\\bibitem{k} A.\n\\newblock T.\n"
            "\\newblock arXiv:2401.00001.\n",
            "bbl",
        ),
    ],
)
def test_content_not_suffix_decides_the_reader(
    tmp_path: Path, name: str, text: str, format: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reports: list[FileReport] = []
    entries = list(iter_entries([path], on_file=reports.append))
    assert reports[0].format == format
    assert [e.arxiv_id for e in entries] == ["2401.00001"]


def test_own_outputs_in_a_folder_are_recognised_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "digest.md").write_text("- [A paper](https://arxiv.org/abs/2401.00001)\n", "utf-8")
    (tmp_path / "report.json").write_text(
        json.dumps({"summary": {"entries": 1}, "files": []}, indent=2), "utf-8"
    )
    (tmp_path / "report.md").write_text("# arxiv-enrich report\n\n2401.00002\n", "utf-8")
    (tmp_path / "review.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>arxiv-enrich review: 1 of 2 entries need a look</title></head>2401.00003",
        "utf-8",
    )
    (tmp_path / "entries.json").write_text(
        '{"arxiv_id":"2401.00004","version":null,"title":"x","source":{"path":"d.md"}}\n', "utf-8"
    )
    reports: list[FileReport] = []
    entries = list(iter_entries([tmp_path], on_file=reports.append))
    assert [e.arxiv_id for e in entries] == ["2401.00001"]
    skipped = sorted(Path(r.path).name for r in reports if r.skipped)
    assert skipped == ["entries.json", "report.json", "report.md", "review.html"]


def test_files_without_any_arxiv_id_are_counted_and_named(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("- [A paper](https://arxiv.org/abs/2401.00001)\n", "utf-8")
    (tmp_path / "notes.txt").write_text("nothing here\n", "utf-8")
    (tmp_path / "table.csv").write_text("title,url\nT,https://example.org\n", "utf-8")
    reports: list[FileReport] = []
    list(iter_entries([tmp_path], on_file=reports.append))
    out = io.StringIO()
    print_file_reports(reports, out)
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("note: 2 file(s) without any arXiv id:")
    assert "notes.txt" in last and "table.csv" in last and "a.md" not in last


def test_a_bibtex_entry_whose_braces_never_close_is_an_invalid_entry(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{a,\n  title={Good},\n  eprint={2401.00001},\n}\n\n"
        "@article{b,\n  title={Broken {brace},\n  eprint={2401.00002},\n\n"
        "@article{c,\n  title={Third},\n  eprint={2401.00003}\n}\n",
        encoding="utf-8",
    )
    entries = list(iter_entries([path]))
    assert [(e.arxiv_id, e.status) for e in entries] == [
        ("2401.00001", "valid"),
        ("2401.00002", "invalid"),
        ("2401.00003", "valid"),
    ]
    assert (
        entries[1].error and "refs.bib:6" in entries[1].error and "never closes" in entries[1].error
    )
