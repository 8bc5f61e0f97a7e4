"""The reader feedback loop in a real browser: a reader's need with a photo becomes evidence for a library
need, a complaint about a running trial goes to the project's provider without the reader's name, the
enterprise answers it in its own portal, and the reader sees that answer and confirms it is solved.

With FEEDBACK_SHOTS=<directory> every page visited is also saved as a screenshot in Chinese and English.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance.models import NeedEvidence
from feedback.models import Feedback
from tests.alliance.flow import analysed_need, deliver, make_parties, new_project, start_trial, to_development
from tests.e2e.helpers import as_user, screenshots, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FEEDBACK_SHOTS", "")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def shot(page: Any, name: str) -> None:
    screenshots(page, SHOTS, name)


def test_a_readers_need_and_complaint_travel_to_the_library_and_the_provider_and_back(
    page, sign_in, tmp_path, library, enterprise, government, staff_manager, staff, partner, reader
):
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    need = analysed_need(p)
    project = to_development(p, new_project(p))
    reader.display_name = "王小明"
    reader.save()
    profile = reader.reader_profile
    profile.consent_trials = True
    profile.save()
    p.readers.append(profile)
    trial = start_trial(p, project, deliver(p, project))
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)

    # The reader gives a public need with a photo, on a phone-sized screen.
    as_user(page, sign_in, reader)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/feedback/")
    shot(page, "reader-give")
    page.check("input[name=kind][value=need]")
    page.fill("textarea[name=text]", "高峰期自助借还机前排长队，希望增加一台")
    page.set_input_files("input[name=attachment]", str(photo))
    page.check("input[name=is_public]")
    page.check("input[name=consent_contact]")
    submit(page, "main form.gj-form")
    expect(page.locator("#feedback-text")).to_contain_text("排长队")
    shot(page, "reader-detail-new")
    first = Feedback.objects.get()
    assert first.attachment and first.consent_contact and first.is_public

    # And a complaint about the deliverable on trial.
    page.goto(page.base_url + "/feedback/")
    page.check("input[name=kind][value=complaint]")
    page.select_option("select[name=trial]", str(trial.pk))
    page.fill("textarea[name=text]", "新借还机识别太慢，要刷三次")
    page.select_option("select[name=rating]", "2")
    submit(page, "main form.gj-form")
    complaint = Feedback.objects.get(kind="complaint")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Staff link the need to the library's Need and route the complaint to the provider.
    as_user(page, sign_in, staff)
    page.goto(page.base_url + "/feedback/inbox/")
    shot(page, "staff-inbox")
    with page.expect_navigation():
        page.click(f"#feedback-table a[href$='/inbox/{first.pk}/']")
    page.select_option("form[action$='/link-need/'] select[name=need]", str(need.pk))
    submit(page, "form[action$='/link-need/']")
    expect(page.locator(".alert-success")).to_be_visible()
    assert NeedEvidence.objects.filter(need=need, reference_id=f"feedback:{first.pk}").exists()
    page.goto(page.base_url + f"/feedback/inbox/{complaint.pk}/")
    shot(page, "staff-detail")
    assert complaint.trial == trial

    # Later, from the inbox: tick the trial complaint and route it with the bulk action.
    page.goto(page.base_url + "/feedback/inbox/")
    page.check(f"#feedback-table input.feedback-select[value='{complaint.pk}']")
    page.click("#bulk-route summary")
    page.select_option("#bulk-route select[name=project]", str(project.pk))
    page.fill("#bulk-route input[name=title]", "借还机识别速度")
    page.fill("#bulk-route input[name=due_on]", (timezone.localdate() + timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.click("#bulk-route button[value=route]")
    expect(page.locator(".alert-success")).to_be_visible()
    complaint.refresh_from_db()
    assert complaint.status == "routed" and complaint.routed_to == enterprise and complaint.correction_id

    # The enterprise reads it in its portal, without the reader's name, and answers the correction request there.
    as_user(page, sign_in, partner)
    page.goto(page.base_url + "/feedback/partner/")
    expect(page.locator("#partner-feedback")).to_contain_text("识别太慢")
    with page.expect_navigation():
        page.click(f"#partner-feedback a[href$='/partner/{complaint.pk}/']")
    shot(page, "partner-detail")
    assert "王小明" not in page.content() and reader.username not in page.content()
    with page.expect_navigation():
        page.click(f"main a[href$='/corrections/{complaint.correction_id}/']")
    assert "王小明" not in page.content()
    shot(page, "partner-correction")
    page.fill("form[action$='/answer/'] textarea[name=answer]", "已升级识别模块，识别时间降到一秒内")
    submit(page, "form[action$='/answer/']")
    complaint.refresh_from_db()
    assert complaint.status == "answered" and "升级识别模块" in complaint.provider_answer

    # The staff may add to the provider's answer; the reader sees both and confirms it is solved.
    as_user(page, sign_in, staff)
    page.goto(page.base_url + f"/feedback/inbox/{complaint.pk}/")
    expect(page.locator("#provider-answer")).to_contain_text("升级识别模块")
    page.fill("form[action$='/answer/'] textarea[name=answer]", "请再试一次，仍有问题请告诉我们")
    submit(page, "form[action$='/answer/']")
    as_user(page, sign_in, reader)
    page.goto(page.base_url + "/feedback/mine/")
    shot(page, "reader-mine")
    page.goto(page.base_url + f"/feedback/mine/{complaint.pk}/")
    expect(page.locator("#provider-answer")).to_contain_text("升级识别模块")
    expect(page.locator("#library-answer")).to_contain_text("请再试一次")
    shot(page, "reader-detail-answered")
    submit(page, f"form[action$='/mine/{complaint.pk}/solved/']")
    complaint.refresh_from_db()
    assert complaint.status == "confirmed"
    page.goto(page.base_url + "/feedback/needs/")
    shot(page, "reader-needs")
    as_user(page, sign_in, staff)
    page.goto(page.base_url + "/feedback/insight/")
    shot(page, "staff-insight")
    assert page.js_errors == []


def test_the_library_builds_a_survey_a_reader_answers_it_and_staff_read_the_results(page, sign_in, staff, reader):
    as_user(page, sign_in, staff)
    page.goto(page.base_url + "/feedback/surveys/new/")
    shot(page, "staff-survey-build")  # before filling: a screenshot reloads the page
    page.fill("input[name=title]", "自习区满意度调查")
    page.fill("input[name=q1_text]", "您对自习区满意吗？")
    page.select_option("select[name=q1_kind]", "rating")
    page.fill("input[name=q2_text]", "您常在什么时间来？")
    page.select_option("select[name=q2_kind]", "choice")
    page.fill("textarea[name=q2_options]", "上午\n下午\n晚上")
    page.fill("input[name=q3_text]", "还有什么建议？")
    page.select_option("select[name=q3_kind]", "text")
    page.uncheck("input[name=q3_required]")
    submit(page, "main form.gj-form")
    submit(page, "form[action$='/open/']")
    survey_url = page.url

    as_user(page, sign_in, reader)
    page.goto(page.base_url + "/feedback/surveys/")
    shot(page, "reader-surveys")
    page.goto(survey_url)
    shot(page, "reader-survey-answer")
    page.check("#survey-answer input[type=radio][value='4']")
    page.check("#survey-answer input[type=radio][value='晚上']")
    page.fill("#survey-answer textarea", "希望多一些插座")
    submit(page, "#survey-answer")
    expect(page.locator(".alert-success")).to_be_visible()

    as_user(page, sign_in, staff)
    page.goto(survey_url)
    expect(page.locator("#survey-results")).to_contain_text("希望多一些插座")
    shot(page, "staff-survey-results")
    assert page.js_errors == []
