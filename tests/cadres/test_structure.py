"""Team structure (班子结构): ages on a chosen date, the aggregate numbers of a team or of every cadre, the SVG
pictures, the page (roles, htmx, query count) and the PDF document kind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cadres.models import Position, Rank
from cadres.selectors import team_member_list, team_structure
from cadres.services import EducationEntry, cadre_assign_position, position_create
from cadres.structure import (
    AGE_BANDS,
    Share,
    age_band_of,
    format_months,
    hbar_chart,
    months_between,
    percent,
    stacked_bar,
    years_before,
)
from orgdept.core import roles
from orgdept.core.models import AuditEvent, Document
from orgdept.core.yearmonth import age_on
from tests.cadres.factories import make_cadre, make_unit

PAGE_URL = reverse("cadres:structure")
PDF_URL = reverse("cadres:structure_pdf")
ON = date(2026, 6, 15)


# --- pure computations ------------------------------------------------------------------------------------


def test_years_before_keeps_the_day_and_moves_29_february():
    assert years_before(date(2026, 6, 15), 40) == date(1986, 6, 15)
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert years_before(date(2028, 2, 29), 4) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("start", "end", "months", "text"),
    [
        (date(2016, 3, 1), date(2026, 6, 15), 123, "10年3个月"),
        (date(2016, 6, 1), date(2026, 6, 1), 120, "10年"),
        (date(2026, 3, 1), date(2026, 6, 30), 3, "3个月"),
        (date(2026, 6, 1), date(2026, 6, 30), 0, "不足1个月"),
        (date(2021, 7, 15), date(2026, 7, 14), 59, "4年11个月"),  # full dates: the day counts
    ],
)
def test_months_between_and_format_months(start, end, months, text):
    assert months_between(start, end) == months
    assert format_months(months) == text


def test_age_bands_cover_every_age_once():
    assert [b.label for b in AGE_BANDS] == ["35岁及以下", "36—40岁", "41—45岁", "46—50岁", "51—55岁", "56岁及以上"]
    for age in range(18, 80):
        assert sum(b.contains(age) for b in AGE_BANDS) == 1
    assert age_band_of(35).label == "35岁及以下"
    assert age_band_of(36).label == "36—40岁"
    assert age_band_of(56).label == "56岁及以上"


@pytest.mark.parametrize("on", [date(2026, 6, 15), date(2026, 1, 1), date(2028, 2, 29), date(2026, 12, 31)])
def test_birth_ranges_of_the_bands_agree_with_whole_year_ages(on):
    for months in range(12 * 18, 12 * 70):
        index = on.year * 12 + on.month - 1 - months
        born = date(index // 12, index % 12 + 1, 1)
        in_band = [
            band
            for band in AGE_BANDS
            if (band.born_range(on)[0] is None or born > band.born_range(on)[0])
            and (band.born_range(on)[1] is None or born <= band.born_range(on)[1])
        ]
        assert in_band == [age_band_of(age_on(born, on))], born


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(0, 0) == Decimal("0.0")


# --- SVG pictures ---------------------------------------------------------------------------------------------


def test_bar_chart_draws_a_bar_per_item_with_numbers_and_titles():
    svg = hbar_chart(
        [Share("35岁及以下", 3, 12), Share("36—40岁", 9, 12), Share("<b>", 0, 12)], title="年龄结构", chart_id="age"
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert '<title id="age-title">年龄结构</title>' in svg
    assert "35岁及以下 3人（25.0%）" in svg  # the accessible title of the bar
    assert "9人" in svg and "75.0%" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert svg.count("<g>") == 3


def test_stacked_bar_splits_in_proportion_with_a_legend():
    svg = stacked_bar([Share("男", 3, 4), Share("女", 1, 4)], title="性别结构", chart_id="gender", width=400)
    assert 'width="300.0"' in svg and 'width="100.0"' in svg
    assert "男 3人" in svg and "女 1人" in svg and "75.0%" in svg and "25.0%" in svg


def test_charts_of_nobody_say_so():
    assert "暂无数据" in hbar_chart([], title="年龄结构", chart_id="a")
    assert "暂无数据" in stacked_bar([Share("男", 0, 0), Share("女", 0, 0)], title="性别结构", chart_id="g")


# --- the numbers ------------------------------------------------------------------------------------------------


def appoint(cadre, position, start=date(2020, 1, 1), **kwargs):
    return cadre_assign_position(cadre=cadre, position=position, start_month=start, actor=None, **kwargs)


@pytest.fixture
def bureau(db):
    """区财政局 on 2026-06-15: a team of three (56, 39 and 40 years old) and a young staff member (31)."""
    unit = make_unit("区财政局", order=1)
    head = position_create(unit=unit, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
    deputy = position_create(
        unit=unit, title="副局长", level=Rank.FU_KE, role=Position.Role.DEPUTY, order=1, actor=None
    )
    clerk = position_create(unit=unit, title="科员", level=Rank.KEYUAN_1, leading=False, order=5, actor=None)
    people = [
        ("王局长", date(1970, 5, 3), True, head, {"full_time": EducationEntry("大学本科")}),
        ("李副", date(1986, 7, 9), False, deputy, {"ethnicity": "回族", "full_time": EducationEntry("研究生")}),
        ("赵副", date(1986, 6, 20), True, deputy, {"full_time": EducationEntry("大专")}),
        ("钱科员", date(1995, 1, 2), False, clerk, {"political_status": "群众", "full_time": EducationEntry("大学")}),
    ]
    for name, born, male, post, fields in people:
        appoint(make_cadre(unit, name, born=born, male=male, **fields), post)
    return unit


@pytest.fixture
def elsewhere(bureau):
    """Another unit's head: in every unit's team, not in 区财政局's."""
    unit = make_unit("区审计局", order=2)
    head = position_create(unit=unit, title="局长", level=Rank.ZHENG_KE, role=Position.Role.HEAD, actor=None)
    appoint(make_cadre(unit, "孙局长", born=date(1976, 2, 1)), head)
    return unit


def numbers(structure) -> dict:
    return {
        "total": structure.total,
        "average_age": structure.average_age,
        "bands": [s.count for s in structure.age_bands],
        "female": structure.female.count,
        "young": structure.young.count,
        "minority": structure.minority.count,
    }


def test_the_leadership_team_of_a_unit(bureau, elsewhere):
    structure = team_structure(unit=bureau, scope="team", on_date=ON)
    assert structure.title == "区财政局领导班子"
    assert numbers(structure) == {
        "total": 3,
        "average_age": Decimal("45.0"),  # (56 + 39 + 40) / 3
        "bands": [0, 2, 0, 0, 0, 1],
        "female": 1,
        "young": 1,  # 李副 is 39; 赵副 turned 40 this month
        "minority": 1,
    }
    assert [(s.label, s.count, s.percent) for s in structure.gender] == [
        ("男", 2, Decimal("66.7")),
        ("女", 1, Decimal("33.3")),
    ]
    assert [(s.label, s.count) for s in structure.ethnicity] == [("汉族", 2), ("少数民族", 1)]
    assert [(s.label, s.count) for s in structure.education] == [
        ("研究生", 1),
        ("大学", 1),
        ("大专", 1),
        ("中专", 0),
        ("高中及以下", 0),
    ]
    assert [(s.label, s.count) for s in structure.political_status] == [("中共党员", 3)]
    assert structure.summary == (
        "区财政局领导班子：共3人，平均年龄45.0岁，40岁以下1人（占33.3%），女性1人（占33.3%），少数民族1人（占33.3%）。"
    )


def test_every_cadre_of_a_unit(bureau, elsewhere):
    structure = team_structure(unit=bureau, scope="all", on_date=ON)
    assert structure.title == "区财政局全体干部"
    assert numbers(structure) == {
        "total": 4,
        "average_age": Decimal("41.5"),  # (56 + 39 + 40 + 31) / 4
        "bands": [1, 2, 0, 0, 0, 1],
        "female": 2,
        "young": 2,
        "minority": 1,
    }
    assert [(s.label, s.count) for s in structure.political_status] == [("中共党员", 3), ("群众", 1)]


def test_all_units(bureau, elsewhere):
    teams = team_structure(scope="team", on_date=ON)
    assert teams.title == "各单位领导班子成员"
    assert teams.total == 4
    assert [s.count for s in teams.age_bands] == [0, 2, 0, 1, 0, 1]  # 孙局长 is 50
    everyone = team_structure(scope="all", on_date=ON)
    assert everyone.total == 5


def test_ages_are_counted_on_the_chosen_date(bureau):
    later = team_structure(unit=bureau, on_date=date(2026, 7, 1))
    assert later.young.count == 0  # 李副 turned 40 in July
    assert [s.count for s in later.age_bands] == [0, 2, 0, 0, 0, 1]
    earlier = team_structure(unit=bureau, on_date=date(2021, 6, 1))
    assert [s.count for s in earlier.age_bands] == [2, 0, 0, 0, 1, 0]  # 34, 35 and 51
    assert earlier.average_age == Decimal("40.0")


def test_a_second_leading_post_elsewhere_puts_a_cadre_in_that_team_too(bureau, elsewhere):
    deputy = position_create(unit=elsewhere, title="副局长（兼）", level=Rank.FU_KE, actor=None)
    appoint(bureau.cadres.get(name="李副"), deputy, date(2023, 1, 1), concurrent=True)
    assert team_structure(unit=elsewhere, on_date=ON).total == 2
    assert team_structure(unit=bureau, on_date=ON).total == 3
    assert team_structure(on_date=ON).total == 4  # counted once across units


def test_an_empty_team(db):
    unit = make_unit("区新设单位")
    structure = team_structure(unit=unit, on_date=ON)
    assert structure.total == 0
    assert structure.average_age is None
    assert structure.summary == "区新设单位领导班子：暂无人员。"


def test_the_aggregate_is_one_query_whatever_the_number_of_cadres(bureau, django_assert_num_queries):
    for scope in ("team", "all"):
        with django_assert_num_queries(1):
            team_structure(unit=bureau, scope=scope, on_date=ON)
    for i in range(30):
        make_cadre(bureau, f"新人{i}")
    with django_assert_num_queries(1):
        assert team_structure(unit=bureau, scope="all", on_date=ON).total == 34


def test_team_members_heads_first_with_their_ages(bureau):
    members = team_member_list(unit=bureau, on_date=ON)
    assert [(m.name, m.age_at, [t.position.title for t in m.unit_tenures]) for m in members] == [
        ("王局长", 56, ["局长"]),
        ("李副", 39, ["副局长"]),
        ("赵副", 40, ["副局长"]),
    ]


# --- the page ----------------------------------------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


def test_the_page_draws_the_team_of_a_unit(client, staff, bureau):
    client.force_login(staff)
    response = client.get(PAGE_URL, {"unit": bureau.pk, "scope": "team", "on": "2026-06-15"})
    assert response.status_code == 200
    assert response.context["structure"].total == 3
    html = response.content.decode()
    assert "区财政局领导班子" in html
    assert html.count("<svg") == 5
    assert '<title id="chart-age-title">年龄结构</title>' in html
    assert "36—40岁 2人（66.7%）" in html
    assert "45.0" in html
    assert [m.name for m in response.context["members"]] == ["王局长", "李副", "赵副"]
    assert "1986.07（39岁）" in html


def test_the_page_defaults_to_every_units_team_today(client, staff, bureau, elsewhere):
    client.force_login(staff)
    response = client.get(PAGE_URL)
    assert response.context["structure"].title == "各单位领导班子成员"
    assert response.context["structure"].on_date == date.today()
    assert response.context["members"] is None


def test_a_bad_date_is_shown_next_to_the_field(client, staff, bureau):
    client.force_login(staff)
    response = client.get(PAGE_URL, {"unit": bureau.pk, "on": "1900-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["on"]


def test_the_htmx_request_gets_the_results_only(client, staff, bureau):
    client.force_login(staff)
    html = client.get(PAGE_URL, {"unit": bureau.pk}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html
    assert 'data-testid="structure-stats"' in html


def test_the_page_query_count_does_not_grow_with_the_team(client, staff, bureau, django_assert_num_queries):
    client.force_login(staff)
    params = {"unit": bureau.pk, "scope": "all", "on": "2026-06-15"}
    client.get(PAGE_URL, params)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE_URL, params)
    deputy = bureau.positions.get(title="副局长")
    for i in range(25):
        appoint(make_cadre(bureau, f"新人{i}"), deputy)
    with django_assert_num_queries(len(few)):
        response = client.get(PAGE_URL, params)
    assert response.context["structure"].total == 29


@pytest.mark.parametrize(
    "role", [roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER, roles.ORGANIZATION_SECTION, roles.APPRAISAL_OFFICE]
)
def test_department_roles_see_the_page(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(PAGE_URL).status_code == 200


@pytest.mark.parametrize("role", [roles.STANDING_MEMBER, roles.MEMBER])
def test_committee_members_do_not(client, make_user, bureau, role):
    client.force_login(make_user(role))
    assert client.get(PAGE_URL).status_code == 403
    assert client.post(PDF_URL, {"unit": bureau.pk}).status_code == 403
    assert not Document.objects.exists()


def test_the_anonymous_are_sent_to_sign_in(client, db):
    response = client.get(PAGE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the PDF ------------------------------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_pdf_is_a_document_with_the_unit_and_its_numbers(
    client, staff, bureau, media_root, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PDF_URL, {"unit": bureau.pk, "scope": "team", "on": "2026-06-15"})
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:document_detail", args=[document.pk])
    document.refresh_from_db()
    assert document.kind == "team_structure"
    assert document.status == Document.Status.READY, document.error
    assert document.params == {"unit": bureau.pk, "scope": "team", "on": "2026-06-15"}
    assert document.filename == "区财政局领导班子结构分析（20260615）.pdf"
    assert AuditEvent.objects.filter(action="document.requested", object_id=str(document.pk)).exists()
    with document.file.open("rb") as f:
        reader = PdfReader(BytesIO(f.read()))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "区财政局领导班子结构分析" in text
    assert "2026年6月15日" in text
    assert "王局长" in text

    download = client.get(reverse("core:document_download", args=[document.pk]))
    assert download.status_code == 200
    b"".join(download.streaming_content)
    assert AuditEvent.objects.filter(action="document.downloaded", object_id=str(document.pk)).exists()


def test_a_pdf_with_a_bad_date_is_refused_with_a_message(client, staff, bureau):
    client.force_login(staff)
    response = client.post(PDF_URL, {"unit": bureau.pk, "on": "1900-01-01"}, follow=True)
    assert response.redirect_chain[-1][0] == PAGE_URL
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Document.objects.exists()


def test_the_pdf_of_every_cadre(client, staff, bureau, elsewhere, media_root, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PDF_URL, {"unit": "", "scope": "all", "on": "2026-06-15"})
    document = Document.objects.get()
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.error
    with document.file.open("rb") as f:
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(f.read())).pages)
    assert "全体干部结构分析" in text
