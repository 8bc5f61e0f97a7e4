from __future__ import annotations

import pytest

from tests.alliance.flow import make_parties


@pytest.fixture
def p(library, enterprise, government, staff_manager, staff, partner):
    """An alliance led by the library with an enterprise provider, a university assistant and a government guide."""
    return make_parties(library, enterprise, government, staff_manager, staff, partner)
