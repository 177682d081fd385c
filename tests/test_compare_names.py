"""Author names: folding, one-to-one matching, list verdicts, placeholders and splitting."""

from __future__ import annotations

import pytest

from enrich.compare.authors import compare_authors, describe_difference
from enrich.compare.names import is_placeholder, match_names, parse_name, split_names


def match(a: str, b: str) -> str | None:
    return match_names(parse_name(a), parse_name(b))


@pytest.mark.parametrize(
    ("digest", "arxiv"),
    [
        ("José Müller", "Jose Mueller"),
        ("Jose Muller", "José Müller"),
        ("Jose Mueller", "José Müller"),
        ("S. A. Baumann", "Stefan Andreas Baumann"),
        ("S.A. Baumann", "Stefan Andreas Baumann"),
        ("Baumann, S.", "Stefan Andreas Baumann"),
        ("Baumann, Stefan Andreas", "Stefan Andreas Baumann"),
        ("SA Baumann", "Stefan Andreas Baumann"),
        ("A. Baumann", "Stefan Andreas Baumann"),  # goes by the middle name
        ("Stefan Baumann", "Stefan Andreas Baumann"),
        ("Stefan Andreas Baumann", "S. Baumann"),  # arXiv with the initial
        ("Ri-Zhao Qiu", "Rizhao Qiu"),
        ("Rizhao Qiu", "Ri-Zhao Qiu"),
        ("Mohammadhadi Sepanj", "Mohammad Hadi Sepanj"),
        ("Jean-Pierre Bouchaud", "J.-P. Bouchaud"),
        ("Q. Wang", "Qilin Wang"),
        ("Mike Zheng Shou1∗", "Mike Zheng Shou"),
        ("Jinheng Xie†", "Jinheng Xie"),
        ("Kevin Qinghong Lin1", "Kevin Qinghong Lin"),
        ("Yinglin Wang*", "Yinglin Wang"),
        ("Zhenggang Tang^{1,2}", "Zhenggang Tang"),
        ("Mihai Bace", "Mihai Bâce"),
        ("Matthias Niessner", "Matthias Nießner"),
        ('M{\\"u}ller, Johann', "Johann Müller"),
        ("Ludwig van Beethoven", "L. van Beethoven"),
        ("van Beethoven, Ludwig", "Ludwig van Beethoven"),
        ("Martin Luther King, Jr.", "Martin Luther King"),
        ("Georgios Tzimiropolous", "Georgios Tzimiropoulos"),  # one slip in a long name
        ("<em>Gül Varol</em>", "Gül Varol"),
        ("John O'Brien", "John OBrien"),
        ("ANH-DZUNG DOAN", "Anh-Dzung Doan"),
        ("Ｊｕｅ Ｗａｎｇ", "Jue Wang"),  # full-width letters
        ("Yunxiang (Jun) Xiang", "Jun Xiang"),  # a nickname between the words
        ("John Smith (MIT)", "John Smith"),  # an affiliation at the end
        ("Wei Wang (王伟)", "Wei Wang"),
    ],
)
def test_the_same_person_written_differently_matches(digest: str, arxiv: str) -> None:
    assert match(digest, arxiv) == "same"


@pytest.mark.parametrize(
    ("digest", "arxiv"),
    [
        ("Cho Joseph", "Joseph Cho"),
        ("Wei Huawei", "Huawei Wei"),
        ("Phan Vu Minh Hieu", "Vu Minh Hieu Phan"),
        ("Baumann S.", "Stefan Baumann"),
        ("Tzimiropoulos Georgios", "Georgios Tzimiropoulos"),
    ],
)
def test_family_name_first_is_swapped(digest: str, arxiv: str) -> None:
    assert match(digest, arxiv) == "swapped"


@pytest.mark.parametrize(
    ("digest", "arxiv"),
    [
        ("Wei Wang", "Yu Wang"),
        ("Wei Wang", "Wei Wong"),
        ("Zhang Wei", "Wei Zhong"),
        ("Le Zhang", "Lei Zhang"),  # short syllables get no spelling tolerance
        ("Jue Wang", "Jihyun Lee"),
        ("J. Smith", "K. Smith"),
        ("Joseph", "Joseph Cho"),
        ("Stefan Andreas Baumann", "Andreas"),  # a one-word name is not turned round
        ("", "Joseph Cho"),
        ("***", "Joseph Cho"),
    ],
)
def test_different_people_do_not_match(digest: str, arxiv: str) -> None:
    assert match(digest, arxiv) is None


def test_cjk_names_record_their_script() -> None:
    assert parse_name("齐源何").scripts == frozenset({"CJK"})
    assert parse_name("Gül Varol").scripts == frozenset()


# --- lists ------------------------------------------------------------------------------------

ARXIV = ["Xu He", "Xiaoyu Li", "Di Kang", "Jiangnan Ye", "Chaopeng Zhang", "Liyang Chen"]


def test_a_full_matching_list_is_ok() -> None:
    assert compare_authors(ARXIV, False, ARXIV).verdict == "ok"


def test_a_prefix_cut_with_et_al_is_truncated() -> None:
    assert compare_authors(ARXIV[:2], True, ARXIV).verdict == "truncated"


def test_a_whole_list_with_a_needless_et_al_is_ok() -> None:
    assert compare_authors(ARXIV, True, ARXIV).verdict == "ok"


def test_a_cut_list_that_skips_a_name_is_a_mismatch() -> None:
    got = compare_authors([ARXIV[0], ARXIV[2]], True, ARXIV)
    assert got.verdict == "mismatch" and got.missing == ("Xiaoyu Li",)


def test_a_cut_list_longer_than_arxivs_is_a_mismatch() -> None:
    got = compare_authors([*ARXIV, "Han Zhang"], True, ARXIV)
    assert got.verdict == "mismatch" and got.extra == ("Han Zhang",)


def test_moved_names_are_the_fewest_that_explain_the_order() -> None:
    digest = [ARXIV[0], ARXIV[5], *ARXIV[1:5]]
    got = compare_authors(digest, False, ARXIV)
    assert got.verdict == "mismatch" and got.moved == ("Liyang Chen",)
    assert describe_difference(got) == "out of order Liyang Chen"


def test_swapped_names_keep_an_ok_verdict_and_are_listed() -> None:
    got = compare_authors(["He Xu", "Li Xiaoyu"], True, ARXIV)
    assert got.verdict == "truncated" and got.swapped == ("He Xu", "Li Xiaoyu")


def test_two_people_with_swappable_names_pair_by_position() -> None:
    names = ["Zhao Chen", "Chen Zhao"]
    got = compare_authors(names, False, names)
    assert got.verdict == "ok" and got.swapped == ()


def test_a_list_in_chinese_characters_is_unverifiable() -> None:
    got = compare_authors(["张仲伟", "龙福臣", "潘映伟"], False, ["Zhongwei Zhang", "Fuchen Long"])
    assert got.verdict == "unverifiable" and got.scripts == frozenset({"CJK"})


def test_korean_and_cyrillic_are_unverifiable_too() -> None:
    assert compare_authors(["김민수"], False, ["Minsu Kim"]).verdict == "unverifiable"
    assert compare_authors(["Иван Петров"], False, ["Ivan Petrov"]).verdict == "unverifiable"


def test_a_script_arxiv_itself_uses_is_compared() -> None:
    got = compare_authors(["Иван Петров"], False, ["Иван Петров"])
    assert got.verdict == "ok"


def test_no_names_is_empty_and_an_empty_arxiv_list_is_ok() -> None:
    assert compare_authors([], True, ARXIV).verdict == "empty"
    assert compare_authors(["", " "], False, ARXIV).verdict == "empty"
    assert compare_authors(ARXIV, False, []).verdict == "ok"


def test_a_very_long_collaboration_list_compares_quickly() -> None:
    big = [
        f"Author{chr(97 + i % 26)}{chr(97 + i // 26 % 26)} Person{chr(97 + i % 7)}x"
        for i in range(600)
    ]
    assert compare_authors(big, False, big).verdict == "ok"
    assert compare_authors(big[:6], True, big).verdict == "truncated"


# --- placeholders and splitting -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[Authors' names not provided in the text]",
        "Authors: Not available",
        "N/A",
        "None",
        "Unknown",
        "未提供",
        "无",
        "(not given)",
    ],
)
def test_placeholders_are_recognised(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["Wei Wang", "Nonna Smith", "Anonymous Coward, Jane Doe", ""])
def test_names_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)


@pytest.mark.parametrize(
    ("value", "names", "cut"),
    [
        ("Q. Wang 等", ["Q. Wang"], True),
        ("齐源何、景浩王、子为刘", ["齐源何", "景浩王", "子为刘"], False),
        ("A. One, B. Two, et al.", ["A. One", "B. Two"], True),
        ("A. One and B. Two", ["A. One", "B. Two"], False),
        ("First Author et.al.", ["First Author"], True),
        ("Wei Huawei<em>、Yang Zejun</em>", ["Wei Huawei", "Yang Zejun"], False),
        (["Baumann, S.", "et al."], ["Baumann, S."], True),
        ("张仲伟，龙福臣，潘映伟", ["张仲伟", "龙福臣", "潘映伟"], False),
    ],
)
def test_split_names(value: str | list[str], names: list[str], cut: bool) -> None:
    assert split_names(value) == (names, cut)
