"""The topic pages for each role: the list and its presets, entry with routing and scope refusals, the topic page
with its gates and buttons, cadres, materials and the watermarked download, consultations and opinions."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from committees.models import TermMember
from meetings.materials import watermark_text_of
from meetings.models import Consultation, MeetingType, Topic, TopicCategory
from meetings.services.meetings import recusal_add
from meetings.services.topics import consultation_request, opinion_submit, topic_cadre_add, topic_submit
from meetings.views.topics import routing_words
from orgdept.core import roles
from orgdept.core.models import AuditEvent
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import (
    CADRE_STANDING,
    PARTY_BUILDING,
    make_committee_term,
    make_meeting,
    make_topic,
    pdf_upload,
    secretary_user,
    user_for,
)

S = Topic.Status
R = TermMember.Role


@pytest.fixture
def term_seats(db):
    return make_committee_term(standing=5, members=7, alternates=1)


@pytest.fixture
def term(term_seats):
    return term_seats[0]


@pytest.fixture
def seats(term_seats):
    return term_seats[1]


@pytest.fixture
def staff(make_user):
    return make_user(roles.CADRE_SECTION, username="ganbu", last_name="王", first_name="干部")


@pytest.fixture
def leader(make_user):
    return make_user(roles.DEPARTMENT_LEADER, username="buzhang")


@pytest.fixture
def trainer(make_user):
    return make_user(roles.TRAINING_SECTION, username="peixun")


@pytest.fixture
def secretary(term):
    return secretary_user(term)


@pytest.fixture
def member(seats):
    """A standing member with a login."""
    return user_for(seats[R.STANDING_MEMBER][0])


@pytest.fixture
def outsider(seats):
    """A member of the 全委会 (委员) with a login, who attends no meeting here."""
    return user_for(seats[R.MEMBER][0])


def login(client, user):
    client.force_login(user)
    return client


def detail_url(topic: Topic) -> str:
    return reverse("meetings:topic_detail", args=[topic.pk])


def field_errors(html: str, name: str) -> list[str]:
    """The errors shown inside the field block (partials/field.html) of the input named `name`."""
    for chunk in re.split(r'<div class="field[ "]', html)[1:]:
        chunk = re.split(r"<button|<div class=\"field[ \"]", chunk)[0]
        if f'name="{name}"' in chunk:
            return re.findall(r'<div class="field-error" role="alert">(.*?)</div>', chunk, re.S)
    raise AssertionError(f"no field {name}")


def form_block(html: str, testid: str) -> str:
    match = re.search(rf'<form[^>]*data-testid="{testid}".*?</form>', html, re.S)
    assert match, f"no form {testid}"
    return match.group(0)


def ids(category: str, type_code: str) -> dict:
    return {
        "category": TopicCategory.objects.get(name=category).pk,
        "requested_type": MeetingType.objects.get(code=type_code).pk,
    }


def topic_post(**changes) -> dict:
    data = {"title": "关于加强基层党组织建设的意见", "unit": make_unit().pk, "summary": "说明"}
    data.update(ids(PARTY_BUILDING, "standing"))
    data.update(changes)
    return data


# --- the list --------------------------------------------------------------------------------------------------


def test_the_list_for_each_role(client, term, staff, leader, trainer, secretary, member):
    draft = make_topic(term, actor=staff, title="草稿议题", ready=False)
    submitted = make_topic(term, actor=staff, title="待审定议题", ready=False)
    topic_submit(topic=submitted, actor=staff)
    url = reverse("meetings:topic_list")
    for user in (staff, leader):
        page = login(client, user).get(url).content.decode()
        assert "草稿议题" in page and "待审定议题" in page
    # the secretary sees what is put to them, not the department's drafts
    response = login(client, secretary).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "待审定议题" in page and "草稿议题" not in page
    # a member sees the topics of the meetings they attend and those they are asked about: none yet
    response = login(client, member).get(url)
    assert response.status_code == 200 and "待审定议题" not in response.content.decode()
    assert login(client, trainer).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert draft.pk and submitted.pk


def test_the_list_searches_filters_and_has_the_preset_for_the_secretary(client, term, staff, secretary):
    unit = make_unit("区卫健委")
    make_topic(term, actor=staff, title="关于医疗改革的议题", unit=unit, ready=False)
    waiting = make_topic(term, actor=staff, title="关于加强基层党组织建设的意见", ready=False)
    topic_submit(topic=waiting, actor=staff)
    url = reverse("meetings:topic_list")
    page = login(client, staff).get(url, {"q": "卫健"}).content.decode()
    assert "关于医疗改革的议题" in page and "关于加强基层党组织建设的意见" not in page
    page = client.get(url, {"status": "submitted"}).content.decode()
    assert "关于加强基层党组织建设的意见" in page and "关于医疗改革的议题" not in page
    page = client.get(url, {"unit": unit.pk}).content.decode()
    assert "关于医疗改革的议题" in page and "关于加强基层党组织建设的意见" not in page
    # an htmx request gets the results only
    partial = client.get(url, {"status": "submitted"}, headers={"HX-Request": "true"}).content.decode()
    assert "<table" in partial and "<html" not in partial
    page = login(client, secretary).get(url).content.decode()
    preset = re.search(r'<a href="[^"]*\?status=submitted"[^>]*data-testid="preset-submitted"[^>]*>.*?</a>', page, re.S)
    assert preset and '<span class="tag warn">1</span>' in preset.group(0)


def test_the_list_query_count_does_not_grow_with_its_rows(client, term, staff):
    url = reverse("meetings:topic_list")
    login(client, staff)
    make_topic(term, actor=staff, ready=False, title="议题1")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(2, 8):
        make_topic(term, actor=staff, ready=False, title=f"议题{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "议题7" in page
    assert len(many) == len(few)


# --- entry -----------------------------------------------------------------------------------------------------


def test_entry_is_for_the_sections_that_prepare_topics(client, term, staff, make_user, leader, member):
    url = reverse("meetings:topic_create")
    assert login(client, staff).get(url).status_code == 200
    assert login(client, make_user(roles.ORGANIZATION_SECTION)).get(url).status_code == 200
    assert login(client, leader).get(url).status_code == 403
    assert login(client, member).get(url).status_code == 403


def test_entry_saves_a_draft(client, term, staff):
    response = login(client, staff).post(reverse("meetings:topic_create"), topic_post())
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(topic)
    assert (topic.status, topic.meeting_type.code, topic.created_by) == (S.DRAFT, "standing", staff)


def test_entry_shows_each_error_next_to_its_field(client, term, staff):
    response = login(client, staff).post(reverse("meetings:topic_create"), topic_post(title="", unit=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert field_errors(page, "title") == ["这个字段是必填项。"]
    assert field_errors(page, "unit") == ["这个字段是必填项。"]
    assert field_errors(page, "category") == []
    assert not Topic.objects.exists()


def test_a_category_outside_the_scope_is_refused_next_to_the_category(client, term, staff):
    data = topic_post(**ids("干部奖惩", "joint"))
    response = login(client, staff).post(reverse("meetings:topic_create"), data)
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "category") == [
        "“干部奖惩”不属于党政联席会的议事范围（可由常委会决定）"
    ]
    assert not Topic.objects.exists()


def test_a_plenary_matter_is_routed_and_the_page_says_so(client, term, staff):
    data = topic_post(**ids("区管中层正职领导干部任免", "standing"), title="关于区管中层正职任免的议题")
    response = login(client, staff).post(reverse("meetings:topic_create"), data, follow=True)
    topic = Topic.objects.get()
    assert topic.meeting_type.code == "plenary"
    words = routing_words(topic.meeting_type)
    page = response.content.decode()
    assert page.count(words) == 2  # the message after saving, and beside the meeting on the topic page
    assert "全委会" in words


def test_the_form_tells_where_the_topic_goes_while_typing(client, term, staff):
    url = reverse("meetings:topic_create")
    login(client, staff)
    hx = {"HX-Request": "true"}
    routed = client.get(url, ids("区管中层正职领导干部任免", "standing"), headers=hx).content.decode()
    assert routing_words(MeetingType.objects.get(code="plenary")) in routed
    assert 'name="posts"' in routed  # a cadre item may be a 差额票决
    refused = client.get(url, ids("干部奖惩", "joint"), headers=hx).content.decode()
    assert "“干部奖惩”不属于党政联席会的议事范围" in refused
    plain = client.get(url, ids(PARTY_BUILDING, "standing"), headers=hx).content.decode()
    assert 'name="posts"' not in plain and 'data-testid="routed"' not in plain
    # the full form shows the number of posts only for cadre categories
    assert 'name="posts"' not in client.get(url).content.decode()


def test_posts_are_dropped_when_the_category_is_not_a_cadre_item(client, term, staff):
    login(client, staff).post(reverse("meetings:topic_create"), topic_post(posts="2"))
    assert Topic.objects.get().posts is None
    client.post(reverse("meetings:topic_create"), topic_post(posts="2", **ids(CADRE_STANDING, "standing")))
    assert Topic.objects.get(category__name=CADRE_STANDING).posts == 2


def test_edit_is_for_drafts(client, term, staff, member):
    topic = make_topic(term, actor=staff, ready=False)
    url = reverse("meetings:topic_edit", args=[topic.pk])
    assert login(client, staff).get(url).status_code == 200
    response = client.post(url, topic_post(title="新的议题名称", unit=topic.unit_id))
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.title == "新的议题名称"
    topic_submit(topic=topic, actor=staff)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == detail_url(topic)
    assert login(client, member).get(url).status_code == 404


# --- the topic page --------------------------------------------------------------------------------------------


def test_the_page_for_each_role(client, term, staff, leader, trainer, secretary, member, outsider):
    topic = make_topic(term, actor=staff, ready=False, material=False)
    url = detail_url(topic)
    page = login(client, staff).get(url).content.decode()
    assert 'data-testid="gates"' in page and 'data-testid="history"' in page
    assert 'data-action="submit"' in page and 'data-action="withdraw"' in page
    assert 'data-action="approve"' not in page
    page = login(client, leader).get(url).content.decode()
    assert 'data-testid="gates"' in page and 'data-action="' not in page
    # drafts stay with the department
    assert login(client, secretary).get(url).status_code == 404
    topic_submit(topic=topic, actor=staff)
    page = login(client, secretary).get(url).content.decode()
    assert 'data-action="approve"' in page and 'data-action="return"' in page and 'data-action="withdraw"' not in page
    page = login(client, staff).get(url).content.decode()
    assert 'data-action="approve"' not in page and 'data-action="return"' in page
    for user in (member, outsider, trainer):
        assert login(client, user).get(url).status_code == 404


def test_the_gates_show_what_is_missing(client, term, staff):
    topic = make_topic(term, actor=staff, category=CADRE_STANDING, ready=False, material=False)
    page = login(client, staff).get(detail_url(topic)).content.decode()
    gates = re.search(r'<ul class="gate-list" data-testid="gates">.*?</ul>', page, re.S).group(0)
    marks = dict(re.findall(r'data-gate="(\w+)">\s*<span class="gate-mark"[^>]*>(.)</span>', gates))
    assert marks == {"approval": "✗", "materials": "✗", "consultation": "✗", "cadres": "✗"}
    assert "尚未上传议题材料" in gates and "干部任免事项尚未列出涉及的干部" in gates
    ready = make_topic(term, actor=staff, title="已审定议题")
    page = client.get(detail_url(ready)).content.decode()
    gates = re.search(r'<ul class="gate-list" data-testid="gates">.*?</ul>', page, re.S).group(0)
    assert "✗" not in gates and gates.count("✓") == 2


def test_a_member_reads_the_topic_of_a_meeting_they_attend(client, term, staff, member, outsider):
    topic = make_topic(term, actor=staff)
    meeting = make_meeting(term, actor=staff, topics=[topic])
    page = login(client, member).get(detail_url(topic)).content.decode()
    assert 'data-testid="material-download"' in page and meeting.title in page
    assert 'data-testid="gates"' not in page and 'data-testid="history"' not in page and 'data-action="' not in page
    assert login(client, outsider).get(detail_url(topic)).status_code == 404


def test_the_page_query_count_does_not_grow_with_cadres_materials_and_consultations(client, term, seats, staff):
    unit = make_unit()
    topic = make_topic(term, actor=staff, category=CADRE_STANDING, ready=False, material=False)
    topic_cadre_add(topic=topic, cadre=make_cadre(unit, "甲"), proposal="拟任局长", actor=staff)
    from meetings.services.topics import material_add

    material_add(topic=topic, upload=pdf_upload(), actor=staff)
    consultation_request(topic=topic, deadline=timezone.now() + timedelta(days=1), actor=staff)
    login(client, staff)
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail_url(topic)).status_code == 200
    for name in ("乙", "丙", "丁"):
        topic_cadre_add(topic=topic, cadre=make_cadre(unit, name), proposal="拟任副局长", actor=staff)
        material_add(topic=topic, upload=pdf_upload(f"{name}.pdf"), actor=staff)
        consultation_request(topic=topic, deadline=timezone.now() + timedelta(days=2), actor=staff)
    with CaptureQueriesContext(connection) as many:
        page = client.get(detail_url(topic)).content.decode()
    assert "丁.pdf" in page
    assert len(many) == len(few)


# --- status changes --------------------------------------------------------------------------------------------


def transition(client, topic, action, reason="", **kwargs):
    url = reverse("meetings:topic_transition", args=[topic.pk])
    return client.post(url, {"action": action, "reason": reason}, **kwargs)


def test_submit_approve_through_the_pages(client, term, staff, secretary):
    topic = make_topic(term, actor=staff, ready=False)
    response = transition(login(client, staff), topic, "submit")
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == S.SUBMITTED
    # staff cannot approve: the refusal is shown
    assert "议题须由书记审定" in transition(client, topic, "approve", follow=True).content.decode()
    topic.refresh_from_db()
    assert topic.status == S.SUBMITTED
    transition(login(client, secretary), topic, "approve")
    topic.refresh_from_db()
    assert topic.status == S.APPROVED and topic.approved_by == secretary
    history = re.search(r'data-testid="history".*?</table>', client.get(detail_url(topic)).content.decode(), re.S)
    assert history and secretary.last_name in history.group(0)


def test_returning_needs_a_reason_shown_next_to_it(client, term, staff, secretary):
    topic = make_topic(term, actor=staff, ready=False)
    topic_submit(topic=topic, actor=staff)
    response = transition(login(client, secretary), topic, "return", "  ")
    assert response.status_code == 400
    block = form_block(response.content.decode(), "return-form")
    assert field_errors(block, "reason") == ["请说明退回的理由"]
    response = transition(client, topic, "return", "请补充调研报告")
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == S.DRAFT
    assert topic.transitions.order_by("-id").first().reason == "请补充调研报告"


def test_withdrawing_through_the_page(client, term, staff, leader):
    topic = make_topic(term, actor=staff)
    response = transition(login(client, staff), topic, "withdraw", "")
    assert response.status_code == 400
    assert field_errors(form_block(response.content.decode(), "withdraw-form"), "reason") == ["请说明撤回的理由"]
    assert transition(login(client, leader), topic, "withdraw", "情况变化").status_code == 403
    transition(login(client, staff), topic, "withdraw", "情况变化")
    topic.refresh_from_db()
    assert topic.status == S.WITHDRAWN


def test_a_member_cannot_change_the_status(client, term, staff, member):
    topic = make_topic(term, actor=staff)
    make_meeting(term, actor=staff, topics=[topic])
    assert transition(login(client, member), topic, "withdraw", "不同意").status_code == 403
    assert transition(client, topic, "return", "不同意").status_code == 403
    topic.refresh_from_db()
    assert topic.status == S.SCHEDULED


# --- cadres ----------------------------------------------------------------------------------------------------


def test_cadres_are_picked_by_name_and_removed(client, term, staff):
    topic = make_topic(term, actor=staff, category=CADRE_STANDING, ready=False)
    cadre = make_cadre(make_unit("区财政局"), "欧阳明", current_post="区财政局副局长")
    url = reverse("meetings:topic_cadre_add", args=[topic.pk])
    login(client, staff)
    suggestions = client.get(url, {"cadre_search": "欧阳"}, headers={"HX-Request": "true"}).content.decode()
    assert f'value="{cadre.pk}"' in suggestions and "区财政局副局长" in suggestions
    response = client.post(url, {"cadre_search": "欧阳", "cadre": cadre.pk, "proposal": "拟任区财政局局长"})
    assert response.status_code == 302
    row = topic.cadres.get()
    assert (row.cadre, row.proposal) == (cadre, "拟任区财政局局长")
    # the same cadre again: refused next to the search box
    response = client.post(url, {"cadre_search": "欧阳明", "proposal": "拟任"})
    assert response.status_code == 400
    assert field_errors(form_block(response.content.decode(), "cadre-form"), "cadre_search") == ["欧阳明已在本议题中"]
    response = client.post(url, {"cadre_search": "欧阳明", "proposal": ""})
    assert field_errors(form_block(response.content.decode(), "cadre-form"), "proposal") == ["这个字段是必填项。"]
    client.post(reverse("meetings:topic_cadre_remove", args=[row.pk]))
    assert not topic.cadres.exists()


def test_an_unknown_cadre_is_refused_next_to_the_search_box(client, term, staff):
    from django.utils.translation import gettext

    topic = make_topic(term, actor=staff, category=CADRE_STANDING, ready=False)
    response = login(client, staff).post(
        reverse("meetings:topic_cadre_add", args=[topic.pk]), {"cadre_search": "查无此人", "proposal": "拟任"}
    )
    assert response.status_code == 400
    assert field_errors(form_block(response.content.decode(), "cadre-form"), "cadre_search") == [
        gettext("No cadre found: check the name or ID number.")
    ]


# --- materials -------------------------------------------------------------------------------------------------


def test_upload_and_remove_a_material(client, term, staff, leader):
    topic = make_topic(term, actor=staff, material=False, ready=False)
    url = reverse("meetings:material_upload", args=[topic.pk])
    response = login(client, staff).post(url, {"file": pdf_upload("会议材料.pdf")})
    assert response.status_code == 302
    material = topic.materials.get()
    assert material.name == "会议材料.pdf"
    page = client.get(detail_url(topic)).content.decode()
    assert "会议材料.pdf" in page and 'data-testid="material-remove"' in page
    response = client.post(url, {"file": SimpleUploadedFile("看上去像.pdf", b"plain words\n" * 20)})
    assert response.status_code == 400
    (error,) = field_errors(form_block(response.content.decode(), "material-form"), "file")
    assert error.startswith("这是纯文本文件，不是PDF或Word文档")
    assert login(client, leader).post(url, {"file": pdf_upload()}).status_code == 404
    assert login(client, leader).post(reverse("meetings:material_remove", args=[material.pk])).status_code == 404
    login(client, staff).post(reverse("meetings:material_remove", args=[material.pk]))
    assert not topic.materials.exists()


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_download_is_a_watermarked_pdf_and_audited(client, term, staff):
    topic = make_topic(term, actor=staff)
    meeting = make_meeting(term, actor=staff, topics=[topic])
    material = topic.materials.get()
    response = login(client, staff).get(reverse("meetings:material_download", args=[material.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"].startswith("no-store")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''%E6%9D%90%E6%96%99.pdf" in disposition
    mark = watermark_text_of(response.content)
    assert mark.startswith("王干部 ") and re.fullmatch(r"王干部 \d{4}-\d\d-\d\d \d\d:\d\d", mark)
    assert "王干部" in pdf_text(response.content)
    (event,) = AuditEvent.objects.filter(action="material.downloaded")
    assert event.actor == staff and event.object_id == str(material.pk)
    assert event.details["topic"] == topic.pk and event.details["meeting"] == meeting.pk
    assert event.details["material"] == "材料.pdf"


def test_a_member_downloads_with_their_own_name(client, term, staff, member):
    topic = make_topic(term, actor=staff)
    make_meeting(term, actor=staff, topics=[topic])
    material = topic.materials.get()
    response = login(client, member).get(reverse("meetings:material_download", args=[material.pk]))
    assert response.status_code == 200
    name = member.cadre.name
    assert watermark_text_of(response.content).startswith(f"{name} ") and name in pdf_text(response.content)
    assert AuditEvent.objects.get(action="material.downloaded").actor == member


def test_a_docx_is_converted_on_its_first_reading_only_and_removed_with_its_material(
    client, term, staff, monkeypatch, django_capture_on_commit_callbacks
):
    from meetings import materials
    from meetings.services.topics import material_add
    from tests.meetings.test_materials import make_docx, paragraph

    topic = make_topic(term, actor=staff, material=False, ready=False)
    upload = SimpleUploadedFile("任职请示.docx", make_docx(paragraph("拟任区发展和改革局局长")))
    material = material_add(topic=topic, upload=upload, actor=staff)
    url = reverse("meetings:material_download", args=[material.pk])
    storage = material.file.storage
    kept = materials.reading_path(material)
    assert not storage.exists(kept)

    first = login(client, staff).get(url)
    assert first.status_code == 200 and "拟任区发展和改革局局长" in pdf_text(first.content)
    assert storage.exists(kept)

    def converted_again(*args, **kwargs):
        raise AssertionError("the DOCX was converted again")

    monkeypatch.setattr(materials, "docx_html", converted_again)
    second = client.get(url)
    assert second.status_code == 200 and "拟任区发展和改革局局长" in pdf_text(second.content)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:material_remove", args=[material.pk]))
    assert not storage.exists(kept) and not storage.exists(material.file.name)


def test_a_recused_member_and_one_of_another_meeting_get_404(client, term, seats, staff, member, outsider):
    topic = make_topic(term, actor=staff)
    meeting = make_meeting(term, actor=staff, topics=[topic])
    material = topic.materials.get()
    url = reverse("meetings:material_download", args=[material.pk])
    recusal_add(item=meeting.items.get(), member=seats[R.STANDING_MEMBER][0], reason="与议题有利害关系", actor=staff)
    assert login(client, member).get(url).status_code == 404
    assert client.get(detail_url(topic)).status_code == 404  # nor do they see the item's topic
    assert login(client, outsider).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="material.downloaded").exists()


# --- consultations ---------------------------------------------------------------------------------------------


def test_staff_start_a_consultation(client, term, seats, staff, member):
    topic = make_topic(term, actor=staff, ready=False)
    url = reverse("meetings:consultation_create", args=[topic.pk])
    page = login(client, staff).get(url).content.decode()
    checked = re.findall(r'<input type="checkbox" name="members" value="(\d+)"[^>]*checked', page)
    assert sorted(int(pk) for pk in checked) == sorted(
        m.pk for m in seats[R.SECRETARY] + seats[R.DEPUTY_SECRETARY] + seats[R.STANDING_MEMBER]
    )
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"deadline": past, "members": [seats[R.SECRETARY][0].pk]})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "deadline") == ["截止时间须晚于现在"]
    response = client.post(url, {"deadline": "", "members": []})
    assert field_errors(response.content.decode(), "deadline") == ["这个字段是必填项。"]
    ahead = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"deadline": ahead, "members": []})
    assert response.status_code == 400
    assert "没有可征求意见的成员" in response.content.decode()
    asked = [seats[R.SECRETARY][0].pk, seats[R.STANDING_MEMBER][0].pk]
    response = client.post(url, {"deadline": ahead, "question": "请提出意见", "members": asked})
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse("meetings:consultation_detail", args=[consultation.pk])
    assert sorted(consultation.asked.values_list("pk", flat=True)) == sorted(asked)
    assert login(client, member).get(url).status_code == 404


@pytest.fixture
def consultation(term, seats, staff, member):
    topic = make_topic(term, actor=staff, ready=False)
    asked = [seats[R.SECRETARY][0], seats[R.STANDING_MEMBER][0]]
    return consultation_request(
        topic=topic, deadline=timezone.now() + timedelta(days=2), question="请提出意见", members=asked, actor=staff
    )


def test_the_consultation_page_for_each_role(client, consultation, staff, secretary, member, outsider, trainer):
    url = reverse("meetings:consultation_detail", args=[consultation.pk])
    opinion_submit(
        consultation=consultation, member=consultation.asked.get(role=R.SECRETARY), text="同意", actor=secretary
    )
    page = login(client, staff).get(url).content.decode()
    answers = re.search(r'data-testid="consultation-answers".*?</table>', page, re.S).group(0)
    assert "同意" in answers and answers.count('class="tag bad"') == 1  # one member has not answered
    assert 'data-testid="consultation-close"' in page and 'data-testid="time-left"' in page
    page = login(client, member).get(url).content.decode()
    assert 'data-testid="opinion-form"' in page and 'data-testid="consultation-answers"' not in page
    assert 'data-testid="consultation-close"' not in page
    # the member reaches the topic through the consultation, and answers there too
    assert 'data-testid="opinion-form"' in client.get(detail_url(consultation.topic)).content.decode()
    for user in (outsider, trainer):
        assert login(client, user).get(url).status_code == 404


def test_a_member_gives_and_revises_an_opinion(client, consultation, member):
    url = reverse("meetings:opinion_submit", args=[consultation.pk])
    response = login(client, member).post(url, {"text": ""})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "text") == ["这个字段是必填项。"]
    assert client.post(url, {"text": "同意"}).status_code == 302
    assert client.post(url, {"text": "同意，建议补充材料"}).status_code == 302
    assert consultation.opinions.get().text == "同意，建议补充材料"
    with time_machine.travel(consultation.deadline + timedelta(minutes=5)):
        response = login(client, member).post(url, {"text": "改变主意"}, follow=True)
        page = response.content.decode()
    assert "征求意见已截止" in page and 'data-testid="opinion-form"' not in page
    assert consultation.opinions.get().text == "同意，建议补充材料"


def test_an_opinion_from_someone_not_asked(client, consultation, outsider, seats, staff):
    url = reverse("meetings:opinion_submit", args=[consultation.pk])
    assert login(client, outsider).post(url, {"text": "同意"}).status_code == 404
    # a member not asked who can see the consultation (staff with a seat) gets the refusal
    deputy = seats[R.DEPUTY_SECRETARY][0]
    deputy_user = user_for(deputy, roles.CADRE_SECTION)
    response = login(client, deputy_user).post(url, {"text": "同意"}, follow=True)
    assert "未向您征求本议题的意见" in response.content.decode()
    assert not consultation.opinions.exists()


def test_closing_a_consultation(client, consultation, staff, member):
    url = reverse("meetings:consultation_close", args=[consultation.pk])
    assert login(client, member).post(url).status_code == 404
    response = login(client, staff).post(url, follow=True)
    assert "征求意见尚未截止，还有2人未反馈意见" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.closed_at is None
    with time_machine.travel(consultation.deadline + timedelta(minutes=1)):
        assert login(client, staff).post(url).status_code == 302
    consultation.refresh_from_db()
    assert consultation.closed_at is not None
