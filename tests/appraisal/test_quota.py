"""The 优秀 quota (a setting, default 20% of the group, rounded down), in the proposals and when staff rate by hand;
and publication, which needs everyone rated."""

from __future__ import annotations

from datetime import date

import pytest

from appraisal.models import AppraisalCycle, AppraisalResult, Rating
from appraisal.services import ratings
from appraisal.services.common import excellent_quota
from cadres.models import Rank
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import indicator_only_cycle, make_people, result_of
from tests.cadres.factories import make_cadre
from tests.training.factories import online
from training.services.credits import credit_remove

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.mark.parametrize(("size", "quota"), [(4, 0), (5, 1), (9, 1), (10, 2), (11, 2), (14, 2), (15, 3)])
def test_the_quota_is_20_percent_rounded_down(size, quota):
    assert excellent_quota(size) == quota


def test_the_quota_is_a_setting(settings):
    settings.ORGDEPT_APPRAISAL_EXCELLENT_PERCENT = 25
    assert (excellent_quota(3), excellent_quota(4), excellent_quota(11)) == (0, 1, 2)


def _proposed(group) -> list[str]:
    return list(
        AppraisalResult.objects.filter(member__group=group)
        .order_by("rank", "pk")
        .values_list("proposed_rating", flat=True)
    )


def test_eleven_people_get_two_excellent_proposed_and_a_third_is_refused_by_hand(office, unit):
    people = make_people(unit, 11)
    cycle, group = indicator_only_cycle(office, people)
    assert _proposed(group) == [Rating.EXCELLENT] * 2 + [Rating.COMPETENT] * 9
    assert [result_of(group, c).rank for c in people] == list(range(1, 12))
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    with pytest.raises(ApplicationError) as refused:
        ratings.rating_set(result=result_of(group, people[2]), rating=Rating.EXCELLENT, actor=office)
    assert refused.value.message == "“正职”共11人，优秀最多2人（20%，向下取整），已有2人评为优秀"
    # moving one 优秀 down frees the place
    ratings.rating_set(result=result_of(group, people[1]), rating=Rating.COMPETENT, actor=office)
    ratings.rating_set(result=result_of(group, people[2]), rating=Rating.EXCELLENT, actor=office)
    ratings.cycle_publish(cycle=cycle, actor=office)
    assert AppraisalCycle.objects.get(pk=cycle.pk).status == AppraisalCycle.Status.PUBLISHED


@pytest.mark.parametrize(("size", "excellent"), [(10, 2), (14, 2), (15, 3)])
def test_the_proposals_follow_the_quota(office, unit, size, excellent):
    _cycle, group = indicator_only_cycle(office, make_people(unit, size))
    assert _proposed(group).count(Rating.EXCELLENT) == excellent


def test_four_people_have_no_excellent_place(office, unit):
    people = make_people(unit, 4)
    _cycle, group = indicator_only_cycle(office, people)
    assert _proposed(group) == [Rating.COMPETENT] * 4
    with pytest.raises(ApplicationError, match="“正职”共4人，优秀最多0人"):
        ratings.rating_set(result=result_of(group, people[0]), rating=Rating.EXCELLENT, actor=office)


def test_people_tied_at_the_edge_of_the_quota_are_left_to_staff(office, unit):
    people = make_people(unit, 10)
    scores = {c.pk: 90 - i for i, c in enumerate(people)}
    scores[people[2].pk] = scores[people[1].pk]  # 2nd and 3rd tied for the last place
    _cycle, group = indicator_only_cycle(office, people, scores=scores)
    assert [result_of(group, c).rank for c in people[:4]] == [1, 2, 2, 4]
    assert [result_of(group, c).proposed_rating for c in people[:3]] == [
        Rating.EXCELLENT,
        Rating.COMPETENT,
        Rating.COMPETENT,
    ]
    assert result_of(group, people[1]).note == "与他人并列第2名，优秀名额不足，请人工评定"


def test_publication_needs_every_person_rated(office, unit):
    people = make_people(unit, 5)
    cycle, group = indicator_only_cycle(office, people)
    ratings.rating_set(result=result_of(group, people[0]), rating=Rating.EXCELLENT, actor=office)
    with pytest.raises(ApplicationError, match="干部2还没有评定等次"):
        ratings.cycle_publish(cycle=cycle, actor=office)


def test_only_holders_of_the_publish_permission_publish(office, unit, make_user):
    people = make_people(unit, 5)
    cycle, _group = indicator_only_cycle(office, people)
    ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    with pytest.raises(ApplicationError, match="没有公布考核结果的权限"):
        ratings.cycle_publish(cycle=cycle, actor=make_user())


# --- accepting the proposals at once, and publication ---------------------------------------------------------


def test_accepting_the_proposals_rates_everyone_not_yet_rated_and_audits_each(office, unit):
    people = make_people(unit, 10)
    cycle, group = indicator_only_cycle(office, people)
    ratings.rating_set(result=result_of(group, people[9]), rating=Rating.BASIC, actor=office)
    assert ratings.ratings_accept_proposed(cycle=cycle, actor=office) == 9
    rated = {r.member.cadre.name: r for r in AppraisalResult.objects.filter(member__group=group)}
    assert [rated[c.name].rating for c in people] == [Rating.EXCELLENT] * 2 + [Rating.COMPETENT] * 7 + [Rating.BASIC]
    assert all(rated[c.name].rated_by == office and rated[c.name].rated_at is not None for c in people)
    events = AuditEvent.objects.filter(action="appraisal_result.rated").order_by("pk")
    assert events.count() == 10  # the one set by hand, then the nine accepted
    assert [(e.object_repr, e.details) for e in events[1:3]] == [
        ("干部1", {"cycle": cycle.pk, "rating": ["", "excellent"], "proposed": "excellent"}),
        ("干部2", {"cycle": cycle.pk, "rating": ["", "excellent"], "proposed": "excellent"}),
    ]
    assert ratings.ratings_accept_proposed(cycle=cycle, actor=office) == 0


def test_accepting_counts_the_excellent_already_set_by_hand_and_writes_nothing_when_refused(office, unit):
    people = make_people(unit, 10)  # two 优秀 places, proposed to 干部1 and 干部2
    cycle, group = indicator_only_cycle(office, people)
    ratings.rating_set(result=result_of(group, people[2]), rating=Rating.EXCELLENT, actor=office)
    with pytest.raises(ApplicationError) as refused:
        ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    assert refused.value.message == "“正职”共10人，优秀最多2人（20%，向下取整），已有2人评为优秀"
    assert AppraisalResult.objects.filter(member__group=group).exclude(rating="").count() == 1
    # one place fewer taken by hand: everything proposed fits
    ratings.rating_set(result=result_of(group, people[2]), rating=Rating.COMPETENT, actor=office)
    assert ratings.ratings_accept_proposed(cycle=cycle, actor=office) == 9


@pytest.fixture
def trainer(make_user):
    return make_user(roles.TRAINING_SECTION, username="peixun")


def test_accepting_refuses_an_excellent_short_of_training_since_the_proposal(office, unit, trainer):
    best = make_cadre(unit, "王科长", rank=Rank.ZHENG_KE)
    course = online(best, trainer, "90", date(2026, 3, 2))
    cycle, group = indicator_only_cycle(office, [best, *make_people(unit, 4)])
    assert result_of(group, best).proposed_rating == Rating.EXCELLENT
    credit_remove(entry=course, reason="重复登记", actor=trainer)
    online(best, trainer, "89.9", date(2026, 3, 2), title="补录")
    with pytest.raises(ApplicationError) as refused:
        ratings.ratings_accept_proposed(cycle=cycle, actor=office)
    assert refused.value.message == "王科长的2026年度培训学时尚差0.1学时，不能评为优秀"
    assert not AppraisalResult.objects.filter(member__group=group).exclude(rating="").exists()


def test_publication_is_refused_while_an_excellent_is_short_of_the_years_training(office, unit, trainer):
    best = make_cadre(unit, "王科长", rank=Rank.ZHENG_KE)
    second = make_cadre(unit, "李科长", rank=Rank.ZHENG_KE)
    courses = {c: online(c, trainer, "90", date(2026, 3, 2)) for c in (best, second)}
    cycle, group = indicator_only_cycle(office, [best, second, *make_people(unit, 8)])  # two 优秀 places
    assert ratings.ratings_accept_proposed(cycle=cycle, actor=office) == 10
    # the hours change after the rating: one removed from 王科长's transcript, 李科长's line replaced by 89
    credit_remove(entry=courses[best], reason="登记有误", actor=trainer)
    online(best, trainer, "89", date(2026, 3, 2), title="改正")
    with pytest.raises(ApplicationError) as refused:
        ratings.cycle_publish(cycle=cycle, actor=office)
    assert refused.value.message == "王科长（尚差1学时）的2026年度培训学时不足，不能评为优秀，请重新评定等次后再公布"
    credit_remove(entry=courses[second], reason="登记有误", actor=trainer)
    online(second, trainer, "89.9", date(2026, 11, 22), title="改正")
    with pytest.raises(ApplicationError) as refused:
        ratings.cycle_publish(cycle=cycle, actor=office)
    assert refused.value.message == (
        "王科长（尚差1学时）、李科长（尚差0.1学时）的2026年度培训学时不足，不能评为优秀，请重新评定等次后再公布"
    )
    assert AppraisalCycle.objects.get(pk=cycle.pk).status == AppraisalCycle.Status.RATING
    # the hour made up within the year clears 王科长; 李科长 rated 称职 instead: publication goes ahead
    online(best, trainer, "1", date(2026, 11, 22), title="补学")
    ratings.rating_set(result=result_of(group, second), rating=Rating.COMPETENT, actor=office)
    ratings.cycle_publish(cycle=cycle, actor=office)
    assert AppraisalCycle.objects.get(pk=cycle.pk).status == AppraisalCycle.Status.PUBLISHED
