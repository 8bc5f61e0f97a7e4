"""The insight API: the same figures as the pages, scoped; partners are refused insight (empty lists, 404)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from insight.choices import ReportStatus
from insight.models import ReportJob
from insight.reports import SHEETS
from insight.tasks import generate_report
from notifications.models import Notification
from tests.insight import builders as b
from tests.permissions import covers

pytestmark = pytest.mark.django_db

LIST = "/api/v1/insight/alliances/"
OVERSIGHT = "/api/v1/insight/oversight/"
REPORTS = "/api/v1/insight/reports/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


@covers(f"GET {LIST}", "anonymous", "unrelated", "member", "manager")
def test_alliance_list_is_scoped(api, p, staff, staff_manager, outsider, partner):
    assert api(None).get(LIST).status_code in (401, 403)
    assert api(outsider).get(LIST).json()["results"] == []
    assert api(partner).get(LIST).json()["results"] == []  # partners are refused insight
    for user in (staff, staff_manager, p.officer):
        rows = api(user).get(LIST, {"period": "2026"}).json()["results"]
        assert [r["id"] for r in rows] == [p.alliance.pk]
        assert set(rows[0]["synergy"]) == {"index", "entropy", "density"}  # never a bare number


@covers(f"GET {LIST}{{id}}/", "anonymous", "unrelated", "member", "manager")
def test_alliance_detail_is_scoped(api, p, staff, staff_manager, outsider, partner):
    url = detail(p.alliance.pk)
    assert api(None).get(url).status_code in (401, 403)
    assert api(outsider).get(url).status_code == 404
    assert api(partner).get(url).status_code == 404
    assert api(p.professor).get(url).status_code == 404
    for user in (staff, staff_manager, p.officer):
        body = api(user).get(url, {"period": "2026Q4"}).json()
        assert body["period"]["label"] == "2026Q4"
        assert {"participation", "loop", "credibility", "risk_heat_map", "funding"} <= set(body)
    bad = api(staff).get(url, {"period": "2026Q9"})
    assert bad.status_code == 400 and "period" in bad.json()["error"]["fields"]


def test_government_sees_only_what_it_guides_or_funds(api, p, government):
    other = b.world()  # led by another library, guided by another government body
    officer_view = api(p.officer).get(LIST).json()["results"]
    assert [r["id"] for r in officer_view] == [p.alliance.pk]
    assert api(p.officer).get(detail(other.alliance.pk)).status_code == 404


def test_list_figures_match_the_detail(api, p, staff):
    b.transition(b.World(p.alliance, p.library, p.enterprise, p.university, p.government, None, _project(p), p.librarian),
                 p.library, b.at(2026, 2, 1))  # fmt: skip
    row = api(staff).get(LIST, {"period": "2026"}).json()["results"][0]
    body = api(staff).get(detail(p.alliance.pk), {"period": "2026"}).json()
    assert row["synergy"] == body["participation"]["synergy"]
    assert row["activities"] == body["participation"]["total"]


def _project(p):
    from alliance.models import Project

    return Project.objects.create(alliance=p.alliance, title="项目", created_by=p.librarian)


def test_list_query_count_is_constant(api, staff_manager, library, count_queries):
    client = api(staff_manager)
    counts = []
    for n in (2, 10):
        existing = len(client.get(LIST).json()["results"])
        for _ in range(n - existing):
            w = b.world(library=library)
            b.transition(w, library, b.at(2026, 1, 5))
        with count_queries() as q:
            assert len(client.get(LIST, {"period": "2026"}).json()["results"]) == n
        counts.append(len(q))
    assert counts[0] == counts[1]


@covers(f"GET {OVERSIGHT}", "anonymous", "unrelated", "member", "manager")
def test_oversight_is_scoped(api, p, staff, staff_manager, outsider, partner):
    b.world()  # someone else's alliance
    assert api(None).get(OVERSIGHT).status_code in (401, 403)
    assert api(outsider).get(OVERSIGHT).json()["alliances"] == []
    assert api(partner).get(OVERSIGHT).json()["alliances"] == []
    for user in (staff, staff_manager, p.officer):
        rows = api(user).get(OVERSIGHT).json()["alliances"]
        assert [r["alliance_id"] for r in rows] == [p.alliance.pk]
        assert rows[0]["name"] == p.alliance.name


def test_oversight_query_count_is_constant(api, staff_manager, library, count_queries):
    client = api(staff_manager)
    counts = []
    for n in (2, 10):
        while len(client.get(OVERSIGHT).json()["alliances"]) < n:
            b.world(library=library)
        with count_queries() as q:
            client.get(OVERSIGHT)
        counts.append(len(q))
    assert counts[0] == counts[1]


@covers(f"POST {REPORTS}", "anonymous", "unrelated", "member", "manager")
def test_report_request_is_scoped_and_nothing_is_written_when_refused(api, p, staff, staff_manager, outsider, partner):
    body = {"alliance": p.alliance.pk, "period": "2026Q4"}
    assert api(None).post(REPORTS, body).status_code in (401, 403)
    for refused in (outsider, partner):
        answer = api(refused).post(REPORTS, body)
        assert answer.status_code == 400 and "alliance" in answer.json()["error"]["fields"]
    assert ReportJob.objects.count() == 0
    assert api(staff).post(REPORTS, {**body, "period": "later"}).status_code == 400
    assert ReportJob.objects.count() == 0
    for user in (staff, staff_manager, p.officer):
        answer = api(user).post(REPORTS, body)
        assert answer.status_code == 201, answer.content
        assert answer.json()["status"] == "queued" and answer.json()["progress"] == 0
    assert ReportJob.objects.count() == 3


@covers(f"GET {REPORTS}", "anonymous", "unrelated", "member", "manager")
@covers(f"GET {REPORTS}{{id}}/", "anonymous", "unrelated", "member", "manager")
def test_reports_are_read_by_the_requesting_organisation_only(api, p, staff, staff_manager, outsider, partner):
    mine = api(staff).post(REPORTS, {"alliance": p.alliance.pk, "period": "2026"}).json()
    theirs = api(p.officer).post(REPORTS, {"alliance": p.alliance.pk, "period": "2026"}).json()
    assert api(None).get(REPORTS).status_code in (401, 403)
    assert api(None).get(f"{REPORTS}{mine['id']}/").status_code in (401, 403)
    for other in (outsider, partner):
        assert api(other).get(REPORTS).json()["results"] == []
        assert api(other).get(f"{REPORTS}{mine['id']}/").status_code == 404
    for user in (staff, staff_manager):
        assert [r["id"] for r in api(user).get(REPORTS).json()["results"]] == [mine["id"]]
        assert api(user).get(f"{REPORTS}{mine['id']}/").json()["status"] == "queued"
        assert api(user).get(f"{REPORTS}{theirs['id']}/").status_code == 404


def test_report_is_generated_once_with_the_expected_sheets_and_figures(api, p, staff, settings):
    w = b.World(p.alliance, p.library, p.enterprise, p.university, p.government, None, _project(p), p.librarian)
    b.transition(w, p.library, b.at(2026, 2, 1))
    b.transition(w, p.enterprise, b.at(2026, 3, 1))
    job_id = api(staff).post(REPORTS, {"alliance": p.alliance.pk, "period": "2026"}).json()["id"]
    assert generate_report(job_id) == "done"
    assert generate_report(job_id) == "taken"  # a second delivery of the task does nothing
    job = ReportJob.objects.get(pk=job_id)
    assert (job.status, job.progress) == (ReportStatus.DONE, 100)
    assert Notification.objects.filter(recipient=staff, event="insight.report_ready").count() == 1
    answer = api(staff).get(f"{REPORTS}{job_id}/").json()
    assert answer["download_url"].endswith(f"/insight/reports/{job_id}/download/")
    workbook = load_workbook(io.BytesIO(job.file.read()))
    assert tuple(workbook.sheetnames) == SHEETS
    # The workbook is in the requester's language (Chinese by default): rows are read by position.
    summary = [row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)]
    body = api(staff).get(detail(p.alliance.pk), {"period": "2026"}).json()
    synergy = body["participation"]["synergy"]
    assert summary[:5] == [p.alliance.name, "2026", synergy["index"], synergy["entropy"], synergy["density"]]
    assert summary[8] == body["participation"]["total"]
    participation = [row[1] for row in workbook["Participation"].iter_rows(min_row=2, values_only=True)]
    assert participation == [r["count"] for r in body["participation"]["by_kind"]]
    assert participation[0] >= 1  # the library's move at least
    assert workbook["Funding"].max_row == 2  # the header and the one project's budget


def test_a_failing_report_is_marked_failed_not_left_running(api, p, staff, monkeypatch):
    job_id = api(staff).post(REPORTS, {"alliance": p.alliance.pk, "period": "2026"}).json()["id"]

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("insight.tasks.build_report_xlsx", boom)
    assert generate_report(job_id) == "failed"
    job = ReportJob.objects.get(pk=job_id)
    assert job.status == ReportStatus.FAILED and "disk full" in job.error
