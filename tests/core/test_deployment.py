"""The production files and the README stay in step with the settings they describe."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_env_vars() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'(?:env\.\w+|_secret)\("([A-Z_]+)"', source))


def test_compose_runs_migrations_once_before_the_app():
    services = compose()["services"]
    assert services["migrate"]["restart"] == "no"
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_has_exactly_one_beat():
    services = compose()["services"]
    beats = [name for name, svc in services.items() if "beat" in (svc.get("command") or [])]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1


def test_compose_requires_a_secret_key_and_checks_health():
    services = compose()["services"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert services[name]["env_file"] == ".env"
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"]
    assert "/healthz" in str(services["web"]["healthcheck"]["test"])
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_image_runs_gunicorn_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    assert final_stage.startswith("python:3.11-slim")
    assert re.search(r"^USER (?!root)\w+", final_stage, re.MULTILINE)
    assert '"gunicorn"' in final_stage
    assert "npm ci" in dockerfile
    assert "collectstatic" in dockerfile


def test_env_example_names_only_variables_something_reads():
    example = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    compose_text = (ROOT / "docker-compose.yml").read_text()
    # gunicorn reads WEB_CONCURRENCY itself.
    unread = {n for n in names if n not in settings_env_vars() and n not in compose_text} - {"WEB_CONCURRENCY"}
    assert "SECRET_KEY" in names
    assert unread == set()


def test_readme_documents_every_setting_from_the_environment():
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in settings_env_vars() if f"`{name}`" not in readme and f"`{name}_FILE`" not in readme}
    assert missing == set()
    assert "make test" in readme
