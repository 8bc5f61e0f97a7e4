"""Training of library staff by universities and institutes; policies, standards and government compliance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance import selectors, services
from core.exceptions import ConflictError, DomainError, NotAllowed
from tests import factories as f
from tests.alliance.flow import act, new_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(p):
    return services.training_program_create(
        actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="智慧馆员培训", required_sessions=2
    )


def _sessions(p, program, n):
    start = timezone.now()
    return [
        services.training_session_add(
            actor=act(p.professor), program=program, topic=f"第{i + 1}讲",
            starts_at=start + timedelta(days=i), ends_at=start + timedelta(days=i, hours=2),
        )
        for i in range(n)
    ]  # fmt: skip


def test_only_universities_and_institutes_train(p):
    with pytest.raises(DomainError):
        services.training_program_create(actor=act(p.supplier), alliance=p.alliance, trainer=p.enterprise, title="x")


def test_a_trainee_completes_after_attending_the_required_sessions(p, program):
    first, second = _sessions(p, program, 2)
    enrolment = services.training_enrol(actor=act(p.librarian), program=program, trainee=p.librarian)
    with pytest.raises(ConflictError):
        services.training_enrol(actor=act(p.librarian), program=program, trainee=p.librarian)
    services.training_record_attendance(actor=act(p.professor), session=first, enrolment=enrolment)
    with pytest.raises(ConflictError, match="1 of 2"):
        services.training_complete(actor=act(p.professor), enrolment=enrolment)
    with pytest.raises(NotAllowed):
        services.training_record_attendance(actor=act(p.librarian), session=second, enrolment=enrolment)
    services.training_record_attendance(actor=act(p.professor), session=second, enrolment=enrolment)
    done = services.training_complete(actor=act(p.professor), enrolment=enrolment)
    assert done.completed_at is not None
    listed = selectors.training_program_list_for(act(p.librarian)).get()
    assert (listed.session_count, listed.enrolment_count, listed.completed_count) == (2, 1, 1)
    assert selectors.training_enrolment_list_for(act(p.professor)).get().attended_count == 2


def test_only_staff_of_the_alliance_libraries_enrol(p, program):
    with pytest.raises(DomainError):
        services.training_enrol(actor=act(p.supplier), program=program, trainee=p.supplier)
    with pytest.raises(NotAllowed):  # a librarian cannot enrol a colleague; their manager can
        services.training_enrol(actor=act(p.librarian), program=program, trainee=p.manager)
    services.training_enrol(actor=act(p.manager), program=program, trainee=p.librarian)


def test_policies_come_from_government_and_standards_also_from_institutes(p):
    today = timezone.localdate()
    institute = f.OrganizationFactory(kind="research")
    researcher = f.member_of(institute, "manager")
    with pytest.raises(NotAllowed):
        services.guidance_issue(actor=act(researcher), kind="policy", title="政策", effective_on=today)
    with pytest.raises(NotAllowed):
        services.guidance_issue(actor=act(p.supplier), kind="standard", title="标准", effective_on=today)
    standard = services.guidance_issue(
        actor=act(researcher), kind="standard", code="DB33/T 2345-2024", title="智慧图书馆建设规范", effective_on=today
    )
    policy = services.guidance_issue(actor=act(p.officer), kind="policy", title="公共文化服务条例", effective_on=today)
    with pytest.raises(ConflictError):
        services.guidance_issue(
            actor=act(researcher), kind="standard", code="DB33/T 2345-2024", title="重复", effective_on=today
        )
    assert list(selectors.guidance_list_for(act(p.readers[0].user), kind="standard")) == [standard]
    assert set(selectors.guidance_list_for(act(p.supplier))) == {standard, policy}


def test_government_sees_declared_standards_of_the_projects_it_guides(p):
    standard = services.guidance_issue(
        actor=act(p.officer), kind="standard", title="智慧图书馆服务规范", effective_on=timezone.localdate()
    )
    project = new_project(p)
    services.project_declare_standard(actor=act(p.librarian), project=project, standard=standard)
    with pytest.raises(ConflictError):
        services.project_declare_standard(actor=act(p.librarian), project=project, standard=standard)
    rows = list(selectors.government_compliance(act(p.officer)))
    assert rows == [project]
    assert [d.standard for d in rows[0].standards_declared] == [standard]
    assert not selectors.government_compliance(act(p.supplier)).exists()
