"""Position quotas (职数): quota_check's refusals and row lock, occupancy following appointments, quota_set,
and the overview page of every unit's quota lines."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Position, PositionQuota, Rank, Unit
from cadres.services import (
    cadre_assign_position,
    cadre_update,
    occupancy,
    position_create,
    quota_check,
    quota_lines,
    quota_set,
)
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

OVERVIEW_URL = reverse("cadres:quota_overview")


@pytest.fixture
def bureau(db):
    return make_unit("区财政局", order=1)


@pytest.fixture
def posts(bureau):
    def post(title, level, **fields):
        return position_create(unit=bureau, title=title, level=level, actor=None, **fields)

    return {
        "head": post("局长", Rank.ZHENG_KE, role=Position.Role.HEAD),
        "deputy": post("副局长", Rank.FU_KE, role=Position.Role.DEPUTY),
        "accountant": post("总会计师", Rank.FU_KE, role=Position.Role.DEPUTY),
        "office": post("办公室主任", Rank.FU_KE, leading=False),
    }


def appoint(cadre, position, start=date(2020, 1, 1), **kwargs):
    return cadre_assign_position(cadre=cadre, position=position, start_month=start, actor=None, **kwargs)


def occupied(unit, level) -> int:
    return occupancy([unit]).get((unit.pk, level), 0)


def check(unit, level, **kwargs):
    with transaction.atomic():
        return quota_check(unit=unit, level=level, **kwargs)


# --- quota_check ------------------------------------------------------------------------------------------


def test_quota_check_allows_an_appointment_within_the_approved_number(bureau, posts):
    quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=None)
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    line = check(bureau, Rank.FU_KE)
    assert (line.approved, line.occupied, line.vacant, line.over) == (2, 1, 1, False)


def test_quota_check_refuses_beyond_the_approved_number_citing_unit_level_and_numbers(bureau, posts):
    quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=None)
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    appoint(make_cadre(bureau, "王副"), posts["accountant"])
    with pytest.raises(ApplicationError) as excinfo:
        check(bureau, Rank.FU_KE)
    assert excinfo.value.message == ("超职数配备：区财政局副科级领导职数核定2名，已配备2名，再配备1名将达到3名")
    line = excinfo.value.extra["line"]
    assert (line.unit, line.level, line.approved, line.occupied) == (bureau, Rank.FU_KE, 2, 2)


def test_quota_check_refuses_several_at_once_beyond_the_number(bureau, posts):
    quota_set(unit=bureau, level=Rank.FU_KE, approved=3, actor=None)
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    check(bureau, Rank.FU_KE, adding=2)
    with pytest.raises(ApplicationError, match="已配备1名，再配备3名将达到4名"):
        check(bureau, Rank.FU_KE, adding=3)


def test_quota_check_refuses_a_level_with_no_approved_posts(bureau, posts):
    with pytest.raises(ApplicationError, match="区财政局未核定正科级领导职数，不能配备（超职数配备）"):
        check(bureau, Rank.ZHENG_KE)


def test_an_approved_number_of_zero_refuses_every_appointment(bureau, posts):
    quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=0, actor=None)
    with pytest.raises(ApplicationError, match="核定0名，已配备0名"):
        check(bureau, Rank.ZHENG_KE)


def test_releasing_counts_the_posts_the_same_decision_frees(bureau, posts):
    quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=None)
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    appoint(make_cadre(bureau, "王副"), posts["accountant"])
    line = check(bureau, Rank.FU_KE, releasing=1)
    assert line.occupied == 2
    with pytest.raises(ApplicationError) as excinfo:
        check(bureau, Rank.FU_KE, adding=2, releasing=1)
    assert "已配备2名，本次免去1名，再配备2名将达到3名" in excinfo.value.message


def test_a_cadre_already_holding_a_post_of_the_level_is_not_counted_again(bureau, posts):
    quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=None)
    li = make_cadre(bureau, "李副")
    appoint(li, posts["deputy"])
    appoint(make_cadre(bureau, "王副"), posts["accountant"])
    # 李副 taking the second 副科级 post as well still fills two posts
    line = check(bureau, Rank.FU_KE, cadre=li)
    assert (line.approved, line.occupied) == (2, 2)
    assert occupied(bureau, Rank.FU_KE) == 2
    # someone new is still refused, and so is 李副 bringing another new holder with him
    with pytest.raises(ApplicationError, match="已配备2名，再配备1名将达到3名"):
        check(bureau, Rank.FU_KE, cadre=make_cadre(bureau, "赵新"))
    with pytest.raises(ApplicationError, match="已配备2名，再配备1名将达到3名"):
        check(bureau, Rank.FU_KE, adding=2, cadre=li)
    # a post of the level in another unit does not count
    other = make_unit("区税务局")
    quota_set(unit=other, level=Rank.FU_KE, approved=0, actor=None)
    with pytest.raises(ApplicationError, match="核定0名"):
        check(other, Rank.FU_KE, cadre=li)


def test_quota_check_rejects_nonsense_counts(bureau):
    with pytest.raises(ValueError):
        check(bureau, Rank.FU_KE, adding=0)
    with pytest.raises(ValueError):
        check(bureau, Rank.FU_KE, releasing=-1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_quota_check_locks_the_quota_row_until_the_appointment_commits():
    unit = make_unit("区审计局")
    quota_set(unit=unit, level=Rank.FU_KE, approved=2, actor=None)
    outcomes: list[str] = []

    def try_to_lock():
        try:
            with transaction.atomic():
                PositionQuota.objects.select_for_update(nowait=True).get(unit=unit, level=Rank.FU_KE)
            outcomes.append("locked it")
        except DatabaseError:
            outcomes.append("refused")
        finally:
            connection.close()

    with transaction.atomic():
        quota_check(unit=unit, level=Rank.FU_KE)
        other = threading.Thread(target=try_to_lock)
        other.start()
        other.join()
    after = threading.Thread(target=try_to_lock)
    after.start()
    after.join()
    # while the deciding transaction is open another cannot take the row; after it commits it can
    assert outcomes == ["refused", "locked it"]


@pytest.mark.django_db(transaction=True)
def test_quota_check_needs_a_transaction():
    unit = make_unit("区统计局")
    quota_set(unit=unit, level=Rank.FU_KE, approved=2, actor=None)
    with pytest.raises(TransactionManagementError):
        quota_check(unit=unit, level=Rank.FU_KE)


# --- occupancy follows appointments ------------------------------------------------------------------------


def test_only_current_leading_posts_count(bureau, posts):
    office_head = make_cadre(bureau, "赵主任")
    appoint(office_head, posts["office"])
    assert occupied(bureau, Rank.FU_KE) == 0
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    assert occupied(bureau, Rank.FU_KE) == 1


def test_a_cadre_holding_two_posts_of_a_level_counts_once(bureau, posts):
    cadre = make_cadre(bureau, "李副")
    appoint(cadre, posts["deputy"])
    appoint(cadre, posts["accountant"], concurrent=True)
    assert occupied(bureau, Rank.FU_KE) == 1


def test_occupancy_follows_cadre_assign_position(bureau, posts):
    other_unit = make_unit("区税务局")
    other_post = position_create(unit=other_unit, title="副局长", level=Rank.FU_KE, actor=None)
    cadre = make_cadre(bureau, "李副")

    appoint(cadre, posts["deputy"], date(2018, 3, 1))
    assert (occupied(bureau, Rank.FU_KE), occupied(other_unit, Rank.FU_KE)) == (1, 0)

    appoint(cadre, other_post, date(2022, 5, 1))  # moved: the old post ends
    assert (occupied(bureau, Rank.FU_KE), occupied(other_unit, Rank.FU_KE)) == (0, 1)

    appoint(cadre, posts["head"], date(2023, 1, 1), concurrent=True)  # a second post in the first unit
    assert occupied(bureau, Rank.ZHENG_KE) == 1
    assert occupied(other_unit, Rank.FU_KE) == 1


def test_occupancy_follows_cadre_update(bureau, posts):
    other_unit = make_unit("区税务局")
    cadre = make_cadre(bureau, "李副")
    appoint(cadre, posts["deputy"])
    cadre.refresh_from_db()
    cadre = cadre_update(cadre=cadre, actor=None, current_post="局长", rank=Rank.ZHENG_KE)
    # the unit's 局长 post exists: the cadre now holds it, and the deputy post is free
    assert (occupied(bureau, Rank.ZHENG_KE), occupied(bureau, Rank.FU_KE)) == (1, 0)

    cadre_update(cadre=cadre, actor=None, unit=other_unit, current_post="副局长", rank=Rank.FU_KE)
    assert (occupied(bureau, Rank.ZHENG_KE), occupied(other_unit, Rank.FU_KE)) == (0, 1)


def test_quota_lines_show_levels_with_a_quota_or_a_holder(bureau, posts):
    quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=1, actor=None)
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    lines = {line.level: line for line in quota_lines([bureau])}
    assert list(lines) == [Rank.ZHENG_KE, Rank.FU_KE]  # statutory order
    assert (lines[Rank.ZHENG_KE].approved, lines[Rank.ZHENG_KE].occupied, lines[Rank.ZHENG_KE].vacant) == (1, 0, 1)
    assert (lines[Rank.FU_KE].approved, lines[Rank.FU_KE].occupied) == (None, 1)


# --- quota_set ---------------------------------------------------------------------------------------------


def test_quota_set_creates_changes_and_removes_a_line_with_audit(bureau, make_user):
    actor = make_user(roles.CADRE_SECTION)
    quota_set(unit=bureau, level=Rank.FU_KE, approved=3, actor=actor)
    quota_set(unit=bureau, level=Rank.FU_KE, approved=3, actor=actor)  # unchanged: nothing recorded
    quota_set(unit=bureau, level=Rank.FU_KE, approved=2, actor=actor)
    assert PositionQuota.objects.get(unit=bureau, level=Rank.FU_KE).approved == 2
    quota_set(unit=bureau, level=Rank.FU_KE, approved=None, actor=actor)
    assert not PositionQuota.objects.filter(unit=bureau).exists()
    changes = [e.details for e in AuditEvent.objects.filter(action="quota.changed").order_by("id")]
    assert [(c["from"], c["to"]) for c in changes] == [(None, 3), (3, 2), (2, None)]


@pytest.mark.parametrize(
    ("level", "approved", "message"),
    [("处长", 1, "未知的职务层次“处长”"), (Rank.FU_KE, -1, "核定职数不能为负数")],
)
def test_quota_set_refuses_bad_values(bureau, level, approved, message):
    with pytest.raises(ApplicationError, match=message):
        quota_set(unit=bureau, level=level, approved=approved, actor=None)
    assert not PositionQuota.objects.exists()


# --- the overview page ----------------------------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def over_quota(bureau, posts):
    """区财政局 副科级: 1 approved, 2 held (over); 正科级: 1 approved, vacant. 城关街道 副科级: 2 approved, 1 held."""
    quota_set(unit=bureau, level=Rank.ZHENG_KE, approved=1, actor=None)
    quota_set(unit=bureau, level=Rank.FU_KE, approved=1, actor=None)
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    appoint(make_cadre(bureau, "王副"), posts["accountant"])
    township = make_unit("城关街道", kind=Unit.Kind.TOWNSHIP, order=2)
    deputy = position_create(unit=township, title="副主任", level=Rank.FU_KE, actor=None)
    quota_set(unit=township, level=Rank.FU_KE, approved=2, actor=None)
    appoint(make_cadre(township, "周副"), deputy)
    return township


def rows(response) -> list[tuple[str, str, str]]:
    return [(r["line"].unit.name, r["line"].level, r["status"]) for r in response.context["object_list"]]


def test_the_overview_shows_every_units_lines_with_over_quota_highlighted(client, staff, over_quota):
    client.force_login(staff)
    response = client.get(OVERVIEW_URL)
    assert response.status_code == 200
    assert rows(response) == [
        ("区财政局", Rank.ZHENG_KE, "vacant"),
        ("区财政局", Rank.FU_KE, "over"),
        ("城关街道", Rank.FU_KE, "vacant"),
    ]
    html = response.content.decode()
    assert 'class="quota-over over"' in html
    assert response.context["over_count"] == 1


def test_the_overview_filters(client, staff, over_quota):
    client.force_login(staff)
    assert rows(client.get(OVERVIEW_URL, {"over_only": "on"})) == [("区财政局", Rank.FU_KE, "over")]
    assert rows(client.get(OVERVIEW_URL, {"kind": Unit.Kind.TOWNSHIP})) == [("城关街道", Rank.FU_KE, "vacant")]
    assert [r[0] for r in rows(client.get(OVERVIEW_URL, {"level": Rank.FU_KE}))] == ["区财政局", "城关街道"]
    assert [r[0] for r in rows(client.get(OVERVIEW_URL, {"q": "财政"}))] == ["区财政局", "区财政局"]


def test_the_overview_counts_holders_of_a_level_without_a_quota_as_over(client, staff, bureau, posts):
    appoint(make_cadre(bureau, "李副"), posts["deputy"])
    client.force_login(staff)
    response = client.get(OVERVIEW_URL, {"over_only": "on"})
    assert rows(response) == [("区财政局", Rank.FU_KE, "over")]
    assert 'class="quota-over over"' in response.content.decode()


def test_the_overview_htmx_request_gets_the_results_only(client, staff, over_quota):
    client.force_login(staff)
    html = client.get(OVERVIEW_URL, {"over_only": "on"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html
    assert 'data-testid="quota-table"' in html


@pytest.mark.parametrize("role", [roles.DEPARTMENT_LEADER, roles.ORGANIZATION_SECTION, roles.SYSTEM_ADMIN])
def test_department_roles_see_the_overview(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(OVERVIEW_URL).status_code == 200


@pytest.mark.parametrize("role", [roles.STANDING_MEMBER, roles.MEMBER])
def test_committee_members_do_not(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(OVERVIEW_URL).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, db):
    response = client.get(OVERVIEW_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_overview_query_count_does_not_grow_with_units(client, staff, django_assert_num_queries):
    def add_units(start, n):
        for i in range(start, start + n):
            unit = make_unit(f"单位{i:03d}")
            post = position_create(unit=unit, title="主任", level=Rank.ZHENG_KE, actor=None)
            quota_set(unit=unit, level=Rank.ZHENG_KE, approved=1, actor=None)
            appoint(make_cadre(unit, f"主任{i}"), post)

    add_units(0, 3)
    client.force_login(staff)
    client.get(OVERVIEW_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW_URL, {"per_page": 200})
    add_units(3, 30)
    with django_assert_num_queries(len(few)):
        response = client.get(OVERVIEW_URL, {"per_page": 200})
    assert len(response.context["object_list"]) == 33
