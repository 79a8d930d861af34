"""The committees app's sections of the home page: a member's seat; a standing member's areas, substitute,
cover and quarterly report duty; for 组织科, what to fix in the plan in force and the substitutes."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from orgdept.core.shell import QueueItem, QueueSection

from .models import QuarterlyReport, Term, TermMember
from .permissions import may_manage
from .selectors import (
    current_term,
    member_portfolio,
    plan_coverage,
    plan_in_force,
    seat_of,
    standing_members,
    substitute_arrangements,
)
from .services.absences import quarter_last_day, quarter_of
from .services.terms import role_label


def _reminder_days() -> int:
    return int(getattr(settings, "ORGDEPT_QUARTERLY_REPORT_REMINDER_DAYS", 14))


def _seat_title(seat: TermMember) -> str:
    label = role_label(seat.role)
    return f"{label}（专职）" if seat.full_time_deputy else label


def committee_sections(user) -> list[QueueSection]:
    if not getattr(user, "is_authenticated", False):
        return []
    term = current_term()
    if term is None:
        return []
    today = timezone.localdate()
    sections = []
    seat = seat_of(user, term=term)
    if seat is not None:
        sections.append(_seat_section(seat, term))
        if seat.is_standing:
            sections.append(_portfolio_section(seat, today))
    if may_manage(user):
        sections.append(_problems_section(term, today))
    return sections


def _seat_section(seat: TermMember, term: Term) -> QueueSection:
    since = seat.role_changes.order_by("-changed_on").values_list("changed_on", flat=True).first() or seat.joined_on
    item = QueueItem(
        label=f"本届区委成员：{term}{_seat_title(seat)}",
        url=reverse("committees:term_overview"),
        detail=f"{since:%Y.%m}起",
    )
    return QueueSection(title="我的任职", items=[item], order=5)


def _portfolio_section(seat: TermMember, today: date) -> QueueSection:
    portfolio = member_portfolio(seat, on=today)
    url = reverse("committees:my_portfolio")
    items = []
    if portfolio.plan is None:
        items.append(QueueItem(label="暂无生效的常委分工", url=url, level="warning"))
    else:
        items.append(
            QueueItem(
                label=f"分管领域{len(portfolio.leads)}个",
                url=url,
                detail="、".join(a.name for a in portfolio.leads),
            )
        )
    if portfolio.substitute is not None:
        items.append(QueueItem(label=f"缺位互补：{portfolio.substitute.cadre.name}", url=url))
    else:
        items.append(QueueItem(label="尚未安排缺位互补人", url=url, level="warning"))
    covering: dict[tuple, list] = {}  # the areas of one absent lead, answered for the same reason, in one line
    for r in portfolio.covering_now:
        covering.setdefault((r.lead.pk if r.lead else None, r.reason), []).append(r)
    for group in covering.values():
        first = group[0]
        items.append(
            QueueItem(
                label=f"今日代为负责：{'、'.join(r.area.name for r in group)}",
                url=url,
                detail=f"{first.reason_label}；{'；'.join(first.absences)}",
                level="warning",
            )
        )
    if portfolio.leave_now is not None:
        leave = portfolio.leave_now
        items.append(
            QueueItem(
                label=f"请假中（{leave.starts_on:%m月%d日}至{leave.ends_on:%m月%d日}）", url=url, detail=leave.reason
            )
        )
    year, quarter = quarter_of(today)
    due_on = quarter_last_day(year, quarter)
    reported = next((r for r in portfolio.reports if (r.year, r.quarter) == (year, quarter)), None)
    if reported is not None:
        items.append(
            QueueItem(
                label=f"{year}年第{quarter}季度工作报告", url=url, detail=f"已于{reported.reported_on:%m月%d日}报告"
            )
        )
    else:
        days_left = (due_on - today).days
        items.append(
            QueueItem(
                label=f"{year}年第{quarter}季度工作报告未报告",
                url=url,
                detail=f"请于{due_on:%m月%d日}前向常委会报告分管领域工作（还有{days_left}天）",
                level="warning" if days_left <= _reminder_days() else "",
            )
        )
    return QueueSection(title="我的分工", items=items, more_url=url, order=6)


def _problems_section(term: Term, today: date) -> QueueSection:
    """What 组织科 should fix: the plan in force and its coverage, standing members without a substitute,
    and, near the quarter's end, the reports still missing."""
    items = []
    plan = plan_in_force(term=term, on=today)
    if plan is None:
        items.append(
            QueueItem(
                label="没有生效的常委分工",
                url=reverse("committees:portfolio"),
                detail=f"{term}尚无生效的分工方案",
                level="danger",
            )
        )
    else:
        plan_url = reverse("committees:plan_detail", args=[plan.pk])
        for problem in plan_coverage(plan, on=today).problems():
            items.append(QueueItem(label=problem, url=plan_url, detail=f"常委分工第{plan.version}版", level="danger"))
    members = standing_members(term=term, on=today)
    arrangements = substitute_arrangements(term=term, on=today)
    serving = {m.pk for m in members}
    for member in members:
        arrangement = arrangements.get(member.pk)
        if arrangement is None:
            label = f"{member.cadre.name}未安排缺位互补人"
        elif arrangement.substitute_id not in serving:
            label = f"{member.cadre.name}的补位人{arrangement.substitute.cadre.name}已不在常委岗位"
        else:
            continue
        items.append(
            QueueItem(label=label, url=reverse("committees:substitute_edit", args=[member.pk]), level="warning")
        )
    year, quarter = quarter_of(today)
    due_on = quarter_last_day(year, quarter)
    if (due_on - today).days <= _reminder_days():
        reported = set(
            QuarterlyReport.objects.filter(member__term=term, year=year, quarter=quarter).values_list(
                "member_id", flat=True
            )
        )
        missing = [m for m in members if m.pk not in reported]
        if missing:
            items.append(
                QueueItem(
                    label=f"{year}年第{quarter}季度尚有{len(missing)}名常委未报告工作",
                    url=reverse("committees:report_list"),
                    detail="、".join(m.cadre.name for m in missing),
                    level="warning",
                )
            )
    return QueueSection(
        title="常委分工与缺位互补",
        items=items,
        empty_text="分工无空挡、无重叠，常委均已安排缺位互补",
        more_url=reverse("committees:substitute_list"),
        order=20,
    )
