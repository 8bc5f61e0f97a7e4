"""Contracts for tests: a draft between the lead library and the provider, and signing it through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from alliance.models import Contract, Project
from alliance.services import contracts as cs
from tests import factories as f
from tests.alliance.flow import Parties, act


def parties(p: Parties, *extra: tuple[Any, str]) -> list[dict[str, Any]]:
    return [
        {"organization": p.library, "role": "library", "obligations": "组织读者测试与验收"},
        {"organization": p.enterprise, "role": "provider", "obligations": "开发交付并整改"},
        *({"organization": org, "role": role, "obligations": ""} for org, role in extra),
    ]


def draft(p: Parties, project: Project | None = None, **overrides: Any) -> Contract:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "alliance": p.alliance,
        "project": project,
        "title": "RFID 自助借还系统开发合同",
        "terms": "交付 8 台自助借还机",
        "value": 480000,
        "starts_on": today,
        "ends_on": today + timedelta(days=180),
        "parties": parties(p),
    }
    data.update(overrides)
    return cs.contract_create(actor=act(p.librarian), **data)


def provider_manager(p: Parties) -> Any:
    return f.member_of(p.enterprise, "manager")


def sign_all(p: Parties, contract: Contract, enterprise_manager: Any | None = None) -> Contract:
    cs.contract_sign(actor=act(p.manager), contract=contract)
    return cs.contract_sign(actor=act(enterprise_manager or provider_manager(p)), contract=contract)
