"""The exceptions arxiv-enrich raises. Conflicts with arXiv are data, never exceptions.

EnrichError
├── SettingsError          invalid configuration (exit status 2)
├── InputError             unreadable or unusable input file (exit status 2)
│   └── DigestError        a digest or JSONL line that cannot be parsed (path, line)
├── OutputError            an output that cannot be written or would overwrite an input (exit 2)
├── InvalidArxivId         a string that is not an arXiv identifier (reason)
├── CacheError             the cache folder cannot be used
└── ArxivError             talking to arXiv failed (url, attempt)
    ├── ArxivHTTPError     an HTTP status that is not 200 (status)
    ├── ArxivBadResponse   a 200 whose body is not a usable Atom feed
    │   └── ArxivUnparseable   a complete answer that cannot be parsed (the same every time)
    └── ArxivUnavailable   every retry failed; the ids stay "unavailable"
        └── BudgetUnavailable  the shared budget (Redis) cannot be reached: nothing is asked
"""

from __future__ import annotations

__all__ = [
    "ArxivBadResponse",
    "ArxivError",
    "ArxivHTTPError",
    "ArxivUnavailable",
    "ArxivUnparseable",
    "BudgetUnavailable",
    "CacheError",
    "DigestError",
    "EnrichError",
    "InputError",
    "InvalidArxivId",
    "OutputError",
    "SettingsError",
]


class EnrichError(Exception):
    """Base of every error arxiv-enrich raises on purpose."""


class SettingsError(EnrichError):
    """A setting is missing, unknown or out of range."""


class InputError(EnrichError):
    """An input path cannot be read or used."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class DigestError(InputError):
    """A digest or JSONL line that cannot be parsed; carries where it is."""

    def __init__(self, message: str, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}", path)
        self.line = line
        self.reason = message


class OutputError(EnrichError):
    """An output cannot be written (full disk, no permission) or would overwrite an input."""


class InvalidArxivId(EnrichError, ValueError):
    """A string that is not a valid arXiv identifier; `reason` says why in plain words."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text!r} is not an arXiv id: {reason}")
        self.text = text
        self.reason = reason


class CacheError(EnrichError):
    """The cache folder is corrupted, locked or not writable."""


class CacheCorrupted(CacheError):
    """The cache's database file is no database (damaged, or another file in its place):
    `enrich cache clear` removes it."""


class ArxivError(EnrichError):
    """A request to the arXiv API failed."""

    def __init__(self, message: str, url: str = "", attempt: int = 0) -> None:
        super().__init__(message)
        self.url = url
        self.attempt = attempt

    def __reduce__(self) -> tuple[object, ...]:  # keep errors picklable across processes
        return (self.__class__, (self.args[0], self.url, self.attempt))


class ArxivHTTPError(ArxivError):
    """arXiv answered with an HTTP status other than 200."""

    def __init__(
        self,
        message: str,
        url: str = "",
        attempt: int = 0,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, url, attempt)
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        return (
            self.__class__,
            (self.args[0], self.url, self.attempt, self.status, self.retry_after),
        )


class ArxivBadResponse(ArxivError):
    """A 200 whose body is not a complete Atom feed ("Rate exceeded.", truncated XML...)."""


class ArxivUnparseable(ArxivBadResponse):
    """A complete answer the parser refuses the same way every time: a field past its limits
    (a 12 MB abstract), a character XML forbids. Not retried; the client isolates the id."""


class ArxivUnavailable(ArxivError):
    """arXiv could not be reached after every retry."""


class BudgetUnavailable(ArxivUnavailable):
    """The shared arXiv budget (Redis) cannot be reached, so arXiv is not asked at all: without it
    the one-connection rule and the gap could not hold across machines. Never retried."""


class LookupCancelled(BaseException):
    """The run stopped (Ctrl-C, a reader gone): the look-ups stop at the next wait or batch, no
    request more is sent. A BaseException, as KeyboardInterrupt is: no handler of errors takes
    it for a failed request to retry or to report."""


class RunStopped(BaseException):
    """The run got SIGTERM or SIGHUP (`kill`, `timeout`, a CI job cancelled, a terminal closed):
    it ends as after Ctrl-C, its temporary files removed and its processes ended, with status
    128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
