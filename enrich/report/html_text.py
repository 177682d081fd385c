"""Text from digests and arXiv into HTML, safely: escaping, <bdi> isolation of anything that
could carry bidi characters, links only to plain http(s) URLs, and the differences between the
digest and arXiv marked up word by word and name by name (for enrich.report.html's cards).
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Sequence
from urllib.parse import urlsplit

from enrich.text.names import pair_names, parse_name
from enrich.text.titles import word_key

__all__ = [
    "authors_diff",
    "esc",
    "link",
    "safe_href",
    "set_diff",
    "title_diff",
    "txt",
    "version_cells",
]


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def txt(value: object) -> str:
    """Text from a digest or arXiv as element content: escaped, and isolated in <bdi> when it
    could carry bidi or other format characters (anything not ASCII), so a U+202E in a title
    cannot reorder the page's own labels around it."""
    text = "" if value is None else str(value)
    return esc(text) if text.isascii() else f"<bdi>{esc(text)}</bdi>"


def safe_href(url: object) -> str | None:
    """`url` when it is a plain http(s) URL with a host, else None (never javascript:, data:...)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ord(c) <= 32 or c in "\"'<>`\\" or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def link(url: object, text: str, cls: str = "") -> str:
    """An <a> to `url` when it is safe, else the text alone (escaped)."""
    href = safe_href(url)
    if href is None:
        return f'<span class="{esc(cls)}">{txt(text)}</span>' if cls else txt(text)
    attr = f' class="{esc(cls)}"' if cls else ""
    return f'<a{attr} href="{esc(href)}" rel="noopener noreferrer nofollow">{txt(text)}</a>'


def title_diff(digest: str | None, arxiv: str | None) -> tuple[str, str]:
    """Both titles as HTML, with words only in the digest in <del> and only in arXiv in <ins>."""
    if not digest or not arxiv:
        return txt(digest or "—"), txt(arxiv or "—")
    left, right = digest.split(), arxiv.split()
    matcher = difflib.SequenceMatcher(
        None, [word_key(w) for w in left], [word_key(w) for w in right], autojunk=False
    )
    out_l: list[str] = []
    out_r: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = " ".join(left[i1:i2]), " ".join(right[j1:j2])
        if op == "equal":
            out_l.append(txt(a))
            out_r.append(txt(b))
            continue
        if a:
            out_l.append(f"<del>{txt(a)}</del>")
        if b:
            out_r.append(f"<ins>{txt(b)}</ins>")
    return " ".join(out_l), " ".join(out_r)


def _name_keys(digest: Sequence[str], arxiv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Keys equal exactly for the names the comparison calls one person (enrich.text.names)."""
    pairs = pair_names([parse_name(n) for n in digest], [parse_name(n) for n in arxiv])
    keys_l = [f"a{pairs[i][0]}" if i in pairs else f"d{i}" for i in range(len(digest))]
    return keys_l, [f"a{j}" for j in range(len(arxiv))]


def authors_diff(digest: Sequence[str], truncated: bool, arxiv: Sequence[str]) -> tuple[str, str]:
    """Both author lists as HTML: names gone from arXiv <del>, added by arXiv <ins>, names in
    another place .moved, names the digest cut off ("et al.") .cut."""
    keys_l, keys_r = _name_keys(digest, arxiv)
    matcher = difflib.SequenceMatcher(None, keys_l, keys_r, autojunk=False)
    in_place_l: set[int] = set()
    in_place_r: set[int] = set()
    for block in matcher.get_matching_blocks():
        in_place_l.update(range(block.a, block.a + block.size))
        in_place_r.update(range(block.b, block.b + block.size))
    out_l: list[str] = []
    for i, name in enumerate(digest):
        if i in in_place_l:
            out_l.append(txt(name))
        elif keys_l[i] in keys_r:
            out_l.append(
                f'<span class="moved" title="in another place on arXiv">{txt(name)}</span>'
            )
        else:
            out_l.append(f'<del title="not an author on arXiv">{txt(name)}</del>')
    if truncated:
        out_l.append('<span class="etal" title="the digest cut the list">et al.</span>')
    out_r: list[str] = []
    for j, name in enumerate(arxiv):
        if j in in_place_r:
            out_r.append(txt(name))
        elif keys_r[j] in keys_l:
            out_r.append(
                f'<span class="moved" title="in another place in the digest">{txt(name)}</span>'
            )
        elif truncated and j >= len(digest):
            out_r.append(f'<span class="cut" title="cut by the digest">{txt(name)}</span>')
        else:
            out_r.append(f'<ins title="missing from the digest">{txt(name)}</ins>')
    return ", ".join(out_l) or "—", ", ".join(out_r) or "—"


def set_diff(left: Sequence[str], right: Sequence[str]) -> tuple[str, str]:
    out_l = [txt(x) if x in right else f"<del>{txt(x)}</del>" for x in left]
    out_r = [txt(x) if x in left else f"<ins>{txt(x)}</ins>" for x in right]
    return " ".join(out_l) or "—", " ".join(out_r) or "—"


def version_cells(mine: int | None, latest: int | None) -> tuple[str, str]:
    if mine is None:
        return '<span class="same">none (latest)</span>', f"v{latest}" if latest else "—"
    if latest is None:
        return f"v{mine}", "—"
    cls = "stale" if mine < latest else "ahead" if mine > latest else ""
    left = f'<span class="{cls}">v{mine}</span>' if cls else f"v{mine}"
    return left, f"v{latest}"
