"""The demo seed leaves a finished insight report and data behind every chart of the alliance insight page."""

from __future__ import annotations

import openpyxl
import pytest
from django.utils import timezone

from alliance.demo import ALLIANCE_NAME
from alliance.models import Alliance
from core import demo
from insight import selectors
from insight.choices import ReportStatus
from insight.demo import seed_insight
from insight.models import ReportJob
from insight.reports import SHEETS

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_report_and_non_empty_charts():
    demo.seed()
    alliance = Alliance.objects.get(name=ALLIANCE_NAME)
    year = str(timezone.localdate().year)
    job = ReportJob.objects.get(alliance=alliance)
    assert (job.period, job.status, job.requested_by.username) == (year, ReportStatus.DONE, "zjlib-director")
    with job.file.open("rb") as handle:
        assert tuple(openpyxl.load_workbook(handle).sheetnames) == SHEETS

    data = selectors.alliance_insight(alliance, selectors.period_parse(year))
    assert sum(v for s in data["activity_over_time"]["series"] for v in s["values"]) > 0
    assert data["participation"]["synergy"]["index"] is not None
    fb = data["loop"]["totals"]["feedback"]
    assert all(fb[step] > 0 for step in ("total", "routed", "answered", "resolved", "confirmed"))
    assert sum(sum(row) for row in data["risk_heat_map"]["residual"]) > 0
    assert float(data["funding"]["by_stage"]["spent"]) > 0
    assert any(float(v) > 0 for v in data["funding"]["burndown"]["spent"])

    seed_insight()  # seeding again adds nothing
    assert ReportJob.objects.filter(alliance=alliance).count() == 1
