"""A training shortfall for the appraisal year blocks 优秀, in the proposals and by hand (training.selectors)."""

from __future__ import annotations

from datetime import date

import pytest

from appraisal.models import Rating
from appraisal.services import ratings
from cadres.models import Rank
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from tests.appraisal.factories import indicator_only_cycle, make_people, result_of
from tests.cadres.factories import make_cadre
from tests.training.factories import online

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def trainer(make_user):
    return make_user(roles.TRAINING_SECTION, username="peixun")


@pytest.fixture
def short_cadre(unit, trainer):
    """A 正科 cadre (90 hours due in the calendar year) with 89.9 hours in 2026: 0.1 short."""
    cadre = make_cadre(unit, "王科长", rank=Rank.ZHENG_KE)
    online(cadre, trainer, "89.9", date(2026, 3, 2))
    return cadre


def test_the_best_scored_cadre_short_of_training_is_not_proposed(office, unit, short_cadre):
    others = make_people(unit, 4)
    _cycle, group = indicator_only_cycle(office, [short_cadre, *others])  # quota 1, short_cadre ranked first
    best = result_of(group, short_cadre)
    assert (best.rank, best.proposed_rating) == (1, Rating.COMPETENT)
    assert best.note == "2026年度培训学时尚差0.1学时，不能评为优秀"
    assert result_of(group, others[0]).proposed_rating == Rating.EXCELLENT


def test_rating_by_hand_is_refused_until_the_hours_are_made_up(office, unit, trainer, short_cadre):
    _cycle, group = indicator_only_cycle(office, [short_cadre, *make_people(unit, 4)])
    with pytest.raises(ApplicationError) as refused:
        ratings.rating_set(result=result_of(group, short_cadre), rating=Rating.EXCELLENT, actor=office)
    assert refused.value.message == "王科长的2026年度培训学时尚差0.1学时，不能评为优秀"
    online(short_cadre, trainer, "0.1", date(2026, 11, 22))
    result = ratings.rating_set(result=result_of(group, short_cadre), rating=Rating.EXCELLENT, actor=office)
    assert (result.rating, result.rated_by) == (Rating.EXCELLENT, office)
