"""List endpoints of the risk API run the same number of queries for 1 row and for 20."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from risk import services
from tests.alliance.flow import act
from tests.risk.conftest import project_with_provider

pytestmark = pytest.mark.django_db


def _risks(w, n):
    for i in range(n):
        risk = services.risk_create(
            actor=act(w.p.librarian), register=w.register, category="technology", title=f"风险{i}", likelihood=2,
            impact=3, owner_organization=w.p.enterprise, owner=w.p.supplier,
        )  # fmt: skip
        services.mitigation_create(
            actor=act(w.p.librarian), risk=risk, title=f"措施{i}", owner_organization=w.p.enterprise,
            owner=w.p.supplier, due_on=timezone.localdate() + timedelta(days=5),
        )  # fmt: skip
        services.emergency_plan_create(
            actor=act(w.p.librarian), risk=risk, title=f"预案{i}", trigger_conditions="x", steps="y", contacts="z"
        )
        plan = risk.emergency_plans.get()
        services.drill_record(actor=act(w.p.librarian), plan=plan, held_on=timezone.localdate(), outcome="ok")
        services.review_record(
            actor=act(w.p.librarian), risk=risk, likelihood=2, impact=3, residual_likelihood=1, residual_impact=3
        )
        services.acceptance_give(
            actor=act(w.p.librarian), risk=risk, rationale="可接受", expires_at=timezone.now() + timedelta(days=9)
        )
        services.incident_record(
            actor=act(w.p.librarian), register=w.register, title=f"事件{i}", occurred_at=timezone.now(),
            what_happened="x", impact="y", response="z",
            rescores=[{"risk": risk, "likelihood": 2, "impact": 3}],
        )  # fmt: skip


# url: the exact number of queries, the same for 1 row and for 20: the actor, the visible ids, the count, the
# page, and one per prefetch (a drill or an owner more never adds one).
LISTS = {
    "/api/v1/risks/": 5,
    "/api/v1/risk-registers/": 5,
    "/api/v1/risk-mitigations/": 5,
    "/api/v1/risk-emergency-plans/": 5,
    "/api/v1/risk-acceptances/": 4,
    "/api/v1/risk-reviews/": 4,
    "/api/v1/risk-incidents/": 5,
    "/api/v1/risk-templates/": 4,
}


def _count(api, user, url, count_queries, sql=None):
    client = api(user)
    client.get(url)  # warm up: content types, session
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    if sql is not None:
        sql.extend(q["sql"] for q in queries.captured_queries)
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("url", sorted(LISTS))
def test_list_query_count_is_pinned_and_does_not_grow_with_rows(url, w, api, count_queries, templates):
    _risks(w, 1)
    one, n1 = _count(api, w.p.supplier, url, count_queries)
    _risks(w, 19)
    if url == "/api/v1/risk-registers/":
        for _ in range(19):
            services.register_create(actor=act(w.p.manager), alliance=w.p.alliance, project=project_with_provider(w.p))
    sql: list[str] = []
    twenty, n20 = _count(api, w.p.supplier, url, count_queries, sql)
    # the templates are the seeded set (installed again: a transactional test may have flushed them)
    assert n20 > n1 >= 1 or (url == "/api/v1/risk-templates/" and n20 == n1 >= 1)
    assert one == twenty == LISTS[url], f"{url}: {one} queries for {n1} rows, {twenty} for {n20}: {sql}"


def test_preassessment_list_query_count_is_pinned(p, api, count_queries):
    counts = []
    for _ in range(2):
        for _ in range(1 if not counts else 19):
            project = project_with_provider(p)
            assessment = services.preassessment_start(actor=act(p.librarian), project=project)
            services.preassessment_assess(
                actor=act(p.librarian), assessment=assessment, category="ethics", finding="x", likelihood=1, impact=1
            )
        counts.append(_count(api, p.manager, "/api/v1/risk-preassessments/", count_queries))
    assert counts[0][0] == counts[1][0] == 5 and counts[1][1] == 20


@pytest.mark.parametrize(("url", "table"), [("/api/v1/risks/", "risk_risk"), ("/api/v1/projects/", "alliance_project")])
def test_list_filters_with_the_resolved_visible_ids(url, table, w, api, count_queries):
    """The page and count queries carry a literal id list, not the permission subqueries the planner misjudges."""
    _risks(w, 2)
    client = api(w.p.supplier)
    client.get(url)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 1
    # the page and the count (the ids query before them reads the permission tables, once)
    on_table = [
        q["sql"]
        for q in queries.captured_queries
        if f'FROM "{table}"' in q["sql"] and ("LIMIT" in q["sql"] or "COUNT(" in q["sql"])
    ]
    assert on_table, [q["sql"] for q in queries.captured_queries]
    for sql in on_table:
        assert "objectpermission" not in sql.lower(), sql
