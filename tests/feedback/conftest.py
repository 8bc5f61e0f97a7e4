from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from feedback import services
from stakeholders.access import build_actor
from tests import factories as f
from tests.alliance.flow import make_parties


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids), whatever the Chinese catalogue already translates."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def p(library, enterprise, government, staff_manager, staff, partner):
    return make_parties(library, enterprise, government, staff_manager, staff, partner)


@pytest.fixture
def reader_profile(reader):
    return reader.reader_profile


@pytest.fixture
def other_reader(library):
    return f.ReaderFactory(home_library=library).user


def act(user: Any):
    return build_actor(user)


def give(user: Any, text: str = "自习区空调太冷了", kind: str = "complaint", **extra: Any):
    return services.feedback_submit(actor=act(user), kind=kind, text=text, **extra)
