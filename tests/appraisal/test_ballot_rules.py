"""Who may put a ballot in whose name: a voter with an account votes online only (no paper ballot stands in for
theirs), nobody evaluates themselves, and ballots are weighed by elements summing to 100 even when the democratic
evaluation does not count towards the final score."""

from __future__ import annotations

import re

import pytest

from appraisal.models import Ballot
from appraisal.permissions import members_to_evaluate
from appraisal.services import ballots, cycles
from orgdept.core.exceptions import ApplicationError
from tests.appraisal.factories import add_voter, make_cycle, make_evaluation, make_group, make_people

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def open_cycle(office, unit, make_user):
    """正职 of three people; 干部1 is linked to the login `self1` and also votes (group A), as does `online1`."""
    cycle = make_cycle(office)
    people = make_people(unit, 3)
    people[0].user = make_user(username="self1")
    people[0].save(update_fields=["user"])
    group = make_group(cycle, office, people, name="正职")
    voter_groups, elements = make_evaluation(cycle, office)
    online = add_voter(voter_groups["A"], office, [group], user=make_user(username="online1"), name="网上甲")
    selfish = add_voter(voter_groups["A"], office, [group], user=people[0].user, name="干部1")
    paper = add_voter(voter_groups["B"], office, [group], name="纸质乙")
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    members = {m.cadre.name: m for m in group.members.select_related("cadre")}
    return {"cycle": cycle, "elements": elements, "online": online, "self": selfish, "paper": paper, **members}


def _marks(c, value=90):
    return dict.fromkeys(c["elements"], value)


def test_no_paper_ballot_in_the_name_of_a_voter_who_votes_online(open_cycle, office):
    c = open_cycle
    with pytest.raises(ApplicationError, match="网上甲在网上填写测评票，不能为其录入纸质测评票"):
        ballots.ballot_enter_paper(voter=c["online"], member=c["干部2"], scores=_marks(c), actor=office)
    assert not Ballot.objects.exists()
    # the voter's own vote is still open to them, and a paper voter's ballot is entered as before
    ballots.ballot_submit(voter=c["online"], member=c["干部2"], scores=_marks(c), actor=c["online"].user)
    ballots.ballot_enter_paper(voter=c["paper"], member=c["干部2"], scores=_marks(c), actor=office)
    assert Ballot.objects.filter(member=c["干部2"]).count() == 2


def test_nobody_evaluates_themselves(open_cycle):
    c = open_cycle
    me = c["self"].user
    assert [m.cadre.name for m in members_to_evaluate(me, c["cycle"]).order_by("pk")] == ["干部2", "干部3"]
    with pytest.raises(ApplicationError, match="干部1是考核对象本人，不能为自己投测评票"):
        ballots.ballot_submit(voter=c["self"], member=c["干部1"], scores=_marks(c), actor=me)
    ballots.ballot_submit(voter=c["self"], member=c["干部2"], scores=_marks(c), actor=me)
    assert list(Ballot.objects.values_list("voter__name", "member__cadre__name")) == [("干部1", "干部2")]


def test_ballots_are_weighed_by_elements_of_100_even_when_the_evaluation_does_not_count(office, unit):
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    group = make_group(cycle, office, make_people(unit, 2))
    voter_groups, _elements = make_evaluation(cycle, office)
    cycles.element_add(cycle=cycle, name="创新", weight=50, actor=office)
    add_voter(voter_groups["A"], office, [group], name="李书记")
    with pytest.raises(ApplicationError, match=re.escape("测评要素的权重合计为150，应为100")):
        cycles.cycle_open_evaluation(cycle=cycle, actor=office)


def test_reading_the_paper_ballots_is_on_record(open_cycle, office, client):
    from django.urls import reverse

    from orgdept.core.models import AuditEvent

    client.force_login(office)
    assert client.get(reverse("appraisal:paper_ballots", args=[open_cycle["cycle"].pk])).status_code == 200
    [event] = AuditEvent.objects.filter(action="appraisal_ballots.viewed")
    assert (event.actor, event.object_id, event.details) == (office, str(open_cycle["cycle"].pk), {"paper": True})
