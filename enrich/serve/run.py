"""Start the service: refuse unsafe settings, then run uvicorn."""

from __future__ import annotations

import ipaddress
import socket
import sys

from enrich.errors import SettingsError
from enrich.settings import Settings

__all__ = ["check_bind", "is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """Does `host` only reach this machine? (Names are resolved: "localhost" is loopback.)"""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def check_bind(settings: Settings, host: str) -> None:
    """Binding beyond loopback needs `serve_token` (SettingsError, exit 2, otherwise)."""
    if not is_loopback(host) and not settings.serve_token:
        raise SettingsError(
            f"--host {host} is reachable from other machines: set serve_token "
            "(ENRICH_SERVE_TOKEN) so that callers must send it, or bind 127.0.0.1"
        )


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080) -> None:
    import uvicorn

    from enrich.serve.app import create_app

    check_bind(settings, host)
    shared = f"Redis {settings.redis_url}" if settings.redis_url else f"{settings.cache_dir}"
    where = f"[{host}]" if ":" in host else host
    sys.stderr.write(
        f"enrich serve: http://{where}:{port} (arXiv {settings.api_url}, budget and cache: "
        f"{shared}{', token required' if settings.serve_token else ''})\n"
    )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
