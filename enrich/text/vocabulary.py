"""The words that stand in a list of names without being names: cut markers and placeholders.

Cut markers end a list that names only the first authors: "et al." in every spelling (`et al.`,
`et. al`, `et~al.`, `etal.`, `et alii`, `& al.`), `and others`, `and 7 others`, `+10 authors`,
`(+3 more)`, `etc.`, `…`, `...`, the Chinese `等` / `等人` and the Japanese `ほか` / `他`.
Placeholders stand where the names should be: "[Authors' names not provided]", "N/A", "TBD",
"未提供". Readers and the comparison both ask here, so a word is a placeholder (or a cut) for both
or for neither.
`NOT_NAME_WORDS` are words no person's name holds: a line with one of them is no line of names
(a topic, a lab, a sentence).
"""

from __future__ import annotations

import re

from enrich.runtime import COMPARISON, WITHIN_ENTRY, regex, remembered

__all__ = [
    "CUT_ITEM",
    "NOT_NAME_WORDS",
    "PLACEHOLDER_AUTHORS",
    "is_cut_item",
    "is_placeholder",
    "strip_cut_marker",
]

_TAG = regex(r"<[^<>]{0,500}>")

_CUT_WORDS = (
    r"(?:\bet[\s.~]*al(?:ii|ia)?\b\.?"  # et al. / et. al / et~al. / et al / et alii
    r"|\betal\b\.?"
    r"|&\s*al\b\.?"  # & al.
    r"|\band\s+(?:\d+\s+)?others\b\.?"  # and others / and 7 others
    r"|\+\s*\d+\s*(?:more\s+)?(?:authors?|others|more)\b\.?"  # +10 authors / +3 more
    r"|\betc\b\.?"
    r"|等人?"
    r"|(?<=[\s,;，、；])(?:ほか|他(?:\d+名)?)"  # Japanese, after a separator: ほか, 他, 他3名
    r"|…|\.{3,})"
)
# A cut marker at the end of a list, with the separators before it: "A, B, et al." -> "A, B".
_TRAILING_CUT = regex(
    rf"(?:[,;，、；\s]|\band\b|&)*[(\[（]?\s*{_CUT_WORDS}\s*[)\]）]?[\s。．.]*$", re.IGNORECASE
)
# A cut marker standing alone as one item of a list ("A; B; et al").
CUT_ITEM = regex(rf"[\W_]*(?:and\s+)?{_CUT_WORDS}[\W_]*|[\W_]*others[\W_]*", re.IGNORECASE)

# Lower-cased words that make a capitalised phrase no person's name: function words, the words of
# topics and tags ("Computer Vision"), of institutions and labs ("Google DeepMind", "Stanford
# University"), and of links and venues ("Project Page", "Oral").
NOT_NAME_WORDS = frozenset(
    """
    a an and are as at for from how in into is it its new of on or our the their this to towards
    toward under using via we what when why with without
    abstract accepted arxiv blog code dataset demo github link oral page paper pdf poster preprint
    project slides spotlight video website workshop
    ai analysis artificial computation computing data deep generative graphics intelligence
    language languages learning machine mathematics model models network networks neural
    optimization physics processing quantum recognition reinforcement retrieval robotics science
    sciences security statistics system systems theory vision
    academy center centre college company corp corporation department foundation group inc
    institute lab laboratory labs ltd research school team university
    alibaba amazon anthropic apple baidu bytedance deepmind google huawei meta microsoft nvidia
    openai tencent
    """.split()  # noqa: SIM905 (a list literal of 120 words reads worse)
)

# Placeholders that models and templates write where the names should be.
PLACEHOLDER_AUTHORS = regex(
    r"[\W_]*(?:(?:the\s+)?(?:authors?|names?)(?:['’]s?)?(?:\s+names?)?\s*(?:are|is|:)?\s*)?"
    r"(?:(?:not|n['’]t)\s+(?:been\s+)?(?:provided|available|given|listed|mentioned|specified|"
    r"stated|found|included|known)(?:\s+in\s+the\s+\w+)?|unknown|n/?a|none|anonymous|tbd|null|"
    r"未提供|未给出|未列出|未知|不详|无|暂无|未注明)(?:\s+authors?)?[\W_]*"
    r"|[\W_]*(?:the\s+)?(?:authors?|author\s+names?|authors?['’]s?\s+names?|作者|作者姓名)[\W_]*",
    re.IGNORECASE,
)
# Phrases no name contains: anywhere in the text they make it a placeholder ("作者：未提供，请提供
# 论文全文", "Authors are not mentioned in the excerpt provided").
_PLACEHOLDER_PHRASE = regex(
    r"\bnot\s+(?:been\s+)?(?:provided|available|given|listed|mentioned|found|specified|included)\b"
    r"|\bunknown\b|无法|请提供|未提供|未提及|未给出|未知|需要您|不详|^\W*x{3,}\W*$",
    re.IGNORECASE,
)


def strip_cut_marker(text: str) -> tuple[str, bool]:
    """`text` without its trailing cut markers ("et al.", "and 7 others", 等, "..."), and whether
    there was one."""
    cut = False
    while True:
        new = _TRAILING_CUT.sub("", text)
        if new == text:
            return text, cut
        text, cut = new, True


def is_cut_item(text: str) -> bool:
    """True for an item that is only a cut marker: "et al.", "others", "+3 authors", "等"."""
    return CUT_ITEM.fullmatch(text.strip()) is not None


# an entry's author line is asked about by the checks and the comparison
@remembered(4096, WITHIN_ENTRY, COMPARISON)
def is_placeholder(text: str) -> bool:
    """True for text standing where names should be: "[Authors not provided]", TBD, 未提供."""
    text = (_TAG.sub(" ", text) if "<" in text else text).strip()
    if not text:
        return False
    return bool(
        PLACEHOLDER_AUTHORS.fullmatch(text)
        or (_may_hold_phrase(text) and _PLACEHOLDER_PHRASE.search(text))
    )


def _may_hold_phrase(text: str) -> bool:
    """False where _PLACEHOLDER_PHRASE cannot match, found without its search: each English phrase
    holds "not" or "unknown" (only ASCII letters match n, o, t, u, k, w and x whatever the case;
    the Kelvin sign is a k once lowered), the last one "xxx", and each Chinese one begins with
    无, 请, 未, 需 or 不. ("no" alone let every list with a Noémie or an Arnold through to the
    search.)"""
    low = text.lower()
    return (
        "not" in low
        or "unknown" in low
        or "xxx" in low
        or (not text.isascii() and any(ch in text for ch in "无请未需不"))
    )
