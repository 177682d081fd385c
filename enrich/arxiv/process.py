"""Look-ups in a process of their own (setting `lookup_process`): an ArxivClient run in a child
process, behind the client's own `fetch` and `fetch_versions`.

Why: between its requests the client reads each answer, parses its Atom entries and stores them
(about a third of a cold run's CPU). In the pipeline's process that work shares one interpreter
lock with the comparison, and so does every step of a request (the wake-up after the gap, the
connection, each read of the answer): the requests lose their pace whenever the comparison holds
the lock. In a process of its own the client keeps the pace of the gap on another core, and the
pipeline's process only decodes the records it is sent: the JSON the cache stores, decoded as a
warm run decodes it (RecordCache's decode_records), so the output is the same byte for byte.

The child starts when the client is made (the pipeline makes it before it reads), so that its
start-up overlaps the reading: forked on Linux when this process runs one thread (nothing is
loaded again; with one thread no lock is copied half-held), else a fresh interpreter. It builds
its HTTP client at once and then waits for work. One socket pair, strictly request and reply:

  parent                                   child
  ("fetch", ids | None, level)             ("more",) while ids is None: the parent answers
                                             ("ids", [ids...], ended) as its batches need them
                                           ("settled", lookups, stats): the parent runs the
                                             caller's `settled` while the child goes on
                                           ("progress", n), ("log", record): no answer
                                           ("done", stats, note) or ("error", exception)
  ("versions", wanted, optional, level)    ("versions", [(id, version, json)...], stats) or
                                             ("versions-error", exception); asked during a
                                             fetch, done when the child is next between
                                             batches (what the fetch sends meanwhile waits)
  ("close",)

`level` is the lowest level this process's loggers pass at the time (the run may have changed it
since the child started). Log records of the child (the client's "arXiv: 100 ids ..." and wait
lines, with their `enrich_event`) are passed to this process's loggers. A child that dies
(killed, out of memory) loses nothing: what it had not settled is looked up here instead, with a
warning. An exception the client raises in the child is raised here, as it would have been
without the child.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from itertools import chain
from multiprocessing.connection import Connection
from typing import Any

from enrich.arxiv.cache import decode_records
from enrich.arxiv.client import ArxivClient, ClientStats, Lookup
from enrich.errors import LookupCancelled
from enrich.models import ArxivRecord, record_json
from enrich.runtime import tune_gc
from enrich.settings import Settings

__all__ = ["ProcessClient"]

log = logging.getLogger(__name__)

CLOSE_WAIT = 5.0  # seconds the child is given to exit after ("close",) before it is terminated
SPENT_TIME = 0.03  # seconds of a wait the child needs before it lets go of the lookups it sent
SPENT_MAX = 40  # batches of lookups sent it keeps at most meanwhile

Encoded = tuple[str, str | None, bool, bytes | None]  # status, reason, from_cache, record JSON


class ProcessClient:
    """An ArxivClient in a child process (see the module docstring); use as a context manager,
    or call `close()`. `stats` and `cache_note` follow the child's client."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stats = ClientStats()
        self.cache_note: str | None = None
        self._local: ArxivClient | None = None  # looks up here once the child is gone
        self._counted: tuple[Any, ...] = ()  # its stats as last added to `stats`
        self._lock = threading.Lock()
        self._more: Callable[[], None] | None = None  # answers the child's ("more",), in a fetch
        self._backlog: deque[tuple[Any, ...]] = deque()  # the fetch's, while versions come
        self._said_gone = False
        self._cancelled = False  # the run stopped: no look-up more, here or there
        self._child: _Child | subprocess.Popen[bytes] | None = None
        ours, theirs = socket.socketpair()
        self._conn = Connection(ours.detach())
        try:
            self._child = _start(theirs, self._conn.fileno())
            self._send((settings, _log_level()))
        except (Exception, _ChildGone) as exc:  # no process to be had: all is looked up here
            self._gone(exc)
        finally:
            theirs.close()

    def __enter__(self) -> ProcessClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The child's process id, None once it is gone."""
        return None if self._child is None else self._child.pid

    # -- the client's operations -------------------------------------------------------------

    def fetch(
        self,
        ids: Iterable[str],
        progress: Callable[[int], None] | None = None,
        *,
        settled: Callable[[dict[str, Lookup]], None] | None = None,
    ) -> dict[str, Lookup]:
        """ArxivClient.fetch, in the child: the same lookups, `progress` and `settled` calls."""
        got: dict[str, Lookup] = {}
        given: list[str] = []  # the ids handed to the child so far, as given
        lazy = not isinstance(ids, Sized)
        source = iter(ids)
        if not lazy:
            given = list(source)
        if self._child is not None:
            try:
                self._fetch_there(ids, source, given, lazy, got, progress, settled)
                return got
            except _ChildGone as gone:
                self._lost(gone)
        rest = [i for i in dict.fromkeys(given) if i not in got]  # not settled by the child
        done = len(got)

        def more(n: int) -> None:
            if progress is not None:
                progress(done + n)

        with self._here() as local:
            got.update(local.fetch(chain(rest, source) if lazy else rest, more, settled=settled))
        return got

    def fetch_versions(
        self, wanted: Iterable[tuple[str, int]], optional: Iterable[tuple[str, int]] = ()
    ) -> dict[tuple[str, int], ArxivRecord]:
        """ArxivClient.fetch_versions, in the child."""
        wanted, optional = list(wanted), list(optional)
        if self._child is not None:
            try:
                self._send(("versions", wanted, optional, _log_level()))
                return self._versions_answer()
            except _ChildGone as gone:
                self._lost(gone)
        with self._here() as local:
            return local.fetch_versions(wanted, optional)

    def cancel(self) -> None:
        """Stop the look-ups under way, from any thread (ArxivClient.cancel): the child ends
        now, its request in flight with it (it ignores Ctrl-C: the run decides), and `fetch`
        raises LookupCancelled rather than going on in this process."""
        self._cancelled = True
        child = self._child
        if child is not None:
            child.terminate()
        if self._local is not None:
            self._local.cancel()

    def close(self, wait: bool = True) -> None:
        """The child is told to end and reaped: here, or with `wait=False` on a thread of its own
        (the interpreter waits for it before it exits; the run's last steps go on meanwhile)."""
        child, self._child = self._child, None
        if child is not None:
            with contextlib.suppress(OSError, ValueError):
                self._send_raw(("close",))
            if wait:
                _reap(child)
            else:
                threading.Thread(target=_reap, args=(child,), name="enrich-reap").start()
        with contextlib.suppress(OSError):
            self._conn.close()
        if self._local is not None:
            self._local.close()
            self._local = None

    def close_soon(self) -> None:
        """close(wait=False): what the pipeline calls at its end."""
        self.close(wait=False)

    # -- talking to the child ------------------------------------------------------------------

    def _fetch_there(
        self,
        ids: Iterable[str],
        source: Iterator[str],
        given: list[str],
        lazy: bool,
        got: dict[str, Lookup],
        progress: Callable[[int], None] | None,
        settled: Callable[[dict[str, Lookup]], None] | None,
    ) -> None:
        def more() -> None:  # the child's batches want more ids: at least one, or the end
            chunk = []
            for arxiv_id in source:
                chunk.append(arxiv_id)
                break
            take = getattr(ids, "take_ready", None)  # what is there now, without waiting
            if chunk and take is not None:
                chunk.extend(take())
            given.extend(chunk)
            self._send(("ids", chunk, not chunk))

        self._send(("fetch", None if lazy else given, _log_level()))
        self._more = more
        try:
            while True:
                message = self._backlog.popleft() if self._backlog else self._receive()
                kind = message[0]
                if kind == "more":
                    more()
                elif kind == "settled":
                    lookups = _decode_lookups(message[1])
                    self._set_stats(message[2])
                    got.update(lookups)
                    if settled is not None:
                        settled(lookups)  # the child goes on meanwhile
                elif kind == "progress":
                    if progress is not None:
                        progress(message[1])
                elif kind == "done":
                    self._set_stats(message[1])
                    self.cache_note = message[2]
                    return
                elif kind == "error":
                    raise pickle.loads(message[1])
                else:
                    raise _ChildGone(RuntimeError(f"unexpected message {kind!r}"))
        finally:
            self._more = None
            self._backlog.clear()

    def _versions_answer(self) -> dict[tuple[str, int], ArxivRecord]:
        """The child's answer to ("versions", ...). Asked from inside a fetch (the pipeline's
        `settled`), it comes when the child is next between batches; what the fetch sends
        meanwhile waits in the backlog, in order, and its requests for ids are answered."""
        while True:
            message = self._receive()
            kind = message[0]
            if kind == "versions":
                self._set_stats(message[2])
                pairs = message[1]
                records = decode_records([raw for _, _, raw in pairs])
                return {(i, v): r for (i, v, _), r in zip(pairs, records, strict=True) if r}
            if kind == "versions-error":
                raise pickle.loads(message[1])
            if kind == "more" and self._more is not None:
                self._more()
            elif kind in ("settled", "progress", "done", "error") and self._more is not None:
                self._backlog.append(message)
            else:
                raise _ChildGone(RuntimeError(f"unexpected message {kind!r}"))

    def _receive(self) -> tuple[Any, ...]:
        """The child's next message; its log records are passed on meanwhile."""
        while True:
            try:
                message: tuple[Any, ...] = self._conn.recv()
            except (EOFError, OSError) as exc:
                raise _ChildGone(exc) from None
            if message[0] != "log":
                return message
            _pass_on(message[1])

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            self._send_raw(message)
        except (OSError, ValueError) as exc:
            raise _ChildGone(exc) from None

    def _send_raw(self, message: tuple[Any, ...]) -> None:
        with self._lock:
            self._conn.send(message)

    def _set_stats(self, values: tuple[Any, ...]) -> None:
        for name, value in zip(_STAT_FIELDS, values, strict=True):
            setattr(self.stats, name, value)

    # -- when the child is gone ----------------------------------------------------------------

    def _lost(self, gone: _ChildGone) -> None:
        """The child is gone in an operation: it goes on here, unless the run was cancelled."""
        if self._cancelled:
            raise LookupCancelled from None
        self._gone(gone.cause)

    def _gone(self, cause: BaseException | None) -> None:
        if self._child is None and self._said_gone:
            return
        self._said_gone = True
        child, self._child = self._child, None
        code = None
        if child is not None:
            try:
                code = child.wait(0.5)
            except subprocess.TimeoutExpired:  # alive but out of step: it goes
                child.terminate()
                child.wait()
        log.warning(
            "the look-up process is gone (%s); looking up in this process instead",
            f"exit code {code}" if code is not None else cause,
        )

    @contextlib.contextmanager
    def _here(self) -> Iterator[ArxivClient]:
        """The client in this process (made once the child is gone); what it cost since it was
        last counted is added to the child's stats (once, also when a `settled` it calls asks
        for versions here too). Never once the run is cancelled: LookupCancelled."""
        if self._cancelled:
            raise LookupCancelled
        if self._local is None:
            self._local = ArxivClient(self.settings)
            self._counted = dataclasses.astuple(self._local.stats)
            if self._local.cache_note:
                self.cache_note = self._local.cache_note
        local = self._local
        try:
            yield local
        finally:
            now = dataclasses.astuple(local.stats)
            for name, old, new in zip(_STAT_FIELDS, self._counted, now, strict=True):
                setattr(self.stats, name, getattr(self.stats, name) + new - old)
            self._counted = now


def _reap(child: _Child | subprocess.Popen[bytes]) -> None:
    try:
        child.wait(CLOSE_WAIT)
    except subprocess.TimeoutExpired:
        child.terminate()
        child.wait()


class _ChildGone(Exception):
    def __init__(self, cause: BaseException | None) -> None:
        super().__init__(str(cause))
        self.cause = cause


_STAT_FIELDS = tuple(f.name for f in dataclasses.fields(ClientStats))


def _encode_lookups(lookups: dict[str, Lookup]) -> list[tuple[str, Encoded]]:
    out: list[tuple[str, Encoded]] = []
    for key, lookup in lookups.items():
        record = lookup.record
        raw = None if record is None else lookup.raw or record_json(record)
        out.append((key, (lookup.status, lookup.reason, lookup.from_cache, raw)))
    return out


def _decode_lookups(items: list[tuple[str, Encoded]]) -> dict[str, Lookup]:
    raws = [raw for _, (_, _, _, raw) in items if raw is not None]
    records = iter(decode_records(raws))
    out = {}
    for key, (status, reason, from_cache, raw) in items:
        record = None
        if raw is not None:
            record = next(records) or ArxivRecord.model_validate_json(raw)  # raises if garbage
        out[key] = Lookup(status, record, reason, from_cache, raw)  # type: ignore[arg-type]
    return out


def _log_level() -> int:
    """The lowest level any of the loggers the client writes to passes here."""
    names = ("", "enrich", "enrich.arxiv")
    return min(logging.getLogger(name).getEffectiveLevel() for name in names)


def _pass_on(data: dict[str, Any]) -> None:
    """A log record of the child, handled by this process's logger of the same name."""
    logger = logging.getLogger(data.get("name") or "")
    if logger.isEnabledFor(int(data.get("levelno", logging.INFO))):
        logger.handle(logging.makeLogRecord(data))


# -- starting the child ------------------------------------------------------------------------

_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[2]); "
    "from enrich.arxiv.process import boot; boot(int(sys.argv[1]))"
)


def _start(end: socket.socket, ours: int) -> _Child | subprocess.Popen[bytes]:
    """The child, serving on `end` (its end of the socket pair; the settings come first).
    Forked on Linux when this process runs one thread (nothing to load again, about 0.4 s
    saved; with one thread no lock is copied half-held); else a fresh interpreter, with this
    one's import path."""
    if threading.active_count() == 1 and sys.platform.startswith("linux"):
        pid = os.fork()
        if pid == 0:  # the child: never returns into the parent's code
            try:
                os.close(ours)  # the parent's end: its exit must end this child's wait
                _forget_parent()
                boot(end.detach())
            finally:
                os._exit(0)
        return _Child(pid)
    command = [sys.executable, "-c", _BOOT, str(end.fileno()), json.dumps(sys.path)]
    return subprocess.Popen(
        command, pass_fds=[end.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )


def _forget_parent() -> None:
    """In a forked child: nothing of the parent's output is written from here (standard output
    may be the run's JSONL), and no handler of the parent's loggers runs here."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.handlers.clear()
            logger.propagate = True


def boot(fd: int) -> None:
    """The child's start (see _start): the settings come first. Whatever stops it, it ends
    without a word: the parent says that the look-up process is gone and looks up itself."""
    try:
        conn = Connection(fd)
        settings, level = conn.recv()
        serve(conn, settings, level)
    except BaseException:  # the parent reports the exit, never a traceback
        os._exit(1)


class _Child:
    """A forked child, with the parts of subprocess.Popen that ProcessClient uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid == 0:
                    return None
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0)
            time.sleep(0.005)
        return code

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)


# -- in the child ------------------------------------------------------------------------------


class _Forward(logging.Handler):
    """The child's log records, sent to the parent as plain values (the message formatted)."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None]) -> None:
        super().__init__(logging.NOTSET)
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = {
                k: v
                for k, v in record.__dict__.items()
                if isinstance(v, (str, int, float, bool, type(None)))
            }
            data["msg"] = record.getMessage()
            data["args"] = None
            if record.exc_info:
                data["exc_text"] = logging.Formatter().formatException(record.exc_info)
            self._send(("log", data))
        except Exception:  # never fail a look-up for a log line
            self.handleError(record)


def serve(conn: Connection, settings: Settings, level: int) -> None:
    """The child's loop (see the module docstring): one ArxivClient, until ("close",) or the
    parent is gone. Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_gc()  # started before the run tuned its own (the CLI starts it early)
    logging.getLogger().handlers[:] = [_Forward(conn.send)]
    _set_level(level)
    serving = _Serving(conn)
    with ArxivClient(settings, sleep=serving.sleep) as client:
        serving.client = client
        client._get_http()  # httpx is loaded before the first ids arrive
        with contextlib.suppress(EOFError, OSError, _Closing):
            serving.loop()


def _set_level(level: int) -> None:
    """The child logs what the parent's loggers pass (see _log_level), httpx's own lines only
    from warnings up (the client's say more)."""
    logging.getLogger().setLevel(level)
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))


class _Serving:
    """The child's side of the protocol, around its one client."""

    client: ArxivClient

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.spent: list[dict[str, Lookup]] = []  # sent to the parent, let go in a wait

    def sleep(self, seconds: float) -> None:
        """The client's waits (the gap, back-offs): the lookups already sent are let go first
        when there is time (some 2,000 records a window, ~15 ms to free: in the gap, not
        between the window's last answer and the next request)."""
        if self.spent and seconds >= SPENT_TIME:
            deadline = time.monotonic() + seconds
            self.spent.clear()
            seconds = deadline - time.monotonic()
        if seconds > 0:
            time.sleep(seconds)

    def loop(self) -> None:
        while True:
            self._handle(self.conn.recv())

    def _handle(self, message: tuple[Any, ...]) -> None:
        """A request of the parent's: a fetch (from the loop only), versions, or the end."""
        kind = message[0]
        if kind in ("fetch", "versions"):  # the parent's level then (it may have changed)
            _set_level(message[-1])
        if kind == "fetch":
            try:
                self._fetch(message[1])
            except (EOFError, OSError, _Closing):
                raise
            except Exception as exc:
                self.conn.send(("error", _portable(exc)))
        elif kind == "versions":
            try:
                self._versions(message[1], message[2])
            except (EOFError, OSError, _Closing):
                raise
            except Exception as exc:
                self.conn.send(("versions-error", _portable(exc)))
        else:
            raise _Closing  # ("close",), or the parent is out of step: either way, the end

    def _fetch(self, ids: list[str] | None) -> None:
        self.client.fetch(  # ids read as the batches need them, not all before the first
            self._more() if ids is None else iter(ids),
            lambda n: self.conn.send(("progress", n)),
            settled=self._settled,
        )
        self.conn.send(("done", self._stats(), self.client.cache_note))

    def _more(self) -> Iterator[str]:
        while True:
            self.conn.send(("more",))
            while (message := self.conn.recv())[0] != "ids":
                self._between(message)
            yield from message[1]
            if message[2]:
                return

    def _settled(self, lookups: dict[str, Lookup]) -> None:
        """Sent on at once; the parent's `settled` runs while this process goes on. What the
        parent asked meanwhile (versions, for its version step) is done now, between batches:
        a request of the fetch never waits for the parent."""
        self.conn.send(("settled", _encode_lookups(lookups), self._stats()))
        self.spent.append(lookups)
        if len(self.spent) > SPENT_MAX:  # no wait came (answers from the cache): free them now
            self.spent.clear()
        while self.conn.poll():
            self._between(self.conn.recv())

    def _between(self, message: tuple[Any, ...]) -> None:
        """A request that came during a fetch: versions only (a fetch inside a fetch is not)."""
        if message[0] != "versions":
            raise _Closing
        self._handle(message)

    def _versions(self, wanted: list[tuple[str, int]], optional: list[tuple[str, int]]) -> None:
        got = self.client.fetch_versions(wanted, optional)
        pairs = [(i, v, record_json(r)) for (i, v), r in got.items()]
        self.conn.send(("versions", pairs, self._stats()))

    def _stats(self) -> tuple[Any, ...]:
        return dataclasses.astuple(self.client.stats)


class _Closing(Exception):
    """The parent said something other than what the child waits for: it is closing."""


def _portable(exc: Exception) -> bytes:
    """The exception pickled, or a RuntimeError saying what it was when it does not pickle."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
