"""The client's HTTP transport: TLS set up only for the first https:// request.

httpx builds its TLS context (the CA bundle read and parsed, ~25 ms of CPU) when a client is
made, whatever it will ask. The arXiv API is https, but a stand-in or a mirror on plain http://
never needs it: `LazyTLS` sends http:// requests through a transport with no certificate
loaded (there is no TLS on such a connection), and makes the usual, verifying transport for
the first https:// request (arXiv itself, or a redirect to it). Loaded with the first request,
like httpx itself.
"""

from __future__ import annotations

import httpx

__all__ = ["LazyTLS"]


class LazyTLS(httpx.BaseTransport):
    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._plain = httpx.HTTPTransport(verify=False, limits=limits)  # http:// only
        self._tls: httpx.HTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return self._plain.handle_request(request)
        if self._tls is None:
            self._tls = httpx.HTTPTransport(limits=self._limits)  # verify=True: the CA bundle
        return self._tls.handle_request(request)

    def close(self) -> None:
        self._plain.close()
        if self._tls is not None:
            self._tls.close()
