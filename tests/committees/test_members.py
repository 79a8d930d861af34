"""Members of a term through the services: quotas, role changes and their history, leaving, alternates' succession
in the order of votes, 换届 keeping the old term as it was, and the audit event of every change."""

from __future__ import annotations

from datetime import date

import pytest

from committees.models import PortfolioPlan, Term, TermMember, TermMemberRoleChange, WorkArea
from committees.selectors import alternates_in_succession, plan_in_force, vacant_member_seats
from committees.services import (
    alternate_promote,
    committee_create,
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    substitute_designate,
    term_change,
    term_create,
    term_member_add,
    term_member_change_role,
    term_member_leave,
    term_member_update,
    term_update,
)
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

R = TermMember.Role
STARTS = date(2021, 9, 28)
QUOTAS = {"members_quota": 9, "alternates_quota": 3, "standing_quota": 5, "deputy_secretaries_quota": 2}
# name -> (role, extra fields): a small committee filling every kind of seat
ROSTER = {
    "王书记": (R.SECRETARY, {}),
    "李区长": (R.DEPUTY_SECRETARY, {"concurrent_post": "区长"}),
    "赵专职": (R.DEPUTY_SECRETARY, {"full_time_deputy": True}),
    "钱常委": (R.STANDING_MEMBER, {"concurrent_post": "常务副区长"}),
    "孙常委": (R.STANDING_MEMBER, {}),
    "周委员": (R.MEMBER, {}),
    "吴委员": (R.MEMBER, {}),
    "郑候补": (R.ALTERNATE, {"election_votes": 188, "order": 1}),
    "冯候补": (R.ALTERNATE, {"election_votes": 201, "order": 2}),
    "陈候补": (R.ALTERNATE, {"election_votes": 201, "order": 1}),
}


def build_term(*, actor=None, roster=None, **quotas) -> tuple[Term, dict[str, TermMember]]:
    """A committee with its first term and members added through the services (women: 赵, 孙, 吴, 冯)."""
    committee = committee_create(name="中共测试区委员会", short_name="测试区委", actor=actor)
    term = term_create(committee=committee, number=1, starts_on=STARTS, actor=actor, **{**QUOTAS, **quotas})
    unit = make_unit("区委办公室")
    members = {}
    women = {"赵专职", "孙常委", "吴委员", "冯候补"}
    for i, (name, (role, extra)) in enumerate((roster or ROSTER).items()):
        cadre = make_cadre(
            unit, name, male=name not in women, born=date(1966 + 2 * i, 3, 1), current_post=f"{name}职务"
        )
        extra = {"order": i + 1, **extra}
        members[name] = term_member_add(term=term, cadre=cadre, role=role, joined_on=STARTS, actor=actor, **extra)
    return term, members


def make_person(name: str, **fields):
    return make_cadre(make_unit(), name, **fields)


@pytest.fixture
def zuzhi(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def committee_term(db):
    return build_term()


# --- quotas -------------------------------------------------------------------------------------------------


def test_every_quota_is_refused_when_full(committee_term):
    term, _members = committee_term
    cases = [
        (R.SECRETARY, {}, "测试区委第1届的常委名额为5名，已满"),  # the secretary and deputies are standing members
        (R.DEPUTY_SECRETARY, {}, "测试区委第1届的常委名额为5名，已满"),
        (R.STANDING_MEMBER, {}, "测试区委第1届的常委名额为5名，已满"),
        (R.ALTERNATE, {"election_votes": 100}, "测试区委第1届的候补委员名额为3名，已满"),
    ]
    for role, extra, message in cases:
        with pytest.raises(ApplicationError) as excinfo:
            term_member_add(term=term, cadre=make_person("新人"), role=role, joined_on=STARTS, actor=None, **extra)
        assert excinfo.value.message == message
        assert excinfo.value.field == "role"
    term_member_add(term=term, cadre=make_person("新委员甲"), role=R.MEMBER, joined_on=STARTS, actor=None)
    term_member_add(term=term, cadre=make_person("新委员乙"), role=R.MEMBER, joined_on=STARTS, actor=None)
    with pytest.raises(ApplicationError, match=r"^测试区委第1届的委员名额为9名，已满$"):
        term_member_add(term=term, cadre=make_person("新委员丙"), role=R.MEMBER, joined_on=STARTS, actor=None)


def test_deputies_and_the_secretary_have_quotas_within_the_standing_seats(db):
    term, _members = build_term(standing_quota=6)
    with pytest.raises(ApplicationError, match=r"^测试区委第1届的书记名额为1名，已满$"):
        term_member_add(term=term, cadre=make_person("新书记"), role=R.SECRETARY, joined_on=STARTS, actor=None)
    with pytest.raises(ApplicationError, match=r"^测试区委第1届的副书记名额为2名，已满$"):
        term_member_add(term=term, cadre=make_person("新副书记"), role=R.DEPUTY_SECRETARY, joined_on=STARTS, actor=None)


def test_an_alternate_needs_votes(committee_term):
    term, _members = committee_term
    with pytest.raises(ApplicationError) as excinfo:
        term_member_add(term=term, cadre=make_person("候补"), role=R.ALTERNATE, joined_on=STARTS, actor=None)
    assert excinfo.value.field == "election_votes"


def test_a_term_quota_cannot_drop_below_the_seats_taken(committee_term, zuzhi):
    term, _members = committee_term
    with pytest.raises(ApplicationError) as excinfo:
        term_update(term=term, standing_quota=4, members_quota=6, actor=zuzhi)
    assert excinfo.value.field_errors == {
        "members_quota": "现有委员7名，名额不能少于7",
        "standing_quota": "现有常委5名，名额不能少于5",
    }
    term = term_update(term=term, members_quota=12, actor=zuzhi)
    assert term.members_quota == 12
    event = AuditEvent.objects.get(action="term.updated")
    assert (event.actor, event.details) == (zuzhi, {"changes": {"members_quota": ["9", "12"]}})


# --- role changes -----------------------------------------------------------------------------------------------


def test_a_role_change_keeps_the_seat_and_writes_its_history(committee_term, zuzhi):
    term, m = committee_term
    term_member_change_role(
        member=m["孙常委"], role=R.MEMBER, changed_on=date(2023, 5, 1), reason="不再担任常委", actor=zuzhi
    )
    promoted = term_member_change_role(
        member=m["周委员"], role=R.STANDING_MEMBER, changed_on=date(2023, 5, 10), reason="全委会增选", actor=zuzhi
    )
    assert promoted.pk == m["周委员"].pk and promoted.role == R.STANDING_MEMBER
    history = TermMemberRoleChange.objects.filter(member__term=term).order_by("changed_on")
    assert [(c.member.cadre.name, c.from_role, c.to_role, c.changed_on, c.reason, c.actor) for c in history] == [
        ("孙常委", R.STANDING_MEMBER, R.MEMBER, date(2023, 5, 1), "不再担任常委", zuzhi),
        ("周委员", R.MEMBER, R.STANDING_MEMBER, date(2023, 5, 10), "全委会增选", zuzhi),
    ]
    events = AuditEvent.objects.filter(action="term_member.role_changed").order_by("pk")
    assert [e.details for e in events] == [
        {"from": "standing_member", "to": "member", "on": "2023-05-01", "reason": "不再担任常委"},
        {"from": "member", "to": "standing_member", "on": "2023-05-10", "reason": "全委会增选"},
    ]


def test_a_role_change_is_refused_when_the_seats_of_the_new_role_are_taken(committee_term):
    _term, m = committee_term
    with pytest.raises(ApplicationError) as excinfo:
        term_member_change_role(member=m["周委员"], role=R.STANDING_MEMBER, changed_on=date(2023, 5, 1), actor=None)
    assert (excinfo.value.message, excinfo.value.field) == ("测试区委第1届的常委名额为5名，已满", "role")
    with pytest.raises(ApplicationError, match="书记名额为1名，已满"):
        term_member_change_role(member=m["李区长"], role=R.SECRETARY, changed_on=date(2023, 5, 1), actor=None)
    # moving within the standing seats frees the one left: a deputy may become a standing member
    term_member_change_role(member=m["李区长"], role=R.STANDING_MEMBER, changed_on=date(2023, 5, 1), actor=None)
    assert not TermMemberRoleChange.objects.filter(member=m["周委员"]).exists()


def test_alternates_and_members_do_not_swap_by_a_role_change(committee_term):
    _term, m = committee_term
    with pytest.raises(ApplicationError, match=r"^委员不能改为候补委员$"):
        term_member_change_role(member=m["周委员"], role=R.ALTERNATE, changed_on=date(2023, 5, 1), actor=None)
    with pytest.raises(ApplicationError, match="请使用“递补”"):
        term_member_change_role(member=m["郑候补"], role=R.MEMBER, changed_on=date(2023, 5, 1), actor=None)


def test_a_role_change_cannot_go_back_before_the_last_one(committee_term):
    _term, m = committee_term
    term_member_change_role(member=m["孙常委"], role=R.MEMBER, changed_on=date(2023, 5, 1), actor=None)
    with pytest.raises(ApplicationError, match="不能早于上一次变动（2023-05-01）"):
        term_member_change_role(member=m["孙常委"], role=R.STANDING_MEMBER, changed_on=date(2023, 4, 1), actor=None)


def test_only_a_deputy_is_full_time(committee_term):
    _term, m = committee_term
    with pytest.raises(ApplicationError) as excinfo:
        term_member_update(member=m["钱常委"], full_time_deputy=True, actor=None)
    assert excinfo.value.field == "full_time_deputy"


def test_an_update_records_what_changed(committee_term, zuzhi):
    _term, m = committee_term
    term_member_update(member=m["钱常委"], order=9, concurrent_post="区政府党组副书记", actor=zuzhi)
    event = AuditEvent.objects.get(action="term_member.updated")
    assert event.details == {"changes": {"order": [4, 9], "concurrent_post": ["常务副区长", "区政府党组副书记"]}}
    term_member_update(member=m["钱常委"], order=9, actor=zuzhi)  # nothing changed: nothing recorded
    assert AuditEvent.objects.filter(action="term_member.updated").count() == 1


# --- leaving and succession -------------------------------------------------------------------------------------


def test_leaving_ends_the_arrangements_where_the_member_covered_for_others(committee_term, zuzhi):
    _term, m = committee_term
    covers_for_qian = substitute_designate(
        member=m["钱常委"], substitute=m["孙常委"], effective_from=STARTS, actor=None
    )
    own = substitute_designate(member=m["孙常委"], substitute=m["赵专职"], effective_from=STARTS, actor=None)
    term_member_leave(member=m["孙常委"], left_on=date(2024, 3, 1), reason="调离", actor=zuzhi)
    covers_for_qian.refresh_from_db()
    own.refresh_from_db()
    assert covers_for_qian.superseded_on == date(2024, 3, 1)  # 钱常委 needs a new substitute
    assert own.superseded_on is None  # 孙常委's areas stay covered until a new plan hands them on
    member = TermMember.objects.get(pk=m["孙常委"].pk)
    assert (member.left_on, member.left_reason) == (date(2024, 3, 1), "调离")
    event = AuditEvent.objects.get(action="term_member.left")
    assert (event.actor, event.details) == (
        zuzhi,
        {"left_on": "2024-03-01", "reason": "调离", "no_longer_substitute_for": ["钱常委"]},
    )


def test_leaving_needs_a_reason_and_a_date_after_joining(committee_term):
    _term, m = committee_term
    with pytest.raises(ApplicationError) as excinfo:
        term_member_leave(member=m["周委员"], left_on=date(2024, 3, 1), reason=" ", actor=None)
    assert excinfo.value.field == "left_reason"
    with pytest.raises(ApplicationError) as excinfo:
        term_member_leave(member=m["周委员"], left_on=STARTS, reason="调离", actor=None)
    assert excinfo.value.field == "left_on"


def test_alternates_fill_vacant_seats_in_the_order_of_votes(committee_term, zuzhi):
    term, m = committee_term
    # 冯 and 陈 both have 201 votes: 陈 comes first by order; 郑 has 188
    assert [a.cadre.name for a in alternates_in_succession(term)] == ["陈候补", "冯候补", "郑候补"]
    for name in ("新委员甲", "新委员乙"):  # the nine member seats are all taken
        term_member_add(term=term, cadre=make_person(name), role=R.MEMBER, joined_on=STARTS, actor=None)
    with pytest.raises(ApplicationError) as excinfo:
        alternate_promote(alternate=m["陈候补"], on=date(2024, 3, 1), actor=zuzhi)
    assert excinfo.value.message == "测试区委第1届委员名额（9名）已满，没有可递补的空缺"
    term_member_leave(member=m["周委员"], left_on=date(2024, 2, 1), reason="调离", actor=zuzhi)
    assert vacant_member_seats(term) == 1

    with pytest.raises(ApplicationError) as excinfo:
        alternate_promote(alternate=m["郑候补"], on=date(2024, 3, 1), actor=zuzhi)
    assert excinfo.value.message == "应由得票最多的候补委员陈候补（201票）先递补，郑候补得188票"
    with pytest.raises(ApplicationError, match="陈候补（201票）先递补，冯候补得201票"):
        alternate_promote(alternate=m["冯候补"], on=date(2024, 3, 1), actor=zuzhi)

    promoted = alternate_promote(alternate=m["陈候补"], on=date(2024, 3, 1), actor=zuzhi)
    assert promoted.role == R.MEMBER
    assert promoted.order == 8  # listed after the members (orders up to 7)
    change = TermMemberRoleChange.objects.get(member=promoted)
    assert (change.from_role, change.to_role, change.changed_on, change.reason) == (
        R.ALTERNATE,
        R.MEMBER,
        date(2024, 3, 1),
        "候补委员递补为委员",
    )
    event = AuditEvent.objects.get(action="term_member.alternate_promoted")
    assert (event.actor, event.object_id, event.details) == (
        zuzhi,
        str(promoted.pk),
        {"on": "2024-03-01", "votes": 201},
    )
    assert vacant_member_seats(term) == 0
    with pytest.raises(ApplicationError, match="没有可递补的空缺"):
        alternate_promote(alternate=m["冯候补"], on=date(2024, 3, 1), actor=zuzhi)


def test_a_member_who_left_cannot_be_changed(committee_term):
    _term, m = committee_term
    term_member_leave(member=m["周委员"], left_on=date(2024, 2, 1), reason="调离", actor=None)
    with pytest.raises(ApplicationError, match=r"^周委员已于2024-02-01离任$"):
        term_member_update(member=m["周委员"], order=3, actor=None)
    with pytest.raises(ApplicationError, match="已于2024-02-01离任"):
        term_member_leave(member=m["周委员"], left_on=date(2024, 3, 1), reason="调离", actor=None)


# --- 换届 --------------------------------------------------------------------------------------------------------


def _complete_plan(term: Term, lead: TermMember, effective_from: date) -> PortfolioPlan:
    plan = portfolio_plan_create(term=term, actor=None)
    for area in WorkArea.objects.filter(active=True):
        portfolio_assignment_set(plan=plan, area=area, member=lead, kind="lead", actor=None)
    return portfolio_plan_activate(plan=plan, effective_from=effective_from, actor=None)


def test_a_term_change_keeps_the_old_term_as_it_was(committee_term, zuzhi):
    old, m = committee_term
    plan = _complete_plan(old, m["王书记"], date(2021, 10, 15))
    draft = portfolio_plan_create(term=old, actor=None)
    arrangement = substitute_designate(member=m["钱常委"], substitute=m["孙常委"], effective_from=STARTS, actor=None)
    term_member_leave(member=m["吴委员"], left_on=date(2024, 2, 1), reason="退休", actor=None)

    new = term_change(committee=old.committee, starts_on=date(2026, 9, 28), actor=zuzhi, alternates_quota=5)

    old.refresh_from_db()
    assert (old.ends_on, old.is_current) == (date(2026, 9, 28), False)
    assert old.members.count() == 10  # every seat stays, with who left and why
    assert old.members.get(pk=m["吴委员"].pk).left_reason == "退休"
    assert old.members.filter(left_on__isnull=True).count() == 9
    plan.refresh_from_db()
    assert (plan.status, plan.superseded_on) == (PortfolioPlan.Status.SUPERSEDED, date(2026, 9, 28))
    assert not PortfolioPlan.objects.filter(pk=draft.pk).exists()  # an unfinished draft is dropped
    arrangement.refresh_from_db()
    assert arrangement.superseded_on == date(2026, 9, 28)
    assert plan_in_force(term=old, on=date(2026, 9, 27)) == plan  # the old term still reads as it was

    assert (new.number, new.starts_on, new.ends_on) == (2, date(2026, 9, 28), None)
    assert (new.members_quota, new.alternates_quota, new.standing_quota, new.deputy_secretaries_quota) == (9, 5, 5, 2)
    assert not new.members.exists()
    assert Term.objects.get(ends_on__isnull=True) == new
    event = AuditEvent.objects.get(action="term.changed")
    assert (event.actor, event.object_id) == (zuzhi, str(new.pk))
    assert event.details == {
        "previous_term": old.pk,
        "previous_number": 1,
        "starts_on": "2026-09-28",
        "substitute_arrangements_ended": 1,
        "members_quota": 9,
        "alternates_quota": 5,
        "standing_quota": 5,
        "deputy_secretaries_quota": 2,
    }
    # what the change ended is on the audit trail too
    assert AuditEvent.objects.get(action="portfolio_plan.superseded", object_id=str(plan.pk)).details["by"] == (
        "term.changed"
    )
    assert AuditEvent.objects.filter(action="portfolio_plan.discarded", object_id=str(draft.pk)).exists()


def test_an_old_term_can_no_longer_be_changed(committee_term):
    old, m = committee_term
    term_change(committee=old.committee, starts_on=date(2026, 9, 28), actor=None)
    old.refresh_from_db()
    with pytest.raises(ApplicationError, match="已于2026年09月28日换届，不能再变动成员"):
        term_member_add(term=old, cadre=make_person("新人"), role=R.MEMBER, joined_on=STARTS, actor=None)
    with pytest.raises(ApplicationError, match="换届"):
        term_member_update(member=m["周委员"], order=5, actor=None)
    with pytest.raises(ApplicationError, match="换届"):
        term_update(term=old, members_quota=20, actor=None)


def test_a_term_change_starts_after_the_current_term_and_its_members(committee_term):
    old, _m = committee_term
    with pytest.raises(ApplicationError) as excinfo:
        term_change(committee=old.committee, starts_on=STARTS, actor=None)
    assert excinfo.value.field == "starts_on"
    assert Term.objects.count() == 1


def test_creating_a_committee_and_term_is_audited(db, zuzhi):
    build_term(actor=zuzhi, roster={"王书记": (R.SECRETARY, {})})
    assert list(AuditEvent.objects.filter(actor=zuzhi).order_by("pk").values_list("action", flat=True)) == [
        "committee.created",
        "term.created",
        "term_member.added",
    ]


def test_the_database_keeps_one_current_term(committee_term):
    from django.db import IntegrityError, transaction

    old, _m = committee_term
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(committee=old.committee, number=2, starts_on=date(2026, 1, 1))
