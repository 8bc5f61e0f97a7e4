"""Every stakeholders list endpoint costs the same number of queries for 1 row and for 20."""

from __future__ import annotations

import pytest

from stakeholders import services
from stakeholders.access import build_actor
from tests import factories as f

pytestmark = pytest.mark.django_db

# Pinned: the actor (memberships + reader profile), the page count, the page; guardian subqueries are inline.
PINNED = {
    "organizations": 4,
    "memberships": 4,
    "invitations": 4,
    "capabilities": 4,
    "assessments": 4,
    "readers": 4,
    "tokens": 4,
}


def _rows(name, n, *, library, enterprise, staff, staff_manager, partner_manager):
    """Add n visible rows of `name` for the user returned."""
    if name == "organizations":
        for _ in range(n):
            f.OrganizationFactory()
        return partner_manager
    if name == "memberships":
        for _ in range(n):
            f.member_of(enterprise)
        return partner_manager
    if name == "invitations":
        for i in range(n):
            services.invitation_create(
                actor=build_actor(partner_manager), organization=enterprise, email=f"p{i}@example.org"
            )
        return partner_manager
    if name == "capabilities":
        for _ in range(n):
            f.CapabilityFactory(organization=enterprise)
        return partner_manager
    if name == "assessments":
        for _ in range(n):
            services.assessment_create(
                actor=build_actor(staff), organization=f.OrganizationFactory(), qualifications="q", score=60
            )
        return staff_manager
    if name == "readers":
        for _ in range(n):
            f.ReaderFactory(home_library=library)
        return staff_manager
    if name == "tokens":
        for i in range(n):
            services.token_create(actor=build_actor(partner_manager), name=f"t{i}", organization=enterprise)
        return partner_manager
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_list_query_count_is_pinned_and_independent_of_page_size(
    api, count_queries, name, library, enterprise, staff, staff_manager, partner_manager
):
    people = {"library": library, "enterprise": enterprise, "staff": staff, "staff_manager": staff_manager, "partner_manager": partner_manager}  # fmt: skip
    user = _rows(name, 1, **people)
    client = api(user)
    with count_queries() as one:
        first = client.get(f"/api/v1/{name}/")
    _rows(name, 19, **people)
    with count_queries() as twenty:
        second = api(user).get(f"/api/v1/{name}/")
    assert first.status_code == second.status_code == 200
    assert second.json()["count"] >= 20 > first.json()["count"]
    assert len(one) == len(twenty) == PINNED[name], [q["sql"] for q in twenty.captured_queries]
