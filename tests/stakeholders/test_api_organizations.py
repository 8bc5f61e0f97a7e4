"""/api/v1/organizations/: the directory, registration, changes, verification, archive and restore."""

from __future__ import annotations

import pytest

from stakeholders.models import Membership, Organization
from tests import factories as f
from tests.permissions import covers
from tests.stakeholders.api_helpers import assert_error, ids, valid_uscc

pytestmark = pytest.mark.django_db

LIST = "/api/v1/organizations/"
WRONG_CHECK_CHARACTER = valid_uscc()[:17] + ("1" if valid_uscc()[17] != "1" else "2")


def detail(org, suffix=""):
    return f"/api/v1/organizations/{org.pk}/{suffix}"


@covers("GET /api/v1/organizations/", "anonymous", "unrelated", "member", "manager")
def test_directory_lists_active_organisations_to_members_of_any_organisation(
    api, enterprise, library, other_org, partner, partner_manager, outsider
):
    assert_error(api().get(LIST), 401)
    for user in (partner, partner_manager, outsider):
        assert {enterprise.pk, library.pk, other_org.pk} <= ids(api(user).get(LIST))


def test_directory_hides_archived_organisations_unless_asked(api, enterprise, other_org):
    admin = f.UserFactory(is_superuser=True)
    other_org.archived_at = other_org.created_at
    other_org.save()
    assert enterprise.pk in ids(api(admin).get(LIST))
    assert other_org.pk not in ids(api(admin).get(LIST))
    assert ids(api(admin).get(LIST, {"archived": "true"})) == {other_org.pk}


def test_a_reader_sees_only_libraries(api, reader, library, enterprise):
    assert ids(api(reader).get(LIST)) == {library.pk}
    assert_error(api(reader).get(detail(enterprise)), 404, code="not_found")


def test_someone_without_organisation_or_reader_card_sees_nothing(api, enterprise):
    assert ids(api(f.UserFactory()).get(LIST)) == set()
    assert_error(api(f.UserFactory()).get(detail(enterprise)), 404)


def test_directory_filters_by_kind_verification_region_and_search(api, enterprise, library, government, partner):
    library.region = "上海市"
    library.save()
    enterprise.verification_status = "unverified"
    enterprise.save()
    assert ids(api(partner).get(LIST, {"kind": "government"})) == {government.pk}
    assert ids(api(partner).get(LIST, {"verification_status": "unverified"})) == {enterprise.pk}
    assert ids(api(partner).get(LIST, {"region": "上海"})) == {library.pk}
    found = api(partner).get(LIST, {"q": "Zhitu"}).json()["results"]
    assert found[0]["id"] == enterprise.pk  # most similar first
    names = [row["name_zh"] for row in api(partner).get(LIST, {"ordering": "-name_zh"}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_unknown_kind_filter_is_a_400_with_the_json_error(api, partner):
    assert_error(api(partner).get(LIST, {"kind": "spaceship"}), 400, code="invalid", field="kind")


@covers("GET /api/v1/organizations/{id}/", "anonymous", "unrelated", "member", "manager")
def test_organisation_detail(api, enterprise, partner, partner_manager, outsider):
    assert_error(api().get(detail(enterprise)), 401)
    for user in (partner, partner_manager, outsider):
        body = api(user).get(detail(enterprise)).json()
        assert body["id"] == enterprise.pk
        assert body["member_count"] == 2


def test_someone_elses_archived_organisation_is_a_404(api, other_org, partner):
    other_org.archived_at = other_org.created_at
    other_org.save()
    assert_error(api(partner).get(detail(other_org)), 404)


@covers("POST /api/v1/organizations/", "anonymous", "unrelated", "member", "manager")
@pytest.mark.parametrize("role", ["unrelated", "member", "manager"])
def test_any_signed_in_person_registers_an_organisation_and_owns_it(api, role, partner, partner_manager, outsider):
    user = {"unrelated": outsider, "member": partner, "manager": partner_manager}[role]
    body = {"kind": "university", "name_zh": "浙江大学", "uscc": valid_uscc()}
    response = api(user).post(LIST, body)
    assert response.status_code == 201, response.content
    org = Organization.objects.get(pk=response.json()["id"])
    assert org.verification_status == "unverified"
    assert Membership.objects.get(organization=org).user == user
    assert response.json()["member_count"] == 1


def test_anonymous_cannot_register_an_organisation(api):
    before = Organization.objects.count()
    assert_error(api().post(LIST, {"kind": "university", "name_zh": "浙江大学"}), 401)
    assert Organization.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "university", "name_zh": "浙大", "uscc": "12345"}, "uscc"),
        ({"kind": "university", "name_zh": "浙大", "uscc": WRONG_CHECK_CHARACTER}, "uscc"),
        ({"kind": "spaceship", "name_zh": "浙大"}, "kind"),
        ({"kind": "university"}, "name_zh"),
        ({"kind": "university", "name_zh": "浙大", "website": "not a url"}, "website"),
    ],
)
def test_bad_registration_is_a_400_naming_the_field_and_writes_nothing(api, partner, body, field):
    before = Organization.objects.count()
    assert_error(api(partner).post(LIST, body), 400, code="invalid", field=field)
    assert Organization.objects.count() == before


def test_a_registered_uscc_is_a_409(api, partner, outsider):
    uscc = valid_uscc()
    assert api(partner).post(LIST, {"kind": "enterprise", "name_zh": "甲", "uscc": uscc}).status_code == 201
    before = Organization.objects.count()
    assert_error(api(outsider).post(LIST, {"kind": "enterprise", "name_zh": "乙", "uscc": uscc}), 409, field="uscc")
    assert Organization.objects.count() == before


@covers("PATCH /api/v1/organizations/{id}/", "anonymous", "unrelated", "member", "manager")
def test_only_the_organisations_managers_change_it(api, enterprise, partner, partner_manager, outsider):
    for client, status in ((api(), 401), (api(outsider), 403), (api(partner), 403)):
        assert_error(client.patch(detail(enterprise), {"region": "北京市"}), status)
        enterprise.refresh_from_db()
        assert enterprise.region == "浙江省杭州市"
    response = api(partner_manager).patch(detail(enterprise), {"region": "北京市"})
    assert response.status_code == 200, response.content
    assert response.json()["region"] == "北京市"
    enterprise.refresh_from_db()
    assert enterprise.region == "北京市"
    assert enterprise.name_zh == "智图科技有限公司"  # PATCH leaves what was not sent


def test_the_kind_cannot_be_changed(api, enterprise, partner_manager):
    api(partner_manager).patch(detail(enterprise), {"kind": "library"})
    enterprise.refresh_from_db()
    assert enterprise.kind == "enterprise"


def test_an_invalid_change_is_a_400_and_changes_nothing(api, enterprise, partner_manager):
    assert_error(api(partner_manager).patch(detail(enterprise), {"region": "x", "uscc": "BAD"}), 400, field="uscc")
    enterprise.refresh_from_db()
    assert enterprise.region == "浙江省杭州市"


@covers("POST /api/v1/organizations/{id}/verify/", "anonymous", "unrelated", "member", "manager")
def test_only_library_managers_verify(api, enterprise, staff, staff_manager, partner_manager, outsider):
    enterprise.verification_status = "unverified"
    enterprise.save()
    for client, status in ((api(), 401), (api(outsider), 403), (api(staff), 403), (api(partner_manager), 403)):
        assert_error(client.post(detail(enterprise, "verify/"), {"approve": True}), status)
        enterprise.refresh_from_db()
        assert enterprise.verification_status == "unverified"
    response = api(staff_manager).post(detail(enterprise, "verify/"), {"approve": False, "note": "证照不全"})
    assert response.status_code == 200, response.content
    assert response.json()["verification_status"] == "rejected"
    enterprise.refresh_from_db()
    assert enterprise.verified_by == staff_manager


@covers("POST /api/v1/organizations/{id}/archive/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/organizations/{id}/restore/", "anonymous", "unrelated", "member", "manager")
def test_only_owners_archive_and_only_administrators_restore(api, enterprise, partner, partner_manager, outsider):
    owner = f.member_of(enterprise, "owner")
    # "manager" here is the owner: only owners may archive; a manager who is not an owner is refused.
    for client, status in ((api(), 401), (api(outsider), 403), (api(partner), 403), (api(partner_manager), 403)):
        assert_error(client.post(detail(enterprise, "archive/")), status)
        enterprise.refresh_from_db()
        assert enterprise.archived_at is None
    response = api(owner).post(detail(enterprise, "archive/"))
    assert response.status_code == 200, response.content
    assert response.json()["archived_at"] is not None
    admin = f.UserFactory(is_superuser=True)
    assert_error(api(admin).post(detail(enterprise, "archive/")), 409, code="conflict")

    # Once archived, its people no longer act for it (stakeholders.access.build_actor), so it is out of
    # their sight like anyone else's archived organisation; an administrator restores it.
    assert_error(api().post(detail(enterprise, "restore/")), 401)
    for client in (api(outsider), api(partner), api(partner_manager), api(owner)):
        assert_error(client.post(detail(enterprise, "restore/")), 404)
        enterprise.refresh_from_db()
        assert enterprise.archived_at is not None
    response = api(admin).post(detail(enterprise, "restore/"))
    assert response.status_code == 200, response.content
    enterprise.refresh_from_db()
    assert enterprise.archived_at is None


def test_there_is_no_delete(api, enterprise, partner_manager):
    assert_error(api(partner_manager).delete(detail(enterprise)), 405)
    assert Organization.objects.filter(pk=enterprise.pk).exists()
