"""The cadre file: every section on the page, edits with Chinese messages, versions, position history, photo."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from cadres.models import Cadre, Education, Position, PositionTenure, Rank
from cadres.services import (
    EducationEntry,
    cadre_assign_position,
    cadre_replace_family,
    cadre_replace_resume,
    cadre_replace_rewards,
    cadre_set_education,
    cadre_update,
)
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit

TODAY = date(2026, 6, 15)


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu")


@pytest.fixture
def unit(db):
    return make_unit("区财政局", order=1)


@pytest.fixture
def cadre(unit):
    return make_cadre(
        unit,
        "张三",
        born=date(1975, 3, 9),
        rank=Rank.FU_KE,
        current_post="区财政局副局长",
        post_since_month=date(2019, 4, 1),
        party_joined_month=date(1998, 6, 1),
        work_started_month=date(1997, 7, 1),
    )


def full_file(cadre, actor=None):
    cadre_set_education(
        cadre=cadre,
        actor=actor,
        full_time=EducationEntry("大学", "经济学学士", "浙江大学经济学院财政学专业"),
        in_service=EducationEntry("研究生", "管理学硕士", "中共浙江省委党校经济管理专业"),
    )
    cadre_replace_resume(
        cadre=cadre,
        actor=actor,
        lines=[
            {
                "start_month": date(1993, 9, 1),
                "end_month": date(1997, 7, 1),
                "description": "浙江大学经济学院财政学专业学习",
            },
            {"start_month": date(1997, 7, 1), "end_month": None, "description": "区财政局工作"},
        ],
    )
    cadre_replace_rewards(
        cadre=cadre,
        actor=actor,
        items=[{"kind": "reward", "month": date(2015, 12, 1), "description": "被评为全区优秀公务员"}],
    )
    cadre_replace_family(
        cadre=cadre,
        actor=actor,
        members=[
            {
                "relation": "妻子",
                "name": "李梅",
                "birth_month": date(1977, 5, 1),
                "political_status": "中共党员",
                "work_and_post": "区第一小学教师",
            },
        ],
    )
    return Cadre.objects.get(pk=cadre.pk)


# --- services ---------------------------------------------------------------------------------------


def test_an_edit_on_a_stale_version_is_refused_and_changes_nothing(cadre, make_user):
    editor = make_user(roles.CADRE_SECTION)
    cadre_update(cadre=cadre, actor=editor, expected_version=1, phone="13800000000")
    with pytest.raises(ApplicationError, match="已被他人修改"):
        cadre_update(cadre=cadre, actor=editor, expected_version=1, phone="13900000000")
    cadre.refresh_from_db()
    assert cadre.phone == "13800000000"
    assert cadre.version == 2


def test_an_unchanged_save_writes_nothing(cadre):
    before = AuditEvent.objects.count()
    cadre_update(cadre=cadre, actor=None, expected_version=1, phone="", rank=Rank.FU_KE)
    cadre.refresh_from_db()
    assert cadre.version == 1
    assert AuditEvent.objects.count() == before


def test_joining_the_party_before_18_is_refused(cadre):
    # born 1975-03: the 18th birthday falls in 1993.03
    with pytest.raises(ApplicationError, match=r"入党时间1993\.02早于年满18周岁的月份（1993\.03）") as excinfo:
        cadre_update(cadre=cadre, actor=None, party_joined_month=date(1993, 2, 1))
    assert excinfo.value.field == "party_joined_month"
    cadre_update(cadre=cadre, actor=None, party_joined_month=date(1993, 3, 1))


def test_a_new_post_closes_the_old_tenure_and_opens_a_new_one(cadre, unit):
    [old] = PositionTenure.objects.filter(cadre=cadre)
    assert old.is_current and old.position.title == "区财政局副局长" and old.position.level == Rank.FU_KE
    cadre_update(cadre=cadre, actor=None, current_post="区财政局局长", post_since_month=date(2024, 1, 1))
    old.refresh_from_db()
    assert not old.is_current and old.end_month == date(2024, 1, 1)
    new = PositionTenure.objects.get(cadre=cadre, is_current=True)
    assert new.position.title == "区财政局局长" and new.start_month == date(2024, 1, 1)


def test_assigning_a_position_moves_unit_and_post(cadre):
    other = make_unit("区审计局")
    position = Position.objects.create(unit=other, title="局长", level=Rank.ZHENG_KE)
    with time_machine.travel(TODAY, tick=False):
        cadre_assign_position(cadre=cadre, position=position, start_month=date(2026, 5, 1), actor=None)
    cadre.refresh_from_db()
    assert (cadre.unit, cadre.current_post, cadre.post_since_month) == (other, "局长", date(2026, 5, 1))
    assert list(PositionTenure.objects.filter(cadre=cadre, is_current=True).values_list("position", flat=True)) == [
        position.pk
    ]
    with pytest.raises(ApplicationError, match="已担任"):
        cadre_assign_position(cadre=cadre, position=position, start_month=date(2026, 5, 1), actor=None)


def test_education_entries_set_the_highest_education(cadre):
    cadre_set_education(
        cadre=cadre,
        actor=None,
        full_time=EducationEntry("大学本科", "学士", "某大学"),
        in_service=EducationEntry("硕士研究生", "硕士", "某党校"),
    )
    cadre.refresh_from_db()
    assert cadre.education == "研究生"
    assert set(cadre.educations.values_list("kind", flat=True)) == {Education.Kind.FULL_TIME, Education.Kind.IN_SERVICE}
    cadre_set_education(cadre=cadre, actor=None, full_time=EducationEntry("大专"), in_service=EducationEntry())
    cadre.refresh_from_db()
    assert cadre.education == "大专"
    assert list(cadre.educations.values_list("kind", flat=True)) == [Education.Kind.FULL_TIME]


# --- pages ------------------------------------------------------------------------------------------


def test_the_file_page_shows_every_section_in_a_fixed_number_of_queries(
    client, staff, cadre, django_assert_max_num_queries
):
    full_file(cadre)
    client.force_login(staff)
    url = reverse("cadres:cadre_detail", args=[cadre.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    for text in [
        "浙江大学经济学院财政学专业",
        "管理学硕士",
        "区财政局工作",
        "被评为全区优秀公务员",
        "李梅",
        "1977.05",
        "区财政局副局长",
        "2019.04",
        "1975.03",
        "1998.06",
    ]:
        assert text in html, text
    cadre_replace_resume(
        cadre=cadre,
        actor=None,
        lines=[{"start_month": date(2000 + i, 1, 1), "end_month": None, "description": f"第{i}段"} for i in range(12)],
    )
    cadre_replace_family(cadre=cadre, actor=None, members=[{"relation": "子", "name": f"张{i}"} for i in range(8)])
    with django_assert_max_num_queries(len(first)):
        html = client.get(url).content.decode()
    assert "第11段" in html and "张7" in html


def test_edit_form_shows_chinese_errors_next_to_the_field(client, staff, cadre):
    client.force_login(staff)
    url = reverse("cadres:cadre_edit", args=[cadre.pk])
    form = client.get(url).context["form"]
    data = {k: form[k].value() or "" for k in form.fields}
    data.update({"party_joined_month": "1975.13", "work_started_month": "2031.01", "unit": cadre.unit_id})
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["party_joined_month"] == ["“1975.13”的月份应在1到12之间"]
    assert errors["work_started_month"] == ["“2031.01”晚于今天"]
    data.update({"party_joined_month": "1990年1月", "work_started_month": "1997.07"})
    response = client.post(url, data)
    assert "早于年满18周岁的月份" in response.context["form"].errors["party_joined_month"][0]


def test_editing_records_who_changed_what(client, staff, cadre):
    client.force_login(staff)
    url = reverse("cadres:cadre_edit", args=[cadre.pk])
    form = client.get(url).context["form"]
    data = {k: form[k].value() or "" for k in form.fields}
    data.update({"unit": cadre.unit_id, "phone": "13800000000", "health": "健康", "party_joined_month": "1998年6月"})
    response = client.post(url, data)
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="cadre.updated").latest("id")
    assert event.actor == staff
    assert event.details["changes"] == {"phone": ["", "13800000000"], "health": ["", "健康"]}
    html = client.get(reverse("cadres:cadre_detail", args=[cadre.pk])).content.decode()
    assert "13800000000" in html and "ganbu" in html


def test_a_stale_form_is_refused_with_a_message(client, staff, cadre):
    client.force_login(staff)
    url = reverse("cadres:cadre_edit", args=[cadre.pk])
    form = client.get(url).context["form"]
    data = {k: form[k].value() or "" for k in form.fields}
    data["unit"] = cadre.unit_id
    cadre_update(cadre=cadre, actor=None, phone="111")  # someone else saves meanwhile
    data["phone"] = "222"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.phone == "111"


def test_sections_are_edited_with_formsets(client, staff, cadre):
    client.force_login(staff)
    url = reverse("cadres:cadre_edit_section", args=[cadre.pk, "resume"])
    assert client.get(url).status_code == 200
    data = {
        "version": cadre.version,
        "resume-TOTAL_FORMS": 3,
        "resume-INITIAL_FORMS": 0,
        "resume-0-start_month": "1993.09",
        "resume-0-end_month": "1997.07",
        "resume-0-description": "大学学习",
        "resume-1-start_month": "1997年7月",
        "resume-1-end_month": "",
        "resume-1-description": "参加工作",
        "resume-2-start_month": "",
        "resume-2-end_month": "",
        "resume-2-description": "",
    }
    assert client.post(url, data).status_code == 302
    assert list(cadre.resume_lines.values_list("description", "start_month")) == [
        ("大学学习", date(1993, 9, 1)),
        ("参加工作", date(1997, 7, 1)),
    ]
    bad = dict(data, **{"version": cadre.version + 1, "resume-1-end_month": "1990.01"})
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "结束时间不能早于开始时间" in response.content.decode() or response.context["formset"].errors[1]
    assert client.get(reverse("cadres:cadre_edit_section", args=[cadre.pk, "nonsense"])).status_code == 404


def test_new_cadre_form_creates_a_file(client, staff, unit):
    from tests.cadres.factories import id_number

    client.force_login(staff)
    number = id_number(date(1988, 8, 8), male=False)
    response = client.post(
        reverse("cadres:cadre_new"),
        {
            "name": "王　芳",
            "id_number": number.lower(),
            "ethnicity": "汉族",
            "political_status": "中共党员",
            "unit": unit.pk,
            "current_post": "区财政局科员",
            "rank": Rank.KEYUAN_1,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    cadre = Cadre.objects.get(id_number=number)
    assert (cadre.name, cadre.gender, cadre.birth_month) == ("王芳", "F", date(1988, 8, 1))


def test_only_writers_may_edit(client, make_user, cadre):
    url = reverse("cadres:cadre_edit", args=[cadre.pk])
    client.force_login(make_user(roles.ORGANIZATION_SECTION))  # may read cadre files, not change them
    assert client.get(url).status_code == 403
    assert client.get(reverse("cadres:cadre_new")).status_code == 403
    client.force_login(make_user(roles.STANDING_MEMBER))
    assert client.get(url).status_code == 404


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 120), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_photo_upload_is_re_encoded_and_served_only_to_viewers(client, staff, make_user, cadre, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    url = reverse("cadres:cadre_edit_photo", args=[cadre.pk])
    refused = client.post(url, {"photo": SimpleUploadedFile("x.png", b"<script>alert(1)</script>", "image/png")})
    assert refused.status_code == 200
    assert refused.context["form"].errors["photo"]
    assert client.post(url, {"photo": SimpleUploadedFile("../../evil.png", _png(), "image/png")}).status_code == 302
    cadre.refresh_from_db()
    assert cadre.photo.name.startswith("cadre-photos/") and ".." not in cadre.photo.name
    photo_url = reverse("cadres:cadre_photo", args=[cadre.pk])
    response = client.get(photo_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"  # JPEG
    client.force_login(make_user(roles.STANDING_MEMBER))
    assert client.get(photo_url).status_code == 404
    client.logout()
    assert client.get(photo_url).status_code == 302


def test_more_list_filters(client, staff, unit):
    with time_machine.travel(TODAY, tick=False):
        a = make_cadre(unit, "甲", post_since_month=date(2015, 1, 1), political_status="群众")
        b = make_cadre(unit, "乙", post_since_month=date(2022, 1, 1))
        cadre_set_education(cadre=a, actor=None, full_time=EducationEntry("大学"), in_service=EducationEntry())
        client.force_login(staff)
        url = reverse("cadres:cadre_list")

        def names(params):
            return sorted(c.name for c in client.get(url, params).context["object_list"])

        assert names({"years_in_post": 10}) == ["甲"]
        assert names({"years_in_post": 4}) == sorted(["甲", "乙"])
        assert names({"political_status": "群众"}) == ["甲"]
        assert names({"education": "大学"}) == ["甲"]
        assert b.name not in names({"education": "研究生"})


def test_opening_an_edit_page_is_audited_as_a_view(client, staff, cadre):
    client.force_login(staff)
    for url in (
        reverse("cadres:cadre_edit", args=[cadre.pk]),
        reverse("cadres:cadre_edit_education", args=[cadre.pk]),
        reverse("cadres:cadre_edit_section", args=[cadre.pk, "family"]),
    ):
        before = AuditEvent.objects.filter(action="cadre.viewed", object_id=str(cadre.pk)).count()
        assert client.get(url).status_code == 200
        assert AuditEvent.objects.filter(action="cadre.viewed", object_id=str(cadre.pk)).count() == before + 1


def test_exporting_the_filtered_list_gives_the_roster_of_those_cadres(client, staff, make_user, unit):
    import csv

    other = make_unit("区审计局")
    make_cadre(unit, "张三")
    make_cadre(unit, "=cmd|' /C calc'!A0")
    make_cadre(other, "王五")
    client.force_login(staff)
    response = client.get(reverse("cadres:cadre_export"), {"unit": unit.pk, "format": "csv"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(response.content.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["姓名", "性别", "民族"]
    assert sorted(r[0] for r in rows[1:]) == sorted(["张三", "'=cmd|' /C calc'!A0"])
    assert AuditEvent.objects.filter(action="roster.exported", actor=staff).exists()
    xlsx = client.get(reverse("cadres:cadre_export"), {"q": "王五"})
    assert xlsx.content[:2] == b"PK"
    client.force_login(make_user(roles.STANDING_MEMBER))
    assert client.get(reverse("cadres:cadre_export")).status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_the_file_page_shows_the_qualifications_for_the_next_level(client, staff, unit):
    # 正科级 → 副处级: work since 2022.01 is under 5 years on 2026-06-15
    cadre = make_cadre(unit, "赵六", born=date(1980, 1, 1), rank=Rank.ZHENG_KE, work_started_month=date(2022, 1, 1))
    client.force_login(staff)
    html = client.get(reverse("cadres:cadre_detail", args=[cadre.pk])).content.decode()
    assert 'data-testid="qualifications"' in html
    assert "副处级" in html
    assert 'class="fail"' in html


def test_a_full_date_later_this_month_is_in_the_future():
    from orgdept.core.yearmonth import YearMonthError, parse_year_month

    today = date(2026, 3, 10)
    assert parse_year_month("2026-03-10", today=today) == date(2026, 3, 1)
    assert parse_year_month("2026.03", today=today) == date(2026, 3, 1)
    with pytest.raises(YearMonthError, match="晚于今天"):
        parse_year_month("2026-03-25", today=today)


def test_pinyin_initials_skip_what_is_not_a_letter_and_fit_long_names(unit):
    cadre = make_cadre(unit, "阿卜杜热依木·买买提明·阿不都克热木·艾合买提")
    cadre.refresh_from_db()
    assert cadre.name_initials == "abdrymmmtmabdkrmahmt"


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("曾伟", "zw"),
        ("单雄信", "sxx"),
        ("解放", "xf"),
        ("仇明", "qm"),
        ("区华", "oh"),
        ("查良", "zl"),
        ("朴正", "pz"),
        ("覃明", "qm"),
        ("尉迟恭", "ycg"),
        ("万俟卨", "mqx"),
        ("长孙无忌", "zswj"),
        ("乐平", "yp"),
        ("张乐", "zl"),
        ("王曾", "wc"),
    ],
)
def test_pinyin_initials_read_the_surname_as_a_surname(name, initials):
    from cadres.services import name_initials

    assert name_initials(name) == initials


def test_the_list_finds_a_cadre_by_the_initials_of_a_surname_with_its_own_reading(client, staff, unit):
    make_cadre(unit, "曾伟")
    make_cadre(unit, "陈伟")
    client.force_login(staff)
    found = client.get(reverse("cadres:cadre_list"), {"q": "zw"}).context["object_list"]
    assert [c.name for c in found] == ["曾伟"]


def test_refresh_name_initials_recomputes_the_initials_of_files_saved_before(unit):
    from django.core.management import call_command

    old = make_cadre(unit, "曾伟")
    kept = make_cadre(unit, "李四")
    # as saved under the old reading rule (no service writes a wrong value any more)
    Cadre.objects.filter(pk=old.pk).update(name_initials="cw")
    out = io.StringIO()
    call_command("refresh_name_initials", stdout=out)
    assert "1" in out.getvalue()
    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.name_initials, kept.name_initials) == ("zw", "ls")
    assert AuditEvent.objects.filter(action="cadre.initials_refreshed", details__changed=1).exists()
    call_command("refresh_name_initials", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="cadre.initials_refreshed").count() == 1


def test_correcting_the_time_in_post_moves_the_start_of_the_open_tenure(unit):
    from cadres.selectors import rotation_due

    leader = make_cadre(
        unit, "王局长", rank=Rank.ZHENG_KE, current_post="区财政局局长", post_since_month=date(2020, 1, 1)
    )
    [tenure] = PositionTenure.objects.filter(cadre=leader)
    assert tenure.position.rotation_kind == Position.RotationKind.LEADER
    assert list(rotation_due(on_date=TODAY)) == []

    cadre_update(cadre=leader, actor=None, post_since_month=date(2012, 1, 1))

    tenure.refresh_from_db()
    assert (tenure.is_current, tenure.start_month) == (True, date(2012, 1, 1))
    assert PositionTenure.objects.filter(cadre=leader).count() == 1
    assert [t.cadre.name for t in rotation_due(on_date=TODAY)] == ["王局长"]
    event = AuditEvent.objects.filter(action="cadre.updated", object_id=str(leader.pk)).latest("pk")
    assert event.details["changes"]["区财政局局长任职起始时间"] == ["2020.01", "2012.01"]


def _stored_photos(media_root) -> list[str]:
    folder = media_root / "cadre-photos"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_photo_written_in_a_transaction_that_rolls_back_is_removed(cadre, settings, tmp_path):
    from django.db import transaction

    from cadres.services import cadre_set_photo
    from cadres.services.records import files_removed_on_rollback

    settings.MEDIA_ROOT = tmp_path
    cadre_set_photo(cadre=cadre, content=_png(), actor=None)
    kept = _stored_photos(tmp_path)
    assert len(kept) == 1

    class Later(Exception):
        pass

    # the photo is replaced, then something later in the same transaction fails
    with pytest.raises(Later), files_removed_on_rollback(), transaction.atomic():
        cadre_set_photo(cadre=cadre, content=_png(), actor=None)
        assert len(_stored_photos(tmp_path)) == 2
        raise Later
    assert _stored_photos(tmp_path) == kept
    cadre.refresh_from_db()
    assert cadre.photo.name.endswith(kept[0])
    with cadre.photo.open("rb") as f:
        assert f.read()[:3] == b"\xff\xd8\xff"

    # a refused photo writes nothing
    with pytest.raises(ApplicationError):
        cadre_set_photo(cadre=cadre, content=b"not a picture", actor=None)
    assert _stored_photos(tmp_path) == kept
