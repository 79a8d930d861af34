"""A meeting's documents: the notice, the agenda pack (the materials merged, watermarked for its reader, without
those of an item the reader is recused from), the minutes (only once the meeting is over: attendance, absences with
their reasons, every result with 应到会, 实到会 and the rule applied) and the ballots (one per voter)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from committees.models import WorkArea
from meetings import pdf as documents
from meetings.materials import watermark_text_of
from meetings.services.meetings import (
    attendance_take,
    leave_request,
    meeting_adjourn,
    meeting_cancel,
    meeting_open,
    meeting_update,
    relation_add,
)
from meetings.services.topics import material_add
from meetings.services.votes import item_defer, vote_record, voting_close, voting_open
from orgdept.core import roles
from orgdept.core.documents import document_kind, document_request
from orgdept.core.exceptions import ApplicationError
from orgdept.core.models import Document
from orgdept.core.pdf import html_to_pdf
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import (
    CADRE_PLENARY,
    CADRE_STANDING,
    R,
    full_members_of,
    make_committee_term,
    make_meeting,
    make_topic,
    standing_of,
    user_for,
)

LEAVE_REASON = "赴省委党校参加专题培训"
HTML_TITLE = "关于<b>加强</b>基层党组织建设的意见"


def text_pdf(marker: str, name: str = "材料.pdf") -> SimpleUploadedFile:
    """A one-page material whose text can be found again in a pack."""
    content = html_to_pdf(f'<html lang="zh-CN"><body><p>{marker}</p></body></html>')
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def page_count(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def render(kind: str, meeting, user, **params) -> bytes:
    """Renders a document as the document service would, without the queue."""
    kinds = {
        documents.NOTICE: documents.render_notice,
        documents.AGENDA_PACK: documents.render_agenda_pack,
        documents.MINUTES: documents.render_minutes,
        documents.BALLOTS: documents.render_ballots,
    }
    document = SimpleNamespace(
        pk=None, params={"meeting": meeting.pk, **params}, requested_by=user, created_at=timezone.now()
    )
    content, _filename = kinds[kind](document)
    return content


@pytest.fixture
def staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi", last_name="周", first_name="组织")


@pytest.fixture
def standing_meeting(staff):
    """A 常委会 of 7 with three items: a party-building item with a work area, a cadre item one member is recused
    from (his spouse), an item on the organisation; one member on leave."""
    term, seats = make_committee_term(standing=7, members=12, alternates=2, users=True)
    standing = standing_of(seats)
    nominee = make_cadre(make_unit("区教育局"), "钱拟任", current_post="区教育局副局长")
    relation_add(member_cadre=standing[4].cadre, cadre=nominee, relation="配偶", actor=staff)
    party = make_topic(term, actor=staff, title=HTML_TITLE, material=False, work_area=WorkArea.objects.get(name="组织"))
    material_add(topic=party, upload=text_pdf("PARTY-MATERIAL 党建材料正文"), actor=staff)
    cadre = make_topic(
        term,
        actor=staff,
        category=CADRE_STANDING,
        title="关于钱拟任同志职务任免的议题",
        cadres=[(nominee, "拟任区教育局局长")],
        material=False,
    )
    material_add(topic=cadre, upload=text_pdf("CADRE-MATERIAL 考察材料"), actor=staff)
    organisation = make_topic(term, actor=staff, category="机构编制事项", title="关于调整区直机关内设机构的意见")
    meeting = make_meeting(term, actor=staff, topics=[party, cadre, organisation])
    meeting_update(meeting=meeting, presided_by=standing[0], actor=staff)
    leave_request(meeting=meeting, member=standing[6], reason=LEAVE_REASON, actor=staff)
    items = list(meeting.items.order_by("order"))
    return SimpleNamespace(term=term, seats=seats, standing=standing, meeting=meeting, items=items, nominee=nominee)


def hold(setup, staff):
    """Takes attendance, votes on the first two items, defers the third and adjourns."""
    meeting, standing = setup.meeting, setup.standing
    attendance_take(meeting=meeting, present={m.pk for m in standing[:6]}, reasons={}, actor=staff)
    meeting_open(meeting=meeting, actor=staff)
    party, cadre, organisation = setup.items
    voting_open(item=party, actor=staff)
    for member in standing[:6]:
        choice = "不同意" if member == standing[5] else "同意"
        vote_record(item=party, member=member, choice=choice, actor=staff)
    voting_close(item=party, actor=staff, decision_text="会议同意该意见，由区委组织部牵头抓好落实。")
    voting_open(item=cadre, actor=staff)
    candidate = cadre.topic.cadres.get()
    for member in standing[:6]:
        if member == standing[4]:
            continue  # recused
        choice = "缓议" if member == standing[5] else "同意"
        vote_record(item=cadre, member=member, candidate=candidate, choice=choice, actor=staff)
    voting_close(item=cadre, actor=staff)
    item_defer(item=organisation, reason="待进一步调研后再议", actor=staff)
    meeting_adjourn(meeting=meeting, actor=staff)


def test_the_minutes_state_attendance_and_every_result_with_the_rule(standing_meeting, staff):
    hold(standing_meeting, staff)
    text = pdf_text(render(documents.MINUTES, standing_meeting.meeting, staff))
    flat = text.replace("\n", "")

    assert "第1次常委会纪要" in flat
    assert "成员01" in flat  # presiding
    assert "应到会7人" in flat and "实到会6人" in flat
    assert f"成员07（{LEAVE_REASON}）" in flat
    # the party-building item: the result line and the rule
    assert "同意5票，不同意1票，弃权0票；应到会7人，实到会6人；通过" in flat
    assert "赞成票超过应到会成员7人的半数，即至少4票为通过" in flat
    assert "会议同意该意见，由区委组织部牵头抓好落实。" in flat
    assert "督办" in flat and "组织" in flat
    # the cadre item: voted per cadre, the recused member named with the reason
    assert "成员05（与钱拟任系配偶关系）" in flat
    assert "钱拟任（拟任区教育局局长）" in flat
    assert "同意钱拟任同志任区教育局局长" in flat
    # the deferred item
    assert "缓议；应到会7人，实到会6人" in flat
    assert "待进一步调研后再议" in flat


def test_the_minutes_are_refused_until_the_meeting_is_over(standing_meeting, staff, client):
    meeting = standing_meeting.meeting
    assert documents.document_refusal(documents.MINUTES, meeting) == "第1次常委会尚未结束，会议结束后才能生成会议纪要"
    with pytest.raises(ApplicationError, match="尚未结束"):
        render(documents.MINUTES, meeting, staff)

    client.force_login(staff)
    response = client.post(reverse("meetings:meeting_document", args=[meeting.pk, documents.MINUTES]))
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["第1次常委会尚未结束，会议结束后才能生成会议纪要"]
    assert not Document.objects.exists()


def test_a_cancelled_meeting_has_no_documents(standing_meeting, staff):
    meeting = meeting_cancel(meeting=standing_meeting.meeting, reason="书记外出，会议延期", actor=staff)
    assert documents.document_refusal(documents.MINUTES, meeting) == "第1次常委会已取消，不能生成会议纪要"
    assert documents.document_refusal(documents.NOTICE, meeting) == "第1次常委会已取消，不能生成会议通知"


def test_the_minutes_are_a_document_once_adjourned(
    standing_meeting, staff, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    hold(standing_meeting, staff)
    meeting = standing_meeting.meeting
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:meeting_document", args=[meeting.pk, documents.MINUTES]))
    document = Document.objects.get()
    assert response["Location"] == reverse("core:document_detail", args=[document.pk])
    document.refresh_from_db()
    assert (document.kind, document.params, document.status) == ("minutes", {"meeting": meeting.pk}, "ready")
    assert (document.title, document.filename) == ("第1次常委会会议纪要", "第1次常委会纪要.pdf")
    with document.file.open("rb") as f:
        assert "应到会7人" in pdf_text(f.read())


def test_html_in_a_title_comes_out_as_text(standing_meeting, staff):
    hold(standing_meeting, staff)
    for kind in (documents.NOTICE, documents.MINUTES, documents.AGENDA_PACK):
        text = pdf_text(render(kind, standing_meeting.meeting, staff)).replace("\n", "")
        assert "<b>加强</b>基层党组织建设" in text, kind


def test_the_notice_names_time_place_agenda_attendees_and_the_leave_rule(standing_meeting, staff):
    meeting = standing_meeting.meeting
    text = pdf_text(render(documents.NOTICE, meeting, staff)).replace("\n", "")
    local = timezone.localtime(meeting.starts_at)
    assert "关于召开第1次常委会的通知" in text
    assert "测试区委各位常委：" in text
    assert f"{local.year}年{local.month}月{local.day}日（星期" in text
    assert "区委常委会议室" in text
    for title in ("关于钱拟任同志职务任免的议题", "关于调整区直机关内设机构的意见"):
        assert title in text
    assert "书记：成员01" in text and "副书记：成员02、成员03" in text
    assert "区人大常委会" in text  # the observers (列席) of the type
    assert "经书记同意" in text
    assert "须有三分之二以上应到会成员到会" in text


def test_the_pack_merges_the_materials_and_carries_the_readers_name(standing_meeting, staff):
    content = render(documents.AGENDA_PACK, standing_meeting.meeting, staff)
    text = pdf_text(content)
    assert "第1次常委会会议议程" in text
    assert "PARTY-MATERIAL" in text and "CADRE-MATERIAL" in text
    # the agenda, the two materials and the factory's blank material of the third item
    assert page_count(content) == 4
    mark = watermark_text_of(content)
    assert mark.startswith("周组织 ")
    assert all("周组织" in (page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages)
    outline = [entry.title for entry in PdfReader(io.BytesIO(content)).outline]
    assert outline[0] == "会议议程"
    assert outline[1] == f"1. {HTML_TITLE}：材料.pdf"


def test_a_recused_members_pack_leaves_out_that_items_materials(standing_meeting, staff):
    recused = user_for(standing_meeting.standing[4])
    other = user_for(standing_meeting.standing[3])
    own = render(documents.AGENDA_PACK, standing_meeting.meeting, recused)
    text = pdf_text(own)
    assert "PARTY-MATERIAL" in text
    assert "CADRE-MATERIAL" not in text
    assert "本人回避此议题，不附材料" in text.replace("\n", "")
    assert watermark_text_of(own).startswith(f"{recused.last_name} ")
    assert "CADRE-MATERIAL" in pdf_text(render(documents.AGENDA_PACK, standing_meeting.meeting, other))


@pytest.fixture
def plenary_meeting(staff):
    """A 全委会 of 12 full members and 2 alternates with a 差额票决 (3 candidates, 2 posts); one member on leave,
    one recused (a candidate's brother)."""
    term, seats = make_committee_term(standing=5, members=12, alternates=2)
    members = full_members_of(seats)
    unit = make_unit("区发展和改革局")
    candidates = [
        make_cadre(unit, name, current_post="区发展和改革局副局长") for name in ("甲候选", "乙候选", "丙候选")
    ]
    relation_add(member_cadre=members[8].cadre, cadre=candidates[0], relation="兄弟", actor=staff)
    topic = make_topic(
        term,
        actor=staff,
        category=CADRE_PLENARY,
        type_code="plenary",
        title="公推公选区发展和改革局局长人选",
        cadres=[(c, "区发展和改革局局长人选") for c in candidates],
        posts=2,
    )
    meeting = make_meeting(term, actor=staff, type_code="plenary", topics=[topic])
    leave_request(meeting=meeting, member=members[10], reason="出差", actor=staff)
    return SimpleNamespace(meeting=meeting, seats=seats, item=meeting.items.get())


def test_ballots_one_per_voter_present_and_not_recused(plenary_meeting, staff):
    # 12 full members vote (alternates attend without a vote); one is on leave, one recused: 10 ballots
    meeting = plenary_meeting.meeting
    assert len(plenary_meeting.seats[R.ALTERNATE]) == 2
    one = render(documents.BALLOTS, meeting, staff, per_page=1)
    assert page_count(one) == 10
    text = pdf_text(one)
    assert text.count("公推公选区发展和改革局局长人选") == 10
    assert "每票至多同意2人" in text.replace("\n", "")
    assert "甲候选" in text and "丙候选" in text
    two = render(documents.BALLOTS, meeting, staff, per_page=2)
    assert page_count(two) == 5
    assert pdf_text(two).count("公推公选区发展和改革局局长人选") == 10


def test_ballots_are_asked_for_one_or_two_to_a_sheet(plenary_meeting, staff, client):
    meeting = plenary_meeting.meeting
    client.force_login(staff)
    url = reverse("meetings:meeting_document", args=[meeting.pk, documents.BALLOTS])
    client.post(url, {"per_page": "2", "item": str(plenary_meeting.item.pk)})
    client.post(url, {"per_page": "7"})
    assert [d.params for d in Document.objects.order_by("pk")] == [
        {"meeting": meeting.pk, "per_page": 2, "item": plenary_meeting.item.pk},
        {"meeting": meeting.pk, "per_page": 1},
    ]
    assert client.post(url, {"item": "999999"}).status_code == 404


def test_ballots_are_refused_without_a_secret_ballot_item(standing_meeting, staff):
    assert documents.document_refusal(documents.BALLOTS, standing_meeting.meeting) == (
        "第1次常委会没有待无记名投票表决的干部任免议题，无需印制选票"
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("staff", {"meeting_notice", "agenda_pack", "minutes", "ballots"}),
        ("leader", {"meeting_notice", "agenda_pack", "minutes", "ballots"}),
        ("cadre_section", {"meeting_notice", "agenda_pack", "minutes", "ballots"}),
        ("attendee", {"meeting_notice", "agenda_pack"}),
        ("not_attending", set()),
        ("training", set()),
    ],
)
def test_who_may_ask_for_each_document(standing_meeting, staff, make_user, who, allowed):
    users = {
        "staff": staff,
        "leader": make_user(roles.DEPARTMENT_LEADER),
        "cadre_section": make_user(roles.CADRE_SECTION),
        "attendee": user_for(standing_meeting.standing[2]),
        "not_attending": user_for(standing_meeting.seats[R.MEMBER][0]),  # a 委员 does not attend a 常委会
        "training": make_user(roles.TRAINING_SECTION),
    }
    user = users[who]
    params = {"meeting": standing_meeting.meeting.pk}
    may = {kind for kind in documents.LABELS if document_kind(kind).may_request(user, params)}
    assert may == allowed
    for kind in set(documents.LABELS) - allowed:
        with pytest.raises(ApplicationError, match=r"^您没有生成该文件的权限$"):
            document_request(kind=kind, params=params, title="x", actor=user)


def test_the_document_page_is_for_who_may_read_the_meeting(standing_meeting, staff, client):
    meeting = standing_meeting.meeting
    url = reverse("meetings:meeting_document", args=[meeting.pk, documents.NOTICE])
    client.force_login(user_for(standing_meeting.seats[R.MEMBER][0]))
    assert client.post(url).status_code == 404  # does not attend: the meeting is not revealed
    client.force_login(staff)
    assert client.post(reverse("meetings:meeting_document", args=[meeting.pk, "nonsense"])).status_code == 404
    assert client.put(url).status_code == 405
    attendee = user_for(standing_meeting.standing[2])
    client.force_login(attendee)
    response = client.post(reverse("meetings:meeting_document", args=[meeting.pk, documents.MINUTES]))
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.pk])
    response = client.get(reverse("meetings:meeting_document", args=[meeting.pk, "notice"]))  # the page's link
    document = Document.objects.get()
    assert (document.kind, document.requested_by) == ("meeting_notice", attendee)
    assert response["Location"] == reverse("core:document_detail", args=[document.pk])


def test_the_page_says_why_there_are_no_ballots(standing_meeting, staff, client):
    meeting = standing_meeting.meeting
    client.force_login(staff)
    response = client.post(reverse("meetings:meeting_document", args=[meeting.pk, documents.BALLOTS]))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "第1次常委会没有待无记名投票表决的干部任免议题，无需印制选票"
    ]
    assert not Document.objects.exists()
