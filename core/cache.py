"""The cache fails open: with Redis down, reads miss and writes are dropped, and requests go on.

What the platform keeps in the cache (throttle counters, cached fragments) is a convenience; everything
that matters is in PostgreSQL and the outbox. Without this, every API request answered 500 while Redis
was down, because DRF's throttles read and write their counters on each request (found by
tests/test_faults_redis.py). Failures are logged, at most once a minute per process.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    _last_warning = 0.0

    def _down(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - FailOpenRedisCache._last_warning > 60:
            FailOpenRedisCache._last_warning = now
            logger.warning("cache unavailable, carrying on without it: %s", exc)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except DOWN as exc:
            self._down(exc)
            return False

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except DOWN as exc:
            self._down(exc)
            return default

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except DOWN as exc:
            self._down(exc)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        try:
            return bool(super().touch(key, timeout, version))
        except DOWN as exc:
            self._down(exc)
            return False

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except DOWN as exc:
            self._down(exc)
            return False

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except DOWN as exc:
            self._down(exc)
            return {}

    def has_key(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().has_key(key, version))
        except DOWN as exc:
            self._down(exc)
            return False

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except DOWN as exc:
            self._down(exc)
            return list(data)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        try:
            super().delete_many(keys, version)
        except DOWN as exc:
            self._down(exc)
