"""A group's indicator scores entered at once (services.scores): all or nothing, the rules of the one-score service,
one upsert, one audit event per changed score; the score page through it, and the page's own audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from appraisal.models import IndicatorScore
from appraisal.services import cycles
from appraisal.services.scores import check_score, score_enter, scores_enter
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import make_cycle, make_group, make_people

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def table(office, unit):
    """Group 正职 (干部1, 干部2; 指标1 weight 60, 指标2 weight 40, full marks 100) and group 副职 (干部3), in
    evaluation."""
    cycle = make_cycle(office, scope="得分录入", indicator_weight=100, evaluation_weight=0)
    people = make_people(unit, 3)
    chiefs = make_group(cycle, office, people[:2], name="正职")
    deputies = make_group(cycle, office, people[2:], name="副职")
    cycles.cycle_open_evaluation(cycle=cycle, actor=office)
    members = list(chiefs.members.select_related("cadre").order_by("id"))
    first, second = chiefs.indicators.all()
    return {
        "cycle": cycle,
        "group": chiefs,
        "members": members,
        "indicators": (first, second),
        "other": deputies,
        "people": people,
    }


def _scores(group) -> dict:
    return {
        (s.member.cadre.name, s.indicator.name): s.score
        for s in IndicatorScore.objects.filter(member__group=group).select_related("member__cadre", "indicator")
    }


def test_new_changed_and_unchanged_scores_in_one_call_each_change_audited(table, office):
    (a, b), (first, second) = table["members"], table["indicators"]
    score_enter(indicator=first, member=a, score="80", actor=office)
    score_enter(indicator=second, member=a, score="70", actor=office)
    before = AuditEvent.objects.filter(action="appraisal_score.entered").count()
    changes = scores_enter(
        group=table["group"],
        entries=[(a, first, "80"), (a, second, "70.5"), (b, first, 100), (b.pk, second.pk, "0")],
        actor=office,
    )
    assert [(c.member.label, c.indicator.name, c.before, c.score) for c in changes] == [
        ("干部1", "指标2", Decimal("70.00"), Decimal("70.50")),
        ("干部2", "指标1", None, Decimal("100.00")),
        ("干部2", "指标2", None, Decimal("0.00")),
    ]
    assert _scores(table["group"]) == {
        ("干部1", "指标1"): Decimal("80.00"),
        ("干部1", "指标2"): Decimal("70.50"),
        ("干部2", "指标1"): Decimal("100.00"),
        ("干部2", "指标2"): Decimal("0.00"),
    }
    events = AuditEvent.objects.filter(action="appraisal_score.entered").order_by("pk")[before:]
    assert [(e.object_repr, e.details) for e in events] == [
        ("干部1", {"cycle": table["cycle"].pk, "indicator": "指标2", "score": ["70", "70.5"]}),
        ("干部2", {"cycle": table["cycle"].pk, "indicator": "指标1", "score": ["", "100"]}),
        ("干部2", {"cycle": table["cycle"].pk, "indicator": "指标2", "score": ["", "0"]}),
    ]
    assert all(e.actor == office and e.object_type == "cadres.cadre" for e in events)
    # the same table again changes nothing and says nothing
    assert scores_enter(group=table["group"], entries={(a, second): "70.50"}, actor=office) == []
    assert AuditEvent.objects.filter(action="appraisal_score.entered").count() == before + 3


def test_one_bad_cell_writes_nothing_and_every_bad_cell_is_named(table, office):
    (a, b), (first, second) = table["members"], table["indicators"]
    with pytest.raises(ApplicationError) as refused:
        scores_enter(
            group=table["group"],
            entries=[(a, first, "90"), (a, second, "100.01"), (b, first, "-0.01"), (b, second, "88.888")],
            actor=office,
        )
    assert refused.value.message == "“指标2”得分不能超过100"
    assert refused.value.extra["cells"] == {
        (a.pk, second.pk): "“指标2”得分不能超过100",
        (b.pk, first.pk): "“指标1”得分不能小于0",
        (b.pk, second.pk): "“指标2”得分最多保留两位小数",
    }
    assert IndicatorScore.objects.count() == 0
    # the boundaries themselves pass: 0 and the full marks, two decimals
    scores_enter(group=table["group"], entries=[(a, first, "100"), (b, first, "0"), (b, second, "99.99")], actor=office)
    assert IndicatorScore.objects.count() == 3


def test_the_rules_are_those_of_the_one_score_service(table, office):
    (a, _b), (first, _second) = table["members"], table["indicators"]
    for value in ("100.01", "-1", "1.234", "", "abc"):
        with pytest.raises(ApplicationError) as one:
            score_enter(indicator=first, member=a, score=value, actor=office)
        with pytest.raises(ApplicationError) as many:
            scores_enter(group=table["group"], entries=[(a, first, value)], actor=office)
        with pytest.raises(ApplicationError) as helper:
            check_score(first, value)
        assert many.value.message == one.value.message == helper.value.message, value


def test_a_person_or_an_indicator_of_another_group_is_refused(table, office):
    (a, _b), (first, _second) = table["members"], table["indicators"]
    stranger = table["other"].members.select_related("cadre").get()
    with pytest.raises(ApplicationError) as one:
        score_enter(indicator=first, member=stranger, score="80", actor=office)
    with pytest.raises(ApplicationError) as many:
        scores_enter(group=table["group"], entries=[(stranger, first, "80")], actor=office)
    assert many.value.message == one.value.message == "干部3不在“正职”中，不能录入指标“指标1”的得分"
    other_indicator = table["other"].indicators.first()
    with pytest.raises(ApplicationError, match="干部1不在“副职”中，不能录入指标“指标1”的得分"):
        scores_enter(group=table["group"], entries=[(a, other_indicator, "80")], actor=office)
    assert IndicatorScore.objects.count() == 0


def test_the_same_cell_twice_is_refused(table, office):
    (a, _b), (first, _second) = table["members"], table["indicators"]
    with pytest.raises(ApplicationError, match="干部1的“指标1”得分填写了两次"):
        scores_enter(group=table["group"], entries=[(a, first, "80"), (a.pk, first.pk, "81")], actor=office)
    assert IndicatorScore.objects.count() == 0


def test_scores_are_entered_only_while_evaluation_is_open_or_in_scoring(table, office):
    (a, _b), (first, _second) = table["members"], table["indicators"]
    cycles.cycle_step_back(cycle=table["cycle"], reason="补充指标", actor=office)
    with pytest.raises(ApplicationError, match="考核处于“设置”阶段，不能录入指标得分"):
        scores_enter(group=table["group"], entries=[(a, first, "80")], actor=office)


# --- the score page ------------------------------------------------------------------------------------------


def test_the_score_page_saves_through_the_service_and_its_reading_is_audited(client, table, office):
    (a, b), (first, second) = table["members"], table["indicators"]
    client.force_login(office)
    page = reverse("appraisal:scores", args=[table["cycle"].pk, table["group"].pk])
    assert client.get(page).status_code == 200
    viewed = AuditEvent.objects.get(action="appraisal_scores.viewed")
    assert (viewed.actor, viewed.object_type, viewed.object_id) == (
        office,
        "appraisal.appraisalcycle",
        str(table["cycle"].pk),
    )
    assert viewed.details == {"group": table["group"].pk, "group_name": "正职", "members": 2}
    data = {f"s_{a.pk}_{first.pk}": "90", f"s_{a.pk}_{second.pk}": "100.5", f"s_{b.pk}_{first.pk}": "-1"}
    response = client.post(page, data)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        f"s_{a.pk}_{second.pk}": ["“指标2”得分不能超过100"],
        f"s_{b.pk}_{first.pk}": ["“指标1”得分不能小于0"],
    }
    assert IndicatorScore.objects.count() == 0
    response = client.post(page, {**data, f"s_{a.pk}_{second.pk}": "100", f"s_{b.pk}_{first.pk}": "0"})
    assert response.status_code == 302
    assert _scores(table["group"]) == {
        ("干部1", "指标1"): Decimal("90.00"),
        ("干部1", "指标2"): Decimal("100.00"),
        ("干部2", "指标1"): Decimal("0.00"),
    }
    # only the reading is logged as a view: one GET, one event
    assert AuditEvent.objects.filter(action="appraisal_scores.viewed").count() == 1
    assert AuditEvent.objects.filter(action="appraisal_score.entered").count() == 3


def test_a_closed_cycle_refuses_the_table_above_the_fields(client, table, office):
    (a, _b), (first, _second) = table["members"], table["indicators"]
    cycles.cycle_step_back(cycle=table["cycle"], reason="补充指标", actor=office)
    client.force_login(office)
    page = reverse("appraisal:scores", args=[table["cycle"].pk, table["group"].pk])
    response = client.post(page, {f"s_{a.pk}_{first.pk}": "90"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["考核处于“设置”阶段，不能录入指标得分"]
