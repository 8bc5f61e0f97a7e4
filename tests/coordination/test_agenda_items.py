"""Agenda items are changed and taken off the agenda by the organiser, on the edit page and in the API.

A removed item is archived, not deleted, and every change is in the item's history; anyone else is refused
(404 for who cannot see the meeting or is not its organiser on the pages, 403 for an invited partner in the API).
"""

from __future__ import annotations

import pytest
from django.test import Client

from alliance.models import Project
from coordination import services
from coordination.models import AgendaItem
from core.exceptions import ConflictError, NotAllowed
from tests.alliance.flow import act, new_project
from tests.stakeholders.api_helpers import assert_error

from .conftest import schedule

pytestmark = pytest.mark.django_db

V = "/api/v1/coordination"


def _client(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _events(item):
    return list(AgendaItem.pgh_event_model.objects.filter(pgh_obj_id=item.pk).order_by("pgh_id"))


@pytest.fixture
def items(w):
    add = services.agenda_item_add
    return [add(actor=act(w.p.librarian), meeting=w.conference, title=t) for t in ("开场", "年度总结", "下一步")]


def _state():
    return sorted(AgendaItem.objects.values_list("pk", "title", "notes", "target_kind", "target_id", "archived_at"))


def test_organiser_rewords_and_relinks_an_item_and_the_history_keeps_the_old_text(w, items):
    project: Project = new_project(w.p)
    item = services.agenda_item_update(
        actor=act(w.p.librarian), item=items[1], title="年度总结与计划", notes="各单位十分钟",
        target_kind="alliance.project", target_id=project.pk,
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.title, item.notes, item.target_label) == ("年度总结与计划", "各单位十分钟", project.title)
    assert [e.title for e in _events(item)] == ["年度总结", "年度总结与计划"]
    services.agenda_item_update(actor=act(w.p.librarian), item=item, target_kind="", target_id=None)
    item.refresh_from_db()
    assert (item.target_kind, item.target_id, item.target_label) == ("", None, "")


def test_removing_archives_the_item_keeps_its_history_and_the_next_item_goes_last(w, items):
    removed = services.agenda_item_remove(actor=act(w.p.librarian), item=items[2])
    assert removed.archived_at is not None and AgendaItem.objects.filter(pk=removed.pk).exists()
    assert _events(removed)[-1].archived_at is not None
    assert list(w.conference.agenda_items.active()) == items[:2]
    added = services.agenda_item_add(actor=act(w.p.librarian), meeting=w.conference, title="补充")
    assert added.position == 3
    with pytest.raises(ConflictError):
        services.agenda_item_remove(actor=act(w.p.librarian), item=removed)


def test_only_the_organiser_changes_the_agenda_and_not_of_a_cancelled_meeting(w, items):
    before = _state()
    for user in (w.p.supplier, w.p.professor):
        with pytest.raises(NotAllowed):
            services.agenda_item_update(actor=act(user), item=items[0], title="x")
        with pytest.raises(NotAllowed):
            services.agenda_item_remove(actor=act(user), item=items[0])
    services.meeting_cancel(actor=act(w.p.librarian), meeting=w.conference)
    with pytest.raises(ConflictError):
        services.agenda_item_update(actor=act(w.p.librarian), item=items[0], title="x")
    assert _state() == before


def test_edit_page_changes_and_removes_items(w, items):
    url = f"/coordination/meetings/{w.conference.pk}/"
    client = _client(w.p.librarian)
    page = client.get(url + "edit/").content.decode()
    assert f'action="{url}agenda/{items[1].pk}/"' in page and f'action="{url}agenda/{items[1].pk}/remove/"' in page
    prefix = f"agenda-{items[1].pk}"
    response = client.post(
        f"{url}agenda/{items[1].pk}/", {f"{prefix}-title": "年度总结与计划", f"{prefix}-notes": "十分钟"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/edit/#agenda")
    items[1].refresh_from_db()
    assert (items[1].title, items[1].notes) == ("年度总结与计划", "十分钟")
    response = client.post(f"{url}agenda/{items[0].pk}/remove/")
    assert response.status_code == 302 and response["Location"].endswith("/edit/#agenda")
    items[0].refresh_from_db()
    assert items[0].archived_at is not None
    assert "“开场” is taken off the agenda." in client.get(url).content.decode()  # the message, shown once
    for page_url in (url, url + "edit/"):
        page = client.get(page_url).content.decode()
        assert "年度总结与计划" in page and "开场" not in page


def test_edit_page_shows_a_bad_change_on_the_item_and_writes_nothing(w, items):
    url = f"/coordination/meetings/{w.conference.pk}/agenda/{items[1].pk}/"
    before = _state()
    response = _client(w.p.librarian).post(url, {f"agenda-{items[1].pk}-title": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("who", ["outsider", "invited partner"])
def test_agenda_pages_are_404_for_an_outsider_and_for_an_invited_partner(w, items, outsider, who):
    user = outsider if who == "outsider" else w.p.supplier
    url = f"/coordination/meetings/{w.conference.pk}/agenda/{items[1].pk}/"
    before = _state()
    client = _client(user)
    assert client.post(url, {f"agenda-{items[1].pk}-title": "x"}).status_code == 404
    assert client.post(url + "remove/").status_code == 404
    assert _state() == before


def test_an_item_of_another_meeting_is_404_under_this_meeting(w, items):
    other = schedule(w.p, title="另一个会议")
    url = f"/coordination/meetings/{other.pk}/agenda/{items[1].pk}/"
    before = _state()
    client = _client(w.p.librarian)
    assert client.post(url + "remove/").status_code == 404
    assert_error(_api(w.p.librarian).delete(f"{V}/meetings/{other.pk}/agenda/{items[1].pk}/"), 404)
    assert _state() == before


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_changes_and_removes_items_and_refuses_others(w, items, outsider):
    url = f"{V}/meetings/{w.conference.pk}/agenda/{items[1].pk}/"
    before = _state()
    assert_error(_api(outsider).patch(url, {"title": "x"}, format="json"), 404)
    assert_error(_api(outsider).delete(url), 404)
    assert_error(_api(w.p.supplier).patch(url, {"title": "x"}, format="json"), 403)
    assert_error(_api(w.p.supplier).delete(url), 403)
    assert_error(_api(w.p.librarian).patch(url, {"title": ""}, format="json"), 400, field="title")
    bad = {"target_kind": "alliance.project", "target_id": 999999}
    assert_error(_api(w.p.librarian).patch(url, bad, format="json"), 400)
    assert _state() == before
    response = _api(w.p.librarian).patch(url, {"notes": "十分钟"}, format="json")
    assert response.status_code == 200 and response.json()["notes"] == "十分钟"
    assert _api(w.p.librarian).delete(url).status_code == 204
    assert_error(_api(w.p.librarian).delete(url), 404)
    detail = _api(w.p.librarian).get(f"{V}/meetings/{w.conference.pk}/").json()
    assert [a["title"] for a in detail["agenda_items"]] == ["开场", "下一步"]
