"""Risk pages that write: every page for anonymous, unrelated, member and manager, and each form's happy path,
field errors (never a 500) and refusals shown on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from risk import services
from risk.choices import RiskCategory
from risk.models import (
    Acceptance,
    Drill,
    EmergencyPlan,
    Incident,
    Mitigation,
    PreAssessment,
    Review,
    Risk,
    RiskRegister,
)
from tests.alliance.flow import act, new_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English, so the messages are asserted as their msgids."""
    client.cookies["django_language"] = "en"
    return client


def _html(response) -> str:
    return response.content.decode()


def _pages(w) -> list[tuple[str, str]]:
    """(name, url) of every new page reached by GET."""
    plan = services.emergency_plan_create(
        actor=act(w.p.librarian), risk=w.risk, title="泄露预案", trigger_conditions="外泄", steps="隔离", contacts="王"
    )
    assessment = services.preassessment_start(actor=act(w.p.librarian), project=w.project)
    return [
        ("register-edit", reverse("risk:register-edit", args=[w.register.pk])),
        ("register-adopt", reverse("risk:register-adopt", args=[w.register.pk])),
        ("risk-create", reverse("risk:risk-create", args=[w.register.pk])),
        ("risk-edit", reverse("risk:risk-edit", args=[w.risk.pk])),
        ("plan-edit", reverse("risk:plan-edit", args=[plan.pk])),
        ("incident-record", reverse("risk:incident-record", args=[w.register.pk])),
        ("preassessment-detail", reverse("risk:preassessment-detail", args=[assessment.pk])),
    ]


# --- who reaches which page ------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_on_every_page(w, client):
    for _name, url in [
        *_pages(w),
        ("create", reverse("risk:register-create")),
        ("pa", reverse("risk:preassessment-list")),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("risk:review-record", args=[w.risk.pk]), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unrelated_organisation_gets_404_on_every_page_and_write(w, client, outsider):
    client.force_login(outsider)
    for _name, url in [*_pages(w), ("create", reverse("risk:register-create"))]:
        assert client.get(url).status_code == 404, url
    for name in ("mitigation-add", "plan-add", "acceptance-give", "review-record", "risk-archive"):
        assert client.post(reverse(f"risk:{name}", args=[w.risk.pk]), {}).status_code == 404, name
    assert client.post(reverse("risk:preassessment-start", args=[w.project.pk])).status_code == 404
    assert client.get(reverse("risk:preassessment-list")).status_code == 200
    assert w.project.title not in _html(client.get(reverse("risk:preassessment-list")))


def test_library_member_and_manager_reach_every_page(w, client):
    pages = _pages(w)
    for user in (w.p.librarian, w.p.manager):
        client.force_login(user)
        for _name, url in [*pages, ("create", reverse("risk:register-create"))]:
            assert client.get(url).status_code == 200, (user, url)


def test_a_partner_member_sees_the_risk_but_not_the_keepers_pages(w, client):
    pages = dict(_pages(w))
    client.force_login(w.p.supplier)
    for name in ("register-edit", "register-adopt", "risk-create", "risk-edit", "plan-edit"):
        assert client.get(pages[name]).status_code == 404, name
    assert client.get(reverse("risk:register-create")).status_code == 404
    # The provider records incidents and fills the pre-assessment.
    assert client.get(pages["incident-record"]).status_code == 200
    html = _html(client.get(pages["preassessment-detail"]))
    assert "item-form" in html and "Sign for the provider" not in html  # a member, not a manager


def test_a_government_guide_may_read_but_not_keep(w, client):
    client.force_login(w.p.officer)
    assert client.get(reverse("risk:risk-edit", args=[w.risk.pk])).status_code == 404
    html = _html(client.get(reverse("risk:risk-detail", args=[w.risk.pk])))
    assert 'id="acceptance-form"' in html and 'id="mitigation-form"' not in html


# --- registers -------------------------------------------------------------------------------------------------------


def test_a_library_manager_opens_a_register_for_a_project(w, client):
    project = new_project(w.p)
    client.force_login(w.p.manager)
    url = reverse("risk:register-create")
    assert client.get(url, {"project": project.pk}).status_code == 200
    response = client.post(url, {"alliance": w.p.alliance.pk, "project": project.pk, "title": ""})
    register = RiskRegister.objects.get(project=project)
    assert response["Location"] == reverse("risk:register-detail", args=[register.pk])
    assert register.title == project.title


def test_a_library_member_may_not_open_a_register_and_is_told_why(w, client):
    client.force_login(w.p.librarian)
    response = client.post(reverse("risk:register-create"), {"alliance": w.p.alliance.pk})
    assert response.status_code == 200
    assert "Only managers of the alliance" in _html(response)
    assert RiskRegister.objects.filter(project__isnull=True).count() == 0


def test_a_second_register_for_the_same_project_is_a_clear_error(w, client):
    client.force_login(w.p.manager)
    response = client.post(reverse("risk:register-create"), {"alliance": w.p.alliance.pk, "project": w.project.pk})
    assert response.status_code == 200 and "already has a risk register" in _html(response)


def test_register_edit_rewords_the_labels_and_refuses_four(w, client):
    client.force_login(w.p.librarian)
    url = reverse("risk:register-edit", args=[w.register.pk])
    bad = client.post(url, {"title": "新名称", "likelihood_labels": "a, b, c, d", "impact_labels": "1,2,3,4,5"})
    assert bad.status_code == 200 and "exactly five" in _html(bad)
    ok = client.post(
        url, {"title": "新名称", "likelihood_labels": "极少，少，可能，很可能，几乎肯定", "impact_labels": "1,2,3,4,5"}
    )
    assert ok.status_code == 302
    w.register.refresh_from_db()
    assert w.register.title == "新名称" and w.register.likelihood_labels[4] == "几乎肯定"


def test_only_a_manager_archives_a_register(w, client):
    url = reverse("risk:register-archive", args=[w.register.pk])
    client.force_login(w.p.librarian)
    client.post(url)
    w.register.refresh_from_db()
    assert w.register.archived_at is None
    client.force_login(w.p.manager)
    assert client.post(url)["Location"] == reverse("risk:register-list")
    w.register.refresh_from_db()
    assert w.register.archived_at is not None


def test_adopting_several_templates_makes_risks_to_adjust(w, client, templates):
    client.force_login(w.p.librarian)
    url = reverse("risk:register-adopt", args=[w.register.pk])
    chosen = list(templates.filter(category__in=["security", "funding"])[:3])
    html = _html(client.get(url))
    assert all(escape(t.title_en) in html for t in chosen)
    response = client.post(url, {"templates": [t.pk for t in chosen], "owner_organization": w.p.enterprise.pk,
                                 "language": "en"})  # fmt: skip
    assert response.status_code == 302
    adopted = Risk.objects.filter(register=w.register, template__isnull=False)
    assert {r.title for r in adopted} == {t.title_en for t in chosen}
    assert {r.owner_organization_id for r in adopted} == {w.p.enterprise.pk}
    again = _html(client.get(url))  # adopted ones are no longer offered
    assert escape(chosen[0].title_en) not in again


def test_adopting_nothing_says_so_on_the_form(w, client, templates):
    client.force_login(w.p.librarian)
    response = client.post(reverse("risk:register-adopt", args=[w.register.pk]), {"language": "en"})
    assert response.status_code == 200 and "Choose at least one template" in _html(response)


# --- risks -----------------------------------------------------------------------------------------------------------


def _risk_data(**extra):
    data = {"category": "technology", "title": "系统宕机", "cause": "单点", "consequence": "停止服务",
            "owner_organization": "", "owner": "", "likelihood": "4", "impact": "4", "treatment": "mitigate",
            "residual_likelihood": "", "residual_impact": ""}  # fmt: skip
    data.update(extra)
    return data


def test_recording_a_risk_with_owner_and_scores(w, client):
    client.force_login(w.p.librarian)
    url = reverse("risk:risk-create", args=[w.register.pk])
    response = client.post(url, _risk_data(owner_organization=w.p.enterprise.pk, owner=w.p.supplier.pk,
                                           residual_likelihood="2", residual_impact="3"))  # fmt: skip
    risk = Risk.objects.get(title="系统宕机")
    assert response["Location"] == reverse("risk:risk-detail", args=[risk.pk])
    assert (risk.inherent_score, risk.residual_score, risk.owner_id) == (16, 6, w.p.supplier.pk)


@pytest.mark.parametrize(
    ("extra", "field_error"),
    [
        ({"likelihood": "9"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
        ({"category": "weather"}, "Select a valid choice"),
        ({"likelihood": "abc"}, "Select a valid choice"),
    ],
)
def test_bad_risk_input_shows_field_errors_not_a_500(w, client, extra, field_error):
    client.force_login(w.p.librarian)
    response = client.post(reverse("risk:risk-create", args=[w.register.pk]), _risk_data(**extra))
    assert response.status_code == 200 and field_error in _html(response)
    assert not Risk.objects.filter(title="系统宕机").exists()


def test_an_owner_who_does_not_act_for_the_organisation_is_refused_on_the_field(w, client, outsider):
    client.force_login(w.p.librarian)
    response = client.post(
        reverse("risk:risk-create", args=[w.register.pk]),
        _risk_data(owner_organization=w.p.library.pk, owner=w.p.supplier.pk),
    )
    assert response.status_code == 200 and "Not a member." in _html(response)


def test_editing_a_risk_rescores_and_sets_its_status(w, client):
    client.force_login(w.p.librarian)
    url = reverse("risk:risk-edit", args=[w.risk.pk])
    data = _risk_data(title="读者数据泄露（调整）", category="security", owner_organization=w.p.library.pk,
                      likelihood="5", impact="4", residual_likelihood="3", residual_impact="2", status="closed")  # fmt: skip
    assert client.post(url, data).status_code == 302
    w.risk.refresh_from_db()
    assert (w.risk.title, w.risk.inherent_level, w.risk.residual_score) == ("读者数据泄露（调整）", "critical", 6)
    assert w.risk.status == "closed" and w.risk.sweep_at is None


def test_a_risk_is_not_accepted_by_setting_its_status(w, client):
    client.force_login(w.p.librarian)
    data = _risk_data(category="security", owner_organization=w.p.library.pk, status="accepted")
    response = client.post(reverse("risk:risk-edit", args=[w.risk.pk]), data)
    assert response.status_code == 200 and "accepted through an acceptance" in _html(response)
    w.risk.refresh_from_db()
    assert w.risk.status == "open" and w.risk.title == "读者数据泄露"  # nothing half-written


def test_archiving_a_risk_takes_it_off_the_register(w, client):
    client.force_login(w.p.librarian)
    response = client.post(reverse("risk:risk-archive", args=[w.risk.pk]))
    assert response["Location"] == reverse("risk:register-detail", args=[w.register.pk])
    w.risk.refresh_from_db()
    assert w.risk.archived_at is not None
    assert client.get(reverse("risk:risk-edit", args=[w.risk.pk])).status_code == 404


# --- treatment -------------------------------------------------------------------------------------------------------


def test_mitigation_planned_then_progress_reported_by_the_owner_in_place_with_htmx(w, client):
    client.force_login(w.p.librarian)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        reverse("risk:mitigation-add", args=[w.risk.pk]),
        {"title": "加密", "owner_organization": w.p.enterprise.pk, "owner": "", "due_on": due, "description": ""},
    )
    assert response["Location"].endswith("#mitigations")
    mitigation = Mitigation.objects.get(title="加密")
    client.force_login(w.p.supplier)
    url = reverse("risk:mitigation-progress", args=[mitigation.pk])
    row = client.post(url, {"progress": "40"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and f'id="mitigation-{mitigation.pk}"' in _html(row) and "40%" in _html(row)
    bad = client.post(url, {"progress": "140"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "less than or equal to 100" in _html(bad)
    done = client.post(url, {"complete": "1"}, HTTP_HX_REQUEST="true")
    mitigation.refresh_from_db()
    assert mitigation.done_at is not None and "Done on" in _html(done)
    again = client.post(url, {"progress": "50"})  # without htmx: back to the page with the message
    assert again.status_code == 302
    mitigation.refresh_from_db()
    assert mitigation.progress == 100


def test_a_bad_mitigation_is_shown_on_the_risk_page_with_its_errors(w, client, other_org):
    client.force_login(w.p.librarian)
    response = client.post(
        reverse("risk:mitigation-add", args=[w.risk.pk]),
        {"title": "", "owner_organization": w.p.enterprise.pk, "due_on": "not-a-date"},
    )
    html = _html(response)
    assert response.status_code == 200 and "Enter a valid date" in html and '<details class="mt-2" open>' in html
    assert not Mitigation.objects.exists()


def test_emergency_plan_added_edited_and_drilled(w, client):
    client.force_login(w.p.librarian)
    client.post(
        reverse("risk:plan-add", args=[w.risk.pk]),
        {"title": "泄露应急", "trigger_conditions": "外泄", "steps": "隔离\n通报", "contacts": "王，馆长"},
    )
    plan = EmergencyPlan.objects.get(risk=w.risk)
    edit = reverse("risk:plan-edit", args=[plan.pk])
    assert client.post(edit, {"title": "泄露应急预案", "trigger_conditions": "外泄", "steps": "隔离",
                              "contacts": "王"}).status_code == 302  # fmt: skip
    plan.refresh_from_db()
    assert plan.title == "泄露应急预案"
    drill = reverse("risk:drill-add", args=[plan.pk])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = client.post(drill, {"held_on": future, "outcome": "好"})
    assert bad.status_code == 200 and "In the future." in _html(bad)
    client.force_login(w.p.supplier)  # not the owner of this risk: the drill form is refused with a reason
    refused = client.post(drill, {"held_on": timezone.localdate().isoformat(), "outcome": "好"})
    assert "Only the register&#x27;s keepers or the risk&#x27;s owner" in _html(refused)
    client.force_login(w.p.librarian)
    assert client.post(drill, {"held_on": timezone.localdate().isoformat(), "outcome": "顺利"}).status_code == 302
    assert Drill.objects.filter(plan=plan).count() == 1


# --- acceptance and review -------------------------------------------------------------------------------------------


def test_acceptance_by_a_role_not_allowed_shows_who_may(w, client):
    high = services.risk_create(
        actor=act(w.p.librarian), register=w.register, category="funding", title="资金缺口", likelihood=3, impact=4
    )
    url = reverse("risk:acceptance-give", args=[high.pk])
    data = {"rationale": "可承受", "expires_at": (timezone.localtime() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M")}
    client.force_login(w.p.librarian)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "may be accepted only by library managers" in _html(response)
    assert not Acceptance.objects.exists()
    past = client.post(url, {"rationale": "x", "expires_at": "2001-01-01T00:00"})
    assert past.status_code == 200
    client.force_login(w.p.manager)
    assert client.post(url, data).status_code == 302
    high.refresh_from_db()
    assert high.status == "accepted"


def test_an_acceptance_in_the_past_is_a_field_error(w, client):
    client.force_login(w.p.librarian)
    response = client.post(
        reverse("risk:acceptance-give", args=[w.risk.pk]), {"rationale": "ok", "expires_at": "2001-01-01T00:00"}
    )
    assert response.status_code == 200 and "In the past." in _html(response)


def test_a_review_records_new_scores_and_notes(w, client):
    client.force_login(w.p.librarian)
    url = reverse("risk:review-record", args=[w.risk.pk])
    data = {"likelihood": "4", "impact": "3", "residual_likelihood": "2", "residual_impact": "2", "notes": "已加密"}
    assert client.post(url, data)["Location"].endswith("#reviews")
    w.risk.refresh_from_db()
    assert (w.risk.inherent_score, w.risk.residual_score) == (12, 4)
    assert Review.objects.get(risk=w.risk).notes == "已加密"
    bad = client.post(url, {**data, "impact": "0"})
    assert bad.status_code == 200 and "Select a valid choice" in _html(bad)


def test_an_unrelated_partner_may_not_review(w, client):
    client.force_login(w.p.supplier)  # a project party, but the risk is the library's
    html = _html(client.get(reverse("risk:risk-detail", args=[w.risk.pk])))
    assert 'id="review-form"' not in html
    response = client.post(
        reverse("risk:review-record", args=[w.risk.pk]),
        {"likelihood": "1", "impact": "1", "residual_likelihood": "1", "residual_impact": "1"},
    )
    assert response.status_code == 200 and "Only the register&#x27;s keepers or the risk&#x27;s owner" in _html(
        response
    )


# --- incidents -------------------------------------------------------------------------------------------------------


def test_an_incident_rescores_the_linked_risks(w, client):
    other = services.risk_create(
        actor=act(w.p.librarian), register=w.register, category="other", title="其他", likelihood=1, impact=1
    )
    client.force_login(w.p.supplier)  # the provider records incidents too
    url = reverse("risk:incident-record", args=[w.register.pk])
    occurred = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "数据外泄", "occurred_at": occurred, "what_happened": "日志外泄", "impact": "300 名读者",
            "response": "封堵", "lessons": "",
            f"link_{w.risk.pk}": "on", f"likelihood_{w.risk.pk}": "5", f"impact_{w.risk.pk}": "5",
            f"residual_likelihood_{w.risk.pk}": "4", f"residual_impact_{w.risk.pk}": "5",
            f"likelihood_{other.pk}": "1", f"impact_{other.pk}": "1"}  # fmt: skip
    assert client.post(url, data)["Location"] == reverse("risk:register-detail", args=[w.register.pk])
    incident = Incident.objects.get()
    w.risk.refresh_from_db()
    other.refresh_from_db()
    assert w.risk.residual_score == 20 and other.residual_score == 1
    assert list(incident.risks.all()) == [w.risk]
    register_html = _html(client.get(reverse("risk:register-detail", args=[w.register.pk])))
    assert "数据外泄" in register_html
    for told in ("日志外泄", "300 名读者", "封堵"):  # what happened, its impact and the response are all shown
        assert told in register_html


def test_a_future_incident_is_a_field_error(w, client):
    client.force_login(w.p.librarian)
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("risk:incident-record", args=[w.register.pk]),
        {"title": "x", "occurred_at": future, "what_happened": "x", "impact": "x", "response": "x"},
    )
    assert response.status_code == 200 and "Future." in _html(response)
    assert not Incident.objects.exists()


# --- pre-assessment --------------------------------------------------------------------------------------------------


def test_preassessment_filled_then_signed_by_the_library_and_the_provider(w, client, partner_manager):
    client.force_login(w.p.librarian)
    listing = _html(client.get(reverse("risk:preassessment-list")))
    assert f'data-project="{w.project.pk}"' in listing
    response = client.post(reverse("risk:preassessment-start", args=[w.project.pk]))
    assessment = PreAssessment.objects.get(project=w.project)
    assert response["Location"] == reverse("risk:preassessment-detail", args=[assessment.pk])
    assess = reverse("risk:preassessment-assess", args=[assessment.pk])
    sign = reverse("risk:preassessment-sign", args=[assessment.pk])
    bad = client.post(assess, {"category": "technology", "finding": "", "likelihood": "7", "impact": "2"})
    assert bad.status_code == 200 and "This field is required" in _html(bad)
    for value in RiskCategory.values[:-1]:
        client.post(assess, {"category": value, "finding": f"{value} 已评估", "likelihood": "2", "impact": "2"})
    client.force_login(w.p.manager)
    client.post(sign, {"side": "library"})
    assessment.refresh_from_db()
    assert assessment.library_signed_at is None  # one category is still missing
    client.force_login(w.p.supplier)
    client.post(assess, {"category": "other", "finding": "无", "likelihood": "1", "impact": "1"})
    assert client.post(sign, {"side": "provider"}).status_code == 302  # a member: refused with a message
    assessment.refresh_from_db()
    assert assessment.provider_signed_at is None
    client.force_login(w.p.manager)
    client.post(sign, {"side": "library"})
    client.force_login(partner_manager)
    client.post(sign, {"side": "provider"})
    assessment.refresh_from_db()
    assert assessment.status == "completed"
    assert services.preassessment_check(w.project) is None
    html = _html(client.get(reverse("risk:preassessment-detail", args=[assessment.pk])))
    assert "may enter development" in html


def test_preassessment_refusals_are_messages_not_errors(w, client):
    client.force_login(w.p.librarian)
    assessment = services.preassessment_start(actor=act(w.p.librarian), project=w.project)
    response = client.post(reverse("risk:preassessment-sign", args=[assessment.pk]), {"side": "library"}, follow=True)
    assert "Categories not yet assessed" in _html(response)
    response = client.post(reverse("risk:preassessment-sign", args=[assessment.pk]), {"side": "moon"}, follow=True)
    assert "Sign as the library or as the provider" in _html(response)
    response = client.post(reverse("risk:preassessment-start", args=[w.project.pk]), follow=True)
    assert "already has a pre-assessment" in _html(response)
    unknown = client.post(reverse("risk:preassessment-assess", args=[assessment.pk]), {"category": "weather"})
    assert unknown.status_code == 302
