"""Every event's payload carries an absolute link to the page its object is shown on, and that page opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from alliance import services as alliance_services
from core import events
from risk import services as risk_services
from tests.alliance.flow import act, move, new_project, staff_project, to_development, to_seeking_partners
from webhooks import services
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db


def _project_transitioned(p: Any) -> Any:
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    move(p.manager, project, "suspend")
    return p.manager


def _feedback_routed(p: Any) -> Any:
    from feedback import services as feedback_services
    from tests import factories as f
    from tests.feedback.conftest import give

    project = to_development(p, new_project(p))
    fb = give(f.ReaderFactory(home_library=p.library).user, text="借还机识别太慢", rating=2)
    feedback_services.feedback_route(
        actor=act(p.librarian), feedback=[fb], project=project, title="识别速度", severity="medium",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    return p.manager


def _risk_level_changed(p: Any) -> Any:
    register = risk_services.register_create(actor=act(p.manager), alliance=p.alliance, project=new_project(p))
    risk = risk_services.risk_create(
        actor=act(p.librarian), register=register, category="security", title="泄露", likelihood=2, impact=2
    )
    risk_services.review_record(
        actor=act(p.librarian), risk=risk, likelihood=5, impact=5, residual_likelihood=5, residual_impact=5
    )
    return p.manager


def _guidance_published(p: Any) -> Any:
    alliance_services.guidance_issue(
        actor=act(p.officer), kind="policy", title="智慧图书馆建设指导意见", effective_on=timezone.localdate()
    )
    return p.manager


def _meeting_scheduled(p: Any) -> Any:
    from tests.coordination.conftest import schedule

    schedule(p)
    return p.supplier


def _tranche_released(p: Any) -> Any:
    from alliance.services import funding
    from tests.alliance.funding_flow import funded

    w = funded(p, accepted=True)
    funding.tranche_release(actor=act(p.officer), tranche=w.tranche)
    return p.officer


TRIGGERS = {
    events.PROJECT_TRANSITIONED: _project_transitioned,
    events.FEEDBACK_ROUTED: _feedback_routed,
    events.RISK_LEVEL_CHANGED: _risk_level_changed,
    events.GUIDANCE_PUBLISHED: _guidance_published,
    events.MEETING_SCHEDULED: _meeting_scheduled,
    events.TRANCHE_RELEASED: _tranche_released,
}


def test_every_event_has_a_trigger_here():
    assert set(TRIGGERS) == set(events.EVENTS)


@pytest.mark.parametrize("name", events.EVENTS)
def test_the_payload_links_to_the_objects_page(name, p, partner_manager):
    heard: list[events.Event] = []
    events.listen(name, heard.append)
    try:
        viewer = TRIGGERS[name](p)
    finally:
        events.unlisten(name, heard.append)
    assert heard, name
    subscription = Subscription(organization_id=next(iter(heard[-1].organization_ids)))
    payload = services.payload_for(heard[-1], subscription)
    site = settings.SITE_URL.rstrip("/")
    assert payload["url"].startswith(site + "/"), payload
    assert payload["object"]["id"] and payload["data"]
    client = Client()
    client.force_login(viewer)
    response = client.get(payload["url"].removeprefix(site))
    assert response.status_code == 200, (name, payload["url"])
