"""Shared fixtures: the five kinds of organisation and people in every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from stakeholders.access import Actor, build_actor
from tests import factories as f


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def library(db):
    return f.OrganizationFactory(kind="library", name_zh="浙江图书馆", name_en="Zhejiang Library")


@pytest.fixture
def enterprise(db):
    return f.OrganizationFactory(kind="enterprise", name_zh="智图科技有限公司", name_en="Zhitu Technology")


@pytest.fixture
def other_org(db):
    return f.OrganizationFactory(kind="enterprise", name_zh="无关科技", name_en="Unrelated Tech")


@pytest.fixture
def government(db):
    return f.OrganizationFactory(
        kind="government", name_zh="浙江省文化和旅游厅", name_en="Zhejiang Culture and Tourism"
    )


@pytest.fixture
def staff(library):
    return f.member_of(library, "member")


@pytest.fixture
def staff_manager(library):
    return f.member_of(library, "manager")


@pytest.fixture
def partner(enterprise):
    return f.member_of(enterprise, "member")


@pytest.fixture
def partner_manager(enterprise):
    return f.member_of(enterprise, "manager")


@pytest.fixture
def outsider(other_org):
    return f.member_of(other_org, "manager")


@pytest.fixture
def reader(library):
    return f.ReaderFactory(home_library=library).user


def actor(user: Any) -> Actor:
    return build_actor(user)


@pytest.fixture
def api() -> Callable[[Any], APIClient]:
    def make(user: Any = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@contextmanager
def _count() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


@pytest.fixture
def count_queries():
    """`with count_queries() as q: ...; len(q)` — pin query counts (Zulip's assert_database_query_count)."""
    return _count
