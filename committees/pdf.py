"""The printable 分工 table of a portfolio plan: a document kind of the committees app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from orgdept.core.documents import DocumentKind, register_document_kind
from orgdept.core.exceptions import ApplicationError
from orgdept.core.pdf import render_pdf

from .models import PortfolioAssignment, PortfolioPlan, TermMember, WorkArea
from .selectors import plan_coverage, substitute_arrangements
from .services.terms import role_label

KIND = "portfolio_table"
PRESIDES = "主持区委全面工作"


@dataclass
class PortfolioRow:
    member: TermMember
    post_lines: list[str]
    leads: list[WorkArea] = field(default_factory=list)
    assists: list[WorkArea] = field(default_factory=list)
    substitute: TermMember | None = None
    presides: bool = False


def table_date(plan: PortfolioPlan, today: date | None = None) -> date:
    """The day the table describes: the plan's first day in force, or today for a draft."""
    return plan.effective_from if plan.effective_from else (today or timezone.localdate())


def post_lines(member: TermMember) -> list[str]:
    """The 职务 column: the posts held (current, then the concurrent government post), preceded by the
    committee title (书记, 副书记, 常委) when the posts do not already say it."""
    label = role_label(member.role)
    current = member.cadre.current_post.strip()
    concurrent = member.concurrent_post.strip()
    lines = [current] if current else []
    if concurrent and concurrent not in current:
        lines.append(concurrent)
    if not any(label in line for line in lines):
        lines.insert(0, f"{label}（专职）" if member.full_time_deputy else label)
    return lines


def portfolio_rows(plan: PortfolioPlan, on: date) -> list[PortfolioRow]:
    """One row per standing member of the plan on `on`, in statutory order, with the areas led and assisted
    and the substitute in force that day."""
    coverage = plan_coverage(plan, on=on)
    substitutes = substitute_arrangements(term=plan.term, on=on)
    rows = {m.pk: PortfolioRow(member=m, post_lines=post_lines(m)) for m in coverage.members}
    for area_coverage in coverage.areas:
        for member in area_coverage.leads:
            rows[member.pk].leads.append(area_coverage.area)
        for member in area_coverage.assisting:
            rows[member.pk].assists.append(area_coverage.area)
    result = []
    for row in rows.values():
        if not (row.leads or row.assists or row.member.serves_on(on)):
            continue  # joined the term after the day the table describes
        arrangement = substitutes.get(row.member.pk)
        row.substitute = arrangement.substitute if arrangement else None
        row.presides = row.member.role == TermMember.Role.SECRETARY and not row.leads
        result.append(row)
    return result


def render_portfolio_table(document) -> tuple[bytes, str]:
    plan = (
        PortfolioPlan.objects.select_related("term", "term__committee").filter(pk=document.params.get("plan")).first()
    )
    if plan is None:
        raise ApplicationError("该版本分工已不存在（草稿可能已被废弃），无法生成分工表")
    on = table_date(plan)
    committee = plan.term.committee
    title = f"{committee.name}常委分工"
    context = {
        "title": title,
        "plan": plan,
        "committee": committee,
        "on": on,
        "rows": portfolio_rows(plan, on),
        "printed": timezone.localdate(),
        "presides": PRESIDES,
        "lead_kind": PortfolioAssignment.Kind.LEAD,
    }
    pdf = render_pdf("committees/pdf/portfolio_table.html", context)
    name = committee.short_name or committee.name
    suffix = "草稿" if plan.is_draft else f"{on:%Y%m%d}起施行"
    return pdf, f"{name}第{plan.term.number}届常委分工第{plan.version}版（{suffix}）.pdf"


def may_request_portfolio_table(user, params) -> bool:
    return user.has_perm("committees.view_portfolioplan")


def register() -> None:
    register_document_kind(
        DocumentKind(
            name=KIND,
            label="常委分工表",
            render=render_portfolio_table,
            may_request=may_request_portfolio_table,
        )
    )
