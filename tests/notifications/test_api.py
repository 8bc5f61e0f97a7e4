"""Notifications API: each person their own inbox and preferences; operators alone see and retry the outbox.

Roles: anonymous (no credentials), unrelated (acting for another organisation), member and manager of the
organisation whose people are notified. Notifications are personal, so "unrelated" is someone else's inbox.
"""

from __future__ import annotations

import pytest

from notifications import services
from notifications.models import Delivery, DeliveryStatus, Notification, Preference
from tests import factories as f
from tests.permissions import covers

LIST = "/api/v1/notifications/"


@pytest.fixture
def inbox(partner, partner_manager):
    """One notification for the member and one for the manager of the enterprise."""
    services.notify(recipients=[partner], event="project.approved", title="For the member", url="/p/1/")
    services.notify(recipients=[partner_manager], event="project.approved", title="For the manager")
    return {
        "member": Notification.objects.get(recipient=partner),
        "manager": Notification.objects.get(recipient=partner_manager),
    }


def _anonymous_refused(response):
    assert response.status_code in (401, 403)


@covers("GET /api/v1/notifications/", "anonymous", "unrelated", "member", "manager")
def test_notification_list_shows_each_person_only_their_own(api, inbox, partner, partner_manager, outsider):
    _anonymous_refused(api(None).get(LIST))
    assert api(outsider).get(LIST).json()["results"] == []
    assert [n["title"] for n in api(partner).get(LIST).json()["results"]] == ["For the member"]
    assert [n["title"] for n in api(partner_manager).get(LIST).json()["results"]] == ["For the manager"]


@covers("GET /api/v1/notifications/{id}/", "anonymous", "unrelated", "member", "manager")
def test_notification_detail_is_404_for_anyone_but_the_recipient(api, inbox, partner, partner_manager, outsider):
    url = f"{LIST}{inbox['member'].pk}/"
    _anonymous_refused(api(None).get(url))
    assert api(outsider).get(url).status_code == 404
    assert api(partner_manager).get(url).status_code == 404
    assert api(partner).get(url).json()["title"] == "For the member"


@covers("POST /api/v1/notifications/{id}/read/", "anonymous", "unrelated", "member", "manager")
def test_marking_read_works_only_on_ones_own_notification(api, inbox, partner, partner_manager, outsider):
    url = f"{LIST}{inbox['member'].pk}/read/"
    _anonymous_refused(api(None).post(url))
    assert api(outsider).post(url).status_code == 404
    assert api(partner_manager).post(url).status_code == 404
    inbox["member"].refresh_from_db()
    assert inbox["member"].read_at is None

    response = api(partner).post(url)
    assert response.status_code == 200 and response.json()["is_read"] is True


@covers("POST /api/v1/notifications/read-many/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/notifications/read-all/", "anonymous", "unrelated", "member", "manager")
def test_read_many_and_read_all_touch_only_ones_own(api, inbox, partner, partner_manager, outsider):
    ids = [inbox["member"].pk, inbox["manager"].pk]
    _anonymous_refused(api(None).post(f"{LIST}read-many/", {"ids": ids}))
    _anonymous_refused(api(None).post(f"{LIST}read-all/"))
    assert api(outsider).post(f"{LIST}read-many/", {"ids": ids}).json() == {"count": 0}
    assert api(outsider).post(f"{LIST}read-all/").json() == {"count": 0}
    assert api(partner).post(f"{LIST}read-many/", {"ids": ids}).json() == {"count": 1}
    assert api(partner_manager).post(f"{LIST}read-all/").json() == {"count": 1}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@covers("GET /api/v1/notifications/unread-count/", "anonymous", "unrelated", "member", "manager")
def test_unread_count_and_unread_filter(api, inbox, partner, partner_manager, outsider):
    _anonymous_refused(api(None).get(f"{LIST}unread-count/"))
    assert api(outsider).get(f"{LIST}unread-count/").json() == {"count": 0}
    assert api(partner_manager).get(f"{LIST}unread-count/").json() == {"count": 1}
    api(partner).post(f"{LIST}{inbox['member'].pk}/read/")
    assert api(partner).get(f"{LIST}unread-count/").json() == {"count": 0}
    assert api(partner).get(f"{LIST}?unread=true").json()["results"] == []


def test_notification_list_query_count_does_not_grow_with_rows(api, partner, count_queries):
    client = api(partner)
    services.notify(recipients=[partner], event="e", title="one", actor=f.UserFactory())
    with count_queries() as one:
        assert len(client.get(LIST).json()["results"]) == 1
    for n in range(19):
        services.notify(recipients=[partner], event="e", title=f"n{n}", actor=f.UserFactory())
    with count_queries() as twenty:
        assert len(client.get(LIST).json()["results"]) == 20
    assert len(twenty) == len(one)


PREFS = "/api/v1/notification-preferences/"


@covers("GET /api/v1/notification-preferences/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/notification-preferences/", "anonymous", "unrelated", "member", "manager")
def test_preferences_are_personal(api, partner, partner_manager, outsider):
    _anonymous_refused(api(None).get(PREFS))
    _anonymous_refused(api(None).post(PREFS, {"event": "", "email": False}))
    body = {"event": "project.approved", "in_app": True, "email": True, "cadence": "daily"}
    assert api(partner).post(PREFS, body).status_code == 200
    assert api(partner_manager).post(PREFS, {**body, "email": False}).status_code == 200
    assert api(partner).post(PREFS, {**body, "cadence": "hourly"}).status_code == 400

    assert api(outsider).get(PREFS).json() == []
    assert api(outsider).post(PREFS, {"event": "", "email": False}).status_code == 200  # their own default
    assert [(p["event"], p["cadence"]) for p in api(partner).get(PREFS).json()] == [("project.approved", "daily")]
    assert [p["email"] for p in api(partner_manager).get(PREFS).json()] == [False]
    assert Preference.objects.filter(user=partner).count() == 1
    assert Preference.objects.count() == 3


DELIVERIES = "/api/v1/notification-deliveries/"


@pytest.fixture
def failed_delivery(db):
    delivery = services.notify_address(address="x@example.org", subject="s", body="b", event="test.invite")
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=8, last_error="SMTP down")
    return delivery


@covers("GET /api/v1/notification-deliveries/", "anonymous", "unrelated", "member", "manager")
def test_only_operators_see_failed_deliveries(api, failed_delivery, partner, partner_manager, outsider):
    _anonymous_refused(api(None).get(DELIVERIES))
    for user in (outsider, partner, partner_manager):
        assert api(user).get(DELIVERIES).status_code == 403
    operator = f.UserFactory(is_staff=True)
    rows = api(operator).get(DELIVERIES).json()["results"]
    assert [(r["id"], r["last_error"]) for r in rows] == [(failed_delivery.pk, "SMTP down")]
    assert api(operator).get(f"{DELIVERIES}?status=sent").json()["results"] == []


@covers("POST /api/v1/notification-deliveries/{id}/retry/", "anonymous", "unrelated", "member", "manager")
def test_only_operators_retry_failed_deliveries(api, failed_delivery, partner, partner_manager, outsider, mailoutbox):
    url = f"{DELIVERIES}{failed_delivery.pk}/retry/"
    _anonymous_refused(api(None).post(url))
    for user in (outsider, partner, partner_manager):
        assert api(user).post(url).status_code == 403
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.FAILED

    operator = f.UserFactory(is_staff=True)
    response = api(operator).post(url)
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert api(operator).post(url).status_code == 409  # no longer failed
    services.outbox_sweep()
    assert [m.to for m in mailoutbox] == [["x@example.org"]]
