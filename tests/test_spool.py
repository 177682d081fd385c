"""enrich.spool.Spool: the pipeline's windows and the reports' findings keep their items in it."""

from __future__ import annotations

from standin import make_record

from enrich.models import ArxivRecord
from enrich.report.collect import Findings
from enrich.spool import Spool


def _records(n: int) -> list[ArxivRecord]:
    return [make_record(f"2501.{i:05d}", title=f"Paper {i}") for i in range(n)]


def test_items_past_the_limit_go_to_a_file_and_come_back_in_order() -> None:
    records = _records(7)
    with Spool(ArxivRecord, 3) as spool:
        for record in records[:5]:
            spool.add(record)
        assert len(spool.head) == 3 and spool.file is not None and len(spool) == 5
        assert list(spool.scan()) == records[:5]
        spool.add(records[5])  # after a scan the file position is mid-file: still appended
        spool.add(records[6])
        assert list(spool.scan()) == records  # as often as needed
        assert list(spool.drain()) == records
        assert spool.head == []  # the kept objects were let go
    assert spool.file is None


def test_a_small_spool_never_touches_the_disk() -> None:
    spool = Spool(ArxivRecord, 10)
    for record in _records(10):
        spool.add(record)
    assert spool.file is None and len(spool) == 10


def test_findings_keep_only_entries_with_something_to_say() -> None:
    from test_report_html import make_entry

    record = make_record("2501.00001")
    clean = make_entry("d.md", 1, record, status="enriched")
    bad = make_entry("d.md", 2, None, status="not_found", arxiv_id="2501.00002")
    findings = Findings(in_memory=1)
    for entry in (clean, bad, bad, clean):
        findings.add(entry)
    assert len(findings) == 2
    assert [e.status for e in findings] == ["not_found", "not_found"]
    assert [e.status for e in findings] == ["not_found", "not_found"]  # again, from the file
    findings.close()
