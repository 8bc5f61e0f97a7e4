"""The demo alliance is seeded through the services: one project accepted after two rounds, one in its trial."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from alliance import hooks, selectors
from alliance.demo import ALLIANCE_NAME
from alliance.models import Alliance, Project
from stakeholders.access import build_actor

pytestmark = pytest.mark.django_db


def test_demo_seeds_the_alliance_with_a_project_accepted_after_two_rounds_and_one_in_trial():
    installed = {name: hooks.registered(name) for name in hooks.ALL}
    call_command("seed_demo", "--once", stdout=StringIO())
    alliance = Alliance.objects.get(name=ALLIANCE_NAME)
    assert alliance.members.active().count() == 7
    accepted = Project.objects.get(status="accepted")
    rounds = selectors.project_rounds(accepted)
    assert [r.meets_criteria for r in rounds] == [False, True]
    assert [(r.deviations_opened, r.deviations_closed) for r in rounds] == [(2, 0), (0, 2)]
    assert rounds[0].days_taken > 0
    running = Project.objects.get(status="in_trial")
    User = get_user_model()
    reader = build_actor(User.objects.get(username="reader001"))
    assert [t.project for t in selectors.trial_list_for(reader)] == [running, accepted, accepted]
    supplier = build_actor(User.objects.get(username="zhitu-manager"))
    assert list(selectors.project_list_for(supplier)) == [accepted]
    # The seeding's passing checks were taken away again, and the installed apps' checks put back.
    assert {name: hooks.registered(name) for name in hooks.ALL} == installed
