"""The transition table: every move allowed with its guard met, refused without it, and only by the right party."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance import cycle, hooks, services
from alliance.models import Project, Transition
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.models import Notification
from tests.alliance.flow import (
    act,
    analysed_need,
    deliver,
    move,
    new_project,
    respond_all,
    staff_project,
    start_trial,
    to_development,
    to_seeking_partners,
)

pytestmark = pytest.mark.django_db


def _refused(user, project, name, exc=ConflictError):
    before = Project.objects.get(pk=project.pk).status
    count = Transition.objects.filter(project=project).count()
    with pytest.raises(exc) as info:
        move(user, project, name)
    assert Project.objects.get(pk=project.pk).status == before
    assert Transition.objects.filter(project=project).count() == count
    return str(info.value)


def test_every_status_appears_in_the_table_and_every_target_is_a_status():
    statuses = set(cycle.S.values)
    sources = {s for rule in cycle.TRANSITIONS for s in rule.sources}
    targets = {rule.target for rule in cycle.TRANSITIONS if rule.target}
    assert sources | targets == statuses
    assert len(cycle.RULES) == len(cycle.TRANSITIONS)


def test_a_transition_records_who_when_from_and_to_and_notifies_the_parties(p):
    project = new_project(p)
    staff_project(p, project)
    move(p.librarian, project, "start_analysis", note="开始需求分析")
    record = Transition.objects.get(project=project)
    assert (record.from_status, record.to_status, record.actor, record.organization) == (
        "draft", "needs_analysis", p.librarian, p.library,
    )  # fmt: skip
    assert record.note == "开始需求分析"
    told = set(Notification.objects.filter(event="alliance.project.start_analysis").values_list("recipient", flat=True))
    assert {p.supplier.pk, p.professor.pk, p.manager.pk} <= told
    assert p.librarian.pk not in told  # the actor is not told of their own move


def test_seeking_partners_needs_an_analysed_need(p):
    project = services.project_create(actor=act(p.librarian), alliance=p.alliance, title="空间改造")
    move(p.librarian, project, "start_analysis")
    assert "no analysed need" in _refused(p.librarian, project, "seek_partners")
    need = services.need_create(actor=act(p.librarian), library=p.library, title="研讨空间不足", category="space")
    services.project_link_need(actor=act(p.librarian), project=project, need=need)
    assert "no analysed need" in _refused(p.librarian, project, "seek_partners")
    services.need_add_evidence(actor=act(p.librarian), need=need, kind="observation", summary="研讨室长期满座")
    services.need_analyse(actor=act(p.librarian), need=need, analysis="需增加研讨空间")
    assert move(p.librarian, project, "seek_partners").status == "seeking_partners"


def test_development_without_partners_contract_or_risk_assessment_names_everything_missing(p):
    project = new_project(p)
    to_seeking_partners(p, project)
    with hooks.cleared():  # as before the agreements and risk apps plug their checks in
        message = _refused(p.manager, project, "start_development")
    for missing in (
        "no provider",
        "no assistant",
        "signed contract missing",
        "risk pre-assessment missing (risk module not installed)",
    ):
        assert missing in message
    staff_project(p, project)
    with hooks.cleared():
        message = _refused(p.manager, project, "start_development")
    assert "no provider" not in message and "signed contract missing" in message
    with hooks.cleared(), hooks.passing(hooks.CONTRACT_SIGNED):
        message = _refused(p.manager, project, "start_development")
    assert "signed contract" not in message and "risk pre-assessment missing" in message
    with hooks.passing():
        assert move(p.manager, project, "start_development").status == "in_development"


def test_a_registered_hook_that_says_no_refuses_with_its_own_reason(p):
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)

    def unassessed(project):
        return "risk pre-assessment not approved"

    with hooks.cleared():
        hooks.register(hooks.RISK_PREASSESSED, unassessed)
        with hooks.passing(hooks.CONTRACT_SIGNED):
            assert "risk pre-assessment not approved" in _refused(p.manager, project, "start_development")
        assert hooks.registered(hooks.RISK_PREASSESSED) == [unassessed]
    assert unassessed not in hooks.registered(hooks.RISK_PREASSESSED)


def test_only_library_managers_start_development(p):
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    with hooks.passing():
        _refused(p.librarian, project, "start_development", NotAllowed)
        _refused(p.supplier, project, "start_development", NotAllowed)
        move(p.manager, project, "start_development")


def test_delivery_needs_a_version_of_this_round_and_is_done_by_the_provider(p):
    project = new_project(p)
    to_development(p, project)
    assert "no deliverable version" in _refused(p.supplier, project, "deliver")
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="自助借还系统")
    from tests.alliance.flow import pdf

    services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=pdf())
    _refused(p.librarian, project, "deliver", NotAllowed)
    assert move(p.supplier, project, "deliver").status == "delivered"


def test_trial_needs_a_plan_and_invited_readers(p):
    project = new_project(p)
    to_development(p, project)
    version = deliver(p, project)
    assert "no trial plan" in _refused(p.librarian, project, "start_trial")
    today = timezone.localdate()
    trial = services.trial_plan(
        actor=act(p.librarian), project=project, version=version, starts_on=today, ends_on=today + timedelta(days=7)
    )
    assert "no readers invited" in _refused(p.librarian, project, "start_trial")
    services.trial_invite_readers(actor=act(p.librarian), trial=trial, readers=p.readers[:1])
    _refused(p.supplier, project, "start_trial", NotAllowed)
    assert move(p.librarian, project, "start_trial").status == "in_trial"
    trial.refresh_from_db()
    assert trial.status == "running" and trial.started_at is not None


def test_corrections_need_an_open_deviation_and_development_resumes_once_answered(p):
    project = new_project(p)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project))
    assert "no open correction request" in _refused(p.librarian, project, "request_corrections")
    correction = services.correction_raise(
        actor=act(p.librarian), project=project, trial=trial, title="借还机识别慢", severity="high",
        due_on=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    move(p.librarian, project, "request_corrections")
    trial.refresh_from_db()
    assert trial.status == "closed" and trial.met_criteria is False
    assert "not yet answered" in _refused(p.supplier, project, "resume_development")
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="更换天线，识别时间降至 1 秒")
    assert move(p.supplier, project, "resume_development").status == "in_development"


def test_acceptance_needs_criteria_no_critical_deviation_and_sign_offs(p):
    project = new_project(p, funded=True)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project), min_satisfaction=4)
    message = _refused(p.manager, project, "accept")
    assert "no reader has responded" in message
    assert "sign-off by the library missing" in message
    assert "sign-off by the funder" in message
    respond_all(p, trial, [3, 4, 4])
    assert "mean satisfaction 3.67 is below the required 4.00" in _refused(p.manager, project, "accept")
    services.correction_raise(
        actor=act(p.librarian), project=project, trial=trial, title="数据泄露风险", severity="critical",
        due_on=timezone.localdate(),
    )  # fmt: skip
    assert "a critical correction request is still open" in _refused(p.manager, project, "accept")


def test_a_project_is_accepted_when_readers_are_satisfied_and_both_signed(p):
    project = new_project(p, funded=True)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project), min_satisfaction=4)
    respond_all(p, trial, [4, 5, 5])
    services.signoff_give(actor=act(p.manager), project=project)
    assert "sign-off by the funder" in _refused(p.manager, project, "accept")
    services.signoff_give(actor=act(p.officer), project=project)
    _refused(p.librarian, project, "accept", NotAllowed)
    assert move(p.manager, project, "accept").status == "accepted"
    trial.refresh_from_db()
    assert trial.status == "closed" and trial.met_criteria is True
    assert set(project.needs.values_list("status", flat=True)) == {"met"}
    assert move(p.manager, project, "close").status == "closed"


def test_without_a_government_funder_the_library_sign_off_suffices(p):
    project = new_project(p)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project), min_satisfaction=3)
    respond_all(p, trial, [3, 3, 4])
    services.signoff_give(actor=act(p.manager), project=project)
    assert move(p.manager, project, "accept").status == "accepted"


def test_suspend_and_resume_return_to_where_the_project_was(p):
    project = new_project(p)
    to_development(p, project)
    _refused(p.supplier, project, "suspend", NotAllowed)
    assert move(p.officer, project, "suspend").status == "suspended"  # the guiding government body may pause it
    assert Project.objects.get(pk=project.pk).suspended_from == "in_development"
    _refused(p.officer, project, "suspend")  # already suspended
    resumed = move(p.manager, project, "resume")
    assert (resumed.status, resumed.suspended_from) == ("in_development", "")


def test_cancel_from_anywhere_active_and_nothing_leaves_a_terminal_status(p):
    project = new_project(p)
    move(p.librarian, project, "start_analysis")
    _refused(p.librarian, project, "cancel", NotAllowed)
    assert move(p.manager, project, "cancel").status == "cancelled"
    for rule in cycle.TRANSITIONS:
        with pytest.raises((ConflictError, NotAllowed)):
            move(p.manager, project, rule.name)


def test_transitions_from_the_wrong_status_are_conflicts_and_unknown_names_are_refused(p):
    project = new_project(p)
    assert "cannot deliver" in _refused(p.supplier, project, "deliver")
    with pytest.raises(DomainError):
        move(p.manager, project, "teleport")


def test_outsiders_cannot_move_a_project(p, outsider):
    project = new_project(p)
    _refused(outsider, project, "start_analysis", NotAllowed)


def test_available_transitions_say_who_may_and_what_is_missing(p):
    project = new_project(p)
    to_seeking_partners(p, project)
    options = {o.name: o for o in cycle.available_transitions(act(p.librarian), project)}
    assert set(options) == {"start_development", "suspend", "cancel"}
    dev = options["start_development"]
    assert not dev.permitted and not dev.possible
    assert any("no provider" in failure for failure in dev.failures)
    manager_view = {o.name: o for o in cycle.available_transitions(act(p.manager), project)}
    assert manager_view["start_development"].permitted and manager_view["cancel"].possible


def test_acceptance_ignores_sign_offs_of_an_earlier_round(p):
    project = new_project(p)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project), min_satisfaction=3)
    respond_all(p, trial, [2, 2, 2])
    services.signoff_give(actor=act(p.manager), project=project)
    correction = services.correction_raise(
        actor=act(p.librarian), project=project, trial=trial, title="界面难用", severity="medium",
        due_on=timezone.localdate(),
    )  # fmt: skip
    move(p.librarian, project, "request_corrections")
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="重新设计界面")
    move(p.supplier, project, "resume_development")
    second = start_trial(p, project, deliver(p, project, project.deliverables.get()), min_satisfaction=3)
    respond_all(p, second, [4, 4, 4])
    services.correction_verify(actor=act(p.librarian), correction=correction, trial=second)
    assert "sign-off by the library missing" in _refused(p.manager, project, "accept")


def test_analysed_need_helper_is_reusable(p):
    assert analysed_need(p, "另一个需求").status == "analysed"
