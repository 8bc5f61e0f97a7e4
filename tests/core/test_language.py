import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_switching_language_is_remembered_for_a_signed_in_person(client):
    user = f.UserFactory(preferred_language="zh-hans")
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_anonymous_switch_sets_the_cookie_only(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_unknown_language_changes_nothing(client):
    user = f.UserFactory(preferred_language="zh-hans")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
