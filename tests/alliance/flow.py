"""Drive a project through the co-construction cycle with services alone, step by step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance import hooks, services
from alliance.models import Alliance, Deliverable, Need, Project, Trial
from stakeholders.access import Actor, build_actor
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "release.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def act(user: Any) -> Actor:
    return build_actor(user)


@dataclass
class Parties:
    library: Any
    enterprise: Any
    university: Any
    government: Any
    manager: Any  # library manager
    librarian: Any  # library member
    supplier: Any  # enterprise member
    professor: Any  # university manager
    officer: Any  # government manager
    alliance: Alliance
    readers: list[Any] = field(default_factory=list)


def make_parties(
    library: Any, enterprise: Any, government: Any, staff_manager: Any, staff: Any, partner: Any
) -> Parties:
    university: Any = f.OrganizationFactory(kind="university", name_zh="浙江大学", name_en="Zhejiang University")
    professor = f.member_of(university, "manager")
    officer = f.member_of(government, "manager")
    alliance = services.alliance_create(actor=act(staff_manager), lead_library=library, name="浙江省智慧图书馆共建联盟")
    services.alliance_join(actor=act(staff_manager), alliance=alliance, organization=enterprise, role="provider")
    services.alliance_join(actor=act(staff_manager), alliance=alliance, organization=university, role="assistant")
    services.alliance_join(actor=act(staff_manager), alliance=alliance, organization=government, role="guide")
    readers = [f.ReaderFactory(home_library=library, consent_trials=True) for _ in range(3)]
    return Parties(
        library,
        enterprise,
        university,
        government,
        staff_manager,
        staff,
        partner,
        professor,
        officer,
        alliance,
        readers,
    )


def analysed_need(p: Parties, title: str = "自助借还排队时间长") -> Need:
    need = services.need_create(
        actor=act(p.librarian), library=p.library, title=title, category="equipment", alliance=p.alliance,
        keywords="RFID 自助借还", description="读者高峰期排队借书，希望增加 RFID 自助借还设备。",
    )  # fmt: skip
    services.need_add_evidence(actor=act(p.librarian), need=need, kind="survey", summary="62% 的读者希望自助借还")
    return services.need_analyse(actor=act(p.librarian), need=need, analysis="高峰期借还需求超出人工窗口能力。")


def new_project(p: Parties, *, funded: bool = False) -> Project:
    project = services.project_create(
        actor=act(p.librarian), alliance=p.alliance, title="RFID 自助借还改造", budget=500000, needs=[analysed_need(p)]
    )
    if funded:
        services.project_add_participant(
            actor=act(p.manager), project=project, organization=p.government, role="funder", funding_amount=300000
        )
    return project


def move(actor_user: Any, project: Project, name: str, note: str = "") -> Project:
    return services.project_transition(actor=act(actor_user), project=project, name=name, note=note)


def to_seeking_partners(p: Parties, project: Project) -> Project:
    move(p.librarian, project, "start_analysis")
    return move(p.librarian, project, "seek_partners")


def staff_project(p: Parties, project: Project) -> None:
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.enterprise, role="provider")
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.university, role="assistant")


def to_development(p: Parties, project: Project) -> Project:
    to_seeking_partners(p, project)
    staff_project(p, project)
    with hooks.passing():
        return move(p.manager, project, "start_development")


def deliver(p: Parties, project: Project, deliverable: Deliverable | None = None) -> Any:
    deliverable = deliverable or services.deliverable_create(
        actor=act(p.supplier), project=project, title="自助借还系统"
    )
    version = services.deliverable_version_upload(actor=act(p.supplier), deliverable=deliverable, file=pdf())
    move(p.supplier, project, "deliver")
    return version


def start_trial(p: Parties, project: Project, version: Any, **criteria: Any) -> Trial:
    today = timezone.localdate()
    trial = services.trial_plan(
        actor=act(p.librarian),
        project=project,
        version=version,
        starts_on=today,
        ends_on=today + timedelta(days=14),
        readers=list(p.readers),
        **criteria,
    )
    move(p.librarian, project, "start_trial")
    trial.refresh_from_db()
    return trial


def respond_all(p: Parties, trial: Trial, scores: list[int]) -> None:
    for reader, score in zip(p.readers, scores, strict=False):
        services.trial_respond(actor=act(reader.user), trial=trial, satisfaction=score, comment="")
