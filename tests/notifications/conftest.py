"""A real Celery worker on the real Redis, for the tests marked `celery`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from config.celery import app


def _close_connections(**kwargs):
    # The worker thread has its own database connections; closing them after each task lets the test
    # database be flushed and dropped.
    connections.close_all()


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[None]:
    app.control.purge()  # messages left by earlier runs would only be skipped, but cost time
    task_postrun.connect(_close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5):
            yield
    finally:
        task_postrun.disconnect(_close_connections)


@pytest.fixture
def wait_for() -> Callable[..., None]:
    def wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the worker")
            time.sleep(0.05)

    return wait
