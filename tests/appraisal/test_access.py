"""An appraised person sees only their own result (scores and rank), and only once it is published; staff see all."""

from __future__ import annotations

import pytest
from django.http import Http404

from appraisal.permissions import access_result, own_result, results_visible_to
from appraisal.services import ratings
from tests.appraisal.factories import indicator_only_cycle, make_people, result_of

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def rated(office, unit, make_user):
    people = make_people(unit, 5)
    # the cadre file linked to a login, as the accounts page does (no service for the link yet)
    me = people[1]
    me.user = make_user(username="me")
    me.save(update_fields=["user"])
    cycle, group = indicator_only_cycle(office, people)
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    return cycle, group, people, me.user


def test_nothing_is_seen_before_publication(rated):
    cycle, _group, _people, me = rated
    assert own_result(me, cycle) is None
    assert list(results_visible_to(me)) == []


def test_after_publication_only_ones_own_result(rated, office):
    cycle, group, people, me = rated
    ratings.cycle_publish(cycle=cycle, actor=office)
    mine = result_of(group, people[1])
    assert own_result(me, cycle) == mine
    assert (mine.final_score, mine.rank, mine.rating) == (98, 2, "competent")
    assert list(results_visible_to(me)) == [mine]
    assert access_result(me, mine.pk) == mine
    with pytest.raises(Http404):
        access_result(me, result_of(group, people[0]).pk)


def test_staff_and_leaders_see_every_result(rated, office, leader, make_user):
    cycle, _group, _people, _me = rated
    assert results_visible_to(office, cycle=cycle).count() == 5
    assert results_visible_to(leader, cycle=cycle).count() == 5
    assert results_visible_to(make_user(), cycle=cycle).count() == 0
