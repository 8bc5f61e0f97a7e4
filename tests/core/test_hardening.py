"""Production hardening: deploy checks, security headers, HTTPS redirect, lockout and password reset."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def production_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GONGJIAN_TESTING", "DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DEBUG": "0",
            "GONGJIAN_TESTING": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "library.example.org",
        }
    )
    return env


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_reports_no_warnings_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_redirects_to_https_except_the_health_check():
    result = manage(
        "shell", "-c", "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True ['^healthz$']"


def test_settings_refuse_to_start_without_a_secret_key_in_production():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_https_redirect_spares_healthz(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    page = client.get("/accounts/login/")
    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    health = client.get("/healthz")
    assert health.status_code in (200, 503)
    assert client.get("/accounts/login/", secure=True).status_code == 200


@pytest.mark.django_db
def test_responses_carry_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_request_id_from_the_proxy_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"})
    assert response["X-Request-ID"] == "proxy-abc-12345"


@pytest.mark.django_db
def test_five_failed_sign_ins_lock_the_account_with_the_lockout_page(client):
    user = f.UserFactory(username="locked-reader")
    login = reverse("login")
    for _ in range(4):
        assert client.post(login, {"username": user.username, "password": "wrong"}).status_code == 200
    locked = client.post(login, {"username": user.username, "password": "wrong"})
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password is refused while the lock lasts.
    again = client.post(login, {"username": user.username, "password": "pass-word-123"})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = f.UserFactory(username="forgetful", email="forgetful@example.org")
    response = client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["forgetful@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    assert form.context["validlink"] is True
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Lake-West-2024!", "new_password2": "Lake-West-2024!"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Lake-West-2024!")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_forged_session_cookie_is_ignored_not_a_server_error(client):
    client.cookies["sessionid"] = "abc\x00defghijklmnop"
    response = client.get("/api/v1/organizations/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
