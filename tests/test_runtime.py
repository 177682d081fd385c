"""enrich.runtime: the caches registered by who asks them again, the GIL's switch interval."""

from __future__ import annotations

import sys

import pytest

from enrich.runtime import PROMPT_SWITCH, empty_caches, prompt_switch, remembered


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
