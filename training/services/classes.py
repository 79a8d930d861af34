"""Classes (培训班) of a plan and their sessions (课次).

A class starts in its plan's year (it may end in the next: a course from late December into January belongs to the
plan that called it). Classes may be added to or changed in an approved plan — plans are amended in practice — but
not while the plan awaits approval (部领导 approve what they were shown); an amendment of an approved plan is
audited under its own action, so it stands out in the audit log. A closed class (结业) is never changed again.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min

from cadres.models import Rank
from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import Attendance, ClassSession, Enrolment, TrainingClass, TrainingPlan
from .common import format_hours, optional_text, parse_hours, period, require_text
from .plans import STATUS_WORDS

Category = TrainingClass.Category
CLASS_FIELDS = ("name", "organiser", "category", "start_date", "end_date", "place", "capacity", "target_ranks")
MAX_CAPACITY = 10_000
# a session is at most a full day's study; more in one line is a typing slip (one session of 80 hours)
MAX_SESSION_HOURS = Decimal("12")
_MAX = {name: TrainingClass._meta.get_field(name).max_length for name in ("name", "organiser", "place")}
TOPIC_MAX = ClassSession._meta.get_field("topic").max_length


def lock_class(training_class: TrainingClass) -> TrainingClass:
    """The class, locked, with its plan (not locked)."""
    return TrainingClass.objects.select_for_update(of=("self",)).select_related("plan").get(pk=training_class.pk)


def require_open(training_class: TrainingClass, doing: str) -> None:
    if training_class.closed_at is not None:
        raise ApplicationError(f"培训班“{training_class.name}”已结业，不能{doing}")


def _check_plan_editable(plan: TrainingPlan) -> None:
    if plan.status == TrainingPlan.Status.SUBMITTED:
        raise ApplicationError(
            f"培训计划“{plan.title}”正在报送审批，不能增加或修改培训班；如需修改，请部领导先退回计划"
        )


def _as_date(value, *, field: str, what: str) -> date:
    if not isinstance(value, date):
        raise ApplicationError(f"请填写{what}", field=field)
    return value


def _validated(plan: TrainingPlan, values: dict) -> dict:
    """Every field of a class checked and cleaned; refused in Chinese naming the field."""
    out = {
        "name": require_text(values.get("name"), field="name", what="培训班名称", max_length=_MAX["name"]),
        "organiser": require_text(
            values.get("organiser"), field="organiser", what="主办单位", max_length=_MAX["organiser"]
        ),
        "place": optional_text(values.get("place"), field="place", what="培训地点", max_length=_MAX["place"]),
    }
    category = values.get("category")
    if category not in Category.values:
        raise ApplicationError("请选择培训类别", field="category")
    out["category"] = category
    start = _as_date(values.get("start_date"), field="start_date", what="开班日期")
    end = _as_date(values.get("end_date"), field="end_date", what="结业日期")
    if end < start:
        raise ApplicationError("结业日期不能早于开班日期", field="end_date")
    if start.year != plan.year:
        raise ApplicationError(
            f"培训班须在计划年度（{plan.year}年）内开班；可以跨年结束，但不能在其他年度开班", field="start_date"
        )
    out["start_date"], out["end_date"] = start, end
    capacity = values.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        try:
            capacity = int(str(capacity).strip())
        except (TypeError, ValueError):
            raise ApplicationError("请填写容量（人数）", field="capacity") from None
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ApplicationError(f"容量应在1至{MAX_CAPACITY}人之间", field="capacity")
    out["capacity"] = capacity
    ranks = []
    for rank in values.get("target_ranks") or ():
        if rank not in Rank.values:
            raise ApplicationError(f"未知的职级“{rank}”", field="target_ranks")
        if rank not in ranks:
            ranks.append(rank)
    out["target_ranks"] = ranks
    return out


def _plan_action(plan: TrainingPlan, draft_action: str, amended_action: str) -> str:
    return amended_action if plan.status == TrainingPlan.Status.APPROVED else draft_action


@transaction.atomic
def class_create(
    *,
    plan: TrainingPlan,
    name: str,
    organiser: str,
    category: str,
    start_date: date,
    end_date: date,
    place: str = "",
    capacity: int,
    target_ranks=(),
    actor,
) -> TrainingClass:
    """A class of `plan`; in an approved plan it is an amendment, audited as such."""
    plan = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
    _check_plan_editable(plan)
    values = _validated(
        plan,
        {
            "name": name,
            "organiser": organiser,
            "category": category,
            "start_date": start_date,
            "end_date": end_date,
            "place": place,
            "capacity": capacity,
            "target_ranks": target_ranks,
        },
    )
    if plan.classes.filter(name=values["name"]).exists():
        raise ApplicationError(f"培训计划中已有名为“{values['name']}”的培训班", field="name")
    training_class = TrainingClass.objects.create(plan=plan, **values)
    audit_log(
        actor=actor,
        action=_plan_action(plan, "training_class.created", "training_class.added_to_approved_plan"),
        obj=training_class,
        details={
            "plan": plan.pk,
            "plan_status": plan.status,
            **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()},
        },
    )
    return training_class


def _shown(value):
    return value.isoformat() if isinstance(value, date) else value


def _new_overlaps(training_class: TrainingClass, start: date, end: date) -> list[tuple[Enrolment, Enrolment]]:
    """(enrolment here, other enrolment) pairs whose classes would overlap after moving the class to start–end but
    do not overlap now: the cadres called up here have other classes on the new dates."""
    here = {
        e.cadre_id: e
        for e in Enrolment.objects.filter(training_class=training_class)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("cadre")
    }
    if not here:
        return []
    others = (
        Enrolment.objects.filter(
            cadre_id__in=list(here),
            training_class__start_date__lte=end,
            training_class__end_date__gte=start,
        )
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .exclude(training_class=training_class)
        .select_related("training_class")
        .order_by("training_class__start_date", "pk")
    )
    return [
        (here[other.cadre_id], other)
        for other in others
        if not (
            other.training_class.start_date <= training_class.end_date
            and other.training_class.end_date >= training_class.start_date
        )
    ]


@transaction.atomic
def class_update(*, training_class: TrainingClass, actor, overlap_reason: str = "", **fields) -> TrainingClass:
    """Changes the given fields (any of CLASS_FIELDS). Refused once the class is closed, while its plan awaits
    approval, when the dates would leave out a session, when the capacity would fall below those called up, and
    when the new dates make a cadre called up here overlap another class of theirs — unless `overlap_reason` is
    given, which is then audited with those classes."""
    unknown = set(fields) - set(CLASS_FIELDS)
    if unknown:
        raise TypeError(f"class_update() got unexpected fields: {', '.join(sorted(unknown))}")
    training_class = lock_class(training_class)
    require_open(training_class, "修改")
    plan = training_class.plan
    _check_plan_editable(plan)
    current = {name: getattr(training_class, name) for name in CLASS_FIELDS}
    values = _validated(plan, {**current, **fields})
    changes = {
        name: [_shown(current[name]), _shown(values[name])] for name in CLASS_FIELDS if values[name] != current[name]
    }
    if not changes:
        return training_class
    if "name" in changes and plan.classes.filter(name=values["name"]).exclude(pk=training_class.pk).exists():
        raise ApplicationError(f"培训计划中已有名为“{values['name']}”的培训班", field="name")
    start, end = values["start_date"], values["end_date"]
    bounds = training_class.sessions.aggregate(first=Min("date"), last=Max("date"))
    if bounds["first"] is not None and (bounds["first"] < start or bounds["last"] > end):
        outside = bounds["first"] if bounds["first"] < start else bounds["last"]
        raise ApplicationError(
            f"{outside.isoformat()}已安排课次，培训班日期须包含所有课次；请先调整或删除该课次",
            field="start_date" if outside < start else "end_date",
        )
    enrolled = training_class.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).count()
    if values["capacity"] < enrolled:
        raise ApplicationError(f"本班已调训{enrolled}人，容量不能少于{enrolled}人", field="capacity")
    overridden = []
    if "start_date" in changes or "end_date" in changes:
        pairs = _new_overlaps(training_class, start, end)
        reason = (overlap_reason or "").strip()[:300]
        if pairs and not reason:
            raise ApplicationError(
                "；".join(
                    f"{mine.cadre.name}已参加「{other.training_class.name}」"
                    f"（{period(other.training_class.start_date, other.training_class.end_date)}），调整后日期重叠"
                    for mine, other in pairs[:5]
                )
                + ("等" if len(pairs) > 5 else ""),
                field="start_date",
            )
        overridden = [
            {"cadre": mine.cadre.name, "class": other.training_class_id, "class_name": other.training_class.name}
            for mine, other in pairs
        ]
    for name, value in values.items():
        setattr(training_class, name, value)
    training_class.save(update_fields=[*changes, "updated_at"])
    details = {"plan": plan.pk, "plan_status": plan.status, "changes": changes}
    if overridden:
        details["overlap_override"] = {"reason": overlap_reason.strip()[:300], "overlaps": overridden}
    audit_log(
        actor=actor,
        action=_plan_action(plan, "training_class.updated", "training_class.amended"),
        obj=training_class,
        details=details,
    )
    return training_class


@transaction.atomic
def session_add(*, training_class: TrainingClass, date: date, topic: str, hours, actor) -> ClassSession:
    """A session on a day within the class's dates, with its credit hours (more than 0, at most 12)."""
    training_class = lock_class(training_class)
    require_open(training_class, "增加课次")
    day = _as_date(date, field="date", what="课次日期")
    if not training_class.start_date <= day <= training_class.end_date:
        raise ApplicationError(
            f"课次日期须在培训班日期（{period(training_class.start_date, training_class.end_date)}）之内", field="date"
        )
    topic = require_text(topic, field="topic", what="课程内容", max_length=TOPIC_MAX)
    hours = parse_hours(hours, field="hours", maximum=MAX_SESSION_HOURS, what="课次学时")
    order = (training_class.sessions.aggregate(last=Max("order"))["last"] or 0) + 1
    session = ClassSession.objects.create(
        training_class=training_class, date=day, topic=topic, hours=hours, order=order
    )
    plan = training_class.plan
    audit_log(
        actor=actor,
        action="class_session.added",
        obj=training_class,
        details={
            "session": session.pk,
            "date": day.isoformat(),
            "topic": topic,
            "hours": format_hours(hours),
            "plan_status": plan.status,
        },
    )
    return session


@transaction.atomic
def session_remove(*, session: ClassSession, actor) -> None:
    """Removes a session on which no attendance was taken."""
    training_class = lock_class(session.training_class)
    require_open(training_class, "删除课次")
    session = ClassSession.objects.filter(pk=session.pk, training_class=training_class).first()
    if session is None:
        return  # removed meanwhile
    if Attendance.objects.filter(session=session).exists():
        raise ApplicationError(f"{session.date.isoformat()}的课次已记录考勤，不能删除")
    details = {
        "session": session.pk,
        "date": session.date.isoformat(),
        "topic": session.topic,
        "hours": format_hours(session.hours),
        "plan_status": training_class.plan.status,
    }
    session.delete()
    audit_log(actor=actor, action="class_session.removed", obj=training_class, details=details)


def class_hours(training_class: TrainingClass) -> Decimal:
    """The class's credit hours: the sum of its sessions'."""
    return sum((s.hours for s in training_class.sessions.all()), Decimal("0"))


__all__ = [
    "CLASS_FIELDS",
    "STATUS_WORDS",
    "class_create",
    "class_hours",
    "class_update",
    "lock_class",
    "require_open",
    "session_add",
    "session_remove",
]
