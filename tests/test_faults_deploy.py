"""`manage.py check --deploy` is clean with production settings (DEBUG off, the defaults of config.settings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.faults


def test_check_deploy_is_clean_with_production_settings():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GONGJIAN_TESTING", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "GONGJIAN_TESTING": "0",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "p" * 20 + "-production-like-secret-" + "q" * 30,
            "ALLOWED_HOSTS": "gongjian.example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
