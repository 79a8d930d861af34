"""后备干部: one active entry per cadre, dated no later than today and removed with a reason not before it was added;
the pool's list with its filters, and the reserve cadres offered for a post's level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from cadres.models import Position, Rank, ReserveCadre
from cadres.selectors import reserve_candidates_for, reserve_list
from cadres.services import cadre_assign_position, position_create
from cadres.services import reserve as svc
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def bureau(db):
    return make_unit("区财政局", order=1)


@pytest.fixture
def township(db):
    return make_unit("城关镇", order=2)


@pytest.fixture
def staff(make_user):
    from orgdept.core import roles

    return make_user(roles.CADRE_SECTION, username="ganbu")


def add(cadre, staff, *, level=Rank.ZHENG_KE, added_on=date(2026, 3, 1), reason="2026年度科级后备干部推荐"):
    return svc.reserve_add(cadre=cadre, target_level=level, added_on=added_on, reason=reason, actor=staff)


def remove(entry, staff, *, removed_on=date(2026, 5, 1), reason="已提拔任职"):
    return svc.reserve_remove(entry=entry, removed_on=removed_on, reason=reason, actor=staff)


# --- adding ---------------------------------------------------------------------------------------------


def test_a_cadre_is_added_for_a_level_with_date_and_reason(bureau, staff):
    cadre = make_cadre(bureau, "李明", rank=Rank.FU_KE)
    entry = add(cadre, staff)
    entry.refresh_from_db()
    assert (entry.target_level, entry.added_on, entry.reason, entry.removed_on) == (
        Rank.ZHENG_KE,
        date(2026, 3, 1),
        "2026年度科级后备干部推荐",
        None,
    )
    event = AuditEvent.objects.get(action="reserve.added")
    assert (event.object_id, event.actor_username, event.details["level"]) == (str(entry.pk), "ganbu", "正科级")


def test_added_on_may_be_today_not_tomorrow(bureau, staff):
    cadre = make_cadre(bureau, "李明", rank=Rank.FU_KE)
    with pytest.raises(ApplicationError) as exc:
        add(cadre, staff, added_on=TODAY + timedelta(days=1))
    assert (exc.value.field, exc.value.message) == ("added_on", "列入时间不能晚于今天")
    assert add(cadre, staff, added_on=TODAY).added_on == TODAY


def test_one_active_entry_per_cadre_refused_in_chinese_before_the_database(bureau, staff):
    cadre = make_cadre(bureau, "李明", rank=Rank.FU_KE)
    entry = add(cadre, staff)
    with pytest.raises(ApplicationError) as exc:
        add(cadre, staff, level=Rank.FU_CHU, added_on=date(2026, 4, 1))
    assert exc.value.message == "李明已于2026年03月01日列为正科级后备干部，须先移出才能重新列入"
    assert ReserveCadre.objects.filter(cadre=cadre).count() == 1
    # the partial unique constraint stands behind the service
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveCadre.objects.create(cadre=cadre, target_level=Rank.FU_CHU, added_on=TODAY, reason="绕过服务")
    remove(entry, staff)
    again = add(cadre, staff, level=Rank.FU_CHU, added_on=date(2026, 5, 2))
    assert ReserveCadre.objects.filter(cadre=cadre, removed_on__isnull=True).get() == again


@pytest.mark.parametrize(
    ("rank", "level", "words"),
    [
        (Rank.FU_KE, Rank.ZHUREN_KEYUAN_1, "领导职务层次"),
        (Rank.ZHENG_KE, Rank.ZHENG_KE, "李明现为正科级，不能列为正科级后备干部"),
        (Rank.FU_CHU, Rank.ZHENG_KE, "李明现为副处级，不能列为正科级后备干部"),
    ],
)
def test_the_level_is_a_leading_level_above_the_cadres_own(bureau, staff, rank, level, words):
    cadre = make_cadre(bureau, "李明", rank=rank)
    with pytest.raises(ApplicationError) as exc:
        add(cadre, staff, level=level)
    assert exc.value.field == "target_level"
    assert words in exc.value.message


@pytest.mark.parametrize(
    ("rank", "level"), [(Rank.FU_KE, Rank.ZHENG_KE), (Rank.ZHUREN_KEYUAN_1, Rank.ZHENG_KE), ("", Rank.FU_KE)]
)
def test_a_higher_level_or_a_leading_post_at_the_same_height_is_accepted(bureau, staff, rank, level):
    cadre = make_cadre(bureau, "李明", rank=rank)
    assert add(cadre, staff, level=level).target_level == level


def test_a_reason_is_needed_to_add(bureau, staff):
    cadre = make_cadre(bureau, "李明", rank=Rank.FU_KE)
    with pytest.raises(ApplicationError) as exc:
        add(cadre, staff, reason="   ")
    assert (exc.value.field, exc.value.message) == ("reason", "请填写列为后备干部的理由")


# --- removing -------------------------------------------------------------------------------------------


def test_removal_not_before_the_day_added(bureau, staff):
    entry = add(make_cadre(bureau, "李明", rank=Rank.FU_KE), staff, added_on=date(2026, 3, 1))
    with pytest.raises(ApplicationError) as exc:
        remove(entry, staff, removed_on=date(2026, 2, 28))
    assert (exc.value.field, exc.value.message) == ("removed_on", "移出时间不能早于列入时间（2026年03月01日）")
    entry = remove(entry, staff, removed_on=date(2026, 3, 1))
    entry.refresh_from_db()
    assert (entry.removed_on, entry.removal_reason) == (date(2026, 3, 1), "已提拔任职")
    event = AuditEvent.objects.get(action="reserve.removed")
    assert event.details["reason"] == "已提拔任职"


def test_removal_not_after_today(bureau, staff):
    entry = add(make_cadre(bureau, "李明", rank=Rank.FU_KE), staff)
    with pytest.raises(ApplicationError, match="移出时间不能晚于今天"):
        remove(entry, staff, removed_on=TODAY + timedelta(days=1))
    assert remove(entry, staff, removed_on=TODAY).removed_on == TODAY


def test_removal_needs_a_reason_and_happens_once(bureau, staff):
    entry = add(make_cadre(bureau, "李明", rank=Rank.FU_KE), staff)
    with pytest.raises(ApplicationError) as exc:
        remove(entry, staff, reason=" ")
    assert (exc.value.field, exc.value.message) == ("reason", "请填写移出后备干部名单的理由")
    remove(entry, staff)
    with pytest.raises(ApplicationError, match="李明已于2026年05月01日移出后备干部名单"):
        remove(entry, staff, removed_on=date(2026, 5, 2), reason="重复")
    assert AuditEvent.objects.filter(action="reserve.removed").count() == 1


# --- reading the pool -----------------------------------------------------------------------------------


@pytest.fixture
def pool(bureau, township, staff):
    """王芳 (bureau, 正科), 曾伟 (township, 正科), 李明 (bureau, 副处), 赵刚 (township, 正科, removed)."""
    wang = add(make_cadre(bureau, "王芳", rank=Rank.FU_KE), staff, added_on=date(2026, 1, 5))
    zeng = add(make_cadre(township, "曾伟", rank=Rank.FU_KE), staff, added_on=date(2026, 2, 5))
    li = add(make_cadre(bureau, "李明", rank=Rank.ZHENG_KE), staff, level=Rank.FU_CHU, added_on=date(2026, 3, 5))
    zhao = add(make_cadre(township, "赵刚", rank=Rank.FU_KE), staff, added_on=date(2025, 3, 5))
    remove(zhao, staff, removed_on=date(2025, 12, 31), reason="不再适合作为后备干部")
    return {"wang": wang, "zeng": zeng, "li": li, "zhao": zhao}


def names(entries):
    return [e.cadre.name for e in entries]


def test_the_list_shows_active_entries_newest_first_in_one_query(pool, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [(e.cadre.name, e.cadre.unit.name, e.target_level) for e in reserve_list()]
    assert rows == [("李明", "区财政局", "副处级"), ("曾伟", "城关镇", "正科级"), ("王芳", "区财政局", "正科级")]


def test_the_list_filters_by_level_unit_state_and_name(pool, bureau, township):
    assert names(reserve_list(level=Rank.ZHENG_KE)) == ["曾伟", "王芳"]
    assert names(reserve_list(unit=bureau)) == ["李明", "王芳"]
    assert names(reserve_list(unit=township, active=False)) == ["赵刚"]
    assert names(reserve_list(active=None, unit=township)) == ["曾伟", "赵刚"]
    assert names(reserve_list(search="王")) == ["王芳"]
    assert names(reserve_list(search="ZW")) == ["曾伟"]  # 曾 read as a surname: zeng
    assert names(reserve_list(search="  ")) == ["李明", "曾伟", "王芳"]
    assert names(reserve_list(level=Rank.FU_CHU, unit=township)) == []


def test_candidates_for_a_post_are_the_active_reserve_of_its_level_not_its_holder(pool, bureau, township):
    head = position_create(unit=bureau, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
    assert names(reserve_candidates_for(head)) == ["王芳", "曾伟"]  # bureau before township, by unit order
    cadre_assign_position(cadre=pool["wang"].cadre, position=head, start_month=date(2026, 5, 1), actor=None)
    assert names(reserve_candidates_for(head)) == ["曾伟"]
    deputy = position_create(unit=township, title="副镇长", level=Rank.FU_KE, actor=None)
    assert names(reserve_candidates_for(deputy)) == []
    staff_post = position_create(unit=township, title="党政办科员", level="", leading=False, actor=None)
    assert names(reserve_candidates_for(staff_post)) == []
