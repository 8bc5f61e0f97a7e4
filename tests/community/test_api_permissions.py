"""Every operation of the community API for anonymous, unrelated, member and manager.

Discussions: the owning organisation is the alliance's lead library (member: its librarian; manager: its
manager, a moderator). Acknowledgements: the concerned enterprise (member: a supplier; manager: its manager),
and for asking more organisations, the issuing government body. A refused write changes nothing.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from alliance import services as alliance_services
from community import services
from community.models import Acknowledgement, Follow, Post, Thread
from tests import factories as f
from tests.alliance.flow import act
from tests.permissions import ROLES, covers
from tests.stakeholders.api_helpers import assert_error

pytestmark = pytest.mark.django_db

T = "/api/v1/community/threads"
A = "/api/v1/community/acknowledgements"


@pytest.fixture
def thread(p):
    t = services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="RFID 选型", body="开场")
    services.thread_reply(actor=act(p.supplier), thread=t, body="回复")
    return t


def _library_users(p, outsider):
    return {"anonymous": None, "unrelated": outsider, "member": p.librarian, "manager": p.manager}


def _snapshot():
    return (
        list(Thread.objects.order_by("pk").values()),
        list(Post.objects.order_by("pk").values()),
        list(Follow.objects.order_by("pk").values("thread_id", "user_id")),
        list(Acknowledgement.objects.order_by("pk").values()),
    )


@covers(f"GET {T}/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_thread_list(api, p, thread, outsider, role):
    response = api(_library_users(p, outsider)[role]).get(f"{T}/")
    if role == "anonymous":
        assert_error(response, 401)
        return
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([] if role == "unrelated" else [thread.pk])


@covers(f"GET {T}/{{id}}/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_thread_detail(api, p, thread, outsider, role):
    response = api(_library_users(p, outsider)[role]).get(f"{T}/{thread.pk}/")
    expected = {"anonymous": 401, "unrelated": 404, "member": 200, "manager": 200}[role]
    assert response.status_code == expected
    if expected == 200:
        assert [post["body"] for post in response.json()["posts"]] == ["开场", "回复"]


@covers(f"POST {T}/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_thread_create(api, p, thread, outsider, role):
    before = _snapshot()
    body = {"alliance": p.alliance.pk, "title": "新话题", "body": f"@{p.supplier.username} 看看"}
    response = api(_library_users(p, outsider)[role]).post(f"{T}/", body, format="json")
    if role in ("member", "manager"):
        assert response.status_code == 201, response.content
        assert response.json()["alliance"] == p.alliance.pk
        return
    assert_error(response, 401) if role == "anonymous" else assert_error(response, 400, field="alliance")
    assert _snapshot() == before


def test_public_topics_are_open_to_organisations_and_read_by_readers(api, p, outsider, reader):
    response = api(outsider).post(f"{T}/", {"title": "公开", "body": "大家好"}, format="json")
    assert response.status_code == 201 and response.json()["alliance"] is None
    pk = response.json()["id"]
    assert api(reader).get(f"{T}/{pk}/").status_code == 200
    assert_error(api(reader).post(f"{T}/{pk}/reply/", {"body": "x"}, format="json"), 403)
    assert_error(api(reader).post(f"{T}/", {"title": "x", "body": "y"}, format="json"), 403)


@covers(f"POST {T}/{{id}}/reply/", *ROLES)
@covers(f"POST {T}/{{id}}/follow/", *ROLES)
@covers(f"POST {T}/{{id}}/unfollow/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_reply_and_follow(api, p, thread, outsider, role):
    client = api(_library_users(p, outsider)[role])
    before = _snapshot()
    calls = [
        (f"{T}/{thread.pk}/follow/", {}, 200),
        (f"{T}/{thread.pk}/unfollow/", {}, 200),
        (f"{T}/{thread.pk}/reply/", {"body": "同意"}, 201),
    ]
    for url, body, ok in calls:
        response = client.post(url, body, format="json")
        if role in ("member", "manager"):
            assert response.status_code == ok, (url, response.content)
        else:
            assert_error(response, 401 if role == "anonymous" else 404)
    if role in ("anonymous", "unrelated"):
        assert _snapshot() == before


@covers(f"POST {T}/{{id}}/hide/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_hide(api, p, thread, outsider, role):
    reply = Post.objects.filter(thread=thread).order_by("id").last()
    before = _snapshot()
    response = api(_library_users(p, outsider)[role]).post(
        f"{T}/{thread.pk}/hide/", {"post": reply.pk, "reason": "广告"}, format="json"
    )
    if role == "manager":
        assert response.status_code == 200
        assert response.json()["is_hidden"] and response.json()["body"] == ""
        assert response.json()["hidden_reason"] == "广告"
        return
    assert_error(response, {"anonymous": 401, "unrelated": 404, "member": 403}[role])
    assert _snapshot() == before


# --- acknowledgements -------------------------------------------------------------------------------------------


@pytest.fixture
def ack(p):
    doc = alliance_services.guidance_issue(
        actor=act(p.officer), kind="policy", title="指导意见", effective_on=timezone.localdate()
    )
    return Acknowledgement.objects.get(document=doc, organization=p.enterprise)


def _enterprise_users(p, outsider, partner_manager):
    return {"anonymous": None, "unrelated": outsider, "member": p.supplier, "manager": partner_manager}


@covers(f"GET {A}/", *ROLES)
@covers(f"GET {A}/{{id}}/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_acknowledgement_reads(api, p, ack, outsider, partner_manager, role):
    client = api(_enterprise_users(p, outsider, partner_manager)[role])
    response = client.get(f"{A}/")
    if role == "anonymous":
        assert_error(response, 401)
        assert_error(client.get(f"{A}/{ack.pk}/"), 401)
        return
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([] if role == "unrelated" else [ack.pk])
    assert client.get(f"{A}/{ack.pk}/").status_code == (404 if role == "unrelated" else 200)


def test_the_issuer_sees_every_concerned_organisation(api, p, ack):
    rows = api(p.officer).get(f"{A}/", {"document": ack.document_id}).json()["results"]
    assert len(rows) == 3
    assert api(p.officer).get(f"{A}/", {"document": ack.document_id, "acknowledged": "true"}).json()["results"] == []


@covers(f"POST {A}/{{id}}/acknowledge/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_acknowledge(api, p, ack, outsider, partner_manager, role):
    before = _snapshot()
    response = api(_enterprise_users(p, outsider, partner_manager)[role]).post(
        f"{A}/{ack.pk}/acknowledge/", {"note": "已传达"}, format="json"
    )
    if role == "manager":
        assert response.status_code == 200 and response.json()["acknowledged_at"]
        assert_error(api(partner_manager).post(f"{A}/{ack.pk}/acknowledge/", {}, format="json"), 409)
        return
    assert_error(response, {"anonymous": 401, "unrelated": 404, "member": 403}[role])
    assert _snapshot() == before


@covers(f"POST {A}/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_ask_more_organisations(api, p, ack, other_org, outsider, role):
    users = {
        "anonymous": None,
        "unrelated": outsider,
        "member": f.member_of(p.government, "member"),
        "manager": p.officer,
    }
    before = _snapshot()
    body = {"document": ack.document_id, "organizations": [other_org.pk]}
    response = api(users[role]).post(f"{A}/", body, format="json")
    if role == "manager":
        assert response.status_code == 201, response.content
        assert [row["organization"]["id"] for row in response.json()] == [other_org.pk]
        return
    assert_error(response, {"anonymous": 401, "unrelated": 403, "member": 403}[role])
    assert _snapshot() == before
