"""The democratic evaluation's real-name ballots: filled online by the voter (only their own, only while evaluation is
open, only on people in their scope) or entered from paper by staff.

One ballot per voter per person: refused here in Chinese and, should two requests race, by the database.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError, violated_constraint

from ..models import Ballot, BallotLine, GroupMember, Voter
from .common import Status, fmt, lock_cycle, parse_decimal, require_status

ONE_BALLOT = "appraisal_ballot_one_per_voter_and_person"


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
    if member.cadre_id and voter.user_id and member.cadre.user_id == voter.user_id:
        raise ApplicationError(f"{voter.name}是考核对象本人，不能为自己投测评票")
    lines = _lines(cycle, scores)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                voter=voter, member=member, total=ballot_total(lines), paper=paper, entered_by=actor
            )
    except IntegrityError as exc:
        # only the one-ballot rule is the voter's doing; any other broken constraint is a fault, not a second vote
        if violated_constraint(exc) not in (None, ONE_BALLOT):
            raise
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
    if voter.user_id is not None:
        # a voter with an account fills their ballots themselves; a paper ballot in their name would stand in for it
        raise ApplicationError(f"{voter.name}在网上填写测评票，不能为其录入纸质测评票", field="voter")
    return _save_ballot(voter=voter, member=member, scores=scores, paper=True, actor=actor)
