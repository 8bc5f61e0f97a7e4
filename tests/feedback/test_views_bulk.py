"""Inbox bulk actions beyond categorising: link many to a need, route many as one correction request.

All-or-nothing: one feedback in the wrong state refuses the whole selection, naming every offender.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import CorrectionRequest, NeedEvidence
from feedback import services
from feedback.models import Feedback
from tests import factories as f
from tests.alliance.flow import analysed_need, new_project, to_development

from .conftest import act, give

pytestmark = pytest.mark.django_db

BULK = reverse("feedback:inbox-bulk")


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _route_data(project, ids):
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    return {
        "action": "route",
        "ids": ids,
        "project": project.pk,
        "title": "借还机",
        "severity": "medium",
        "due_on": due,
    }


def test_the_inbox_offers_the_three_bulk_actions(client, p, reader):
    need = analysed_need(p)
    give(reader)
    client.force_login(p.librarian)
    page = client.get(reverse("feedback:inbox")).content.decode()
    assert 'value="link-need"' in page and 'value="route"' in page and 'value="categorise"' in page
    assert need.title in page


def test_bulk_link_to_a_need(client, p, reader):
    need = analysed_need(p)
    a, b = give(reader, kind="need", text="排长队"), give(reader, kind="need", text="借还慢")
    client.force_login(p.librarian)
    response = client.post(BULK, {"action": "link-need", "ids": [a.pk, b.pk], "need": need.pk}, follow=True)
    assert "2 feedback linked" in response.content.decode()
    assert set(Feedback.objects.values_list("need_id", flat=True)) == {need.pk}
    assert NeedEvidence.objects.filter(need=need, kind="reader_feedback").count() == 2


def test_bulk_link_refuses_the_whole_selection_if_one_is_merged(client, p, reader):
    need = analysed_need(p)
    a, b, c = give(reader, text="排长队"), give(reader, text="排长队了"), give(reader, text="借还慢")
    services.feedback_merge(actor=act(p.librarian), primary=a, duplicates=[b])
    client.force_login(p.librarian)
    page = client.post(BULK, {"action": "link-need", "ids": [a.pk, b.pk, c.pk], "need": need.pk}, follow=True)
    assert f"#{b.pk}" in page.content.decode() and "Nothing was linked" in page.content.decode()
    assert not NeedEvidence.objects.filter(kind="reader_feedback").exists()
    assert not Feedback.objects.filter(need__isnull=False).exists()


def test_bulk_route_makes_one_correction_request_for_the_selection(client, p, reader):
    project = to_development(p, new_project(p))
    a, b = give(reader, text="识别太慢"), give(reader, text="经常死机")
    client.force_login(p.librarian)
    response = client.post(BULK, _route_data(project, [a.pk, b.pk]), follow=True)
    assert "one correction request" in response.content.decode()
    correction = CorrectionRequest.objects.get()
    assert "识别太慢" in correction.description and "经常死机" in correction.description
    assert set(Feedback.objects.values_list("status", "correction_id")) == {("routed", correction.pk)}


def test_bulk_route_refuses_everything_when_one_is_in_the_wrong_state(client, p, reader):
    project = to_development(p, new_project(p))
    a, b, c = give(reader, text="识别太慢"), give(reader, text="经常死机"), give(reader, text="屏幕太暗")
    services.feedback_answer(actor=act(p.librarian), feedback=b, answer="已处理")
    services.feedback_answer(actor=act(p.librarian), feedback=c, answer="已处理")
    client.force_login(p.librarian)
    page = client.post(BULK, _route_data(project, [a.pk, b.pk, c.pk]), follow=True).content.decode()
    assert f"#{b.pk} (Answered)" in page and f"#{c.pk} (Answered)" in page and "Nothing was routed" in page
    assert not CorrectionRequest.objects.exists()
    assert Feedback.objects.get(pk=a.pk).status == "new"


def test_bulk_route_needs_the_form_filled(client, p, reader):
    project = to_development(p, new_project(p))
    a = give(reader)
    client.force_login(p.librarian)
    data = _route_data(project, [a.pk])
    del data["title"]
    client.post(BULK, data)
    assert not CorrectionRequest.objects.exists()


def test_bulk_actions_only_reach_the_staffs_own_library(client, p, reader, other_org):
    need = analysed_need(p)
    fb = give(reader)
    stranger = f.member_of(f.OrganizationFactory(kind="library"), "manager")
    client.force_login(stranger)
    client.post(BULK, {"action": "link-need", "ids": [fb.pk], "need": need.pk})
    assert Feedback.objects.get(pk=fb.pk).need_id is None
    client.force_login(reader)
    assert client.post(BULK, {"action": "link-need", "ids": [fb.pk], "need": need.pk}).status_code == 404


def test_unknown_bulk_action_changes_nothing(client, p, reader):
    fb = give(reader)
    client.force_login(p.librarian)
    page = client.post(BULK, {"action": "delete", "ids": [fb.pk]}, follow=True).content.decode()
    assert "Unknown bulk action" in page and Feedback.objects.get(pk=fb.pk).status == "new"


def test_api_bulk_route_names_every_feedback_in_the_wrong_state(api, p, reader):
    project = to_development(p, new_project(p))
    a, b = give(reader), give(reader, text="灯太暗")
    services.feedback_answer(actor=act(p.librarian), feedback=b, answer="已处理")
    response = api(p.librarian).post(
        "/api/v1/feedback/route/",
        {"feedback": [a.pk, b.pk], "project": project.pk, "title": "x", "severity": "medium",
         "due_on": (timezone.localdate() + timedelta(days=7)).isoformat()},
        format="json",
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json()["error"]["fields"]["feedback"] == [str(b.pk)]
    assert not CorrectionRequest.objects.exists()
