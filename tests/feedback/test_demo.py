"""The demo seeds feedback in every state, a need backed by feedback, routed feedback and a survey with answers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from feedback import selectors
from feedback.models import Feedback, Survey
from stakeholders.access import build_actor

pytestmark = pytest.mark.django_db


def test_demo_seeds_feedback_through_the_loop():
    call_command("seed_demo", "--once", stdout=StringIO())
    statuses = set(Feedback.objects.values_list("status", flat=True))
    assert {"new", "triaged", "routed", "resolved", "confirmed", "reopened"} <= statuses
    reader = build_actor(get_user_model().objects.get(username="reader001"))
    mine = list(selectors.feedback_list_for(reader))
    # insight.demo then lets this reader confirm a solved answer, so the loop funnel reaches "confirmed".
    assert {f.status for f in mine} == {"resolved", "new", "confirmed"}
    supplier = build_actor(get_user_model().objects.get(username="shuyun-manager"))
    # One routed by feedback.demo, one more routed to the AI project's provider by insight.demo.
    assert selectors.partner_feedback_list_for(supplier).count() == 2
    survey = Survey.objects.get()
    assert survey.responses.count() == 6
    assert selectors.survey_results(survey)[0]["count"] == 6
    assert Feedback.objects.filter(need__isnull=False).count() == 2
