"""Pages of the co-construction cycle: access, scoping, forms that show their errors, and both languages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import CorrectionRequest, DeliverableVersion, GuidanceDocument, Need, Trial, TrialResponse
from tests import factories as f
from tests.alliance.flow import (
    act,
    analysed_need,
    deliver,
    move,
    new_project,
    pdf,
    respond_all,
    start_trial,
    to_development,
    to_seeking_partners,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def signed_in(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


# --- access ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "alliance:alliance-list",
        "alliance:need-list",
        "alliance:project-list",
        "alliance:invitation-list",
        "alliance:my-trials",
        "alliance:training-list",
        "alliance:guidance-list",
        "alliance:compliance",
    ],
)
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_anonymous_is_sent_to_sign_in_from_a_project_page(client, p):
    project = new_project(p)
    response = client.get(reverse("alliance:project-detail", args=[project.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unrelated_organisation_gets_404_on_alliance_project_need_and_timeline(client, p, outsider):
    project = new_project(p)
    need = project.needs.get()
    signed_in(client, outsider)
    for url in (
        reverse("alliance:alliance-detail", args=[p.alliance.pk]),
        reverse("alliance:project-detail", args=[project.pk]),
        reverse("alliance:project-timeline", args=[project.pk]),
        reverse("alliance:need-detail", args=[need.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert project.title not in client.get(reverse("alliance:project-list")).content.decode()


def test_unrelated_organisation_gets_404_on_trial_correction_and_deliverable_routes(client, p, outsider):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    correction = services.correction_raise(
        actor=act(p.librarian), project=project, title="慢", severity="low", due_on=timezone.localdate(), trial=trial
    )
    signed_in(client, outsider)
    assert client.get(reverse("alliance:trial-detail", args=[trial.pk])).status_code == 404
    assert client.get(reverse("alliance:correction-detail", args=[correction.pk])).status_code == 404
    response = client.post(reverse("alliance:correction-answer", args=[correction.pk]), {"answer": "x"})
    assert response.status_code == 404
    deliverable = trial.version.deliverable
    response = client.post(reverse("alliance:version-upload", args=[deliverable.pk]), {"file": pdf()})
    assert response.status_code == 404
    response = client.post(reverse("alliance:project-transition", args=[project.pk]), {"name": "cancel"})
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.status == "in_trial" and deliverable.versions.count() == 1


def test_partner_in_the_alliance_but_not_the_project_gets_404(client, p):
    project = new_project(p)
    signed_in(client, p.supplier)
    assert client.get(reverse("alliance:project-detail", args=[project.pk])).status_code == 404
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.enterprise, role="provider")
    assert client.get(reverse("alliance:project-detail", args=[project.pk])).status_code == 200


def test_government_guide_sees_the_alliances_projects_and_its_compliance_page(client, p):
    project = new_project(p)
    signed_in(client, p.officer)
    assert client.get(reverse("alliance:project-detail", args=[project.pk])).status_code == 200
    page = client.get(reverse("alliance:compliance"), **EN).content.decode()
    assert project.title in page and "None declared" in page


def test_compliance_page_is_only_for_government(client, p):
    signed_in(client, p.librarian)
    assert client.get(reverse("alliance:compliance")).status_code == 404


def test_reader_sees_only_trials_they_are_invited_to(client, p, library):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    stranger = f.ReaderFactory(home_library=library, consent_trials=True)
    signed_in(client, stranger.user)
    assert client.get(reverse("alliance:trial-detail", args=[trial.pk])).status_code == 404
    assert project.title not in client.get(reverse("alliance:my-trials")).content.decode()
    signed_in(client, p.readers[0].user)
    assert project.title in client.get(reverse("alliance:my-trials")).content.decode()
    assert client.get(reverse("alliance:trial-detail", args=[trial.pk])).status_code == 200
    assert client.get(reverse("alliance:project-detail", args=[project.pk])).status_code == 404


# --- alliances --------------------------------------------------------------------------------------------------


def test_alliance_page_shows_members_roles_capabilities_and_terms(client, p):
    f.CapabilityFactory(organization=p.enterprise, title_zh="RFID 自助借还设备", title_en="RFID self-service")
    member = p.alliance.members.get(organization=p.enterprise)
    services.alliance_member_update_terms(
        actor=act(p.manager), member=member, contributes="设备与运维", receives="示范案例"
    )
    signed_in(client, p.librarian)
    page = client.get(reverse("alliance:alliance-detail", args=[p.alliance.pk]), **EN).content.decode()
    assert "Zhitu Technology" in page and "Provider" in page
    assert "设备与运维" in page and "示范案例" in page
    assert "RFID" in page


def test_library_manager_founds_an_alliance_and_a_partner_cannot(client, p):
    signed_in(client, p.manager)
    response = client.post(reverse("alliance:alliance-create"), {"name": "杭州智慧阅读联盟", "charter": "共建共享"})
    alliance = p.library.led_alliances.get(name="杭州智慧阅读联盟")
    assert response["Location"] == reverse("alliance:alliance-detail", args=[alliance.pk])
    signed_in(client, p.supplier)
    response = client.post(reverse("alliance:alliance-create"), {"name": "企业联盟"}, **EN)
    assert response.status_code == 200 and "Act for a library" in response.content.decode()


def test_library_manager_records_benefit_terms_and_a_partner_cannot(client, p):
    member = p.alliance.members.get(organization=p.university)
    url = reverse("alliance:member-terms", args=[member.pk])
    signed_in(client, p.professor)
    response = client.post(url, {"contributes": "自封", "receives": "全部"}, follow=True, **EN)
    assert "Only managers of the alliance" in response.content.decode()
    signed_in(client, p.manager)
    client.post(url, {"contributes": "馆员培训与评估", "receives": "研究数据"})
    member.refresh_from_db()
    assert (member.contributes, member.receives) == ("馆员培训与评估", "研究数据")


def test_library_manager_admits_an_organisation(client, p, other_org):
    signed_in(client, p.manager)
    url = reverse("alliance:alliance-join", args=[p.alliance.pk])
    response = client.post(url, {"organization": other_org.pk, "role": "provider", "contributes": "软件"})
    assert response.status_code == 302
    assert p.alliance.members.active().filter(organization=other_org, role="provider").exists()


def test_admitting_in_a_role_that_does_not_fit_rerenders_with_the_error(client, p, other_org):
    signed_in(client, p.manager)
    url = reverse("alliance:alliance-join", args=[p.alliance.pk])
    response = client.post(url, {"organization": other_org.pk, "role": "guide"}, **EN)
    assert response.status_code == 200
    assert response.context["join_form"].errors
    assert not p.alliance.members.active().filter(organization=other_org).exists()


def test_partner_manager_leaves_the_alliance(client, p, partner_manager):
    member = p.alliance.members.get(organization=p.enterprise)
    signed_in(client, partner_manager)
    response = client.post(reverse("alliance:member-leave", args=[member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_archived


def test_plain_member_cannot_remove_another_organisation_and_sees_why(client, p):
    member = p.alliance.members.get(organization=p.university)
    signed_in(client, p.supplier)
    response = client.post(reverse("alliance:member-leave", args=[member.pk]), follow=True, **EN)
    assert "Only the organisation" in response.content.decode()
    member.refresh_from_db()
    assert not member.is_archived


# --- needs ----------------------------------------------------------------------------------------------------


def test_staff_records_a_need_adds_evidence_and_analyses_it(client, p):
    signed_in(client, p.librarian)
    response = client.post(
        reverse("alliance:need-create"),
        {"title": "少儿阅读区太吵", "category": "space", "priority": "high", "alliance": p.alliance.pk},
    )
    need = Need.objects.get(title="少儿阅读区太吵")
    assert response["Location"] == reverse("alliance:need-detail", args=[need.pk])
    client.post(reverse("alliance:need-evidence", args=[need.pk]), {"kind": "survey", "summary": "40% 抱怨噪音"})
    client.post(reverse("alliance:need-analyse", args=[need.pk]), {"analysis": "需要隔音分区"})
    need.refresh_from_db()
    assert need.status == "analysed" and need.evidence.count() == 1


def test_need_form_without_a_title_rerenders_with_the_error_in_both_languages(client, p):
    signed_in(client, p.librarian)
    en = client.post(reverse("alliance:need-create"), {"category": "space", "priority": "high"}, **EN)
    assert en.status_code == 200 and "This field is required." in en.content.decode()
    zh = client.post(reverse("alliance:need-create"), {"category": "space", "priority": "high"}, **ZH)
    assert "此项为必填项。" in zh.content.decode()
    assert not Need.objects.exists()


def test_need_page_ranks_partner_suggestions_with_credibility_and_invites_one(client, p, other_org):
    need = analysed_need(p)
    f.CapabilityFactory(organization=other_org, title_zh="RFID 自助借还设备", keywords="RFID 自助借还")
    signed_in(client, p.librarian)
    response = client.get(reverse("alliance:need-detail", args=[need.pk]), **EN)
    suggestions = response.context["suggestions"]
    assert other_org in [s.organization for s in suggestions]
    assert "Credibility" in response.content.decode()
    client.post(reverse("alliance:need-invite", args=[need.pk]), {"organization": other_org.pk, "role": "provider"})
    invitation = other_org.alliance_invitations.get()
    assert invitation.need == need and invitation.status == "pending"


def test_partner_accepts_an_invitation_in_its_portal(client, p, other_org):
    need = analysed_need(p)
    invitation = services.partner_invite(
        actor=act(p.librarian), alliance=p.alliance, organization=other_org, role="provider", need=need
    )
    manager = f.member_of(other_org, "manager")
    signed_in(client, manager)
    page = client.get(reverse("alliance:invitation-list")).content.decode()
    assert p.alliance.name in page
    client.post(reverse("alliance:invitation-accept", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert p.alliance.members.active().filter(organization=other_org).exists()


def test_partner_declines_and_a_second_answer_is_refused_with_a_message(client, p, other_org):
    invitation = services.partner_invite(
        actor=act(p.librarian), alliance=p.alliance, organization=other_org, role="provider"
    )
    signed_in(client, f.member_of(other_org, "manager"))
    client.post(reverse("alliance:invitation-decline", args=[invitation.pk]), {"reason": "忙"})
    response = client.post(reverse("alliance:invitation-accept", args=[invitation.pk]), follow=True, **EN)
    assert "already answered" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "declined"


def test_unrelated_organisation_gets_404_on_someone_elses_invitation(client, p, other_org, outsider):
    invitation = services.partner_invite(
        actor=act(p.librarian), alliance=p.alliance, organization=other_org, role="provider"
    )
    signed_in(client, f.member_of(f.OrganizationFactory(kind="enterprise"), "manager"))
    assert client.get(reverse("alliance:invitation-detail", args=[invitation.pk])).status_code == 404


# --- projects ---------------------------------------------------------------------------------------------------


def test_project_list_filters_by_state_and_alliance(client, p):
    draft = new_project(p)
    other = services.project_create(actor=act(p.librarian), alliance=p.alliance, title="B", needs=[analysed_need(p)])
    seeking = to_seeking_partners(p, other)
    signed_in(client, p.librarian)
    url = reverse("alliance:project-list")
    listed = client.get(url, {"status": "draft"}).context["projects"]
    assert [x.pk for x in listed] == [draft.pk]
    listed = client.get(url, {"status": "seeking_partners", "alliance": p.alliance.pk}).context["projects"]
    assert [x.pk for x in listed] == [seeking.pk]


def test_project_list_exports_csv_and_xlsx(client, p):
    project = new_project(p)
    signed_in(client, p.librarian)
    csv = client.get(reverse("alliance:project-list"), {"export": "csv"}, **EN)
    assert csv["Content-Type"].startswith("text/csv")
    assert project.title in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("alliance:project-list"), {"export": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_project_list_htmx_returns_only_the_results(client, p):
    new_project(p)
    signed_in(client, p.librarian)
    response = client.get(reverse("alliance:project-list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"project-table" in response.content


def _list_queries(client: Any, count_queries: Any, name: str) -> int:
    with count_queries() as q:
        assert client.get(reverse(name)).status_code == 200
    return len(q)


def test_project_list_query_count_is_the_same_for_1_and_20_rows(client, p, count_queries):
    project = new_project(p, funded=True)
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.enterprise, role="provider")
    signed_in(client, p.librarian)
    one = _list_queries(client, count_queries, "alliance:project-list")
    for i in range(19):
        other = services.project_create(actor=act(p.librarian), alliance=p.alliance, title=f"P{i}")
        services.project_add_participant(
            actor=act(p.manager), project=other, organization=p.university, role="assistant"
        )
    assert _list_queries(client, count_queries, "alliance:project-list") == one


def test_need_and_alliance_list_query_counts_are_the_same_for_1_and_20_rows(client, p, count_queries):
    analysed_need(p)
    signed_in(client, p.librarian)
    needs_one = _list_queries(client, count_queries, "alliance:need-list")
    alliances_one = _list_queries(client, count_queries, "alliance:alliance-list")
    for i in range(19):
        analysed_need(p, title=f"需要 {i}")
        services.alliance_create(actor=act(p.manager), lead_library=p.library, name=f"联盟 {i}")
    assert _list_queries(client, count_queries, "alliance:need-list") == needs_one
    assert _list_queries(client, count_queries, "alliance:alliance-list") == alliances_one


def test_training_guidance_and_reader_trial_lists_keep_their_query_counts_for_1_and_20_rows(client, p, count_queries):
    def add(i: int) -> None:
        services.training_program_create(
            actor=act(p.professor), alliance=p.alliance, trainer=p.university, title=f"课程 {i}"
        )
        services.guidance_issue(
            actor=act(p.officer),
            kind="standard",
            title=f"规范 {i}",
            code=f"DB33/T {i}",
            effective_on=timezone.localdate(),
        )

    add(0)
    signed_in(client, p.librarian)
    training_one = _list_queries(client, count_queries, "alliance:training-list")
    guidance_one = _list_queries(client, count_queries, "alliance:guidance-list")
    for i in range(1, 20):
        add(i)
    assert _list_queries(client, count_queries, "alliance:training-list") == training_one
    assert _list_queries(client, count_queries, "alliance:guidance-list") == guidance_one


def test_my_trials_query_count_is_the_same_for_1_and_20_trials(client, p, count_queries):
    reader = p.readers[0]
    signed_in(client, reader.user)

    def trial_for(title: str) -> None:
        project = services.project_create(
            actor=act(p.librarian), alliance=p.alliance, title=title, needs=[analysed_need(p)]
        )
        to_development(p, project)
        start_trial(p, project, deliver(p, project))

    trial_for("一")
    one = _list_queries(client, count_queries, "alliance:my-trials")
    for i in range(19):
        trial_for(f"项目 {i}")
    assert _list_queries(client, count_queries, "alliance:my-trials") == one


def test_project_page_offers_the_next_steps_with_their_guards(client, p):
    project = to_seeking_partners(p, new_project(p))
    signed_in(client, p.manager)
    response = client.get(reverse("alliance:project-detail", args=[project.pk]), **EN)
    options = {o.name: o for o in response.context["options"]}
    assert "start_development" in options
    assert "no provider (enterprise)" in options["start_development"].failures
    assert "no provider (enterprise)" in response.content.decode()


def test_refused_transition_shows_the_guard_message_not_an_error(client, p):
    project = to_seeking_partners(p, new_project(p))
    signed_in(client, p.manager)
    url = reverse("alliance:project-transition", args=[project.pk])
    response = client.post(url, {"name": "start_development", "note": ""}, follow=True, **EN)
    assert response.status_code == 200
    assert "no provider (enterprise)" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "seeking_partners"


def test_transition_by_the_wrong_party_is_refused_with_a_message(client, p):
    project = to_development(p, new_project(p))
    signed_in(client, p.librarian)
    url = reverse("alliance:project-transition", args=[project.pk])
    response = client.post(url, {"name": "deliver"}, follow=True, **EN)
    assert "Only the provider may do this" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "in_development"


def test_staff_move_the_project_with_a_note_recorded(client, p):
    project = new_project(p)
    signed_in(client, p.librarian)
    client.post(reverse("alliance:project-transition", args=[project.pk]), {"name": "start_analysis", "note": "开始"})
    project.refresh_from_db()
    assert project.status == "needs_analysis"
    assert project.transitions.get().note == "开始"


def test_provider_uploads_a_version_and_a_bad_file_is_shown_on_the_form(client, p):
    project = to_development(p, new_project(p))
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="系统")
    signed_in(client, p.supplier)
    url = reverse("alliance:version-upload", args=[deliverable.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"file": bad, "notes": "v1"}, **EN)
    assert response.status_code == 200
    assert response.context["version_form"].errors["file"]
    assert "Zhitu Technology" in response.content.decode()  # the re-rendered page still lists the participants
    assert not DeliverableVersion.objects.exists()
    response = client.post(url, {"file": pdf(), "notes": "v1"})
    assert response.status_code == 302
    assert deliverable.versions.get().number == 1


def test_staff_plan_a_trial_inviting_consenting_readers(client, p):
    project = to_development(p, new_project(p))
    version = deliver(p, project)
    signed_in(client, p.librarian)
    today = timezone.localdate()
    response = client.post(
        reverse("alliance:trial-plan", args=[project.pk]),
        {
            "version": version.pk,
            "starts_on": today,
            "ends_on": today + timedelta(days=7),
            "min_satisfaction": "4",
            "max_open_deviations": 0,
            "readers": [r.pk for r in p.readers],
        },
    )
    assert response.status_code == 302
    trial = Trial.objects.get(project=project)
    assert trial.invitations.count() == 3


def test_trial_plan_ending_before_it_starts_rerenders_with_the_error(client, p):
    project = to_development(p, new_project(p))
    version = deliver(p, project)
    signed_in(client, p.librarian)
    today = timezone.localdate()
    response = client.post(
        reverse("alliance:trial-plan", args=[project.pk]),
        {"version": version.pk, "starts_on": today, "ends_on": today - timedelta(days=1),
         "min_satisfaction": "4", "max_open_deviations": 0},
        **EN,
    )  # fmt: skip
    assert response.status_code == 200
    assert "The end lies before the start." in response.content.decode()
    assert not Trial.objects.exists()


def test_staff_invite_more_readers_and_only_consenting_ones_are_offered(client, p, library):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    willing = f.ReaderFactory(home_library=library, consent_trials=True)
    unwilling = f.ReaderFactory(home_library=library, consent_trials=False)
    signed_in(client, p.librarian)
    offered = client.get(reverse("alliance:trial-detail", args=[trial.pk])).context["invite_form"]
    choices = set(offered.fields["readers"].queryset)
    assert willing in choices and unwilling not in choices and p.readers[0] not in choices
    response = client.post(reverse("alliance:trial-invite", args=[trial.pk]), {"readers": [unwilling.pk]}, **EN)
    assert response.status_code == 200 and response.context["invite_form"].errors["readers"]
    client.post(reverse("alliance:trial-invite", args=[trial.pk]), {"readers": [willing.pk]})
    assert trial.invitations.filter(reader=willing).exists()
    assert not trial.invitations.filter(reader=unwilling).exists()


def test_reader_responds_once_and_a_bad_score_is_shown(client, p):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    signed_in(client, p.readers[0].user)
    url = reverse("alliance:trial-respond", args=[trial.pk])
    response = client.post(url, {"satisfaction": "9"}, **EN)
    assert response.status_code == 200 and response.context["response_form"].errors["satisfaction"]
    response = client.post(url, {"satisfaction": "4", "comment": "好用"})
    assert response["Location"] == reverse("alliance:my-trials")
    assert TrialResponse.objects.get(trial=trial).satisfaction == 4
    page = client.get(reverse("alliance:trial-detail", args=[trial.pk]), **EN).content.decode()
    assert "You rated it 4 of 5." in page


def test_corrections_are_raised_answered_and_verified_through_their_pages(client, p):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    respond_all(p, trial, [2, 3, 2])
    signed_in(client, p.librarian)
    client.post(
        reverse("alliance:correction-raise", args=[project.pk]),
        {"title": "识别慢", "severity": "high", "due_on": timezone.localdate() + timedelta(days=10)},
    )
    correction = CorrectionRequest.objects.get(project=project)
    assert correction.trial == trial
    move(p.librarian, project, "request_corrections")
    signed_in(client, p.supplier)
    response = client.post(reverse("alliance:correction-answer", args=[correction.pk]), {"answer": ""}, **EN)
    assert response.status_code == 200 and response.context["answer_form"].errors
    client.post(reverse("alliance:correction-answer", args=[correction.pk]), {"answer": "换了天线"})
    correction.refresh_from_db()
    assert correction.status == "answered"
    move(p.supplier, project, "resume_development")
    services.deliverable_version_upload(
        actor=act(p.supplier), deliverable=trial.version.deliverable, file=pdf(), fixes=[correction]
    )
    move(p.supplier, project, "deliver")
    start_trial(p, project, trial.version.deliverable.versions.last())
    signed_in(client, p.librarian)
    client.post(reverse("alliance:correction-verify", args=[correction.pk]), {"note": "已验证"})
    correction.refresh_from_db()
    assert correction.status == "closed"


def test_provider_cannot_verify_its_own_correction(client, p):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    correction = services.correction_raise(
        actor=act(p.librarian), project=project, title="慢", severity="low", due_on=timezone.localdate(), trial=trial
    )
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="改了")
    signed_in(client, p.supplier)
    page = client.get(reverse("alliance:correction-detail", args=[correction.pk])).content.decode()
    assert reverse("alliance:correction-verify", args=[correction.pk]) not in page
    client.post(reverse("alliance:correction-verify", args=[correction.pk]), {"note": "x"})
    correction.refresh_from_db()
    assert correction.status == "answered"


def test_library_manager_signs_off_and_the_page_shows_rounds_side_by_side(client, p):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project), min_satisfaction=3)
    respond_all(p, trial, [4, 4, 5])
    signed_in(client, p.manager)
    client.post(reverse("alliance:signoff", args=[project.pk]), {"note": "同意"})
    assert project.signoffs.count() == 1
    response = client.get(reverse("alliance:project-detail", args=[project.pk]), **EN)
    rounds = response.context["rounds"]
    assert len(rounds) == 1 and rounds[0].response_count == 3
    assert 'id="rounds-data"' in response.content.decode()
    client.post(reverse("alliance:project-transition", args=[project.pk]), {"name": "accept"})
    project.refresh_from_db()
    assert project.status == "accepted"


def test_timeline_lists_transitions_versions_trials_and_corrections_in_order(client, p):
    project = to_development(p, new_project(p))
    trial = start_trial(p, project, deliver(p, project))
    services.correction_raise(
        actor=act(p.librarian),
        project=project,
        title="按钮太小",
        severity="low",
        due_on=timezone.localdate(),
        trial=trial,
    )
    signed_in(client, p.officer)
    response = client.get(reverse("alliance:project-timeline", args=[project.pk]), **EN)
    kinds = [e["kind"] for e in response.context["events"]]
    assert kinds.count("transition") == 5 and "version" in kinds and "trial" in kinds and kinds[-1] == "correction"
    ats = [e["at"] for e in response.context["events"]]
    assert ats == sorted(ats)
    assert "按钮太小" in response.content.decode()


def test_project_page_renders_in_both_languages(client, p):
    project = to_seeking_partners(p, new_project(p))
    signed_in(client, p.manager)
    en = client.get(reverse("alliance:project-detail", args=[project.pk]), **EN).content.decode()
    zh = client.get(reverse("alliance:project-detail", args=[project.pk]), **ZH).content.decode()
    assert "Next steps" in en and "Seeking partners" in en
    assert "下一步" in zh and "Next steps" not in zh


def test_participant_form_rejects_a_second_provider_with_the_error(client, p, other_org):
    project = new_project(p)
    services.alliance_join(actor=act(p.manager), alliance=p.alliance, organization=other_org, role="provider")
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.enterprise, role="provider")
    signed_in(client, p.manager)
    response = client.post(
        reverse("alliance:participant-add", args=[project.pk]),
        {"organization": other_org.pk, "role": "provider", "funding_amount": "0"},
        **EN,
    )
    assert response.status_code == 200
    assert "already has a provider" in response.content.decode()


# --- training and guidance ------------------------------------------------------------------------------------


def test_training_programme_sessions_enrolment_attendance_and_completion(client, p):
    program = services.training_program_create(
        actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="数据素养", required_sessions=1
    )
    signed_in(client, p.professor)
    start = timezone.now() + timedelta(days=1)
    client.post(
        reverse("alliance:training-session-add", args=[program.pk]),
        {"topic": "RFID 基础", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
         "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    session = program.sessions.get()
    signed_in(client, p.librarian)
    client.post(reverse("alliance:training-enrol", args=[program.pk]))
    enrolment = program.enrolments.get()
    signed_in(client, p.professor)
    client.post(
        reverse("alliance:training-attendance", args=[session.pk]), {"enrolment": enrolment.pk, "attended": "1"}
    )
    client.post(reverse("alliance:training-complete", args=[enrolment.pk]))
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_training_session_ending_before_it_starts_rerenders_with_the_error(client, p):
    program = services.training_program_create(
        actor=act(p.professor), alliance=p.alliance, trainer=p.university, title="数据素养"
    )
    signed_in(client, p.professor)
    start = timezone.now()
    response = client.post(
        reverse("alliance:training-session-add", args=[program.pk]),
        {"topic": "x", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
         "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
        **EN,
    )  # fmt: skip
    assert response.status_code == 200 and "The session ends before it starts." in response.content.decode()


def test_government_publishes_a_standard_and_the_provider_declares_it(client, p):
    signed_in(client, p.officer)
    response = client.post(
        reverse("alliance:guidance-issue"),
        {"kind": "standard", "code": "DB33/T 1", "title": "智慧图书馆建设规范", "version": "1.0",
         "effective_on": timezone.localdate()},
    )  # fmt: skip
    assert response.status_code == 302
    assert "智慧图书馆建设规范" in client.get(reverse("alliance:guidance-list")).content.decode()
    project = to_development(p, new_project(p))
    standard = GuidanceDocument.objects.get(code="DB33/T 1")
    signed_in(client, p.supplier)
    client.post(reverse("alliance:standard-declare", args=[project.pk]), {"standard": standard.pk})
    assert project.declared_standards.active().count() == 1


def test_partners_and_readers_cannot_open_the_guidance_form(client, p, reader):
    for user in (p.supplier, reader):
        signed_in(client, user)
        assert client.get(reverse("alliance:guidance-issue")).status_code == 404


def test_guidance_form_needs_a_title_in_both_languages(client, p):
    signed_in(client, p.officer)
    data = {"kind": "policy", "version": "1.0", "effective_on": timezone.localdate()}
    assert "This field is required." in client.post(reverse("alliance:guidance-issue"), data, **EN).content.decode()
    assert "此项为必填项。" in client.post(reverse("alliance:guidance-issue"), data, **ZH).content.decode()


def test_menu_shows_each_portal_its_entries(client, p, reader):
    signed_in(client, reader)
    page = client.get(reverse("alliance:my-trials"), **EN).content.decode()
    assert reverse("alliance:my-trials") in page and reverse("alliance:need-list") not in page
    signed_in(client, p.officer)
    page = client.get(reverse("alliance:project-list"), **EN).content.decode()
    assert reverse("alliance:compliance") in page


def test_project_page_query_count_is_pinned_and_does_not_grow_with_deliverables(client, p, count_queries):
    """The project page asks the actor's parties once (the transition options reuse them)."""
    project = new_project(p, funded=True)
    services.project_add_participant(actor=act(p.manager), project=project, organization=p.enterprise, role="provider")
    services.deliverable_create(actor=act(p.librarian), project=project, title="交付物")
    signed_in(client, p.librarian)
    url = reverse("alliance:project-detail", args=[project.pk])
    client.get(url)

    def queries() -> int:
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return len(q)

    one = queries()
    for i in range(5):
        services.deliverable_create(actor=act(p.librarian), project=project, title=f"交付物 {i}")
    assert queries() == one
    assert one == PROJECT_PAGE_QUERIES


PROJECT_PAGE_QUERIES = 20  # was 22 before the parties were asked once
