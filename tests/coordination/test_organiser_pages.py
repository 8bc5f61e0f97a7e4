"""The organiser's pages: edit a meeting (time in its zone, place, invitees, agenda) and the attendance sheet."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from coordination.models import MeetingAttendee
from tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user=None):
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def _edit_data(meeting, **extra):
    data = {
        "kind": meeting.kind, "title": meeting.title, "starts_at": "2030-03-10T09:00", "ends_at": "2030-03-10T11:00",
        "timezone": "Europe/Berlin", "place": "", "online_url": "https://meet.example.cn/room", "visibility": "invited",
        "description": "",
    }  # fmt: skip
    data.update(extra)
    return data


@pytest.mark.parametrize("page", ["edit", "attendance"])
def test_only_the_organisers_staff_open_the_pages(w, outsider, page):
    url = f"/coordination/meetings/{w.conference.pk}/{page}/"
    assert _client().get(url).status_code == 302  # anonymous: to the log-in page
    assert _client(outsider).get(url).status_code == 404  # unrelated organisation
    assert _client(w.p.supplier).get(url).status_code == 404  # invited, not organiser
    assert _client(w.p.librarian).get(url).status_code == 200  # organiser's member
    assert _client(w.p.manager).get(url).status_code == 200  # organiser's manager


def test_edit_reads_the_time_in_the_chosen_zone_and_tells_the_invited(w):
    from notifications.models import Notification

    url = f"/coordination/meetings/{w.conference.pk}/edit/"
    response = _client(w.p.librarian).post(url, _edit_data(w.conference))
    assert response.status_code == 302
    w.conference.refresh_from_db()
    assert w.conference.starts_at.astimezone(ZoneInfo("Europe/Berlin")).hour == 9
    assert w.conference.timezone == "Europe/Berlin" and w.conference.online_url == "https://meet.example.cn/room"
    assert w.conference.sequence == 1
    assert Notification.objects.filter(recipient=w.p.supplier, event="coordination.meeting.changed").exists()


def test_edit_refuses_bad_input_with_the_errors_on_the_form(w, outsider):
    url = f"/coordination/meetings/{w.conference.pk}/edit/"
    before = (w.conference.starts_at, w.conference.place, w.conference.sequence)
    bad_time = _client(w.p.librarian).post(url, _edit_data(w.conference, ends_at="2030-03-10T08:00"))
    assert bad_time.status_code == 400 and "Before the start." in bad_time.content.decode()
    nowhere = _client(w.p.librarian).post(url, _edit_data(w.conference, online_url=""))
    assert nowhere.status_code == 400 and "Where does it happen?" in nowhere.content.decode()
    assert _client(w.p.librarian).post(url, _edit_data(w.conference, timezone="Mars/Olympus")).status_code == 400
    assert _client(outsider).post(url, _edit_data(w.conference)).status_code == 404
    w.conference.refresh_from_db()
    assert (w.conference.starts_at, w.conference.place, w.conference.sequence) == before


def test_invite_people_by_name_and_add_agenda_from_the_edit_page(w):
    url = f"/coordination/meetings/{w.conference.pk}/"
    client = _client(w.p.librarian)
    response = client.post(url + "invite/", {"from": "edit", "people": [w.p.professor.pk]})
    assert response.status_code == 302 and response["Location"].endswith("/edit/#invitees")
    assert MeetingAttendee.objects.get(meeting=w.conference, user=w.p.professor).invited
    empty = client.post(url + "invite/", {"from": "edit"})
    assert (
        empty.status_code == 400 and "Choose at least one organisation or person to invite." in empty.content.decode()
    )
    stranger = f.member_of(f.OrganizationFactory(kind="enterprise"), "member")
    assert client.post(url + "invite/", {"from": "edit", "people": [stranger.pk]}).status_code == 400
    agenda = client.post(url + "agenda/", {"from": "edit", "title": "年度计划"})
    assert agenda.status_code == 302 and agenda["Location"].endswith("/edit/#agenda")
    assert "年度计划" in client.get(url + "edit/").content.decode()


def test_attendance_sheet_records_registration_and_attendance_per_person(w):
    url = f"/coordination/meetings/{w.conference.pk}/attendance/"
    client = _client(w.p.librarian)
    page = client.get(url).content.decode()
    assert w.p.supplier.shown_name in page and w.p.professor.shown_name in page
    response = client.post(url, {f"registered_{w.p.supplier.pk}": "on", f"attended_{w.p.professor.pk}": "on"})
    assert response.status_code == 302
    supplier = MeetingAttendee.objects.get(meeting=w.conference, user=w.p.supplier)
    professor = MeetingAttendee.objects.get(meeting=w.conference, user=w.p.professor)
    assert supplier.registered_at is not None and not supplier.attended
    assert professor.attended and professor.registered_at is None
    client.post(url, {f"attended_{w.p.supplier.pk}": "on"})  # unticking a registration clears it
    supplier.refresh_from_db()
    assert supplier.registered_at is None and supplier.attended


def test_an_invited_partner_registers_from_the_meeting_page(w):
    client = _client(w.p.supplier)
    assert "Register to attend" in client.get(f"/coordination/meetings/{w.conference.pk}/").content.decode()
    assert client.post(f"/coordination/meetings/{w.conference.pk}/register/").status_code == 302
    assert MeetingAttendee.objects.get(meeting=w.conference, user=w.p.supplier).registered_at is not None


@pytest.mark.parametrize("page", ["edit", "attendance"])
def test_organiser_pages_cost_the_same_for_few_and_many_invitees(w, page, count_queries):
    from coordination import services
    from tests.alliance.flow import act

    url = f"/coordination/meetings/{w.conference.pk}/{page}/"
    client = _client(w.p.librarian)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        for org in (w.p.enterprise, w.p.university):
            f.member_of(org, "member")
    services.meeting_invite(actor=act(w.p.librarian), meeting=w.conference, organizations=[], people=[w.p.professor])
    services.meeting_register(actor=act(w.p.supplier), meeting=w.conference)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)
    assert len(few) <= 25
