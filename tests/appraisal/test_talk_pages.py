"""The consequence list's talks: a talk answers the year it was held for, and one is recorded only for a cadre the
year's list puts under a rule calling for that kind of talk; the list itself is personnel data and is audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from appraisal.models import Rating, Talk
from appraisal.services.talks import talk_record
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.appraisal.factories import make_people, publish_year

pytestmark = pytest.mark.usefixtures("frozen")


def url(name, *args):
    return reverse(f"appraisal:{name}", args=args)


@pytest.fixture
def two_years(office, unit):
    """干部1 基本称职 in 2024 and again in 2025 (the fillers 称职); the 2024 talk held on 1 March 2025."""
    people = make_people(unit, 5)
    basic, fillers = people[0], people[1:]
    cycle_2024 = publish_year(office, 2024, {basic: Rating.BASIC}, fillers)
    publish_year(office, 2025, {basic: Rating.BASIC}, fillers)
    talk_record(
        cadre=basic, kind=Talk.Kind.ADMONISHMENT, held_on=date(2025, 3, 1), held_by="副部长", cycle=cycle_2024,
        actor=office,
    )  # fmt: skip
    return basic, fillers


def test_last_years_talk_does_not_stand_for_this_years(client, office, two_years):
    client.force_login(office)
    rows_2025 = client.get(url("consequences"), {"year": "2025"}).context["rows"]
    assert [(r["item"].cadre.name, r["item"].action, r["talks"]) for r in rows_2025] == [("干部1", "诫勉谈话", [])]
    rows_2024 = client.get(url("consequences"), {"year": "2024"}).context["rows"]
    assert [t.held_on for t in rows_2024[0]["talks"]] == [date(2025, 3, 1)]
    viewed = AuditEvent.objects.filter(action="appraisal_consequences.viewed", actor=office)
    assert [e.details["year"] for e in viewed.order_by("pk")] == [2025, 2024]


def test_a_talk_is_recorded_only_under_a_rule_that_calls_for_it(client, office, make_user, two_years):
    basic, fillers = two_years
    client.force_login(office)
    data = {"held_on": "2026-01-10", "held_by": "部长"}

    def post(cadre, kind):
        prefix = f"t{cadre.pk}-{kind}"
        return client.post(
            url("talk_new", cadre.pk, kind) + "?year=2025", {f"{prefix}-{k}": v for k, v in data.items()}
        )

    # a colleague rated 称职 is on no list; 基本称职 calls for an admonishment, not a reminder; no such kind
    assert post(fillers[0], "admonishment").status_code == 404
    assert post(basic, "reminder").status_code == 404
    assert post(basic, "merit").status_code == 404
    assert not Talk.objects.filter(cycle__year=2025).exists()
    assert post(basic, "admonishment").status_code == 302
    talk = Talk.objects.get(cycle__year=2025)
    assert (talk.cadre, talk.kind, talk.held_on) == (basic, Talk.Kind.ADMONISHMENT, date(2026, 1, 10))
    # who may not see results is not told the list exists
    client.force_login(make_user(roles.CADRE_SECTION))
    assert post(basic, "admonishment").status_code == 404


def test_the_cadres_appraisal_record_is_linked_from_the_file(client, office, make_user, two_years):
    basic, fillers = two_years
    client.force_login(office)
    record = url("cadre_history", basic.pk)
    page = client.get(record)
    assert page.status_code == 200
    assert [(r.member.cycle.year, r.rank, r.group_size, r.rating) for r in page.context["results"]] == [
        (2025, 1, 5, Rating.BASIC),
        (2024, 1, 5, Rating.BASIC),
    ]
    assert [t.held_on for t in page.context["talks"]] == [date(2025, 3, 1)]
    assert AuditEvent.objects.filter(action="appraisal_history.viewed", object_id=str(basic.pk)).count() == 1
    # the cadre's file links to it for who sees results
    ganbu = make_user(roles.CADRE_SECTION, roles.APPRAISAL_OFFICE)
    client.force_login(ganbu)
    assert record in client.get(reverse("cadres:cadre_detail", args=[basic.pk])).content.decode()
    # the cadre reads their own record once linked to a login; a plain 干部科 user is not told it exists
    basic.user = make_user(username="basic")
    basic.save(update_fields=["user"])
    client.force_login(basic.user)
    assert client.get(record).status_code == 200
    client.force_login(make_user(roles.CADRE_SECTION))
    assert client.get(record).status_code == 404
    assert client.get(url("cadre_history", fillers[0].pk)).status_code == 404
