"""Terms and their members: quotas refused in Chinese, and the demo data loaded idempotently."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from cadres.models import Cadre, FamilyMember, Position, PositionQuota, ResumeLine, Unit
from committees.models import (
    Committee,
    Leave,
    PortfolioPlan,
    QuarterlyReport,
    SubstituteArrangement,
    Term,
    TermMember,
)
from committees.selectors import plan_coverage, plan_in_force
from committees.services import committee_create, term_change, term_create, term_member_add
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

R = TermMember.Role
STARTS = date(2021, 9, 28)


@pytest.fixture
def committee(db):
    return committee_create(name="中共测试区委员会", short_name="测试区委", actor=None)


@pytest.fixture
def make_term(committee):
    numbers = iter(range(1, 100))

    def factory(**quotas):
        return term_create(committee=committee, number=next(numbers), starts_on=STARTS, actor=None, **quotas)

    return factory


@pytest.fixture
def people(db):
    unit = make_unit("区委办公室")
    return [make_cadre(unit, f"成员{i:02d}") for i in range(12)]


def add(term, cadre, role, **kwargs):
    return term_member_add(term=term, cadre=cadre, role=role, joined_on=STARTS, actor=None, **kwargs)


def test_members_quota(make_term, people):
    term = make_term(members_quota=3, alternates_quota=1, standing_quota=2, deputy_secretaries_quota=1)
    add(term, people[0], R.SECRETARY)
    add(term, people[1], R.MEMBER)
    add(term, people[2], R.MEMBER)

    with pytest.raises(ApplicationError) as excinfo:
        add(term, people[3], R.MEMBER)
    assert excinfo.value.message == "测试区委第1届的委员名额为3名，已满"
    # a standing seat is a member's seat too
    with pytest.raises(ApplicationError, match="委员名额为3名，已满"):
        add(term, people[3], R.STANDING_MEMBER)
    # alternates have a quota of their own
    add(term, people[3], R.ALTERNATE, election_votes=200)
    assert term.members.count() == 4


def test_alternates_quota(make_term, people):
    term = make_term(alternates_quota=2)
    add(term, people[0], R.ALTERNATE, election_votes=230)
    add(term, people[1], R.ALTERNATE, election_votes=210)
    with pytest.raises(ApplicationError, match=r"^测试区委第1届的候补委员名额为2名，已满$"):
        add(term, people[2], R.ALTERNATE, election_votes=190)
    assert term.members.filter(role=R.ALTERNATE).count() == 2


def test_standing_quota_counts_secretaries_and_deputies(make_term, people):
    term = make_term(standing_quota=3, deputy_secretaries_quota=2)
    add(term, people[0], R.SECRETARY)
    add(term, people[1], R.DEPUTY_SECRETARY)
    add(term, people[2], R.STANDING_MEMBER)
    for role in (R.STANDING_MEMBER, R.DEPUTY_SECRETARY):
        with pytest.raises(ApplicationError, match="常委名额为3名，已满"):
            add(term, people[3], role)
    add(term, people[3], R.MEMBER)  # an ordinary member's seat is still free


def test_only_one_secretary(make_term, people):
    term = make_term()
    add(term, people[0], R.SECRETARY)
    with pytest.raises(ApplicationError, match=r"^测试区委第1届的书记名额为1名，已满$"):
        add(term, people[1], R.SECRETARY)
    assert term.members.filter(role=R.SECRETARY).count() == 1


def test_deputy_secretaries_quota(make_term, people):
    term = make_term(deputy_secretaries_quota=2)
    add(term, people[0], R.DEPUTY_SECRETARY, concurrent_post="区长")
    add(term, people[1], R.DEPUTY_SECRETARY, full_time_deputy=True)
    with pytest.raises(ApplicationError, match="副书记名额为2名，已满"):
        add(term, people[2], R.DEPUTY_SECRETARY)


def test_a_cadre_sits_once_per_term(make_term, people):
    term = make_term()
    add(term, people[0], R.MEMBER)
    with pytest.raises(ApplicationError, match=r"^成员00已是测试区委第1届的成员$"):
        add(term, people[0], R.STANDING_MEMBER)
    other_term = term_change(committee=term.committee, starts_on=date(2026, 9, 28), actor=None)
    term_member_add(term=other_term, cadre=people[0], role=R.MEMBER, joined_on=other_term.starts_on, actor=None)
    assert people[0].memberships.count() == 2  # a different term is fine


def test_full_time_is_only_for_deputy_secretaries(make_term, people):
    term = make_term()
    with pytest.raises(ApplicationError, match="只有副书记可以是专职副书记"):
        add(term, people[0], R.STANDING_MEMBER, full_time_deputy=True)
    assert not term.members.exists()


def test_an_unknown_role_is_refused(make_term, people):
    term = make_term()
    with pytest.raises(ApplicationError, match="未知的委员身份"):
        add(term, people[0], "president")
    assert not term.members.exists()


def test_the_database_also_refuses_a_second_seat_in_a_term(make_term, people):
    term = make_term()
    add(term, people[0], R.MEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        TermMember.objects.create(term=term, cadre=people[0], role=R.ALTERNATE, joined_on=STARTS)


def test_adding_a_member_is_audited(make_term, people, make_user):
    actor = make_user(roles.ORGANIZATION_SECTION)
    term = make_term()
    member = term_member_add(term=term, cadre=people[0], role=R.MEMBER, joined_on=STARTS, actor=actor)
    event = AuditEvent.objects.get(action="term_member.added")
    assert (event.actor, event.object_id, event.details) == (
        actor,
        str(member.pk),
        {"role": "member", "cadre": people[0].pk},
    )


def test_the_database_refuses_a_term_ending_before_it_starts(make_term):
    term = make_term()
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.filter(pk=term.pk).update(ends_on=date(2020, 1, 1))


# --- demo data ----------------------------------------------------------------------------------------


def demo_counts():
    return {
        "units": Unit.objects.count(),
        "cadres": Cadre.objects.count(),
        "committees": Committee.objects.count(),
        "terms": Term.objects.count(),
        "members": TermMember.objects.filter(left_on__isnull=True).count(),
        "users": get_user_model().objects.count(),
        "audit": AuditEvent.objects.count(),
        "positions": Position.objects.count(),
        "quotas": PositionQuota.objects.count(),
        "resume_lines": ResumeLine.objects.count(),
        "family_members": FamilyMember.objects.count(),
        "plans": PortfolioPlan.objects.count(),
        "substitutes": SubstituteArrangement.objects.count(),
        "leaves": Leave.objects.count(),
        "reports": QuarterlyReport.objects.count(),
    }


def test_load_demo_is_idempotent(db, client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = demo_counts()

    assert first["units"] == 31
    assert first["cadres"] == 312
    assert first["committees"] == 1
    assert first["terms"] == 1
    assert first["members"] == 50
    assert first["users"] == 10
    assert first["quotas"] == 62
    assert first["resume_lines"] >= 3 * 312 and first["family_members"] == 2 * 312
    assert "演示数据就绪：31 个单位，312 名干部，50 名区委委员和候补委员。" in out.getvalue()

    term = Term.objects.get()
    by_role = {role: term.members.filter(role=role).count() for role in R.values}
    assert by_role == {"secretary": 1, "deputy_secretary": 2, "standing_member": 8, "member": 29, "alternate": 10}
    assert term.members.filter(full_time_deputy=True).count() == 1

    # the 分工: version 2 in force since 2024-03-01, version 1 kept with its dates; every area led by one member
    assert list(term.portfolio_plans.values_list("version", "status", "effective_from", "superseded_on")) == [
        (2, "active", date(2024, 3, 1), None),
        (1, "superseded", date(2021, 10, 15), date(2024, 3, 1)),
    ]
    assert plan_coverage(plan_in_force(term=term)).complete
    assert first["substitutes"] == 11 and first["leaves"] == 1 and first["reports"] == 9

    User = get_user_model()
    for username, role in [
        ("admin", roles.SYSTEM_ADMIN),
        ("ganbu", roles.CADRE_SECTION),
        ("changwei", roles.STANDING_MEMBER),
        ("weiyuan", roles.MEMBER),
    ]:
        assert User.objects.get(username=username).groups.filter(name=role).exists()
    changwei = User.objects.get(username="changwei")
    assert changwei.cadre.memberships.get().role == R.STANDING_MEMBER

    call_command("load_demo", stdout=StringIO())
    assert demo_counts() == first  # nothing added, not even an audit event

    # the demo users can use the system
    client.force_login(changwei)
    assert client.get(reverse("committees:term_overview")).status_code == 200
    assert client.get(reverse("cadres:cadre_list")).status_code == 403
    client.force_login(User.objects.get(username="ganbu"))
    response = client.get(reverse("cadres:cadre_list"))
    assert response.context["paginator"].count == 312
