"""Demo webhook: the enterprise Zhitu subscribes its ERP to project and risk events, at a localhost URL and
switched off (nothing listens there in the demo); its managers see it under Webhooks."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from core.demo import register_seeder
from stakeholders.access import build_actor

from . import services


def seed_webhooks() -> None:
    user = get_user_model().objects.filter(username="zhitu-manager").first()
    if user is None or not services.local_targets_allowed():
        return  # a localhost target is refused outside development
    actor = build_actor(user)
    if actor.organization is None:
        return
    services.subscription_create(
        actor=actor,
        organization=actor.organization,
        name="智图 ERP 项目同步",
        url="http://localhost:9000/hooks/gongjian",
        events=["project.transitioned", "risk.level_changed", "feedback.routed", "guidance.published"],
        is_active=False,
    )


def register() -> None:
    register_seeder(45, seed_webhooks)
