"""Readers' trials, their results against criteria, corrections, and two full rounds through services alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance import selectors, services
from alliance.models import CorrectionRequest, DeliverableVersion, TrialResponse
from core.exceptions import ConflictError, DomainError, NotAllowed
from tests import factories as f
from tests.alliance.flow import act, deliver, move, new_project, pdf, respond_all, start_trial, to_development

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(p):
    project = new_project(p)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project), min_satisfaction=Decimal("4.0"), max_open_deviations=1)
    return project, trial


def test_results_are_computed_from_responses_and_judged_against_the_criteria(p, running):
    project, trial = running
    result = selectors.trial_result(trial)
    assert (result.response_count, result.invited_count, result.mean_satisfaction) == (0, 3, None)
    assert not result.meets_criteria
    respond_all(p, trial, [5, 4, 4])
    result = selectors.trial_result(trial)
    assert result.mean_satisfaction == Decimal("4.33") and result.meets_criteria
    for title in ("按钮太小", "提示音太响"):
        services.correction_raise(
            actor=act(p.librarian), project=project, trial=trial, title=title, severity="low",
            due_on=timezone.localdate(),
        )  # fmt: skip
    result = selectors.trial_result(trial)
    assert result.open_deviations == 2 and not result.meets_criteria
    assert "2 open deviations exceed the allowed 1" in result.shortfalls


def test_only_invited_readers_respond_once_each_to_a_running_trial(p, running, library):
    _, trial = running
    stranger = f.ReaderFactory(home_library=library, consent_trials=True)
    with pytest.raises(NotAllowed):
        services.trial_respond(actor=act(stranger.user), trial=trial, satisfaction=5)
    with pytest.raises(DomainError):
        services.trial_respond(actor=act(p.readers[0].user), trial=trial, satisfaction=6)
    services.trial_respond(actor=act(p.readers[0].user), trial=trial, satisfaction=5, comment="很好用")
    with pytest.raises(ConflictError):
        services.trial_respond(actor=act(p.readers[0].user), trial=trial, satisfaction=1)
    assert TrialResponse.objects.filter(trial=trial).count() == 1


def test_readers_without_consent_or_of_other_libraries_cannot_be_invited(p, running):
    _, trial = running
    unwilling = f.ReaderFactory(home_library=p.library, consent_trials=False)
    elsewhere = f.ReaderFactory(consent_trials=True)
    for reader in (unwilling, elsewhere):
        with pytest.raises(DomainError):
            services.trial_invite_readers(actor=act(p.librarian), trial=trial, readers=[reader])
    assert services.trial_invite_readers(actor=act(p.librarian), trial=trial, readers=p.readers) == 0


def test_readers_see_only_trials_they_are_invited_to(p, running, library):
    _, trial = running
    listed = selectors.trial_list_for(act(p.readers[0].user))
    assert list(listed) == [trial]
    assert listed.get().has_responded is False
    assert not selectors.trial_list_for(act(f.ReaderFactory(home_library=library).user)).exists()


def test_only_the_provider_answers_and_only_the_library_verifies_in_a_later_trial(p, running):
    project, trial = running
    correction = services.correction_raise(
        actor=act(p.librarian), project=project, trial=trial, title="识别慢", severity="high",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    with pytest.raises(NotAllowed):
        services.correction_answer(actor=act(p.librarian), correction=correction, answer="x")
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="换天线")
    with pytest.raises(ConflictError):  # the trial that found it cannot verify it
        services.correction_verify(actor=act(p.librarian), correction=correction, trial=trial)
    assert CorrectionRequest.objects.get(pk=correction.pk).status == "answered"


def test_uploads_are_checked_by_content_with_a_clear_error(p):
    project = new_project(p)
    to_development(p, project)
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="系统")
    fake = SimpleUploadedFile("installer.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as info:
        services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=fake)
    assert "Only PDF, PNG, JPEG, ZIP, DOCX or XLSX" in str(info.value)
    assert not DeliverableVersion.objects.exists()
    with pytest.raises(NotAllowed):
        services.deliverable_version_upload(actor=act(p.librarian), deliverable=deliverable, file=pdf())
    zipped = SimpleUploadedFile("build.zip", b"PK\x03\x04" + b"\x00" * 60, content_type="application/zip")
    version = services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=zipped)
    assert version.number == 1


def test_two_full_rounds_through_services_alone(p):
    project = new_project(p, funded=True)
    to_development(p, project)
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="自助借还系统")

    # Round 1: readers are not satisfied; two deviations go back to the provider.
    first = start_trial(p, project, deliver(p, project, deliverable), min_satisfaction=4)
    respond_all(p, first, [3, 3, 4])
    deviations = [
        services.correction_raise(
            actor=act(p.librarian), project=project, trial=first, title=title, severity=severity,
            due_on=timezone.localdate() + timedelta(days=14),
        )
        for title, severity in (("识别慢", "high"), ("读者证读取失败", "critical"))
    ]  # fmt: skip
    move(p.librarian, project, "request_corrections")
    for correction in deviations:
        services.correction_answer(actor=act(p.supplier), correction=correction, answer="已修复")
    move(p.supplier, project, "resume_development")

    # Round 2: the new version fixes both; the library verifies them in the new trial and signs off.
    second = start_trial(p, project, deliver(p, project, deliverable), min_satisfaction=4)
    assert second.version.number == 2
    respond_all(p, second, [4, 5, 5])
    with pytest.raises(ConflictError, match="critical correction"):
        move(p.manager, project, "accept")
    for correction in deviations:
        services.correction_verify(actor=act(p.librarian), correction=correction, trial=second)
    services.signoff_give(actor=act(p.manager), project=project)
    services.signoff_give(actor=act(p.officer), project=project)
    move(p.manager, project, "accept")
    move(p.manager, project, "close")

    rounds = selectors.project_rounds(project)
    assert [r.version.number for r in rounds] == [1, 2]
    assert [r.meets_criteria for r in rounds] == [False, True]
    assert [(r.deviations_opened, r.deviations_closed) for r in rounds] == [(2, 0), (0, 2)]
    assert rounds[0].mean_satisfaction == Decimal("3.33") and rounds[1].response_count == 3
    assert rounds[0].open_deviations == 2 and rounds[1].open_deviations == 0
    assert all(r.days_taken == 0 for r in rounds)
    path = [t.to_status for t in selectors.project_transitions(project)]
    assert path == [
        "needs_analysis", "seeking_partners", "in_development", "delivered", "in_trial", "correcting",
        "in_development", "delivered", "in_trial", "accepted", "closed",
    ]  # fmt: skip


def test_sign_off_only_by_library_managers_or_a_government_funder(p, running):
    project, _ = running
    for user in (p.librarian, p.supplier, p.officer):  # the officer's body guides but does not fund this project
        with pytest.raises(NotAllowed):
            services.signoff_give(actor=act(user), project=project)
    services.signoff_give(actor=act(p.manager), project=project)
    with pytest.raises(ConflictError):
        services.signoff_give(actor=act(p.manager), project=project)


def test_an_oversized_upload_is_refused_with_the_limit_named(p, monkeypatch):
    import alliance.validators

    project = new_project(p)
    to_development(p, project)
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="系统")
    monkeypatch.setattr(alliance.validators, "MAX_DELIVERABLE_BYTES", 16)
    with pytest.raises(DomainError) as info:
        services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=pdf())
    assert "larger than 50 MB" in str(info.value) and info.value.fields == {"file": [str(info.value)]}
    assert not DeliverableVersion.objects.exists()
