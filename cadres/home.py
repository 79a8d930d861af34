"""The cadres app's sections of the home page."""

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from orgdept.core import roles
from orgdept.core.shell import QueueItem, QueueSection

from .models import Cadre, Position, Rank
from .selectors import rotation_due, rotation_years
from .structure import format_months, months_between


def post_label(position: Position) -> str:
    """The post with its unit, without naming the unit twice when the title already starts with it."""
    unit = position.unit
    if position.title.startswith(unit.name) or (unit.short_name and position.title.startswith(unit.short_name)):
        return position.title
    return f"{unit.name}{position.title}"


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
    # the rotation watch's rule: years per kind of post (10 for leaders, local numbers for key posts and staff)
    years = rotation_years()
    kinds = dict(Position.RotationKind.choices)
    rotation = [
        QueueItem(
            label=f"{t.cadre.name}（{post_label(t.position)}）",
            url=reverse("cadres:cadre_detail", args=[t.cadre_id]),
            detail=f"任现职{format_months(months_between(t.since, today))}（{t.since:%Y.%m}起；"
            f"{kinds[t.position.rotation_kind]}满{years[t.position.rotation_kind]}年应交流）",
            level="danger",
        )
        for t in rotation_due(on_date=today)[:5]
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
        QueueSection(
            title="同一职位任职满规定年限应交流",
            items=rotation,
            empty_text="暂无应交流的干部",
            order=20,
            more_url=reverse("cadres:rotation"),
        ),
        QueueSection(title="干部队伍概况（按职级）", items=overview, order=30),
    ]
