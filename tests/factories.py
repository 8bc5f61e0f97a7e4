from __future__ import annotations

import secrets
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from stakeholders.models import Capability, Membership, Organization, ReaderProfile
from stakeholders.services import _grant_organization_perms


def _tail() -> str:
    return secrets.token_hex(3)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.LazyFunction(lambda: f"user-{_tail()}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = "enterprise"
    name_zh = factory.LazyFunction(lambda: f"机构{_tail()}")
    name_en = factory.LazyAttribute(lambda o: f"Org {o.name_zh}")
    region = "浙江省杭州市"
    verification_status = "verified"
    group = factory.LazyFunction(lambda: Group.objects.create(name=f"org-{_tail()}"))

    @factory.post_generation
    def perms(obj, create, extracted, **kwargs):
        if create:
            _grant_organization_perms(obj)


def member_of(org: Organization, role: str = "member", **user_kwargs: Any) -> Any:
    user: Any = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    organization = factory.SubFactory(OrganizationFactory)
    category = "rfid"
    title_zh = factory.Sequence(lambda n: f"RFID 自助借还系统 {n}")
    title_en = factory.Sequence(lambda n: f"RFID self-service {n}")


class ReaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReaderProfile

    user = factory.SubFactory(UserFactory)
    home_library = factory.SubFactory(OrganizationFactory, kind="library")
    card_number_hash = factory.LazyFunction(lambda: secrets.token_hex(32))
    card_number_masked = "****1234"
