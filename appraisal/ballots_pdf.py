"""The democratic evaluation on paper: the blank ballot (民主测评表) of a voter group, or of one named paper voter,
which the office prints for those who vote on paper; and a voter's own ballots as cast (本人测评记录).

A short scale (up to 10) is printed as tick boxes from the top of the scale down to 0; a longer one as a box in
which the voter writes the mark, since the office enters the marks as numbers either way.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from cadres.proposal_pdf import department_name
from orgdept.core.pdf import render_pdf

from .models import AppraisalCycle, AppraisalGroup, Ballot, GroupMember, Voter, VoterGroup
from .services.common import fmt
from .summary_pdf import cn_date

BLANK_TITLE = "民主测评表"
OWN_TITLE = "民主测评记录"
TICK_SCALE = 10  # the longest scale printed as tick boxes


def _elements(cycle: AppraisalCycle) -> list[dict]:
    return [
        {
            "name": e.name,
            "weight": fmt(e.weight),
            "scale": e.scale_max,
            "ticks": list(range(e.scale_max, -1, -1)) if e.scale_max <= TICK_SCALE else None,
        }
        for e in cycle.elements.all()
    ]


def _person(member: GroupMember) -> dict:
    cadre = member.cadre
    return {
        "name": member.label,
        "group": member.group.name,
        "unit": cadre.unit.name if cadre else member.unit.name,
        "post": cadre.current_post if cadre else "",
    }


def ballot_groups(voter_group: VoterGroup, voter: Voter | None = None) -> list[AppraisalGroup]:
    """The groups a paper ballot lists: the named voter's scope; for a voter group, every group one of its voters
    evaluates, or every group of the cycle while the voter group has no voter yet."""
    if voter is not None:
        return list(voter.scope.order_by("order", "pk"))
    groups = AppraisalGroup.objects.filter(voters__voter_group=voter_group).distinct().order_by("order", "pk")
    return list(groups) or list(voter_group.cycle.groups.order_by("order", "pk"))


def blank_ballot_document(voter_group: VoterGroup, *, on: date, voter: Voter | None = None) -> dict:
    cycle = voter_group.cycle
    groups = ballot_groups(voter_group, voter)
    members = (
        GroupMember.objects.filter(group__in=groups)
        .select_related("group", "cadre__unit", "unit")
        .order_by("group__order", "group_id", "pk")
    )
    return {
        "title": BLANK_TITLE,
        "cycle": cycle,
        "voter_group": voter_group,
        "voter": voter,
        "elements": _elements(cycle),
        "people": [_person(m) for m in members],
        "groups": "、".join(g.name for g in groups),
        "department": department_name(),
        "printed": cn_date(on),
    }


def render_blank_ballot_pdf(voter_group: VoterGroup, *, on: date, voter: Voter | None = None) -> tuple[bytes, str]:
    """(PDF bytes, file name) of the paper ballot of a voter group (or of one paper voter, named on it)."""
    context = blank_ballot_document(voter_group, on=on, voter=voter)
    who = f"（{voter.name}）" if voter is not None else f"（{voter_group.code}类）"
    return render_pdf("appraisal/pdf/ballot_blank.html", context), f"{voter_group.cycle}{BLANK_TITLE}{who}.pdf"


def own_ballots_document(voter: Voter, *, on: date) -> dict:
    """The voter's ballots of one cycle, a row per person: the mark per element, the total; then who is left."""
    cycle = voter.cycle
    elements = list(cycle.elements.all())
    ballots = list(
        Ballot.objects.filter(voter=voter)
        .select_related("member__group", "member__cadre__unit", "member__unit")
        .prefetch_related("lines")
        .order_by("member__group__order", "member__group_id", "member_id")
    )
    rows = []
    for number, ballot in enumerate(ballots, start=1):
        marks = {line.element_id: line.score for line in ballot.lines.all()}
        rows.append(
            {
                "number": number,
                **_person(ballot.member),
                "marks": [fmt(marks[e.pk]) if e.pk in marks else "—" for e in elements],
                "total": fmt(ballot.total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
                "how": "纸质" if ballot.paper else "网上",
                "at": f"{timezone.localtime(ballot.created_at):%Y.%m.%d}",
            }
        )
    cast = {b.member_id for b in ballots}
    waiting = (
        GroupMember.objects.filter(group__in=voter.scope.all())
        .exclude(pk__in=cast)
        .select_related("cadre", "unit")
        .order_by("group__order", "group_id", "pk")
    )
    return {
        "title": OWN_TITLE,
        "cycle": cycle,
        "voter": voter,
        "voter_group": voter.voter_group,
        "elements": [{"name": e.name, "weight": fmt(e.weight), "scale": e.scale_max} for e in elements],
        "rows": rows,
        "waiting": "、".join(m.label for m in waiting),
        "department": department_name(),
        "printed": cn_date(on),
    }


def render_own_ballots_pdf(voter: Voter, *, on: date) -> tuple[bytes, str]:
    """(PDF bytes, file name) of the voter's own ballots in the voter's cycle."""
    context = own_ballots_document(voter, on=on)
    return render_pdf("appraisal/pdf/ballots_own.html", context), f"{voter.cycle}{voter.name}{OWN_TITLE}.pdf"
