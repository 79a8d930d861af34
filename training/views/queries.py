"""Reads of the training pages beyond training.selectors: a plan's history and classes, a class's page and a
session's attendance sheet, each in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from orgdept.core.models import AuditEvent

from ..models import Attendance, ClassSession, Enrolment, TrainingClass, TrainingPlan
from ..selectors import class_list

ACTIVE = ~Q(status=Enrolment.Status.WITHDRAWN)


def plan_classes(plan: TrainingPlan) -> list[TrainingClass]:
    return list(class_list(plan=plan).order_by("start_date", "name", "pk"))


def plan_history(plan: TrainingPlan, limit: int = 50) -> QuerySet[AuditEvent]:
    """Who created, changed, submitted, returned and approved the plan, and when (the audit is its history)."""
    return (
        AuditEvent.objects.filter(object_type="training.trainingplan", object_id=str(plan.pk))
        .select_related("actor")
        .order_by("occurred_at", "id")[:limit]
    )


def class_page(training_class: TrainingClass) -> dict:
    """A class's sessions (with how much attendance was taken on each) and its enrolments (with cadre, unit and
    credit), in two queries."""
    sessions = list(
        ClassSession.objects.filter(training_class=training_class)
        .annotate(recorded=Count("attendance"), absent=Count("attendance", filter=Q(attendance__present=False)))
        .order_by("date", "order", "pk")
    )
    enrolments = list(
        Enrolment.objects.filter(training_class=training_class)
        .select_related("cadre__unit", "called_by", "credit")
        .order_by("cadre__unit__order", "cadre__name", "pk")
    )
    active = [e for e in enrolments if e.status != Enrolment.Status.WITHDRAWN]
    for session in sessions:
        session.complete = bool(active) and session.recorded >= len(active)
    return {
        "sessions": sessions,
        "enrolments": sorted(enrolments, key=lambda e: e.status == Enrolment.Status.WITHDRAWN),
        "active": active,
        "total_hours": sum((s.hours for s in sessions), Decimal("0")),
    }


def session_attendance(session: ClassSession) -> tuple[list[Enrolment], dict[int, Attendance]]:
    """The active enrolments of the session's class and what was recorded for each on it."""
    enrolments = list(
        Enrolment.objects.filter(training_class_id=session.training_class_id)
        .filter(ACTIVE)
        .select_related("cadre__unit")
        .order_by("cadre__unit__order", "cadre__name", "pk")
    )
    recorded = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    return enrolments, recorded
