"""The credit-hour requirements on exact dates: 550 hours in the rolling 5 years ending on the day asked about
(from the day after the same date 5 years earlier; 29 February falls back to the 28th) for 县处级 and above, 90
hours per calendar year below; shortfalls per unit, the transcript, what the appraisal app reads; and the ledger
entries recorded and removed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from cadres.models import Rank
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.training.factories import COUNTY, SECTION, TODAY, approved_class, call, online, record_all
from training import requirements, selectors
from training.models import CreditEntry
from training.services import attendance, credits

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def county(unit):
    return make_cadre(unit, "李明", rank=COUNTY)


@pytest.fixture
def section(unit):
    return make_cadre(unit, "王芳", rank=SECTION)


# --- the rules, without the database ----------------------------------------------------------------------


def test_the_rank_groups():
    assert requirements.rule_for_rank(Rank.ZHENG_CHU).key == "county"
    assert requirements.rule_for_rank(Rank.DIAOYANYUAN_4).key == "county"
    assert requirements.rule_for_rank(Rank.ZHENG_KE).key == "section"
    assert requirements.rule_for_rank(Rank.KEYUAN_2).key == "section"
    assert requirements.rule_for_rank("") is None


@pytest.mark.parametrize(
    ("on", "start"),
    [
        (date(2026, 11, 22), date(2021, 11, 23)),
        (date(2026, 1, 1), date(2021, 1, 2)),
        (date(2026, 12, 31), date(2022, 1, 1)),
        (date(2028, 2, 29), date(2023, 3, 1)),  # 2023-02-29 does not exist: the 28th, and the day after
        (date(2029, 2, 28), date(2024, 2, 29)),
        (date(2029, 3, 1), date(2024, 3, 2)),
    ],
)
def test_the_rolling_window_starts_the_day_after_the_same_date_five_years_earlier(on, start):
    rule = requirements.rule_for_rank(COUNTY)
    assert rule.window(on) == (start, on)
    assert rule.due_date(on) == on
    assert rule.label == "县处级以上领导干部每5年累计不少于550学时"


def test_the_calendar_year_window():
    rule = requirements.rule_for_rank(SECTION)
    assert rule.window(date(2026, 11, 22)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert rule.due_date(date(2026, 1, 1)) == date(2026, 12, 31)
    assert rule.label == "乡科级及以下干部每年不少于90学时"


@override_settings(
    ORGDEPT_TRAINING_REQUIREMENTS={
        "county": {"label": "县处级", "period": "rolling", "years": 5, "hours": 600},
        "section": {"label": "乡科级", "period": "calendar_year", "hours": 100},
    }
)
def test_the_numbers_come_from_the_setting():
    assert requirements.rule_for_rank(COUNTY).hours == Decimal("600")
    assert requirements.rule_for_rank(SECTION).label == "乡科级每年不少于100学时"


# --- the rolling 5 years --------------------------------------------------------------------------------------


def test_the_rolling_window_across_years_counts_from_the_day_after(county, staff):
    online(county, staff, 100, date(2021, 11, 22))
    online(county, staff, 40, date(2021, 11, 23))
    online(county, staff, 500, date(2026, 11, 22))
    status = selectors.requirement_status(county, date(2026, 11, 22))
    assert (status.window_start, status.window_end, status.due_date) == (
        date(2021, 11, 23),
        date(2026, 11, 22),
        date(2026, 11, 22),
    )
    assert (status.earned, status.shortfall, status.met) == (Decimal("540"), Decimal("10"), False)
    assert status.figures == "近5年累计学时540/550"
    # a day earlier the 22 November 2021 line was still inside, the 22 November 2026 one not yet earned
    earlier = selectors.requirement_status(county, date(2026, 11, 21))
    assert (earlier.window_start, earlier.earned, earlier.shortfall) == (
        date(2021, 11, 22),
        Decimal("140"),
        Decimal("410"),
    )


def test_550_hours_meet_the_rule_and_540_fall_10_short(county, staff):
    online(county, staff, 540, date(2025, 3, 1))
    short = selectors.requirement_status(county, TODAY)
    assert (short.required, short.earned, short.shortfall, short.met) == (
        Decimal("550"),
        Decimal("540"),
        Decimal("10"),
        False,
    )
    online(county, staff, 10, date(2026, 11, 22))
    met = selectors.requirement_status(county, TODAY)
    assert (met.earned, met.shortfall, met.met) == (Decimal("550"), Decimal("0"), True)
    online(county, staff, "0.5", date(2026, 11, 22))
    assert selectors.requirement_status(county, TODAY).shortfall == Decimal("0")


def test_29_february_falls_back_to_the_28th(county, staff):
    with time_machine.travel(date(2029, 3, 2), tick=False):
        online(county, staff, 100, date(2023, 2, 28))
        online(county, staff, 200, date(2023, 3, 1))
        online(county, staff, 50, date(2024, 2, 29))
        on_leap_day = selectors.requirement_status(county, date(2028, 2, 29))
        assert (on_leap_day.window_start, on_leap_day.earned) == (date(2023, 3, 1), Decimal("250"))
        assert selectors.requirement_status(county, date(2029, 2, 28)).earned == Decimal("50")
        assert selectors.requirement_status(county, date(2029, 3, 1)).earned == Decimal("0")


# --- 90 hours a calendar year --------------------------------------------------------------------------------


def test_31_december_counts_in_its_year_and_1_january_in_the_next(section, staff):
    with time_machine.travel(date(2027, 2, 1), tick=False):
        online(section, staff, 80, date(2026, 12, 31))
        online(section, staff, 95, date(2027, 1, 1))
        this_year = selectors.requirement_status(section, date(2026, 12, 31))
        assert (this_year.window_start, this_year.window_end, this_year.due_date) == (
            date(2026, 1, 1),
            date(2026, 12, 31),
            date(2026, 12, 31),
        )
        assert (this_year.earned, this_year.shortfall, this_year.met) == (Decimal("80"), Decimal("10"), False)
        assert this_year.figures == "2026年度学时80/90"
        next_year = selectors.requirement_status(section, date(2027, 1, 1))
        assert (next_year.earned, next_year.met, next_year.due_date) == (Decimal("95"), True, date(2027, 12, 31))
        # asked in the middle of the year: what was earned by then
        assert selectors.requirement_status(section, date(2026, 12, 30)).earned == Decimal("0")


def test_a_cadre_without_a_rank_has_no_rule(unit):
    assert selectors.requirement_status(make_cadre(unit, "无职级"), TODAY) is None


def test_statuses_of_many_cadres_take_one_query(unit, staff, django_assert_num_queries):
    cadres = [make_cadre(unit, f"干部{i}", rank=COUNTY if i % 2 else SECTION) for i in range(6)]
    cadres.append(make_cadre(unit, "无职级"))
    for cadre in cadres:
        online(cadre, staff, 60, date(2026, 3, 1))
        online(cadre, staff, 60, date(2024, 3, 1))
    with django_assert_num_queries(1):
        statuses = selectors.requirement_statuses(cadres, TODAY)
    earned = {cadre.rank: statuses[cadre.pk].earned for cadre in cadres if cadre.rank}
    assert earned == {COUNTY: Decimal("120"), SECTION: Decimal("60")}
    assert statuses[cadres[-1].pk] is None


def test_the_appraisal_reads_yearly_hours_and_the_years_shortfall(county, section, unit, staff):
    nobody = make_cadre(unit, "无职级")
    online(county, staff, 500, date(2022, 1, 1))
    online(county, staff, 30, date(2026, 5, 1))
    online(section, staff, 70, date(2026, 5, 1))
    online(section, staff, 90, date(2025, 5, 1))
    assert selectors.yearly_hours([county, section, nobody], 2026) == {
        county.pk: Decimal("30"),
        section.pk: Decimal("70"),
        nobody.pk: Decimal("0"),
    }
    # as of 31 December: 县处级 counts from 1 January 2022, 乡科级 the calendar year
    assert selectors.year_shortfall([county, section, nobody], 2026) == {
        county.pk: Decimal("20"),
        section.pk: Decimal("20"),
        nobody.pk: Decimal("0"),
    }
    assert selectors.year_shortfall([section], 2025) == {section.pk: Decimal("0")}


def test_unit_shortfalls(county, section, unit, staff, django_assert_num_queries):
    other = make_unit("区财政局", order=2)
    make_cadre(unit, "无职级")
    met = make_cadre(other, "赵强", rank=SECTION)
    online(section, staff, 50, date(2026, 5, 1))
    online(county, staff, 549, date(2026, 5, 1))
    online(met, staff, 90, date(2026, 5, 1))
    with django_assert_num_queries(3):
        lines = selectors.unit_shortfalls(on=TODAY)
    assert [(line.unit.name, line.counted, line.short, line.total_shortfall) for line in lines] == [
        ("区发改局", 2, 2, Decimal("41")),
        ("区财政局", 1, 0, Decimal("0")),
    ]
    assert [(c.cadre.name, c.status.shortfall) for c in lines[0].cadres_short] == [
        ("王芳", Decimal("40")),
        ("李明", Decimal("1")),
    ]
    assert [line.unit for line in selectors.unit_shortfalls(units=[other], on=TODAY)] == [other]


def test_the_transcript(county, staff, leader):
    training_class = approved_class(
        staff, leader, start=date(2026, 5, 4), end=date(2026, 5, 6), hours=[7, 7, 7], name="中青班"
    )
    failed = approved_class(staff, leader, start=date(2025, 9, 1), end=date(2025, 9, 2), hours=[7, 7], name="专题班")
    coming = approved_class(staff, leader, start=date(2026, 12, 1), hours=[7], name="年底班")
    for c in (training_class, failed, coming):
        call(c, [county], staff)
    record_all(training_class, staff)
    record_all(failed, staff, absent={county.pk: {0}})
    attendance.class_close(training_class=training_class, actor=staff)
    attendance.class_close(training_class=failed, actor=staff)
    online(county, staff, "12.5", date(2026, 8, 1), title="学习贯彻党的二十届四中全会精神")
    online(county, staff, 40, date(2025, 3, 1), title="网络专题")
    data = selectors.transcript(county, on=TODAY)
    assert [(line["source"], line["title"], line["hours"], line["earned_on"]) for line in data["lines"]] == [
        ("online", "学习贯彻党的二十届四中全会精神", Decimal("12.5"), date(2026, 8, 1)),
        ("class", "中青班", Decimal("21"), date(2026, 5, 6)),
        ("online", "网络专题", Decimal("40"), date(2025, 3, 1)),
    ]
    assert data["lines"][1]["training_class"] == training_class
    assert data["lines"][1]["organiser"] == "区委党校"
    assert [(n["training_class"].name, n["absent_hours"], n["total_hours"]) for n in data["not_completed"]] == [
        ("专题班", Decimal("7"), Decimal("14"))
    ]
    assert [e["training_class"].name for e in data["enrolled"]] == ["年底班"]
    assert data["years"] == [{"year": 2026, "hours": Decimal("33.5")}, {"year": 2025, "hours": Decimal("40")}]
    assert data["total_hours"] == Decimal("73.5")
    assert (data["status"].earned, data["status"].shortfall) == (Decimal("73.5"), Decimal("476.5"))


# --- lines recorded by hand ---------------------------------------------------------------------------------


def test_online_and_external_study_is_recorded_and_audited(county, staff):
    entry = credits.credit_record(
        cadre=county,
        source="external",
        title="浙江大学专题研修班",
        hours="32",
        earned_on=date(2026, 10, 9),
        organiser="浙江大学",
        actor=staff,
    )
    assert (entry.source, entry.hours, entry.recorded_by) == ("external", Decimal("32"), staff)
    event = AuditEvent.objects.get(action="credit.recorded")
    assert event.details["hours"] == "32" and event.details["earned_on"] == "2026-10-09"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source": "class"}, "只能登记网络培训或其他培训的学时"),
        ({"source": "imported"}, "只能登记网络培训或其他培训的学时"),
        ({"earned_on": date(2026, 11, 23)}, "学时的取得日期不能晚于今天"),
        ({"hours": "550.5"}, "学时不能超过550"),
        ({"hours": "0"}, "学时应大于0"),
        ({"title": " "}, "请填写课程或培训名称"),
    ],
)
def test_a_line_is_checked(county, staff, fields, message):
    values = {"source": "online", "title": "网络课程", "hours": "2", "earned_on": TODAY, **fields}
    with pytest.raises(ApplicationError, match=message):
        credits.credit_record(cadre=county, actor=staff, **values)
    assert not CreditEntry.objects.exists()


def test_550_hours_in_one_line_are_accepted(county, staff):
    assert online(county, staff, 550, TODAY).hours == Decimal("550")


def test_a_duplicate_line_is_refused_in_chinese(county, staff):
    online(county, staff, 2, date(2026, 5, 3), title="党史专题")
    with pytest.raises(ApplicationError, match=r"^李明已有2026-05-03「党史专题」的学时记录，不能重复登记$"):
        online(county, staff, 3, date(2026, 5, 3), title="党史专题")
    credits.credit_record(
        cadre=county, source="external", title="党史专题", hours=2, earned_on=date(2026, 5, 3), actor=staff
    )
    assert CreditEntry.objects.count() == 2


def test_a_line_is_removed_with_its_values_audited_but_class_credit_is_not(county, staff, leader):
    entry = online(county, staff, "2.5", date(2026, 5, 3), title="党史专题")
    with pytest.raises(ApplicationError, match="请填写删除理由"):
        credits.credit_remove(entry=entry, reason="", actor=staff)
    credits.credit_remove(entry=entry, reason="重复登记", actor=staff)
    assert not CreditEntry.objects.filter(pk=entry.pk).exists()
    event = AuditEvent.objects.get(action="credit.removed")
    assert {k: event.details[k] for k in ("reason", "cadre", "source", "title", "hours", "earned_on")} == {
        "reason": "重复登记",
        "cadre": "李明",
        "source": "online",
        "title": "党史专题",
        "hours": "2.5",
        "earned_on": "2026-05-03",
    }
    training_class = approved_class(staff, leader, start=date(2026, 5, 4), hours=[2])
    call(training_class, [county], staff)
    record_all(training_class, staff)
    attendance.class_close(training_class=training_class, actor=staff)
    with pytest.raises(ApplicationError, match="培训班学时由结业考勤生成，不能删除"):
        credits.credit_remove(entry=CreditEntry.objects.get(source="class"), reason="误录", actor=staff)
