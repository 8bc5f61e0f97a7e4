"""A minimal SMTP sink: accepts every message and counts it, and its duplicates by the delivery header (standard
library only, thread per connection)."""

from __future__ import annotations

import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    server: SmtpSink

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 bench-sink ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            cmd = raw.decode("latin-1").strip().upper()
            if cmd.startswith("EHLO"):
                self.wfile.write(b"250-bench-sink\r\n250 8BITMIME\r\n")
            elif cmd.startswith(("HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                self._say("250 OK")
            elif cmd == "DATA":
                self._say("354 go ahead")
                key = None
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    if key is None and line.startswith(b"X-Gongjian-Delivery:"):
                        key = line.split(b":", 1)[1].strip().decode("latin-1")
                self.server.add(key)
                self._say("250 queued")
            elif cmd == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self._lock = threading.Lock()
        self.count = 0
        self.keys: set[str] = set()  # X-Gongjian-Delivery of every message: a repeat is a duplicate e-mail
        self.duplicates = 0

    def add(self, key: str | None = None) -> None:
        with self._lock:
            self.count += 1
            if key is not None:
                if key in self.keys:
                    self.duplicates += 1
                self.keys.add(key)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> SmtpSink:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self
