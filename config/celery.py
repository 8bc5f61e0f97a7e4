"""The Celery app. Tasks are thin: ids in, re-fetch, guard on state, call a service."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gongjian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
