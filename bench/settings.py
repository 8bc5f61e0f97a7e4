"""Production settings (DEBUG off, the real middleware, Redis cache) plus what the benchmark needs.

- ``bench.urls``: the platform's URLs plus a baseline endpoint (only here, never in config.urls).
- A middleware counting SQL queries per request into the ``X-Bench-Queries`` header.
- Throttles still run (their Redis round trips are part of the cost) but with rates no load here reaches:
  they are policy, not capacity (production keeps its rates).
- ``SECURE_SSL_REDIRECT`` stays on: the load client sends ``X-Forwarded-Proto: https`` like the TLS proxy.
"""

from __future__ import annotations

import os

os.environ.setdefault("GONGJIAN_BENCH", "1")

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE, REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min"),  # type: ignore[call-overload]
}
