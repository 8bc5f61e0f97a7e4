import pytest


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False


@pytest.mark.django_db
def test_healthz_is_ok_with_a_fresh_heartbeat(client):
    from core.health import record_heartbeat

    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["ok"] is True
