"""`make bench`: proof at scale (issue #9). Never part of `make test`.

- ``bench.seed``: a large realistic data set written with COPY, reused between runs (marker table).
- ``bench.settings`` / ``bench.urls``: production settings plus a baseline endpoint and a query counter.
- ``bench.run``: serves the app with gunicorn, drives load from a separate process, measures the
  notification fan-out through a real Celery worker and a local SMTP sink, the risk sweeper, and RSS.
"""
