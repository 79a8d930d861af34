"""Rotation watch: the ORGDEPT_ROTATION_YEARS setting, who is due on exact dates, the page and the home section."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.home import cadre_sections
from cadres.models import Position, Rank
from cadres.selectors import rotation_due, rotation_years
from cadres.services import cadre_assign_position, cadre_update, position_create, position_update
from orgdept.core import roles
from tests.cadres.factories import make_cadre, make_unit

ON = date(2026, 6, 15)
PAGE_URL = reverse("cadres:rotation")
LEADER, KEY, STAFF, NONE = (
    Position.RotationKind.LEADER,
    Position.RotationKind.KEY,
    Position.RotationKind.STAFF,
    Position.RotationKind.NONE,
)


# --- the setting --------------------------------------------------------------------------------------------


def test_the_defaults_are_10_5_and_3_years():
    assert django_settings.ORGDEPT_ROTATION_YEARS == {"leader": 10, "key": 5, "staff": 3}
    assert rotation_years() == {"leader": 10, "key": 5, "staff": 3}


def test_rotation_years_keeps_the_watched_kinds_with_a_positive_number(settings):
    settings.ORGDEPT_ROTATION_YEARS = {"leader": 10, "key": 4, "staff": 0, "none": 1, "unknown": 2}
    assert rotation_years() == {"leader": 10, "key": 4}


def test_the_environment_overrides_some_kinds(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orgdept.settings.base",
        "ORGDEPT_VAR_DIR": str(tmp_path),
        "ORGDEPT_ROTATION_YEARS": "key=4;staff=2",
    }
    code = "import django; django.setup(); from django.conf import settings; import json; "
    code += "print(json.dumps(settings.ORGDEPT_ROTATION_YEARS))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"leader": 10, "key": 4, "staff": 2}


# --- who is due, on exact dates ---------------------------------------------------------------------------------


@pytest.fixture
def unit(db):
    return make_unit("区财政局", order=1)


@pytest.fixture
def posts(unit):
    def post(title, level, kind, **fields):
        return position_create(unit=unit, title=title, level=level, rotation_kind=kind, actor=None, **fields)

    return {
        LEADER: post("局长", Rank.ZHENG_KE, LEADER, role=Position.Role.HEAD),
        KEY: post("审计科科长", Rank.FU_KE, KEY),
        STAFF: post("办公室科员", Rank.KEYUAN_1, STAFF, leading=False),
        NONE: post("调研员", Rank.DIAOYANYUAN_4, NONE, leading=False),
    }


def holder(unit, name, post, start):
    cadre = make_cadre(unit, name)
    cadre_assign_position(cadre=cadre, position=post, start_month=start, actor=None)
    return cadre


def due_names(**kwargs) -> list[str]:
    return [t.cadre.name for t in rotation_due(on_date=ON, **kwargs)]


@pytest.mark.parametrize(
    ("kind", "enough", "not_enough"),
    [
        (LEADER, date(2016, 6, 1), date(2016, 7, 1)),  # 10 years
        (KEY, date(2021, 6, 1), date(2021, 7, 1)),  # 5 years
        (STAFF, date(2023, 6, 1), date(2023, 7, 1)),  # 3 years
    ],
)
def test_due_after_the_years_set_for_the_kind_of_post(unit, posts, kind, enough, not_enough):
    holder(unit, "够年限", posts[kind], enough)
    holder(unit, "差一月", posts[kind], not_enough)
    assert due_names() == ["够年限"]
    assert due_names(kind=kind) == ["够年限"]
    assert due_names(kind=next(k for k in (LEADER, KEY, STAFF) if k != kind)) == []


def test_the_day_the_years_are_reached(unit, posts):
    holder(unit, "王局长", posts[LEADER], date(2016, 6, 1))
    assert [t.cadre.name for t in rotation_due(on_date=date(2026, 5, 31))] == []
    assert [t.cadre.name for t in rotation_due(on_date=date(2026, 6, 1))] == ["王局长"]


def test_posts_without_a_rotation_rule_are_never_due(unit, posts):
    holder(unit, "老调研员", posts[NONE], date(1995, 1, 1))
    assert due_names() == []


def test_a_post_left_is_not_due(unit, posts):
    cadre = holder(unit, "王局长", posts[LEADER], date(2010, 1, 1))
    cadre_assign_position(cadre=cadre, position=posts[KEY], start_month=date(2025, 1, 1), actor=None)
    assert due_names() == []


def test_a_tenure_without_a_start_counts_from_the_post_since_month(unit):
    cadre = make_cadre(unit, "赵主任", current_post="办公室主任", rank=Rank.FU_KE)
    tenure = cadre.tenures.get(is_current=True)
    assert tenure.start_month is None
    position_update(position=tenure.position, rotation_kind=LEADER, actor=None)
    assert due_names() == []  # no start anywhere: cannot be judged
    cadre_update(cadre=cadre, actor=None, post_since_month=date(2016, 3, 1))
    due = list(rotation_due(on_date=ON))
    assert [(t.cadre.name, t.since) for t in due] == [("赵主任", date(2016, 3, 1))]


def test_the_longest_in_post_come_first_and_settings_change_the_years(unit, posts, settings):
    holder(unit, "甲", posts[KEY], date(2020, 1, 1))
    holder(unit, "乙", posts[LEADER], date(2012, 5, 1))
    holder(unit, "丙", posts[STAFF], date(2022, 1, 1))
    assert due_names() == ["乙", "甲", "丙"]
    settings.ORGDEPT_ROTATION_YEARS = {"leader": 15, "key": 5, "staff": 5}
    assert due_names() == ["甲"]


def test_filter_by_unit(unit, posts):
    holder(unit, "甲", posts[LEADER], date(2012, 5, 1))
    other = make_unit("区审计局")
    head = position_create(unit=other, title="局长", level=Rank.ZHENG_KE, rotation_kind=LEADER, actor=None)
    holder(other, "乙", head, date(2014, 5, 1))
    assert due_names(unit=other) == ["乙"]
    assert due_names() == ["甲", "乙"]


# --- the page --------------------------------------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def due(unit, posts):
    holder(unit, "王局长", posts[LEADER], date(2016, 3, 1))
    holder(unit, "李科长", posts[KEY], date(2021, 6, 1))
    holder(unit, "刘科员", posts[STAFF], date(2024, 1, 1))  # 2 years 5 months: not yet
    other = make_unit("区审计局")
    head = position_create(unit=other, title="局长", level=Rank.ZHENG_KE, rotation_kind=LEADER, actor=None)
    holder(other, "周局长", head, date(2015, 12, 1))
    return other


def page_rows(response) -> list[tuple[str, str, str]]:
    return [(r["tenure"].cadre.name, r["in_post"], r["rule"]) for r in response.context["rows"]]


@time_machine.travel(ON, tick=False)
def test_the_page_lists_who_is_due_with_years_in_post(client, staff, due):
    client.force_login(staff)
    response = client.get(PAGE_URL)
    assert response.status_code == 200
    assert page_rows(response) == [
        ("周局长", "10年6个月", "党政领导职务满10年"),
        ("王局长", "10年3个月", "党政领导职务满10年"),
        ("李科长", "5年", "重点岗位满5年"),
    ]
    html = response.content.decode()
    assert "10年3个月" in html
    assert "2016.03" in html
    assert "区财政局" in html and "审计科科长" in html


@time_machine.travel(ON, tick=False)
def test_the_page_filters_by_kind_unit_and_name(client, staff, due, unit):
    client.force_login(staff)
    assert [r[0] for r in page_rows(client.get(PAGE_URL, {"kind": KEY}))] == ["李科长"]
    assert [r[0] for r in page_rows(client.get(PAGE_URL, {"unit": due.pk}))] == ["周局长"]
    assert [r[0] for r in page_rows(client.get(PAGE_URL, {"unit": unit.pk, "kind": LEADER}))] == ["王局长"]
    assert [r[0] for r in page_rows(client.get(PAGE_URL, {"q": "王"}))] == ["王局长"]
    partial = client.get(PAGE_URL, {"kind": KEY}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "李科长" in partial and "王局长" not in partial


@time_machine.travel(ON, tick=False)
def test_the_kind_filter_offers_the_set_years(client, staff, settings, db):
    settings.ORGDEPT_ROTATION_YEARS = {"leader": 10, "key": 6}
    client.force_login(staff)
    choices = dict(client.get(PAGE_URL).context["filter_form"].fields["kind"].choices)
    assert choices["key"] == "重点岗位（满6年）"
    assert "staff" not in choices


@time_machine.travel(ON, tick=False)
def test_the_page_pages_with_a_constant_number_of_queries(client, staff, unit, posts, django_assert_num_queries):
    for i in range(3):
        holder(unit, f"甲{i}", posts[LEADER], date(2010, 1, 1))
    client.force_login(staff)
    client.get(PAGE_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE_URL, {"per_page": 50})
    for i in range(40):
        holder(unit, f"乙{i}", posts[KEY], date(2019, 1, 1))
    with django_assert_num_queries(len(few)):
        response = client.get(PAGE_URL, {"per_page": 50})
    assert len(response.context["rows"]) == 43
    assert response.context["paginator"].count == 43
    assert len(client.get(PAGE_URL).context["rows"]) == 25


@pytest.mark.parametrize("role", [roles.DEPARTMENT_LEADER, roles.ORGANIZATION_SECTION, roles.SYSTEM_ADMIN])
def test_department_roles_see_the_page(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(PAGE_URL).status_code == 200


@pytest.mark.parametrize("role", [roles.STANDING_MEMBER, roles.MEMBER])
def test_committee_members_do_not(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(PAGE_URL).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, db):
    response = client.get(PAGE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the home page section ---------------------------------------------------------------------------------------


def rotation_section(user):
    return next(s for s in cadre_sections(user) if s.order == 20)


@time_machine.travel(ON, tick=False)
def test_the_home_section_uses_the_same_rule(staff, due, settings):
    section = rotation_section(staff)
    assert section.title == "同一职位任职满规定年限应交流"
    assert section.more_url == PAGE_URL
    assert [item.label for item in section.items] == [
        "周局长（区审计局局长）",
        "王局长（区财政局局长）",
        "李科长（区财政局审计科科长）",
    ]
    assert section.items[1].detail == "任现职10年3个月（2016.03起；党政领导职务满10年应交流）"
    assert section.items[2].detail == "任现职5年（2021.06起；重点岗位满5年应交流）"
    settings.ORGDEPT_ROTATION_YEARS = {"leader": 10, "key": 8, "staff": 2}
    assert [item.label.split("（")[0] for item in rotation_section(staff).items] == ["周局长", "王局长", "刘科员"]


@time_machine.travel(ON, tick=False)
def test_the_home_page_shows_the_section_to_the_cadre_section(client, staff, due):
    client.force_login(staff)
    html = client.get(reverse("core:home")).content.decode()
    assert "同一职位任职满规定年限应交流" in html
    assert "任现职10年3个月" in html
