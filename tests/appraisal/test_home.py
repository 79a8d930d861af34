"""Voters and appraised cadres hold no appraisal role: the navigation and the home page still lead them to their
ballots while an evaluation is open and to their own results once published — and nobody else sees those entries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from appraisal.home import appraisal_sections
from appraisal.services import ballots, cycles, ratings
from orgdept.core.shell import nav_for
from tests.appraisal.factories import (
    add_voter,
    indicator_only_cycle,
    make_cycle,
    make_evaluation,
    make_group,
    make_people,
)

pytestmark = pytest.mark.usefixtures("frozen")


def _nav(user) -> list[str]:
    # a fresh user object, as each request has: the entries are worked out once per request
    return [item.url_name for item in nav_for(get_user_model().objects.get(pk=user.pk))]


def _ballot_lines(user) -> list[str]:
    return [i.detail for s in appraisal_sections(user) if s.title == "待填写的测评票" for i in s.items]


@pytest.fixture
def voting(office, unit, make_user):
    cycle = make_cycle(office)
    people = make_people(unit, 3, prefix="对象")
    group = make_group(cycle, office, people, name="正职")
    voter_groups, elements = make_evaluation(cycle, office)
    user = make_user(username="voter1")
    voter = add_voter(voter_groups["A"], office, [group], user=user, name="甲一")
    return cycle, group, elements, voter, user


def test_a_voter_is_led_to_the_ballots_left_while_the_evaluation_is_open(voting, office, make_user, client):
    cycle, group, elements, voter, user = voting
    assert "appraisal:my_ballots" in _nav(user)
    assert _ballot_lines(user) == []  # set-up: nothing to fill in yet
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    assert _ballot_lines(user) == ["尚有3人未测评（共3人）"]
    members = list(group.members.order_by("pk"))
    scores = dict.fromkeys(elements, 85)
    ballots.ballot_submit(voter=voter, member=members[0], scores=scores, actor=user)
    assert _ballot_lines(user) == ["尚有2人未测评（共3人）"]
    client.force_login(user)
    page = client.get(reverse("core:home")).content.decode()
    assert "待填写的测评票" in page and "尚有2人未测评" in page
    assert reverse("appraisal:my_ballots") in page
    for member in members[1:]:
        ballots.ballot_submit(voter=voter, member=member, scores=scores, actor=user)
    assert _ballot_lines(user) == []
    # someone who votes in no appraisal sees neither the entry nor the line
    other = make_user(username="bystander")
    assert "appraisal:my_ballots" not in _nav(other)
    assert appraisal_sections(other) == []


def test_an_appraised_cadre_sees_the_entry_to_their_results_only_once_published(office, unit, make_user, client):
    people = make_people(unit, 3)
    me = people[0]
    me.user = make_user(username="me")
    me.save(update_fields=["user"])
    cycle, _group = indicator_only_cycle(office, people)
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    assert "appraisal:my_results" not in _nav(me.user)
    assert appraisal_sections(me.user) == []
    ratings.cycle_publish(cycle=cycle, actor=office)
    assert "appraisal:my_results" in _nav(me.user)
    [section] = appraisal_sections(me.user)
    assert (section.title, section.items[0].label) == ("我的年度考核结果", str(cycle))
    client.force_login(me.user)
    assert reverse("appraisal:my_results") in client.get(reverse("core:home")).content.decode()
    # a colleague appraised in the same cycle but with no login link sees nothing of it
    assert "appraisal:my_results" not in _nav(make_user(username="colleague"))
