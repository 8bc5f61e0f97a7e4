"""Collaboration insight in a real browser, on the demo data (``core.demo.seed``) plus an alliance of another
region with its own government body:

- the library's director sees the alliance insight page with every ECharts chart drawn and non-empty (activity
  by party kind over time, the collaboration network, the loop funnel, the risk heat map, funding by project and
  the funding burn-down) and the synergy index with its parts, the leadership view, and asks for a period report
  that is generated (the Celery task run in place), polled to "done" and downloaded as an XLSX that opens with
  the expected sheets and figures;
- the department's officer sees on the oversight page only the alliance it guides and funds, and every figure
  opens a drill-down list that holds only that scope.
Both in English and in Chinese. With INSIGHT_SHOTS=<directory> the pages are also saved as screenshots.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from alliance.demo import ALLIANCE_NAME
from alliance.models import Alliance, AllianceMember, Project
from core import demo
from insight import selectors
from insight.choices import ReportStatus
from insight.models import ReportJob
from insight.reports import SHEETS
from insight.tasks import generate_report
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("INSIGHT_SHOTS", "")
CHARTS = ("activity", "network", "funnel", "heat", "budget", "burndown")
LANGUAGES = {
    "en": {"synergy": "Synergy index", "balance": "balance", "density": "pair density", "report": "Generate XLSX report",
           "download": "Download XLSX", "spent": "Spent (cumulative)", "confirmed": "Confirmed solved",
           "oversight": "Oversight across alliances", "library": "Zhejiang Library"},
    "zh-hans": {"synergy": "协同指数", "balance": "均衡度", "density": "互动密度", "report": "生成 XLSX 报告",
                "download": "下载 XLSX", "spent": "累计支出", "confirmed": "已确认解决",
                "oversight": "跨联盟监管总览", "library": "浙江图书馆"},
}  # fmt: skip


@pytest.fixture
def world() -> dict[str, Any]:
    """The demo data, and another province's alliance guided by its own department (outside the officer's scope)."""
    demo.seed()
    library: Any = f.OrganizationFactory(kind="library", name_zh="江苏省图书馆联盟馆", name_en="Jiangsu Library")
    government: Any = f.OrganizationFactory(kind="government", name_zh="江苏省文化厅", name_en="Jiangsu Culture")
    other = Alliance.objects.create(name="江苏省智慧图书馆联盟", lead_library=library)
    AllianceMember.objects.create(alliance=other, organization=government, role="guide")
    Project.objects.create(alliance=other, title="江苏自助借还项目", status="accepted", created_by=f.member_of(library))
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["zjlib-director", "zjwl-officer"])}
    for user in users.values():  # the demo password is slow to type and check: the tests' password instead
        user.set_password("pass-word-123")
        user.save(update_fields=["password"])
    return {"alliance": Alliance.objects.get(name=ALLIANCE_NAME), "other": other, **users}


def _language(page: Any, lang: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": page.base_url}])


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _open(page: Any, url: str) -> None:
    page.goto(page.base_url + url)
    page.wait_for_load_state("networkidle")


def _chart_values(data: dict[str, Any], chart: str) -> float:
    """What a chart draws, summed: zero would be an empty chart."""
    block = data[chart]
    if chart == "network":
        return sum(link["value"] for link in block["links"])
    if chart == "funnel":
        return sum(step["value"] for step in block)
    if chart == "heat":
        return sum(cell[2] for cell in block["cells"])
    return sum(v for s in block["series"] for v in s["values"])


def test_the_library_reads_the_alliance_insight_and_downloads_its_period_report(
    page: Any, sign_in: Any, world: dict[str, Any]
) -> None:
    alliance = world["alliance"]
    year = str(timezone.localdate().year)
    synergy = selectors.alliance_insight(alliance, selectors.period_parse(year))["participation"]
    sign_in(page, world["zjlib-director"])
    for lang, words in LANGUAGES.items():
        _language(page, lang)

        # The leadership view: the alliance with its synergy index and parts.
        _open(page, "/insight/")
        card = page.locator("#alliance-insight-list .card", has_text=ALLIANCE_NAME)
        expect(card.locator(".synergy")).to_contain_text(words["synergy"])
        expect(card.locator(".synergy")).to_contain_text(words["density"])
        _shot(page, f"leadership-{lang}")

        # The alliance page: every chart drawn (ECharts, SVG renderer) from non-empty data.
        _open(page, f"/insight/alliances/{alliance.pk}/?period={year}")
        data = json.loads(page.locator("#insight-data").text_content())
        for chart in CHARTS:
            svg = page.locator(f".insight-chart[data-chart='{chart}'] svg")
            expect(svg).to_have_count(1)
            assert svg.locator("path").count() > 3, chart
            assert _chart_values(data, chart) > 0, chart
        expect(page.locator(".insight-chart[data-chart='network'] svg")).to_contain_text(words["library"])
        expect(page.locator(".insight-chart[data-chart='funnel'] svg")).to_contain_text(words["confirmed"])
        expect(page.locator(".insight-chart[data-chart='burndown'] svg")).to_contain_text(words["spent"])
        parts = page.locator(".synergy").first
        expect(parts).to_contain_text(words["synergy"])
        expect(parts).to_contain_text(words["balance"])
        expect(parts).to_contain_text(words["density"])
        s = synergy["synergy"]
        for figure in (s["index"], s["entropy"], s["density"]):
            expect(parts).to_contain_text(str(figure))
        expect(parts).to_contain_text(f"({synergy['interacting_pairs']}/{synergy['possible_pairs']})")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # nothing overflows the page
        _shot(page, f"alliance-{lang}")

        # A period report: asked for, generated by the task (run in place of the worker), polled, downloaded.
        before = set(ReportJob.objects.values_list("pk", flat=True))
        with page.expect_navigation():
            page.get_by_role("button", name=words["report"]).click()
        job = ReportJob.objects.exclude(pk__in=before).get()
        assert job.status == ReportStatus.QUEUED and job.period == year
        assert generate_report(job.pk) == "done"
        download_link = page.get_by_role("link", name=words["download"])
        expect(download_link).to_be_visible(timeout=10_000)  # the htmx poll brings it in
        with page.expect_download() as info:
            download_link.click()
        workbook = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
        assert tuple(workbook.sheetnames) == SHEETS
        summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
        assert ALLIANCE_NAME in summary.values() and year in summary.values()
        assert s["index"] in summary.values() and s["entropy"] in summary.values()
        funding = list(workbook["Funding"].iter_rows(min_row=2, values_only=True))
        assert ("RFID 自助借还与智能书架改造", "spent", 174000.0) in funding
        burndown = list(workbook["Burndown"].iter_rows(min_row=2, values_only=True))
        assert burndown[-1][0] == f"{year}-12" and burndown[-1][3] >= 174000.0
        _shot(page, f"report-{lang}")

    # The demo's own report is there too, finished, for a newcomer to download.
    assert ReportJob.objects.filter(alliance=alliance, requested_by__username="zjlib-director",
                                    status=ReportStatus.DONE).count() == 3  # fmt: skip


def test_the_government_oversees_only_its_alliances_and_drills_down_into_each_figure(
    page: Any, sign_in: Any, world: dict[str, Any]
) -> None:
    alliance, other = world["alliance"], world["other"]
    sign_in(page, world["zjwl-officer"])
    for lang, words in LANGUAGES.items():
        _language(page, lang)
        _open(page, "/insight/oversight/")
        expect(page.locator("h1")).to_have_text(words["oversight"])
        table = page.locator("#oversight-table")
        expect(table).to_contain_text(ALLIANCE_NAME)
        expect(table).not_to_contain_text(other.name)
        for chart in ("projects", "risks"):
            expect(page.locator(f".insight-chart[data-chart='{chart}'] svg")).to_have_count(1)
        _shot(page, f"oversight-{lang}")

        row = table.locator(f"tr[data-alliance='{alliance.pk}']")
        figures = sorted(set(row.locator("a[data-figure]").evaluate_all("els => els.map(e => e.dataset.figure)")))
        assert figures == sorted(
            ["projects", "risks", "funds", "feedback", "trials", "corrections", "milestones", "risk_reviews",
             "mitigations"]
        )  # fmt: skip
        for figure in figures:
            link = row.locator(f"a[data-figure='{figure}']").first
            with page.expect_navigation():
                link.click()
            listing = page.locator("#oversight-items")
            expect(listing).to_have_attribute("data-figure", figure)
            assert set(listing.locator("tbody tr[data-alliance]").evaluate_all(
                "els => els.map(e => e.dataset.alliance)")) <= {str(alliance.pk)}  # fmt: skip
            expect(listing).not_to_contain_text(other.name)
            page.go_back()
        # The projects slice of the chart opens the same list, across every alliance in scope (only this one).
        _open(page, "/insight/oversight/projects/")
        expect(page.locator("#oversight-items")).to_contain_text("RFID 自助借还与智能书架改造")
        expect(page.locator("#oversight-items")).not_to_contain_text("江苏自助借还项目")
        _shot(page, f"oversight-projects-{lang}")

    # Another region's alliance, asked for by its id, is not there at all.
    _open(page, f"/insight/oversight/projects/?alliance={other.pk}")
    expect(page.locator("#oversight-items")).to_have_count(0)
    _open(page, f"/insight/alliances/{other.pk}/")
    expect(page.locator(".insight-chart")).to_have_count(0)
