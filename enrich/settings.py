"""Settings: defaults here, then the config file, then ENRICH_* environment variables, then flags.

Every key is documented in config/enrich.toml (a test checks the two agree). Invalid values raise
SettingsError with a one-line message; the CLI turns that into exit status 2.

`load_settings` gathers the four sources into one validated `Settings` (a pydantic model). It does
what pydantic-settings' BaseSettings did here (an environment source with a prefix, names in any
case, and a TOML file), in a few lines: importing pydantic-settings cost about 60 ms of every run's
start (it loads asyncio, argparse and its cloud providers). `Settings(...)` reads the environment
as BaseSettings did.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from enrich import __version__
from enrich.errors import SettingsError
from enrich.runtime import regex

__all__ = ["ARXIV_MIN_INTERVAL", "DEFAULT_CONFIG", "Settings", "load_settings", "normalise_host"]

# arXiv's terms of use: "no more than one request every three seconds, and limit requests to a
# single connection at a time" (https://info.arxiv.org/help/api/tou.html). Enforced for arxiv.org.
ARXIV_MIN_INTERVAL = 3.0
DEFAULT_CONFIG = Path("config/enrich.toml")

_HOUR, _DAY, _YEAR = 3600.0, 86400.0, 366 * 86400.0
# what an HTTP header value may hold: printable ASCII (no CR/LF, which would split the header)
_HEADER_TEXT = regex(r"[\x20-\x7e]*")

ENV_PREFIX = "ENRICH_"


class Settings(BaseModel):
    """All settings of arxiv-enrich, validated (`load_settings` reads them from where they are
    set)."""

    model_config = ConfigDict(
        extra="forbid",
        validate_default=True,
        validate_assignment=True,
        allow_inf_nan=False,  # `inf` or `nan` seconds are refused like any other absurd number
    )

    # Upper bounds keep every wait a number time.sleep and httpx accept (1e300 s is refused).
    api_url: str = "https://export.arxiv.org/api/query"
    # Outside the project a per-user cache folder (~/.cache/arxiv-enrich on Linux), so a run from
    # any folder shares one cache and leaves no `cache/` behind; the project's config/enrich.toml
    # sets `cache` (the project's own cache/ when run inside it).
    cache_dir: Path = Field(default_factory=lambda: user_cache_dir())
    min_interval: float = Field(default=ARXIV_MIN_INTERVAL, ge=0, le=_HOUR)
    batch_size: int = Field(default=100, ge=1, le=2000)
    # processes comparing entries: 1 this one alone; n > 1 that many worker processes; 0 (auto)
    # two when there are two cores or more, for an input past 5,000 entries that did not wait
    # for arXiv's answers
    workers: int = Field(default=0, ge=0, le=64)
    # look up in a process of its own: on, off, or auto (two cores or more, an input past 1 MB,
    # not offline)
    lookup_process: Literal["auto", "on", "off"] = "auto"
    timeout: float = Field(default=30.0, gt=0, le=_HOUR)
    max_attempts: int = Field(default=5, ge=1, le=50)
    backoff_initial: float = Field(default=15.0, ge=0, le=_DAY)
    backoff_max: float = Field(default=300.0, ge=0, le=_DAY)
    cache_ttl: float = Field(default=86400.0, ge=0, le=_YEAR)
    negative_ttl: float = Field(default=3600.0, ge=0, le=_YEAR)
    recheck_delay: float = Field(default=0.0, ge=0, le=_HOUR)
    user_agent: str = f"arxiv-enrich/{__version__} (+https://pypi.org/project/arxiv-enrich/)"
    contact: str = ""
    offline: bool = False
    refresh: bool = False
    # the service (enrich/serve/) and the budget shared through Redis
    server: str = ""
    redis_url: str = ""
    redis_prefix: str = "enrich:"
    serve_token: str = ""
    serve_max_body: int = Field(default=16 * 1024 * 1024, ge=1024)
    serve_max_entries: int = Field(default=10000, ge=1)
    serve_max_ids: int = Field(default=1000, ge=1)
    serve_max_wait: float = Field(default=120.0, gt=0)
    serve_linger: float = Field(default=0.05, ge=0, le=5)
    oai_url: str = "https://oaipmh.arxiv.org/oai"
    mirror_path: str = ""  # "" = <cache_dir>/mirror.sqlite3
    mirror_max_age: float = Field(default=172800.0, ge=0)

    def __init__(self, **values: Any) -> None:
        """The values given, over those of ENRICH_* variables, over the defaults (as with
        pydantic-settings' BaseSettings: a test's or a library's `Settings(...)` sees the
        environment too; load_settings adds the config file under it)."""
        super().__init__(**(_in_environment() | values))

    @field_validator("api_url", "oai_url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
        if any(c.isspace() or not c.isprintable() for c in value):
            raise ValueError(f"{value!r} holds a space or a control character")
        return value

    @field_validator("user_agent", "contact")
    @classmethod
    def _header_text(cls, value: str) -> str:
        if not _HEADER_TEXT.fullmatch(value):
            bad = next(c for c in value if not _HEADER_TEXT.fullmatch(c))
            raise ValueError(
                f"{bad!r} cannot be sent in an HTTP header: use printable ASCII only "
                "(no line breaks, no accents)"
            )
        return value

    @field_validator("server")
    @classmethod
    def _server_url(cls, value: str) -> str:
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"{value!r} is not a redis://, rediss:// or unix:// URL")
        return value

    @model_validator(mode="after")
    def _polite(self) -> Settings:
        if self.is_arxiv_host and self.min_interval < ARXIV_MIN_INTERVAL:
            raise ValueError(
                f"min_interval {self.min_interval} is below arXiv's {ARXIV_MIN_INTERVAL} s rule "
                f"for {urlsplit(self.api_url).hostname}"
            )
        if self.backoff_max < self.backoff_initial:
            raise ValueError("backoff_max must be at least backoff_initial")
        return self

    @property
    def is_arxiv_host(self) -> bool:
        return _is_arxiv(self.api_url)

    def check_oai_polite(self) -> None:
        """Refuse a min_interval below 3 s against arXiv's OAI-PMH host (checked when syncing, so
        that tests pointing api_url at a stand-in with min_interval 0 keep the default oai_url)."""
        if _is_arxiv(self.oai_url) and self.min_interval < ARXIV_MIN_INTERVAL:
            raise SettingsError(
                f"invalid settings: min_interval {self.min_interval} is below arXiv's "
                f"{ARXIV_MIN_INTERVAL} s rule for {urlsplit(self.oai_url).hostname}"
            )

    @property
    def mirror_file(self) -> Path:
        """The mirror database: `mirror_path`, or mirror.sqlite3 in the cache folder."""
        return Path(self.mirror_path) if self.mirror_path else self.cache_dir / "mirror.sqlite3"

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} mailto:{self.contact}" if self.contact else self.user_agent


def normalise_host(host: str) -> str:
    """A host name as DNS sees it: no trailing dot, lower case, IDNA (`EXPORT.arXiv.org.` and
    `export.arxiv.org` are one host, so neither escapes arXiv's 3 s rule)."""
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host


def _is_arxiv(url: str) -> bool:
    host = normalise_host(urlsplit(url).hostname or "")
    return host == "arxiv.org" or host.endswith(".arxiv.org")


def user_cache_dir() -> Path:
    """The per-user cache folder (platformdirs: ~/.cache/arxiv-enrich on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("arxiv-enrich", appauthor=False))


def _source_of(key: str, flags: set[str], file_keys: set[str], config: Path | None) -> str:
    """Where a setting's value came from, highest precedence first: flag, variable, file."""
    if key in flags:
        return "flag --" + key.replace("_", "-")
    named = _environment_names().get(key)
    if named is not None:
        return f"environment {named}"
    if config is not None and key in file_keys:
        return f"config {config}"
    return "default"


def _one_line(
    error: ValidationError, config: Path | None, flags: set[str], file_keys: set[str]
) -> str:
    """One line naming every bad value and its real source (a flag, a variable or the file)."""
    parts = []
    for item in error.errors():
        key = ".".join(str(x) for x in item["loc"]) or "settings"
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            msg = "unknown setting"
        if item["loc"]:
            where = "from " + _source_of(key, flags, file_keys, config)
        else:  # a rule over several keys (the arXiv floor): the source of each key it names
            named = [name for name in Settings.model_fields if re.search(rf"\b{name}\b", msg)]
            where = ", ".join(f"{n} from {_source_of(n, flags, file_keys, config)}" for n in named)
            msg = msg.removeprefix("invalid settings: ")
        parts.append(f"{key}: {msg} ({where})" if where else f"{key}: {msg}")
    return "invalid settings: " + "; ".join(parts)


def unknown_environment() -> list[str]:
    """One warning line per ENRICH_* variable that names no setting (a typo is not silently
    ignored: the same key in the TOML file is refused), with the nearest setting's name."""
    import difflib

    known = sorted(f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields)
    lines = []
    for name in sorted(os.environ):
        key = _key_of(name)
        if (
            key is not None
            and key not in Settings.model_fields
            and name.upper() not in _NOT_SETTINGS
        ):
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            lines.append(f"enrich: warning: {name} is not a setting and is ignored{hint}")
    return lines


_NOT_SETTINGS = frozenset({"ENRICH_SCREENSHOT_DIR"})  # read by the test suite, not by settings


def load_settings(config: Path | str | None = None, **overrides: Any) -> Settings:
    """Build the settings: defaults < config file < ENRICH_* environment < `overrides` (flags).

    `config` None means config/enrich.toml under the current folder when it exists.
    Overrides whose value is None are ignored (a flag that was not given).
    """
    path: Path | None
    if config is None:
        path = DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None
    else:
        path = Path(config)
        if not path.is_file():
            raise SettingsError(f"config file {path} does not exist")
    in_file: dict[str, Any] = {}
    if path is not None:
        import tomllib  # only with a file to read (its import compiles regular expressions)

        try:
            in_file = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise SettingsError(f"config file {path}: {exc}") from None
    for line in unknown_environment():
        logging.getLogger(__name__).warning("%s", line)
    flags = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**(in_file | _in_environment() | flags))
    except ValidationError as exc:
        raise SettingsError(_one_line(exc, path, set(flags), set(in_file))) from None


def _in_environment() -> dict[str, str]:
    return {key: os.environ[name] for key, name in _environment_names().items()}


def _environment_names() -> dict[str, str]:
    """Each setting set in the environment, with the variable that sets it: ENRICH_ and the
    key, in any case (`ENRICH_TIMEOUT`, `enrich_timeout`); its value is validated as the same
    text in the file or a flag would be."""
    names = {}
    for name in os.environ:
        key = _key_of(name)
        if key in Settings.model_fields:
            names[key] = name
    return names


def _key_of(name: str) -> str | None:
    """The key an environment variable names: ENRICH_ and the key, in any case; None for a
    variable without the prefix."""
    lowered = name.lower()
    return lowered[len(ENV_PREFIX) :] if lowered.startswith(ENV_PREFIX.lower()) else None
