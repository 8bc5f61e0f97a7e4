"""Reader personal data in a real browser: a manager opens a reader, sees the access log, erases the data
after the confirm step; the reader's feedback stays, anonymised. Both languages are screenshotted with
PRIVACY_SHOTS=<directory>."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from feedback import services as feedback_services
from stakeholders.access import build_actor
from stakeholders.models import ReaderErasure
from tests.e2e.helpers import screenshots

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PRIVACY_SHOTS", "")


def shot(page: Any, name: str) -> None:
    screenshots(page, SHOTS, name)


def test_a_manager_reads_the_log_and_erases_a_readers_data(page, sign_in, staff, staff_manager, reader):
    reader.display_name = "王小明"
    reader.save()
    fb = feedback_services.feedback_submit(actor=build_actor(reader), kind="complaint", text="空调太冷")
    sign_in(page, staff)
    page.goto(page.base_url + f"/feedback/inbox/{fb.pk}/")  # logged: the page shows who gave it
    page.context.clear_cookies()
    sign_in(page, reader)
    page.goto(page.base_url + "/org/me/")
    expect(page.locator("#my-data")).to_be_visible()
    shot(page, "reader-me")
    page.context.clear_cookies()

    sign_in(page, staff_manager)
    page.goto(page.base_url + "/org/privacy/readers/")
    shot(page, "privacy-readers")
    with page.expect_navigation():
        page.click("#privacy-readers a")
    shot(page, "privacy-reader")
    page.goto(page.base_url + "/org/privacy/access-log/")
    expect(page.locator("#access-log")).to_contain_text("feedback detail")
    shot(page, "privacy-access-log")
    page.go_back()
    page.fill("#reader-erase textarea[name=reason]", "读者 12 月 1 日书面申请删除")
    page.fill("#reader-erase input[name=confirm]", reader.reader_profile.card_number_masked)
    with page.expect_navigation():
        page.click("#reader-erase button[type=submit]")
    expect(page.locator("#reader-erased")).to_be_visible()
    shot(page, "privacy-reader-erased")
    assert ReaderErasure.objects.filter(reader=reader.reader_profile).exists()
    fb.refresh_from_db()
    assert fb.reader_id is None and fb.text == "空调太冷"
    assert page.js_errors == []
