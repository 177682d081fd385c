"""Version-aware checking: the digest's own version (IDvN) against later ones, with dates.

Pure comparison first (compare_entry with the versions fetched), then the look-up step's plan,
then the client and the stand-in over real sockets (batches, cache, warm runs), then write-back.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from standin import StandIn, make_history, make_record

from enrich.arxiv import ArxivClient
from enrich.compare import compare_entry
from enrich.ingest import iter_entries
from enrich.models import ArxivRecord, Claim, Conflict, DigestEntry, Source
from enrich.pipeline import enrich_entries
from enrich.report.fix import fix_digest
from enrich.settings import Settings
from enrich.versions import plan_version_lookups

DATED = re.compile(r"v\d+ \(\d{4}-\d{2}-\d{2}\)")
OLD = "Multinomial Diffusion and Discrete Image Compression"
NEW = "Discrete Image Compression"
PEOPLE = ["Ada Lovelace", "Alan Turing"]


def history(**latest: Any) -> list[ArxivRecord]:
    """v1 (2024-03-18) as a digest copied it, v2 (2024-04-20) unchanged, v3 (2024-06-02)."""
    v3 = {"title": OLD, "authors": PEOPLE, "date": "2024-06-02", **latest}
    return make_history(
        "2403.01234",
        [
            {"title": OLD, "authors": PEOPLE, "date": "2024-03-18"},
            {"title": OLD, "authors": PEOPLE, "date": "2024-04-20"},
            v3,
        ],
    )


def entry(**kw: Any) -> DigestEntry:
    base: dict[str, Any] = {
        "arxiv_id": "2403.01234",
        "version": 1,
        "title": OLD,
        "authors": list(PEOPLE),
        "links": ["https://arxiv.org/abs/2403.01234v1"],
        "source": Source(path="d.md", line=3, format="generic"),
    }
    base.update(kw)
    return DigestEntry(**base)


def of(conflicts: list[Conflict], kind: str) -> list[Conflict]:
    return [c for c in conflicts if c.kind == kind]


# --- comparison (pure) --------------------------------------------------------------------------


def test_a_title_right_for_the_linked_version_is_changed_in_later_version() -> None:
    v1, v2, v3 = history(title=NEW)
    got = compare_entry(entry(), v3, {1: v1, 2: v2})
    assert not of(got, "title_mismatch")
    (changed,) = of(got, "changed_in_later_version")
    assert (changed.severity, changed.field, changed.fixed) == ("info", "title", True)
    assert changed.version is not None
    assert (changed.version.version, changed.version.date) == (3, dt.date(2024, 6, 2))
    assert "v1 (2024-03-18)" in changed.message and "v3 (2024-06-02)" in changed.message
    assert "at the latest" not in changed.message  # v2 was seen: v3 made the change


def test_without_the_versions_between_the_change_is_named_at_the_latest() -> None:
    v1, _, v3 = history(title=NEW)
    (changed,) = of(compare_entry(entry(), v3, {1: v1}), "changed_in_later_version")
    assert changed.version is not None and changed.version.version == 3
    assert "v3 (2024-06-02) at the latest" in changed.message


def test_authors_changed_later_are_info_and_name_the_difference() -> None:
    v1, v2, v3 = history(authors=[*PEOPLE, "Dhamanpreet Kaur"])
    got = compare_entry(entry(), v3, {1: v1, 2: v2})
    assert not of(got, "authors_mismatch")
    (changed,) = of(got, "changed_in_later_version")
    assert changed.field == "authors" and "Dhamanpreet Kaur" in changed.message


def test_a_cut_list_that_fits_its_version_is_changed_later_too() -> None:
    v1, v2, v3 = history(authors=["Grace Hopper", *PEOPLE])
    e = entry(authors=["Ada Lovelace"], authors_truncated=True)
    assert of(compare_entry(e, v3), "authors_mismatch")  # without the versions: a mismatch
    (changed,) = of(compare_entry(e, v3, {1: v1, 2: v2}), "changed_in_later_version")
    assert changed.field == "authors" and changed.fixed


def test_a_title_no_version_has_stays_a_warning_naming_the_versions_compared() -> None:
    v1, v2, v3 = history(title=NEW)
    got = compare_entry(entry(title="A Study of Something Else Entirely"), v3, {1: v1, 2: v2})
    assert not of(got, "changed_in_later_version")
    (warning,) = of(got, "title_mismatch")
    assert warning.severity == "warning"
    for named in ("v1 (2024-03-18)", "v2 (2024-04-20)", "v3 (2024-06-02)"):
        assert named in warning.message


def test_a_version_that_could_not_be_fetched_is_said_so() -> None:
    *_, v3 = history(title=NEW)
    (warning,) = of(compare_entry(entry(), v3, {}), "title_mismatch")
    assert "could not be fetched" in warning.message and "v1 (2024-03-18)" in warning.message


def test_a_summary_that_copied_the_linked_version_is_changed_later_not_fixed() -> None:
    v1, v2, v3 = history(title=NEW)
    e = entry(claims=[Claim(field="title", value=OLD, line=9, origin="summary")])
    got = compare_entry(e, v3, {1: v1, 2: v2})
    assert not of(got, "claim_mismatch")
    summary = [c for c in of(got, "changed_in_later_version") if c.field == "claims.title"]
    assert len(summary) == 1 and summary[0].fixed is False and summary[0].line == 9


def test_every_version_message_names_dates() -> None:
    *_, v3 = history(title=NEW, comment="This paper has been withdrawn by the authors")
    v3 = v3.model_copy(update={"withdrawn": True})
    got = compare_entry(entry(version=1), v3)
    got += compare_entry(entry(version=5), v3)
    got += compare_entry(
        entry(claims=[Claim(field="arxiv_id", value="2403.01234v2", origin="summary")]), v3
    )
    kinds = {"version_stale", "version_ahead", "version_inconsistent", "withdrawn"}
    said = [c for c in got if c.kind in kinds]
    assert {c.kind for c in said} == kinds
    for c in said:
        assert DATED.search(c.message), c.message
    (gone,) = {c.message for c in said if c.kind == "withdrawn"}
    assert "withdrawn in v3 (2024-06-02)" in gone


def test_an_entry_on_the_latest_or_without_a_version_is_not_revised() -> None:
    *_, v3 = history(title=NEW)
    for e in (entry(version=None), entry(version=3)):
        kinds = {c.kind for c in compare_entry(e, v3)}
        assert "title_mismatch" in kinds and "changed_in_later_version" not in kinds


# --- the plan: who needs a look-up --------------------------------------------------------------


def test_only_stale_entries_that_differ_from_the_latest_need_their_version() -> None:
    *_, v3 = history(title=NEW)
    agree = make_record("2403.05555", latest_version=4, title="Same", authors=PEOPLE)
    pairs = [
        (entry(), v3),  # v1, title differs: needed
        (entry(version=None), v3),  # no version: nothing
        (entry(version=3), v3),  # the latest: nothing
        (entry(arxiv_id="2403.05555", version=2, title="Same"), agree),  # agrees: optional
    ]
    needed, optional = plan_version_lookups(pairs)
    assert needed == [("2403.01234", 1)]
    # first the versions between a needed one and the latest, then the agreeing stale ones
    assert optional == [("2403.01234", 2), ("2403.05555", 2)]


# --- the client and the stand-in over real sockets ----------------------------------------------


def _settings(server: StandIn, cache: Path, **kw: Any) -> Settings:
    return Settings(api_url=server.url, cache_dir=cache, min_interval=0, **kw)


def test_the_standin_serves_each_version_its_own_metadata(tmp_path: Path) -> None:
    with StandIn() as server:
        server.add_history(
            "2403.01234",
            [
                {"title": OLD, "authors": PEOPLE, "abstract": "First.", "date": "2024-03-18"},
                {
                    "title": NEW,
                    "authors": ["Grace Hopper"],
                    "abstract": "Then.",
                    "date": "2024-06-02",
                },
            ],
        )
        with ArxivClient(_settings(server, tmp_path / "c")) as client:
            latest = client.fetch(["2403.01234"])["2403.01234"].record
            own = client.fetch_versions([("2403.01234", 1)])[("2403.01234", 1)]
    assert latest is not None
    assert (latest.title, latest.authors, latest.abstract) == (NEW, ["Grace Hopper"], "Then.")
    assert (own.title, own.authors, own.abstract) == (OLD, PEOPLE, "First.")
    assert own.latest_version == 1 and own.updated is not None
    assert own.updated.date() == dt.date(2024, 3, 18)
    assert [(v.version, v.date) for v in latest.versions] == [
        (1, dt.date(2024, 3, 18)),
        (2, dt.date(2024, 6, 2)),
    ]


def _papers(server: StandIn, n: int) -> list[tuple[str, int]]:
    wanted = []
    for i in range(n):
        arxiv_id = f"2403.{10000 + i}"
        server.add_history(arxiv_id, [{"title": f"Old {i}"}, {"title": f"New {i}"}])
        wanted.append((arxiv_id, 1))
    return wanted


def test_version_lookups_are_batched_cached_forever_and_free_when_warm(tmp_path: Path) -> None:
    with StandIn() as server:
        wanted = _papers(server, 7)
        settings = _settings(server, tmp_path / "c", batch_size=3)
        with ArxivClient(settings) as client:
            got = client.fetch_versions(wanted)
        assert set(got) == set(wanted)
        assert len(server.requests) == math.ceil(7 / 3)
        assert all(len(r.ids) <= 3 and r.max_results >= len(r.ids) for r in server.requests)
        assert sorted(server.requested_ids()) == sorted(f"{i}v1" for i, _ in wanted)
        server.clear_log()
        # a week later (far past cache_ttl) the versions are still cached: they never change
        later = _settings(server, tmp_path / "c", batch_size=3, cache_ttl=1)
        with ArxivClient(later) as client:
            assert client.fetch_versions(wanted) == got
        assert server.requests == []


def test_optional_versions_only_fill_room_in_batches_that_go_out_anyway(tmp_path: Path) -> None:
    with StandIn() as server:
        wanted = _papers(server, 4)
        with ArxivClient(_settings(server, tmp_path / "c", batch_size=3)) as client:
            assert client.fetch_versions([], wanted) == {}
            assert server.requests == []
            got = client.fetch_versions(wanted[:1], wanted[1:])
        assert len(server.requests) == 1 and len(server.requests[0].ids) == 3
        assert set(got) == set(wanted[:3])


def test_two_versions_of_one_paper_in_one_batch_are_both_kept(tmp_path: Path) -> None:
    with StandIn() as server:
        server.add_history("2403.01234", [{"title": "One"}, {"title": "Two"}, {"title": "Three"}])
        with ArxivClient(_settings(server, tmp_path / "c")) as client:
            got = client.fetch_versions([("2403.01234", 1), ("2403.01234", 2)])
    assert {k: r.title for k, r in got.items()} == {
        ("2403.01234", 1): "One",
        ("2403.01234", 2): "Two",
    }
    assert len(server.requests) == 1


def test_offline_version_lookups_use_the_cache_only(tmp_path: Path) -> None:
    with StandIn() as server:
        wanted = _papers(server, 2)
        with ArxivClient(_settings(server, tmp_path / "c", offline=True)) as client:
            assert client.fetch_versions(wanted) == {}
        assert server.requests == []


def test_a_failed_version_batch_falls_back_to_the_latest(tmp_path: Path) -> None:
    with StandIn() as server:
        wanted = _papers(server, 2)
        server.fail("503", times=2)
        settings = _settings(server, tmp_path / "c", max_attempts=2, backoff_initial=0)
        with ArxivClient(settings) as client:
            assert client.fetch_versions(wanted) == {}
            assert client.fetch_versions(wanted).keys() == set(wanted)  # nothing bad was cached


# --- the pipeline: one step, ceil(needed / batch) requests ---------------------------------------


def test_the_pipeline_asks_each_needed_version_once_in_full_batches(tmp_path: Path) -> None:
    with StandIn() as server:
        entries = []
        for i in range(5):
            arxiv_id = f"2403.{20000 + i}"
            changed = i < 3  # three renamed later; two unchanged
            server.add_history(
                arxiv_id,
                [
                    {"title": f"Old {i}", "date": "2024-01-02"},
                    {"title": f"New {i}" if changed else f"Old {i}", "date": "2024-02-03"},
                ],
            )
            for line in (1, 2):  # each paper twice in the digest: still one look-up
                source = Source(path="d.md", line=10 * i + line, format="generic")
                entries.append(
                    DigestEntry(arxiv_id=arxiv_id, version=1, title=f"Old {i}", source=source)
                )
        settings = _settings(server, tmp_path / "c", batch_size=2)
        out = enrich_entries(entries, settings)
        versioned = [r for r in server.requests if all("v" in i for i in r.ids)]
        assert len(versioned) == math.ceil(3 / 2)
        assert sorted(i for r in versioned for i in r.ids)[:3] == [
            "2403.20000v1",
            "2403.20001v1",
            "2403.20002v1",
        ]
        for x in out:
            kinds = {c.kind for c in x.conflicts}
            renamed = (x.arxiv_id or "") < "2403.20003"
            assert ("changed_in_later_version" in kinds) == renamed
            assert "title_mismatch" not in kinds
        server.clear_log()
        again = enrich_entries(entries, settings)
        assert server.requests == []  # warm: the latest and the versions are cached
        assert [x.conflicts for x in again] == [x.conflicts for x in out]


# --- write-back ---------------------------------------------------------------------------------

DIGEST = """# Papers

## Paper List

- **[{title}](http://arxiv.org/abs/2403.01234{v})**  `arXiv:2403.01234`  `cs.LG`
  _{authors}_

"""


def _pass(path: Path, settings: Settings) -> tuple[list[Any], str]:
    entries = list(iter_entries([path]))
    enriched = enrich_entries(entries, settings)
    return enriched, fix_digest(path.read_text("utf-8"), enriched).text


def test_fix_writes_the_later_title_and_authors_together_with_the_version(tmp_path: Path) -> None:
    path = tmp_path / "digest.md"
    path.write_text(DIGEST.format(title=OLD, v="v1", authors=", ".join(PEOPLE)), "utf-8")
    later = [*PEOPLE, "Grace Hopper"]
    with StandIn() as server:
        server.add_history(
            "2403.01234",
            [
                {"title": OLD, "authors": PEOPLE, "date": "2024-03-18"},
                {"title": NEW, "authors": later, "date": "2024-06-02"},
            ],
            primary_category="cs.LG",
            categories=["cs.LG"],
        )
        settings = _settings(server, tmp_path / "c")
        first, text = _pass(path, settings)
        kinds = sorted(c.kind for c in first[0].conflicts)
        assert kinds == ["changed_in_later_version"] * 2 + ["version_stale"]
        assert text == DIGEST.format(title=NEW, v="v2", authors=", ".join(later))
        path.write_text(text, "utf-8")
        second, again = _pass(path, settings)
    assert second[0].conflicts == [] and again == text


def test_fix_leaves_the_version_when_the_title_cannot_be_placed() -> None:
    v1, _, v3 = history(title=NEW)
    from enrich.pipeline import enrich_one

    class Found:
        status, record, reason = "found", v3, None

    e = entry(title=OLD, source=Source(path="d.md", line=5, format="generic"))
    enriched = enrich_one(e, Found(), {1: v1})
    title = "Multinomial Diffusion and <i>Discrete</i> Image Compression"
    text = DIGEST.format(title=title, v="v1", authors=", ".join(PEOPLE))
    result = fix_digest(text, [enriched])
    assert result.text == text  # neither the title nor the version moved
    assert {k for a in result.left_alone for k in a.kinds} >= {
        "changed_in_later_version",
        "version_stale",
    }


# --- the review page's timeline (pure HTML; the seeds test checks it in Chromium) ----------------


def test_the_timeline_folds_versions_nothing_is_known_about() -> None:
    from enrich.pipeline import enrich_one
    from enrich.report.timeline import version_timeline

    latest = make_record("2403.01234", latest_version=9, title=NEW, authors=PEOPLE)

    class Found:
        status, record, reason = "found", latest, None

    stale = enrich_one(entry(version=4, title=NEW), Found())
    html = version_timeline(stale)
    numbers = re.findall(r'data-version="(\d+)"', html)
    # v1 (dated by published), the linked v4, the latest; v2-v3 and v5-v8 folded
    assert numbers == ["1", "4", "9"]
    assert html.count('class="gap"') == 2
    lone = version_timeline(enrich_one(entry(version=7, title=NEW), Found()))
    assert re.findall(r'data-version="(\d+)"', lone) == ["1", "7", "8", "9"]
    assert '"vnum">v8</span> <span class="vdate">date unknown' in lone
    assert version_timeline(enrich_one(entry(version=9, title=NEW), Found())) == ""
    assert version_timeline(enrich_one(entry(version=None, title=NEW), Found())) == ""
