"""Reads of the appraisal app: published rating histories, the 年度考核结果 line, and the consequence lists with the
rule that put each person there.

Only published (or archived) cycles count. A cadre appraised in two published cycles of one year (two scopes) has
the rating of the one published last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cadres.models import Cadre

from .models import AppraisalCycle, AppraisalGroup, AppraisalResult, Rating, Talk
from .permissions import PUBLISHED
from .services.common import lowest_ranked_count

RATING_WORDS = dict(Rating.choices)


def published_results():
    return AppraisalResult.objects.filter(member__cycle__status__in=PUBLISHED, member__cadre__isnull=False)


def rating_histories(cadres, *, on_date: date | None = None) -> dict[int, dict[int, str]]:
    """{cadre pk: {year: rating}} from the cycles published on or before `on_date` (all when None). One query."""
    pks = [getattr(c, "pk", c) for c in cadres]
    results = published_results().filter(member__cadre__in=pks)
    if on_date is not None:
        results = results.filter(member__cycle__published_at__date__lte=on_date)
    histories: dict[int, dict[int, str]] = {pk: {} for pk in pks}
    rows = results.order_by("member__cycle__published_at", "pk").values_list(
        "member__cadre_id", "member__cycle__year", "rating"
    )
    for cadre_pk, year, rating in rows:
        if rating:
            histories[cadre_pk][year] = rating
    return histories


def rating_history(cadre, *, on_date: date | None = None) -> dict[int, str]:
    return rating_histories([cadre], on_date=on_date)[cadre.pk]


def _summary(history: dict[int, str]) -> str:
    years = sorted(history)[-3:]
    return "，".join(f"{year}年度{RATING_WORDS[history[year]]}" for year in years)


def appraisal_summary(cadre, on_date: date) -> str:
    """The 任免审批表's 年度考核结果: the last three years published by `on_date`, oldest first —
    "2023年度称职，2024年度优秀，2025年度称职"; blank when none."""
    return _summary(rating_history(cadre, on_date=on_date))


def appraisal_summaries(cadres, on_date: date) -> dict[int, str]:
    """The same for many cadres, in one query: {cadre pk: text}."""
    return {pk: _summary(history) for pk, history in rating_histories(cadres, on_date=on_date).items()}


@dataclass(frozen=True)
class Consequence:
    cadre: Cadre
    code: str  # admonishment, demotion, dismissal, merit, reminder
    action: str  # what follows: 诫勉谈话 …
    rule: str  # the rule that put the cadre on the list, with the years
    years: tuple[int, ...]


ACTIONS = {
    "admonishment": "诫勉谈话",
    "demotion": "降级或调整职务",
    "dismissal": "启动辞退或免职程序",
    "merit": "记三等功",
    "reminder": "提醒谈话",
}


def _consecutive(history: dict[int, str], year: int, rating: str, count: int) -> bool:
    return all(history.get(y) == rating for y in range(year - count + 1, year + 1))


def _run_length(history: dict[int, str], year: int, rating: str) -> int:
    """How many years in a row up to `year` the rating was `rating`."""
    length = 0
    while history.get(year - length) == rating:
        length += 1
    return length


def consequences(year: int) -> list[Consequence]:
    """Who falls under each rule after `year`'s published appraisal, by rule then by name:
    基本称职 → 诫勉谈话; 不称职 → 降级/调整; 不称职 in `year` and `year`-1 → 辞退/免职; 优秀 in `year`, -1 and -2
    → 记三等功 (once per three: not again in the fourth year); in each individual group the lowest-ranked in
    democratic evaluation (the setting's number; people tied with the last of them too) → 提醒谈话."""
    rated = list(
        published_results()
        .filter(member__cycle__year=year)
        .select_related("member__cadre__unit", "member__group")
        .order_by("member__cadre__name", "pk")
    )
    cadres = {r.member.cadre_id: r.member.cadre for r in rated}
    histories = rating_histories(list(cadres))
    found: list[Consequence] = []

    def add(cadre, code, rule, years):
        found.append(Consequence(cadre, code, ACTIONS[code], rule, tuple(years)))

    for pk, cadre in cadres.items():
        history = histories[pk]
        rating = history.get(year)
        if rating == Rating.BASIC:
            add(cadre, "admonishment", f"{year}年度考核为基本称职", [year])
        if rating == Rating.INCOMPETENT:
            add(cadre, "demotion", f"{year}年度考核为不称职", [year])
            if _consecutive(history, year, Rating.INCOMPETENT, 2):
                add(cadre, "dismissal", f"{year - 1}、{year}年度连续两年考核为不称职", [year - 1, year])
        # three years in a row earn the merit once: a fourth 优秀 starts the next three (a run of 6 earns it again)
        if rating == Rating.EXCELLENT and _run_length(history, year, Rating.EXCELLENT) % 3 == 0:
            add(cadre, "merit", f"{year - 2}至{year}年度连续三年考核为优秀", [year - 2, year - 1, year])
    found.extend(lowest_ranked(year))
    order = list(ACTIONS)
    return sorted(found, key=lambda c: (order.index(c.code), c.cadre.name, c.cadre.pk))


def lowest_ranked(year: int) -> list[Consequence]:
    """In each individual group of `year`'s published cycles, the people lowest in democratic evaluation (the
    setting's number, and those tied with the last of them). One query for every group."""
    count = lowest_ranked_count()
    if count <= 0:
        return []
    scored_by_group: dict[int, list[AppraisalResult]] = {}
    rows = (
        AppraisalResult.objects.filter(
            member__group__cycle__year=year,
            member__group__cycle__status__in=PUBLISHED,
            member__group__kind=AppraisalGroup.Kind.INDIVIDUAL,
            evaluation_score__isnull=False,
        )
        .select_related("member__cadre__unit", "member__group")
        .order_by("member__group", "evaluation_score", "pk")
    )
    for result in rows:
        scored_by_group.setdefault(result.member.group_id, []).append(result)
    found = []
    for scored in scored_by_group.values():
        if len(scored) <= count:
            # nobody is "lowest" in a group no larger than the number to list
            continue
        group = scored[0].member.group
        threshold: Decimal = scored[count - 1].evaluation_score
        for result in scored:
            if result.evaluation_score > threshold:
                break
            found.append(
                Consequence(
                    result.member.cadre,
                    "reminder",
                    ACTIONS["reminder"],
                    f"{year}年度民主测评在“{group.name}”中排名靠后（第{result.evaluation_rank}名，"
                    f"{len(scored)}人，得分{result.evaluation_score}）",
                    (year,),
                )
            )
    return found


def talks_of(cadre):
    return Talk.objects.filter(cadre=cadre).select_related("cycle")


def cycles_list():
    return AppraisalCycle.objects.select_related("created_by", "published_by")


def cadre_results(cadre):
    """A cadre's published results, newest year first, each with the size of its group (for "rank / size")."""
    from django.db.models import Count

    return (
        published_results()
        .filter(member__cadre=cadre)
        .select_related("member__group", "member__cycle")
        .annotate(group_size=Count("member__group__members"))
        .order_by("-member__cycle__year", "-member__cycle__published_at")
    )
