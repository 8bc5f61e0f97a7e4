"""The provider's view of feedback routed to it: the readers' words, never who said them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import services
from tests.alliance.flow import new_project, to_development

from .conftest import act, give

pytestmark = pytest.mark.django_db

LIST = reverse("feedback:partner-list")


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def routed(p, reader):
    reader.display_name = "王小明"
    reader.email = "wxm@example.cn"
    reader.save()
    project = to_development(p, new_project(p))
    fb = give(reader, text="借还机识别太慢", rating=2, consent_contact=True)
    services.feedback_route(
        actor=act(p.librarian), feedback=[fb], project=project, title="识别速度", severity="medium",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    return fb


def test_the_provider_reads_the_words_but_never_the_reader(client, p, routed, reader):
    client.force_login(p.supplier)
    pages = [client.get(LIST), client.get(reverse("feedback:partner-detail", args=[routed.pk]))]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200 and "借还机识别太慢" in html
        for secret in ("王小明", reader.username, reader.email, reader.reader_profile.card_number_masked):
            assert secret not in html


def test_hidden_feedback_shows_no_text_to_the_provider(client, p, routed):
    services.feedback_hide(actor=act(p.librarian), feedback=routed, reason="辱骂")
    client.force_login(p.supplier)
    html = client.get(reverse("feedback:partner-detail", args=[routed.pk])).content.decode()
    assert "借还机识别太慢" not in html and "Hidden by the library" in html


def test_an_unrelated_partner_gets_nothing(client, routed, outsider):
    client.force_login(outsider)
    assert "借还机识别太慢" not in client.get(LIST).content.decode()
    assert client.get(reverse("feedback:partner-detail", args=[routed.pk])).status_code == 404


@pytest.mark.parametrize("who", ["reader", "staff"])
def test_readers_and_library_staff_have_no_partner_view(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    assert reverse("login") in client.get(LIST)["Location"]
