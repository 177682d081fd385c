"""How this package's long-lived processes run: garbage collection tuned for a long run (the CLI's
run, the look-up process, the comparison workers each call `tune_gc` once they are loaded), the
GIL handed over sooner while a request is out (`prompt_switch`), the caches its text and
comparison rules keep, each registered with who asks it again (`remembered`), so that a process
can let go of those it no longer needs (`empty_caches`: enrich/workers.py does, in a worker
after each chunk and here when the pool takes over), and its regular expressions, compiled when
a rule first uses one (`regex`), so that a run pays only for the rules it uses."""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import threading
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from functools import _lru_cache_wrapper
    from typing import TypeVar

    T = TypeVar("T")

__all__ = [
    "COMPARISON",
    "PROMPT_SWITCH",
    "WITHIN_ENTRY",
    "empty_caches",
    "made",
    "prompt_switch",
    "regex",
    "remembered",
    "tune_gc",
]

PROMPT_SWITCH = 0.0002  # seconds: Python's switch interval while a request is out

WITHIN_ENTRY = "within an entry"  # asked again only while the same entry is handled
COMPARISON = "by the comparison only"  # neither the reading nor the duplicate finder asks it

_CACHES: dict[str, list[Any]] = {}


def remembered(maxsize: int, *asked: str) -> Callable[[Callable[..., T]], _lru_cache_wrapper[T]]:
    """`functools.lru_cache(maxsize=maxsize)`, registered under each of `asked` (WITHIN_ENTRY,
    COMPARISON) for `empty_caches`. A cache whose module is not loaded is not registered, and
    has nothing to let go of."""

    def wrap(function: Callable[..., T]) -> _lru_cache_wrapper[T]:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        for use in asked:
            _CACHES.setdefault(use, []).append(cached)
        return cached

    return wrap


def empty_caches(asked: str, above: int = 0) -> None:
    """Empty the caches registered under `asked` that hold more than `above` answers. The
    answers are the same either way: what is asked again is worked out again."""
    for cached in _CACHES.get(asked, ()):
        if cached.cache_info().currsize > above:
            cached.cache_clear()


def regex(source: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, compiled when first used: how this package makes its
    module-level patterns. The modules every run loads (ids, text, compare, the feed reader)
    hold about 80, ~25 ms to compile on a slow machine (re's parser is Python), and a one-entry
    run used 9; a run on one markdown digest also loads the readers that try it, and compiled
    204 patterns to use 55. Once compiled, each use costs ~30 ns more than a compiled
    pattern's (a slot, not the type's method). Not for `re.sub(PATTERN, ...)`, which takes
    only str or re.Pattern. A mistake in `source` shows at first use: `made` lists every one,
    for a test to compile."""
    lazy = _Pattern(source, flags)
    _MADE.append(lazy)
    return cast("re.Pattern[str]", lazy)


_MADE: list[_Pattern] = []


def made() -> list[re.Pattern[str]]:
    """Every pattern `regex` has made in this process (compiled or not yet)."""
    return cast("list[re.Pattern[str]]", list(_MADE))


_PATTERN_PARTS = (
    "match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer", "scanner",
    "pattern", "flags", "groups", "groupindex",
)  # fmt: skip


class _Pattern:
    """A regular expression compiled on first use: the compiled pattern's methods and attributes
    are copied into the slots, so that every later use finds them there (__getattr__ is asked
    only for an empty slot, that is, once)."""

    __slots__ = (*_PATTERN_PARTS, "_source", "_flags")

    def __init__(self, source: str, flags: int) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        if name not in _PATTERN_PARTS:
            raise AttributeError(name)
        compiled = re.compile(self._source, self._flags)  # raced by two threads: the same
        for part in _PATTERN_PARTS:
            object.__setattr__(self, part, getattr(compiled, part))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"regex({self._source!r}, {self._flags!r})"


def tune_gc() -> None:
    """A long run allocates millions of short-lived objects and keeps few: the modules and
    settings loaded so far are frozen out of every collection, and the youngest generation is
    collected once a million more objects are held rather than 700 (a run is otherwise about a
    tenth garbage collection, most of it full collections walking the start-up heap).

    A run makes next to no cyclic garbage (a warm 20,000-entry run: none), so the collections
    only walk the objects a window holds: at 50,000 that was ~10 collections of ~90,000 objects,
    0.45 s of CPU of a 5 s warm run; at a million, 0.03 s. The threshold still bounds what
    cyclic garbage could pile up between collections.

    Before the freeze the young generations are collected, where a long-lived caller's garbage
    since its last collection is: a full collection would walk the whole start-up heap (~10 ms
    of a one-entry run) to find what start-up left (10 objects after every import)."""
    import gc

    gc.collect(1)
    gc.freeze()
    gc.set_threshold(1_000_000, 20, 20)


_switch_lock = threading.Lock()
_switch_users = 0
_switch_before = 0.005


@contextlib.contextmanager
def prompt_switch() -> Iterator[None]:
    """While the block runs (a request: the wait for its slot, the wake-up after the gap, the
    connection, each read of the answer; the wait itself, for the gap, another process's turn
    or a hold-off, asks for no GIL, and the setting only tells a thread holding the GIL to let
    go of it when another waits for it), a thread waiting for the GIL gets it after
    PROMPT_SWITCH rather than Python's 5 ms: each of those steps waits for the GIL when another
    thread (the comparison) holds it, and at 5 ms a step that took ~2 ms per request took ~10.
    Only there: set for all of a run's look-ups, two threads busy at once (decoding cached
    records, comparing) handed the GIL to each other every 0.2 ms, across two cores at that
    (a warm 20,000-entry run on 2 cores: CPU 4.6-5.2 s against 4.2-4.3 s). Nested and
    concurrent blocks share one setting: the first in lowers it, the last out puts it back."""
    global _switch_users, _switch_before
    with _switch_lock:
        if _switch_users == 0:
            _switch_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_before, PROMPT_SWITCH))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_before)
