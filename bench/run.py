"""`make bench`: seed (once), serve with gunicorn, load from a separate process, measure, report.

    python -m bench.run                 # the issue's default size (see bench.seed.DEFAULT)
    python -m bench.run --small         # or BENCH_SCALE=small: a quick run on a smaller data set
    python -m bench.run --scale tiny --duration 5

Environment: BENCH_DATABASE_URL (default: database gj_benchdata on DATABASE_URL's server, else on the embedded
PostgreSQL of `make run`; created when missing; one database per scale), BENCH_REDIS_URL (default: db 12 of
REDIS_URL's server, else of the embedded Redis), BENCH_GUNICORN_ARGS, BENCH_FANOUT (notifications in the fan-out;
default: the scale's), BENCH_CELERY_CONCURRENCY (default 4).
Results: a table on stdout and JSON in var/bench/ (latest.json and one file per run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench import verdict

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent

TARGETS = {"p95_ms": 100.0, "ratio": 0.5, "intake_per_s": 200.0, "fanout_s": 30.0, "sweep_s": 1.0}


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def _servers() -> tuple[str, str]:
    """The bench's database and Redis: BENCH_* if set, else the servers of DATABASE_URL/REDIS_URL, else the
    embedded ones `make run` uses (started if needed), so `make bench` works on a fresh clone. The bench
    database (gj_benchdata) is created when missing; it is never the development or test database."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import devstack

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        server = os.environ.get("DATABASE_URL") or devstack.start_postgres()
        url = f"{server.split('?', 1)[0].rsplit('/', 1)[0]}/gj_benchdata"
    base, name = url.split("?", 1)[0].rsplit("/", 1)
    devstack.ensure_database(base, name)
    redis = os.environ.get("BENCH_REDIS_URL")
    if not redis:
        server = os.environ.get("REDIS_URL") or devstack.start_redis()
        redis = f"{server.rsplit('/', 1)[0]}/12"
    return url, redis


def _env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"], env["REDIS_URL"] = _servers()
    env.pop("CELERY_BROKER_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["GONGJIAN_BENCH"] = "1"
    env["GONGJIAN_TESTING"] = "0"
    env["DEBUG"] = "0"
    env["SECRET_KEY"] = env.get("SECRET_KEY") or "bench-only-" + "x" * 50
    env["LOG_LEVEL"] = "WARNING"
    env["CACHE_KEY_PREFIX"] = "gongjian-bench"
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def _children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(p.name))
    return out


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
            with urllib.request.urlopen(req, timeout=5):  # noqa: S310 - our own local server
                return
        except urllib.error.HTTPError:  # 503 without a worker heartbeat: still an answer
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url}")


def _auth(info: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Session cookies for the pages, tokens for the API: made fresh each run."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from core.models import User
    from stakeholders.access import build_actor
    from stakeholders.services import token_create

    engine = import_module(settings.SESSION_ENGINE)

    def cookie(user: Any) -> str:
        s = engine.SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.save()
        return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"

    def token(user: Any) -> str:
        return token_create(actor=build_actor(user), name="bench")[1]

    staff = User.objects.get(pk=info["library_staff"])
    partner = User.objects.get(pk=info["partner_user"])
    reader = User.objects.get(pk=info["reader_of_library"])
    https = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}
    return {
        "staff_page": {**https, "Cookie": cookie(staff)},
        "staff_api": {**https, "Authorization": f"Token {token(staff)}"},
        "partner_api": {**https, "Authorization": f"Token {token(partner)}"},
        "reader_api": {**https, "Authorization": f"Token {token(reader)}"},
        "anon": https,
    }


def _scenarios(info: dict[str, Any], auth: dict[str, dict[str, str]], run_id: str) -> list[dict[str, Any]]:
    from stakeholders.models import Membership

    partner_org = Membership.objects.filter(user_id=info["partner_user"]).values_list("organization_id", flat=True)[0]
    lib = info["library"]
    get = "GET"
    inbox = [
        "/feedback/inbox/?status=new",
        "/feedback/inbox/?kind=complaint&theme=",
        "/feedback/inbox/?q=%E7%A9%BA%E8%B0%83",  # 空调
        "/feedback/inbox/?status=triaged&q=%E5%BA%A7%E4%BD%8D",  # 座位
        "/feedback/inbox/?tag=%E8%AE%BE%E5%A4%87",  # 设备
    ]
    kinds = ["need", "complaint", "praise"]
    return [
        {
            "name": "baseline: projects (.values)",
            "key": "baseline-projects",
            "requests": [
                {"method": get, "path": f"/bench/baseline/projects/?org={partner_org}", "headers": auth["anon"]}
            ],
        },
        {
            "name": "partner project list API",
            "key": "projects-api",
            "baseline": "baseline-projects",
            "requests": [{"method": get, "path": "/api/v1/projects/", "headers": auth["partner_api"]}],
        },
        {
            "name": "project detail page",
            "key": "project-page",
            "baseline": "baseline-projects",
            "requests": [
                {"method": get, "path": f"/alliances/projects/{info['project']}/", "headers": auth["staff_page"]}
            ],
        },
        {
            "name": "baseline: feedback (.values)",
            "key": "baseline-feedback",
            "requests": [{"method": get, "path": f"/bench/baseline/feedback/?library={lib}", "headers": auth["anon"]}],
        },
        {
            "name": "staff inbox, filters + search",
            "key": "inbox-page",
            "baseline": "baseline-feedback",
            "requests": [{"method": get, "path": p, "headers": auth["staff_page"]} for p in inbox],
        },
        {
            "name": "feedback insight page",
            "key": "insight-page",
            "baseline": "baseline-feedback",
            "requests": [{"method": get, "path": "/feedback/insight/", "headers": auth["staff_page"]}],
        },
        {
            "name": "reader feedback submission API",
            "key": "intake-api",
            "baseline": "baseline-feedback",
            "intake": True,
            "requests": [
                {
                    "method": "POST",
                    "path": "/api/v1/feedback/",
                    "headers": auth["reader_api"],
                    "body": {
                        "kind": kinds[k],
                        "text": f"[bench {run_id}] 三楼阅览室空调温度太低 {k}",
                        "subject": "空调",
                    },
                }
                for k in range(len(kinds))
            ],
        },
        {
            "name": "baseline: risks (.values)",
            "key": "baseline-risks",
            "requests": [
                {"method": get, "path": f"/bench/baseline/risks/?register={info['register']}", "headers": auth["anon"]}
            ],
        },
        {
            "name": "risk register list API",
            "key": "risks-api",
            "baseline": "baseline-risks",
            "requests": [{"method": get, "path": "/api/v1/risks/", "headers": auth["staff_api"]}],
        },
    ]


def _load(spec: dict[str, Any], env: dict[str, str], tag: str) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    spec_path, out_path = OUT / f".spec-{tag}.json", OUT / f".out-{tag}.json"
    spec_path.write_text(json.dumps(spec))
    subprocess.run([sys.executable, "-m", "bench.load", str(spec_path), str(out_path)], cwd=ROOT, env=env, check=True)
    data: dict[str, Any] = json.loads(out_path.read_text())
    spec_path.unlink()
    out_path.unlink()
    return data


def _summarise(s: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    lat, statuses, queries = data["latencies"], data["statuses"], data["queries"]
    ok = 201 if s.get("intake") else 200
    errors = sum(1 for x in statuses if x != ok)
    qs = [q for q in queries if q >= 0]
    return {
        "name": s["name"],
        "key": s["key"],
        "requests": len(lat),
        "rps": len(lat) / data["elapsed"] if data["elapsed"] else 0.0,
        "p50": _percentile(lat, 50),
        "p95": _percentile(lat, 95),
        "p99": _percentile(lat, 99),
        "errors": errors,
        "error_codes": sorted({x for x in statuses if x != ok}),
        "queries": statistics.mean(qs) if qs else None,
        "queries_max": max(qs) if qs else None,
    }


def _fanout(count: int, sink: Any, run_id: str, timeout: float = 600) -> dict[str, Any]:
    """The real path: notify_many() stores the notifications and outbox rows and enqueues deliver_batch tasks
    on commit; the Celery worker sends them over SMTP to the sink. Done when every e-mail has arrived and
    every delivery is marked sent. With fewer readers than `count`, readers are told more than once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import User
    from notifications.models import Delivery, DeliveryStatus, Notification
    from notifications.services import Notice, notify_many

    readers = list(
        User.objects.filter(is_active=True, reader_profile__isnull=False).exclude(email="").order_by("pk")[:count]
    )
    if not readers:
        raise SystemExit("no readers with an e-mail address in the bench data set")
    groups = [readers[: count - k] for k in range(0, count, len(readers))]
    event = "bench.fanout"
    title = f"Bench fan-out {run_id}"
    before_mail, before_dupes = sink.count, sink.duplicates
    t0 = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        notify_many([Notice(group, event, title, data={"run": run_id}) for group in groups])
    stored_at = time.monotonic() - t0
    mails = 0
    deliveries = Delivery.objects.filter(event=event, notification__data__run=run_id)
    while time.monotonic() - t0 < timeout:
        mails = sink.count - before_mail
        if mails >= count and not deliveries.exclude(status=DeliveryStatus.SENT).exists():
            break
        time.sleep(0.2)
    total = time.monotonic() - t0
    stored = Notification.objects.filter(event=event, data__run=run_id).count()
    sent = deliveries.filter(status=DeliveryStatus.SENT).count()
    return {
        "recipients": count,
        "distinct_readers": len(readers),
        "notifications_stored": stored,
        "store_queries": len(queries),
        "deliveries_sent": sent,
        "emails_received": mails,
        "duplicate_emails": sink.duplicates - before_dupes,
        "stored_s": stored_at,
        "total_s": total,
        "complete": stored == count and mails >= count and sent == count,
    }


def _sweep() -> dict[str, Any]:
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from risk.models import Risk
    from risk.tasks import sweep_reviews

    total = Risk.objects.count()
    now = timezone.now()
    # The same ~1 % of risks fall due afresh each run (a new review period, so new reminders are owed).
    due = Risk.objects.annotate(m=F("id") % 101).filter(m=0, archived_at__isnull=True).exclude(status="closed")
    due.update(next_review_at=now - timedelta(hours=1), sweep_at=now - timedelta(hours=1))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    due_count = due.count()
    # A beat worker has long built its URL resolver (the reminders link to the risk): the first reverse() of a
    # fresh process imports every view, about a second that is not the sweep's.
    from django.urls import NoReverseMatch, reverse

    with contextlib.suppress(NoReverseMatch):
        reverse("risk:risk-detail", args=[1])
    t0 = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = sweep_reviews()
    seconds = time.monotonic() - t0
    return {"risks": total, "due": due_count, "result": result, "queries": len(queries), "seconds": seconds}


def _intake_count(run_id: str) -> int:
    from feedback.models import Feedback

    return Feedback.objects.filter(text__startswith=f"[bench {run_id}]").count()


def _intake_check(run_id: str, created: int, before: int) -> dict[str, Any]:
    stored = _intake_count(run_id) - before
    return {"answered_201": created, "stored": stored, "all_stored": stored == created}


def _table(rows: list[dict[str, Any]]) -> str:
    head = f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'q/req':>6} {'vs base':>8} {'cpu ms':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else "-"
        q = f"{r['queries']:.1f}" if r["queries"] is not None else "-"
        cpu = f"{r['cpu_ms']:.1f}" if r.get("cpu_ms") else "-"
        lines.append(
            f"{r['name'][:34]:34} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['errors']:6d} {q:>6} {ratio:>8} {cpu:>7}"
        )
    return "\n".join(lines)


def _machine() -> dict[str, Any]:
    load = os.getloadavg()
    mem = {
        line.split(":")[0]: line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith(("MemTotal", "MemAvailable"))
    }
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "mem_total_mb": int(mem.get("MemTotal", 0)) // 1024,
        "mem_available_mb": int(mem.get("MemAvailable", 0)) // 1024,
        "loadavg": load,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "default"), help="default | small | tiny")
    parser.add_argument("--small", action="store_true", help="same as --scale small")
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", "0") or 0))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--skip", default="", help="comma-separated: load,fanout,sweep")
    parser.add_argument(
        "--fanout",
        type=int,
        default=int(os.environ.get("BENCH_FANOUT", "0") or 0),
        help="notifications in the fan-out (BENCH_FANOUT; default: the scale's, 10,000 at the default scale)",
    )
    args = parser.parse_args(argv)
    if args.small:
        args.scale = "small"
    duration = args.duration or (30.0 if args.scale in ("default", "full") else 10.0)
    skip = set(filter(None, args.skip.split(",")))
    env = _env(args)
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command

    from bench.seed import scale_named, seed
    from bench.smtpsink import SmtpSink

    scale = scale_named(args.scale)
    log(f"scale {args.scale}: {scale}")
    log(f"database {env['DATABASE_URL']}, redis {env['REDIS_URL']}")
    call_command("migrate", verbosity=0, interactive=False)
    info = seed(scale, log=log)
    if args.seed_only:
        return 0
    call_command("collectstatic", verbosity=0, interactive=False)
    machine_before = _machine()
    run_id = time.strftime("%Y%m%dT%H%M%S")
    auth = _auth(info)

    sink = SmtpSink().start()
    env.update({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"})
    env["EMAIL_PORT"] = str(sink.port)
    os.environ.update(env)
    from django.conf import settings

    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = env["EMAIL_BACKEND"], "127.0.0.1", sink.port

    gargs = shlex.split(os.environ.get("BENCH_GUNICORN_ARGS", "--workers 4 --worker-class gthread --threads 4"))
    OUT.mkdir(parents=True, exist_ok=True)
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}", *gargs,
         "--error-logfile", str(OUT / "gunicorn.log"), "--forwarded-allow-ips", "*"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = None
    results: dict[str, Any] = {
        "run": run_id,
        "scale": {"name": args.scale, **scale.__dict__},
        "duration_s": duration,
        "clients": args.clients,
        "gunicorn": gargs,
        "machine": machine_before,
        "targets": TARGETS,
    }
    try:
        _wait_http(f"http://127.0.0.1:{args.port}/healthz")
        rows: list[dict[str, Any]] = []
        if "load" not in skip:
            scenarios = _scenarios(info, auth, run_id)
            for s in scenarios:
                spec = {"host": "127.0.0.1", "port": args.port, "clients": args.clients, "requests": s["requests"]}
                _load({**spec, "duration": 2, "clients": 4}, env, "warm")  # warm caches and connections
                log(f"load: {s['name']} ({duration:.0f} s, {args.clients} clients)")
                before = _intake_count(run_id)
                cpu0 = verdict.cpu_seconds(_children(gunicorn.pid))
                row = _summarise(s, _load({**spec, "duration": duration}, env, s["key"]))
                verdict.cpu_per_request(row, verdict.cpu_seconds(_children(gunicorn.pid)) - cpu0)
                if s.get("intake"):
                    row["intake"] = _intake_check(run_id, row["requests"] - row["errors"], before)
                rows.append(row)
            by_key = {r["key"]: r for r in rows}
            for s, r in zip(scenarios, rows, strict=True):
                base = by_key.get(s.get("baseline", ""))
                r["ratio"] = r["rps"] / base["rps"] if base and base["rps"] else None
        results["endpoints"] = rows
        results["rss_mb"] = {"gunicorn_workers": [_rss_mb(p) for p in _children(gunicorn.pid)]}

        if "fanout" not in skip or "sweep" not in skip:
            from config.celery import app

            app.control.purge()
            worker = subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "worker", "-l", "warning", "-c", os.environ.get("BENCH_CELERY_CONCURRENCY", "4"),
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench-{run_id}@%h"],
                cwd=ROOT, env=env,
            )  # fmt: skip
            time.sleep(3)
        if "fanout" not in skip:
            count = args.fanout or scale.fanout
            log(f"fan-out of {count} notifications to readers through notify_many, Celery and SMTP")
            results["fanout"] = _fanout(count, sink, run_id)
        if "sweep" not in skip:
            log("risk review sweep")
            results["sweep"] = _sweep()
        if worker is not None:
            time.sleep(1)
            pids = [worker.pid, *_children(worker.pid)]
            results["rss_mb"]["celery"] = {str(p): _rss_mb(p) for p in pids}
        results["machine_after"] = _machine()
    finally:
        for proc in (gunicorn, worker):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        sink.shutdown()

    print()
    if results.get("endpoints"):
        print(_table(results["endpoints"]))
    for r in results.get("endpoints", []):
        if r.get("intake"):
            print(f"intake: {r['intake']}")
    if "fanout" in results:
        f = results["fanout"]
        print(
            f"fan-out: {f['recipients']} notifications, {f['notifications_stored']} stored in {f['stored_s']:.1f} s "
            f"({f['store_queries']} queries), {f['emails_received']} e-mails received "
            f"({f['duplicate_emails']} duplicates), {f['deliveries_sent']} marked sent, all done in {f['total_s']:.1f} s"
        )
    if "sweep" in results:
        sw = results["sweep"]
        print(
            f"sweep: {sw['risks']} risks, {sw['due']} due, one sweep {sw['seconds'] * 1000:.0f} ms, "
            f"{sw['queries']} queries ({sw['result']})"
        )
    results["verdicts"] = verdict.verdicts(results, TARGETS)
    print(verdict.render(results["verdicts"]))
    print(f"RSS MB: {json.dumps(results.get('rss_mb'))}")
    print(f"machine: {json.dumps(results['machine'])}")
    path = OUT / f"bench-{run_id}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    (OUT / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    log(f"results in {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
