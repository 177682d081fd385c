"""The client's transport over real sockets on 127.0.0.1: the next connection opened ahead.

A small HTTP server of its own logs, per connection, when it was accepted, when its request
line arrived and when the client closed it; one may be told to close a connection at once.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpcore
import httpx
import pytest
import respx

from enrich.arxiv.client import ArxivClient
from enrich.arxiv.transport import MIN_LEAD, LazyTLS
from enrich.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"  # localhost-*.pem: self-signed, 127.0.0.1, tests only
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
LIMITS = httpx.Limits(max_connections=1, max_keepalive_connections=0)


@dataclass
class Seen:
    accepted: float
    request: float | None = None  # time.monotonic() when its request line was read
    ended: float | None = None  # when the client closed it (or this server did)
    tls: str | None = None  # the TLS version it spoke


class Server:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.tls = tls
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.sock.getsockname()[1]}/api/query"
        self.seen: list[Seen] = []
        self.drop: set[int] = set()  # connections (by number, from 0) closed as accepted
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            seen = Seen(time.monotonic())
            self.seen.append(seen)
            if len(self.seen) - 1 in self.drop:
                conn.close()
                seen.ended = time.monotonic()
                continue
            threading.Thread(target=self._one, args=(conn, seen), daemon=True).start()

    def _one(self, conn: socket.socket, seen: Seen) -> None:
        if self.tls is not None:
            conn = self.tls.wrap_socket(conn, server_side=True)  # TLS 1.3: tickets follow
            seen.tls = conn.version()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:  # closed before any request
                    seen.ended = time.monotonic()
                    return
                if not data:
                    seen.request = time.monotonic()
                data += chunk
            conn.sendall(ANSWER)
            while conn.recv(4096):
                pass
            seen.ended = time.monotonic()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def wait_for(condition: object, seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.005)


def test_the_next_request_goes_on_the_connection_opened_ahead(server: Server) -> None:
    transport = LazyTLS(LIMITS)
    with httpx.Client(transport=transport) as http:
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
        lead = transport.lead(server.url, 1.0)
        assert MIN_LEAD <= lead <= 0.5  # learnt from the first connection, at most half the gap
        wait_for(lambda: server.seen[0].ended is not None)
        transport.warm(httpx.URL(server.url), 5.0)
        time.sleep(0.05)
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
    wait_for(lambda: all(s.ended for s in server.seen))
    assert len(server.seen) == 2  # the warmed connection carried the request: none made anew
    first, second = server.seen
    assert first.ended is not None and first.ended <= second.accepted  # one at a time
    assert second.request is not None and second.request - second.accepted >= 0.04


def test_a_hold_makes_the_next_request_wait_at_its_first_write_and_cool_drops_it(
    server: Server,
) -> None:
    """On a connection opened ahead or anew, the request's bytes go once the hold is over (its
    bytes built, its connection taken before); a hold no request took is dropped by cool()."""
    transport = LazyTLS(LIMITS)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with httpx.Client(transport=transport) as http:
        transport.hold(0.06, sleep)  # a connection made anew (none was opened ahead)
        started = time.monotonic()
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
        wait_for(lambda: server.seen[0].ended is not None)
        transport.warm(httpx.URL(server.url), 5.0)
        transport.hold(0.06, sleep)  # the connection opened ahead
        warmed = time.monotonic()
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
        wait_for(lambda: server.seen[1].ended is not None)
        transport.hold(5.0, sleep)
        transport.cool()  # no request took it: the next one does not wait
        dropped = time.monotonic()
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
    wait_for(lambda: all(s.ended for s in server.seen))
    first, second, third = (s.request for s in server.seen)
    assert first is not None and first - started >= 0.06
    assert second is not None and second - warmed >= 0.06
    assert third is not None and third - dropped < 1.0
    assert len(waits) == 2 and all(0 < w <= 0.06 for w in waits)  # once a hold, at the write


def test_a_hold_is_dropped_only_by_its_own_threads_cool(server: Server) -> None:
    """`enrich serve`'s threads share one transport: a thread that let the slot go cools its own
    connection after it, maybe once another thread's slot set its hold; that hold stays."""
    transport = LazyTLS(LIMITS)
    with httpx.Client(transport=transport) as http:
        transport.hold(0.06, time.sleep)
        started = time.monotonic()
        other = threading.Thread(target=transport.cool)
        other.start()
        other.join()
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
    wait_for(lambda: server.seen and server.seen[0].ended is not None)
    request = server.seen[0].request
    assert request is not None and request - started >= 0.06


def test_nothing_is_opened_ahead_before_a_connection_was_made_and_timed(server: Server) -> None:
    transport = LazyTLS(LIMITS)
    assert transport.lead(server.url, 3.0) == 0.0
    transport.warm(httpx.URL(server.url), 5.0)
    time.sleep(0.05)
    assert server.seen == []
    transport.close()


def test_a_warmed_connection_the_server_closed_is_replaced(server: Server) -> None:
    server.drop.add(1)
    transport = LazyTLS(LIMITS)
    with httpx.Client(transport=transport) as http:
        http.get(server.url, headers={"Connection": "close"})
        transport.warm(httpx.URL(server.url), 5.0)
        wait_for(lambda: len(server.seen) == 2 and server.seen[1].ended is not None)
        time.sleep(0.02)  # its end reaches this side
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
    assert len(server.seen) == 3 and server.seen[2].request is not None


def test_cool_closes_a_warmed_connection_no_request_took(server: Server) -> None:
    transport = LazyTLS(LIMITS)
    with httpx.Client(transport=transport) as http:
        http.get(server.url, headers={"Connection": "close"})
        transport.warm(httpx.URL(server.url), 5.0)
        wait_for(lambda: len(server.seen) == 2)
        transport.cool()
        wait_for(lambda: server.seen[1].ended is not None)
        assert server.seen[1].ended is not None and server.seen[1].request is None


def test_under_respx_no_socket_is_ever_opened_ahead(tmp_path: object) -> None:
    url = "http://127.0.0.1:9/api/query"  # nothing listens there
    feed = '<feed xmlns="http://www.w3.org/2005/Atom"></feed>'
    settings = Settings(api_url=url, cache_dir=tmp_path, min_interval=3.0)  # type: ignore[arg-type]
    slept: list[float] = []
    with respx.mock() as router, ArxivClient(settings, sleep=slept.append) as client:
        router.get(url).respond(200, text=feed)
        client.fetch(["2501.00001"])
        client.fetch(["2501.00002"])  # the second request waits the gap (slept, not really)
        assert router.calls.call_count >= 2 and slept  # answered by respx, the gap waited
        assert client._transport is not None and client._transport.lead(url, 3.0) == 0.0


def test_a_connection_opened_ahead_over_tls_13_carries_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A TLS 1.3 server sends its session tickets after the handshake: the warmed connection's
    socket is readable before any request, and is still good (not dropped for a new one)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(FIXTURES / "localhost-cert.pem", FIXTURES / "localhost-key.pem")
    monkeypatch.setenv("SSL_CERT_FILE", str(FIXTURES / "localhost-cert.pem"))  # trusted here
    server = Server(tls=context)
    transport = LazyTLS(LIMITS)
    try:
        with httpx.Client(transport=transport) as http:
            transport.hold(0.05, time.sleep)  # a TLS connection made anew waits too
            started = time.monotonic()
            assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
            wait_for(lambda: server.seen[0].ended is not None)
            transport.warm(httpx.URL(server.url), 5.0)
            time.sleep(0.05)  # the tickets are in
            transport.hold(0.05, time.sleep)
            held = time.monotonic()
            response = http.get(server.url, headers={"Connection": "close"})
            assert response.text == "ok"
    finally:
        server.close()
    wait_for(lambda: all(s.ended for s in server.seen))
    assert len(server.seen) == 2  # the warmed connection, TLS and all, carried the request
    assert [s.tls for s in server.seen] == ["TLSv1.3", "TLSv1.3"]
    first, second = server.seen
    assert second.request is not None and second.request - second.accepted >= 0.04
    assert first.request is not None and first.request - started >= 0.05  # held, through TLS
    assert second.request - held >= 0.05


def test_a_failed_warm_up_stops_the_warming_and_a_stalled_one_is_not_waited_for_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Opening ahead may take WARM_TIMES what the last connection took (at least
    MIN_WARM_TIMEOUT), not the request's whole timeout: the request would wait for a stalled
    network a second time. After a failure no connection is opened ahead until one made for a
    request succeeds."""
    import enrich.arxiv.transport as transport_module

    monkeypatch.setattr(transport_module, "MIN_WARM_TIMEOUT", 0.1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(FIXTURES / "localhost-cert.pem", FIXTURES / "localhost-key.pem")
    monkeypatch.setenv("SSL_CERT_FILE", str(FIXTURES / "localhost-cert.pem"))
    server = Server(tls=context)
    transport = LazyTLS(LIMITS)
    try:
        with httpx.Client(transport=transport) as http:
            http.get(server.url, headers={"Connection": "close"})
            server.tls = None  # from now on it accepts, and never answers the TLS handshake
            started = time.monotonic()
            with pytest.raises(httpcore.TimeoutException):
                transport.warm(httpx.URL(server.url), 5.0)
            assert time.monotonic() - started < 1.0  # not the 5 s the request may take
            assert transport.lead(server.url, 1.0) == 0.0  # warming stops...
            server.tls = context
            assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
            assert transport.lead(server.url, 1.0) > 0  # ...until a connection is made again
    finally:
        server.close()


def test_cool_closes_only_what_its_own_thread_opened_ahead(server: Server) -> None:
    """`enrich serve` shares a client between threads: one thread's late `cool()` (after its
    slot) must not close what another opened ahead for its own request."""
    transport = LazyTLS(LIMITS)
    with httpx.Client(transport=transport) as http:
        http.get(server.url, headers={"Connection": "close"})
        transport.warm(httpx.URL(server.url), 5.0)
        other = threading.Thread(target=transport.cool)
        other.start()
        other.join()
        time.sleep(0.05)
        assert http.get(server.url, headers={"Connection": "close"}).text == "ok"
    wait_for(lambda: all(s.ended for s in server.seen))
    assert len(server.seen) == 2  # the connection opened ahead survived and carried it
