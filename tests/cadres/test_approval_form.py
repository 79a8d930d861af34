"""The 干部任免审批表: one A4 page per form, its fields and dates, escaping, the photo, batches, the document
service, the page preview and who may see it."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image, ImageDraw
from pypdf import PdfReader

from cadres import extensions
from cadres.approval_form import FormOptions, cadres_for_forms, render_forms_pdf, sheet_context
from cadres.models import Cadre, PoliticalStatus
from cadres.services import (
    EducationEntry,
    cadre_replace_family,
    cadre_replace_resume,
    cadre_replace_rewards,
    cadre_set_photo,
)
from orgdept.core import roles
from orgdept.core.documents import document_request
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import AuditEvent, Document
from tests.cadres.factories import id_number, make_cadre, make_unit

AGE_ON = date(2026, 6, 15)
OPTIONS = FormOptions(
    proposed_post="云岭区人民政府副区长（试用期一年）",
    removed_post="云岭区财政局局长职务",
    reason="工作需要",
    age_on=AGE_ON,
    reporting_unit="中共云岭区委组织部",
    filled_by="赵敏",
    filled_on=AGE_ON,
)


def portrait(size=(360, 480)) -> bytes:
    """A stand-in ID photo: a figure on a blue ground."""
    image = Image.new("RGB", size, (92, 142, 205))
    draw = ImageDraw.Draw(image)
    draw.ellipse((110, 90, 250, 260), fill=(236, 200, 170))
    draw.rectangle((40, 300, 320, 480), fill=(30, 40, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def ym(year, month):
    return date(year, month, 1)


RESUME = [
    (ym(1993, 9), ym(1997, 7), "云南大学经济学院财政学专业学习"),
    (ym(1997, 7), ym(2003, 6), "云岭区财政局预算股科员、副股长"),
    (
        ym(2003, 6),
        ym(2006, 9),
        "云岭区财政局预算股股长（其间：2002.09--2005.07在云南财经大学公共管理专业在职研究生学习，获管理学硕士学位）",
    ),
    (ym(2006, 9), ym(2011, 4), "云岭区青山镇党委委员、副镇长"),
    (ym(2011, 4), ym(2014, 12), "云岭区青山镇党委副书记、镇长"),
    (ym(2014, 12), ym(2019, 8), "云岭区发展和改革局党组副书记、副局长（正科级）"),
    (ym(2019, 8), None, "云岭区财政局党组书记、局长"),
]
REWARDS = [
    ("reward", ym(2012, 12), "被云岭区委、区政府评为“优秀公务员”"),
    ("reward", ym(2016, 6), "被云岭区委评为优秀共产党员"),
    ("punishment", ym(2018, 3), "受到诫勉谈话"),
]
FAMILY = [
    ("妻子", "王丽华", ym(1977, 8), "中共党员", "云岭区第一中学教师"),
    ("儿子", "李明远", ym(2003, 10), "共青团员", "云南大学经济学院学生"),
    ("父亲", "李德福", ym(1948, 5), "中共党员", "云岭区农业农村局退休干部"),
    ("母亲", "张桂芳", ym(1950, 11), "群众", "云岭区青山镇居民"),
]


def full_cadre(unit, *, name="李建国", born=date(1975, 3, 12), seq=3, actor=None, photo=True, **overrides) -> Cadre:
    """A cadre whose every form field and section is filled, built through the services."""
    fields = {
        "ethnicity": "汉族",
        "native_place": "云南昆明",
        "birthplace": "云南宜良",
        "party_joined_month": ym(1996, 5),
        "work_started_month": ym(1997, 7),
        "health": "健康",
        "professional_title": "经济师",
        "expertise": "财政管理、经济运行分析",
        "current_post": "云岭区财政局党组书记、局长",
        "rank": "正科级",
        "post_since_month": ym(2019, 8),
        "full_time": EducationEntry("大学", "经济学学士", "云南大学经济学院财政学专业"),
        "in_service": EducationEntry("研究生", "管理学硕士", "云南财经大学公共管理专业"),
        **overrides,
    }
    from cadres.services import cadre_create

    cadre = cadre_create(actor=actor, unit=unit, name=name, id_number=id_number(born, area="530102", seq=seq), **fields)
    cadre = cadre_replace_resume(
        cadre=cadre,
        actor=actor,
        lines=[{"start_month": a, "end_month": b, "description": t} for a, b, t in RESUME],
    )
    cadre = cadre_replace_rewards(
        cadre=cadre, actor=actor, items=[{"kind": k, "month": m, "description": t} for k, m, t in REWARDS]
    )
    cadre = cadre_replace_family(
        cadre=cadre,
        actor=actor,
        members=[
            {"relation": r, "name": n, "birth_month": b, "political_status": p, "work_and_post": w}
            for r, n, b, p, w in FAMILY
        ],
    )
    if photo:
        cadre = cadre_set_photo(cadre=cadre, content=portrait(), actor=actor)
    return cadre


def loaded(cadre) -> Cadre:
    return cadres_for_forms([cadre.pk])[0]


def pdf_pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Extracted text without the line breaks the layout puts into long cells."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def unit(db):
    return make_unit("云岭区财政局", order=1)


@pytest.fixture
def cadre(unit):
    return full_cadre(unit)


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu", first_name="敏", last_name="赵")


# --- the sheet ---------------------------------------------------------------------------------------


def test_the_birth_month_shows_the_age_on_the_chosen_date(cadre):
    sheet = sheet_context(loaded(cadre), OPTIONS)
    assert sheet["birth"] == "1975.03（51岁）"
    # born on the 12th: on the 1st of March 2026 the cadre is still 50 (the ID number gives the day)
    earlier = sheet_context(loaded(cadre), FormOptions(age_on=date(2026, 3, 1)))
    assert earlier["birth"] == "1975.03（50岁）"


def test_the_sheet_holds_every_section_with_year_month_dates(cadre):
    sheet = sheet_context(loaded(cadre), OPTIONS)
    assert sheet["party"] == "1996.05"
    assert sheet["work_started"] == "1997.07"
    assert sheet["resume"][0] == {"period": "1993.09--1997.07", "text": "云南大学经济学院财政学专业学习"}
    assert sheet["resume"][-1]["period"] == "2019.08--"
    assert sheet["rewards"][0] == "2012.12 被云岭区委、区政府评为“优秀公务员”"
    assert sheet["family"][0]["born"] == "1977.08"
    assert sheet["full_time"] == {"education": "大学", "degree": "经济学学士", "school": "云南大学经济学院财政学专业"}


def test_members_of_other_parties_show_their_party_where_the_party_date_goes(unit):
    member = make_cadre(
        unit, "周敏", born=date(1970, 5, 1), political_status=PoliticalStatus.CDL, party_joined_month=ym(1998, 6)
    )
    masses = make_cadre(unit, "吴刚", political_status=PoliticalStatus.MASSES)
    assert sheet_context(loaded(member), OPTIONS)["party"] == "1998.06民盟"
    assert sheet_context(loaded(masses), OPTIONS)["party"] == ""


def test_the_appraisal_line_comes_from_the_extension_point_and_is_blank_without_one(cadre, monkeypatch):
    assert sheet_context(loaded(cadre), OPTIONS)["appraisal"] == ""
    seen = []

    def provider(c, on):
        seen.append((c.pk, on))
        return "2025年度考核为优秀"

    monkeypatch.setattr(extensions, "_appraisal_summary", provider)
    assert sheet_context(loaded(cadre), OPTIONS)["appraisal"] == "2025年度考核为优秀"
    assert seen == [(cadre.pk, AGE_ON)]
    # a form that states its own line (an imported .lrmx) keeps it
    own = FormOptions(age_on=AGE_ON, appraisal="称职")
    assert sheet_context(loaded(cadre), own)["appraisal"] == "称职"


def test_blank_dates_default_to_today(cadre):
    sheet = sheet_context(loaded(cadre), FormOptions(), today=date(2026, 1, 20))
    assert sheet["age_on"] == date(2026, 1, 20)
    assert sheet["filled_on"] == date(2026, 1, 20)


# --- the PDF -----------------------------------------------------------------------------------------


def test_a_full_file_prints_on_one_a4_page_with_its_fields(cadre):
    content = render_forms_pdf([(loaded(cadre), OPTIONS)])
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in (page.mediabox.width, page.mediabox.height))
    assert (round(width_mm), round(height_mm)) == (210, 297)
    text = page.extract_text()
    for expected in (
        "干部任免审批表",
        "李建国",
        "1975.03（51岁）",
        "1996.05",
        "1997.07",
        "经济学学士",
        "1993.09--1997.07",
        "2019.08--",
        "云岭区人民政府副区长（试用期一年）",
        "云岭区财政局局长职务",
        "2016.06被云岭区委评为优秀共产党员",
        "王丽华",
        "1977.08",
        "中共云岭区委组织部",
        "计算年龄时间：2026年6月15日",
        "填表人：赵敏",
    ):
        assert flat(expected) in flat(text), expected
    assert len(page.images) == 1  # the photo
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("CJK" in name for name in fonts), fonts  # Chinese glyphs from the project's PDF fonts


def test_without_a_photo_the_box_stays_empty(unit):
    cadre = full_cadre(unit, photo=False)
    page = PdfReader(io.BytesIO(render_forms_pdf([(loaded(cadre), OPTIONS)]))).pages[0]
    assert len(page.images) == 0
    assert "照片" in flat(page.extract_text())


def test_html_in_any_field_prints_as_text(unit):
    cadre = full_cadre(unit, current_post="<script>alert(1)</script>局长", photo=False)
    options = FormOptions(age_on=AGE_ON, reason="<b>工作需要</b>", proposed_post='<img src="https://evil.example/x">')
    sheet = sheet_context(loaded(cadre), options)
    html = render_to_string("cadres/pdf/approval_form.html", {"sheets": [sheet], "font_families": ["serif"]})
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>工作需要" not in html
    text = flat(pdf_pages(render_forms_pdf([(loaded(cadre), options)]))[0])
    assert "<script>alert(1)</script>局长" in text
    assert "<b>工作需要</b>" in text
    assert '<imgsrc="https://evil.example/x">' in text


def test_a_long_resume_is_printed_smaller_and_stays_on_one_page(cadre):
    lines = [
        {
            "start_month": ym(1997, 7),
            "end_month": ym(1997, 8),
            "description": f"在云岭区委组织部参加新录用公务员培训第{i}期",
        }
        for i in range(12)
    ]
    cadre = cadre_replace_resume(
        cadre=cadre,
        actor=None,
        lines=lines + [{"start_month": a, "end_month": b, "description": t} for a, b, t in RESUME],
    )
    normal = sheet_context(loaded(full_cadre(make_unit(), name="赵刚", seq=8)), OPTIONS)
    long = sheet_context(loaded(cadre), OPTIONS)
    assert long["resume_pt"] < normal["resume_pt"]
    assert len(pdf_pages(render_forms_pdf([(loaded(cadre), OPTIONS)]))) == 1


def test_a_batch_prints_one_page_per_cadre_in_the_order_asked(unit):
    cadres = [
        full_cadre(unit, name=name, born=date(1970 + i, 5, 2), seq=i, photo=i == 0)
        for i, name in enumerate(["甲一", "乙二", "丙三"])
    ]
    order = [cadres[2], cadres[0], cadres[1]]
    pages = pdf_pages(render_forms_pdf([(c, OPTIONS) for c in cadres_for_forms([c.pk for c in order])]))
    assert len(pages) == 3
    for page, cadre in zip(pages, order, strict=True):
        assert cadre.name in page


# --- the document service and the pages --------------------------------------------------------------


def test_requesting_the_form_renders_a_ready_one_page_pdf_and_audits_it(
    client, staff, cadre, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cadres:approval_form", args=[cadre.pk]),
            {
                "proposed_post": "云岭区人民政府副区长",
                "reason": "工作需要",
                "age_on": "2026-06-15",
                "filled_on": "2026-06-15",
                "filled_by": "赵敏",
                "reporting_unit": "中共云岭区委组织部",
            },
        )
    document = Document.objects.get(kind="approval_form")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:document_detail", args=[document.pk])
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.error
    assert document.filename == "干部任免审批表-李建国.pdf"
    with document.file.open("rb") as f:
        pages = pdf_pages(f.read())
    assert len(pages) == 1
    assert "云岭区人民政府副区长" in pages[0] and "1975.03（51岁）" in flat(pages[0])
    assert AuditEvent.objects.filter(action="document.requested", object_id=str(document.pk)).exists()
    event = AuditEvent.objects.get(action="cadre.approval_form_requested")
    assert event.object_id == str(cadre.pk) and event.details == {"document": document.pk}

    response = client.get(reverse("core:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="document.downloaded", object_id=str(document.pk)).exists()


def test_the_form_pdf_cannot_be_fetched_once_the_right_to_view_cadre_files_is_gone(
    client, staff, cadre, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cadres:approval_form", args=[cadre.pk]), {"age_on": "2026-06-15"})
    document = Document.objects.get(kind="approval_form")
    assert document.status == Document.Status.READY, document.error
    download = reverse("core:document_download", args=[document.pk])
    detail = reverse("core:document_detail", args=[document.pk])
    assert client.get(detail).status_code == 200

    staff.groups.remove(*Group.objects.filter(name=roles.CADRE_SECTION))  # moved out of the cadre section
    assert client.get(download).status_code == 403
    assert client.get(detail).status_code == 403
    assert not AuditEvent.objects.filter(action="document.downloaded", object_id=str(document.pk)).exists()


def test_the_options_default_to_today_and_the_requesting_user(client, staff, cadre):
    client.force_login(staff)
    response = client.get(reverse("cadres:approval_form_preview", args=[cadre.pk]))
    form = response.context["form"]
    assert form.initial["filled_by"] == "赵敏"
    assert response.context["sheet"]["filled_by"] == "赵敏"


def test_a_bad_date_is_shown_next_to_its_field_and_nothing_is_requested(client, staff, cadre):
    client.force_login(staff)
    response = client.post(reverse("cadres:approval_form", args=[cadre.pk]), {"age_on": "2026-13-40"})
    assert response.status_code == 400
    assert response.context["form"].errors["age_on"]
    assert not Document.objects.exists()


def test_the_preview_shows_the_sheet_in_the_site_layout_and_is_audited_as_a_view(client, staff, cadre):
    client.force_login(staff)
    response = client.get(reverse("cadres:approval_form_preview", args=[cadre.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "干部任免审批表" in body and "1993.09--1997.07" in body
    assert "data:image/jpeg;base64," in body  # the photo, from private storage, inline
    assert 'class="topbar"' in body  # the site layout
    event = AuditEvent.objects.get(action="cadre.viewed", object_id=str(cadre.pk))
    assert event.details == {"page": "approval_form_preview"}


def test_the_preview_can_be_redrawn_with_other_options_without_requesting_anything(client, staff, cadre):
    client.force_login(staff)
    response = client.post(
        reverse("cadres:approval_form", args=[cadre.pk]),
        {"action": "preview", "proposed_post": "区长助理", "age_on": "2030-06-15"},
    )
    assert response.status_code == 200
    assert response.context["sheet"]["proposed_post"] == "区长助理"
    assert response.context["sheet"]["birth"] == "1975.03（55岁）"
    assert not Document.objects.exists()


def test_a_batch_from_the_list_asks_for_the_options_then_prints_every_form(
    client, staff, unit, django_capture_on_commit_callbacks
):
    cadres = [full_cadre(unit, name=n, born=date(1971 + i, 2, 3), seq=i, photo=False) for i, n in enumerate("甲乙丙")]
    ids = [c.pk for c in cadres]
    client.force_login(staff)
    url = reverse("cadres:approval_form_batch")
    page = client.post(url, {"cadre": ids})
    assert page.status_code == 200
    assert [c.pk for c in page.context["cadres"]] == ids
    assert not Document.objects.exists()

    data = {
        "action": "pdf",
        "cadre": ids,
        f"proposed_post_{ids[1]}": "云岭区审计局局长",
        "reason": "工作需要",
        "age_on": "2026-06-15",
        "filled_on": "2026-06-15",
        "filled_by": "赵敏",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    document = Document.objects.get()
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.error
    assert document.filename == "干部任免审批表-3人.pdf"
    with document.file.open("rb") as f:
        pages = pdf_pages(f.read())
    assert len(pages) == 3
    assert "云岭区审计局局长" in pages[1] and "云岭区审计局局长" not in pages[0]
    assert AuditEvent.objects.filter(action="cadre.approval_form_requested").count() == 3


def test_a_batch_without_cadres_says_so(client, staff):
    client.force_login(staff)
    response = client.post(reverse("cadres:approval_form_batch"), {"cadre": ["999999", "x"]})
    assert response.status_code == 200
    assert response.context["errors"]
    assert not Document.objects.exists()


def test_the_document_kind_refuses_those_without_cadre_access(make_user, cadre):
    outsider = make_user(roles.STANDING_MEMBER)
    with pytest.raises(ApplicationError):
        document_request(
            kind="approval_form",
            params={"forms": [{"cadre": cadre.pk}], "options": {}},
            title="干部任免审批表",
            actor=outsider,
        )
    assert not Document.objects.exists()


@pytest.mark.parametrize("role", [roles.STANDING_MEMBER, roles.MEMBER])
def test_roles_without_cadre_access_get_nothing(client, make_user, cadre, role):
    client.force_login(make_user(role))
    assert client.get(reverse("cadres:approval_form_preview", args=[cadre.pk])).status_code == 404
    assert client.post(reverse("cadres:approval_form", args=[cadre.pk]), {}).status_code == 404
    assert client.get(reverse("cadres:cadre_lrmx", args=[cadre.pk])).status_code == 404
    assert client.post(reverse("cadres:approval_form_batch"), {"cadre": [cadre.pk]}).status_code == 403
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action="cadre.viewed").exists()


def test_the_anonymous_are_sent_to_sign_in(client, cadre):
    response = client.get(reverse("cadres:approval_form_preview", args=[cadre.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_department_staff_without_write_access_may_print(client, make_user, cadre):
    client.force_login(make_user(roles.TRAINING_SECTION))
    assert client.get(reverse("cadres:approval_form_preview", args=[cadre.pk])).status_code == 200
    response = client.post(reverse("cadres:approval_form", args=[cadre.pk]), {"action": "pdf"})
    assert response.status_code == 302


def test_the_kind_renders_only_the_cadres_that_still_exist(staff, unit, django_capture_on_commit_callbacks):
    first = full_cadre(unit, name="甲", seq=1, born=date(1972, 1, 1), photo=False)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(
            kind="approval_form",
            params={"forms": [{"cadre": first.pk}, {"cadre": 987654}], "options": OPTIONS.to_params()},
            title="干部任免审批表",
            actor=staff,
        )
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    with document.file.open("rb") as f:
        assert len(pdf_pages(f.read())) == 1


def test_form_options_survive_the_document_params():
    options = FormOptions(proposed_post="区长", age_on=AGE_ON, filled_on=AGE_ON, appraisal=None)
    assert FormOptions.from_params(options.to_params()) == options
