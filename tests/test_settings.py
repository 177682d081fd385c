"""Settings: defaults < config file < ENRICH_* environment < flags; bad values give one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich.errors import SettingsError
from enrich.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_config_file_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('batch_size = 50\ntimeout = 7.5\napi_url = "http://127.0.0.1:1/api/query"\n')
    monkeypatch.setenv("ENRICH_TIMEOUT", "9")
    settings = load_settings(config, api_url=None, cache_dir=str(tmp_path / "x"))
    assert settings.batch_size == 50  # from the file
    assert settings.timeout == 9.0  # environment beats the file
    assert settings.cache_dir == tmp_path / "x"  # the flag beats the environment
    assert settings.api_url == "http://127.0.0.1:1/api/query"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("min_interval = -1\n", "min_interval"),
        ("colour = 'blue'\n", "colour: unknown setting"),
        ("api_url = 'ftp://x'\n", "not an http(s) URL"),
        ("min_interval = 1.0\n", "below arXiv's 3.0 s rule"),
        ("batch_size = 'many'\n", "batch_size"),
        ("timeout = \n", "config file"),
    ],
)
def test_invalid_settings_give_one_line_naming_the_key(
    tmp_path: Path, content: str, needle: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(SettingsError) as info:
        load_settings(config)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_a_short_interval_is_allowed_for_a_local_stand_in() -> None:
    settings = load_settings(None, api_url="http://127.0.0.1:8000/api/query")
    settings.min_interval = 0.0  # validate_assignment: accepted for a non-arXiv host
    assert settings.min_interval == 0.0
    assert not settings.is_arxiv_host


def test_environment_values_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENRICH_MIN_INTERVAL", "0.5")
    with pytest.raises(SettingsError, match="min_interval"):
        load_settings(None)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_shipped_config_documents_every_setting_with_its_default() -> None:
    import tomllib

    shipped = tomllib.loads((ROOT / "config/enrich.toml").read_text("utf-8"))
    assert set(shipped) == set(Settings.model_fields)
    defaults = Settings().model_dump(mode="json")
    loaded = load_settings(ROOT / "config/enrich.toml").model_dump(mode="json")
    assert loaded == defaults
    text = (ROOT / "config/enrich.toml").read_text("utf-8")
    for key in Settings.model_fields:  # every key has a comment just above it
        before = text.split(f"\n{key} =")[0].rstrip().splitlines()[-1]
        assert before.startswith("#") or before.startswith(("backoff_initial", "user_agent")), key


def test_user_agent_carries_version_and_contact() -> None:
    settings = load_settings(None, api_url="http://127.0.0.1:1/api/query")
    settings.contact = "me@example.org"
    assert "arxiv-enrich/" in settings.full_user_agent
    assert settings.full_user_agent.endswith("mailto:me@example.org")


@pytest.mark.parametrize(
    ("where", "source"),
    [
        ("flag", "from flag --batch-size"),
        ("environment", "from environment ENRICH_BATCH_SIZE"),
        ("file", "from config "),
    ],
)
def test_a_bad_value_is_blamed_on_its_real_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, source: str
) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("batch_size = 0\n" if where == "file" else "timeout = 5\n")
    overrides: dict[str, object] = {"batch_size": 0} if where == "flag" else {}
    if where == "environment":
        monkeypatch.setenv("ENRICH_BATCH_SIZE", "0")
    with pytest.raises(SettingsError) as info:
        load_settings(config, **overrides)
    message = str(info.value)
    assert f"batch_size: Input should be greater than or equal to 1 ({source}" in message
    assert message.count("(from ") == 1 and "\n" not in message


def test_the_arxiv_floor_names_where_min_interval_came_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENRICH_MIN_INTERVAL", "1")
    with pytest.raises(SettingsError) as info:
        load_settings(None, api_url="https://export.arxiv.org/api/query")
    assert "(min_interval from environment ENRICH_MIN_INTERVAL)" in str(info.value)


def test_the_default_cache_is_the_per_user_folder_outside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENRICH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)  # no config/enrich.toml here
    assert load_settings(None).cache_dir == tmp_path / "xdg" / "arxiv-enrich"


def test_the_project_config_keeps_the_cache_in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENRICH_CACHE_DIR", raising=False)
    monkeypatch.chdir(ROOT)
    assert load_settings(None).cache_dir == Path("cache")


def test_the_environment_is_read_in_any_case_and_under_what_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As pydantic-settings' BaseSettings did: ENRICH_ and the key in any case; `Settings(...)`
    itself reads the environment, under the values it is given."""
    monkeypatch.setenv("enrich_Timeout", "9")
    monkeypatch.setenv("ENRICH_OFFLINE", "yes")
    assert Settings().timeout == 9.0
    assert Settings().offline is True
    assert Settings(timeout=3).timeout == 3.0
    assert load_settings(None).timeout == 9.0
    assert load_settings(None, timeout=4).timeout == 4.0
    monkeypatch.setenv("ENRICH_BATCH_SIZE", "")
    with pytest.raises(SettingsError, match=r"batch_size: .*environment ENRICH_BATCH_SIZE"):
        load_settings(None)


def test_a_variable_that_names_no_setting_is_a_warning_not_a_value(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ENRICH_TIMEOUTS", "9")
    assert load_settings(None).timeout == Settings.model_fields["timeout"].default
    assert "ENRICH_TIMEOUTS is not a setting and is ignored (did you mean ENRICH_TIMEOUT?)" in (
        caplog.text
    )


_LEAN = """
import sys
from enrich.cli import main
sys.argv = ["enrich", "run", *sys.argv[1:]]
try:
    main()
finally:
    heavy = ("asyncio", "pydantic_settings", "lxml", "rich", "httpx", "enrich.mirror.store",
             "concurrent.futures.process")
    print(sorted(m for m in heavy if sys.modules.get(m)), file=sys.stderr)
"""


def test_a_run_from_the_cache_loads_only_what_it_needs(tmp_path: Path) -> None:
    """The start of `enrich run` on a small input, offline: none of these is needed (each cost
    5-60 ms of a one-entry run, whose goal is 0.3 s)."""
    import json
    import os
    import subprocess
    import sys

    from enrich.testing.workload import workload

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(next(iter(workload(1, seed=2)))[0]) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    cmd = [sys.executable, "-c", _LEAN, str(source), "--out", str(tmp_path / "o.jsonl")]
    cmd += ["--offline", "-q", "--cache-dir", str(tmp_path / "c")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode in (0, 3), done.stderr  # 3: not in the cache, so unavailable
    assert done.stderr.splitlines()[-1] == "[]"
