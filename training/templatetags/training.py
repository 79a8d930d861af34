"""The training section's row of links (计划, 培训班, 学时缺口, 学时导入) and how its pages write credit hours."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..forms import CREDIT_SOURCE_LABELS, ENROLMENT_STATUS_LABELS, PLAN_STATUS_LABELS
from ..permissions import ADD_CREDIT, VIEW_CLASS, VIEW_CREDIT, VIEW_PLAN

register = template.Library()


def section_links(user) -> list[tuple[str, str, str]]:
    """(key, label, url) for each part of the training section `user` may open, in menu order."""
    links = []
    if user.has_perm(VIEW_PLAN):
        links.append(("plans", _("Training plans"), reverse("training:index")))
    if user.has_perm(VIEW_CLASS):
        links.append(("classes", _("Training classes"), reverse("training:class_list")))
    if user.has_perm(VIEW_CREDIT):
        links.append(("shortfalls", _("Credit-hour shortfalls"), reverse("training:shortfalls")))
    if user.has_perm(ADD_CREDIT):
        links.append(("import", _("Credit-hour import"), reverse("training:credit_import")))
    return links


@register.inclusion_tag("training/section_nav.html", takes_context=True)
def training_nav(context, current: str = ""):
    return {"links": section_links(context["request"].user), "current": current}


@register.filter
def hours(value) -> str:
    """Credit hours as people write them: 14, 3.5 (no trailing .0); blank stays blank."""
    if value in (None, ""):
        return ""
    number = Decimal(value)
    text = format(number.quantize(Decimal("0.1")), "f")
    return text[:-2] if text.endswith(".0") else text


CLASS_STATES = {
    "closed": _("Class closed"),
    "upcoming": _("Not started"),
    "running": _("Running"),
    "ended": _("Ended, not closed"),
}


def class_state_of(training_class, today) -> str:
    if training_class.closed_at:
        return "closed"
    if training_class.start_date > today:
        return "upcoming"
    if training_class.end_date >= today:
        return "running"
    return "ended"


@register.simple_tag
def class_state(training_class):
    """(key, label) of where a class stands today: not started, running, ended (attendance to close), closed."""
    from django.utils import timezone

    key = class_state_of(training_class, timezone.localdate())
    return key, CLASS_STATES[key]


@register.filter
def plan_status(value) -> str:
    return PLAN_STATUS_LABELS.get(value, value)


@register.filter
def enrolment_status(value) -> str:
    return ENROLMENT_STATUS_LABELS.get(value, value)


@register.filter
def credit_source(value) -> str:
    return CREDIT_SOURCE_LABELS.get(value, value)
