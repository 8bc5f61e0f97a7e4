"""Reader personal data: the staff access log, the export on request, the erasure that keeps anonymised
feedback, and who may do each (pages and API)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance import services as alliance_services
from core.exceptions import ConflictError, DomainError, NotAllowed
from feedback import services as feedback_services
from feedback.models import Feedback
from notifications.models import Notification
from stakeholders import privacy
from stakeholders.access import build_actor
from stakeholders.models import ReaderDataAccess, ReaderErasure
from tests import factories as f
from tests.alliance.flow import make_parties, new_project, to_development
from tests.permissions import covers

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def act(user):
    return build_actor(user)


def give(reader, text="自习区空调太冷了", **extra):
    return feedback_services.feedback_submit(actor=act(reader), kind="complaint", text=text, **extra)


def test_every_app_holding_reader_data_is_registered():
    assert {p.name for p in privacy.providers()} >= {"feedback", "alliance", "notifications"}


def test_export_holds_profile_consents_feedback_and_notifications(reader, staff_manager):
    reader.display_name = "王小明"
    reader.email = "wang@example.com"
    reader.save()
    fb = give(reader)
    feedback_services.feedback_answer(actor=act(staff_manager), feedback=fb, answer="已调高温度")
    data = privacy.reader_export(actor=act(staff_manager), profile=reader.reader_profile)
    assert data["profile"]["display_name"] == "王小明" and data["profile"]["email"] == "wang@example.com"
    assert set(data["consents"]) == {"contact", "trials", "consented_at"}
    assert data["feedback"][0]["text"] == "自习区空调太冷了" and data["feedback"][0]["answer"] == "已调高温度"
    assert data["notifications"] and "supports" in data and "survey_responses" in data
    assert "trial_responses" in data
    assert ReaderDataAccess.objects.filter(reader=reader.reader_profile, actor=staff_manager, view="export").exists()


def test_a_reader_exports_their_own_data_without_a_log_entry(reader):
    give(reader)
    data = privacy.reader_export(actor=act(reader), profile=reader.reader_profile)
    assert len(data["feedback"]) == 1
    assert not ReaderDataAccess.objects.exists()


def test_plain_staff_partners_and_government_may_not_export_or_erase(reader, staff, partner, government):
    officer = f.member_of(government, "manager")
    for user in (staff, partner, officer):
        with pytest.raises(NotAllowed):
            privacy.reader_export(actor=act(user), profile=reader.reader_profile)
        with pytest.raises(NotAllowed):
            privacy.reader_erase(actor=act(user), profile=reader.reader_profile, reason="x", confirm="x")


def _erase(manager, reader, **extra):
    profile = reader.reader_profile
    args = {"reason": "读者 2026-12-01 来函要求删除", "confirm": profile.card_number_masked, **extra}
    return privacy.reader_erase(actor=act(manager), profile=profile, **args)


def test_erasure_keeps_anonymised_feedback_and_closes_the_account(reader, staff_manager):
    reader.display_name = "王小明"
    reader.email = "wang@example.com"
    reader.phone = "13800000000"
    reader.save()
    fb = give(reader, consent_contact=True)
    erasure = _erase(staff_manager, reader)
    fb.refresh_from_db()
    reader.refresh_from_db()
    profile = reader.reader_profile
    profile.refresh_from_db()
    assert fb.reader is None and fb.submitted_by is None and not fb.consent_contact and fb.text == "自习区空调太冷了"
    assert not reader.is_active and not reader.has_usable_password()
    assert reader.email == "" and reader.phone == "" and reader.display_name == "" and "王" not in reader.username
    assert profile.card_number_masked == "—" and not profile.consent_contact
    assert erasure.erased_by == staff_manager and "来函" in erasure.reason and erasure.summary["feedback.feedback"] == 1
    assert Feedback.objects.filter(pk=fb.pk).exists()  # kept, not deleted
    assert Notification.objects.filter(recipient=reader).exclude(body="").count() == 0


def test_erasure_removes_the_stored_replies_to_the_readers_idempotent_writes(reader, library, staff_manager):
    from rest_framework.test import APIClient

    from core.models import IdempotencyKey

    other = f.ReaderFactory(home_library=library).user
    api = APIClient()
    for who, key in ((reader, "kiosk-1"), (other, "kiosk-2")):
        api.force_authenticate(who)
        body = {"kind": "need", "text": "希望周末延长开放时间"}
        assert api.post("/api/v1/feedback/", body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert IdempotencyKey.objects.filter(user=reader, response__isnull=False).count() == 1
    erasure = _erase(staff_manager, reader)
    assert not IdempotencyKey.objects.filter(user=reader).exists()
    assert IdempotencyKey.objects.filter(user=other).count() == 1  # another reader's replies stay
    assert erasure.summary["core.idempotency_replies"] == 1


def test_erasure_blanks_trial_comments_but_keeps_scores(library, enterprise, government, staff_manager, staff, partner):
    from tests.alliance.flow import deliver, respond_all, start_trial

    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    respond_all(p, trial, [4])
    first = p.readers[0]
    alliance_services.trial_respond  # noqa: B018 - the flow used it above
    response = first.trial_responses.get()
    response.comment = "很好用"
    response.save()
    _erase(staff_manager, first.user)
    response.refresh_from_db()
    assert response.satisfaction == 4 and response.comment == ""


def test_erasure_needs_the_confirmation_and_a_reason_and_happens_once(reader, staff_manager):
    with pytest.raises(DomainError):
        _erase(staff_manager, reader, confirm="wrong")
    with pytest.raises(DomainError):
        _erase(staff_manager, reader, reason="  ")
    assert not ReaderErasure.objects.exists() and reader.reader_profile.user.is_active
    _erase(staff_manager, reader)
    with pytest.raises(ConflictError):
        _erase(staff_manager, reader, confirm="—")


def test_a_staff_member_opening_a_feedback_with_identity_is_logged(client, reader, staff):
    fb = give(reader)
    client.force_login(staff)
    assert client.get(reverse("feedback:staff-detail", args=[fb.pk])).status_code == 200
    entry = ReaderDataAccess.objects.get()
    assert (entry.actor, entry.reader, entry.view) == (staff, reader.reader_profile, "feedback detail")


def test_anonymous_feedback_is_not_logged(client, staff, library):
    fb = feedback_services.feedback_submit(actor=act(staff), library=library, kind="praise", text="很好")
    client.force_login(staff)
    client.get(reverse("feedback:staff-detail", args=[fb.pk]))
    assert not ReaderDataAccess.objects.exists()


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_privacy_pages_are_for_the_librarys_managers_only(client, reader, staff, staff_manager, partner, outsider):
    profile = reader.reader_profile
    urls = [
        reverse("stakeholders:privacy-readers"),
        reverse("stakeholders:privacy-reader", args=[profile.pk]),
        reverse("stakeholders:privacy-export", args=[profile.pk]),
        reverse("stakeholders:privacy-access-log"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
        for user in (staff, partner, outsider, reader):
            client.force_login(user)
            assert client.get(url).status_code == 404, (url, user)
        client.force_login(staff_manager)
        assert client.get(url).status_code == 200, url
        client.logout()
    client.force_login(staff)
    erase = reverse("stakeholders:privacy-erase", args=[profile.pk])
    assert client.post(erase, {"reason": "x", "confirm": profile.card_number_masked}).status_code == 404
    assert not ReaderErasure.objects.exists()


def test_the_manager_opens_exports_and_erases_through_the_pages(client, reader, staff_manager, staff):
    profile = reader.reader_profile
    give(reader)
    client.force_login(staff_manager)
    page = client.get(reverse("stakeholders:privacy-reader", args=[profile.pk])).content.decode()
    assert 'id="reader-erase"' in page
    download = client.get(reverse("stakeholders:privacy-export", args=[profile.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert json.loads(download.content)["feedback"][0]["text"] == "自习区空调太冷了"
    erase = reverse("stakeholders:privacy-erase", args=[profile.pk])
    client.post(erase, {"reason": "读者要求", "confirm": "nope"})
    assert not ReaderErasure.objects.exists()
    client.post(erase, {"reason": "读者要求", "confirm": profile.card_number_masked})
    assert ReaderErasure.objects.filter(reader=profile).exists()
    log = client.get(reverse("stakeholders:privacy-access-log")).content.decode()
    assert "reader profile" in log and "export" in log


def test_a_reader_downloads_their_own_data(client, reader, staff):
    give(reader)
    client.force_login(reader)
    data = json.loads(client.get(reverse("stakeholders:privacy-my-data")).content)
    assert data["profile"]["username"] == reader.username and len(data["feedback"]) == 1
    client.force_login(staff)
    assert client.get(reverse("stakeholders:privacy-my-data")).status_code == 404


def test_partners_and_government_never_see_reader_identity(client, api, reader, library, enterprise, government,
                                                           staff_manager, staff, partner):  # fmt: skip
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    project = to_development(p, new_project(p))
    reader.display_name = "王小明"
    reader.email = "wang@example.com"
    reader.save()
    fb = give(reader, consent_contact=True)
    feedback_services.feedback_route(
        actor=act(staff), feedback=[fb], project=project, title="识别", severity="medium",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    secrets = ("王小明", "wang@example.com", reader.username, reader.reader_profile.card_number_masked)
    officer = p.officer
    for user in (partner, officer):
        client.force_login(user)
        for url in ("/feedback/partner/", f"/feedback/partner/{fb.pk}/", f"/alliances/projects/corrections/{fb.correction_id}/"):  # fmt: skip
            body = client.get(url).content.decode()
            assert not any(s in body for s in secrets), (user, url)
        for url in ("/api/v1/feedback/", "/api/v1/feedback/partner/", f"/api/v1/readers/{reader.reader_profile.pk}/"):
            body = api(user).get(url).content.decode()
            assert not any(s in body for s in secrets), (user, url)
    assert not ReaderDataAccess.objects.exists()


# --- API -----------------------------------------------------------------------------------------------------


@covers("GET /api/v1/readers/{id}/export/", "anonymous", "unrelated", "member", "manager")
def test_api_export(api, reader, staff, staff_manager, outsider):
    url = f"/api/v1/readers/{reader.reader_profile.pk}/export/"
    assert api().get(url).status_code in (401, 403)
    assert api(outsider).get(url).status_code == 404
    assert api(staff).get(url).status_code == 403
    assert api(staff_manager).get(url).json()["profile"]["username"] == reader.username
    assert api(reader).get(url).status_code == 200
    assert ReaderDataAccess.objects.filter(actor=staff_manager, view="export").count() == 1


@covers("POST /api/v1/readers/{id}/erase/", "anonymous", "unrelated", "member", "manager")
def test_api_erase(api, reader, staff, staff_manager, outsider):
    profile = reader.reader_profile
    url = f"/api/v1/readers/{profile.pk}/erase/"
    body = {"reason": "读者要求", "confirm": profile.card_number_masked}
    assert api().post(url, body, format="json").status_code in (401, 403)
    assert api(outsider).post(url, body, format="json").status_code == 404
    assert api(staff).post(url, body, format="json").status_code == 403
    assert api(reader).post(url, body, format="json").status_code == 403
    bad = api(staff_manager).post(url, {"reason": "x", "confirm": "no"}, format="json")
    assert bad.status_code == 400 and "confirm" in bad.json()["error"]["fields"]
    assert api(staff_manager).post(url, {"reason": "x"}, format="json").status_code == 400
    assert not ReaderErasure.objects.exists()
    done = api(staff_manager).post(url, body, format="json")
    assert done.status_code == 201 and done.json()["reader"] == profile.pk
    assert api(staff_manager).post(url, {**body, "confirm": "—"}, format="json").status_code == 409


@covers("GET /api/v1/reader-data-access/", "anonymous", "unrelated", "member", "manager")
def test_api_access_log(api, client, reader, staff, staff_manager, outsider, count_queries):
    fb = give(reader)
    client.force_login(staff)
    client.get(reverse("feedback:staff-detail", args=[fb.pk]))
    url = "/api/v1/reader-data-access/"
    assert api().get(url).status_code in (401, 403)
    assert api(outsider).get(url).json()["results"] == []
    assert api(staff).get(url).json()["results"] == []
    rows = api(staff_manager).get(url).json()["results"]
    assert len(rows) == 1 and rows[0]["view"] == "feedback detail" and rows[0]["actor"] == staff.pk
    for _ in range(9):
        client.get(reverse("feedback:staff-detail", args=[fb.pk]))
    with count_queries() as two:
        api(staff_manager).get(url + "?page_size=2")
    with count_queries() as ten:
        api(staff_manager).get(url)
    assert len(two) == len(ten)


def test_api_reads_of_reader_identity_by_staff_are_logged(api, reader, staff):
    fb = give(reader)
    assert api(staff).get(f"/api/v1/feedback/{fb.pk}/").status_code == 200
    assert api(staff).get(f"/api/v1/readers/{reader.reader_profile.pk}/").status_code == 200
    assert api(reader).get(f"/api/v1/readers/{reader.reader_profile.pk}/").status_code == 200
    assert api(reader).get(f"/api/v1/feedback/{fb.pk}/").status_code == 200
    views = sorted(ReaderDataAccess.objects.values_list("view", flat=True))
    assert views == ["feedback detail (API)", "reader profile (API)"]
