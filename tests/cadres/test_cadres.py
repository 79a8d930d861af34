"""Cadre records: ID-number checks, the list page (search, filters, pages, htmx, query count) and access."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.cn import ric

from cadres.models import Cadre, Rank, Unit
from cadres.services import cadre_create, name_initials, unit_create
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.idnumbers import (
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    normalize_id_number,
    validate_id_number,
)
from orgdept.core.models import AuditEvent
from tests.cadres.factories import check_char, id_number, make_cadre, make_unit

LIST_URL = reverse("cadres:cadre_list")
TODAY = date(2026, 6, 15)


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def unit(db):
    return make_unit("区财政局", order=1)


def names(response) -> list[str]:
    return [c.name for c in response.context["object_list"]]


def x_id_number(born: date) -> str:
    """A valid ID number whose check character is X."""
    for seq in range(100):
        body = f"110101{born:%Y%m%d}{seq:02d}1"
        if check_char(body) == "X":
            return body + "X"
    raise AssertionError("no X found")  # pragma: no cover


# --- ID numbers ------------------------------------------------------------------------------------


def test_the_gb11643_sample_number_is_valid():
    # the standard's own example; its check character is X
    validate_id_number("11010519491231002X")
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_number_gender("11010519491231002X") == "F"  # 17th digit 2: even


def test_check_char_agrees_with_stdnum_on_whole_numbers():
    for number in [id_number(date(1975, 3, 9), male=m, seq=s) for m in (True, False) for s in range(20)]:
        assert ric.calc_check_digit(number) == number[-1]
        assert id_number_check_char(number[:17]) == number[-1]
        validate_id_number(number)


def test_normalize_upper_cases_x_and_strips_spaces():
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_id_number("110105 19491231 002x") == "11010519491231002X"
    validate_id_number("11010519491231002x")


def test_an_area_code_created_after_the_birth_year_is_accepted():
    # 320111 (南京市浦口区) dates from 1983, so stdnum's full validate() rejects this 1970 birth; real IDs do this
    body = "32011119700315001"
    number = body + check_char(body)
    with pytest.raises(ric.InvalidComponent):
        ric.validate(number)
    validate_id_number(number)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11010519491231002", "应为18位"),
        ("1101051949123100XX", "应为18位"),
        ("11010519491231002Y", "应为18位"),
        ("110105194912310021", "校验位错误"),
        ("110105194913310027", "出生日期"),  # month 13
        ("110105189912310025", "不合理"),  # born before 1900
        ("110105209912310028", "不合理"),  # born in the future
    ],
)
def test_invalid_id_numbers_are_refused_in_chinese(value, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert message in excinfo.value.messages[0]


# --- cadre_create ----------------------------------------------------------------------------------


def test_cadre_create_takes_gender_and_birth_month_from_the_id_number(unit, make_user):
    actor = make_user(roles.CADRE_SECTION)
    cadre = cadre_create(
        actor=actor, unit=unit, name="张三", id_number=id_number(date(1975, 3, 9), male=False), rank=Rank.ZHENG_KE
    )
    cadre.refresh_from_db()
    assert cadre.gender == Cadre.Gender.FEMALE
    assert cadre.birth_month == date(1975, 3, 1)
    assert cadre.name_initials == "zs"
    event = AuditEvent.objects.get(action="cadre.created")
    assert (event.actor, event.object_id) == (actor, str(cadre.pk))


def test_cadre_create_stores_a_lower_case_x_in_upper_case(unit):
    number = x_id_number(date(1980, 5, 17))
    cadre = cadre_create(actor=None, unit=unit, name="王五", id_number=number.lower())
    assert Cadre.objects.get(pk=cadre.pk).id_number == number


def test_cadre_create_with_a_new_area_code(unit):
    body = "32011119700315001"
    cadre = cadre_create(actor=None, unit=unit, name="赵六", id_number=body + check_char(body))
    assert cadre.birth_month == date(1970, 3, 1)
    assert cadre.gender == Cadre.Gender.MALE


def test_a_wrong_check_character_is_refused(unit):
    number = id_number(date(1975, 3, 9))
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ApplicationError, match="身份证号校验位错误"):
        cadre_create(actor=None, unit=unit, name="张三", id_number=wrong)
    assert not Cadre.objects.exists()


def test_a_bad_birth_date_is_refused(unit):
    body = "11010119750230123"  # 30 February
    with pytest.raises(ApplicationError, match="出生日期"):
        cadre_create(actor=None, unit=unit, name="张三", id_number=body + check_char(body))


def test_a_gender_that_contradicts_the_id_number_is_refused(unit):
    number = id_number(date(1975, 3, 9), male=True)
    with pytest.raises(ApplicationError, match="性别与身份证号不一致") as excinfo:
        cadre_create(actor=None, unit=unit, name="张三", id_number=number, gender=Cadre.Gender.FEMALE)
    assert excinfo.value.field == "gender"
    cadre = cadre_create(actor=None, unit=unit, name="张三", id_number=number, gender=Cadre.Gender.MALE)
    assert cadre.gender == Cadre.Gender.MALE


def test_a_birth_month_that_contradicts_the_id_number_is_refused(unit):
    with pytest.raises(ApplicationError, match=r"出生年月与身份证号中的出生日期（1975\.03）不一致"):
        cadre_create(
            actor=None, unit=unit, name="张三", id_number=id_number(date(1975, 3, 9)), birth_month=date(1975, 4, 1)
        )


def test_the_same_id_number_twice_is_refused(unit):
    number = id_number(date(1975, 3, 9))
    cadre_create(actor=None, unit=unit, name="张三", id_number=number)
    with pytest.raises(ApplicationError):
        cadre_create(actor=None, unit=unit, name="张三三", id_number=number.lower())
    assert Cadre.objects.count() == 1


def test_unit_names_are_unique(db):
    unit_create(name="区教育局", kind=Unit.Kind.GOVERNMENT, actor=None)
    with pytest.raises(ApplicationError, match="单位“区教育局”已存在"):
        unit_create(name="区教育局", kind=Unit.Kind.GOVERNMENT, actor=None)


def test_name_initials():
    assert name_initials("张三") == "zs"
    assert name_initials("欧阳晓明") == "oyxm"


# --- the list page -----------------------------------------------------------------------------------


@pytest.fixture
def roster(unit):
    other = make_unit("城关街道", kind=Unit.Kind.TOWNSHIP, order=2)
    with time_machine.travel(TODAY, tick=False):
        return {
            "zhang": make_cadre(unit, "张三", born=date(1970, 3, 9), rank=Rank.ZHENG_KE),
            "li": make_cadre(unit, "李四", born=date(1985, 7, 1), male=False, rank=Rank.FU_KE),
            "wang": make_cadre(other, "王五", born=date(1995, 1, 20), rank=Rank.KEYUAN_1),
            "zhao": make_cadre(other, "赵三", born=date(1985, 5, 2), rank=Rank.FU_KE),
        }


def test_the_list_shows_everyone_to_staff(client, staff, roster):
    client.force_login(staff)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(c.name for c in roster.values())
    html = response.content.decode()
    assert "<html" in html
    assert reverse("cadres:cadre_detail", args=[roster["zhang"].pk]) in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张三", ["张三"]),
        ("三", ["张三", "赵三"]),
        ("zs", ["张三", "赵三"]),
        ("ZS", ["张三", "赵三"]),
        ("zhs", []),
        ("ww", ["王五"]),
        ("nobody", []),
    ],
)
def test_search_by_name_and_pinyin_initials(client, staff, roster, query, expected):
    client.force_login(staff)
    assert sorted(names(client.get(LIST_URL, {"q": query}))) == sorted(expected)


def test_search_by_id_number(client, staff, roster):
    client.force_login(staff)
    number = roster["li"].id_number
    assert names(client.get(LIST_URL, {"q": number})) == ["李四"]
    assert names(client.get(LIST_URL, {"q": number[:10]})) == []  # whole numbers only: no partial leaks


def test_filters_by_unit_rank_and_gender(client, staff, roster, unit):
    client.force_login(staff)
    assert sorted(names(client.get(LIST_URL, {"unit": unit.pk}))) == ["张三", "李四"]
    assert sorted(names(client.get(LIST_URL, {"rank": Rank.FU_KE}))) == ["李四", "赵三"]
    assert names(client.get(LIST_URL, {"gender": "F"})) == ["李四"]
    assert names(client.get(LIST_URL, {"unit": unit.pk, "rank": Rank.FU_KE})) == ["李四"]
    assert names(client.get(LIST_URL, {"q": "zs", "unit": unit.pk})) == ["张三"]


@time_machine.travel(TODAY, tick=False)
def test_filters_by_age(client, staff, roster):
    # on 2026-06-15: 张三 56, 李四 40 (born 1985-07), 赵三 41 (born 1985-05), 王五 31
    client.force_login(staff)
    assert sorted(names(client.get(LIST_URL, {"age_min": 41}))) == ["张三", "赵三"]
    assert sorted(names(client.get(LIST_URL, {"age_max": 40}))) == ["李四", "王五"]
    assert names(client.get(LIST_URL, {"age_min": 40, "age_max": 40})) == ["李四"]
    assert names(client.get(LIST_URL, {"age_min": 50, "age_max": 30})) == []  # contradictory: nothing
    response = client.get(LIST_URL, {"age_min": 50, "age_max": 30})
    assert response.context["filter_form"].errors["age_max"]


def test_pagination_and_page_size(client, staff, unit):
    for i in range(30):
        make_cadre(unit, f"干部{i:02d}")
    client.force_login(staff)

    first = client.get(LIST_URL)
    assert len(first.context["object_list"]) == 25
    assert first.context["paginator"].num_pages == 2
    second = client.get(LIST_URL, {"page": 2})
    assert len(second.context["object_list"]) == 5
    assert not set(names(first)) & set(names(second))

    assert len(client.get(LIST_URL, {"per_page": 50}).context["object_list"]) == 30
    assert len(client.get(LIST_URL, {"per_page": 7}).context["object_list"]) == 25  # not an offered size
    assert len(client.get(LIST_URL, {"page": 99}).context["object_list"]) == 5  # past the end: the last page
    assert len(client.get(LIST_URL, {"page": "x"}).context["object_list"]) == 25


def test_paging_keeps_the_filters_in_the_links(client, staff, unit):
    for i in range(30):
        make_cadre(unit, f"张{i:02d}")
    client.force_login(staff)
    html = client.get(LIST_URL, {"q": "张"}).content.decode()
    assert "?q=%E5%BC%A0&amp;page=2" in html


def test_htmx_request_gets_only_the_results_partial(client, staff, roster):
    client.force_login(staff)
    response = client.get(LIST_URL, {"q": "张三"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "filter-bar" not in html  # the filter form stays as it is; only the results are swapped
    assert 'data-testid="cadre-table"' in html
    assert "张三" in html
    assert "李四" not in html


def test_query_count_does_not_grow_with_rows(client, staff, unit, django_assert_max_num_queries):
    other = make_unit("区教育局")
    for i in range(5):
        make_cadre(unit if i % 2 else other, f"甲{i}")
    client.force_login(staff)
    client.get(LIST_URL)  # warm-up: session and permission caches

    with CaptureQueriesContext(connection) as five:
        response = client.get(LIST_URL, {"per_page": 100})
    assert len(response.context["object_list"]) == 5
    assert len(five) <= 15  # a fixed handful: session, user, permissions, units for the filter, count, page

    for i in range(55):
        make_cadre(unit if i % 2 else other, f"乙{i}")
    with django_assert_max_num_queries(len(five)):
        response = client.get(LIST_URL, {"per_page": 100})
    assert len(response.context["object_list"]) == 60


def test_standing_members_cannot_see_cadre_files(client, make_user, roster):
    client.force_login(make_user(roles.STANDING_MEMBER))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(reverse("cadres:cadre_detail", args=[roster["zhang"].pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="cadre.viewed").exists()


def test_anonymous_is_sent_to_sign_in(client, roster):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    detail = client.get(reverse("cadres:cadre_detail", args=[roster["zhang"].pk]))
    assert detail.status_code == 302


def test_viewing_a_cadre_is_audited(client, staff, roster):
    cadre = roster["li"]
    client.force_login(staff)
    response = client.get(reverse("cadres:cadre_detail", args=[cadre.pk]), REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    assert "李四" in response.content.decode()
    event = AuditEvent.objects.get(action="cadre.viewed")
    assert event.actor == staff
    assert event.object_type == "cadres.cadre"
    assert event.object_id == str(cadre.pk)
    assert event.object_repr == "李四"
    assert event.client_ip == "203.0.113.5"


def test_a_missing_cadre_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("cadres:cadre_detail", args=[999_999])).status_code == 404
