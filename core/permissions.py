"""Object permissions through django-guardian's direct foreign-key tables, and the one restrict() path.

Permissions are granted to an organisation's group (so everyone acting for the organisation gets
them, and leaving the organisation takes them away) and, rarely, to a single user.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model


def grant(codename: str, holder: Any, obj: Model) -> None:
    """Give `holder` (a Group or a User) the permission `codename` on `obj`."""
    perm = codename if "." in codename else f"{obj._meta.app_label}.{codename}"
    assign_perm(perm, holder, obj)


def revoke(codename: str, holder: Any, obj: Model) -> None:
    perm = codename if "." in codename else f"{obj._meta.app_label}.{codename}"
    remove_perm(perm, holder, obj)


def restrict(qs: QuerySet[Any], actor: Any, codename: str) -> QuerySet[Any]:
    """Narrow `qs` to the objects on which the actor's organisations' groups, or the actor, hold `codename`.

    One subquery per table over indexed foreign keys; the generic guardian table is never touched.
    """
    if not getattr(actor, "is_authenticated", False):
        return qs.none()
    model = qs.model
    group_model: Any = get_group_obj_perms_model(model)  # type: ignore[arg-type]
    user_model: Any = get_user_obj_perms_model(model)  # type: ignore[arg-type]
    group_ids = [m.organization.group_id for m in actor.memberships]
    by_group = group_model.objects.filter(group_id__in=group_ids, permission__codename=codename).values(
        "content_object_id"
    )
    by_user = user_model.objects.filter(user_id=actor.user.pk, permission__codename=codename).values(
        "content_object_id"
    )
    return qs.filter(Q(pk__in=by_group) | Q(pk__in=by_user))


def granted_ids(model: type[Model], actor: Any, codename: str) -> list[Any]:
    """The pks of the `model` objects restrict() would keep, resolved in one query over the permission tables.

    For list pages: filtering the big table with this literal list lets PostgreSQL estimate the rows
    right. It estimates restrict()'s ``pk IN (...) OR pk IN (...)`` at most of the table, and then
    scans all of it (see docs/performance.md).
    """
    # One plain SELECT of the ids (a UNION would be wrapped in parentheses, which pghistory's context
    # middleware takes for a write and prefixes); cheap: the permission subplans run once each, hashed.
    return list(restrict(model._default_manager.all(), actor, codename).values_list("pk", flat=True))


def holds(actor: Any, codename: str, obj: Model) -> bool:
    """Does the actor hold `codename` on this one object? (One query.)"""
    if getattr(actor, "is_superuser", False):
        return True
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), actor, codename).exists()
