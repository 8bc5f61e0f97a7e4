"""Research plan outputs linked to the IP assets they became: checked against the plan's alliance, shown as links."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alliance import services as alliance_services
from alliance.services import contracts as cs
from coordination import services
from coordination.models import PlanOutput, ResearchPlan
from core.exceptions import DomainError
from notifications.models import Notification
from tests.alliance.flow import act, new_project
from tests.stakeholders.api_helpers import assert_error

pytestmark = pytest.mark.django_db

V = "/api/v1/coordination"


def _asset(p, title="借还系统源代码"):
    return cs.ip_asset_create(
        actor=act(p.librarian), project=new_project(p), title=title, kind="software",
        shares=[{"organization": p.library, "percent": 100}],
    )  # fmt: skip


def _foreign_asset(p):
    """An asset of a project of another alliance the same library leads: visible to the librarian, wrong alliance."""
    other = alliance_services.alliance_create(actor=act(p.manager), lead_library=p.library, name="另一个联盟")
    return _asset(dataclasses.replace(p, alliance=other), title="别的联盟的资产")


def _client(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _form_post(p, outputs):
    return {
        "alliance": p.alliance.pk, "title": "联合研究计划", "objectives": "AI 荐书", "budget": "0",
        "participants": [p.enterprise.pk, p.university.pk],
        "milestones": f"{(timezone.localdate() + timedelta(days=30)).isoformat()} 调研", "outputs": outputs,
    }  # fmt: skip


def _snapshot():
    return ResearchPlan.objects.count(), PlanOutput.objects.count(), Notification.objects.count()


def test_an_output_linked_to_an_asset_of_the_alliance_links_to_the_asset_on_its_ip_page(p):
    asset = _asset(p)
    plan = services.plan_create(
        actor=act(p.librarian), alliance=p.alliance, title="计划", objectives="目标", participants=[p.enterprise],
        outputs=[{"kind": "software", "title": "", "ip_asset": asset.pk}],
    )  # fmt: skip
    output = plan.outputs.get()
    assert output.ip_asset == asset and output.title == asset.title  # named after the asset when no title is given
    page = _client(p.supplier).get(f"/coordination/plans/{plan.pk}/").content.decode()
    assert f'href="/alliances/projects/{asset.project_id}/ip/#ip-asset-{asset.pk}"' in page
    ip_page = _client(p.librarian).get(f"/alliances/projects/{asset.project_id}/ip/").content.decode()
    assert f'id="ip-asset-{asset.pk}"' in ip_page and f"#{asset.pk}" in ip_page


def test_the_service_refuses_an_unknown_asset_and_one_of_another_alliance(p):
    for pk in (999999, _foreign_asset(p).pk):
        before = _snapshot()
        with pytest.raises(DomainError, match=f"No IP asset #{pk} on a project of this alliance"):
            services.plan_create(
                actor=act(p.librarian), alliance=p.alliance, title="计划", objectives="目标",
                participants=[p.enterprise], outputs=[{"kind": "patent", "title": "专利", "ip_asset": pk}],
            )  # fmt: skip
        assert _snapshot() == before


def test_the_plan_form_reads_hash_numbers_as_assets(p):
    asset = _asset(p)
    response = _client(p.librarian).post(
        "/coordination/plans/new/",
        _form_post(p, f"software: 借还系统 #{asset.pk}\npaper: C# 与图书馆\npatent: #{asset.pk}"),
    )
    assert response.status_code == 302, response.content.decode()
    plan = ResearchPlan.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert [(o.kind, o.title, o.ip_asset_id) for o in plan.outputs.order_by("id")] == [
        ("software", "借还系统", asset.pk),
        ("paper", "C# 与图书馆", None),
        ("patent", asset.title, asset.pk),
    ]


@pytest.mark.parametrize("which", ["unknown", "foreign"])
def test_the_plan_form_shows_an_error_for_an_asset_it_may_not_link_and_writes_nothing(p, which):
    pk = 999999 if which == "unknown" else _foreign_asset(p).pk
    before = _snapshot()
    response = _client(p.librarian).post("/coordination/plans/new/", _form_post(p, f"patent: 专利 #{pk}"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["outputs"] == [f"No IP asset #{pk} on a project of this alliance."]
    assert _snapshot() == before


def test_the_plan_form_refuses_a_line_without_kind_or_title(p):
    before = _snapshot()
    for outputs in ("patent:", "poem: 诗", "patent"):
        response = _client(p.librarian).post("/coordination/plans/new/", _form_post(p, outputs))
        assert response.status_code == 200 and "outputs" in response.context["form"].errors, outputs
    assert _snapshot() == before


@pytest.mark.parametrize("which", ["unknown", "foreign"])
def test_the_api_answers_400_for_an_asset_it_may_not_link_and_writes_nothing(p, api, which):
    pk = 999999 if which == "unknown" else _foreign_asset(p).pk
    body = {
        "alliance": p.alliance.pk, "title": "计划", "objectives": "目标", "participants": [p.university.pk],
        "outputs": [{"kind": "patent", "title": "专利", "ip_asset": pk}],
    }  # fmt: skip
    before = _snapshot()
    error = assert_error(
        api(p.librarian).post(f"{V}/research-plans/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"),
        400,
        field="ip_asset",
    )
    assert error["message"] == f"No IP asset #{pk} on a project of this alliance."
    assert _snapshot() == before


def test_the_api_links_an_output_to_its_asset_and_patch_checks_it_too(p, api):
    asset = _asset(p)
    client = api(p.librarian)
    body = {
        "alliance": p.alliance.pk, "title": "计划", "objectives": "目标", "participants": [p.university.pk],
        "outputs": [{"kind": "software", "title": "源代码", "ip_asset": asset.pk}],
    }  # fmt: skip
    response = client.post(f"{V}/research-plans/", body, format="json")
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["outputs"][0]["ip_asset"] == asset.pk
    assert plan["outputs"][0]["ip_asset_url"] == f"/alliances/projects/{asset.project_id}/ip/#ip-asset-{asset.pk}"
    foreign = _foreign_asset(p)
    before = _snapshot()
    patch = {"outputs": [{"kind": "patent", "title": "专利", "ip_asset": foreign.pk}]}
    assert_error(client.patch(f"{V}/research-plans/{plan['id']}/", patch, format="json"), 400, field="ip_asset")
    assert _snapshot() == before
