"""Every filter behind the benchmarked endpoints is served by an index (issue #9).

A few thousand rows are seeded with the benchmark's own seeder (bench.seed, COPY) and ANALYZEd; each
endpoint is then requested once and every SELECT it ran is EXPLAINed with ``enable_seqscan = off``.
On tables this small the planner would often rightly prefer a sequential scan, so it is discouraged:
with seq scans off a plan still shows ``Seq Scan`` only where no usable index exists for the filter.
So "no Seq Scan on a big table" here proves an index serves each filter, not that the planner will
pick it on this data (the real data set's plans are in ``make bench`` / docs/performance.md).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench.seed import Scale, seed
from core.models import User
from stakeholders.models import Membership

pytestmark = pytest.mark.django_db

# Tables that grow with use: a sequential scan on any of them is a finding.
BIG_TABLES = {
    "feedback_feedback",
    "feedback_feedbacksupport",
    "risk_risk",
    "risk_riskregister",
    "alliance_project",
    "alliance_projectparticipant",
    "alliance_projectgroupobjectpermission",
    "alliance_alliancegroupobjectpermission",
    "alliance_alliancemember",
    "stakeholders_membership",
    "stakeholders_readerprofile",
    "core_user",
    "notifications_notification",
}
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
SCALE = Scale(organizations=30, alliances=6, projects=60, feedback=3_000, risks=600, people=400, fanout=0)


@pytest.fixture
def data() -> dict[str, Any]:
    info = seed(SCALE, log=lambda *_: None)
    partner_org = Membership.objects.filter(user_id=info["partner_user"]).values_list("organization_id", flat=True)[0]
    return {**info, "partner_org": partner_org}


def _selects(client: Any, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]


def _seq_scans(sql: str) -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cur.fetchall())
    return {t for t in SEQ_SCAN.findall(plan) if t in BIG_TABLES}


def _assert_indexed(client: Any, url: str) -> None:
    found = {}
    for sql in _selects(client, url):
        tables = _seq_scans(sql)
        if tables:
            found[sql[:300]] = tables
    assert not found, f"{url}: sequential scans on big tables: {found}"


def _client(user_id: int) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(pk=user_id))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/feedback/inbox/",
        "/feedback/inbox/?status=new",
        "/feedback/inbox/?kind=complaint&theme=",
        "/feedback/inbox/?q=%E7%A9%BA%E8%B0%83",
        "/feedback/inbox/?status=triaged&q=%E5%BA%A7%E4%BD%8D",
        "/feedback/inbox/?tag=%E8%AE%BE%E5%A4%87",
        "/feedback/insight/",
        "/api/v1/feedback/?status=new",
        "/api/v1/risks/",
        "/risk/",
    ],
)
def test_library_staff_endpoints_use_indexes(data, url):
    _assert_indexed(_client(data["library_staff"]), url)


def test_project_detail_uses_indexes(data):
    _assert_indexed(_client(data["library_staff"]), f"/alliances/projects/{data['project']}/")


@pytest.mark.parametrize("url", ["/api/v1/projects/", "/alliances/projects/"])
def test_partner_project_list_uses_indexes(data, url):
    _assert_indexed(_client(data["partner_user"]), url)


def test_reader_endpoints_use_indexes(data):
    _assert_indexed(_client(data["reader_of_library"]), "/api/v1/feedback/")


def test_baseline_queries_use_indexes(data, settings):
    settings.ROOT_URLCONF = "bench.urls"
    client = APIClient()
    for url in (
        f"/bench/baseline/projects/?org={data['partner_org']}",
        f"/bench/baseline/feedback/?library={data['library']}",
        f"/bench/baseline/risks/?register={data['register']}",
    ):
        _assert_indexed(client, url)


def test_the_check_sees_a_filter_no_index_serves(data):
    """The guard itself: a filter on an unindexed column still plans a Seq Scan with seq scans off."""
    assert _seq_scans("SELECT id FROM feedback_feedback WHERE rating = 3") == {"feedback_feedback"}
