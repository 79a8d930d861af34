"""Work areas and portfolio plans (分工): activation refused over gaps, overlaps and unavailable leads, drafts
and versions, one draft per term, discarding, and the audit trail of every change."""

from __future__ import annotations

from datetime import date

import pytest

from committees.models import PortfolioAssignment, PortfolioPlan, TermMember, WorkArea
from committees.selectors import plan_in_force, plan_lead_changes
from committees.services import (
    committee_create,
    portfolio_assignment_set,
    portfolio_plan_activate,
    portfolio_plan_create,
    portfolio_plan_discard,
    portfolio_plan_update,
    term_create,
    term_member_add,
    term_member_change_role,
    term_member_leave,
    work_area_create,
    work_area_update,
)
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent, Notification
from tests.cadres.factories import make_cadre, make_unit

R = TermMember.Role
LEAD, ASSIST = PortfolioAssignment.Kind.LEAD, PortfolioAssignment.Kind.ASSIST
STARTS = date(2021, 9, 28)
V1_FROM = date(2021, 10, 15)
V2_FROM = date(2024, 3, 1)

# name, role, current post, concurrent post
STANDING = [
    ("陈书记", R.SECRETARY, "区委书记", ""),
    ("李区长", R.DEPUTY_SECRETARY, "区委副书记", "区长"),
    ("王组织", R.STANDING_MEMBER, "区委常委、组织部部长", ""),
    ("赵宣传", R.STANDING_MEMBER, "区委常委、宣传部部长", ""),
    ("钱经济", R.STANDING_MEMBER, "区委常委、常务副区长", ""),
]
AREAS = ("组织", "宣传", "经济")


# --- setup shared with the page, PDF and browser tests ------------------------------------------------------------


def use_areas(*names: str, actor=None) -> dict[str, WorkArea]:
    """Exactly these areas in use (the catalogue's other areas taken out of use), by name."""
    for area in WorkArea.objects.exclude(name__in=names).filter(active=True):
        work_area_update(area=area, active=False, actor=actor)
    result = {}
    for name in names:
        area = WorkArea.objects.filter(name=name).first()
        if area is None:
            area = work_area_create(name=name, actor=actor)
        elif not area.active:
            area = work_area_update(area=area, active=True, actor=actor)
        result[name] = area
    return result


def make_standing_term(people=STANDING, *, users: dict | None = None):
    """A current term with the given standing members (and their cadres linked to `users` by name)."""
    committee = committee_create(name="中共测试区委员会", short_name="测试区委", actor=None)
    term = term_create(committee=committee, number=1, starts_on=STARTS, actor=None, standing_quota=9)
    unit = make_unit("中共测试区委员会")
    members = {}
    for order, (name, role, post, concurrent) in enumerate(people):
        user = (users or {}).get(name)
        cadre = make_cadre(unit, name, current_post=post, user=user)
        members[name] = term_member_add(
            term=term, cadre=cadre, role=role, joined_on=STARTS, order=order, concurrent_post=concurrent, actor=None
        )
    return term, members


def draft_plan(term, *, leads=(), assists=(), actor=None, based_on=None) -> PortfolioPlan:
    """A draft whose cells are set through the service: leads/assists as (area, member) pairs."""
    plan = portfolio_plan_create(term=term, actor=actor, based_on=based_on)
    for kind, pairs in ((LEAD, leads), (ASSIST, assists)):
        for area, member in pairs:
            portfolio_assignment_set(plan=plan, area=area, member=member, kind=kind, actor=actor)
    return plan


@pytest.fixture
def organizer(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi", last_name="组织科", first_name="小周")


@pytest.fixture
def areas(db):
    return use_areas(*AREAS)


@pytest.fixture
def term_and_members(db):
    return make_standing_term()


@pytest.fixture
def term(term_and_members):
    return term_and_members[0]


@pytest.fixture
def m(term_and_members):
    return term_and_members[1]


@pytest.fixture
def complete(areas, m):
    """One lead per area: 组织 王组织, 宣传 赵宣传, 经济 钱经济 (assisted by 李区长)."""
    return {
        "leads": [(areas["组织"], m["王组织"]), (areas["宣传"], m["赵宣传"]), (areas["经济"], m["钱经济"])],
        "assists": [(areas["经济"], m["李区长"])],
    }


def activation_refusal(plan, on=V1_FROM) -> ApplicationError:
    with pytest.raises(ApplicationError) as excinfo:
        portfolio_plan_activate(plan=plan, effective_from=on, actor=None)
    plan.refresh_from_db()
    assert plan.status == PortfolioPlan.Status.DRAFT  # nothing changed
    return excinfo.value


# --- activation: gaps, overlaps, unavailable leads ----------------------------------------------------------------


def test_a_plan_with_a_gap_is_refused_naming_the_area(term, m, areas):
    plan = draft_plan(term, leads=[(areas["组织"], m["王组织"]), (areas["宣传"], m["赵宣传"])])

    error = activation_refusal(plan)

    assert error.message == "分工不能生效：空挡（没有牵头常委）：经济"
    assert error.field == "effective_from"
    assert error.extra == {"gaps": ["经济"], "overlaps": {}}


def test_an_assisting_member_does_not_fill_a_gap(term, m, areas):
    plan = draft_plan(
        term,
        leads=[(areas["组织"], m["王组织"]), (areas["宣传"], m["赵宣传"])],
        assists=[(areas["经济"], m["钱经济"])],
    )
    assert activation_refusal(plan).message == "分工不能生效：空挡（没有牵头常委）：经济"


def test_a_plan_with_an_overlap_is_refused_naming_the_area_and_both_leads(term, m, areas):
    # the second lead is added first: the message names them in the committee's order all the same
    plan = draft_plan(
        term,
        leads=[
            (areas["组织"], m["钱经济"]),
            (areas["组织"], m["王组织"]),
            (areas["宣传"], m["赵宣传"]),
            (areas["经济"], m["钱经济"]),
        ],
    )

    error = activation_refusal(plan)

    assert error.message == "分工不能生效：重叠：组织有2名牵头常委（王组织、钱经济）"
    assert error.extra == {"gaps": [], "overlaps": {"组织": ["王组织", "钱经济"]}}


def test_a_plan_with_gaps_and_overlaps_is_refused_naming_every_one(term, m, areas):
    plan = draft_plan(
        term,
        leads=[
            (areas["组织"], m["王组织"]),
            (areas["组织"], m["赵宣传"]),
            (areas["组织"], m["李区长"]),
            (areas["经济"], m["钱经济"]),
            (areas["经济"], m["李区长"]),
        ],
    )

    error = activation_refusal(plan)

    assert error.message == (
        "分工不能生效：空挡（没有牵头常委）：宣传；"
        "重叠：组织有3名牵头常委（李区长、王组织、赵宣传）；"
        "重叠：经济有2名牵头常委（李区长、钱经济）"
    )
    assert error.extra == {
        "gaps": ["宣传"],
        "overlaps": {"组织": ["李区长", "王组织", "赵宣传"], "经济": ["李区长", "钱经济"]},
    }


def test_an_empty_plan_names_every_area_in_use(term, areas):
    plan = draft_plan(term)
    assert activation_refusal(plan).message == "分工不能生效：空挡（没有牵头常委）：组织、宣传、经济"


def test_a_lead_who_left_the_term_is_refused(term, m, complete):
    plan = draft_plan(term, **complete)
    term_member_leave(member=m["钱经济"], left_on=date(2021, 10, 10), reason="调任市里工作", actor=None)

    error = activation_refusal(plan)

    assert error.message == "分工不能生效：经济的牵头常委钱经济已于2021-10-10离任"


def test_a_lead_who_leaves_after_the_plan_takes_effect_is_not_refused(term, m, complete):
    plan = draft_plan(term, **complete)
    term_member_leave(member=m["钱经济"], left_on=date(2022, 1, 1), reason="调任市里工作", actor=None)
    portfolio_plan_activate(plan=plan, effective_from=V1_FROM, actor=None)
    assert plan_in_force(term=term, on=V1_FROM) == plan


def test_a_lead_no_longer_a_standing_member_is_refused(term, m, complete):
    plan = draft_plan(term, **complete)
    term_member_change_role(member=m["赵宣传"], role=R.MEMBER, changed_on=date(2021, 10, 8), actor=None)

    error = activation_refusal(plan)

    assert error.message == "分工不能生效：宣传的牵头常委赵宣传已不是常委"


def test_only_serving_standing_members_get_areas(term, m, areas):
    plan = draft_plan(term)
    ordinary = term_member_add(
        term=term, cadre=make_cadre(make_unit(), "孙委员"), role=R.MEMBER, joined_on=STARTS, actor=None
    )
    with pytest.raises(ApplicationError, match=r"^孙委员不是常委，不能分管领域$"):
        portfolio_assignment_set(plan=plan, area=areas["组织"], member=ordinary, kind=LEAD, actor=None)
    term_member_leave(member=m["王组织"], left_on=date(2021, 10, 1), reason="退休", actor=None)
    with pytest.raises(ApplicationError, match=r"^王组织已于2021-10-01离任$"):
        portfolio_assignment_set(plan=plan, area=areas["组织"], member=m["王组织"], kind=LEAD, actor=None)
    assert not plan.assignments.exists()


def test_a_complete_plan_takes_effect(term, m, complete, organizer):
    plan = draft_plan(term, **complete)

    portfolio_plan_activate(plan=plan, effective_from=V1_FROM, actor=organizer)

    plan.refresh_from_db()
    assert (plan.status, plan.effective_from, plan.superseded_on) == ("active", V1_FROM, None)
    assert plan.activated_by == organizer and plan.activated_at is not None
    assert plan_in_force(term=term, on=V1_FROM) == plan
    assert plan_in_force(term=term, on=date(2021, 10, 14)) is None


def test_an_area_out_of_use_is_no_gap_but_stays_shown_while_held(term, m, complete, areas):
    plan = draft_plan(term, **complete)
    work_area_update(area=areas["经济"], active=False, actor=None)
    portfolio_plan_activate(plan=plan, effective_from=V1_FROM, actor=None)  # 经济 is no longer required

    draft = portfolio_plan_create(term=term, actor=None)
    # who holds it may let it go, but nobody takes it up again
    portfolio_assignment_set(plan=draft, area=areas["经济"], member=m["李区长"], kind=None, actor=None)
    with pytest.raises(ApplicationError, match=r"^领域“经济”已停用$"):
        portfolio_assignment_set(plan=draft, area=areas["经济"], member=m["赵宣传"], kind=LEAD, actor=None)


def test_a_new_area_in_use_must_be_covered_by_the_next_version(term, m, complete):
    v1 = draft_plan(term, **complete)
    portfolio_plan_activate(plan=v1, effective_from=V1_FROM, actor=None)
    work_area_create(name="审计", actor=None)

    v2 = portfolio_plan_create(term=term, actor=None)

    assert activation_refusal(v2, on=V2_FROM).message == "分工不能生效：空挡（没有牵头常委）：审计"


def test_activation_dates_must_fall_in_the_term_and_after_the_plan_in_force(term, m, complete):
    v1 = draft_plan(term, **complete)
    with pytest.raises(ApplicationError, match=r"^生效日期不能早于测试区委第1届的起始日期2021-09-28$"):
        portfolio_plan_activate(plan=v1, effective_from=date(2021, 9, 1), actor=None)
    portfolio_plan_activate(plan=v1, effective_from=V1_FROM, actor=None)
    v2 = portfolio_plan_create(term=term, actor=None)
    with pytest.raises(ApplicationError, match=r"^生效日期不能早于现行分工（第1版）的生效日期2021-10-15$"):
        portfolio_plan_activate(plan=v2, effective_from=date(2021, 10, 1), actor=None)


# --- drafts and versions --------------------------------------------------------------------------------------


def test_a_draft_is_editable_and_a_plan_in_force_is_not(term, m, complete, areas):
    plan = draft_plan(term, **complete)
    portfolio_plan_update(plan=plan, title="届初分工", note="经区委常委会研究", actor=None)
    portfolio_assignment_set(plan=plan, area=areas["宣传"], member=m["李区长"], kind=ASSIST, actor=None)
    portfolio_assignment_set(plan=plan, area=areas["宣传"], member=m["李区长"], kind=None, actor=None)
    portfolio_plan_activate(plan=plan, effective_from=V1_FROM, actor=None)

    refusal = "^测试区委第1届常委分工（第1版）已生效，不能再修改；请在其基础上起草新版本$"
    with pytest.raises(ApplicationError, match=refusal):
        portfolio_assignment_set(plan=plan, area=areas["组织"], member=m["赵宣传"], kind=LEAD, actor=None)
    with pytest.raises(ApplicationError, match=refusal):
        portfolio_plan_update(plan=plan, title="改标题", actor=None)
    with pytest.raises(ApplicationError, match=refusal):
        portfolio_plan_discard(plan=plan, actor=None)
    plan.refresh_from_db()
    assert (plan.title, plan.status) == ("届初分工", "active")
    assert sorted(plan.assignments.values_list("area__name", "member__cadre__name", "kind")) == [
        ("宣传", "赵宣传", "lead"),
        ("组织", "王组织", "lead"),
        ("经济", "李区长", "assist"),
        ("经济", "钱经济", "lead"),
    ]


def test_a_new_version_supersedes_the_old_one_on_its_date_and_both_are_kept(term, m, complete, areas):
    v1 = draft_plan(term, **complete)
    portfolio_plan_activate(plan=v1, effective_from=V1_FROM, actor=None)

    v2 = portfolio_plan_create(term=term, actor=None)
    assert (v2.version, v2.based_on, v2.status) == (2, v1, "draft")
    assert v2.assignments.count() == 4  # a copy of the plan in force
    portfolio_assignment_set(plan=v2, area=areas["宣传"], member=m["赵宣传"], kind=None, actor=None)
    portfolio_assignment_set(plan=v2, area=areas["宣传"], member=m["王组织"], kind=LEAD, actor=None)
    # while v2 is drafted, v1 stays in force
    assert plan_in_force(term=term, on=date(2026, 1, 1)) == v1

    portfolio_plan_activate(plan=v2, effective_from=V2_FROM, actor=None)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.effective_from, v1.superseded_on) == ("superseded", V1_FROM, V2_FROM)
    assert (v2.status, v2.effective_from, v2.superseded_on) == ("active", V2_FROM, None)
    assert plan_in_force(term=term, on=date(2021, 10, 14)) is None
    assert plan_in_force(term=term, on=V1_FROM) == v1
    assert plan_in_force(term=term, on=date(2024, 2, 29)) == v1
    assert plan_in_force(term=term, on=V2_FROM) == v2
    assert plan_in_force(term=term, on=date(2026, 1, 1)) == v2
    # the old version keeps its own cells
    assert v1.assignments.get(area=areas["宣传"], kind=LEAD).member == m["赵宣传"]
    assert v2.assignments.get(area=areas["宣传"], kind=LEAD).member == m["王组织"]
    changes = plan_lead_changes(v2)
    assert [(c.area.name, [x.cadre.name for x in c.before], [x.cadre.name for x in c.after]) for c in changes] == [
        ("宣传", ["赵宣传"], ["王组织"])
    ]


def test_a_superseded_version_can_no_longer_take_effect(term, m, complete):
    v1 = draft_plan(term, **complete)
    portfolio_plan_activate(plan=v1, effective_from=V1_FROM, actor=None)
    v2 = portfolio_plan_create(term=term, actor=None)
    portfolio_plan_activate(plan=v2, effective_from=V2_FROM, actor=None)

    with pytest.raises(ApplicationError, match=r"^测试区委第1届常委分工（第1版）已被取代，不能再生效$"):
        portfolio_plan_activate(plan=v1, effective_from=date(2025, 1, 1), actor=None)


def test_the_copy_leaves_out_members_who_left(term, m, complete):
    v1 = draft_plan(term, **complete)
    portfolio_plan_activate(plan=v1, effective_from=V1_FROM, actor=None)
    term_member_leave(member=m["钱经济"], left_on=date(2023, 12, 1), reason="调任", actor=None)

    v2 = portfolio_plan_create(term=term, actor=None)

    assert sorted(v2.assignments.values_list("area__name", "member__cadre__name")) == [
        ("宣传", "赵宣传"),
        ("组织", "王组织"),
        ("经济", "李区长"),
    ]
    assert activation_refusal(v2, on=V2_FROM).message == "分工不能生效：空挡（没有牵头常委）：经济"


def test_one_draft_per_term(term, complete):
    first = portfolio_plan_create(term=term, actor=None)
    with pytest.raises(ApplicationError, match=r"^已有未生效的草稿（第1版），请先完成或废弃它$"):
        portfolio_plan_create(term=term, actor=None)
    portfolio_plan_discard(plan=first, actor=None)
    second = portfolio_plan_create(term=term, actor=None)
    assert second.version == 1  # the discarded draft left no version behind
    assert list(term.portfolio_plans.values_list("pk", flat=True)) == [second.pk]


def test_discarding_a_draft_keeps_the_plan_in_force(term, m, complete):
    v1 = draft_plan(term, **complete)
    portfolio_plan_activate(plan=v1, effective_from=V1_FROM, actor=None)
    v2 = portfolio_plan_create(term=term, actor=None)

    portfolio_plan_discard(plan=v2, actor=None)

    assert not PortfolioPlan.objects.filter(pk=v2.pk).exists()
    assert not PortfolioAssignment.objects.filter(plan_id=v2.pk).exists()
    v1.refresh_from_db()
    assert v1.status == "active"
    assert v1.assignments.count() == 4


def test_standing_members_with_an_account_are_told_when_a_plan_takes_effect(db, make_user):
    user = make_user(roles.STANDING_MEMBER, username="wangzz")
    term, m = make_standing_term(users={"王组织": user})
    areas = use_areas(*AREAS)
    plan = draft_plan(
        term, leads=[(areas["组织"], m["王组织"]), (areas["宣传"], m["赵宣传"]), (areas["经济"], m["钱经济"])]
    )
    portfolio_plan_activate(plan=plan, effective_from=V1_FROM, actor=None)
    notice = Notification.objects.get(recipient=user)
    assert notice.title == "常委分工第1版自2021年10月15日起施行"


# --- the catalogue ----------------------------------------------------------------------------------------------


def test_work_area_names_are_required_and_unique(db):
    use_areas(*AREAS)
    with pytest.raises(ApplicationError, match=r"^已有名为“组织”的领域$"):
        work_area_create(name=" 组织 ", actor=None)
    with pytest.raises(ApplicationError, match=r"^请填写领域名称$"):
        work_area_create(name="  ", actor=None)
    area = work_area_create(name="审计", actor=None)
    assert area.order > WorkArea.objects.exclude(pk=area.pk).order_by("-order").first().order  # goes to the end
    with pytest.raises(ApplicationError, match=r"^已有名为“宣传”的领域$"):
        work_area_update(area=area, name="宣传", actor=None)


# --- the audit trail ------------------------------------------------------------------------------------------


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_every_change_is_audited_with_its_details(term, m, organizer):
    area = work_area_create(name="审计", description="审计工作", actor=organizer)
    work_area_update(area=area, description="内部审计", order=999, actor=organizer)
    areas = use_areas("组织", "审计", actor=organizer)
    v1 = portfolio_plan_create(term=term, actor=organizer)
    portfolio_plan_update(plan=v1, title="届初分工", actor=organizer)
    portfolio_assignment_set(plan=v1, area=areas["组织"], member=m["王组织"], kind=LEAD, actor=organizer)
    portfolio_assignment_set(plan=v1, area=areas["审计"], member=m["钱经济"], kind=ASSIST, actor=organizer)
    portfolio_assignment_set(plan=v1, area=areas["审计"], member=m["钱经济"], kind=LEAD, actor=organizer)
    portfolio_plan_activate(plan=v1, effective_from=V1_FROM, actor=organizer)
    v2 = portfolio_plan_create(term=term, actor=organizer)
    portfolio_plan_activate(plan=v2, effective_from=V2_FROM, actor=organizer)
    v3 = portfolio_plan_create(term=term, actor=organizer)
    portfolio_assignment_set(plan=v3, area=areas["审计"], member=m["钱经济"], kind=None, actor=organizer)
    portfolio_plan_discard(plan=v3, actor=organizer)

    ours = AuditEvent.objects.filter(action__regex=r"^(work_area|portfolio_plan|portfolio_assignment)\.")
    assert {e.actor for e in ours} == {organizer}
    [created] = events("work_area.created")
    assert (created.object_id, created.details) == (str(area.pk), {"name": "审计", "active": True})
    updated = events("work_area.updated")
    assert updated[0].details == {"changes": {"description": ["审计工作", "内部审计"], "order": [area.order, 999]}}
    assert {e.details["changes"]["active"][1] for e in updated[1:]} == {False}  # the seeded areas taken out of use
    drafted = events("portfolio_plan.drafted")
    assert [e.details for e in drafted] == [
        {"version": 1, "based_on": None, "assignments_copied": 0},
        {"version": 2, "based_on": v1.pk, "assignments_copied": 2},
        {"version": 3, "based_on": v2.pk, "assignments_copied": 2},
    ]
    [retitled] = events("portfolio_plan.updated")
    assert retitled.details == {"changes": {"title": ["", "届初分工"]}}
    assert [e.details for e in events("portfolio_assignment.set")] == [
        {"area": "组织", "member": "王组织", "member_id": m["王组织"].pk, "from": None, "to": "lead"},
        {"area": "审计", "member": "钱经济", "member_id": m["钱经济"].pk, "from": None, "to": "assist"},
        {"area": "审计", "member": "钱经济", "member_id": m["钱经济"].pk, "from": "assist", "to": "lead"},
        {"area": "审计", "member": "钱经济", "member_id": m["钱经济"].pk, "from": "lead", "to": None},
    ]
    activated = events("portfolio_plan.activated")
    assert [(e.object_id, e.details) for e in activated] == [
        (
            str(v1.pk),
            {"from": "draft", "to": "active", "effective_from": "2021-10-15", "superseded_version": None},
        ),
        (
            str(v2.pk),
            {"from": "draft", "to": "active", "effective_from": "2024-03-01", "superseded_version": 1},
        ),
    ]
    [superseded] = events("portfolio_plan.superseded")
    assert (superseded.object_id, superseded.details) == (
        str(v1.pk),
        {"from": "active", "to": "superseded", "superseded_on": "2024-03-01", "by_version": 2},
    )
    [discarded] = events("portfolio_plan.discarded")
    assert (discarded.object_id, discarded.details) == (str(v3.pk), {"version": 3, "assignments": 1})


def test_a_refused_activation_writes_no_event(term, areas):
    plan = draft_plan(term)
    activation_refusal(plan)
    assert not AuditEvent.objects.filter(action__startswith="portfolio_plan.", action__endswith="activated").exists()
