"""How this package's long-lived processes run: garbage collection tuned for a long run (the CLI's
run, the look-up process, the comparison workers each call `tune_gc` once they are loaded)."""

from __future__ import annotations

__all__ = ["tune_gc"]


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
