"""Archiving from the pages: a contract (a draft made by mistake, or a closed one) and an IP asset are set aside by
the lead library's staff. They are archived, never deleted, and the history keeps the change; an organisation
outside the alliance gets 404, a party that may not archive is refused with the service's message."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from alliance.models import Contract, IPAsset
from alliance.services import contracts as cs
from tests.alliance.contract_helpers import draft, provider_manager, sign_all
from tests.alliance.flow import act, new_project, staff_project
from tests.alliance.test_agreements_views import asset_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English: messages are asserted as their msgids."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- contracts ----------------------------------------------------------------------------------------------


def test_library_staff_archive_a_draft_from_its_page_and_the_history_keeps_it(client, p):
    contract = draft(p)
    page = reverse("alliance:contract-detail", args=[contract.pk])
    client.force_login(p.librarian)
    assert 'id="contract-archive"' in client.get(page).content.decode()
    response = client.post(reverse("alliance:contract-archive", args=[contract.pk]))
    assert response.status_code == 302 and response.url == reverse("alliance:contract-list")
    assert _said(response) == ["The contract is archived; it stays readable with its history."]
    assert Contract.objects.filter(pk=contract.pk, archived_at__isnull=False).exists()  # archived, not deleted
    assert page not in client.get(reverse("alliance:contract-list")).content.decode()
    html = client.get(page).content.decode()  # still readable, marked, with nothing left to do
    assert 'id="contract-archived"' in html and 'id="contract-archive"' not in html
    assert 'id="contract-history"' in html
    ContractEvent = apps.get_model("alliance", "ContractEvent")
    events = ContractEvent.objects.filter(pgh_obj=contract).order_by("pgh_id")
    assert events.last().archived_at is not None and events.first().archived_at is None
    history = client.get(reverse("core:history", args=["alliance", "contract", contract.pk]))
    assert history.status_code == 200


def test_a_binding_contract_has_no_archive_button_and_a_post_is_refused(client, p):
    contract = sign_all(p, draft(p))
    client.force_login(p.manager)
    assert (
        'id="contract-archive"'
        not in client.get(reverse("alliance:contract-detail", args=[contract.pk])).content.decode()
    )
    response = client.post(reverse("alliance:contract-archive", args=[contract.pk]))
    assert response.url == reverse("alliance:contract-detail", args=[contract.pk])
    assert _said(response) and "signed" in _said(response)[0].lower()
    contract.refresh_from_db()
    assert contract.archived_at is None
    completed = cs.contract_complete(actor=act(p.manager), contract=cs.contract_activate(actor=act(p.manager),
                                                                                         contract=contract))  # fmt: skip
    assert (
        'id="contract-archive"' in client.get(reverse("alliance:contract-detail", args=[completed.pk])).content.decode()
    )


def test_a_party_outside_the_lead_library_may_not_archive_and_an_outsider_gets_404(client, p, outsider):
    contract = draft(p)
    url = reverse("alliance:contract-archive", args=[contract.pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    for user in (p.supplier, provider_manager(p)):  # a party's member and manager: they see it, do not archive it
        client.force_login(user)
        assert (
            'id="contract-archive"'
            not in client.get(reverse("alliance:contract-detail", args=[contract.pk])).content.decode()
        )
        response = client.post(url)
        assert response.status_code == 302
        assert _said(response) == ["Only staff of the alliance's lead library may do this."]
    client.force_login(p.librarian)
    assert client.get(url).status_code == 405  # a write is a POST
    contract.refresh_from_db()
    assert contract.archived_at is None
    client.logout()
    assert client.post(url).status_code == 302 and Contract.objects.get(pk=contract.pk).archived_at is None


# --- IP assets -------------------------------------------------------------------------------------------------


def test_library_staff_archive_an_ip_asset_from_the_ip_page(client, p):
    project = new_project(p)
    asset = asset_of(p, project)
    page = reverse("alliance:ip-asset-list", args=[project.pk])
    client.force_login(p.librarian)
    html = client.get(page).content.decode()
    assert reverse("alliance:ip-asset-archive", args=[asset.pk]) in html
    response = client.post(reverse("alliance:ip-asset-archive", args=[asset.pk]))
    assert response.url == page and _said(response) == ["The IP asset is archived; its history stays."]
    asset.refresh_from_db()
    assert asset.archived_at is not None and IPAsset.objects.filter(pk=asset.pk).exists()
    assert 'class="border rounded p-2 mb-2 ip-asset"' not in client.get(page).content.decode()
    IPAssetEvent = apps.get_model("alliance", "IPAssetEvent")
    assert IPAssetEvent.objects.filter(pgh_obj=asset, archived_at__isnull=False).exists()
    again = client.post(reverse("alliance:ip-asset-archive", args=[asset.pk]))  # already archived: refused, said
    assert again.status_code == 302 and _said(again)


def test_the_provider_records_ip_but_does_not_archive_it_and_an_outsider_gets_404(client, p, outsider):
    project = new_project(p)
    staff_project(p, project)
    asset = asset_of(p, project)
    url = reverse("alliance:ip-asset-archive", args=[asset.pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    client.force_login(p.supplier)
    html = client.get(reverse("alliance:ip-asset-list", args=[project.pk])).content.decode()
    assert reverse("alliance:ip-asset-edit", args=[asset.pk]) in html and url not in html
    response = client.post(url)
    assert response.status_code == 302
    assert _said(response) == ["Your organisation does not have the role in this project to do this."]
    asset.refresh_from_db()
    assert asset.archived_at is None
    client.force_login(p.officer)  # sees the project's IP, no buttons
    assert url not in client.get(reverse("alliance:ip-asset-list", args=[project.pk])).content.decode()
