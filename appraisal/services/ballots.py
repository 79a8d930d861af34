"""Indicator scores entered by staff, and the democratic evaluation's real-name ballots: filled online by the voter
(only their own, only while evaluation is open, only on people in their scope) or entered from paper by staff.

One ballot per voter per person: refused here in Chinese and, should two requests race, by the database.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError

from ..models import Ballot, BallotLine, GroupMember, Indicator, IndicatorScore, Voter
from .common import Status, fmt, lock_cycle, parse_decimal, require_status


@transaction.atomic
def score_enter(*, indicator: Indicator, member: GroupMember, score, actor) -> IndicatorScore:
    """A person's score on an indicator (0 to the indicator's full marks), while evaluation is open or in scoring;
    entering it again replaces it."""
    cycle = lock_cycle(indicator.group.cycle)
    require_status(cycle, Status.EVALUATION, Status.SCORING, doing="录入指标得分")
    if member.group_id != indicator.group_id:
        raise ApplicationError(f"{member.label}不在“{indicator.group.name}”中，不能录入指标“{indicator.name}”的得分")
    score = parse_decimal(score, field="score", what=f"“{indicator.name}”得分", maximum=indicator.max_score)
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


def _lines(cycle, scores: dict) -> list[tuple]:
    """(element, score) for every element of the cycle; each score from 0 to the element's scale top."""
    elements = list(cycle.elements.all())
    given = {getattr(k, "pk", k): v for k, v in scores.items()}
    unknown = set(given) - {e.pk for e in elements}
    if unknown:
        raise ApplicationError("测评票中有不属于本次考核的测评要素")
    lines = []
    for element in elements:
        if element.pk not in given:
            raise ApplicationError(f"请为“{element.name}”打分", field=f"element_{element.pk}")
        score = parse_decimal(
            given[element.pk], field=f"element_{element.pk}", what=f"“{element.name}”得分", maximum=element.scale_max
        )
        lines.append((element, score))
    return lines


def ballot_total(lines) -> Decimal:
    """Σ score / scale top × weight: out of 100 when the weights sum to 100; kept to four places."""
    total = sum((score / Decimal(element.scale_max) * element.weight for element, score in lines), Decimal("0"))
    return total.quantize(Decimal("0.0001"))


def _save_ballot(*, voter: Voter, member: GroupMember, scores: dict, paper: bool, actor) -> Ballot:
    cycle = lock_cycle(voter.cycle)
    require_status(cycle, Status.EVALUATION, doing="填写测评票")
    if member.cycle_id != cycle.pk or not voter.scope.filter(pk=member.group_id).exists():
        raise ApplicationError(f"{member.label}不在测评人{voter.name}的测评范围内")
    if Ballot.objects.filter(voter=voter, member=member).exists():
        raise ApplicationError(f"{voter.name}已对{member.label}投过测评票，每人只能投一票")
    lines = _lines(cycle, scores)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                voter=voter, member=member, total=ballot_total(lines), paper=paper, entered_by=actor
            )
    except IntegrityError:
        raise ApplicationError(f"{voter.name}已对{member.label}投过测评票，每人只能投一票") from None
    BallotLine.objects.bulk_create(BallotLine(ballot=ballot, element=e, score=s) for e, s in lines)
    audit_log(
        actor=actor,
        action="appraisal_ballot.entered" if paper else "appraisal_ballot.submitted",
        obj=ballot,
        details={"cycle": cycle.pk, "voter": voter.pk, "member": member.pk, "total": fmt(ballot.total)},
    )
    return ballot


@transaction.atomic
def ballot_submit(*, voter: Voter, member: GroupMember, scores: dict, actor) -> Ballot:
    """The voter's own ballot on one person, filled online: `scores` maps each element (or its pk) to a mark."""
    if voter.user_id is None or actor is None or voter.user_id != actor.pk:
        raise ApplicationError("只能填写本人的测评票")
    return _save_ballot(voter=voter, member=member, scores=scores, paper=False, actor=actor)


@transaction.atomic
def ballot_enter_paper(*, voter: Voter, member: GroupMember, scores: dict, actor) -> Ballot:
    """A named voter's paper ballot, entered by 考核办 staff."""
    if not (actor is not None and actor.has_perm("appraisal.add_ballot")):
        raise ApplicationError("只有考核办工作人员可以录入纸质测评票")
    return _save_ballot(voter=voter, member=member, scores=scores, paper=True, actor=actor)
