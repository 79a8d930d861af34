"""Query counts that do not grow with the data: each measured with few people (or groups, or cycles) and with many,
the two counts equal. The score table, the score import, the computation and the ratings, an appraised cadre's own
results and the consequences list."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisal.imports import COLUMNS, score_import
from appraisal.models import AppraisalResult, IndicatorScore, Rating
from appraisal.services import cycles, ratings
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import (
    indicator_only_cycle,
    make_cycle,
    make_group,
    make_people,
    publish_year,
    score_all,
)

pytestmark = pytest.mark.usefixtures("frozen")


def _count(act) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        value = act()
    return len(queries), value


def _open_cycle(office, unit, size: int):
    """An indicators-only cycle in evaluation, one group 正职 of `size` new cadres with 指标1 and 指标2."""
    cycle = make_cycle(office, indicator_weight=100, evaluation_weight=0)
    people = make_people(unit, size, prefix=f"组{size}-")
    group = make_group(cycle, office, people, name="正职")
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    return cycle, group, people


def _scoring_cycle(office, unit, size: int):
    cycle, group, people = _open_cycle(office, unit, size)
    score_all(group, office, {c.pk: 99 - i for i, c in enumerate(people)})
    cycles.cycle_close_evaluation(cycle=cycle, actor=office)
    cycle.refresh_from_db()
    return cycle


def _table(group, base: int) -> dict:
    return {
        f"s_{member.pk}_{indicator.pk}": str(base - i)
        for i, member in enumerate(group.members.order_by("id"))
        for indicator in group.indicators.all()
    }


def test_the_score_table_reads_and_saves_in_the_same_queries_for_2_and_12_people(client, office, unit):
    client.force_login(office)
    pages = {}
    for size in (2, 12):
        cycle, group, _people = _open_cycle(office, unit, size)
        pages[size] = (reverse("appraisal:scores", args=[cycle.pk, group.pk]), group)
    client.get(pages[2][0])  # the session and the permissions cached, as on any later page
    reads = {size: _count(lambda page=page: client.get(page))[0] for size, (page, _group) in pages.items()}
    assert reads[2] == reads[12]
    for base in (90, 80):  # every score new, then every score changed: one upsert, not one write per cell
        saves = {}
        for size, (page, group) in pages.items():
            data = _table(group, base)
            saves[size], response = _count(lambda page=page, data=data: client.post(page, data))
            assert response.status_code == 302
            stored = sorted(IndicatorScore.objects.filter(member__group=group).values_list("score", flat=True))
            assert stored == sorted(Decimal(base - i) for i in range(size) for _indicator in (1, 2))
        assert saves[2] == saves[12]


def _xlsx(people) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for i, cadre in enumerate(people):
        for indicator in ("指标1", "指标2"):
            sheet.append([cadre.id_number, cadre.name, indicator, 90 - i])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_score_import_previews_and_commits_in_the_same_queries_for_2_and_12_people(office, unit):
    counts = {}
    for size in (2, 12):
        cycle, _group, people = _open_cycle(office, unit, size)
        content = _xlsx(people)
        params = {"cycle": cycle.pk}
        preview, report = _count(
            lambda content=content, params=params: score_import(
                source=content, dry_run=True, actor=office, params=params
            )
        )
        assert (report.new, report.errors) == (2 * size, [])
        commit, report = _count(
            lambda content=content, params=params: score_import(
                source=content, dry_run=False, actor=office, params=params
            )
        )
        assert report.written
        assert IndicatorScore.objects.filter(member__cycle=cycle).count() == 2 * size
        counts[size] = (preview, commit)
    assert counts[2] == counts[12]


def test_computing_and_starting_the_rating_take_the_same_queries_for_5_and_15_people(office, unit):
    counts = {}
    for size in (5, 15):
        cycle = _scoring_cycle(office, unit, size)
        compute, results = _count(lambda cycle=cycle: ratings.results_compute(cycle=cycle, actor=office))
        assert len(results) == size
        start, _cycle = _count(lambda cycle=cycle: ratings.cycle_start_rating(cycle=cycle, actor=office))
        proposed = AppraisalResult.objects.filter(member__cycle=cycle, proposed_rating=Rating.EXCELLENT).count()
        assert proposed == size // 5
        counts[size] = (compute, start)
    assert counts[5] == counts[15]


def test_accepting_the_proposed_ratings_takes_the_same_queries_for_5_and_15_people(office, unit):
    counts = {}
    for size in (5, 15):
        cycle, _group = indicator_only_cycle(office, make_people(unit, size, prefix=f"组{size}-"))
        counts[size], accepted = _count(lambda cycle=cycle: ratings.ratings_accept_proposed(cycle=cycle, actor=office))
        assert accepted == size
    assert counts[5] == counts[15]


def test_my_results_take_the_same_queries_for_one_and_four_published_cycles(client, office, unit, make_user):
    me = make_people(unit, 1, prefix="本人")[0]
    me.user = make_user(username="me")
    me.save(update_fields=["user"])
    fillers = make_people(unit, 4, prefix="同事")
    publish_year(office, 2022, {me: Rating.COMPETENT}, fillers)
    client.force_login(me.user)
    page = reverse("appraisal:my_results")
    client.get(page)
    few, response = _count(lambda: client.get(page))
    assert [row["size"] for row in response.context["rows"]] == [5]
    publish_year(office, 2023, {me: Rating.EXCELLENT}, fillers)
    publish_year(office, 2024, {me: Rating.COMPETENT}, [*fillers, *make_people(unit, 2, prefix="新")])
    publish_year(office, 2025, {me: Rating.COMPETENT}, fillers)
    many, response = _count(lambda: client.get(page))
    assert [(row["result"].member.cycle.year, row["size"]) for row in response.context["rows"]] == [
        (2025, 5),
        (2024, 7),
        (2023, 5),
        (2022, 5),
    ]
    assert few == many
    # each reading is logged on the cadre, as a transcript's is
    viewed = AuditEvent.objects.filter(action="appraisal_results.viewed_own").order_by("pk").last()
    assert (viewed.actor, viewed.object_type, viewed.object_id) == (me.user, "cadres.cadre", str(me.pk))
    assert viewed.details == {"results": [row["result"].pk for row in response.context["rows"]]}


def test_the_consequences_page_takes_the_same_queries_for_one_and_three_groups(client, office, unit):
    client.force_login(office)
    page = reverse("appraisal:consequences")
    fillers = make_people(unit, 4, prefix="同事")
    publish_year(office, 2025, dict.fromkeys(make_people(unit, 1, prefix="甲"), Rating.BASIC), fillers)
    client.get(page, {"year": "2025"})
    few, response = _count(lambda: client.get(page, {"year": "2025"}))
    assert len(response.context["rows"]) == 1
    for prefix in ("乙", "丙"):
        basic = make_people(unit, 3, prefix=prefix)
        publish_year(office, 2025, dict.fromkeys(basic, Rating.BASIC), make_people(unit, 2, prefix=f"{prefix}同事"))
    many, response = _count(lambda: client.get(page, {"year": "2025"}))
    assert len(response.context["rows"]) == 7
    assert few == many
