"""The comparison's fast paths give exactly what the full comparison gives (issue 13)."""

from __future__ import annotations

import unicodedata
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.compare import authors, duplicates, titles
from enrich.compare.correct import _fold
from enrich.text import authors as authors_text
from enrich.text import latex, names
from enrich.text.latex import has_latex, latex_to_text
from enrich.text.markup import fold_space, strip_html

NAME_PARTS = st.sampled_from(
    ["Ada", "Lovelace", "Wei", "Zhang", "Müller", "J.", "van der", "Jr", "II", ",", "*", "1",
     "<b>", "</b>", "&amp;", "\\'e", "{", "}", "(Jun)", "[1]", "王", "Ελένη", "-", " ", "et al.",
     "%", "~", "--", "@akhaliq", "chenxz", "ssz1111", "Yu", "Li"]
)  # fmt: skip
NAMES = st.lists(NAME_PARTS, min_size=1, max_size=5).map(" ".join)
LISTS = st.lists(NAMES, max_size=6)


@settings(max_examples=400, deadline=None)
@given(LISTS, st.integers(0, 6), st.booleans())
def test_identical_lists_give_the_full_verdict(arxiv: list[str], cut: int, truncated: bool) -> None:
    digest = tuple(arxiv[:cut])
    fast = authors._identical(digest, truncated, tuple(arxiv))
    if fast is not None:
        assert fast == authors._compare.__wrapped__(digest, truncated, tuple(arxiv))


def test_a_copied_list_takes_the_fast_path() -> None:
    arxiv = ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert authors._identical(arxiv, False, arxiv) == authors.AuthorComparison("ok")
    assert authors._identical(arxiv[:1], True, arxiv).verdict == "truncated"  # type: ignore[union-attr]
    assert authors._identical(arxiv[:1], False, arxiv) is None  # a short list uncut: compare
    jr = authors._identical(("Jr",), False, ("Jr",))
    assert jr == authors.AuthorComparison("empty")  # folds to nothing: not a name
    # a user handle is no name on either side, also where the list is copied
    handle = ("@akhaliq", "Bob Smith")
    assert authors._identical(handle[:1], True, handle) == authors.AuthorComparison("empty")
    assert authors.compare_authors(["Yu Li", "chenxz"], True, ["Yu Li", "chenxz", "Bo Xu"]) == (
        authors.AuthorComparison("truncated")
    )


def _fold_markup_reference(text: str) -> str:
    """names._fold_markup before its steps were guarded by their trigger characters."""
    text = strip_html(text)
    if has_latex(text):
        text = latex_to_text(text, math="text").replace("{", "").replace("}", "")
    text = unicodedata.normalize("NFKC", text)
    text = names._PARENS.sub(lambda m: names._keep_nickname(m, text), text)
    return names._MARKERS.sub(" ", text)


@settings(max_examples=400, deadline=None)
@given(NAMES | st.text(max_size=30) | st.text(st.characters(max_codepoint=127), max_size=20))
def test_guarded_folding_equals_the_full_chain(raw: str) -> None:
    assert names._fold_markup(raw) == _fold_markup_reference(raw)


TITLE_WORDS = st.sampled_from(
    ["Deep", "learning", "of", "$\\alpha$", "<i>x</i>", "&amp;", "Über", "\n ", "  ", "-", ":"]
)
TITLES = st.lists(TITLE_WORDS, max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(TITLES, TITLES)
def test_titles_equal_but_for_white_space_are_equal_keys(a: str, b: str) -> None:
    assert titles.compare_titles(a, b) == titles.compare_titles.__wrapped__(a, b)  # the memo
    if titles._same_words(a, b):
        assert titles.title_key(a) == titles.title_key(b)
    assert titles._same_words(a, " ".join(a.split())) or not a.isascii() or "<" in a or "\\" in a


def test_white_space_fold_matches_the_regex() -> None:
    import re

    for text in ["  a \n\t b\u00a0c\u2003 ", "", "x", "\x1c y \x1f"]:
        assert _fold(text) == re.sub(r"\s+", " ", text).strip()


LATEX_PIECES = st.sampled_from(
    ["Deep", "x", "é", "王", " ", "\n", "\n\n", "-", "--", "'", "''", "`", "!", "?", "[", "]", "(",
     ")", ":", ",", ".", "$", "$", "$", "\\alpha", "\\ALPHA", "\\mathcal", "\\mathbb", "\\frac",
     "\\sqrt", "\\text", "\\emph", "\\log", "\\cite", "\\url", "\\foo", "\\,", "\\&", "\\$", "\\",
     "{", "}", "{X}", "{a}{b}", "^", "_", "2", "~", "&", "#", "%", "\\%", "\u00a0"]
)  # fmt: skip
LATEX_TEXTS = st.lists(LATEX_PIECES, max_size=12).map("".join)


PLAIN_PIECES = st.sampled_from(
    ["Deep", "x", "é", "王", " ", "  ", "\n", "\n\n", "-", "'", "[", "]", "(", ")", ":", "!", "?",
     ".", "\u00a0", "--", "''", "~", "\\&"]
)  # fmt: skip
MATH_PIECES = st.sampled_from(
    ["x", "2", " ", "^", "_", "+", "(", ")", "[", "]", "-", "--", "'", ",", "\\alpha", "\\log",
     "\\foo", "\\mathcal", "\\mathbb", "\\frac", "\\sqrt", "\\text", "\\hat", "\\cite",
     "{X}", "{a}{b}", "{}", " {X}", "{", "}", "\\,", "\\$", "~", "&", "\\"]
)  # fmt: skip
PLAIN = st.lists(PLAIN_PIECES, max_size=4).map("".join)
MATH = st.lists(MATH_PIECES, min_size=1, max_size=5).map(lambda xs: "$" + "".join(xs) + "$")
MATH_TEXTS = st.tuples(PLAIN, st.lists(st.tuples(MATH, PLAIN), max_size=3)).map(
    lambda t: t[0] + "".join(m + p for m, p in t[1])
)


def _whole(text: str, math: str) -> str:
    """pylatexenc's own call on the whole text, with everything it builds afresh (no shortcut)."""
    try:
        return str(latex._converter(math).latex_to_text(text))
    except Exception:
        return text.replace("{", "").replace("}", "")


@settings(max_examples=1500, deadline=None)
@given(LATEX_TEXTS | MATH_TEXTS, st.sampled_from(["text", "verbatim"]))
def test_latex_by_pieces_equals_pylatexenc_on_the_whole(text: str, math: str) -> None:
    assert latex._convert(text, math) == _whole(text, math)


def test_latex_pieces_take_the_fast_path_only_where_they_may() -> None:
    assert latex._by_pieces("Learning with $\\alpha$-Divergence", "text") == (
        "Learning with α-Divergence"
    )
    assert latex._by_pieces("$\\mathcal{X}$ and $\\frac{a}{b}$", "text") == "𝒳 and a/b"
    assert latex._by_pieces("$\\frac{a}$ b", "text") is None  # \frac would take the "$"
    assert latex._by_pieces("$a$$b$", "text") is None  # "$$" is display math
    assert latex._by_pieces("a -- $b$", "text") is None  # a dash ligature outside the math
    assert latex._by_pieces("a \\& $b$", "text") is None


def _token_reference(word: str) -> names.Token | None:
    """names._token before plain ASCII words skipped the regex."""
    if word.isascii():
        text = names._NOT_LETTER.sub("", word.lower())
        return names.Token(text, text) if text else None
    return names._token(word)


WORDS = st.sampled_from(
    ["Ada", "van", "O'Neil", "J.", "x1", "_", "-", "Müller", "ß", "王", "", "İ"]
)


@settings(max_examples=400, deadline=None)
@given(WORDS | st.text(max_size=8))
def test_plain_ascii_words_fold_as_before(word: str) -> None:
    assert names._token(word) == _token_reference(word)


def _user_handle_reference(text: str, one_word: bool) -> bool:
    """is_user_handle before it split instead of testing every character for white space."""
    text = text.strip()
    if not text or any(ch.isspace() for ch in text):
        return False
    return one_word or authors_text._HANDLE.fullmatch(text) is not None


@settings(max_examples=400, deadline=None)
@given(
    st.text(st.sampled_from("ab1_@.- \t\n\u00a0\u2003\u200b\x1cZ"), max_size=10) | NAMES,
    st.booleans(),
)
def test_user_handles_as_before(text: str, one_word: bool) -> None:
    assert authors_text.is_user_handle(text, one_word=one_word) == _user_handle_reference(
        text, one_word
    )


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("jJrRsSiIxX. ,-ıİſǰⅡⅢ王é"), max_size=6) | NAMES)
def test_the_suffix_guard_agrees_with_the_letters(part: str) -> None:
    assert names._is_suffix(part) == (names._letters(part) in names._SUFFIXES)


def _author_sig_reference(authors: list[str]) -> int:
    """duplicates._author_sig before each name's word hashes were remembered."""
    words: set[int] = set()
    for name in authors[:4]:
        for token in names.parse_name(name).tokens:
            if len(token.text) >= 2:
                words.add(zlib.crc32(token.text.encode()) & 0xFFFF)
    sig = 0
    for i, word in enumerate(sorted(words)[:8]):
        sig |= (word + 1) << (17 * i)
    return sig


@settings(max_examples=300, deadline=None)
@given(LISTS)
def test_author_signatures_as_before(names_: list[str]) -> None:
    assert duplicates._author_sig(names_) == _author_sig_reference(names_)


PHRASE_PIECES = st.sampled_from(
    ["Ada Lovelace", ", ", " ", "not", "NOT", "Not", " provided", " been", "unknown", "UNKNOWN",
     "xxx", "XxX", "x", "无法", "请提供", "未提供", "未知", "需要您", "不详", "作者", "N/A", "Noé",
     "ⁿ", "ǹ", "ⓝ", "ｎｏｔ", "-", ".", "\n", "Knott", "unK", "\u212a", "nown", "no", "t", "un"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(PHRASE_PIECES, max_size=6).map("".join) | st.text(max_size=12))
def test_the_phrase_pretest_never_hides_a_phrase(text: str) -> None:
    from enrich.text import vocabulary

    if vocabulary._PLACEHOLDER_PHRASE.search(text):
        assert vocabulary._may_hold_phrase(text)


def test_shared_version_statements_give_the_same_findings() -> None:
    """compare_entry hands the checks and the version rule one list of version statements:
    the same findings as each computing its own, over the benchmark workload."""
    from enrich.compare.checks import entry_checks, version_statements
    from enrich.compare.rules import version_conflicts
    from enrich.ingest import validate
    from enrich.models import DigestEntry
    from enrich.testing.workload import workload

    pairs = [
        (validate(DigestEntry.model_validate(line)), record)
        for line, record in workload(600, seed=13)
        if record is not None
    ]
    pairs = [(e, r) for e, r in pairs if e.status == "valid" and e.arxiv_id == r.arxiv_id]
    # and entries that name two versions (a link to another one): version_inconsistent
    pairs += [
        (e.model_copy(update={"links": [*e.links, f"https://arxiv.org/abs/{e.arxiv_id}v9"]}), r)
        for e, r in pairs[:50]
    ]
    several = 0
    for entry, record in pairs:
        statements = version_statements(entry)
        several += len({s.version for s in statements}) > 1
        shared = entry_checks(entry, corrected=True, record=record, statements=statements)
        assert shared == entry_checks(entry, corrected=True, record=record)
        assert version_conflicts(entry, record, statements) == version_conflicts(entry, record)
    assert several


FOLD_PIECES = st.sampled_from(
    ["Deep", "x", "é", " ", "  ", "\n", "\n  ", "\n   ", "\t", "\r", "\x0b", "\x0c", "\x1c",
     "\x1f", "\u00a0", "\u2003", "\u2028", ".", "learning of models"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(FOLD_PIECES, max_size=12).map("".join), st.integers(0, 80))
def test_the_folded_abstract_is_split_and_joined(text: str, repeat: int) -> None:
    """correct._fold keeps a long arXiv-wrapped text without splitting it when that is its fold."""
    for sample in (text, "Deep learning\n  of models " * repeat + text):
        assert _fold(sample) == " ".join(sample.split())
    wrapped = "Deep learning\n  of models" * 30
    assert _fold(wrapped) == " ".join(wrapped.split())


@settings(max_examples=600, deadline=None)
@given(st.lists(FOLD_PIECES, max_size=12).map("".join), st.integers(0, 80))
def test_white_space_folding_keeps_only_what_is_folded(text: str, repeat: int) -> None:
    """fold_space gives a folded ASCII text back as it is, and folds every other."""
    for sample in (text, "Deep learning of models " * repeat + text, text.strip()):
        folded = fold_space(sample)
        assert folded == " ".join(sample.split())
        if folded == sample and sample.isascii():
            assert folded is sample  # not split and joined again

    class Held(str):  # as lxml's strings that keep their element alive
        pass

    assert type(fold_space(Held("Deep learning"))) is str


PAGE_IDS = st.sampled_from(["2401.10000", "2401.1000", "0704.0001", "1412.12345", "2413.00001",
                            "0703.00001", "hep-th/9901001", "2401.100001", ""])  # fmt: skip
PAGE_LINKS = st.tuples(
    st.sampled_from(["https://arxiv.org/abs/", "https://arxiv.org/pdf/", "http://arxiv.org/abs/",
                     "https://arxiv.org/html/", "arxiv.org/abs/", ""]),
    PAGE_IDS,
    st.sampled_from(["", "v1", "v2", "v0", "v01", "v10", "V2", "v", "v1.pdf", "v2#x", "/", "v١"]),
).map("".join)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(PAGE_LINKS, PAGE_IDS)
def test_a_page_of_the_paper_is_what_the_parse_says(link: str, arxiv_id: str) -> None:
    """checks.page_version answers only for links the full parse reads the same way, and
    checks.link_version always as the full parse does."""
    from enrich.compare.checks import link_version, page_version
    from enrich.ids import try_parse

    version = page_version(link, arxiv_id)
    if version is not None:
        parsed = try_parse(link)
        assert parsed is not None and parsed.id == arxiv_id
        assert (parsed.version or 0) == version
    # link_version: page_version's answer where it gives one, the full parse's everywhere
    parsed = try_parse(link)
    own = parsed is not None and bool(arxiv_id) and parsed.id == arxiv_id
    expected = (parsed.version or 0) if own and parsed is not None else None
    assert link_version(link, arxiv_id) == expected
    assert link_version.__wrapped__(link, arxiv_id) == expected  # the memo, and without it


def test_the_usual_links_take_the_page_path() -> None:
    from enrich.compare.checks import page_version

    assert page_version("https://arxiv.org/abs/2401.10000v3", "2401.10000") == 3
    assert page_version("https://arxiv.org/pdf/2401.10000", "2401.10000") == 0
    assert page_version("https://arxiv.org/abs/2401.10000v3", "2401.10001") is None
    assert page_version("https://github.com/x/y", "2401.10000") is None


def _fold_title_reference(text: str) -> str:
    """titles.fold_title before its steps were guarded and its last step became a findall."""
    import re

    from enrich.text import titles as titles_text

    text = strip_html(text)
    if "\\" in text:
        text = latex_to_text(titles_text._BARE_AMPERSAND.sub(r"\\&", text), math="text")
    text = titles_text._MATH_MARKUP.sub("", text)
    if not text.isascii():
        text = titles_text.anyascii(
            unicodedata.normalize("NFKC", text).translate(titles_text._GREEK_LETTERS)
        )
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@settings(max_examples=600, deadline=None)
@given(TITLES | LATEX_TEXTS | st.text(max_size=30))
def test_title_folding_as_before(title: str) -> None:
    from enrich.text.titles import fold_title

    assert fold_title.__wrapped__(title) == _fold_title_reference(title)


def _workload_pairs(n: int = 800) -> list[tuple[object, object]]:
    from enrich.ingest import validate
    from enrich.models import DigestEntry
    from enrich.testing.workload import workload

    pairs = [
        (validate(DigestEntry.model_validate(line)), record)
        for line, record in workload(n, seed=13)
        if record is not None
    ]
    return [(e, r) for e, r in pairs if e.status == "valid"]


def _category_conflicts_reference(entry, record):  # type: ignore[no-untyped-def]
    """rules.category_conflicts before the codes of each side were remembered."""
    from enrich.compare.authors import short_list
    from enrich.compare.checks import canonical_category, category_codes
    from enrich.compare.conflicts import conflict
    from enrich.compare.rules import primary_of

    digest = [c for c in (canonical_category(x) for x in category_codes(entry.categories)) if c]
    primary = primary_of(record)
    if not digest or primary is None:
        return []
    arxiv_primary = canonical_category(primary) or primary
    arxiv_all = {canonical_category(c) or c for c in record.categories} | {arxiv_primary}
    reasons = []
    if digest[0] != arxiv_primary:
        reasons.append(f"lists {digest[0]} first where arXiv's primary category is {primary}")
    extra = [c for c in digest if c not in arxiv_all]
    if extra:
        reasons.append(f"gives {short_list(extra)}, which arXiv does not")
    if not reasons:
        return []
    return [
        conflict(
            "category_mismatch",
            f"The digest {' and '.join(reasons)}.",
            field="categories",
            digest=entry.categories,
            arxiv=[primary, *[c for c in record.categories if c != primary]],
            fixed=True,
            line=entry.source.line,
        )
    ]


CATEGORY_CODES = st.sampled_from(
    ["cs.CV", "CS.cv", "cs.LG", "cs.SY", "eess.SY", "chao-dyn", "nlin.CD", "math.ST", "cs.XX",
     "", " ", "[cs.AI]", "quant-ph", "hep-th", "stat.ML", "math"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(CATEGORY_CODES, max_size=4), st.lists(CATEGORY_CODES, max_size=4),
       st.one_of(st.none(), CATEGORY_CODES))  # fmt: skip
def test_category_findings_as_before(
    digest: list[str], arxiv: list[str], primary: str | None
) -> None:
    from enrich.compare.checks import _invalid_categories, category_codes, entry_codes
    from enrich.compare.rules import category_conflicts

    entry, record = _workload_pairs(3)[0]
    entry = entry.model_copy(update={"categories": digest})  # type: ignore[attr-defined]
    record = record.model_copy(update={"categories": arxiv, "primary_category": primary})  # type: ignore[attr-defined]
    assert category_conflicts(entry, record) == _category_conflicts_reference(entry, record)
    unknown = entry_codes(tuple(digest))[1]
    assert _invalid_categories(unknown, "categories", 1, True) == _invalid_categories(
        category_codes(digest), "categories", 1, True
    )


def _version_findings_reference(entry, record, statements):  # type: ignore[no-untyped-def]
    """The version findings without the early answers for one version or the latest alone:
    version_conflicts' loop over every version, and _version_inconsistent's distinct versions."""
    from enrich.compare import rules
    from enrich.compare.checks import _version_inconsistent

    latest = record.latest_version
    named = {s.version for s in statements}
    if statements and named == {latest}:  # the loop skips the latest: nothing to say
        assert all(s.version == latest for s in statements)
        stale = []
    else:
        stale = rules.version_conflicts(entry, record, [*statements, *statements[:0]])
    several = _version_inconsistent(statements, True, record) if len(named) > 1 else []
    return stale, several


def test_category_and_version_findings_as_before_over_the_workload() -> None:
    """The remembered category codes and the versions' early answers, over the workload (with
    entries that name two versions, as in test_shared_version_statements_give_the_same_findings)."""
    from enrich.compare.checks import _version_inconsistent, version_statements
    from enrich.compare.rules import category_conflicts, version_conflicts

    pairs = _workload_pairs()
    pairs += [
        (e.model_copy(update={"links": [*e.links, f"https://arxiv.org/abs/{e.arxiv_id}v9"]}), r)  # type: ignore[attr-defined]
        for e, r in pairs[:50]
    ]
    found = 0
    for entry, record in pairs:
        expected = _category_conflicts_reference(entry, record)
        found += bool(expected)
        assert category_conflicts(entry, record) == expected  # type: ignore[arg-type]
        statements = version_statements(entry)  # type: ignore[arg-type]
        stale, several = _version_findings_reference(entry, record, statements)
        assert version_conflicts(entry, record, statements) == stale  # type: ignore[arg-type]
        assert _version_inconsistent(statements, True, record) == several  # type: ignore[arg-type]
    assert found


def _compare_reference(digest: tuple[str, ...], truncated: bool, arxiv: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """authors._compare before names matched in their places skipped the pairing."""
    AC = authors.AuthorComparison
    d = authors._names(digest)
    if not d:
        return AC("empty")
    a = authors._names(arxiv)
    if not a:
        return AC("ok")
    known = frozenset().union(*(n.scripts for n in a))
    foreign = frozenset().union(*(n.scripts for n in d)) - known
    if foreign:
        return AC("unverifiable", scripts=foreign)
    pairs = names.pair_names(d, a)
    used = {j for j, _ in pairs.values()}
    order = sorted(pairs)
    moved_at = authors._out_of_order([pairs[i][0] for i in order])
    moved = tuple(d[order[k]].raw for k in sorted(moved_at))
    extra = tuple(n.raw for i, n in enumerate(d) if i not in pairs)
    span = min(len(d), len(a)) if truncated else len(a)
    missing = tuple(a[j].raw for j in range(span) if j not in used)
    swapped = tuple(d[i].raw for i in order if pairs[i][1] == "swapped")
    if extra or missing or moved:
        cut = truncated and len(d) < len(a) and not extra
        return AC("mismatch", missing, extra, moved, swapped, cut=cut)
    if truncated and len(d) < len(a):
        return AC("truncated", swapped=swapped)
    return AC("ok", swapped=swapped)


PEOPLE = st.sampled_from(
    ["Ada Lovelace", "Lovelace, Ada", "Lovelace Ada", "A. Lovelace", "Ada Lovelace*", "Wei Zhang",
     "Zhang Wei", "W. Zhang", "Zhang, Wei", "Jürgen Müller", "Juergen Mueller", "J. Muller",
     "王伟", "Ελένη Παππά", "@akhaliq", "Jr", "<b></b>", "Grace Hopper", "Alan Turing"]
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(PEOPLE, max_size=5), st.lists(PEOPLE, max_size=5), st.booleans())
def test_names_in_their_places_give_the_full_verdict(
    digest: list[str], arxiv: list[str], truncated: bool
) -> None:
    d, a = tuple(digest), tuple(arxiv)
    assert authors._compare.__wrapped__(d, truncated, a) == _compare_reference(d, truncated, a)
    cut = a[: len(d)]  # a copy of arXiv's first names, written another way
    assert authors._compare.__wrapped__(d, True, a) == _compare_reference(d, True, a)
    assert authors._compare.__wrapped__(cut, True, a) == _compare_reference(cut, True, a)


def test_the_workload_lists_give_the_full_verdict() -> None:
    fast = 0
    for entry, record in _workload_pairs():
        d, a = tuple(entry.authors), tuple(record.authors)  # type: ignore[attr-defined]
        truncated = entry.authors_truncated  # type: ignore[attr-defined]
        result = authors._compare.__wrapped__(d, truncated, a)
        assert result == _compare_reference(d, truncated, a)
        fast += result.verdict in ("ok", "truncated")
    assert fast


def _title_hash_reference(title: str | None) -> int | None:
    """duplicates._title_hash before it counted words by a space."""
    import hashlib

    from enrich.text.titles import fold_title

    folded = fold_title(title or "")
    if len(folded.split()) < 2 or len(folded.replace(" ", "")) < 12:
        return None
    digest = hashlib.blake2b(folded.replace(" ", "").encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@settings(max_examples=400, deadline=None)
@given(TITLES | st.text(max_size=30) | st.none())
def test_title_hashes_as_before(title: str | None) -> None:
    assert duplicates._title_hash(title) == _title_hash_reference(title)


CASED_WORDS = st.sampled_from(
    ["Deep", "DEEP", "deep", "Learning", "LEARNING", "of", "OF", "$X^2$", "$x^2$", "&amp;",
     "&AMP;", "&Alpha;", "&alpha;", "<i>x</i>", "\\Alpha", "\\alpha", "Über", "\n  ", " ", "-",
     "A-B", "a-b", "x_1", "X_1", "{GAN}", "{gan}", "é", "É"]
)  # fmt: skip
CASED_TITLES = st.lists(CASED_WORDS, max_size=6).map(" ".join)


@settings(max_examples=800, deadline=None)
@given(CASED_TITLES, CASED_TITLES)
def test_titles_equal_but_for_case_fold_alike(a: str, b: str) -> None:
    """titles._same_words calls titles equal that differ in case only where the keys agree."""
    if titles._same_words(a, b):
        assert titles.title_key(a) == titles.title_key(b)
    upper = a.upper()
    if titles._same_words(a, upper):
        assert titles.title_key(a) == titles.title_key(upper)


def test_the_checks_tell_the_author_rule_of_a_placeholder() -> None:
    """compare_entry hands author_conflicts what the record-free checks found of the author
    line: the same findings as the rule asking is_placeholder itself."""
    from enrich.compare.checks import entry_checks
    from enrich.compare.rules import author_conflicts

    pairs = _workload_pairs(200)
    lines = [["N/A"], ["[Authors' names not provided]"], ["未提供"], ["Ada Lovelace", "TBD"], []]
    pairs += [(e.model_copy(update={"authors": a}), r) for a in lines for e, r in pairs[:3]]  # type: ignore[attr-defined]
    placeholders = 0
    for entry, record in pairs:
        own = entry_checks(entry, corrected=True, record=record)  # type: ignore[arg-type]
        told = any(c.field == "authors" and c.kind == "authors_unverifiable" for c in own)
        placeholders += told
        assert author_conflicts(entry, record, told) == author_conflicts(entry, record)  # type: ignore[arg-type]
    assert placeholders


@settings(max_examples=400, deadline=None)
@given(CASED_TITLES | st.text(max_size=20) | st.text(st.characters(max_codepoint=127), max_size=20))
def test_ascii_titles_are_never_mostly_foreign(text: str) -> None:
    letters = [ch for ch in text if ch.isalpha()]
    full = bool(letters) and sum(not titles._is_latin(ch) for ch in letters) * 2 >= len(letters)
    assert titles._mostly_foreign(text) == full


def test_models_built_without_validation_equal_the_validated_ones() -> None:
    """correct_entry and conflicts.conflict build their models with models.construct_valid:
    each equals the model pydantic validates from the same values (the former code), field
    order, fields set and JSON included, over the benchmark workload and findings of every kind."""
    from enrich.compare import DuplicateFinder, compare_entry, correct_entry
    from enrich.models import Conflict, CorrectedEntry

    pairs = _workload_pairs(800)
    stale = [(e.model_copy(update={"version": 1, "links": [*e.links, "x"]}), r) for e, r in pairs]
    found: list[Conflict] = []
    dup = DuplicateFinder()
    for entry, record in pairs + stale[:100]:
        corrected = correct_entry(entry, record)  # type: ignore[arg-type]
        validated = CorrectedEntry(**corrected.__dict__)
        assert corrected == validated
        assert list(corrected.__dict__) == list(validated.__dict__)
        assert corrected.model_fields_set == validated.model_fields_set
        assert corrected.model_dump_json() == validated.model_dump_json()
        found += compare_entry(entry, record)  # type: ignore[arg-type]
        found += dup.add(entry)  # type: ignore[arg-type]
    assert len({c.kind for c in found}) >= 6
    from enrich.models import EnrichedEntry
    from enrich.pipeline import _Settled, enrich_one

    for entry, record in pairs[:300] + stale[:50]:  # pipeline.enrich_one's EnrichedEntry too
        enriched = enrich_one(entry, _Settled("found", record, None))  # type: ignore[arg-type]
        validated_e = EnrichedEntry(**enriched.__dict__)
        assert enriched == validated_e and enriched.status == "enriched"
        assert list(enriched.__dict__) == list(validated_e.__dict__)
        assert enriched.model_fields_set == validated_e.model_fields_set
        assert enriched.model_dump_json() == validated_e.model_dump_json()
    for c in found:
        validated_c = Conflict(**c.__dict__)
        assert c == validated_c
        assert list(c.__dict__) == list(validated_c.__dict__)
        assert c.model_fields_set == validated_c.model_fields_set
        assert c.model_dump_json() == validated_c.model_dump_json()


def test_construct_valid_validates_what_it_cannot_trust() -> None:
    import pytest
    from pydantic import ValidationError

    from enrich.models import ArxivVersion, Conflict, construct_valid

    full = construct_valid(ArxivVersion, version=2, date=None)
    assert full == ArxivVersion(version=2) and full.model_fields_set == {"version", "date"}
    # a field left out, or another order: validated (defaults filled, order the model's)
    short = construct_valid(ArxivVersion, version=2)
    assert short.model_fields_set == {"version"} and short.model_dump_json() == (
        ArxivVersion(version=2).model_dump_json()
    )
    turned = construct_valid(ArxivVersion, date=None, version="3")
    assert turned.version == 3 and list(turned.__dict__) == ["version", "date"]
    with pytest.raises(ValidationError):
        construct_valid(Conflict, kind="no such kind", severity="info", message="m")


def _parse_name_reference(raw: str) -> names.Name:
    """names.parse_name before it looked at a name's first letter before the suffix search, split
    marks-free ASCII at white space without the pattern and made the Name without its __new__."""
    if raw.isascii() and names._FOLDS_ASCII.search(raw) is None:
        text, scripts = raw, names._NO_SCRIPTS
    else:
        text = names._fold_markup(raw)
        scripts = names.name_scripts(text)
    if "," in text:
        parts = [p.strip() for p in text.split(",")]
        parts = [p for p in parts if p and not names._is_suffix(p)]
        text = " ".join([*parts[1:], parts[0]] if len(parts) >= 2 else parts)
    else:
        text = text.strip()
        if names._NOT_IN_SUFFIXES.search(text) is None and names._is_suffix(text):
            text = ""
    tokens = [t for t in map(names._token, names._WORD_SPLIT.split(text)) if t is not None]
    while len(tokens) > 1 and tokens[-1].text in names._SUFFIXES:
        tokens.pop()
    key = "".join(text.casefold().split())
    return names.Name(raw, tuple(tokens), scripts, key)


SUFFIXY = st.text(st.sampled_from("jJrRsSiI. ,-_/\t\u2013\u2003xAé"), max_size=8)


@settings(max_examples=1500, deadline=None)
@given(
    NAMES | SUFFIXY | st.text(max_size=24) | st.text(st.characters(max_codepoint=127), max_size=20)
)
def test_names_parse_as_before(raw: str) -> None:
    parsed = names.parse_name.__wrapped__(raw)
    assert parsed == _parse_name_reference(raw)
    assert type(parsed) is names.Name and parsed.compact == _parse_name_reference(raw).compact


def test_the_suffix_letters_are_the_pattern_s() -> None:
    letters = "abcdefghklmnopqtuvwxyz"  # a-h, k-q, t-z: all but the letters of jr, sr, ii, iii
    assert set(letters + letters.upper()) == names._NO_SUFFIX_FIRST
