"""Every measure on a constructed alliance whose answer was worked out by hand (docs/insight.md has the formulas)."""

from __future__ import annotations

import math

import pytest

from insight import selectors
from insight.selectors import normalised_entropy, pair_density, period_parse, synergy_index
from tests.insight import builders as b

pytestmark = pytest.mark.django_db

Y2025 = period_parse("2025")


def test_entropy_density_and_index_on_textbook_cases():
    # All five kinds equally active: maximal balance. One kind alone: none.
    assert normalised_entropy({"a": 3, "b": 3, "c": 3, "d": 3, "e": 3}) == 1.0
    assert normalised_entropy({"a": 7, "b": 0}) == 0.0
    assert normalised_entropy({}) is None
    # Two kinds half and half: ln 2 / ln 5.
    assert normalised_entropy({"a": 1, "b": 1}) == round(math.log(2) / math.log(5), 4)
    members = {1, 2, 3, 4}
    assert pair_density(members, {frozenset((1, 2)), frozenset((3, 4)), frozenset((1, 9))}) == round(2 / 6, 4)
    assert pair_density({1}, set()) is None
    assert synergy_index(0.25, 1.0) == 0.5
    assert synergy_index(None, 1.0) is None


def test_period_labels():
    q3 = period_parse("2026q3")
    assert (q3.label, q3.start.month, q3.end.month, q3.end.year) == ("2026Q3", 7, 10, 2026)
    q4 = period_parse("2026Q4")
    assert (q4.end.year, q4.end.month) == (2027, 1)
    assert selectors.months_of(q4) == ["2026-10", "2026-11", "2026-12"]
    for bad in ("26", "2026Q5", "abc", "1900"):
        with pytest.raises(selectors.DomainError):
            period_parse(bad)


@pytest.fixture
def busy():
    """Nine recorded activities in 2025 (and one in 2024 that must not count):

    library 4 (two project moves, a trial, a correction raised), enterprise 2 (a move, a correction answered),
    university 2 (joined in 2025, trains the library's staff once), government 1 (signs off), research 0.
    Pairs: library–enterprise (trial, raised, answered = 3), university–library (2), government–enterprise (1).
    """
    w = b.world()
    b.transition(w, w.library, b.at(2025, 2, 10))
    b.transition(w, w.library, b.at(2025, 2, 11))
    b.transition(w, w.enterprise, b.at(2025, 3, 5))
    b.transition(w, w.enterprise, b.at(2024, 12, 31))  # the year before
    w.alliance.members.filter(organization=w.university).update(joined_at=b.at(2025, 1, 15))
    b.enrol(w, w.university, w.library, b.at(2025, 4, 1))
    v1 = b.version(w, 1, b.at(2025, 5, 1).date())
    t1 = b.trial(w, v1, b.at(2025, 5, 2))
    b.correction(w, t1, b.at(2025, 5, 20), answered=b.at(2025, 6, 1))
    b.signoff(w, t1, w.government, b.at(2025, 7, 1))
    return w


def test_participation_and_synergy_by_hand(busy):
    data = selectors.alliance_insight(busy.alliance, Y2025)
    part = data["participation"]
    counts = {r["kind"]: r["count"] for r in part["by_kind"]}
    assert counts == {"library": 4, "government": 1, "enterprise": 2, "university": 2, "research": 0}
    assert part["total"] == 9
    shares = [4 / 9, 2 / 9, 2 / 9, 1 / 9]
    entropy = -sum(p * math.log(p) for p in shares) / math.log(5)
    assert part["synergy"]["entropy"] == round(entropy, 4)  # 0.7879
    # Four member organisations (library, enterprise, university, government): 6 pairs, 3 interact.
    assert (part["members"], part["possible_pairs"], part["interacting_pairs"]) == (4, 6, 3)
    assert part["synergy"]["density"] == 0.5
    assert part["synergy"]["index"] == round(math.sqrt(round(entropy, 4) * 0.5), 4)
    weights = {frozenset((e["source"], e["target"])): e["weight"] for e in part["edges"]}
    assert weights == {
        frozenset((busy.library.pk, busy.enterprise.pk)): 3,
        frozenset((busy.university.pk, busy.library.pk)): 2,
        frozenset((busy.government.pk, busy.enterprise.pk)): 1,
    }
    assert part["by_kind_and_activity"]["library"] == {"transition": 2, "trial": 1, "correction_raised": 1}
    assert part["by_kind_and_activity"]["university"] == {"joined": 1, "training": 1}
    over_time = {s["kind"]: s["values"] for s in data["activity_over_time"]["series"]}
    assert over_time["library"][1] == 2 and over_time["library"][4] == 2 and sum(over_time["library"]) == 4


def test_the_year_before_counts_its_own_move_and_the_joins(busy):
    # 2024: three organisations joined (the library joins its own alliance: no counterpart) and one move.
    part = selectors.alliance_insight(busy.alliance, period_parse("2024"))["participation"]
    counts = {r["kind"]: r["count"] for r in part["by_kind"]}
    assert counts == {"library": 1, "government": 1, "enterprise": 2, "university": 0, "research": 0}
    entropy = -(0.25 * math.log(0.25) * 2 + 0.5 * math.log(0.5)) / math.log(5)
    assert part["synergy"]["entropy"] == round(entropy, 4)
    assert part["synergy"]["density"] == round(2 / 6, 4)  # enterprise–library and government–library
    assert selectors.alliance_insight(busy.alliance, period_parse("2023"))["participation"]["synergy"] == {
        "entropy": None, "density": 0.0, "index": None,
    }  # fmt: skip


@pytest.fixture
def looped():
    """Two rounds then acceptance, three deviations from round one (two verified closed in v2), one from round two.

    Round 1: v1 released 1 March, its trial closed 21 March: 20 days. Round 2: v2 released 1 April,
    closed 11 April: 10 days. Accepted 15 April. Reader feedback: four on the project.
    """
    w = b.world()
    v1 = b.version(w, 1, b.at(2025, 3, 1).date())
    t1 = b.trial(w, v1, b.at(2025, 3, 2), closed=b.at(2025, 3, 21))
    v2 = b.version(w, 2, b.at(2025, 4, 1).date())
    t2 = b.trial(w, v2, b.at(2025, 4, 2), closed=b.at(2025, 4, 11))
    b.correction(w, t1, b.at(2025, 3, 10), answered=b.at(2025, 3, 12), verified_in=t2, closed=b.at(2025, 4, 10))
    b.correction(w, t1, b.at(2025, 3, 11), answered=b.at(2025, 3, 12), verified_in=t2, closed=b.at(2025, 4, 10))
    b.correction(w, t1, b.at(2025, 3, 12))
    b.correction(w, t2, b.at(2025, 4, 5))
    b.transition(w, w.library, b.at(2025, 4, 15), to="accepted")
    # A third trial begun after the acceptance is not a round to acceptance.
    b.trial(w, v2, b.at(2025, 5, 1))
    start = b.at(2025, 6, 1)
    b.feedback(w, start, answered_after=2, resolved_after=10, status="confirmed")
    b.feedback(w, start, answered_after=4, resolved_after=20, status="resolved")
    b.feedback(w, start)
    b.feedback(w, start, answered_after=6, status="reopened", reopened=1)
    b.feedback(w, b.at(2024, 6, 1), answered_after=100)  # another year
    return w


def test_loop_health_by_hand(looped):
    loop = selectors.loop_health([looped.alliance.pk], Y2025)[looped.alliance.pk]
    (project,) = loop["projects"]
    assert project["rounds_to_acceptance"] == 2
    assert sorted(project["round_days"]) == [10.0, 20.0]
    assert project["mean_days_per_round"] == 15.0
    assert project["deviations_by_version"] == [
        {"version": "借还机 v1", "opened": 3, "closed": 0},
        {"version": "借还机 v2", "opened": 1, "closed": 2},
    ]
    fb = project["feedback"]
    assert (fb["total"], fb["answered"], fb["resolved"], fb["confirmed"], fb["reopened"]) == (4, 3, 2, 1, 1)
    assert fb["answered_share"] == 0.75
    assert fb["confirmed_share"] == round(1 / 3, 3)  # over the three with a reader that reached the end
    assert fb["reopen_rate"] == round(1 / 3, 3)  # one of three answered was reopened
    assert fb["hours_to_first_answer"] == 4.0  # (2 + 4 + 6) / 3
    assert fb["hours_to_resolution"] == 15.0  # (10 + 20) / 2
    totals = loop["totals"]
    assert totals["accepted_projects"] == 1 and totals["mean_rounds_to_acceptance"] == 2.0
    assert (totals["deviations_opened"], totals["deviations_closed"]) == (4, 2)
    assert totals["feedback"]["hours_to_first_answer"] == 4.0
    assert totals["feedback"]["answered_share"] == 0.75


def test_loop_totals_weight_each_projects_mean_by_its_count(looped):
    from alliance.models import Project

    other = Project.objects.create(alliance=looped.alliance, title="二期", created_by=looped.user)
    w2 = b.World(looped.alliance, looped.library, looped.enterprise, looped.university, looped.government,
                 looped.research, other, looped.user)  # fmt: skip
    b.feedback(w2, b.at(2025, 6, 1), answered_after=10)
    totals = selectors.loop_health([looped.alliance.pk], Y2025)[looped.alliance.pk]["totals"]["feedback"]
    # Four answered: 2, 4, 6 and 10 hours → 5.5, not the mean of the two project means (4 and 10 → 7).
    assert totals["hours_to_first_answer"] == 5.5
    assert totals["answered_share"] == round(4 / 5, 3)


def test_credibility_record_and_budgets(busy):
    from stakeholders.models import CredibilityAssessment

    for score, day in ((60, 1), (75, 2)):
        CredibilityAssessment.objects.create(
            organization=busy.enterprise, assessed_by=busy.library, reviewer=busy.user, qualifications="ISO",
            score=score, assessed_on=b.at(2025, day, 1).date(),
        )  # fmt: skip
    CredibilityAssessment.objects.create(
        organization=busy.research, assessed_by=busy.library, reviewer=busy.user, qualifications="-", score=10,
        assessed_on=b.at(2025, 1, 1).date(),
    )  # not a member: not in this alliance's record  # fmt: skip
    data = selectors.alliance_insight(busy.alliance, Y2025)
    assert data["credibility"] == [
        {
            "organization_id": busy.enterprise.pk,
            "scores": [
                {"on": "2025-01-01", "score": 60, "by": busy.library.pk},
                {"on": "2025-02-01", "score": 75, "by": busy.library.pk},
            ],
            "latest": 75,
        }
    ]
    # Assessments are an activity too: the library towards the enterprise, twice.
    assert data["participation"]["by_kind_and_activity"]["library"]["credibility_assessment"] == 2
    assert data["funding"]["by_stage"] == {"budgeted": "100000.00"}


def test_a_registered_source_is_counted_and_replacing_it_does_not_double(busy):
    from insight import sources

    def meetings(alliance_ids, period):
        return [
            sources.Activity(busy.alliance.pk, busy.research.pk, "research", "meeting", busy.library.pk,
                             period.start.date(), 5)
        ]  # fmt: skip

    sources.register_source("meeting", meetings, "Meetings")
    sources.register_source("meeting", meetings, "Meetings")
    try:
        part = selectors.alliance_insight(busy.alliance, Y2025)["participation"]
        assert {r["kind"]: r["count"] for r in part["by_kind"]}["research"] == 5
        assert part["total"] == 14
        # The research institute is no member: its pair does not raise the density.
        assert part["synergy"]["density"] == 0.5
    finally:
        sources._SOURCES.pop("meeting")


def test_oversight_by_hand(looped):
    from alliance.models import Milestone

    Milestone.objects.create(project=looped.project, title="验收", due_on=b.at(2025, 1, 1).date())
    Milestone.objects.create(project=looped.project, title="done", due_on=b.at(2025, 1, 1).date(),
                             done_at=b.at(2025, 1, 1))  # fmt: skip
    data = selectors.oversight([looped.alliance.pk], today=b.at(2025, 12, 31).date())
    (row,) = data["alliances"]
    assert row["projects_by_status"] == {"draft": 1}
    # Two corrections are open past their due dates (raised in March and April, due two weeks later).
    assert row["overdue"]["corrections"] == 2
    assert row["overdue"]["milestones"] == 1
    assert row["risks_by_level"] == {"low": 0, "medium": 0, "high": 0, "critical": 0}
    assert data["totals"]["overdue"]["corrections"] == 2
    assert row["feedback_rating"] == {"count": 0, "mean": None}


def test_query_count_is_constant_in_the_number_of_alliances(count_queries):
    seen = []
    for n in (2, 6):
        worlds = [b.world() for _ in range(n)]
        for w in worlds:
            b.transition(w, w.library, b.at(2025, 2, 1))
            b.feedback(w, b.at(2025, 3, 1), answered_after=1)
        ids = [w.alliance.pk for w in worlds]
        with count_queries() as q:
            selectors.synergy_for(ids, Y2025)
            selectors.loop_health(ids, Y2025)
            selectors.oversight(ids)
        seen.append(len(q))
    assert seen[0] == seen[1]
