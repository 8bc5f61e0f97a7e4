"""Needs rest on evidence; partner matching ranks fitting capabilities first, weighted by credibility."""

from __future__ import annotations

import pytest

from alliance import selectors, services
from core.exceptions import ConflictError, NotAllowed
from stakeholders.models import CredibilityAssessment
from tests import factories as f
from tests.alliance.flow import act

pytestmark = pytest.mark.django_db


def _need(p, **extra):
    return services.need_create(
        actor=act(p.librarian), library=p.library, alliance=p.alliance, title="自助借还排队时间长",
        category="equipment", keywords="RFID 自助借还", description="高峰期读者排队借书，希望增加 RFID 自助借还设备", **extra,
    )  # fmt: skip


def test_a_need_is_analysed_only_with_evidence(p):
    need = _need(p)
    with pytest.raises(ConflictError) as info:
        services.need_analyse(actor=act(p.librarian), need=need, analysis="结论")
    assert "without evidence" in str(info.value)
    evidence = services.need_add_evidence(
        actor=act(p.librarian), need=need, kind="reader_feedback", summary="读者反馈排队", reference_id="fb-17"
    )
    assert evidence.reference_id == "fb-17"
    analysed = services.need_analyse(actor=act(p.librarian), need=need, analysis="需要自助设备")
    assert analysed.status == "analysed" and analysed.analysed_at is not None
    assert selectors.need_list_for(act(p.librarian)).get(pk=need.pk).evidence_count == 1


def test_only_the_library_records_its_needs(p):
    with pytest.raises(NotAllowed):
        services.need_create(actor=act(p.supplier), library=p.library, title="x", category="space")
    need = _need(p)
    with pytest.raises(NotAllowed):
        services.need_add_evidence(actor=act(p.supplier), need=need, kind="survey", summary="s")


def _capability(kind, title, title_en="", keywords="", score=None, library=None):
    org = f.OrganizationFactory(kind=kind)
    cap = f.CapabilityFactory(organization=org, title_zh=title, title_en=title_en, keywords=keywords)
    if score is not None:
        reviewer = f.member_of(library, "member")
        CredibilityAssessment.objects.create(
            organization=org, assessed_by=library, reviewer=reviewer, qualifications="q", score=score
        )
    return cap


def test_matching_ranks_the_fitting_capability_first(p):
    fitting = _capability("enterprise", "RFID 自助借还与智能书架", "RFID self-service", "RFID 自助借还")
    _capability("enterprise", "AR 导览与 VR 阅读空间", "AR guided tours", "AR VR")
    _capability("university", "图书情报专业人才培养", "LIS education", "培训")
    suggestions = selectors.partner_suggestions(_need(p))
    assert suggestions[0].capability == fitting
    assert all(s.capability.title_zh.startswith("RFID") for s in suggestions[:1])
    assert not any(s.capability.title_zh.startswith("AR") for s in suggestions)


def test_credibility_breaks_ties_between_equally_fitting_partners(p, library):
    weak = _capability("enterprise", "RFID 自助借还设备", keywords="RFID", score=40, library=library)
    strong = _capability("enterprise", "RFID 自助借还设备", keywords="RFID", score=95, library=library)
    suggestions = selectors.partner_suggestions(_need(p))
    ranked = [s.organization for s in suggestions]
    assert ranked.index(strong.organization) < ranked.index(weak.organization)
    assert suggestions[0].credibility == 95


def test_one_suggestion_per_organisation_and_members_are_marked(p):
    f.CapabilityFactory(organization=p.enterprise, title_zh="RFID 自助借还", keywords="RFID")
    f.CapabilityFactory(organization=p.enterprise, title_zh="RFID 智能书架", keywords="RFID")
    suggestions = selectors.partner_suggestions(_need(p))
    orgs = [s.organization.pk for s in suggestions]
    assert orgs.count(p.enterprise.pk) == 1
    assert next(s for s in suggestions if s.organization == p.enterprise).in_alliance


def test_a_suggested_partner_can_be_invited_for_the_need(p, outsider, other_org):
    need = _need(p)
    f.CapabilityFactory(organization=other_org, title_zh="RFID 自助借还系统", keywords="RFID 自助借还")
    suggestion = next(s for s in selectors.partner_suggestions(need) if s.organization == other_org)
    invitation = services.partner_invite(
        actor=act(p.librarian), alliance=p.alliance, organization=suggestion.organization, role="provider", need=need
    )
    assert invitation.need == need and invitation.status == "pending"
