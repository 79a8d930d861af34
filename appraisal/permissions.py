"""Who sees what of an appraisal: 考核办 staff (and 部领导, who hold the view permissions) see everything; a voter
sees only their own ballots; an appraised cadre sees only their own result, and only once it is published."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import AppraisalCycle, AppraisalResult, Ballot, GroupMember, Voter

PUBLISHED = (AppraisalCycle.Status.PUBLISHED, AppraisalCycle.Status.ARCHIVED)


def sees_all_ballots(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("appraisal.view_ballot"))


def sees_all_results(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("appraisal.view_appraisalresult"))


def ballots_visible_to(user, *, cycle: AppraisalCycle | None = None):
    """Every ballot for staff; for anyone else the ballots they cast themselves online or on paper in their name."""
    ballots = Ballot.objects.select_related("voter__voter_group", "member__cadre", "member__unit")
    if cycle is not None:
        ballots = ballots.filter(voter__cycle=cycle)
    if sees_all_ballots(user):
        return ballots
    if not getattr(user, "is_authenticated", False):
        return ballots.none()
    return ballots.filter(voter__user=user)


def access_ballot(user, pk) -> Ballot:
    try:
        return ballots_visible_to(user).prefetch_related("lines__element").get(pk=pk)
    except Ballot.DoesNotExist:
        raise Http404 from None


def results_visible_to(user, *, cycle: AppraisalCycle | None = None):
    """Every result for staff; for an appraised cadre their own results of published cycles, nothing else."""
    results = AppraisalResult.objects.select_related("member__group", "member__cycle", "member__cadre", "member__unit")
    if cycle is not None:
        results = results.filter(member__cycle=cycle)
    if sees_all_results(user):
        return results
    if not getattr(user, "is_authenticated", False):
        return results.none()
    return results.filter(member__cadre__user=user, member__cycle__status__in=PUBLISHED)


def access_result(user, pk) -> AppraisalResult:
    try:
        return results_visible_to(user).get(pk=pk)
    except AppraisalResult.DoesNotExist:
        raise Http404 from None


def own_result(user, cycle: AppraisalCycle) -> AppraisalResult | None:
    """The request user's own result in `cycle` once published (None before, or when not appraised)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        AppraisalResult.objects.select_related("member__group", "member__cycle")
        .filter(member__cycle=cycle, member__cadre__user=user, member__cycle__status__in=PUBLISHED)
        .first()
    )


def voter_of(user, cycle: AppraisalCycle) -> Voter | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Voter.objects.filter(cycle=cycle, user=user).select_related("voter_group").first()


def members_to_evaluate(user, cycle: AppraisalCycle):
    """The people the user is to evaluate in `cycle` (those of the groups in their scope); PermissionDenied for a
    user who is not a voter of the cycle."""
    voter = voter_of(user, cycle)
    if voter is None:
        raise PermissionDenied
    return voter_members(voter)


def voter_members(voter: Voter):
    """The people of the groups in the voter's scope, but for the voter themself: nobody evaluates themselves."""
    members = GroupMember.objects.filter(group__in=voter.scope.all())
    if voter.user_id is not None:
        members = members.exclude(cadre__user_id=voter.user_id)
    return members.select_related("group", "cadre", "unit")
