"""Risk pages: the registers with their heat maps, a register's risks (filter, export), a risk's treatment."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from risk import services
from tests.alliance.flow import act
from tests.risk.conftest import project_with_provider

pytestmark = pytest.mark.django_db


def _heat(response):
    content = response.content.decode()
    marker = '<script id="heat-data" type="application/json">'
    start = content.index(marker) + len(marker)
    return json.loads(content[start : content.index("</script>", start)])


def test_register_list_shows_visible_registers_a_heat_map_and_what_is_overdue(w, client):
    services.mitigation_create(
        actor=act(w.p.librarian), risk=w.risk, title="加密读者数据", owner_organization=w.p.enterprise,
        due_on=timezone.localdate() - timedelta(days=2),
    )  # fmt: skip
    client.force_login(w.p.supplier)
    response = client.get(reverse("risk:register-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert w.register.title in html and "加密读者数据" in html
    assert _heat(response)["inherent"][2][2] == 1
    assert "<script>" not in html.replace("<script src=", "")  # no inline script under the CSP


def test_a_register_is_404_to_an_unrelated_organisation(w, client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("risk:register-list")).status_code == 200
    assert client.get(reverse("risk:register-detail", args=[w.register.pk])).status_code == 404
    assert client.get(reverse("risk:risk-detail", args=[w.risk.pk])).status_code == 404


def test_register_page_filters_and_exports_its_risks(w, client):
    services.risk_create(
        actor=act(w.p.librarian), register=w.register, category="funding", title="经费缺口", likelihood=2, impact=2
    )
    client.force_login(w.p.librarian)
    url = reverse("risk:register-detail", args=[w.register.pk])
    html = client.get(url, {"category": "funding"}).content.decode()
    assert "经费缺口" in html and "读者数据泄露" not in html
    export = client.get(url, {"category": "security", "export": "csv"})
    text = export.content.decode("utf-8-sig")
    assert "读者数据泄露" in text and "经费缺口" not in text


def test_register_page_query_count_does_not_grow_with_risks(w, client, count_queries):
    client.force_login(w.p.librarian)
    url = reverse("risk:register-detail", args=[w.register.pk])
    client.get(url)
    with count_queries() as one:
        client.get(url)
    for i in range(19):
        services.risk_create(
            actor=act(w.p.librarian), register=w.register, category="other", title=f"风险{i}", likelihood=2,
            impact=2, owner_organization=w.p.enterprise, owner=w.p.supplier,
        )  # fmt: skip
    with count_queries() as twenty:
        response = client.get(url)
    assert response.content.decode().count('href="/risk/risks/') == 20
    assert len(one) == len(twenty) == 16, [q["sql"] for q in twenty.captured_queries]


def test_register_list_page_query_count_is_pinned_for_one_register_and_for_ten(w, client, count_queries):
    client.force_login(w.p.librarian)
    url = reverse("risk:register-list")
    client.get(url)
    with count_queries() as one:
        assert client.get(url).status_code == 200
    for _ in range(9):
        register = services.register_create(actor=act(w.p.manager), alliance=w.p.alliance,
                                            project=project_with_provider(w.p))  # fmt: skip
        services.risk_create(
            actor=act(w.p.librarian), register=register, category="ethics", title="读者画像伦理", likelihood=3,
            impact=2, owner_organization=w.p.enterprise, owner=w.p.supplier,
        )  # fmt: skip
        services.mitigation_create(
            actor=act(w.p.librarian), risk=register.risks.get(), title="告知同意", owner_organization=w.p.enterprise,
            due_on=timezone.localdate() - timedelta(days=1),
        )  # fmt: skip
    with count_queries() as ten:
        html = client.get(url).content.decode()
    assert html.count('href="/risk/registers/') >= 10
    assert len(one) == len(ten) == 13, [q["sql"] for q in ten.captured_queries]


def test_risk_page_shows_scores_treatment_and_history(w, client):
    services.mitigation_create(
        actor=act(w.p.librarian), risk=w.risk, title="脱敏", owner_organization=w.p.enterprise,
        due_on=timezone.localdate(),
    )  # fmt: skip
    plan = services.emergency_plan_create(
        actor=act(w.p.librarian), risk=w.risk, title="泄露应急预案", trigger_conditions="外泄", steps="隔离",
        contacts="王",
    )  # fmt: skip
    services.drill_record(actor=act(w.p.librarian), plan=plan, held_on=timezone.localdate(), outcome="顺利完成")
    services.review_record(
        actor=act(w.p.librarian), risk=w.risk, likelihood=3, impact=3, residual_likelihood=2, residual_impact=3,
        notes="复核意见",
    )  # fmt: skip
    client.force_login(w.p.officer)
    html = client.get(reverse("risk:risk-detail", args=[w.risk.pk])).content.decode()
    for text in ("脱敏", "泄露应急预案", "顺利完成", "复核意见", "Possible"):
        assert text in html
