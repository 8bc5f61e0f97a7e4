"""Contract pages: the list, a contract's page, and each party's manager signing from their own portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance.models import ContractParty
from tests.alliance.contract_helpers import draft, provider_manager, sign_all

pytestmark = pytest.mark.django_db


def test_each_manager_signs_from_the_contract_page_and_the_lead_puts_it_in_force(client, p, outsider):
    contract = draft(p)
    page = reverse("alliance:contract-detail", args=[contract.pk])
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    assert client.post(reverse("alliance:contract-sign", args=[contract.pk])).status_code == 404
    client.force_login(p.supplier)  # a member of the provider: sees, may not sign
    assert "contract-sign" not in client.get(page).content.decode()
    client.post(reverse("alliance:contract-sign", args=[contract.pk]))
    assert not ContractParty.objects.filter(signed_at__isnull=False).exists()
    client.force_login(p.manager)
    assert 'id="contract-sign"' in client.get(page).content.decode()
    client.post(reverse("alliance:contract-sign", args=[contract.pk]))
    client.force_login(provider_manager(p))
    client.post(reverse("alliance:contract-sign", args=[contract.pk]))
    contract.refresh_from_db()
    assert contract.status == "signed"
    client.force_login(p.manager)
    client.post(reverse("alliance:contract-activate", args=[contract.pk]))
    contract.refresh_from_db()
    assert contract.status == "active"
    assert "Not signed yet" not in client.get(page).content.decode()


def test_the_contract_list_costs_the_same_for_one_and_for_ten(client, p, count_queries):
    draft(p)
    client.force_login(p.librarian)
    url = reverse("alliance:contract-list")
    client.get(url)
    with count_queries() as one:
        assert client.get(url).status_code == 200
    for _ in range(9):
        sign_all(p, draft(p))
    with count_queries() as ten:
        body = client.get(url).content.decode()
    assert body.count('href="/alliances/contracts/') >= 10
    assert len(one) == len(ten) == 8, [q["sql"] for q in ten.captured_queries]
