"""The reserve-cadre pages (后备干部): the list with its search, filters and pages for 干部科 and 部领导, adding a cadre
picked by search and removing an entry with the services' refusals next to the fields, and 403 for everyone else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Rank, ReserveCadre
from cadres.services import reserve as svc
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

TODAY = date(2026, 6, 1)
LIST_URL = reverse("cadres:reserve_list")
ADD_URL = reverse("cadres:reserve_add")
HTMX = {"HTTP_HX_REQUEST": "true"}
OTHER_ROLES = (
    roles.SYSTEM_ADMIN,
    roles.ORGANIZATION_SECTION,
    roles.TRAINING_SECTION,
    roles.APPRAISAL_OFFICE,
    roles.STANDING_MEMBER,
    roles.MEMBER,
)


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
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def leader(make_user):
    return make_user(roles.DEPARTMENT_LEADER, username="buzhang")


def add(cadre, actor, *, level=Rank.ZHENG_KE, added_on=date(2026, 3, 1), reason="2026年度科级后备干部推荐"):
    return svc.reserve_add(cadre=cadre, target_level=level, added_on=added_on, reason=reason, actor=actor)


@pytest.fixture
def pool(bureau, township, staff):
    """王芳 (bureau, for 正科), 曾伟 (township, for 正科), 李明 (bureau, for 副处), 赵刚 (township, removed)."""
    wang = add(make_cadre(bureau, "王芳", rank=Rank.FU_KE), staff, added_on=date(2026, 1, 5))
    zeng = add(make_cadre(township, "曾伟", rank=Rank.FU_KE), staff, added_on=date(2026, 2, 5))
    li = add(make_cadre(bureau, "李明", rank=Rank.ZHENG_KE), staff, level=Rank.FU_CHU, added_on=date(2026, 3, 5))
    zhao = add(make_cadre(township, "赵刚", rank=Rank.FU_KE), staff, added_on=date(2025, 3, 5))
    svc.reserve_remove(entry=zhao, removed_on=date(2025, 12, 31), reason="不再适合作为后备干部", actor=staff)
    return {"wang": wang, "zeng": zeng, "li": li, "zhao": zhao}


def listed(response):
    return [entry.cadre.name for entry in response.context["object_list"]]


def remove_url(entry):
    return reverse("cadres:reserve_remove", args=[entry.pk])


# --- who may do what --------------------------------------------------------------------------------------------


def test_cadre_section_sees_the_list_with_add_and_remove_links(client, staff, pool):
    client.force_login(staff)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert ADD_URL in html
    assert remove_url(pool["wang"]) in html
    # each cadre in the pool can be proposed: the link asks for the round to propose them in
    assert f"{reverse('cadres:round_list')}?cadre={pool['wang'].cadre_id}" in html
    assert client.get(ADD_URL).status_code == 200
    assert client.get(remove_url(pool["wang"])).status_code == 200


def test_department_leaders_see_the_list_but_change_nothing(client, leader, pool):
    client.force_login(leader)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert listed(response) == ["李明", "曾伟", "王芳"]
    html = response.content.decode()
    assert ADD_URL not in html
    assert remove_url(pool["wang"]) not in html
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, {"cadre_search": "王芳"}).status_code == 403
    assert client.get(remove_url(pool["wang"])).status_code == 403
    response = client.post(remove_url(pool["wang"]), {"removed_on": "2026-05-01", "reason": "已提拔"})
    assert response.status_code == 403
    assert ReserveCadre.objects.get(pk=pool["wang"].pk).removed_on is None


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_get_403_on_every_page(client, make_user, pool, role):
    client.force_login(make_user(role))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    assert client.get(remove_url(pool["wang"])).status_code == 403
    assert client.post(remove_url(pool["wang"]), {"removed_on": "2026-05-01", "reason": "x"}).status_code == 403
    # whether or not the entry exists
    assert client.get(reverse("cadres:reserve_remove", args=[999_999])).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, pool):
    for url in (LIST_URL, ADD_URL, remove_url(pool["wang"])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "/accounts/" in response["Location"]


def test_a_missing_entry_is_404_for_staff(client, staff):
    client.force_login(staff)
    assert client.get(reverse("cadres:reserve_remove", args=[999_999])).status_code == 404


# --- the list ---------------------------------------------------------------------------------------------------


def test_the_list_shows_the_active_pool_newest_first_with_unit_rank_and_level(client, staff, pool):
    client.force_login(staff)
    response = client.get(LIST_URL)
    assert listed(response) == ["李明", "曾伟", "王芳"]
    html = response.content.decode()
    assert "2026-03-05" in html and "2026年度科级后备干部推荐" in html
    assert "赵刚" not in html
    # the section's links lead back to the appointment pages
    assert reverse("cadres:selection_list") in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "removed"}, ["赵刚"]),
        ({"state": "all"}, ["李明", "曾伟", "王芳", "赵刚"]),
        ({"state": ""}, ["李明", "曾伟", "王芳"]),
        ({"level": "正科级"}, ["曾伟", "王芳"]),
        ({"level": "副处级"}, ["李明"]),
        ({"q": "王"}, ["王芳"]),
        ({"q": "zw"}, ["曾伟"]),
        ({"q": "Z", "state": "all"}, ["曾伟", "赵刚"]),
        ({"q": "z"}, ["曾伟"]),
        ({"q": "刘"}, []),
    ],
)
def test_search_and_filters(client, staff, pool, params, expected):
    client.force_login(staff)
    assert listed(client.get(LIST_URL, params)) == expected


def test_the_unit_filter(client, staff, pool, bureau, township):
    client.force_login(staff)
    assert listed(client.get(LIST_URL, {"unit": bureau.pk})) == ["李明", "王芳"]
    assert listed(client.get(LIST_URL, {"unit": township.pk, "state": "all"})) == ["曾伟", "赵刚"]


def test_an_invalid_filter_lists_nothing_and_says_why(client, staff, pool):
    client.force_login(staff)
    response = client.get(LIST_URL, {"level": "三级主任科员"})
    assert response.status_code == 200
    assert listed(response) == []
    assert response.context["filter_form"].errors["level"]


def test_pages_of_25_and_htmx_partial(client, staff, bureau):
    for i in range(26):
        add(make_cadre(bureau, f"干部{i:02d}", rank=Rank.FU_KE), staff, added_on=date(2026, 1, 1) + timedelta(days=i))
    client.force_login(staff)
    first = client.get(LIST_URL)
    assert len(first.context["object_list"]) == 25
    assert first.context["paginator"].num_pages == 2
    assert listed(first)[0] == "干部25"
    second = client.get(LIST_URL, {"page": 2})
    assert listed(second) == ["干部00"]
    partial = client.get(LIST_URL, {"q": "干部"}, **HTMX)
    assert next(t.name for t in partial.templates) == "cadres/reserve/reserve_list_results.html"
    assert "<html" not in partial.content.decode()


def test_the_list_query_count_does_not_grow_with_entries(client, staff, bureau, township, django_assert_num_queries):
    def fill(start, n):
        for i in range(start, start + n):
            unit = bureau if i % 2 else township
            add(make_cadre(unit, f"干部{i:03d}", rank=Rank.FU_KE), staff)

    fill(0, 3)
    client.force_login(staff)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL, {"per_page": 100, "state": "all"})
    fill(3, 40)
    with django_assert_num_queries(len(few)):
        response = client.get(LIST_URL, {"per_page": 100, "state": "all"})
    assert len(response.context["object_list"]) == 43


# --- adding -----------------------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "cadre_search": "孙丽",
        "target_level": "正科级",
        "added_on": "2026-05-30",
        "reason": "2026年度科级后备干部推荐",
    }
    data.update(overrides)
    return data


def test_staff_add_a_cadre_found_by_search(client, staff, bureau):
    sun = make_cadre(bureau, "孙丽", rank=Rank.FU_KE)
    client.force_login(staff)
    response = client.post(ADD_URL, form_data())
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    entry = ReserveCadre.objects.get(cadre=sun)
    assert (entry.target_level, entry.added_on, entry.reason, entry.removed_on) == (
        "正科级",
        date(2026, 5, 30),
        "2026年度科级后备干部推荐",
        None,
    )
    assert AuditEvent.objects.get(action="reserve.added").actor_username == "ganbu"


def test_the_search_box_suggests_cadres_and_the_radio_picks_among_namesakes(client, staff, bureau, township):
    first = make_cadre(bureau, "孙丽", rank=Rank.FU_KE)
    second = make_cadre(township, "孙丽", rank=Rank.FU_KE)
    client.force_login(staff)
    suggestions = client.get(ADD_URL, {"cadre_search": "孙"}, **HTMX)
    assert [c.pk for c in suggestions.context["cadres"]] == [first.pk, second.pk]
    assert "城关镇" in suggestions.content.decode()
    response = client.post(ADD_URL, form_data())
    assert response.status_code == 400
    assert response.context["form"].errors["cadre_search"]
    assert not ReserveCadre.objects.exists()
    response = client.post(ADD_URL, form_data(cadre=second.pk))
    assert response.status_code == 302
    assert ReserveCadre.objects.get().cadre == second


def test_a_cadre_page_can_open_the_form_with_the_cadre_picked(client, staff, bureau):
    sun = make_cadre(bureau, "孙丽", rank=Rank.FU_KE)
    client.force_login(staff)
    response = client.get(ADD_URL, {"cadre": sun.pk})
    assert response.context["picked"] == sun
    assert f'value="{sun.pk}" checked' in response.content.decode()


def test_added_on_today_is_accepted_tomorrow_refused_next_to_the_date(client, staff, bureau):
    sun = make_cadre(bureau, "孙丽", rank=Rank.FU_KE)
    client.force_login(staff)
    response = client.post(ADD_URL, form_data(added_on="2026-06-02"))
    assert response.status_code == 400
    assert response.context["form"].errors["added_on"] == ["列入时间不能晚于今天"]
    assert "列入时间不能晚于今天" in response.content.decode()
    assert client.post(ADD_URL, form_data(added_on="2026-06-01")).status_code == 302
    assert ReserveCadre.objects.get(cadre=sun).added_on == TODAY


def test_a_level_not_above_the_cadres_own_is_refused_next_to_the_level(client, staff, bureau):
    make_cadre(bureau, "孙丽", rank=Rank.ZHENG_KE)
    client.force_login(staff)
    response = client.post(ADD_URL, form_data(target_level="正科级"))
    assert response.status_code == 400
    assert response.context["form"].errors["target_level"] == ["孙丽现为正科级，不能列为正科级后备干部"]
    assert client.post(ADD_URL, form_data(target_level="副处级")).status_code == 302


def test_a_second_active_entry_is_refused_under_the_cadre_box(client, staff, bureau):
    sun = make_cadre(bureau, "孙丽", rank=Rank.FU_KE)
    add(sun, staff, added_on=date(2026, 3, 1))
    client.force_login(staff)
    response = client.post(ADD_URL, form_data(target_level="副处级"))
    assert response.status_code == 400
    message = "孙丽已于2026年03月01日列为正科级后备干部，须先移出才能重新列入"
    assert response.context["form"].errors["cadre"] == [message]
    html = response.content.decode()
    assert message in html
    # the cadre stays picked for the next try
    assert f'value="{sun.pk}" checked' in html
    assert ReserveCadre.objects.count() == 1


def test_missing_fields_are_shown_next_to_each(client, staff, bureau):
    client.force_login(staff)
    response = client.post(ADD_URL, {"cadre_search": "", "target_level": "", "added_on": "", "reason": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"cadre_search", "target_level", "added_on", "reason"}
    response = client.post(ADD_URL, form_data(cadre_search="无此人"))
    assert response.context["form"].errors["cadre_search"]


def test_a_reason_of_blanks_is_refused_by_the_service_next_to_the_reason(client, staff, bureau):
    make_cadre(bureau, "孙丽", rank=Rank.FU_KE)
    client.force_login(staff)
    response = client.post(ADD_URL, form_data(reason="   "))
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert not ReserveCadre.objects.exists()


def test_add_and_add_another_returns_to_the_form(client, staff, bureau):
    make_cadre(bureau, "孙丽", rank=Rank.FU_KE)
    client.force_login(staff)
    response = client.post(ADD_URL, {**form_data(), "add_another": "1"})
    assert response["Location"] == ADD_URL


# --- removing ---------------------------------------------------------------------------------------------------


def test_staff_remove_an_entry_on_the_day_it_was_added(client, staff, pool):
    client.force_login(staff)
    entry = pool["wang"]
    response = client.post(remove_url(entry), {"removed_on": "2026-01-05", "reason": "已提拔任职"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.removed_on, entry.removal_reason) == (date(2026, 1, 5), "已提拔任职")
    assert listed(client.get(LIST_URL, {"state": "removed"})) == ["王芳", "赵刚"]


def test_removal_the_day_before_it_was_added_is_refused_next_to_the_date(client, staff, pool):
    client.force_login(staff)
    response = client.post(remove_url(pool["wang"]), {"removed_on": "2026-01-04", "reason": "已提拔任职"})
    assert response.status_code == 400
    assert response.context["form"].errors["removed_on"] == ["移出时间不能早于列入时间（2026年01月05日）"]
    assert ReserveCadre.objects.get(pk=pool["wang"].pk).removed_on is None


def test_removal_today_is_accepted_tomorrow_refused(client, staff, pool):
    client.force_login(staff)
    response = client.post(remove_url(pool["zeng"]), {"removed_on": "2026-06-02", "reason": "已提拔任职"})
    assert response.context["form"].errors["removed_on"] == ["移出时间不能晚于今天"]
    assert (
        client.post(remove_url(pool["zeng"]), {"removed_on": "2026-06-01", "reason": "已提拔任职"}).status_code == 302
    )
    assert ReserveCadre.objects.get(pk=pool["zeng"].pk).removed_on == TODAY


def test_removal_needs_a_reason_and_a_date(client, staff, pool):
    client.force_login(staff)
    response = client.post(remove_url(pool["zeng"]), {"removed_on": "", "reason": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"removed_on", "reason"}
    response = client.post(remove_url(pool["zeng"]), {"removed_on": "2026-05-01", "reason": "  "})
    assert response.context["form"].errors["reason"]


def test_a_removed_entry_offers_no_form_and_a_second_removal_is_refused(client, staff, pool):
    client.force_login(staff)
    entry = pool["zhao"]
    response = client.get(remove_url(entry))
    assert response.status_code == 200
    assert 'data-testid="reserve-remove-form"' not in response.content.decode()
    response = client.post(remove_url(entry), {"removed_on": "2026-05-01", "reason": "重复"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["赵刚已于2025年12月31日移出后备干部名单"]
    assert AuditEvent.objects.filter(action="reserve.removed").count() == 1
