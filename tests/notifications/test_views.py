"""The notification centre, the htmx bell, preferences and the operators' outbox page."""

from __future__ import annotations

from django.urls import reverse

from notifications import services
from notifications.models import Delivery, DeliveryStatus, Preference
from tests import factories as f


def test_bell_shows_the_unread_count(client, partner):
    client.force_login(partner)
    assert "data-unread" not in client.get(reverse("notifications:bell")).content.decode()
    services.notify(recipients=[partner], event="e", title="A")
    services.notify(recipients=[partner], event="e", title="B")
    assert 'data-unread="2"' in client.get(reverse("notifications:bell")).content.decode()


def test_every_page_has_the_bell_that_loads_itself_with_htmx(client, partner):
    client.force_login(partner)
    page = client.get(reverse("notifications:centre")).content.decode()
    assert f'hx-get="{reverse("notifications:bell")}"' in page


def test_centre_lists_own_notifications_and_marks_one_read_in_place(client, partner, partner_manager):
    n = services.notify(recipients=[partner], event="e", title="Trial opens", url="/t/1/")[0]
    services.notify(recipients=[partner_manager], event="e", title="Not for the member")
    client.force_login(partner)

    page = client.get(reverse("notifications:centre")).content.decode()
    assert "Trial opens" in page and "Not for the member" not in page

    response = client.post(reverse("notifications:read", args=[n.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "notifications-changed"
    assert "Mark read" not in response.content.decode()
    n.refresh_from_db()
    assert n.read_at is not None


def test_marking_someone_elses_notification_is_404(client, partner, partner_manager):
    n = services.notify(recipients=[partner_manager], event="e", title="x")[0]
    client.force_login(partner)
    assert client.post(reverse("notifications:read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read(client, partner):
    services.notify(recipients=[partner], event="e", title="A")
    services.notify(recipients=[partner], event="e", title="B")
    client.force_login(partner)
    client.post(reverse("notifications:read-all"))
    assert "data-unread" not in client.get(reverse("notifications:bell")).content.decode()


def test_preferences_page_sets_a_daily_digest_for_an_event(client, partner):
    services.notify(recipients=[partner], event="trial.opened", title="A")
    client.force_login(partner)
    assert "trial.opened" in client.get(reverse("notifications:preferences")).content.decode()

    client.post(reverse("notifications:preferences"), {"event": "trial.opened", "email": "on", "cadence": "daily"})

    pref = Preference.objects.get(user=partner, event="trial.opened")
    assert (pref.in_app, pref.email, pref.cadence) == (False, True, "daily")


def test_outbox_page_is_for_operators_only(client, partner_manager):
    delivery = services.notify_address(address="x@example.org", subject="s", body="b", event="test.invite")
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error="SMTP down")
    client.force_login(partner_manager)
    assert client.get(reverse("notifications:deliveries")).status_code == 403
    assert client.post(reverse("notifications:delivery-retry", args=[delivery.pk])).status_code == 404

    client.force_login(f.UserFactory(is_staff=True))
    assert "SMTP down" in client.get(reverse("notifications:deliveries")).content.decode()
    client.post(reverse("notifications:delivery-retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_centre_query_count_does_not_grow_with_rows(client, partner, count_queries):
    client.force_login(partner)
    services.notify(recipients=[partner], event="e", title="one", actor=f.UserFactory())
    client.get(reverse("notifications:centre"))  # warm the session and the actor
    with count_queries() as one:
        client.get(reverse("notifications:centre"))
    for n in range(19):
        services.notify(recipients=[partner], event="e", title=f"n{n}", actor=f.UserFactory())
    with count_queries() as twenty:
        page = client.get(reverse("notifications:centre")).content.decode()
    assert "n18" in page
    assert len(twenty) == len(one)


def test_event_rows_show_what_they_inherit_from_the_default_row(client, partner):
    services.notify(recipients=[partner], event="trial.opened", title="A")
    Preference.objects.create(user=partner, event="", email=False, cadence="daily")
    client.force_login(partner)
    rows = client.get(reverse("notifications:preferences")).context["rows"]
    assert [(r["event"], r["form"].initial["email"], r["custom"]) for r in rows] == [
        ("", False, True),
        ("trial.opened", False, False),
    ]
