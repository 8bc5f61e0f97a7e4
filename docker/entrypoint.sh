#!/bin/sh
# Wait for PostgreSQL, then hand over to the command (gunicorn, celery worker or beat).
# Migrations run once, in the compose file's one-shot `migrate` service, never in every replica.
set -e
python - <<'PY'
import os, sys, time

import environ
import psycopg2

cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
for attempt in range(60):
    try:
        psycopg2.connect(
            dbname=cfg["NAME"], user=cfg["USER"], password=cfg["PASSWORD"], host=cfg["HOST"], port=cfg["PORT"] or 5432,
            connect_timeout=2,
        ).close()
        break
    except psycopg2.OperationalError:
        time.sleep(1)
else:
    sys.exit("PostgreSQL did not answer within 60 s")
PY
exec "$@"
