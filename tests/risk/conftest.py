from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from alliance import services as alliance_services
from risk import domain_templates, services
from risk.models import Risk, RiskRegister, RiskTemplate
from tests.alliance.flow import Parties, act, make_parties, new_project, staff_project, to_seeking_partners


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids), whatever the Chinese catalogue already translates."""
    with translation.override("en"):
        yield


@pytest.fixture
def templates(db):
    """The seeded templates: a transactional test elsewhere may have flushed the migration's rows."""
    domain_templates.install(RiskTemplate)
    return RiskTemplate.objects.all()


@dataclass
class World:
    p: Parties
    project: Any
    register: RiskRegister
    risk: Risk


@pytest.fixture
def p(library, enterprise, government, staff_manager, staff, partner):
    return make_parties(library, enterprise, government, staff_manager, staff, partner)


def project_with_provider(p: Parties) -> Any:
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    return project


@pytest.fixture
def w(p) -> World:
    """A project (seeking partners, provider and assistant on board) with its register and one medium risk."""
    project = project_with_provider(p)
    register = services.register_create(actor=act(p.manager), alliance=p.alliance, project=project)
    risk = services.risk_create(
        actor=act(p.librarian), register=register, category="security", title="读者数据泄露", likelihood=3, impact=3
    )
    return World(p, project, register, risk)


def add_funder(p: Parties, project: Any) -> None:
    alliance_services.project_add_participant(
        actor=act(p.manager), project=project, organization=p.government, role="funder", funding_amount=1000
    )
