"""Oversight drill-down: every figure of the oversight page links to the list of its items, and a government
body following the links sees only the alliances it guides or funds (another region's alliance is a 404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import AllianceMember, Milestone, Project
from insight import drilldown, selectors
from tests import factories as f
from tests.insight import builders as b

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _overdue_milestone(alliance, user, title):
    project = Project.objects.create(alliance=alliance, title=title, created_by=user, status="in_development")
    Milestone.objects.create(project=project, title=f"{title} 里程碑", due_on=timezone.localdate() - timedelta(days=3))
    return project


@pytest.fixture
def regions(p):
    """The officer's alliance with an overdue milestone, and another region's alliance guided by its own body."""
    ours = _overdue_milestone(p.alliance, p.librarian, "本省项目")
    other = b.world()
    other_government = f.OrganizationFactory(kind="government")
    AllianceMember.objects.create(alliance=other.alliance, organization=other_government, role="guide")
    theirs = _overdue_milestone(other.alliance, other.user, "外省项目")
    return ours, theirs, other


def test_every_figure_links_to_its_list_scoped_to_the_alliance(p, regions):
    other = regions[2]
    c = client_for(p.officer)
    page = c.get(reverse("insight:oversight"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert other.alliance.name not in page
    for figure in drilldown.FIGURES:
        url = reverse("insight:oversight-items", args=[figure])
        assert f'href="{url}?alliance={p.alliance.pk}' in page, figure
        answer = c.get(f"{url}?alliance={p.alliance.pk}", HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 200, figure
        text = answer.content.decode()
        assert other.alliance.name not in text and "外省项目" not in text, figure
        assert c.get(f"{url}?alliance={other.alliance.pk}").status_code == 404, figure
    listing = c.get(reverse("insight:oversight-items", args=["milestones"])).content.decode()
    assert "本省项目 里程碑" in listing and "外省项目" not in listing
    projects = c.get(reverse("insight:oversight-items", args=["projects"]) + "?key=in_development").content.decode()
    assert "本省项目" in projects and "外省项目" not in projects


def test_a_list_holds_what_its_figure_counts(p, regions):
    other = regions[2]
    ids = [p.alliance.pk, other.alliance.pk]
    figures = selectors.oversight(ids)
    for row in figures["alliances"]:
        for kind in selectors.OVERDUE_KINDS:
            assert len(drilldown.oversight_items(kind, [row["alliance_id"]])) == row["overdue"][kind]
        assert len(drilldown.oversight_items("projects", [row["alliance_id"]])) == sum(
            row["projects_by_status"].values()
        )
    assert [i.title for i in drilldown.oversight_items("milestones", [p.alliance.pk])] == ["本省项目 里程碑"]


def test_partners_outsiders_and_unknown_figures_get_nothing(client, p, partner, outsider, regions):
    url = reverse("insight:oversight-items", args=["projects"])
    assert client.get(url).status_code == 302
    assert client_for(partner).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(p.officer).get(reverse("insight:oversight-items", args=["salaries"])).status_code == 404
    assert client_for(p.officer).get(f"{url}?alliance=abc").status_code == 404


def test_a_list_takes_a_constant_number_of_queries(p, regions, django_assert_max_num_queries):
    c = client_for(p.officer)
    for figure in drilldown.FIGURES:
        with django_assert_max_num_queries(14):
            assert c.get(reverse("insight:oversight-items", args=[figure])).status_code == 200
