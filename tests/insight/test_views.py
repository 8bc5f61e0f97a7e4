"""Insight pages: scoped like the API (partners get 404), rendered in both languages, the report polled by htmx."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from insight.models import ReportJob
from insight.tasks import generate_report
from tests import factories as f
from tests.insight import builders as b

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _busy(p):
    from alliance.models import Project

    project = Project.objects.create(alliance=p.alliance, title="自助借还", created_by=p.librarian)
    w = b.World(p.alliance, p.library, p.enterprise, p.university, p.government, None, project, p.librarian)
    b.transition(w, p.library, b.at(2026, 2, 1))
    b.enrol(w, p.university, p.library, b.at(2026, 3, 1))
    return w


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_render_for_the_library_and_the_government(p, staff, language):
    _busy(p)
    for user in (staff, p.officer):
        c = client_for(user)
        with translation.override(language):
            urls = [
                reverse("insight:home") + "?period=2026",
                reverse("insight:alliance-detail", args=[p.alliance.pk]) + "?period=2026",
                reverse("insight:report-print", args=[p.alliance.pk]) + "?period=2026Q1",
                reverse("insight:oversight"),
            ]
        for url in urls:
            answer = c.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert answer.status_code == 200, url
            assert p.alliance.name in answer.content.decode()
    page = client_for(staff).get(
        reverse("insight:alliance-detail", args=[p.alliance.pk]) + "?period=2026", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert 'id="insight-data"' in text and "Synergy index" in text


def test_partners_outsiders_and_anonymous_get_nothing(client, p, partner, outsider):
    urls = [
        reverse("insight:home"),
        reverse("insight:alliance-detail", args=[p.alliance.pk]),
        reverse("insight:report-print", args=[p.alliance.pk]),
        reverse("insight:oversight"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the log-in
        assert client_for(partner).get(url).status_code == 404
        assert client_for(p.professor).get(url).status_code == 404
    # Another library's people see their own insight, never this alliance.
    other = b.world()
    other_staff = f.member_of(other.library, "manager")
    assert client_for(other_staff).get(urls[1]).status_code == 404
    assert client_for(outsider).get(urls[0]).status_code == 404


def test_a_bad_period_falls_back_to_this_year_with_a_message(p, staff):
    answer = client_for(staff).get(
        reverse("insight:alliance-detail", args=[p.alliance.pk]) + "?period=nope", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 200
    assert "The period is a year (2026) or a quarter (2026Q3)." in answer.content.decode()


def test_report_is_requested_polled_and_downloaded(p, staff, partner):
    c = client_for(staff)
    answer = c.post(reverse("insight:report-request", args=[p.alliance.pk]), {"period": "2026Q1"})
    job = ReportJob.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("insight:report-detail", args=[job.pk])
    polling = c.get(answer.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in polling and "<html" not in polling
    assert c.get(reverse("insight:report-download", args=[job.pk])).status_code == 404  # not ready yet
    generate_report(job.pk)
    done = c.get(answer.url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in done and reverse("insight:report-download", args=[job.pk]) in done
    download = c.get(reverse("insight:report-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.xlsx"')
    assert client_for(partner).get(answer.url).status_code == 404
    assert client_for(p.officer).get(answer.url).status_code == 404  # another organisation's request


def test_the_page_query_count_does_not_grow_with_activity(p, staff, count_queries):
    c = client_for(staff)
    url = reverse("insight:alliance-detail", args=[p.alliance.pk]) + "?period=2026"
    w = _busy(p)
    counts = []
    for _round in range(2):
        c.get(url)
        with count_queries() as q:
            assert c.get(url).status_code == 200
        counts.append(len(q))
        for day in range(1, 9):
            b.transition(w, p.enterprise, b.at(2026, 4, day))
            b.enrol(w, p.university, p.library, b.at(2026, 5, day))
            b.feedback(w, b.at(2026, 6, day), answered_after=1)
    assert counts[0] == counts[1]
