"""What the home page and the navigation show people who hold no appraisal role: a voter their ballots still to
fill in, an appraised cadre their published results."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse

from orgdept.core.shell import QueueItem, QueueSection

from .models import AppraisalCycle, AppraisalResult, Voter
from .permissions import PUBLISHED, voter_members


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _entries(user) -> tuple[bool, bool]:
    """(votes in an appraisal, has a published result of their own): one query, kept on the user object for the
    rest of the request since the navigation asks on every page."""
    cached = getattr(user, "_appraisal_entries", None)
    if cached is None:
        cached = (False, False)
        if _signed_in(user):
            row = (
                get_user_model()
                .objects.filter(pk=user.pk)
                .annotate(
                    votes=Exists(Voter.objects.filter(user=OuterRef("pk"))),
                    results=Exists(
                        AppraisalResult.objects.filter(
                            member__cadre__user=OuterRef("pk"), member__cycle__status__in=PUBLISHED
                        )
                    ),
                )
                .values_list("votes", "results")
                .first()
            )
            cached = tuple(row) if row else cached
        user._appraisal_entries = cached
    return cached


def is_voter(user) -> bool:
    return _entries(user)[0]


def has_own_results(user) -> bool:
    return _entries(user)[1]


def appraisal_sections(user) -> list[QueueSection]:
    """Ballots still to fill in while an evaluation is open (one line per cycle, with how many people are left)
    and the user's own results once published."""
    if not _signed_in(user):
        return []
    sections = []
    voters = Voter.objects.filter(user=user, cycle__status=AppraisalCycle.Status.EVALUATION).select_related("cycle")
    items = []
    for voter in voters.annotate(cast=Count("ballots", distinct=True)).order_by("-cycle__year", "cycle__scope"):
        to_evaluate = voter_members(voter).count()
        left = to_evaluate - voter.cast
        if left > 0:
            items.append(
                QueueItem(
                    label=str(voter.cycle),
                    url=reverse("appraisal:my_ballots"),
                    detail=f"尚有{left}人未测评（共{to_evaluate}人）",
                    level="warning",
                )
            )
    if items:
        sections.append(QueueSection(title="待填写的测评票", items=items, order=40))
    published = (
        # archived cycles stay on the results page, not on the home page
        AppraisalResult.objects.filter(member__cadre__user=user, member__cycle__status=AppraisalCycle.Status.PUBLISHED)
        .select_related("member__cycle")
        .order_by("-member__cycle__year")
    )
    results = [
        QueueItem(label=str(r.member.cycle), url=reverse("appraisal:my_results"), detail="考核结果已公布")
        for r in published[:3]
    ]
    if results:
        sections.append(QueueSection(title="我的年度考核结果", items=results, order=45))
    return sections
