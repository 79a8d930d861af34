"""Scores, ranks and ratings: the computation of each person's result, the proposed ratings under the 优秀 quota,
the ratings staff set (the quota and the training rule enforced again), team ratings, and publication.

How the numbers are made (all in Decimal, so a hand calculation gives the same figures):
- indicator part = Σ score / full marks × indicator weight (out of 100, the weights summing to 100);
- democratic evaluation = per voter group the plain average of its ballots' totals, then the average of those
  weighted by the voter groups' weights. A voter group with no ballot on the person is left out and the weights
  of the groups that did vote are scaled up to 100 (an empty group neither drags the score to 0 nor blocks it);
  a person with no ballot at all has no evaluation score, which is refused when the evaluation counts;
- final = indicator part × the cycle's indicator weight% + evaluation × its evaluation weight%, from the two parts
  as stored (two places, half up), so the figures shown add up;
- rank within the group by final score, high to low; equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from training.selectors import year_shortfall

from ..models import (
    AppraisalCycle,
    AppraisalGroup,
    AppraisalResult,
    Ballot,
    GroupMember,
    IndicatorScore,
    Rating,
    TeamRating,
)
from .common import (
    HUNDRED,
    TWO_PLACES,
    Status,
    excellent_percent,
    excellent_quota,
    fmt,
    lock_cycle,
    require_status,
)
from .cycles import transition

ZERO = Decimal("0")
PUBLISH_PERMISSION = "appraisal.publish_appraisalcycle"


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def evaluation_score(ballots, voter_group_weights: dict[int, Decimal]) -> Decimal | None:
    """The weighted democratic evaluation score from (voter group pk, ballot total) pairs; None without ballots."""
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for group_pk, total in ballots:
        totals[group_pk].append(Decimal(total))
    if not totals:
        return None
    weighted = sum((sum(t) / len(t) * voter_group_weights[g] for g, t in totals.items()), ZERO)
    return weighted / sum((voter_group_weights[g] for g in totals), ZERO)


def _ranks(values: list[tuple[int, Decimal | None]]) -> dict[int, int | None]:
    """Competition ranks, the highest value first; equal values share a rank; None gets no rank."""
    ranked = sorted(((pk, v) for pk, v in values if v is not None), key=lambda x: -x[1])
    ranks: dict[int, int | None] = {pk: None for pk, v in values if v is None}
    for position, (pk, value) in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        ranks[pk] = ranks[previous[0]] if previous is not None and previous[1] == value else position
    return ranks


def _compute(cycle: AppraisalCycle) -> list[AppraisalResult]:
    weights = {g.pk: g.weight for g in cycle.voter_groups.all()}
    w1, w2 = cycle.indicator_weight, cycle.evaluation_weight
    results = []
    for group in cycle.groups.prefetch_related("indicators", "members__cadre", "members__unit"):
        members = list(group.members.all())
        indicators = list(group.indicators.all())
        scores = {(s.member_id, s.indicator_id): s.score for s in IndicatorScore.objects.filter(member__group=group)}
        ballots = defaultdict(list)
        for member_pk, group_pk, total in Ballot.objects.filter(member__group=group).values_list(
            "member_id", "voter__voter_group_id", "total"
        ):
            ballots[member_pk].append((group_pk, total))
        figures = {}
        for member in members:
            part = ZERO
            for indicator in indicators:
                score = scores.get((member.pk, indicator.pk))
                if score is None:
                    raise ApplicationError(f"{member.label}还没有“{indicator.name}”的得分（{group.name}）")
                part += score / indicator.max_score * indicator.weight
            evaluation = evaluation_score(ballots[member.pk], weights)
            if evaluation is None and w2 > 0:
                raise ApplicationError(f"{member.label}还没有民主测评票（{group.name}），无法计算综合得分")
            part = _round(part)
            evaluation = _round(evaluation) if evaluation is not None else None
            final = _round(part * w1 / HUNDRED + (evaluation or ZERO) * w2 / HUNDRED)
            figures[member.pk] = (part, evaluation, final)
        ranks = _ranks([(pk, f[2]) for pk, f in figures.items()])
        evaluation_ranks = _ranks([(pk, f[1]) for pk, f in figures.items()])
        for member in members:
            part, evaluation, final = figures[member.pk]
            result, _created = AppraisalResult.objects.update_or_create(
                member=member,
                defaults={
                    "indicator_score": part,
                    "evaluation_score": evaluation,
                    "final_score": final,
                    "rank": ranks[member.pk],
                    "evaluation_rank": evaluation_ranks[member.pk],
                    "proposed_rating": "",
                    "rating": "",
                    "team_rating": "",
                    "note": "",
                    "rated_by": None,
                    "rated_at": None,
                },
            )
            results.append(result)
    return results


def _propose(cycle: AppraisalCycle) -> None:
    """优秀 to the best-ranked people of each individual group, at most the quota, skipping those short of the
    year's training; 称职 to the others. People tied at the quota's edge are all left to staff (称职 proposed, with
    a note), since the quota cannot take them all and the score cannot choose between them."""
    for group in cycle.groups.filter(kind=AppraisalGroup.Kind.INDIVIDUAL):
        results = list(
            AppraisalResult.objects.filter(member__group=group).select_related("member__cadre").order_by("rank", "pk")
        )
        quota = excellent_quota(len(results))
        short = year_shortfall([r.member.cadre for r in results], cycle.year)
        excellent = 0
        by_rank: dict[int, list[AppraisalResult]] = defaultdict(list)
        for result in results:
            result.proposed_rating = Rating.COMPETENT
            by_rank[result.rank].append(result)
        for rank in sorted(by_rank):
            eligible = []
            for result in by_rank[rank]:
                shortfall = short.get(result.member.cadre_id, ZERO)
                if shortfall > 0 and excellent < quota:
                    result.note = f"{cycle.year}年度培训学时尚差{fmt(shortfall)}学时，不能评为优秀"
                else:
                    eligible.append(result)
            if not eligible or excellent >= quota:
                continue
            if excellent + len(eligible) <= quota:
                for result in eligible:
                    result.proposed_rating = Rating.EXCELLENT
                excellent += len(eligible)
            else:
                for result in eligible:
                    result.note = f"与他人并列第{rank}名，优秀名额不足，请人工评定"
                excellent = quota
        AppraisalResult.objects.bulk_update(results, ["proposed_rating", "note"])


@transaction.atomic
def results_compute(*, cycle: AppraisalCycle, actor) -> list[AppraisalResult]:
    """Computes (again) every result of a cycle in scoring; earlier ratings are cleared, as the scores may have
    changed."""
    cycle = lock_cycle(cycle)
    require_status(cycle, Status.SCORING, doing="计算得分")
    results = _compute(cycle)
    audit_log(actor=actor, action="appraisal_cycle.computed", obj=cycle, details={"results": len(results)})
    return results


@transaction.atomic
def cycle_start_rating(*, cycle: AppraisalCycle, actor) -> AppraisalCycle:
    """Scoring → rating: the results computed from the scores as they are, ratings proposed under the quota."""
    cycle = lock_cycle(cycle)
    if cycle.status == Status.RATING:
        return cycle
    require_status(cycle, Status.SCORING, doing="开始评定等次")
    _compute(cycle)
    _propose(cycle)
    return transition(cycle, Status.RATING, actor=actor, action="appraisal_cycle.rating_started", doing="评定等次")


def _group_size(group: AppraisalGroup) -> int:
    return group.members.count()


def _check_excellent(result: AppraisalResult, cycle: AppraisalCycle) -> None:
    """The two rules 优秀 must pass: the group's quota and the year's training."""
    group = result.member.group
    size = _group_size(group)
    quota = excellent_quota(size)
    taken = AppraisalResult.objects.filter(member__group=group, rating=Rating.EXCELLENT).exclude(pk=result.pk).count()
    if taken + 1 > quota:
        raise ApplicationError(
            f"“{group.name}”共{size}人，优秀最多{quota}人（{excellent_percent()}%，向下取整），已有{taken}人评为优秀",
            field="rating",
        )
    cadre = result.member.cadre
    shortfall = year_shortfall([cadre], cycle.year).get(cadre.pk, ZERO)
    if shortfall > 0:
        raise ApplicationError(
            f"{cadre.name}的{cycle.year}年度培训学时尚差{fmt(shortfall)}学时，不能评为优秀", field="rating"
        )


@transaction.atomic
def rating_set(*, result: AppraisalResult, rating: str, actor) -> AppraisalResult:
    """Staff set a person's rating (优秀/称职/基本称职/不称职) while the cycle is in rating."""
    # the cycle's row lock serialises every rating of the cycle: two staff cannot both take the last 优秀 place
    cycle = lock_cycle(result.member.cycle)
    require_status(cycle, Status.RATING, doing="评定等次")
    result = (
        AppraisalResult.objects.select_for_update(of=("self",))
        .select_related("member__group", "member__cadre")
        .get(pk=result.pk)
    )
    if result.member.cadre_id is None:
        raise ApplicationError("领导班子请评定班子等次（好、较好、一般、较差）", field="rating")
    if rating not in Rating.values:
        raise ApplicationError("请选择优秀、称职、基本称职或不称职", field="rating")
    if rating == result.rating and result.rated_by_id is not None:
        return result
    if rating == Rating.EXCELLENT:
        _check_excellent(result, cycle)
    before = result.rating
    result.rating, result.rated_by, result.rated_at = rating, actor, timezone.now()
    result.save(update_fields=["rating", "rated_by", "rated_at", "updated_at"])
    audit_log(
        actor=actor,
        action="appraisal_result.rated",
        obj=result.member.cadre,
        details={"cycle": cycle.pk, "rating": [before, rating], "proposed": result.proposed_rating},
    )
    return result


@transaction.atomic
def ratings_accept_proposed(*, cycle: AppraisalCycle, actor) -> int:
    """Takes the proposed rating as the rating of every person not yet rated; returns how many."""
    cycle = lock_cycle(cycle)
    require_status(cycle, Status.RATING, doing="评定等次")
    count = 0
    pending = AppraisalResult.objects.filter(member__cycle=cycle, member__cadre__isnull=False, rating="").exclude(
        proposed_rating=""
    )
    for result in pending.select_related("member__cadre", "member__group"):
        rating_set(result=result, rating=result.proposed_rating, actor=actor)
        count += 1
    return count


@transaction.atomic
def team_rating_set(*, result: AppraisalResult, team_rating: str, actor) -> AppraisalResult:
    cycle = lock_cycle(result.member.cycle)
    require_status(cycle, Status.RATING, doing="评定班子等次")
    result = AppraisalResult.objects.select_for_update(of=("self",)).select_related("member__unit").get(pk=result.pk)
    if result.member.unit_id is None:
        raise ApplicationError("个人请评定优秀、称职、基本称职或不称职", field="team_rating")
    if team_rating not in TeamRating.values:
        raise ApplicationError("请选择好、较好、一般或较差", field="team_rating")
    if team_rating == result.team_rating:
        return result
    before = result.team_rating
    result.team_rating, result.rated_by, result.rated_at = team_rating, actor, timezone.now()
    result.save(update_fields=["team_rating", "rated_by", "rated_at", "updated_at"])
    audit_log(
        actor=actor,
        action="appraisal_result.team_rated",
        obj=result.member.unit,
        details={"cycle": cycle.pk, "team_rating": [before, team_rating]},
    )
    return result


def may_publish(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_perm(PUBLISH_PERMISSION))


@transaction.atomic
def cycle_publish(*, cycle: AppraisalCycle, actor) -> AppraisalCycle:
    """Rating → published: every person and team rated, no group over its 优秀 quota. Each appraised person may
    then see their own result."""
    if not may_publish(actor):
        raise ApplicationError("没有公布考核结果的权限")
    cycle = lock_cycle(cycle)
    if cycle.status == Status.PUBLISHED:
        return cycle
    require_status(cycle, Status.RATING, doing="公布结果")
    results = AppraisalResult.objects.filter(member__cycle=cycle).select_related("member__cadre", "member__unit")
    members = GroupMember.objects.filter(cycle=cycle).count()
    if results.count() != members:
        raise ApplicationError("还有考核对象没有计算结果，请退回计分阶段重新计算")
    for result in results:
        if result.member.cadre_id and not result.rating:
            raise ApplicationError(f"{result.member.label}还没有评定等次")
        if result.member.unit_id and not result.team_rating:
            raise ApplicationError(f"{result.member.label}还没有评定等次")
    for group in cycle.groups.filter(kind=AppraisalGroup.Kind.INDIVIDUAL):
        quota = excellent_quota(_group_size(group))
        if results.filter(member__group=group, rating=Rating.EXCELLENT).count() > quota:
            raise ApplicationError(f"“{group.name}”评为优秀的人数超过{quota}人")
    return transition(
        cycle,
        Status.PUBLISHED,
        actor=actor,
        action="appraisal_cycle.published",
        doing="公布结果",
        published_at=timezone.now(),
        published_by=actor,
    )
