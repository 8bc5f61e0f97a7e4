from __future__ import annotations

import pytest
from django.utils import translation

from tests.alliance.flow import make_parties


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids)."""
    with translation.override("en"):
        yield


@pytest.fixture
def p(library, enterprise, government, staff_manager, staff, partner):
    """An alliance led by the library with an enterprise provider, a university assistant and a government guide."""
    return make_parties(library, enterprise, government, staff_manager, staff, partner)
