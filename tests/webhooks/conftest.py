from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import translation

from tests.alliance.flow import make_parties


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def p(library, enterprise, government, staff_manager, staff, partner):
    return make_parties(library, enterprise, government, staff_manager, staff, partner)


@dataclass
class Receiver:
    """A real HTTP server on localhost that records what it gets and answers the next status in line."""

    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
            status = state.statuses.pop(0) if state.statuses else 200
            answer = b'{"ok": true}' if status < 400 else b"receiver is down"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://localhost:{server.server_address[1]}/hooks/gongjian"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
