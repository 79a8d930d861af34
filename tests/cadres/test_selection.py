"""竞争上岗 with its numbers: weights adding up to 100, scores 0–100 with two decimals, the weighted total rounded
half up, shared ranks, applicants outnumbering posts at closing, and a tie for the last place left to the leadership."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from cadres.models import Position, Rank, SelectionApplicant
from cadres.services import cadre_assign_position, position_create
from cadres.services import selection as svc
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.platform.tally import tally

TODAY = date(2026, 6, 1)
HELD_ON = date(2026, 5, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def department(db):
    return make_unit("区委组织部", order=1)


@pytest.fixture
def post(department):
    return position_create(
        unit=department, title="干部科科长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None
    )


@pytest.fixture
def staff(make_user):
    from orgdept.core import roles

    return make_user(roles.CADRE_SECTION, username="ganbu")


def create(post, staff, *, posts=1, weights=(30, 40, 30), held_on=HELD_ON, title="干部科科长竞争上岗"):
    speech, written, evaluation = weights
    return svc.selection_create(
        title=title,
        position=post,
        posts=posts,
        held_on=held_on,
        weight_speech=speech,
        weight_written=written,
        weight_evaluation=evaluation,
        actor=staff,
    )


def applicants(selection, department, staff, names):
    return [svc.applicant_add(selection=selection, cadre=make_cadre(department, n), actor=staff) for n in names]


def score(applicant, staff, speech, written, evaluation):
    return svc.scores_record(applicant=applicant, speech=speech, written=written, evaluation=evaluation, actor=staff)


def totals(selection):
    return [(line.cadre.name, line.total, line.rank) for line in svc.selection_results(selection)]


# --- creating: weights and posts --------------------------------------------------------------------------


def test_create_records_the_weights_and_audits(post, staff):
    selection = create(post, staff, posts=2, weights=(30, 40, 30))
    selection.refresh_from_db()
    assert (selection.weight_speech, selection.weight_written, selection.weight_evaluation) == (30, 40, 30)
    assert selection.posts == 2
    event = AuditEvent.objects.get(action="selection.created")
    assert event.object_id == str(selection.pk)
    assert event.actor_username == "ganbu"
    assert event.details["weight_written"] == 40


@pytest.mark.parametrize(("weights", "total"), [((30, 40, 29), 99), ((30, 40, 31), 101), ((40, 40, 40), 120)])
def test_weights_not_adding_up_to_100_are_refused_naming_the_sum(post, staff, weights, total):
    with pytest.raises(ApplicationError) as exc:
        create(post, staff, weights=weights)
    assert exc.value.message.startswith(f"三项权重之和应为100%，现为{total}%（竞职演讲{weights[0]}%、")


def test_weights_adding_up_to_99_are_refused_and_nothing_is_saved(post, staff):
    with pytest.raises(ApplicationError) as exc:
        create(post, staff, weights=(30, 39, 30))
    assert exc.value.message == "三项权重之和应为100%，现为99%（竞职演讲30%、笔试39%、民主测评30%）"
    assert not post.selections.exists()


def test_weights_adding_up_to_100_exactly_are_accepted(post, staff):
    assert create(post, staff, weights=(20, 50, 30)).weight_written == 50
    assert create(post, staff, weights=(98, 1, 1)).weight_speech == 98


@pytest.mark.parametrize(
    ("weights", "field", "words"),
    [
        ((0, 70, 30), "weight_speech", "1%到100%"),
        ((30, "40.5", "29.5"), "weight_written", "整数百分比"),
        ((30, 40, None), "weight_evaluation", "请填写"),
        ((30, 40, -30), "weight_evaluation", "1%到100%"),
    ],
)
def test_each_weight_is_a_whole_percentage_of_at_least_one(post, staff, weights, field, words):
    with pytest.raises(ApplicationError) as exc:
        create(post, staff, weights=weights)
    assert exc.value.field == field
    assert words in exc.value.message


def test_at_least_one_post(post, staff):
    with pytest.raises(ApplicationError) as exc:
        create(post, staff, posts=0)
    assert exc.value.field == "posts"
    assert create(post, staff, posts=1).posts == 1


# --- applicants and scores ------------------------------------------------------------------------------


def test_an_applicant_is_added_once_and_not_when_already_in_the_post(post, department, staff):
    selection = create(post, staff)
    cadre = make_cadre(department, "王强")
    svc.applicant_add(selection=selection, cadre=cadre, actor=staff)
    with pytest.raises(ApplicationError, match="王强已经报名"):
        svc.applicant_add(selection=selection, cadre=cadre, actor=staff)
    holder = make_cadre(department, "赵现任")
    cadre_assign_position(cadre=holder, position=post, start_month=date(2024, 1, 1), actor=None)
    with pytest.raises(ApplicationError, match="赵现任已担任"):
        svc.applicant_add(selection=selection, cadre=holder, actor=staff)
    assert selection.applicants.count() == 1


def test_weighted_total_30_40_30_of_85_5_78_90_is_83_85(post, department, staff):
    selection = create(post, staff, weights=(30, 40, 30))
    (applicant,) = applicants(selection, department, staff, ["王强"])
    score(applicant, staff, Decimal("85.5"), 78, "90")
    applicant.refresh_from_db()
    assert (applicant.speech, applicant.written, applicant.evaluation) == (
        Decimal("85.50"),
        Decimal("78.00"),
        Decimal("90.00"),
    )
    assert totals(selection) == [("王强", Decimal("83.85"), 1)]


def test_the_total_is_rounded_half_up_to_two_decimals(post, department, staff):
    # 80.15×30 + 80×40 + 80×30 = 8004.5, /100 = 80.045: half up gives 80.05 (banker's rounding would give 80.04)
    selection = create(post, staff, weights=(30, 40, 30))
    (applicant,) = applicants(selection, department, staff, ["王强"])
    score(applicant, staff, "80.15", 80, 80)
    assert totals(selection) == [("王强", Decimal("80.05"), 1)]


@pytest.mark.parametrize("value", [0, 100, "100.00", "0.01", Decimal("99.99")])
def test_scores_from_0_to_100_are_accepted(post, department, staff, value):
    selection = create(post, staff)
    (applicant,) = applicants(selection, department, staff, ["王强"])
    score(applicant, staff, value, value, value)
    applicant.refresh_from_db()
    assert applicant.speech == Decimal(str(value))


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("100.01", "0到100之间"),
        ("-0.01", "0到100之间"),
        ("85.555", "两位小数"),
        ("八十", "0到100之间"),
        (True, "0到100"),
    ],
)
def test_scores_outside_0_to_100_or_finer_than_a_cent_are_refused(post, department, staff, value, words):
    selection = create(post, staff)
    (applicant,) = applicants(selection, department, staff, ["王强"])
    with pytest.raises(ApplicationError) as exc:
        score(applicant, staff, 80, value, 80)
    assert exc.value.field == "written"
    assert words in exc.value.message
    applicant.refresh_from_db()
    assert applicant.speech is None


def test_several_applicants_scores_are_saved_all_or_none(post, department, staff):
    selection = create(post, staff)
    wang, li = applicants(selection, department, staff, ["王强", "李华"])
    good = {"speech": 80, "written": 80, "evaluation": 80}
    with pytest.raises(ApplicationError) as refused:
        svc.scores_record_many(
            selection=selection, scores={wang.pk: good, li.pk: {**good, "written": "100.5"}}, actor=staff
        )
    assert list(refused.value.extra["rows"]) == [li.pk]
    assert refused.value.extra["rows"][li.pk].field == "written"
    wang.refresh_from_db()
    assert wang.speech is None  # the good row was not kept either
    svc.scores_record_many(selection=selection, scores={wang.pk: good, li.pk: good}, actor=staff)
    assert totals(selection) == [("王强", Decimal("80.00"), 1), ("李华", Decimal("80.00"), 1)]


def test_scores_are_recorded_from_the_day_the_selection_is_held(post, department, staff):
    selection = create(post, staff, held_on=TODAY + timedelta(days=1))
    (applicant,) = applicants(selection, department, staff, ["王强"])
    with pytest.raises(ApplicationError, match="2026年06月02日举行，举行后才能登记成绩"):
        score(applicant, staff, 80, 80, 80)
    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        score(applicant, staff, 80, 80, 80)
    assert totals(selection) == [("王强", Decimal("80.00"), 1)]


def test_a_correction_is_audited_with_the_former_score_and_an_unchanged_one_is_not(post, department, staff):
    selection = create(post, staff)
    (applicant,) = applicants(selection, department, staff, ["王强"])
    score(applicant, staff, 80, 70, None)
    score(applicant, staff, 80, 75, None)
    score(applicant, staff, 80, 75, None)
    events = list(AuditEvent.objects.filter(action="selection.scores_recorded").order_by("id"))
    assert len(events) == 2
    assert events[1].details["changes"] == {"written": ["70.00", "75.00"]}


def test_removing_an_applicant_keeps_the_scores_in_the_audit(post, department, staff):
    selection = create(post, staff)
    (applicant,) = applicants(selection, department, staff, ["王强"])
    score(applicant, staff, 0, 70, 90)
    svc.applicant_remove(applicant=applicant, actor=staff)
    assert not selection.applicants.exists()
    event = AuditEvent.objects.get(action="selection.applicant_removed")
    assert event.details["name"] == "王强"
    assert (event.details["speech"], event.details["written"], event.details["evaluation"]) == (
        "0.00",
        "70.00",
        "90.00",
    )


# --- results --------------------------------------------------------------------------------------------


def test_equal_totals_share_a_rank_and_incomplete_applicants_are_unranked(post, department, staff):
    selection = create(post, staff, posts=2)
    a, b, c, d, e = applicants(selection, department, staff, ["甲", "乙", "丙", "丁", "戊"])
    score(a, staff, 70, 70, 70)  # 70.00
    score(b, staff, 90, 90, 90)  # 90.00
    score(c, staff, 80, 80, 80)  # 80.00
    score(d, staff, 90, 75, 80)  # 27 + 30 + 24 = 81.00
    score(e, staff, 80, None, 80)
    assert totals(selection) == [
        ("乙", Decimal("90.00"), 1),
        ("丁", Decimal("81.00"), 2),
        ("丙", Decimal("80.00"), 3),
        ("甲", Decimal("70.00"), 4),
        ("戊", None, None),
    ]
    score(c, staff, 80, "82.5", 80)  # 24 + 33 + 24 = 81.00, level with 丁
    assert totals(selection)[:4] == [
        ("乙", Decimal("90.00"), 1),
        ("丙", Decimal("81.00"), 2),
        ("丁", Decimal("81.00"), 2),
        ("甲", Decimal("70.00"), 4),
    ]
    assert [line.complete for line in svc.selection_results(selection)] == [True, True, True, True, False]


def test_the_rank_follows_the_published_total(post, department, staff):
    # 80.01/80/80 is 80.003 before rounding: both applicants are published at 80.00 and so rank together
    selection = create(post, staff)
    a, b = applicants(selection, department, staff, ["甲", "乙"])
    score(a, staff, "80.01", 80, 80)
    score(b, staff, 80, 80, 80)
    assert totals(selection) == [("甲", Decimal("80.00"), 1), ("乙", Decimal("80.00"), 1)]


def test_results_take_one_query_whatever_the_number_of_applicants(post, department, staff, django_assert_num_queries):
    selection = create(post, staff)
    for i, a in enumerate(applicants(selection, department, staff, ["甲", "乙", "丙", "丁", "戊", "己"])):
        score(a, staff, 80 + i, 80, 80)
    with django_assert_num_queries(1):
        lines = svc.selection_results(selection)
        names = [(line.cadre.name, line.cadre.unit.name) for line in lines]
    assert names[0] == ("己", "区委组织部")


# --- closing --------------------------------------------------------------------------------------------


def test_three_applicants_for_three_posts_are_refused_four_are_closed(post, department, staff):
    selection = create(post, staff, posts=3)
    for value, a in zip((90, 85, 80), applicants(selection, department, staff, ["甲", "乙", "丙"]), strict=True):
        score(a, staff, value, value, value)
    with pytest.raises(ApplicationError) as exc:
        svc.selection_close(selection=selection, actor=staff)
    assert exc.value.message == "竞争上岗的人选应当多于职位数：现有3人报名，职位3个"
    assert svc.selection_closing(selection) is None

    (d,) = applicants(selection, department, staff, ["丁"])
    score(d, staff, 75, 75, 75)
    winners = svc.selection_close(selection=selection, actor=staff)
    assert [w.cadre.name for w in winners] == ["甲", "乙", "丙"]
    assert [w.cadre.name for w in svc.selection_winners(selection)] == ["甲", "乙", "丙"]
    lines = svc.selection_results(selection)
    assert [(line.cadre.name, line.selected) for line in lines] == [
        ("甲", True),
        ("乙", True),
        ("丙", True),
        ("丁", False),
    ]
    event = AuditEvent.objects.get(action="selection.closed")
    assert event.object_id == str(selection.pk)
    assert [w["total"] for w in event.details["winners"]] == ["90.00", "85.00", "80.00"]
    assert event.details["ranking"][3] == {
        "applicant": d.pk,
        "cadre": d.cadre_id,
        "name": "丁",
        "total": "75.00",
        "rank": 4,
    }


def test_closing_needs_every_score(post, department, staff):
    selection = create(post, staff)
    a, b, _c = applicants(selection, department, staff, ["甲", "乙", "丙"])
    score(a, staff, 90, 90, 90)
    score(b, staff, 80, 80, None)
    with pytest.raises(ApplicationError) as exc:
        svc.selection_close(selection=selection, actor=staff)
    assert exc.value.message == "以下人员成绩尚未登记齐全：乙、丙"


def test_a_tie_for_the_last_place_is_left_to_the_leadership(post, department, staff):
    selection = create(post, staff, posts=2)
    a, b, c, d = applicants(selection, department, staff, ["甲", "乙", "丙", "丁"])
    score(a, staff, 90, 90, 90)
    score(b, staff, 85, 85, 85)
    score(c, staff, 85, 85, 85)
    score(d, staff, 70, 70, 70)
    with pytest.raises(ApplicationError) as exc:
        svc.selection_close(selection=selection, actor=staff)
    assert exc.value.message == "第2名2人并列（乙、丙，均为85.00分），只余1个职位，须经集体研究确定人选"
    assert svc.selection_winners(selection) == []

    with pytest.raises(ApplicationError, match="只能从并列人员（乙、丙）中确定人选"):
        svc.selection_close(selection=selection, actor=staff, tie_winners=[d], tie_reason="部务会研究")
    with pytest.raises(ApplicationError, match="须从并列人员（乙、丙）中确定1人"):
        svc.selection_close(selection=selection, actor=staff, tie_winners=[b, c], tie_reason="部务会研究")
    with pytest.raises(ApplicationError) as exc:
        svc.selection_close(selection=selection, actor=staff, tie_winners=[c], tie_reason="  ")
    assert exc.value.field == "tie_reason"
    assert not AuditEvent.objects.filter(action="selection.closed").exists()

    winners = svc.selection_close(
        selection=selection, actor=staff, tie_winners=[c], tie_reason="2026年6月1日部务会研究确定"
    )
    assert [w.cadre.name for w in winners] == ["甲", "丙"]
    closing = svc.selection_closing(selection)
    assert closing.tie_reason == "2026年6月1日部务会研究确定"
    assert closing.winner_ids == (a.pk, c.pk)
    assert [(line.cadre.name, line.rank, line.selected) for line in svc.selection_results(selection)] == [
        ("甲", 1, True),
        ("乙", 2, False),
        ("丙", 2, True),
        ("丁", 4, False),
    ]


def test_a_tie_above_the_last_place_needs_no_decision(post, department, staff):
    selection = create(post, staff, posts=2)
    a, b, c = applicants(selection, department, staff, ["甲", "乙", "丙"])
    score(a, staff, 85, 85, 85)
    score(b, staff, 85, 85, 85)
    score(c, staff, "84.99", 85, 85)  # 84.997 → 85.00 once rounded: a three-way tie
    with pytest.raises(ApplicationError, match="第1名3人并列"):
        svc.selection_close(selection=selection, actor=staff)
    score(c, staff, "84.98", 85, 85)  # 84.994 → 84.99
    with pytest.raises(ApplicationError, match="末位没有并列"):
        svc.selection_close(selection=selection, actor=staff, tie_winners=[a], tie_reason="不需要")
    winners = svc.selection_close(selection=selection, actor=staff)
    assert [w.cadre.name for w in winners] == ["甲", "乙"]


def test_a_closed_selection_cannot_change_and_closing_again_changes_nothing(post, department, staff):
    selection = create(post, staff)
    a, b = applicants(selection, department, staff, ["甲", "乙"])
    score(a, staff, 90, 90, 90)
    score(b, staff, 80, 80, 80)
    svc.selection_close(selection=selection, actor=staff)
    words = "已于2026年06月01日确定人选，不能再修改"
    with pytest.raises(ApplicationError, match=words):
        score(b, staff, 95, 95, 95)
    with pytest.raises(ApplicationError, match=words):
        svc.applicant_remove(applicant=a, actor=staff)
    with pytest.raises(ApplicationError, match=words):
        svc.applicant_add(selection=selection, cadre=make_cadre(department, "丙"), actor=staff)
    assert [w.cadre.name for w in svc.selection_close(selection=selection, actor=staff)] == ["甲"]
    assert AuditEvent.objects.filter(action="selection.closed").count() == 1
    assert SelectionApplicant.objects.get(pk=b.pk).speech == Decimal("80.00")


def test_winners_come_with_the_post_for_starting_proposals(post, department, staff, django_assert_num_queries):
    selection = create(post, staff)
    a, b = applicants(selection, department, staff, ["甲", "乙"])
    score(a, staff, 70, 70, 70)
    score(b, staff, 80, 80, 80)
    svc.selection_close(selection=selection, actor=staff)
    with django_assert_num_queries(1):
        (winner,) = svc.selection_winners(selection)
        assert (winner.cadre.name, str(winner.selection.position)) == ("乙", "区委组织部干部科科长")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_closing_one_selection_record_one_closing(post, department, staff):
    selection = create(post, staff)
    a, b = applicants(selection, department, staff, ["甲", "乙"])
    score(a, staff, 90, 90, 90)
    score(b, staff, 80, 80, 80)
    start = threading.Barrier(8)
    outcomes: list = []

    def close():
        try:
            start.wait()
            outcomes.append([w.cadre.name for w in svc.selection_close(selection=selection, actor=staff)])
        except Exception as exc:  # every outcome is recorded and asserted below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [["甲"]] * 8
    assert AuditEvent.objects.filter(action="selection.closed", object_id=str(selection.pk)).count() == 1
    tally("concurrent")
