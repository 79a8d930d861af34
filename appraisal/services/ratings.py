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
from django.db.models import Count
from django.utils import timezone

from orgdept.core.audit import audit_log
from orgdept.core.exceptions import ApplicationError
from orgdept.core.imports import audit_log_many
from training.selectors import year_shortfall

from ..models import (
    AppraisalCycle,
    AppraisalGroup,
    AppraisalResult,
    Ballot,
    GroupMember,
    Indicator,
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


RESULT_FIELDS = [
    "indicator_score",
    "evaluation_score",
    "final_score",
    "rank",
    "evaluation_rank",
    "proposed_rating",
    "rating",
    "team_rating",
    "note",
    "rated_by",
    "rated_at",
    "updated_at",
]


def _compute(cycle: AppraisalCycle, *, propose: bool = False) -> list[AppraisalResult]:
    """Every result of the cycle from the scores and ballots as they are, ratings cleared (and proposed when asked),
    written in one upsert. The reads are one per kind of row, whatever the number of people."""
    weights = {g.pk: g.weight for g in cycle.voter_groups.all()}
    w1, w2 = cycle.indicator_weight, cycle.evaluation_weight
    groups = list(cycle.groups.all())
    members: dict[int, list[GroupMember]] = defaultdict(list)
    for member in GroupMember.objects.filter(cycle=cycle).select_related("cadre", "unit").order_by("group", "id"):
        members[member.group_id].append(member)
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in Indicator.objects.filter(group__cycle=cycle):
        indicators[indicator.group_id].append(indicator)
    scores = {(s.member_id, s.indicator_id): s.score for s in IndicatorScore.objects.filter(member__cycle=cycle)}
    ballots = defaultdict(list)
    for member_pk, group_pk, total in Ballot.objects.filter(member__cycle=cycle).values_list(
        "member_id", "voter__voter_group_id", "total"
    ):
        ballots[member_pk].append((group_pk, total))
    by_group: dict[int, list[AppraisalResult]] = {}
    for group in groups:
        figures = {}
        for member in members[group.pk]:
            part = ZERO
            for indicator in indicators[group.pk]:
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
        by_group[group.pk] = [
            AppraisalResult(
                member=member,
                indicator_score=figures[member.pk][0],
                evaluation_score=figures[member.pk][1],
                final_score=figures[member.pk][2],
                rank=ranks[member.pk],
                evaluation_rank=evaluation_ranks[member.pk],
                proposed_rating="",
                rating="",
                team_rating="",
                note="",
                rated_by=None,
                rated_at=None,
            )
            for member in members[group.pk]
        ]
    if propose:
        _propose(cycle, [(g, by_group[g.pk]) for g in groups if g.kind == AppraisalGroup.Kind.INDIVIDUAL])
    results = [result for group in groups for result in by_group[group.pk]]
    AppraisalResult.objects.bulk_create(
        results, update_conflicts=True, unique_fields=["member"], update_fields=RESULT_FIELDS, batch_size=500
    )
    return results


def _propose(cycle: AppraisalCycle, groups: list[tuple[AppraisalGroup, list[AppraisalResult]]]) -> None:
    """优秀 to the best-ranked people of each individual group, at most the quota, skipping those short of the
    year's training; 称职 to the others. People tied at the quota's edge are all left to staff (称职 proposed, with
    a note), since the quota cannot take them all and the score cannot choose between them. On the results in
    memory; the training shortfall of every group's people is read at once."""
    short = year_shortfall([r.member.cadre for _group, results in groups for r in results], cycle.year)
    for _group, results in groups:
        quota = excellent_quota(len(results))
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
    _compute(cycle, propose=True)
    return transition(cycle, Status.RATING, actor=actor, action="appraisal_cycle.rating_started", doing="评定等次")


def _group_size(group: AppraisalGroup) -> int:
    return group.members.count()


def _group_sizes(cycle: AppraisalCycle) -> dict[int, int]:
    """{group pk: number of people} of every group of the cycle, in one query."""
    rows = GroupMember.objects.filter(cycle=cycle).values("group_id").annotate(size=Count("pk")).order_by()
    return {row["group_id"]: row["size"] for row in rows}


def _quota_refusal(group: AppraisalGroup, size: int, quota: int, taken: int) -> ApplicationError:
    return ApplicationError(
        f"“{group.name}”共{size}人，优秀最多{quota}人（{excellent_percent()}%，向下取整），已有{taken}人评为优秀",
        field="rating",
    )


def _training_refusal(cadre, year: int, shortfall: Decimal) -> ApplicationError:
    return ApplicationError(f"{cadre.name}的{year}年度培训学时尚差{fmt(shortfall)}学时，不能评为优秀", field="rating")


def _check_excellent(result: AppraisalResult, cycle: AppraisalCycle) -> None:
    """The two rules 优秀 must pass: the group's quota and the year's training."""
    group = result.member.group
    size = _group_size(group)
    quota = excellent_quota(size)
    taken = AppraisalResult.objects.filter(member__group=group, rating=Rating.EXCELLENT).exclude(pk=result.pk).count()
    if taken + 1 > quota:
        raise _quota_refusal(group, size, quota, taken)
    cadre = result.member.cadre
    shortfall = year_shortfall([cadre], cycle.year).get(cadre.pk, ZERO)
    if shortfall > 0:
        raise _training_refusal(cadre, cycle.year, shortfall)


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
    """Takes the proposed rating as the rating of every person not yet rated; returns how many. Each 优秀 passes
    the rules of rating_set (the group's quota, counting the 优秀 already set, and the year's training), taken in
    the order of the groups and ranks: the first refused stops it all. The quota and the training shortfall are
    worked out once for the cycle, the ratings written in one update."""
    cycle = lock_cycle(cycle)
    require_status(cycle, Status.RATING, doing="评定等次")
    people = list(
        AppraisalResult.objects.select_for_update(of=("self",))
        .filter(member__cycle=cycle, member__cadre__isnull=False)
        .select_related("member__cadre", "member__group")
        .order_by("member__group__order", "member__group_id", "rank", "pk")
    )
    pending = [r for r in people if not r.rating and r.proposed_rating]
    if not pending:
        return 0
    sizes = _group_sizes(cycle)
    taken: dict[int, int] = defaultdict(int)
    for result in people:
        if result.rating == Rating.EXCELLENT:
            taken[result.member.group_id] += 1
    candidates = [r.member.cadre for r in pending if r.proposed_rating == Rating.EXCELLENT]
    short = year_shortfall(candidates, cycle.year) if candidates else {}
    now = timezone.now()
    for result in pending:
        if result.proposed_rating == Rating.EXCELLENT:
            group = result.member.group
            size = sizes.get(group.pk, 0)
            quota = excellent_quota(size)
            if taken[group.pk] + 1 > quota:
                raise _quota_refusal(group, size, quota, taken[group.pk])
            shortfall = short.get(result.member.cadre_id, ZERO)
            if shortfall > 0:
                raise _training_refusal(result.member.cadre, cycle.year, shortfall)
            taken[group.pk] += 1
        result.rating, result.rated_by, result.rated_at, result.updated_at = result.proposed_rating, actor, now, now
    AppraisalResult.objects.bulk_update(pending, ["rating", "rated_by", "rated_at", "updated_at"], batch_size=500)
    audit_log_many(
        actor=actor,
        action="appraisal_result.rated",
        entries=[
            (
                r.member.cadre,
                {"cycle": cycle.pk, "rating": ["", r.rating], "proposed": r.proposed_rating},
            )
            for r in pending
        ],
    )
    return len(pending)


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
    results = list(
        AppraisalResult.objects.filter(member__cycle=cycle)
        .select_related("member__cadre", "member__unit", "member__group")
        .order_by("member__group__order", "member__group_id", "rank", "pk")
    )
    sizes = _group_sizes(cycle)
    if len(results) != sum(sizes.values()):
        raise ApplicationError("还有考核对象没有计算结果，请退回计分阶段重新计算")
    for result in results:
        if result.member.cadre_id and not result.rating:
            raise ApplicationError(f"{result.member.label}还没有评定等次")
        if result.member.unit_id and not result.team_rating:
            raise ApplicationError(f"{result.member.label}还没有评定等次")
    excellent = [r for r in results if r.member.cadre_id and r.rating == Rating.EXCELLENT]
    counted: dict[int, int] = defaultdict(int)
    for result in excellent:
        if result.member.group.kind == AppraisalGroup.Kind.INDIVIDUAL:
            counted[result.member.group_id] += 1
    for group in cycle.groups.filter(kind=AppraisalGroup.Kind.INDIVIDUAL):
        quota = excellent_quota(sizes.get(group.pk, 0))
        if counted[group.pk] > quota:
            raise ApplicationError(f"“{group.name}”评为优秀的人数超过{quota}人")
    # hours may have been removed from a transcript since the rating: 优秀 needs the year's training when published
    short = year_shortfall([r.member.cadre for r in excellent], cycle.year) if excellent else {}
    lacking = [r.member.cadre for r in excellent if short.get(r.member.cadre_id, ZERO) > 0]
    if lacking:
        names = "、".join(f"{c.name}（尚差{fmt(short[c.pk])}学时）" for c in lacking)
        raise ApplicationError(f"{names}的{cycle.year}年度培训学时不足，不能评为优秀，请重新评定等次后再公布")
    return transition(
        cycle,
        Status.PUBLISHED,
        actor=actor,
        action="appraisal_cycle.published",
        doing="公布结果",
        published_at=timezone.now(),
        published_by=actor,
    )
