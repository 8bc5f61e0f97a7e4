"""The insight dashboard: the library's own figures, charts fed by JSON (no inline script), and its export."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from feedback import services

from .conftest import act, give

pytestmark = pytest.mark.django_db

URL = reverse("feedback:insight")


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def chart_data(html: str) -> dict:
    match = re.search(r'<script id="insight-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_staff_see_volume_satisfaction_and_top_needs(client, staff, reader, other_reader):
    give(reader, text="空调太冷", rating=2)
    give(reader, text="馆员很热情", kind="praise", rating=5)
    need = give(reader, text="希望增加电子阅览座位", kind="need", is_public=True)
    services.feedback_support(actor=act(other_reader), feedback=need)
    client.force_login(staff)
    html = client.get(URL).content.decode()
    data = chart_data(html)
    assert {s["name"] for s in data["kinds"]} == {"Complaint", "Praise", "Need or suggestion"}
    assert data["satisfaction"]["values"] == [3.5]
    assert "希望增加电子阅览座位" in html


def test_the_reader_who_was_answered_and_confirmed_counts_as_solved(client, staff, reader):
    fb = give(reader)
    services.feedback_resolve(actor=act(staff), feedback=fb, answer="已处理")
    services.feedback_confirm(actor=act(reader), feedback=fb)
    client.force_login(staff)
    assert client.get(URL).context["data"]["confirmed_share"] == 1.0


def test_insight_exports_as_csv(client, staff, reader):
    give(reader, text="空调太冷", rating=2)
    client.force_login(staff)
    csv = client.get(URL, {"export": "csv", "period": "day"}).content.decode("utf-8-sig")
    assert "Complaint" in csv and "Mean rating" in csv


@pytest.mark.parametrize("who", ["reader", "partner", "outsider"])
def test_only_library_staff_see_insight(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404


def test_another_librarys_feedback_is_not_counted(client, staff, reader):
    from tests import factories as f

    stranger = f.ReaderFactory(home_library=f.OrganizationFactory(kind="library")).user
    give(stranger, text="别的馆")
    client.force_login(staff)
    assert client.get(URL).context["data"]["total"] == 0
