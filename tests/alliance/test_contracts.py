"""Contracts: drafted by the library, signed by every party, guarding development; IP shares; expiry reminders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alliance import hooks, services
from alliance.models import Contract, ContractParty, IPAsset, IPShare
from alliance.selectors_contracts import contract_list_for, ip_asset_list_for
from alliance.services import contracts as cs
from alliance.services.reminders import morning_of
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.models import Notification
from tests.alliance.contract_helpers import draft, parties, provider_manager, sign_all
from tests.alliance.flow import act, move, new_project, staff_project, to_seeking_partners

pytestmark = pytest.mark.django_db


def _ready(p):
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    return project


def test_development_is_refused_until_every_party_has_signed_then_allowed(p):
    project = _ready(p)
    contract = draft(p, project)
    with hooks.passing(hooks.RISK_PREASSESSED):
        with pytest.raises(ConflictError) as exc:
            move(p.manager, project, "start_development")
        assert "no contract of the project signed by every party" in exc.value.message
        cs.contract_sign(actor=act(p.manager), contract=contract)
        contract.refresh_from_db()
        assert contract.status == "draft"
        with pytest.raises(ConflictError):
            move(p.manager, project, "start_development")
        cs.contract_sign(actor=act(provider_manager(p)), contract=contract)
        contract.refresh_from_db()
        assert contract.status == "signed" and contract.signed_at is not None
        assert move(p.manager, project, "start_development").status == "in_development"


def test_the_registered_check_is_the_contract_check():
    assert cs.contract_signed_check in hooks.registered(hooks.CONTRACT_SIGNED)


def test_a_signed_contract_without_the_provider_does_not_open_development(p):
    project = _ready(p)
    contract = draft(p, project, parties=[
        {"organization": p.library, "role": "library"}, {"organization": p.university, "role": "assistant"},
    ])  # fmt: skip
    cs.contract_sign(actor=act(p.manager), contract=contract)
    cs.contract_sign(actor=act(p.professor), contract=contract)
    assert cs.contract_signed_check(project) == "the signed contract does not bind the project's provider"


def test_each_signature_records_who_and_when_and_only_a_manager_signs(p):
    contract = draft(p)
    with pytest.raises(NotAllowed):
        cs.contract_sign(actor=act(p.supplier), contract=contract)  # a member, not a manager
    with pytest.raises(NotAllowed):
        cs.contract_sign(actor=act(p.professor), contract=contract)  # not a party
    assert not ContractParty.objects.filter(signed_at__isnull=False).exists()
    cs.contract_sign(actor=act(p.manager), contract=contract)
    party = ContractParty.objects.get(contract=contract, organization=p.library)
    assert party.signed_by == p.manager and party.signed_at is not None
    with pytest.raises(ConflictError):
        cs.contract_sign(actor=act(p.manager), contract=contract)


def test_changing_the_terms_after_a_signature_makes_every_party_sign_again(p):
    contract = sign_all(p, draft(p))
    assert contract.status == "signed"
    updated = cs.contract_update(actor=act(p.librarian), contract=contract, value=Decimal("500000"))
    assert updated.status == "draft" and updated.signed_at is None
    assert not ContractParty.objects.filter(contract=contract, signed_at__isnull=False).exists()
    assert Notification.objects.filter(event="alliance.contract.resign", recipient=p.supplier).exists()
    # The reminder days are not terms: changing them keeps the signatures.
    cs.contract_sign(actor=act(p.manager), contract=contract)
    cs.contract_update(actor=act(p.librarian), contract=contract, remind_days_before=10)
    assert ContractParty.objects.filter(contract=contract, signed_at__isnull=False).count() == 1


def test_changing_the_parties_resets_signatures_and_access(p):
    contract = draft(p)
    cs.contract_sign(actor=act(p.manager), contract=contract)
    assert not contract_list_for(act(p.professor)).exists()
    cs.contract_update(actor=act(p.librarian), contract=contract, parties=parties(p, (p.university, "assistant")))
    assert contract_list_for(act(p.professor)).filter(pk=contract.pk).exists()
    assert not ContractParty.objects.filter(contract=contract, signed_at__isnull=False).exists()
    cs.contract_update(actor=act(p.librarian), contract=contract, parties=parties(p))
    assert not contract_list_for(act(p.professor)).exists()


def test_parties_must_be_alliance_members_and_at_least_two(p, other_org):
    with pytest.raises(DomainError, match="at least two parties"):
        draft(p, parties=parties(p)[:1])
    with pytest.raises(DomainError, match="Only members of the alliance"):
        draft(p, parties=parties(p, (other_org, "provider")))
    assert not Contract.objects.exists()


def test_only_the_lead_library_drafts(p):
    with pytest.raises(NotAllowed):
        cs.contract_create(
            actor=act(p.supplier), alliance=p.alliance, title="x", starts_on=timezone.localdate(),
            ends_on=timezone.localdate(), parties=parties(p),
        )  # fmt: skip


def test_the_lifecycle_signed_active_completed_or_terminated(p):
    contract = sign_all(p, draft(p))
    with pytest.raises(NotAllowed):
        cs.contract_activate(actor=act(p.librarian), contract=contract)  # managers only
    contract = cs.contract_activate(actor=act(p.manager), contract=contract)
    assert contract.status == "active"
    with pytest.raises(ConflictError):
        cs.contract_update(actor=act(p.librarian), contract=contract, title="改")
    assert cs.contract_complete(actor=act(p.manager), contract=contract).status == "completed"
    with pytest.raises(ConflictError):
        cs.contract_terminate(actor=act(p.manager), contract=contract, reason="x")
    other = sign_all(p, draft(p))
    with pytest.raises(DomainError, match="Only a party"):
        cs.contract_terminate(actor=act(p.manager), contract=other, reason="违约", breached_by=p.government)
    ended = cs.contract_terminate(actor=act(p.manager), contract=other, reason="逾期未交付", breached_by=p.enterprise)
    assert ended.status == "terminated" and ended.breached_by == p.enterprise


def test_visible_to_parties_the_lead_library_and_the_guiding_government_only(p, outsider):
    contract = draft(p)
    for user in (p.librarian, p.supplier, p.officer):
        assert list(contract_list_for(act(user))) == [contract]
    for user in (p.professor, outsider):  # the university is in the alliance but not a party
        assert not contract_list_for(act(user)).exists()


def test_documents_are_checked_by_content(p):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.alliance.flow import pdf

    contract = draft(p)
    doc = cs.contract_document_add(actor=act(p.supplier), contract=contract, title="合同正文", file=pdf("c.pdf"))
    assert doc.file.name.endswith(".pdf")
    fake = SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(DomainError, match="Only PDF"):
        cs.contract_document_add(actor=act(p.supplier), contract=contract, title="假", file=fake)
    with pytest.raises(NotAllowed):
        cs.contract_document_add(actor=act(p.professor), contract=contract, title="x", file=pdf())


def test_expiry_reminders_go_once_before_the_end_and_once_on_it(p):
    today = timezone.localdate()
    contract = sign_all(p, draft(p, ends_on=today + timedelta(days=40), remind_days_before=30))
    cs.contract_activate(actor=act(p.manager), contract=contract)

    def count(kind):
        return Notification.objects.filter(event=f"alliance.contract.{kind}", recipient=p.supplier).count()

    assert cs.contracts_remind_expiry(now=morning_of(today)) == 0  # not yet
    before = morning_of(today + timedelta(days=10)) + timedelta(minutes=5)
    assert cs.contracts_remind_expiry(now=before) == 1
    assert cs.contracts_remind_expiry(now=before) == 0  # run twice: once
    assert count("before_end") == 1
    end = morning_of(today + timedelta(days=40)) + timedelta(minutes=5)
    assert cs.contracts_remind_expiry(now=end) == 1
    assert cs.contracts_remind_expiry(now=end + timedelta(days=1)) == 0
    assert count("before_end") == 1 and count("expired") == 1
    # Even a row put back in the queue by hand sends nothing twice.
    Contract.objects.filter(pk=contract.pk).update(next_reminder_at=end)
    assert cs.contracts_remind_expiry(now=end + timedelta(days=2)) == 1
    assert count("expired") == 1


def test_the_beat_task_sweeps_contract_expiry(p):
    from alliance import tasks

    today = timezone.localdate()
    sign_all(p, draft(p, starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=1)))
    assert tasks.sweep_contract_reminders() == 1
    assert tasks.sweep_contract_reminders() == 0


# --- IP assets ---------------------------------------------------------------------------------------------------


def _shares(p, *percents):
    orgs = [p.library, p.enterprise, p.university]
    return [{"organization": org, "percent": Decimal(str(x))} for org, x in zip(orgs, percents, strict=False)]


def test_ip_shares_must_add_up_to_100(p):
    project = new_project(p)
    with pytest.raises(DomainError) as exc:
        services_ip(p, project, _shares(p, 60, 30))
    assert exc.value.message == "The owners' shares add up to 90%, not 100%."
    assert exc.value.fields["shares"] == ["The owners' shares add up to 90%, not 100%."]
    assert not IPAsset.objects.exists() and not IPShare.objects.exists()
    asset = services_ip(p, project, _shares(p, 60, 40))
    assert sorted(s.percent for s in asset.shares.all()) == [Decimal("40"), Decimal("60")]
    with pytest.raises(DomainError, match="add up to 110%"):
        cs.ip_asset_update(actor=act(p.librarian), asset=asset, shares=_shares(p, 60, 40, 10))
    assert asset.shares.count() == 2
    cs.ip_asset_update(actor=act(p.librarian), asset=asset, shares=_shares(p, 50, 25, 25), licence="CC BY 4.0")
    assert asset.shares.count() == 3


def services_ip(p, project, shares):
    return cs.ip_asset_create(
        actor=act(p.librarian), project=project, title="借还系统源代码", kind="software", shares=shares,
        licence="联盟成员免费使用", third_party_cleared=True,
    )  # fmt: skip


def test_ip_assets_per_deliverable_and_scoped_to_the_project(p, outsider):
    project = new_project(p)
    staff_project(p, project)
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="系统")
    asset = cs.ip_asset_create(
        actor=act(p.supplier), project=project, deliverable=deliverable, title="数据集", kind="data",
        shares=_shares(p, 100),
    )  # fmt: skip
    assert list(ip_asset_list_for(act(p.librarian), project=project)) == [asset]
    assert not ip_asset_list_for(act(outsider)).exists()
    with pytest.raises(NotAllowed):
        cs.ip_asset_create(actor=act(p.professor), project=project, title="x", kind="data", shares=_shares(p, 100))
    other = services.deliverable_create(actor=act(p.librarian), project=new_project(p), title="别的")
    with pytest.raises(DomainError, match="another project"):
        cs.ip_asset_update(actor=act(p.librarian), asset=asset, deliverable=other)


def test_one_expiry_sweep_costs_the_same_queries_however_many_contracts_are_due(p, django_assert_num_queries):
    # Set-based: claim, reminders (INSERT .. ON CONFLICT .. RETURNING), next reminder times, parties, people,
    # then notify_many (preferences, notifications, deliveries), two savepoints and their releases.
    today = timezone.localdate()
    contracts = []
    for i in range(4):
        contract = sign_all(p, draft(p, ends_on=today + timedelta(days=40 + i), remind_days_before=30))
        contracts.append(cs.contract_activate(actor=act(p.manager), contract=contract))
    before = morning_of(today + timedelta(days=15)) + timedelta(minutes=5)
    with django_assert_num_queries(12):
        assert cs.contracts_remind_expiry(now=before) == 4
    assert cs.contracts_remind_expiry(now=before) == 0
    told = Notification.objects.filter(event="alliance.contract.before_end", recipient=p.supplier)
    assert sorted(told.values_list("data__contract", flat=True)) == sorted(c.pk for c in contracts)
