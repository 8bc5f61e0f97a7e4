"""The load generator: a separate process, N threads with keep-alive connections, for a fixed time.

    python -m bench.load SPEC.json OUT.json

SPEC: {"host", "port", "duration", "clients", "requests": [{"method", "path", "headers", "body"}, ...]}.
Each client walks the request list round-robin (starting at its own offset) until the time is up.
OUT: per request timings (ms), status codes and the ``X-Bench-Queries`` header of each answer.
Standard library only, so it adds nothing to the deployment and does not import Django.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from typing import Any


def _client(spec: dict[str, Any], offset: int, deadline: float, out: list[tuple[float, int, int]]) -> None:
    reqs = spec["requests"]
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=30)
    i = offset
    while time.monotonic() < deadline:
        r = reqs[i % len(reqs)]
        i += 1
        body = r.get("body")
        data = json.dumps(body).encode() if body is not None else None
        headers = dict(r.get("headers", {}))
        if data is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            conn.request(r["method"], r["path"], body=data, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
            queries = int(resp.getheader("X-Bench-Queries") or -1)
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=30)
        except (OSError, http.client.HTTPException):
            status, queries = 0, -1
            conn.close()
            conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=30)
        out.append(((time.perf_counter() - t0) * 1000, status, queries))
    conn.close()


def run(spec: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + float(spec["duration"])
    results: list[list[tuple[float, int, int]]] = [[] for _ in range(int(spec["clients"]))]
    threads = [
        threading.Thread(target=_client, args=(spec, k, deadline, results[k]), daemon=True)
        for k in range(int(spec["clients"]))
    ]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=float(spec["duration"]) + 60)
    elapsed = time.monotonic() - t0
    flat = [x for r in results for x in r]
    return {
        "elapsed": elapsed,
        "latencies": [x[0] for x in flat],
        "statuses": [x[1] for x in flat],
        "queries": [x[2] for x in flat],
    }


def main(argv: list[str]) -> int:
    with open(argv[1]) as fh:
        spec = json.load(fh)
    with open(argv[2], "w") as fh:
        json.dump(run(spec), fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
