"""Indicator scores entered many at a time: a group's table on the score page, or a cycle's spreadsheet.

All or nothing, with the rules of the one-score service (score_enter, below): the cycle in evaluation or scoring,
the person and the indicator in the same group, a score from 0 to the indicator's full marks with at most two
decimals. A score equal to the one stored is left alone; the others are written in one upsert, each change audited
as a single score is ("appraisal_score.entered", on the cadre or the unit), in one insert.

The reads are fixed whatever the number of cells: the cycle's lock, the people, the indicators, the stored scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.imports import audit_log_many

from ..models import AppraisalCycle, AppraisalGroup, GroupMember, Indicator, IndicatorScore
from .common import Status, fmt, lock_cycle, parse_decimal, require_status

DOING = "录入指标得分"


@dataclass(frozen=True)
class ScoreChange:
    member: GroupMember
    indicator: Indicator
    before: Decimal | None
    score: Decimal


def check_score(indicator: Indicator, score) -> Decimal:
    """The score of one cell: 0 to the indicator's full marks, at most two decimals; refused in Chinese."""
    return parse_decimal(score, field="score", what=f"“{indicator.name}”得分", maximum=indicator.max_score)


def _pk(value) -> int:
    return getattr(value, "pk", value)


def _triples(entries) -> list[tuple]:
    if isinstance(entries, dict):
        return [(member, indicator, score) for (member, indicator), score in entries.items()]
    return list(entries)


def _refusal(cells: dict[tuple[int, int], str]) -> ApplicationError:
    """The first refusal as the message; every refused cell, keyed (member pk, indicator pk), in extra["cells"]."""
    return ApplicationError(next(iter(cells.values())), field="score", extra={"cells": cells})


def _enter(cycle: AppraisalCycle, scope: dict, entries, actor, details: dict | None) -> list[ScoreChange]:
    """`scope`: the group or the cycle as a filter on GroupMember ({"group_id": …} or {"cycle_id": …})."""
    require_status(cycle, Status.EVALUATION, Status.SCORING, doing=DOING)
    members = {m.pk: m for m in GroupMember.objects.filter(**scope).select_related("cadre", "unit")}
    on_groups = {"group_id": scope["group_id"]} if "group_id" in scope else {"group__cycle_id": scope["cycle_id"]}
    indicators = {i.pk: i for i in Indicator.objects.filter(**on_groups).select_related("group")}
    stored = {
        (s.member_id, s.indicator_id): s.score
        for s in IndicatorScore.objects.filter(**{f"member__{k}": v for k, v in scope.items()})
    }
    refused: dict[tuple[int, int], str] = {}
    seen: set[tuple[int, int]] = set()
    changes: list[ScoreChange] = []
    for given_member, given_indicator, value in _triples(entries):
        key = (_pk(given_member), _pk(given_indicator))
        member, indicator = members.get(key[0]), indicators.get(key[1])
        if member is None or indicator is None or member.group_id != indicator.group_id:
            # a cell from another group (or cycle): only a caller's slip, so the names may cost a query or two
            member = member or GroupMember.objects.select_related("cadre", "unit").filter(pk=key[0]).first()
            indicator = indicator or Indicator.objects.select_related("group").filter(pk=key[1]).first()
            if member is None or indicator is None:
                refused[key] = "考核对象或考核指标不存在"
                continue
            refused[key] = f"{member.label}不在“{indicator.group.name}”中，不能录入指标“{indicator.name}”的得分"
            continue
        if key in seen:
            # one upsert cannot write a row twice; and which of the two was meant is not for us to choose
            refused.setdefault(key, f"{member.label}的“{indicator.name}”得分填写了两次")
            continue
        seen.add(key)
        try:
            score = check_score(indicator, value)
        except ApplicationError as exc:
            refused[key] = exc.message
            continue
        before = stored.get(key)
        if before != score:
            changes.append(ScoreChange(member, indicator, before, score))
    if refused:
        raise _refusal(refused)
    if not changes:
        return []
    IndicatorScore.objects.bulk_create(
        [IndicatorScore(indicator=c.indicator, member=c.member, score=c.score, entered_by=actor) for c in changes],
        update_conflicts=True,
        unique_fields=["indicator", "member"],
        update_fields=["score", "entered_by", "entered_at"],
        batch_size=1000,
    )
    audit_log_many(
        actor=actor,
        action="appraisal_score.entered",
        entries=[
            (
                c.member.cadre or c.member.unit,
                {
                    "cycle": cycle.pk,
                    "indicator": c.indicator.name,
                    "score": [fmt(c.before), fmt(c.score)],
                    **(details or {}),
                },
            )
            for c in changes
        ],
    )
    return changes


@transaction.atomic
def scores_enter(*, group: AppraisalGroup, entries, actor, details: dict | None = None) -> list[ScoreChange]:
    """A group's scores: `entries` are (member, indicator, score) triples or {(member, indicator): score}, members
    and indicators as objects or pks. Returns the scores changed (new or different). Any refused cell writes
    nothing: the ApplicationError names the first and carries every refused cell in extra["cells"]."""
    cycle = lock_cycle(AppraisalCycle(pk=group.cycle_id))
    return _enter(cycle, {"group_id": group.pk}, entries, actor, details)


@transaction.atomic
def cycle_scores_enter(*, cycle: AppraisalCycle, entries, actor, details: dict | None = None) -> list[ScoreChange]:
    """As scores_enter, for people and indicators of every group of the cycle (the spreadsheet import)."""
    cycle = lock_cycle(cycle)
    return _enter(cycle, {"cycle_id": cycle.pk}, entries, actor, details)


@transaction.atomic
def score_enter(*, indicator: Indicator, member: GroupMember, score, actor) -> IndicatorScore:
    """A person's score on an indicator (0 to the indicator's full marks), while evaluation is open or in scoring;
    entering it again replaces it."""
    cycle = lock_cycle(indicator.group.cycle)
    require_status(cycle, Status.EVALUATION, Status.SCORING, doing="录入指标得分")
    if member.group_id != indicator.group_id:
        raise ApplicationError(f"{member.label}不在“{indicator.group.name}”中，不能录入指标“{indicator.name}”的得分")
    score = check_score(indicator, score)
    existing = IndicatorScore.objects.filter(indicator=indicator, member=member).first()
    if existing is not None and existing.score == score:
        return existing
    before = existing.score if existing else None
    entry, _created = IndicatorScore.objects.update_or_create(
        indicator=indicator, member=member, defaults={"score": score, "entered_by": actor}
    )
    audit_log(
        actor=actor,
        action="appraisal_score.entered",
        obj=member.cadre or member.unit,
        details={"cycle": cycle.pk, "indicator": indicator.name, "score": [fmt(before), fmt(score)]},
    )
    return entry
