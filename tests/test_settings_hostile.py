"""Absurd numbers, header values that cannot be sent and disguised arXiv hosts are refused when
the settings load: one line, exit status 2, never a traceback, never a request (issue 10, item 4).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from enrich.errors import SettingsError
from enrich.settings import load_settings

STAND_IN = "http://127.0.0.1:9/api/query"  # nothing listens there: no test reaches the network


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("min_interval = inf\n", "min_interval"),
        ("min_interval = nan\n", "min_interval"),
        ("min_interval = 1e300\n", "min_interval"),
        ("timeout = inf\n", "timeout"),
        ("backoff_max = 1e300\nbackoff_initial = 1e300\n", "backoff"),
        ("cache_ttl = 1e300\n", "cache_ttl"),
        ("negative_ttl = inf\n", "negative_ttl"),
        ("recheck_delay = 1e300\n", "recheck_delay"),
        ('user_agent = "enrich-é"\n', "user_agent"),
        ('user_agent = "enrich\\r\\nX-Evil: 1"\n', "user_agent"),
        ('contact = "me@example.org\\n"\n', "contact"),
        ('api_url = "http://127.0.0.1:9/api/query\\r\\nX: 1"\n', "api_url"),
    ],
)
def test_a_hostile_setting_is_one_line_and_exit_2(tmp_path: Path, toml: str, needle: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'api_url = "{STAND_IN}"\n' * ("api_url" not in toml) + toml, "utf-8")
    digest = tmp_path / "d.md"
    digest.write_text("- [A](https://arxiv.org/abs/2501.00001)\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    cmd = [sys.executable, "-m", "enrich", "run", str(digest), "--config", str(config)]
    cmd += ["--cache-dir", str(tmp_path / "cache")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], done.stderr


@pytest.mark.parametrize(
    "url",
    [
        "https://export.arxiv.org./api/query",  # a trailing dot is the same host to DNS
        "https://EXPORT.ArXiv.ORG/api/query",
        "https://arxiv.org./api/query",
        "https://ｅｘｐｏｒｔ.ａｒｘｉｖ.ｏｒｇ/api/query",  # full-width letters, IDNA-folded
    ],
)
def test_a_disguised_arxiv_host_keeps_the_three_second_floor(url: str) -> None:
    with pytest.raises(SettingsError, match=r"3\.0 s rule"):
        load_settings(None, api_url=url, min_interval=0)
    assert load_settings(None, api_url=url).is_arxiv_host


def test_hosts_that_only_look_alike_are_not_arxiv() -> None:
    for url in ("https://notarxiv.org/api/query", "https://arxiv.org.evil.example/api/query"):
        assert not load_settings(None, api_url=url, min_interval=0).is_arxiv_host
