"""enrich.runtime: the caches registered by who asks them again, the GIL's switch interval, the
regular expressions compiled on first use."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys

import pytest

import enrich
from enrich.runtime import (
    _PATTERN_PARTS,
    PROMPT_SWITCH,
    empty_caches,
    made,
    prompt_switch,
    regex,
    remembered,
)


def test_a_remembered_function_is_emptied_by_what_asks_it_again() -> None:
    """runtime.remembered is lru_cache, registered under the uses given; empty_caches empties
    those registered under one use that hold more than `above` answers, and no others."""

    @remembered(64, "test: asked again within a line")
    def double(n: int) -> int:
        return 2 * n

    @remembered(64, "test: asked again by the report")
    def triple(n: int) -> int:
        return 3 * n

    for n in range(10):
        assert double(n) == 2 * n and triple(n) == 3 * n
    empty_caches("test: asked again within a line", above=10)
    assert double.cache_info().currsize == 10  # not past `above`: kept
    empty_caches("test: asked again within a line", above=5)
    assert double.cache_info().currsize == 0 and triple.cache_info().currsize == 10
    assert double(4) == 8 and double.cache_info().currsize == 1  # worked out again


def test_prompt_switch_blocks_share_one_setting_and_the_last_out_puts_it_back() -> None:
    before = sys.getswitchinterval()
    low = pytest.approx(min(before, PROMPT_SWITCH), abs=1e-6)
    with prompt_switch():
        assert sys.getswitchinterval() == low
        with prompt_switch():
            assert sys.getswitchinterval() == low
        assert sys.getswitchinterval() == low  # the outer block is still in
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), prompt_switch():
        raise RuntimeError("a request failed")
    assert sys.getswitchinterval() == before


def test_a_regex_is_compiled_at_its_first_use_only_and_then_answers_as_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled: list[str] = []
    real = re.compile

    def counting(source: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(source)
        return real(source, flags)

    monkeypatch.setattr(re, "compile", counting)
    made_here = regex(r"(?P<n>\d+)\s*x", re.IGNORECASE)
    assert compiled == []  # made, not compiled
    assert made_here in made()
    eager = real(r"(?P<n>\d+)\s*x", re.IGNORECASE)
    text = "a 12 X, 3x and 40 y"
    assert made_here.search(text).group("n") == "12"  # type: ignore[union-attr]
    assert compiled == [r"(?P<n>\d+)\s*x"]
    assert [m.span() for m in made_here.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert made_here.sub("#", text) == eager.sub("#", text)
    assert made_here.split(text) == eager.split(text)
    assert made_here.fullmatch("7 x") and not made_here.match(" 7x")
    assert (made_here.pattern, made_here.flags, made_here.groups, made_here.groupindex) == (
        eager.pattern,
        eager.flags,
        eager.groups,
        eager.groupindex,
    )
    assert len(compiled) == 1  # compiled once, whatever is asked after
    assert not hasattr(made_here, "no_such_attribute")  # not a way to compile either
    assert len(compiled) == 1
    # every public method and attribute of a compiled pattern is answered from a slot
    assert set(_PATTERN_PARTS) == {name for name in dir(re.Pattern) if not name.startswith("_")}


def test_every_regex_of_the_package_compiles() -> None:
    """A mistake in a pattern would show only when a run first uses it: every module is loaded
    and every pattern `regex` made is compiled here."""
    for module in pkgutil.walk_packages(enrich.__path__, "enrich."):
        if module.name != "enrich.__main__":
            importlib.import_module(module.name)
    patterns = made()
    assert len(patterns) >= 60  # the modules every run loads hold about 80
    for made_here in patterns:
        assert made_here.groups >= 0  # compiled now: a bad pattern raises re.error


def test_loading_what_a_run_loads_compiles_next_to_none_of_its_regexes() -> None:
    """The modules a run loads hold ~80 patterns, which cost ~25 ms of a slow machine's
    start to compile, and a one-entry run uses 9; a run on a digest also loads every reader
    (~200 patterns, 55 used on a seed): none is compiled until it is used, but for the two
    that make a table while their modules load."""
    code = (
        "import re, sys\n"
        "seen = []\n"
        "real = re.compile\n"
        "def counting(source, flags=0):\n"
        "    caller = sys._getframe(1).f_globals.get('__name__', '')\n"
        "    if caller.startswith('enrich') and caller != 'enrich.runtime':\n"
        "        seen.append(caller)\n"
        "    return real(source, flags)\n"
        "re.compile = counting\n"
        "import enrich.ids, enrich.ingest, enrich.compare, enrich.arxiv.client, enrich.settings\n"
        "import enrich.mirror.paper, enrich.text.authors, enrich.text.dates\n"
        "import enrich.report.fix, enrich.report.html, enrich.mirror.snapshot\n"
        "from enrich.digests import all_formats\n"
        "from enrich.runtime import made\n"
        "readers = len(all_formats())\n"
        "def done(p):  # a slot filled: compiled (asked through the slot, not __getattr__)\n"
        "    try:\n"
        "        type(p).__dict__['match'].__get__(p)\n"
        "    except AttributeError:\n"
        "        return False\n"
        "    return True\n"
        "print(len(made()), len(seen), readers)\n"
        "print(sorted(p._source for p in made() if done(p)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    patterns, compiled, readers = map(int, out[0].split())
    assert readers >= 20 and patterns >= 200  # the readers were loaded, and their patterns made
    assert compiled == 0  # none by re.compile at import
    # and of those made with regex, only the two that make a table (text.names, text.titles)
    assert out[1] == repr(sorted(["[a-hk-qt-zA-HK-QT-Z]", "[a-z0-9]+"]))
