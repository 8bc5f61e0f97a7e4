"""Edits and withdrawals: only those responsible change a row, and ended or archived rows stay as they were."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from alliance import selectors, services
from core.exceptions import ConflictError, DomainError, NotAllowed
from tests.alliance.flow import act, move, new_project

pytestmark = pytest.mark.django_db


def test_the_lead_library_edits_its_alliance_and_projects_until_they_end(p):
    with pytest.raises(NotAllowed):
        services.alliance_update(actor=act(p.librarian), alliance=p.alliance, name="改名")
    assert services.alliance_update(actor=act(p.manager), alliance=p.alliance, charter="新章程").charter == "新章程"
    project = new_project(p)
    with pytest.raises(NotAllowed):
        services.project_update(actor=act(p.supplier), project=project, budget=1)
    with pytest.raises(DomainError):
        services.project_update(actor=act(p.librarian), project=project, budget=-1)
    updated = services.project_update(
        actor=act(p.librarian), project=project, budget=Decimal("750000"), status="closed"
    )
    assert updated.budget == Decimal("750000") and updated.status == "draft"  # status moves only through the cycle
    move(p.manager, project, "cancel")
    with pytest.raises(ConflictError):
        services.project_update(actor=act(p.librarian), project=project, title="x")


def test_needs_are_edited_dropped_and_archived_by_the_library(p):
    need = services.need_create(actor=act(p.librarian), library=p.library, title="旧标题", category="space")
    with pytest.raises(NotAllowed):
        services.need_update(actor=act(p.supplier), need=need, title="x")
    assert services.need_update(actor=act(p.librarian), need=need, priority="urgent").priority == "urgent"
    dropped = services.need_drop(actor=act(p.librarian), need=need, reason="已由其他渠道解决")
    assert dropped.status == "dropped" and "其他渠道" in dropped.analysis
    with pytest.raises(ConflictError):
        services.need_drop(actor=act(p.librarian), need=need)
    services.need_archive(actor=act(p.librarian), need=need)
    assert not selectors.need_list_for(act(p.librarian)).exists()
    assert selectors.need_list_for(act(p.librarian), include_archived=True).get() == need


def test_a_withdrawn_standard_can_no_longer_be_declared(p):
    standard = services.guidance_issue(
        actor=act(p.officer), kind="standard", title="规范", effective_on=timezone.localdate()
    )
    project = new_project(p)
    declaration = services.project_declare_standard(actor=act(p.librarian), project=project, standard=standard)
    with pytest.raises(NotAllowed):
        services.project_withdraw_standard(actor=act(p.supplier), declaration=declaration)
    services.project_withdraw_standard(actor=act(p.librarian), declaration=declaration)
    assert selectors.government_compliance(act(p.officer)).get().standards_declared == []
    with pytest.raises(NotAllowed):
        services.guidance_archive(actor=act(p.librarian), document=standard)
    services.guidance_archive(actor=act(p.officer), document=standard)
    with pytest.raises(DomainError):
        services.project_declare_standard(actor=act(p.librarian), project=project, standard=standard)
