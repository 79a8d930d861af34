"""The result documents of a cycle besides the group summary: one person's result sheet (年度考核结果反馈表: the
indicator scores, the democratic evaluation by voter group and by element, the final score, the place in the group,
the rating and what follows from it) and the unit report (单位考核情况报告: per unit its people, the count per
rating, the 优秀 share against the quota, the rating of its leadership team).

The figures are those the results hold (two places); the lines that explain them are worked out again here from
the scores and ballots with the rules of `services.ratings`, so that they add up to the stored figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cadres.models import Unit
from cadres.proposal_pdf import department_name
from orgdept.core.pdf import render_pdf

from .models import AppraisalCycle, AppraisalResult, BallotLine, GroupMember, IndicatorScore, Rating
from .permissions import PUBLISHED
from .selectors import consequences
from .services.common import HUNDRED, excellent_percent, excellent_quota, fmt
from .services.ratings import evaluation_score
from .summary_pdf import cn_date

SHEET_TITLE = "年度考核结果反馈表"
UNIT_TITLE = "单位考核情况报告"
TWO = Decimal("0.01")
ONE = Decimal("0.1")


def _two(value: Decimal) -> str:
    return fmt(value.quantize(TWO, rounding=ROUND_HALF_UP))


def _rating_words(result: AppraisalResult | None, member: GroupMember) -> str:
    if result is None:
        return "尚未计算"
    if member.cadre_id:
        return result.get_rating_display() if result.rating else "尚未评定"
    return result.get_team_rating_display() if result.team_rating else "尚未评定"


# ---------------------------------------------------------------- the result sheet


def _indicator_lines(member: GroupMember) -> list[dict]:
    """Per indicator of the group: the score out of full marks and its weighted part (score / full × weight)."""
    scores = {s.indicator_id: s.score for s in IndicatorScore.objects.filter(member=member)}
    lines = []
    for indicator in member.group.indicators.all():
        score = scores.get(indicator.pk)
        lines.append(
            {
                "name": indicator.name,
                "kind": indicator.get_kind_display(),
                "weight": fmt(indicator.weight),
                "max": fmt(indicator.max_score),
                "score": fmt(score) if score is not None else "—",
                "part": _two(score / indicator.max_score * indicator.weight) if score is not None else "—",
            }
        )
    return lines


# Ballots are real-name: an average of fewer ballots than this would tell the appraised person how a known voter
# (say the one leader in group A) marked them, so it is not printed on its own.
FEWEST_BALLOTS_SHOWN = 3


def _group_average(cast: list[Decimal]) -> str:
    if not cast:
        return "—"
    if len(cast) < FEWEST_BALLOTS_SHOWN:
        return "不列示"
    return _two(sum(cast, Decimal("0")) / len(cast))


def _evaluation(member: GroupMember, cycle: AppraisalCycle) -> dict:
    """Per voter group the number of ballots and their plain average; per element the average weighted by the voter
    groups as the score is (a group without ballots left out), with its part of the 100 (average / scale top ×
    weight). Two queries."""
    voter_groups = list(cycle.voter_groups.all())
    weights = {vg.pk: vg.weight for vg in voter_groups}
    elements = list(cycle.elements.all())
    rows = BallotLine.objects.filter(ballot__member=member).values_list(
        "ballot_id", "ballot__voter__voter_group_id", "ballot__total", "element_id", "score"
    )
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)  # voter group → ballot → total
    marks: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)  # element → (voter group, mark)
    for ballot_pk, group_pk, total, element_pk, score in rows:
        totals[group_pk][ballot_pk] = total
        marks[element_pk].append((group_pk, score))
    voting_weight = sum((weights[g] for g in totals), Decimal("0"))
    groups = []
    for vg in voter_groups:
        cast = list(totals.get(vg.pk, {}).values())
        groups.append(
            {
                "name": str(vg),
                "weight": fmt(vg.weight),
                # a group without ballots is left out and the others' weights are scaled up to 100
                "counted": _two(vg.weight / voting_weight * HUNDRED) if cast else "不计入",
                "ballots": len(cast),
                "average": _group_average(cast),
            }
        )
    element_lines = []
    ballots = sum(len(t) for t in totals.values())
    for element in elements:
        # per element too: with fewer ballots in all than the least shown, the averages are one or two voters' marks
        average = evaluation_score(marks.get(element.pk, []), weights) if ballots >= FEWEST_BALLOTS_SHOWN else None
        element_lines.append(
            {
                "name": element.name,
                "weight": fmt(element.weight),
                "scale": element.scale_max,
                "average": _two(average) if average is not None else "—",
                "part": _two(average / element.scale_max * element.weight) if average is not None else "—",
            }
        )
    return {"groups": groups, "elements": element_lines, "ballots": ballots}


def _consequences_of(member: GroupMember, cycle: AppraisalCycle) -> list[str] | None:
    """What follows from the year's published appraisal for the cadre (None while the cycle is not published)."""
    if cycle.status not in PUBLISHED or not member.cadre_id:
        return None
    return [f"{c.action}（{c.rule}）" for c in consequences(cycle.year) if c.cadre.pk == member.cadre_id]


def result_sheet_document(result: AppraisalResult, *, on: date) -> dict:
    member = (
        GroupMember.objects.select_related("group", "cycle", "cadre__unit", "unit")
        .prefetch_related("group__indicators")
        .get(pk=result.member_id)
    )
    cycle, group = member.cycle, member.group
    size = group.members.count()
    evaluation = _evaluation(member, cycle)
    shows_evaluation = cycle.evaluation_weight > 0 or evaluation["ballots"] > 0
    evaluation_part = fmt(result.evaluation_score) if result.evaluation_score is not None else "—"
    formula = f"{fmt(result.indicator_score)} × {fmt(cycle.indicator_weight)}%"
    if result.evaluation_score is not None:
        formula += f" + {evaluation_part} × {fmt(cycle.evaluation_weight)}%"
    formula += f" = {fmt(result.final_score)}"
    rating = _rating_words(result, member)
    if member.cadre_id and not result.rating and result.proposed_rating:
        rating = f"{rating}（建议等次：{result.get_proposed_rating_display()}）"
    cadre = member.cadre
    return {
        "title": SHEET_TITLE,
        "cycle": cycle,
        "published": cycle.status in PUBLISHED,
        "name": member.label,
        "team": cadre is None,
        "unit": cadre.unit.name if cadre else member.unit.name,
        "post": (cadre.current_post if cadre else "") or "—",
        "group": group.name,
        "indicators": _indicator_lines(member),
        "indicator_score": fmt(result.indicator_score),
        "shows_evaluation": shows_evaluation,
        "evaluation": evaluation,
        "fewest_shown": FEWEST_BALLOTS_SHOWN,
        "evaluation_score": evaluation_part,
        "final_score": fmt(result.final_score),
        "formula": formula,
        "rank": f"第{result.rank}名（共{size}人）",
        "evaluation_rank": f"第{result.evaluation_rank}名（共{size}人）" if result.evaluation_rank else "—",
        "rating": rating,
        "note": result.note,
        "consequences": _consequences_of(member, cycle),
        "department": department_name(),
        "printed": cn_date(on),
    }


def render_result_sheet_pdf(result: AppraisalResult, *, on: date) -> tuple[bytes, str]:
    """(PDF bytes, file name) of one person's (or team's) result sheet as of `on`."""
    context = result_sheet_document(result, on=on)
    filename = f"{context['cycle']}{context['name']}{SHEET_TITLE}（{on:%Y%m%d}）.pdf"
    return render_pdf("appraisal/pdf/result_sheet.html", context), filename


# ---------------------------------------------------------------- the unit report


@dataclass
class UnitSection:
    unit: Unit
    people: list[dict] = field(default_factory=list)
    team: dict | None = None
    counts: dict[str, int] = field(default_factory=dict)
    unrated: int = 0
    excellent_share: str = ""
    quota: int = 0
    over_quota: bool = False


def _members(cycle: AppraisalCycle) -> list[GroupMember]:
    return list(
        GroupMember.objects.filter(cycle=cycle)
        .select_related("group", "cadre__unit", "unit", "result")
        .order_by("group__order", "group_id", "result__rank", "pk")
    )


def _result_of(member: GroupMember) -> AppraisalResult | None:
    try:
        return member.result
    except AppraisalResult.DoesNotExist:
        return None


def unit_sections(cycle: AppraisalCycle) -> list[UnitSection]:
    """Per unit of the cycle (in the units' order): its appraised people by group and place, the number per rating,
    the 优秀 share against the quota of its size (the setting's percent, rounded down — the quota is enforced per
    group, so a unit may be above it), and its leadership team's result. Two queries."""
    members = _members(cycle)
    sizes: dict[int, int] = defaultdict(int)
    for member in members:
        sizes[member.group_id] += 1
    sections: dict[int, UnitSection] = {}
    for member in members:
        unit = member.cadre.unit if member.cadre_id else member.unit
        section = sections.setdefault(unit.pk, UnitSection(unit))
        result = _result_of(member)
        row = {
            "group": member.group.name,
            "name": member.label,
            "post": member.cadre.current_post if member.cadre_id else "",
            "indicator": fmt(result.indicator_score) if result else "—",
            "evaluation": fmt(result.evaluation_score) if result and result.evaluation_score is not None else "—",
            "final": fmt(result.final_score) if result else "—",
            "rank": f"{result.rank}/{sizes[member.group_id]}" if result else "—",
            "rating": _rating_words(result, member),
        }
        if member.cadre_id:
            section.people.append(row)
            if result is not None and result.rating:
                section.counts[result.rating] = section.counts.get(result.rating, 0) + 1
            else:
                section.unrated += 1
        else:
            section.team = row
    percent = excellent_percent()
    for section in sections.values():
        size = len(section.people)
        excellent = section.counts.get(Rating.EXCELLENT, 0)
        section.quota = excellent_quota(size, percent)
        section.over_quota = excellent > section.quota
        share = Decimal(excellent) * HUNDRED / size if size else Decimal("0")
        section.excellent_share = fmt(share.quantize(ONE, rounding=ROUND_HALF_UP))
    return sorted(sections.values(), key=lambda s: (s.unit.order, s.unit.name, s.unit.pk))


def units_of(cycle: AppraisalCycle) -> set[int]:
    """The pks of the units with somebody (or their team) appraised in the cycle."""
    members = GroupMember.objects.filter(cycle=cycle)
    return set(members.filter(cadre__isnull=False).values_list("cadre__unit_id", flat=True)) | set(
        members.filter(unit__isnull=False).values_list("unit_id", flat=True)
    )


def _tally(section: UnitSection) -> list[dict]:
    return [{"rating": label, "count": section.counts.get(value, 0)} for value, label in Rating.choices]


def unit_report_document(cycle: AppraisalCycle, *, on: date, unit: Unit | None = None) -> dict:
    sections = unit_sections(cycle)
    if unit is not None:
        sections = [s for s in sections if s.unit.pk == unit.pk]
    entries = [{"section": s, "tally": _tally(s), "size": len(s.people)} for s in sections]
    return {
        "title": UNIT_TITLE,
        "cycle": cycle,
        "published": cycle.status in PUBLISHED,
        "entries": entries,
        "overview": unit is None,
        "ratings": [label for _value, label in Rating.choices],
        "percent": excellent_percent(),
        "department": department_name(),
        "printed": cn_date(on),
    }


def render_unit_report_pdf(cycle: AppraisalCycle, *, on: date, unit: Unit | None = None) -> tuple[bytes, str]:
    """(PDF bytes, file name) of the report on every unit of the cycle, or on `unit` alone."""
    context = unit_report_document(cycle, on=on, unit=unit)
    who = unit.name if unit is not None else ""
    return render_pdf("appraisal/pdf/unit_report.html", context), f"{cycle}{who}{UNIT_TITLE}（{on:%Y%m%d}）.pdf"
