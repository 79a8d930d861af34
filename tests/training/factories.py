"""Test helpers that build training plans, classes, call-ups and credit through the services."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta
from decimal import Decimal

from cadres.models import Rank
from training.imports import COLUMNS
from training.models import TrainingClass, TrainingPlan
from training.services import attendance, classes, credits, enrolment, plans

_sequence = itertools.count(1)

# the day the clock stands still on (conftest's `frozen`), unless a module overrides `today`
TODAY = date(2026, 11, 22)


def make_plan(staff, *, year: int = 2026, title: str | None = None) -> TrainingPlan:
    return plans.plan_create(year=year, title=title or f"{year}年度干部教育培训计划{next(_sequence)}", actor=staff)


def make_class(
    plan: TrainingPlan,
    staff,
    *,
    start: date,
    end: date | None = None,
    name: str | None = None,
    hours=(),
    capacity: int = 30,
    category: str = TrainingClass.Category.PARTY_SCHOOL,
    target_ranks=(),
) -> TrainingClass:
    """A class with one session per entry of `hours`, on consecutive days from `start` (the last ones share the end
    day when there are more sessions than days)."""
    end = end or start
    training_class = classes.class_create(
        plan=plan,
        name=name or f"测试培训班{next(_sequence)}",
        organiser="区委党校",
        category=category,
        start_date=start,
        end_date=end,
        place="区委党校教学楼",
        capacity=capacity,
        target_ranks=target_ranks,
        actor=staff,
    )
    for i, h in enumerate(hours):
        day = min(start + timedelta(days=i), end)
        classes.session_add(training_class=training_class, date=day, topic=f"第{i + 1}讲", hours=h, actor=staff)
    return training_class


def approve(plan: TrainingPlan, staff, leader) -> TrainingPlan:
    plans.plan_submit(plan=plan, actor=staff)
    return plans.plan_approve(plan=plan, actor=leader)


def approved_class(staff, leader, *, start: date, end: date | None = None, **fields) -> TrainingClass:
    """A class in a plan of its start year, the plan approved."""
    plan = make_plan(staff, year=start.year)
    training_class = make_class(plan, staff, start=start, end=end, **fields)
    approve(plan, staff, leader)
    training_class.refresh_from_db()
    return training_class


def add_class(plan: TrainingPlan, staff, **fields) -> TrainingClass:
    """Another class of a plan (after approval it is an amendment)."""
    return make_class(plan, staff, **fields)


def record_all(training_class: TrainingClass, staff, *, absent: dict | None = None) -> None:
    """Attendance on every session for every active enrolment; `absent` maps a cadre pk to the session indexes
    (0-based) they missed."""
    absent = absent or {}
    active = list(training_class.enrolments.filter(status="enrolled").select_related("cadre"))
    for index, session in enumerate(training_class.sessions.order_by("date", "order", "pk")):
        attendance.attendance_record(
            session=session,
            present={e.pk: index not in absent.get(e.cadre_id, ()) for e in active},
            actor=staff,
        )


def call(training_class: TrainingClass, cadres, staff, **kwargs):
    return enrolment.call_up(training_class=training_class, cadres=cadres, actor=staff, **kwargs)


def online(cadre, staff, hours, earned_on: date, title: str | None = None):
    return credits.credit_record(
        cadre=cadre,
        source="online",
        title=title or f"网络课程{next(_sequence)}",
        hours=Decimal(str(hours)),
        earned_on=earned_on,
        actor=staff,
    )


COUNTY = Rank.FU_CHU
SECTION = Rank.ZHENG_KE


def credit_xlsx(rows, headers=COLUMNS) -> bytes:
    """A credit-hour workbook: the header row, then `rows`."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
