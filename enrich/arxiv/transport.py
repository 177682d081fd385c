"""The client's HTTP transport: TLS set up only when needed, the next connection opened early.

* **Lazy TLS.** httpx builds its TLS context (the CA bundle read and parsed, ~25 ms of CPU) when
  a client is made, whatever it will ask. The arXiv API is https, but a stand-in or a mirror on
  plain http:// never needs it: `LazyTLS` sends http:// requests through a transport with no
  certificate loaded (there is no TLS on such a connection), and makes the usual, verifying
  transport for the first https:// request (arXiv itself, or a redirect to it).
* **The connection opened before the gap ends** (`LazyTLS.warm`). The client holds the
  limiter's slot while it waits out the gap between two requests, and the previous connection
  is closed by then (`Connection: close`). So it may open the next one in the last moments of
  that wait (`lead()` seconds ahead: twice what the last connection took to open, TCP and TLS,
  at least MIN_LEAD, at most half the gap) and send the request when the gap is over: the
  handshakes (a round trip or two to arXiv, the stand-in's accept and new thread) no longer
  come after the gap. Still one connection at a time, and the request itself is sent no
  sooner. Only once a connection to that origin has really been opened and timed here: never
  under respx, which answers before any socket is made. A warmed connection the server closed
  meanwhile (or that has bytes waiting, other than a TLS 1.3 server's session tickets) is
  dropped and a new one made; one left unused is closed by `cool()`, by the thread that opened
  it, with the slot still held. Opening one ahead may take WARM_TIMES what the last one took (at
  least MIN_WARM_TIMEOUT): a stalled network is not waited for twice; one that fails stops the
  warming until a connection made for a request succeeds again.
* **The gap's last moments, waited out at the first write** (`LazyTLS.hold`). The limiter hands
  over the last HANDOVER seconds of the wait (enrich/arxiv/limiter.py): httpx builds the
  request's bytes and takes its connection meanwhile (~0.6 ms here), and the first write on a
  connection of this transport waits until they are over. The bytes still go no sooner; what
  follows the gap is one write. A hold no write took is dropped by its own thread's `cool()`
  (never by another's: `enrich serve`'s threads share this transport, and a thread that let the
  slot go cools its connection after it, maybe once the next slot set its hold).

Loaded with the first request, like httpx itself.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import httpcore
import httpx

__all__ = ["MIN_LEAD", "LazyTLS"]

MIN_LEAD = 0.01  # seconds: the least head start (a server's own accept is not seen from here)
WARM_TIMES = 4  # a connection opened ahead may take this many times what the last one took...
MIN_WARM_TIMEOUT = 1.0  # ...and at least this many seconds


class LazyTLS(httpx.BaseTransport):
    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._backend = _Warming(httpcore.SyncBackend())
        self._plain = self._warming(httpx.HTTPTransport(verify=False, limits=limits))  # http://
        self._tls: httpx.HTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return self._plain.handle_request(request)
        return self._tls_transport().handle_request(request)

    def lead(self, url: httpx.URL | str, gap: float) -> float:
        """Seconds before the end of a `gap`-long wait to open the connection for a request to
        `url`; 0: don't (no connection to its origin opened and timed yet)."""
        return self._backend.lead(_origin(url), gap)

    def warm(self, url: httpx.URL, timeout: float | None) -> None:
        """Open the connection the next request to `url` will use (see the module docstring)."""
        self._backend.warm(_origin(url), timeout)

    def hold(self, seconds: float, sleep: Callable[[float], None]) -> None:
        """The next write on a connection of this transport waits until `seconds` from now
        are over (with `sleep`): see the module docstring."""
        self._backend.hold(seconds, sleep)

    def cool(self) -> None:
        """Close the connection this thread opened ahead, if no request took it; drop this
        thread's hold, if no write took it."""
        self._backend.cool()

    def close(self) -> None:
        self._backend.cool(everyone=True)
        self._plain.close()
        if self._tls is not None:
            self._tls.close()

    def _tls_transport(self) -> httpx.HTTPTransport:
        if self._tls is None:
            self._tls = self._warming(httpx.HTTPTransport(limits=self._limits))  # verify=True
        return self._tls

    def _warming(self, transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
        """`transport`, its connections opened through this transport's warming backend (httpx
        keeps its httpcore pool as `_pool`: when that changes, nothing is warmed, as before)."""
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore.ConnectionPool) and hasattr(pool, "_network_backend"):
            pool._network_backend = self._backend
        return transport


class _Warming(httpcore.NetworkBackend):
    """httpcore's own backend, able to open one connection ahead and hand it to the next
    `connect_tcp` for the same host and port; it learns how long opening one takes, and the
    TLS settings to repeat, from the connections it opens for real."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._held: tuple[str, int, _Warmed, int] | None = None  # and the thread that opened it
        self._took: dict[tuple[str, int], float] = {}  # seconds to open one, TCP and TLS
        self._tls: dict[tuple[str, int], dict[str, Any]] = {}  # start_tls's arguments
        # a hold: until when (time.perf_counter: fine-grained everywhere, where time.monotonic
        # may tick every 15.6 ms), how to wait, and the thread that set it
        self._hold: tuple[float, Callable[[float], None], int] | None = None

    def lead(self, key: tuple[str, int], gap: float) -> float:
        took = self._took.get(key)
        if took is None:
            return 0.0  # never opened for real: not known how (respx, or a first request)
        return min(gap / 2, max(MIN_LEAD, 2 * took))

    def warm(self, key: tuple[str, int], timeout: float | None) -> None:
        """Open a connection to `key` ahead, given WARM_TIMES what the last one took at most
        (and no more than `timeout`): a stalled network is not waited for twice, once here and
        once by the request, which connects by itself. One that fails stops the warming until
        a connection made for a request succeeds again."""
        took = self._took.get(key)
        if took is None:
            return
        self.cool(everyone=True)
        host, port = key
        limit = max(MIN_WARM_TIMEOUT, WARM_TIMES * took)
        limit = limit if timeout is None else min(timeout, limit)
        started = time.perf_counter()
        try:
            stream = self._inner.connect_tcp(host, port, timeout=limit)
            try:
                tls = self._tls.get(key)
                if tls is not None:
                    stream = stream.start_tls(**{**tls, "timeout": limit})
            except BaseException:
                stream.close()
                raise
        except Exception:
            self._took.pop(key, None)
            raise
        self._took[key] = time.perf_counter() - started
        with self._lock:
            self._held = (host, port, _Warmed(stream, self, tls is not None), threading.get_ident())

    def hold(self, seconds: float, sleep: Callable[[float], None]) -> None:
        with self._lock:
            self._hold = (time.perf_counter() + seconds, sleep, threading.get_ident())

    def before_write(self) -> None:
        """A hold is waited out by the first write after it on any of this backend's streams
        (one request at a time holds the limiter's slot), and used up by its own thread's: a
        write of another thread waits it out too, and leaves it."""
        with self._lock:
            hold = self._hold
            if hold is not None and hold[2] == threading.get_ident():
                self._hold = None
        if hold is not None:
            left = hold[0] - time.perf_counter()
            if left > 0:
                hold[1](left)

    def cool(self, everyone: bool = False) -> None:
        """Close the connection opened ahead by this thread (by any, with `everyone`) if no
        request took it; drop a hold of this thread's no write took (only its own: another
        thread's slot may hold one now, its request still to go)."""
        with self._lock:
            if self._hold is not None and self._hold[2] == threading.get_ident():
                self._hold = None
            held = self._held
            if held is None or not (everyone or held[3] == threading.get_ident()):
                return
            self._held = None
        held[2].close()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        with self._lock:
            held, self._held = self._held, None
        if held is not None:
            if held[:2] == (host, port) and _alive(held[2]):
                return held[2]
            held[2].close()  # closed by the server meanwhile (or another origin's)
        started = time.perf_counter()
        stream = self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _Timed(stream, self, (host, port), time.perf_counter() - started)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - the client connects over TCP
        return self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Stream(httpcore.NetworkStream):
    """A stream of the warming backend's: it passes everything on to the one it wraps, a write
    once the backend's hold is over (`_Warming.before_write`)."""

    def __init__(self, stream: httpcore.NetworkStream, backend: _Warming) -> None:
        self._stream = stream
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._backend.before_write()
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Timed(_Stream):
    """A connection opened for real: its TLS handshake is timed and its settings kept."""

    def __init__(
        self, stream: httpcore.NetworkStream, backend: _Warming, key: tuple[str, int], took: float
    ) -> None:
        super().__init__(stream, backend)
        self._key = key
        backend._took[key] = took
        backend._tls.pop(key, None)

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        started = time.perf_counter()
        stream = self._stream.start_tls(ssl_context, server_hostname, timeout)
        self._backend._took[self._key] += time.perf_counter() - started
        self._backend._tls[self._key] = {
            "ssl_context": ssl_context,
            "server_hostname": server_hostname,
            "timeout": timeout,
        }
        return _Stream(stream, self._backend)


class _Warmed(_Stream):
    """A connection opened ahead (TLS done if the origin's connections use it)."""

    def __init__(self, stream: httpcore.NetworkStream, backend: _Warming, secured: bool) -> None:
        super().__init__(stream, backend)
        self._secured = secured

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        if self._secured:
            return self
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._backend)


def _alive(stream: httpcore.NetworkStream) -> bool:
    """A connection opened ahead can still carry the request: the server has not closed it, nor
    sent anything. Read without waiting: on TLS the records that came are read through (a TLS
    1.3 server sends its session tickets after the handshake: the socket is readable, yet they
    are no answer), on plain TCP peeked at."""
    sock = stream.get_extra_info("socket")
    if not isinstance(sock, socket.socket):
        return not stream.get_extra_info("is_readable")
    timeout = sock.gettimeout()
    try:
        sock.settimeout(0.0)
        if isinstance(sock, ssl.SSLSocket):
            sock.recv(1)
        else:
            sock.recv(1, socket.MSG_PEEK)
    except (BlockingIOError, ssl.SSLWantReadError):
        return True  # nothing to read: open, and quiet
    except OSError:
        return False  # reset, or a TLS alert
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(timeout)
    return False  # b"": closed; bytes: an answer nobody asked for


def _origin(url: httpx.URL | str) -> tuple[str, int]:
    """(host, port) as httpcore connects to them."""
    url = httpx.URL(url)
    port = url.port or (443 if url.scheme == "https" else 80)
    return url.raw_host.decode("ascii"), port
