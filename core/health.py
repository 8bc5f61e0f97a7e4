"""/healthz: is the database reachable, is Redis reachable, has a Celery worker beaten recently?"""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

HEARTBEAT_KEY = "gongjian:worker-heartbeat"
HEARTBEAT_MAX_AGE = 120  # seconds; beat asks a worker to beat every 30 s


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def record_heartbeat() -> None:
    redis_client().set(HEARTBEAT_KEY, str(time.time()), ex=HEARTBEAT_MAX_AGE * 5)


def check_database() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": exc.__class__.__name__}


def check_redis() -> tuple[dict[str, object], dict[str, object]]:
    try:
        client = redis_client()
        client.ping()
        raw = client.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        down = {"ok": False, "error": exc.__class__.__name__}
        return down, {"ok": False, "error": "redis unreachable"}
    if raw is None:
        return {"ok": True}, {"ok": False, "error": "no heartbeat"}
    age = time.time() - float(raw)
    return {"ok": True}, {"ok": age <= HEARTBEAT_MAX_AGE, "age_seconds": round(age, 1)}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    cache, worker = check_redis()
    checks = {"database": database, "redis": cache, "worker": worker}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": checks}, status=200 if ok else 503)
