# syntax=docker/dockerfile:1
# Gongjian production image: gunicorn serves the app; the same image runs the Celery worker and beat.

# --- front-end libraries: pinned in package-lock.json, served from our own static files (no CDN) ---
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- Python dependencies, vendored assets, compiled messages and collected static files ---
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml requirements.lock ./
# Only the runtime dependencies go into the venv, pinned by the lock; the project runs from /app.
RUN python -m venv /opt/venv \
    && python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
       > /tmp/requirements.txt \
    && /opt/venv/bin/pip install -c requirements.lock -r /tmp/requirements.txt
COPY . .
COPY --from=assets /src/node_modules ./node_modules
ENV PATH=/opt/venv/bin:$PATH
# Settings refuse to load without a secret key; these build steps never use it.
RUN python scripts/vendor_assets.py \
    && SECRET_KEY=build-only python manage.py compilemessages --ignore node_modules \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && rm -rf node_modules

# --- runtime: no compilers, no node, not root ---
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings MEDIA_ROOT=/data/media
RUN groupadd --system gongjian && useradd --system --gid gongjian --home /app gongjian \
    && mkdir -p /data/media /data/beat && chown -R gongjian:gongjian /data
COPY --from=build /opt/venv /opt/venv
# The code stays owned by root: the app user can write only to /data (uploads, beat schedule).
COPY --from=build /app /app
WORKDIR /app
USER gongjian
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
