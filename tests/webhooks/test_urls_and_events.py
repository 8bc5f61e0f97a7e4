"""URL rules (SSRF) and the event bus wired into alliance, risk and feedback services."""

from __future__ import annotations

import socket

import pytest
from django.utils import timezone

from alliance import services as alliance_services
from core import events
from core.exceptions import DomainError
from risk import services as risk_services
from tests.alliance.flow import act, move, new_project, staff_project, to_seeking_partners
from webhooks import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.TESTING = False


@pytest.fixture
def public_dns(monkeypatch):
    """Names resolve as in this table (no network in tests)."""
    table = {
        "hooks.example.com": "93.184.216.34",
        "intranet.example.com": "10.1.2.3",
        "meta.example.com": "169.254.169.254",
    }

    def resolve(host, *args, **kwargs):
        if host not in table:
            raise socket.gaierror("unknown")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # not https
        "https://intranet.example.com/x",  # private network
        "https://meta.example.com/latest",  # link-local (cloud metadata)
        "https://10.0.0.8/x",
        "https://127.0.0.1/x",
        "http://localhost:8000/x",
        "https://[::1]/x",
        "https://nowhere.example.com/x",  # does not resolve
        "https://user:pw@hooks.example.com/x",
        "ftp://hooks.example.com/x",
        "not a url",
    ],
)
def test_production_refuses(url, production, public_dns):
    with pytest.raises(DomainError) as exc:
        services.check_url(url)
    assert "url" in exc.value.fields


def test_production_accepts_public_https(production, public_dns):
    assert services.check_url(" https://hooks.example.com/x ") == "https://hooks.example.com/x"


def test_localhost_is_allowed_while_testing():
    assert services.check_url("http://localhost:8000/x") == "http://localhost:8000/x"
    assert services.check_url("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000/x"


def test_sending_resolves_again_and_refuses_a_name_repointed_inside(production, public_dns):
    status, _body, error = services._post("https://intranet.example.com/x", b"{}", {})
    assert status is None and "private" in error


def test_the_signature_is_hmac_over_timestamp_and_body():
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert services.sign("s3cret", "1700000000", b"{}") == f"sha256={expected}"


# --- the events the services emit ----------------------------------------------------------------------------


@pytest.fixture
def heard():
    got: list[events.Event] = []
    events.listen(events.ANY, got.append)
    yield got
    events.unlisten(events.ANY, got.append)


def test_unknown_event_names_are_refused():
    with pytest.raises(ValueError):
        events.emit("nope", obj=None, organization_ids=[], data={})
    with pytest.raises(ValueError):
        events.listen("nope", print)
    assert {"meeting.scheduled", "tranche.released"} <= set(events.EVENTS)


def test_project_transition_emits_with_the_project_parties(p, heard):
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    heard.clear()
    move(p.manager, project, "suspend")
    (event,) = [e for e in heard if e.name == events.PROJECT_TRANSITIONED]
    assert event.obj.pk == project.pk and event.data["to"] == "suspended"
    assert event.organization_ids == {p.library.pk, p.enterprise.pk, p.university.pk}


def test_risk_level_change_emits_only_when_the_level_moves(p, heard):
    project = new_project(p)
    register = risk_services.register_create(actor=act(p.manager), alliance=p.alliance, project=project)
    risk = risk_services.risk_create(
        actor=act(p.librarian), register=register, category="security", title="泄露", likelihood=3, impact=3
    )
    heard.clear()
    risk_services.review_record(
        actor=act(p.librarian), risk=risk, likelihood=3, impact=3, residual_likelihood=3, residual_impact=3
    )
    assert [e for e in heard if e.name == events.RISK_LEVEL_CHANGED] == []
    risk_services.review_record(
        actor=act(p.librarian), risk=risk, likelihood=5, impact=5, residual_likelihood=5, residual_impact=5
    )
    (event,) = [e for e in heard if e.name == events.RISK_LEVEL_CHANGED]
    assert event.data["risk"] == risk.pk and event.data["to"] != event.data["from"]
    assert p.library.pk in event.organization_ids


def test_guidance_published_emits_to_issuer_and_concerned(p, heard):
    doc = alliance_services.guidance_issue(
        actor=act(p.officer), kind="policy", title="智慧图书馆建设指导意见", effective_on=timezone.localdate()
    )
    (event,) = [e for e in heard if e.name == events.GUIDANCE_PUBLISHED]
    assert event.obj == doc
    assert set(event.data["concerns"]) == {p.library.pk, p.enterprise.pk, p.university.pk}
    assert event.organization_ids == {p.government.pk, p.library.pk, p.enterprise.pk, p.university.pk}


def test_feedback_routed_emits_ids_only(p, reader, heard):
    from datetime import timedelta

    from feedback import services as feedback_services
    from tests.alliance.flow import to_development
    from tests.feedback.conftest import give

    project = to_development(p, new_project(p))
    fb = give(reader, text="借还机识别太慢", rating=2, consent_contact=True)
    heard.clear()
    correction = feedback_services.feedback_route(
        actor=act(p.librarian), feedback=[fb], project=project, title="识别速度", severity="medium",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    (event,) = [e for e in heard if e.name == events.FEEDBACK_ROUTED]
    assert event.data == {"correction": correction.pk, "project": project.pk, "feedback": [fb.pk]}
    assert event.organization_ids == {p.library.pk, p.enterprise.pk}


def test_tranche_release_emits_once_to_the_project_parties_and_the_funder(p, heard):
    from alliance.services import funding
    from tests.alliance.funding_flow import funded

    w = funded(p, accepted=True)
    heard.clear()
    funding.tranche_release(actor=act(p.officer), tranche=w.tranche)
    funding.tranche_release(actor=act(p.officer), tranche=w.tranche)  # a second release changes nothing
    (event,) = [e for e in heard if e.name == events.TRANCHE_RELEASED]
    assert event.obj.pk == w.tranche.pk and event.data["milestone"] == w.tranche.milestone_id
    assert {p.library.pk, p.government.pk} <= event.organization_ids
    assert set(event.data) == {"project", "alliance", "tranche", "milestone", "amount"}
