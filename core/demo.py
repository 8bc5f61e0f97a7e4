"""Demo data: a registry of seeders that each app adds to, and the demo log-ins they create.

An app registers its seeder from ``AppConfig.ready()``::

    register_seeder(20, seed_alliances)
    register_login(DemoLogin("partner", "zhitu-manager", _("...what they see...")))

Seeders run in ``order`` (stakeholders first, at 10), each may rely on what earlier ones created,
and all of them run in one transaction, so a failed seed leaves nothing half-made behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.functional import Promise

from .models import DemoMarker

DEMO_PASSWORD = "gongjian-demo"
MARKER = "demo"

Seeder = Callable[[], None]


@dataclass(frozen=True)
class DemoLogin:
    """One demo account shown by ``demo_logins``: which portal it opens and what its holder sees there."""

    portal: str
    username: str
    sees: str | Promise


_seeders: list[tuple[int, Seeder]] = []
_logins: list[DemoLogin] = []


def register_seeder(order: int, fn: Seeder) -> None:
    if all(existing is not fn for _, existing in _seeders):
        _seeders.append((order, fn))


def register_login(login: DemoLogin) -> None:
    if login not in _logins:
        _logins.append(login)


def seeders() -> list[Seeder]:
    return [fn for _, fn in sorted(_seeders, key=lambda pair: pair[0])]


def logins() -> list[DemoLogin]:
    return list(_logins)


def is_seeded() -> bool:
    return DemoMarker.objects.filter(name=MARKER).exists()


@transaction.atomic
def seed(*, once: bool = False) -> bool:
    """Run every registered seeder. With ``once``, do nothing if this database was seeded before."""
    if once and is_seeded():
        return False
    for fn in seeders():
        fn()
    DemoMarker.objects.get_or_create(name=MARKER)
    return True


@cache
def demo_password_hash() -> str:
    # Hashing is deliberately slow (PBKDF2); hashing the shared demo password once keeps seeding
    # hundreds of accounts within seconds.
    return make_password(DEMO_PASSWORD)


def demo_user(username: str, *, display_name: str = "", email: str = "", **extra: Any) -> Any:
    """Create (or return) a demo account whose password is ``DEMO_PASSWORD``."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "email": email or f"{username}@demo.gongjian.local",
            "password": demo_password_hash(),
            **extra,
        },
    )
    return user
