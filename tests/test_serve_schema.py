"""schemathesis against the service's own OpenAPI document: no input makes it answer 5xx
(other than the documented 503 of a full queue or an unavailable paper), and every answer has the
status and shape the document promises. The service runs in uvicorn on a real loopback socket,
in front of the arXiv stand-in."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from enrich.serve.app import create_app
from enrich.settings import Settings
from enrich.testing import StandIn, make_record

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cache: Path = tmp_path_factory.mktemp("schema-cache")
    with StandIn() as arxiv:
        arxiv.add(*[make_record(f"2501.{n:05d}") for n in range(1, 50)])
        app = create_app(
            Settings(
                api_url=arxiv.url,
                cache_dir=cache,
                min_interval=0,
                serve_linger=0,
                max_attempts=1,
                serve_max_body=64 * 1024,
            )
        )
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.02)
        yield url
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def api_schema(service: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{service}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_a_server_error(case: schemathesis.Case) -> None:
    response = case.call(timeout=30)
    if response.status_code == 503:  # documented: queue full or the paper unavailable
        assert "retry-after" in {k.lower() for k in response.headers}
        return
    case.validate_response(response, checks=[not_a_server_error])


def test_openapi_document_lists_every_route(service: str) -> None:
    paths = httpx.get(f"{service}/openapi.json", timeout=10).json()["paths"]
    assert {
        "/v1/enrich",
        "/v1/papers",
        "/v1/papers/{arxiv_id}",
        "/v1/versions",
        "/healthz",
        "/metrics",
    } <= set(paths)
