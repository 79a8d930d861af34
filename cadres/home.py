"""The cadres app's sections of the home page."""

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from orgdept.core import roles
from orgdept.core.shell import QueueItem, QueueSection

from .models import LEADING_RANKS, Cadre, Rank


def cadre_sections(user) -> list[QueueSection]:
    if not roles.has_role(user, roles.CADRE_SECTION, roles.DEPARTMENT_LEADER):
        return []
    today = date.today()
    incomplete = Cadre.objects.filter(Q(rank="") | Q(education=""))
    items = [
        QueueItem(
            label=f"{c.name}（{c.unit.name}）",
            url=reverse("cadres:cadre_detail", args=[c.pk]),
            detail="职级或学历未填写",
            level="warning",
        )
        for c in incomplete.select_related("unit").order_by("pk")[:5]
    ]
    # the 10-year exchange rule is for leaders (leading ranks), not for staff ranks
    long_serving = (
        Cadre.objects.filter(rank__in=LEADING_RANKS, post_since_month__lte=today.replace(year=today.year - 10, day=1))
        .select_related("unit")
        .order_by("post_since_month")[:5]
    )
    rotation = [
        QueueItem(
            label=f"{c.name}（{c.current_post}）",
            url=reverse("cadres:cadre_detail", args=[c.pk]),
            detail=f"任现职已满10年（{c.post_since_month:%Y.%m}起）",
            level="danger",
        )
        for c in long_serving
    ]
    by_rank = dict(Cadre.objects.values_list("rank").annotate(n=Count("pk")).values_list("rank", "n"))
    order = [value for value, _label in Rank.choices] + [""]
    overview = [
        QueueItem(label=rank or "未定职级", detail=f"{by_rank[rank]} 人") for rank in order if by_rank.get(rank)
    ]
    return [
        QueueSection(
            title="干部信息待完善",
            items=items,
            empty_text="干部信息完整",
            order=10,
            more_url=reverse("cadres:cadre_list"),
        ),
        QueueSection(title="同一职位任职满10年应交流", items=rotation, empty_text="暂无应交流的干部", order=20),
        QueueSection(title="干部队伍概况（按职级）", items=overview, order=30),
    ]
