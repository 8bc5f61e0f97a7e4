"""/api/v1/readers/: sign-up with a library card, the reader's own consents, staff's view of their readers."""

from __future__ import annotations

import pytest

from stakeholders.models import ReaderProfile
from tests import factories as f
from tests.permissions import covers
from tests.stakeholders.api_helpers import assert_error, ids

pytestmark = pytest.mark.django_db


def signup(library, **change):
    return {
        "username": "lihua",
        "email": "lihua@example.org",
        "password": "a-Long-pass-phrase-42",
        "home_library": library.pk,
        "card_number": "ZJ-0012345678",
        "consent_trials": True,
        **change,
    }


@covers("GET /api/v1/readers/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/readers/{id}/", "anonymous", "unrelated", "member", "manager")
def test_staff_of_the_home_library_and_the_reader_see_a_reader(api, reader, staff, staff_manager, outsider, partner):
    profile = reader.reader_profile
    detail = f"/api/v1/readers/{profile.pk}/"
    assert_error(api().get("/api/v1/readers/"), 401)
    assert_error(api().get(detail), 401)
    for user in (outsider, partner):  # "unrelated": not the reader's library
        assert ids(api(user).get("/api/v1/readers/")) == set()
        assert_error(api(user).get(detail), 404)
    for user in (staff, staff_manager, reader):
        assert ids(api(user).get("/api/v1/readers/")) == {profile.pk}
        body = api(user).get(detail).json()
        assert body["card_number_masked"] == "****1234"
        assert profile.card_number_hash not in str(body)


def test_a_reader_sees_only_themself(api, reader, library):
    other = f.ReaderFactory(home_library=library)
    assert ids(api(reader).get("/api/v1/readers/")) == {reader.reader_profile.pk}
    assert_error(api(reader).get(f"/api/v1/readers/{other.pk}/"), 404)


@covers("POST /api/v1/readers/register/", "anonymous", "unrelated", "member", "manager")
@pytest.mark.parametrize("role", ["anonymous", "unrelated", "member", "manager"])
def test_anyone_may_sign_a_reader_up_and_the_card_is_kept_only_masked(
    api, library, role, outsider, staff, staff_manager
):
    # Public, so readers sign up themselves; staff at the desk may also sign a reader up. Either way the
    # new account is the reader's own, never the caller's.
    caller = {"anonymous": None, "unrelated": outsider, "member": staff, "manager": staff_manager}[role]
    response = api(caller).post("/api/v1/readers/register/", signup(library))
    assert response.status_code == 201, response.content
    profile = ReaderProfile.objects.get(pk=response.json()["id"])
    assert profile.user.username == "lihua" and profile.user != caller
    assert profile.card_number_masked == "*********5678"
    assert "0012345678" not in response.content.decode()
    assert response.json()["consent_trials"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"card_number": "1"}, "card_number"),
        ({"password": "123"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"home_library": 999999}, "home_library"),
    ],
)
def test_a_bad_sign_up_is_a_400_and_creates_no_account(api, library, change, field):
    assert_error(api().post("/api/v1/readers/register/", signup(library, **change)), 400, field=field)
    assert not ReaderProfile.objects.exists()


def test_a_partner_is_not_a_home_library(api, enterprise):
    assert_error(api().post("/api/v1/readers/register/", signup(enterprise)), 400, field="home_library")


def test_a_registered_card_is_a_409(api, library):
    assert api().post("/api/v1/readers/register/", signup(library)).status_code == 201
    second = signup(library, username="other", email="other@example.org")
    assert_error(api().post("/api/v1/readers/register/", second), 409, field="card_number")
    assert ReaderProfile.objects.count() == 1


@covers("PATCH /api/v1/readers/consent/", "anonymous", "unrelated", "member", "manager")
def test_only_the_reader_changes_their_own_consents(api, reader, staff, staff_manager, outsider):
    body = {"consent_contact": True, "consent_trials": True}
    for client, status in ((api(), 401), (api(outsider), 403), (api(staff), 403), (api(staff_manager), 403)):
        assert_error(client.patch("/api/v1/readers/consent/", body), status)
        reader.reader_profile.refresh_from_db()
        assert reader.reader_profile.consent_trials is False
    response = api(reader).patch("/api/v1/readers/consent/", body)
    assert response.status_code == 200, response.content
    reader.reader_profile.refresh_from_db()
    assert reader.reader_profile.consent_contact and reader.reader_profile.consent_trials
    assert reader.reader_profile.consented_at is not None
