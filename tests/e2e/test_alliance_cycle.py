"""One project through two full rounds of the co-construction cycle in a real browser.

Library staff, an enterprise, a university, a government body and three readers each sign in to
their own portal and do their part: a need with evidence, partners matched and invited, development,
delivery, a reader trial, corrections, a second version, a second trial, sign-off and acceptance.

With ALLIANCE_SHOTS=<directory> every page visited is also saved as a screenshot in Chinese and English.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance import hooks, services
from alliance.models import CorrectionRequest, Need, Project, Trial
from tests import factories as f
from tests.alliance.flow import PDF, act

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ALLIANCE_SHOTS", "")


class Walk:
    """The browser, whoever is signed in, and the screenshots taken along the way."""

    def __init__(self, page: Any, sign_in: Any, tmp_path: Path):
        self.page = page
        self.sign_in = sign_in
        self.tmp_path = tmp_path
        self.base = page.base_url

    def as_user(self, user: Any) -> None:
        self.page.context.clear_cookies()
        self.sign_in(self.page, user)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def submit(self, scope: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"{scope} button[type=submit]")

    def transition(self, name: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"button[data-transition={name}]")

    def shot(self, name: str) -> None:
        """Both languages of the current page (the language cookie decides; the browser asks for Chinese)."""
        if not SHOTS:
            return
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        context = self.page.context
        for lang in ("en", "zh-hans"):
            context.add_cookies([{"name": "django_language", "value": lang, "url": self.base}])
            self.page.reload()
            self.page.wait_for_load_state("networkidle")
            self.page.screenshot(path=f"{SHOTS}/{name}-{lang}.png", full_page=True)

    def file(self, name: str, content: bytes) -> str:
        path = self.tmp_path / name
        path.write_bytes(content)
        return str(path)


def _respond(w: Walk, readers: list[Any], trial: Trial, scores: list[int], shoot: bool = False) -> None:
    for reader, score in zip(readers, scores, strict=True):
        w.as_user(reader.user)
        w.go("/alliances/my-trials/")
        if shoot:
            w.shot("reader-my-trials")
        with w.page.expect_navigation():
            w.page.click(f"#my-trials a[href$='/trials/{trial.pk}/']")
        if shoot:
            w.shot("reader-trial-respond")
            shoot = False
        w.page.check(f"#respond input[name=satisfaction][value='{score}']")
        w.page.fill("#respond textarea[name=comment]", "扫码很快" if score >= 4 else "识别太慢，经常要重试")
        w.submit("#respond")
        expect(w.page.locator(".alert-success")).to_be_visible()


def test_a_project_goes_through_two_rounds_with_every_party_in_its_own_portal(
    page, sign_in, tmp_path, library, enterprise, government, staff, staff_manager, partner, partner_manager
):
    w = Walk(page, sign_in, tmp_path)
    university = f.OrganizationFactory(kind="university", name_zh="浙江大学", name_en="Zhejiang University")
    professor = f.member_of(university, "manager")
    officer = f.member_of(government, "manager")
    f.CapabilityFactory(organization=enterprise, title_zh="RFID 自助借还设备", title_en="RFID self-service kiosks",
                        keywords="RFID 自助借还 设备")  # fmt: skip
    f.CapabilityFactory(organization=university, title_zh="RFID 读者行为研究", title_en="Reader behaviour research",
                        keywords="RFID 自助借还 评估")  # fmt: skip
    alliance = services.alliance_create(actor=act(staff_manager), lead_library=library, name="浙江省智慧图书馆共建联盟")
    services.alliance_join(actor=act(staff_manager), alliance=alliance, organization=government, role="guide",
                           contributes="政策指导与专项资金", receives="示范项目与数据报告")  # fmt: skip
    readers = [f.ReaderFactory(home_library=library, consent_trials=True) for _ in range(3)]
    today = timezone.localdate()

    # --- the library states a need with evidence and analyses it ---------------------------------------------
    w.as_user(staff)
    w.go("/alliances/needs/new/")
    w.shot("need-form")
    w.page.fill("#id_title", "自助借还排队时间长")
    w.page.select_option("#id_category", "equipment")
    w.page.select_option("#id_priority", "high")
    w.page.select_option("#id_alliance", str(alliance.pk))
    w.page.fill("#id_keywords", "RFID 自助借还")
    w.page.fill("#id_description", "读者高峰期排队借书，希望增加 RFID 自助借还设备。")
    w.submit("main form.gj-form")
    need = Need.objects.get(title="自助借还排队时间长")
    w.page.click("#evidence summary")
    w.page.select_option("#evidence select[name=kind]", "survey")
    w.page.fill("#evidence textarea[name=summary]", "问卷：62% 的读者希望自助借还")
    w.submit("#evidence form")
    w.page.fill("#analysis textarea[name=analysis]", "高峰期借还需求超出人工窗口能力，需要自助设备。")
    w.submit("#analysis form")
    assert Need.objects.get(pk=need.pk).status == "analysed"
    w.go("/alliances/needs/")
    w.shot("need-list")

    # --- a project is opened for it and moved to seeking partners -----------------------------------------------
    w.go(f"/alliances/projects/new/?alliance={alliance.pk}")
    w.shot("project-form")
    w.page.fill("#id_title", "RFID 自助借还改造")
    w.page.fill("#id_budget", "500000")
    w.page.select_option("#id_needs", str(need.pk))
    w.submit("main form.gj-form")
    project = Project.objects.get(title="RFID 自助借还改造")
    w.transition("start_analysis")
    w.transition("seek_partners")
    expect(w.page.locator("#project-status")).to_have_text("寻找合作方")

    # --- partners are matched to the need and invited into the project ------------------------------------------
    w.go(f"/alliances/needs/{need.pk}/")
    w.shot("need-detail")
    for org in (enterprise, university):
        row = w.page.locator(".suggestion", has_text=org.name_zh)
        row.locator("select[name=project]").select_option(str(project.pk))
        with w.page.expect_navigation():
            row.locator("button[type=submit]").click()
        expect(w.page.locator(".suggestion", has_text=org.name_zh).locator(".badge.text-bg-info")).to_be_visible()

    for manager in (partner_manager, professor):
        w.as_user(manager)
        with w.page.expect_navigation():
            w.page.click("nav .dropdown:has(a[href='/alliances/']) > .dropdown-toggle")
            w.page.click("nav a[href='/alliances/']")  # invitations wait on the partner's alliance list
        if manager is partner_manager:
            w.shot("partner-alliances")
        with w.page.expect_navigation():
            w.page.click("#pending-invitations a")
        if manager is partner_manager:
            w.shot("partner-invitation")
        with w.page.expect_navigation():
            w.page.click("#accept-invitation")
        assert f"/alliances/projects/{project.pk}/" in w.page.url

    # --- the library's manager adds the government as funder and starts development -----------------------------
    w.as_user(staff_manager)
    w.go(f"/alliances/{alliance.pk}/")
    w.shot("alliance-detail")
    w.go(f"/alliances/projects/{project.pk}/")
    w.page.click("#add-participant summary")
    w.page.select_option("#participant_organization", str(government.pk))
    w.page.select_option("#participant_role", "funder")
    w.page.fill("#participant_funding_amount", "300000")
    w.submit("#add-participant")
    w.shot("project-seeking-partners")
    with hooks.passing():  # contract and risk pre-assessment belong to later apps; here they say yes
        w.transition("start_development")
    expect(w.page.locator("#project-status")).to_have_text("开发中")

    # --- the enterprise develops and delivers version 1 (a forged file is refused on the form) -------------------
    w.as_user(partner)
    w.go(f"/alliances/projects/{project.pk}/")
    w.page.click("#add-deliverable summary")
    w.page.fill("#deliverable_title", "自助借还系统")
    w.submit("#add-deliverable")
    w.page.click(".upload-version summary")
    w.page.set_input_files("#version_file", w.file("fake.pdf", b"MZ\x90\x00 this is no pdf"))
    w.submit(".upload-version")
    expect(w.page.locator(".upload-version .errorlist")).to_be_visible()
    if SHOTS:  # a reload would resend the upload: this page is kept in the language it is shown in
        w.page.screenshot(path=f"{SHOTS}/project-version-error-zh-hans.png", full_page=True)
    w.page.set_input_files("#version_file", w.file("release-1.pdf", PDF))
    w.page.fill("#version_notes", "首个版本：支持借书、还书")
    w.submit(".upload-version")
    w.transition("deliver")
    expect(w.page.locator("#project-status")).to_have_text("已交付")

    # --- the library plans the first trial with readers who agreed to take part ---------------------------------
    w.as_user(staff)
    w.go(f"/alliances/projects/{project.pk}/")
    w.shot("project-delivered")
    w.page.click("#plan-trial summary")
    w.page.select_option("#trial_version", index=1)
    w.page.fill("#trial_ends_on", (today + timedelta(days=14)).isoformat())
    for box in w.page.locator("#plan-trial input[name=readers]").all():
        box.check()
    w.submit("#plan-trial")
    w.transition("start_trial")
    first = Trial.objects.get(project=project)
    assert first.status == "running" and first.invitations.count() == 3

    _respond(w, readers, first, [2, 3, 2], shoot=True)

    # --- the trial falls short: a deviation goes back to the provider ------------------------------------------
    w.as_user(staff)
    w.go(f"/alliances/projects/trials/{first.pk}/")
    w.shot("trial-results")
    w.go(f"/alliances/projects/{project.pk}/")
    w.page.click("#raise-correction summary")
    w.page.fill("#correction_title", "RFID 识别太慢")
    w.page.select_option("#correction_severity", "high")
    w.page.fill("#correction_due_on", (today + timedelta(days=10)).isoformat())
    w.submit("#raise-correction")
    w.transition("request_corrections")
    correction = CorrectionRequest.objects.get(project=project)

    w.as_user(partner)
    w.go(f"/alliances/projects/corrections/{correction.pk}/")
    w.page.fill("#answer textarea[name=answer]", "更换了天线并优化了读取算法")
    w.submit("#answer")
    w.shot("correction-answered")
    w.go(f"/alliances/projects/{project.pk}/")
    w.transition("resume_development")
    w.page.click(".upload-version summary")
    w.page.set_input_files("#version_file", w.file("release-2.pdf", PDF))
    w.page.fill("#version_notes", "第二版：识别速度提升")
    w.page.check(f"input[name=fixes][value='{correction.pk}']")
    w.submit(".upload-version")
    w.transition("deliver")

    # --- second round: a new trial, the deviation verified, readers are satisfied --------------------------------
    w.as_user(staff)
    w.go(f"/alliances/projects/{project.pk}/")
    w.page.click("#plan-trial summary")
    w.page.select_option("#trial_version", index=1)  # newest first
    w.page.fill("#trial_ends_on", (today + timedelta(days=14)).isoformat())
    for box in w.page.locator("#plan-trial input[name=readers]").all():
        box.check()
    w.submit("#plan-trial")
    w.transition("start_trial")
    second = Trial.objects.filter(project=project).latest("created_at")
    assert second.pk != first.pk and second.version.number == 2
    w.go(f"/alliances/projects/corrections/{correction.pk}/")
    w.submit("#verify")
    assert CorrectionRequest.objects.get(pk=correction.pk).status == "closed"

    _respond(w, readers, second, [5, 4, 5])

    # --- the government funder signs off in its portal and checks compliance ------------------------------------
    w.as_user(officer)
    w.go(f"/alliances/projects/{project.pk}/")
    w.submit("#signoffs form")
    expect(w.page.locator("#signoffs")).to_contain_text(government.name_zh)
    w.go("/alliances/compliance/")
    w.shot("government-compliance")

    # --- the library's manager signs off and accepts -----------------------------------------------------------
    w.as_user(staff_manager)
    w.go(f"/alliances/projects/{project.pk}/")
    w.submit("#signoffs form")
    w.transition("accept")
    expect(w.page.locator("#project-status")).to_have_text("已接受")
    expect(w.page.locator("#rounds-table tbody tr")).to_have_count(2)
    w.page.wait_for_selector(".alliance-chart svg")  # drawn by static JS from json_script data
    w.shot("project-accepted")
    w.go(f"/alliances/projects/{project.pk}/timeline/")
    expect(w.page.locator("#timeline .timeline-transition")).to_have_count(10)
    w.shot("project-timeline")
    w.go("/alliances/projects/")
    w.shot("project-list")
    w.go("/alliances/")
    w.shot("alliance-list")
    w.go("/alliances/invitations/")
    w.shot("invitation-list")
    assert Project.objects.get(pk=project.pk).status == "accepted"
    assert page.js_errors == []


def test_training_and_guidance_pages_for_trainer_staff_and_government(
    page, sign_in, tmp_path, library, government, staff, staff_manager
):
    w = Walk(page, sign_in, tmp_path)
    university = f.OrganizationFactory(kind="university", name_zh="浙江大学", name_en="Zhejiang University")
    professor = f.member_of(university, "manager")
    officer = f.member_of(government, "manager")
    alliance = services.alliance_create(actor=act(staff_manager), lead_library=library, name="浙江省智慧图书馆共建联盟")
    services.alliance_join(actor=act(staff_manager), alliance=alliance, organization=university, role="assistant")
    services.alliance_join(actor=act(staff_manager), alliance=alliance, organization=government, role="guide")

    w.as_user(officer)
    w.go("/alliances/guidance/new/")
    w.shot("guidance-form")
    w.page.select_option("#id_kind", "standard")
    w.page.fill("#id_code", "DB33/T 2345-2026")
    w.page.fill("#id_title", "智慧图书馆建设规范")
    w.page.fill("#id_effective_on", timezone.localdate().isoformat())
    w.page.fill("#id_summary", "规定智慧图书馆的设备、数据与服务要求。")
    w.submit("main form.gj-form")
    expect(w.page.locator("#guidance-table")).to_contain_text("DB33/T 2345-2026")
    w.shot("guidance-list")

    w.as_user(professor)
    w.go("/alliances/training/new/")
    w.shot("training-form")
    w.page.select_option("#id_alliance", str(alliance.pk))
    w.page.select_option("#id_trainer", str(university.pk))
    w.page.fill("#id_title", "图书馆员数据素养")
    w.submit("main form.gj-form")
    start = timezone.localtime() + timedelta(days=2)
    w.page.click("#sessions summary")
    w.page.fill("#id_topic", "RFID 与读者数据")
    w.page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    w.page.fill("#id_ends_at", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    w.submit("#sessions form")
    program = alliance.training_programs.get()

    w.as_user(staff_manager)
    w.go("/alliances/new/")
    w.shot("alliance-form")
    w.page.fill("#id_name", "杭州智慧阅读联盟")
    w.submit("main form.gj-form")
    expect(w.page.locator("h1")).to_contain_text("杭州智慧阅读联盟")
    w.go(f"/alliances/{alliance.pk}/")
    terms = w.page.locator("#member-table tr", has_text=university.name_zh).locator(".member-terms")
    terms.locator("summary").click()
    terms.locator("textarea[name=contributes]").fill("馆员培训与效果评估")
    with w.page.expect_navigation():
        terms.locator("button[type=submit]").click()
    expect(w.page.locator("#member-table")).to_contain_text("馆员培训与效果评估")

    w.as_user(staff)
    w.go(f"/alliances/training/{program.pk}/")
    w.submit("main form[action$='/enrol/']")
    w.as_user(professor)
    w.go(f"/alliances/training/{program.pk}/")
    w.submit("#enrolments form[action*='/attendance/']")
    w.submit("#enrolments form[action$='/complete/']")
    expect(w.page.locator("#enrolments .badge.text-bg-success")).to_be_visible()
    w.shot("training-detail")
    w.go("/alliances/training/")
    w.shot("training-list")
    assert page.js_errors == []
