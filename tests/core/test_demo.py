"""The demo data: seeded once, and every portal's demo account can sign in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from core import demo
from core.models import DemoMarker
from stakeholders.models import CredibilityAssessment, Membership, Organization, ReaderProfile

pytestmark = pytest.mark.django_db

PORTALS = {login.portal for login in demo.logins()}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--once", stdout=StringIO())


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "organizations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "readers": ReaderProfile.objects.count(),
        "assessments": CredibilityAssessment.objects.count(),
    }


def test_seed_once_twice_creates_nothing_new(seeded):
    before = counts()
    out = StringIO()
    call_command("seed_demo", "--once", stdout=out)
    assert counts() == before
    assert "nothing to do" in out.getvalue()
    assert DemoMarker.objects.filter(name=demo.MARKER).count() == 1


def test_seed_builds_the_zhejiang_alliance(seeded):
    lead = Organization.objects.get(name_en="Zhejiang Library")
    assert set(Organization.objects.values_list("kind", flat=True)) == {
        "library", "government", "enterprise", "university", "research",
    }  # fmt: skip
    assert Organization.objects.exclude(verification_status="verified").count() == 0
    assert Membership.objects.get(organization=lead, user__username="zjlib-director").role == "owner"
    assert Membership.objects.get(organization=lead, user__username="zjlib-librarian").role == "member"
    partners = Organization.objects.filter(kind__in=["enterprise", "university", "research"])
    assert set(CredibilityAssessment.objects.values_list("organization", flat=True)) == set(
        partners.values_list("pk", flat=True)
    )
    assert all(org.capabilities.exists() for org in Organization.objects.all())
    assert ReaderProfile.objects.count() >= 300
    assert not ReaderProfile.objects.exclude(card_number_masked__startswith="****").exists()


def test_every_portal_has_a_demo_login():
    assert {"admin", "staff", "partner", "government", "reader"} <= PORTALS


@pytest.mark.parametrize("login", demo.logins(), ids=lambda x: x.username)
def test_demo_user_signs_in_and_sees_the_dashboard(seeded, client, login):
    response = client.post(reverse("login"), {"username": login.username, "password": demo.DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("core:dashboard")
    assert response.wsgi_request.user.username == login.username
    if login.portal != "admin":  # the operator acts for no organisation
        assert response.context["portal"] == login.portal


def test_demo_logins_lists_url_and_accounts(seeded):
    out = StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8123/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert demo.DEMO_PASSWORD in text
    for login in demo.logins():
        assert login.username in text
