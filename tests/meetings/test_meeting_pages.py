"""The meeting pages for each role: the list, scheduling, the agenda page, attendance with the live quorum, leave,
the item page with recusals, votes and tallies, the recusal registry; errors next to their fields; the agenda page's
query count whatever the number of items."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from committees.models import TermMember
from meetings.models import AgendaItem, Attendance, Meeting, MemberRelation, Topic
from meetings.selectors.meetings import meeting_agenda
from meetings.services import meetings as services
from meetings.services import votes
from orgdept.core import roles
from orgdept.core.exceptions import ApplicationError
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import (
    CADRE_PLENARY,
    CADRE_STANDING,
    full_members_of,
    make_committee_term,
    make_meeting,
    make_topic,
    meeting_type,
    standing_of,
    user_for,
)

R = TermMember.Role
Outcome = AgendaItem.Outcome
Presence = Attendance.Presence


@pytest.fixture
def term_seats(db):
    """7 members, 5 of them on the standing committee, and 2 alternates."""
    return make_committee_term(standing=5, members=7, alternates=2)


@pytest.fixture
def term(term_seats):
    return term_seats[0]


@pytest.fixture
def seats(term_seats):
    return term_seats[1]


@pytest.fixture
def staff(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi")


@pytest.fixture
def staff2(make_user):
    return make_user(roles.ORGANIZATION_SECTION, username="zuzhi2")


@pytest.fixture
def leader(make_user):
    return make_user(roles.DEPARTMENT_LEADER, username="buzhang")


@pytest.fixture
def trainer(make_user):
    return make_user(roles.TRAINING_SECTION, username="peixun")


@pytest.fixture
def standing_user(seats):
    """A 常委 with a login: attends the 常委会 and the 全委会."""
    return user_for(standing_of(seats)[3])


@pytest.fixture
def member_user(seats):
    """A 委员 with a login: attends only the 全委会."""
    return user_for(seats[R.MEMBER][0])


@pytest.fixture
def meeting(term, staff, standing_user, member_user):
    """The 1st 常委会 with two topics on its agenda (scheduled once the members have their logins: they are given
    the right to read it then)."""
    topics = [make_topic(term, actor=staff, title=f"关于议题{i}的意见") for i in (1, 2)]
    return make_meeting(term, actor=staff, topics=topics)


def url(name: str, *args) -> str:
    return reverse(f"meetings:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return client


def field_errors(html: str, name: str) -> list[str]:
    """The errors shown inside the field block (partials/field.html) of the input named `name`."""
    for chunk in re.split(r'<div class="field[ "]', html)[1:]:
        chunk = re.split(r"<button|<div class=\"field[ \"]", chunk)[0]
        if f'name="{name}"' in chunk:
            return re.findall(r'<div class="field-error" role="alert">(.*?)</div>', chunk, re.S)
    raise AssertionError(f"no field {name}")


def block(html: str, testid: str) -> str:
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}".*?</\1>', html, re.S)
    assert match, f"no block {testid}"
    return match.group(0)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def in_session(meeting, present, actor):
    present_pks = {m.pk for m in present}
    reasons = {a.member_id: "出差" for a in meeting.attendances.all() if a.member_id not in present_pks}
    services.attendance_take(meeting=meeting, present=present_pks, reasons=reasons, actor=actor)
    return services.meeting_open(meeting=meeting, actor=actor)


# --- the list --------------------------------------------------------------------------------------------------


def test_the_list_for_each_role(client, term, seats, staff, leader, trainer, standing_user, member_user, meeting):
    plenary = make_meeting(term, actor=staff, type_code="plenary")
    for user in (staff, leader):
        response = login(client, user).get(url("meeting_list"))
        assert response.status_code == 200
        assert {m.pk for m in response.context["object_list"]} == {meeting.pk, plenary.pk}
    # members see the meetings they attend
    response = login(client, standing_user).get(url("meeting_list"))
    assert {m.pk for m in response.context["object_list"]} == {meeting.pk, plenary.pk}
    response = login(client, member_user).get(url("meeting_list"))
    assert [m.pk for m in response.context["object_list"]] == [plenary.pk]
    assert url("meeting_create") not in response.content.decode()
    assert login(client, trainer).get(url("meeting_list")).status_code == 403
    client.logout()
    assert client.get(url("meeting_list")).status_code == 302


def test_the_list_filters_and_searches(client, term, staff, meeting):
    later = make_meeting(term, actor=staff, starts_at=timezone.now() + timedelta(days=20))
    plenary = make_meeting(term, actor=staff, type_code="plenary")
    services.meeting_cancel(meeting=later, reason="改期", actor=staff)
    login(client, staff)

    def found(**params):
        return {m.pk for m in client.get(url("meeting_list"), params).context["object_list"]}

    assert found(meeting_type=meeting_type("plenary").pk) == {plenary.pk}
    assert found(status="cancelled") == {later.pk}
    assert found(year=timezone.localdate().year) == {meeting.pk, later.pk, plenary.pk}
    assert found(q="第2次常委会") == {later.pk}
    assert found(q="第1次") == {meeting.pk, plenary.pk}
    assert found(q="关于议题1") == {meeting.pk}
    assert found(q="常委会议室") == {meeting.pk, later.pk, plenary.pk}
    response = client.get(url("meeting_list"), {"q": "全委会"}, headers={"HX-Request": "true"})
    assert response.templates[0].name == "meetings/meetings/meeting_list_results.html"
    assert [m.pk for m in response.context["object_list"]] == [plenary.pk]


# --- scheduling ------------------------------------------------------------------------------------------------


def test_scheduling_is_for_the_organization_section(client, term, staff, leader, make_user, standing_user):
    assert login(client, staff).get(url("meeting_create")).status_code == 200
    for user in (leader, make_user(roles.CADRE_SECTION), standing_user):
        assert login(client, user).get(url("meeting_create")).status_code == 403


def test_scheduling_shows_errors_next_to_the_fields(client, term, staff):
    login(client, staff)
    response = client.post(
        url("meeting_create"), {"meeting_type": meeting_type("standing").pk, "starts_at": "", "place": " "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, "place") == ["这个字段是必填项。"]
    assert field_errors(html, "starts_at") == ["这个字段是必填项。"]
    # a refusal of the service goes next to its field too
    response = client.post(
        url("meeting_create"),
        {"meeting_type": meeting_type("standing").pk, "starts_at": "2020-01-02T09:00", "place": "区委会议室"},
    )
    assert field_errors(response.content.decode(), "starts_at") == ["会议时间早于本届开始"]
    assert not Meeting.objects.exists()


def test_scheduling_a_meeting(client, term, seats, staff):
    login(client, staff)
    day = timezone.localdate() + timedelta(days=7)
    response = client.post(
        url("meeting_create"),
        {
            "meeting_type": meeting_type("plenary").pk,
            "starts_at": f"{day:%Y-%m-%d}T09:00",
            "place": "区委大礼堂",
            "observers": "区纪委委员",
            "presided_by": seats[R.SECRETARY][0].pk,
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("meeting_detail", meeting.pk)
    assert (meeting.title, meeting.place, meeting.observers) == ("第1次全委会", "区委大礼堂", "区纪委委员")
    assert meeting.attendances.filter(voting=True).count() == 7
    assert meeting.attendances.filter(voting=False).count() == 2


def test_the_scheduling_page_shows_who_will_attend(client, term, seats, staff):
    login(client, staff)
    plenary = meeting_type("plenary")
    response = client.get(
        url("meeting_create"),
        {"preview": "1", "meeting_type": plenary.pk, "starts_at": ""},
        headers={"HX-Request": "true", "HX-Trigger-Name": "meeting_type"},
    )
    html = response.content.decode()
    assert seats[R.MEMBER][0].cadre.name in block(html, "preview-voting")
    assert seats[R.ALTERNATE][0].cadre.name in block(html, "preview-nonvoting")
    # the type's observers fill the field
    assert re.search(r'<input[^>]*name="observers"[^>]*hx-swap-oob="true"', html)
    assert plenary.observers in html
    # changing the day leaves the observers typed alone
    response = client.get(
        url("meeting_create"),
        {"preview": "1", "meeting_type": plenary.pk, "starts_at": "2026-01-05T09:00"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "starts_at"},
    )
    assert "hx-swap-oob" not in response.content.decode()
    # the page itself, with the type chosen from a link
    response = client.get(url("meeting_create"), {"meeting_type": plenary.pk})
    assert response.context["form"].initial["observers"] == plenary.observers
    assert seats[R.ALTERNATE][0].cadre.name in response.content.decode()


def test_changing_a_meeting(client, meeting, staff, leader):
    assert login(client, leader).get(url("meeting_edit", meeting.pk)).status_code == 403
    login(client, staff)
    assert client.get(url("meeting_edit", meeting.pk)).status_code == 200
    starts = timezone.localtime(meeting.starts_at)
    response = client.post(
        url("meeting_edit", meeting.pk), {"starts_at": f"{starts:%Y-%m-%dT%H:%M}", "place": "区委第二会议室"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "区委第二会议室"
    response = client.post(url("meeting_edit", meeting.pk), {"starts_at": f"{starts:%Y-%m-%dT%H:%M}", "place": ""})
    assert field_errors(response.content.decode(), "place") == ["这个字段是必填项。"]


# --- the agenda page -------------------------------------------------------------------------------------------


def test_the_agenda_page_for_each_role(
    client, term, seats, meeting, staff, leader, trainer, standing_user, member_user
):
    item = meeting.items.order_by("order").first()
    material = item.topic.materials.get()
    page = url("meeting_detail", meeting.pk)

    html = login(client, staff).get(page).content.decode()
    assert "关于议题1的意见" in html and "关于议题2的意见" in html
    assert url("material_download", material.pk) in html
    assert 'data-testid="agenda-add"' in html and url("attendance", meeting.pk) in html
    # the documents that can be made now: no minutes before the meeting ends, no ballots at an open-vote body
    documents = re.findall(r'data-kind="(\w+)"', block(html, "meeting-documents"))
    assert documents == ["notice", "agenda_pack"]
    # nobody registered apart to preside: the secretary
    assert re.search(rf"<dd>{seats[R.SECRETARY][0].cadre.name}</dd>", html)

    html = login(client, leader).get(page).content.decode()
    assert url("material_download", material.pk) in html
    assert url("agenda_add", meeting.pk) not in html and url("agenda_remove", item.pk) not in html

    response = login(client, standing_user).get(page)
    html = response.content.decode()
    assert response.status_code == 200
    assert url("material_download", material.pk) in html
    assert 'data-testid="agenda-add"' not in html
    # an attending member asks for the notice and the agenda pack made out to them
    assert re.findall(r'data-kind="(\w+)"', block(html, "meeting-documents")) == ["notice", "agenda_pack"]
    assert 'data-testid="leave-form"' in html

    # a 委员 does not attend the 常委会; nor does the training section see it
    assert login(client, member_user).get(page).status_code == 404
    assert login(client, trainer).get(page).status_code == 404
    client.logout()
    assert client.get(page).status_code == 302


def test_a_recused_member_sees_the_item_but_not_its_materials(client, term, seats, staff):
    subject = standing_of(seats)[3]
    user = user_for(subject)
    recused = make_topic(
        term,
        actor=staff,
        category=CADRE_STANDING,
        title="关于干部任免的议题",
        cadres=[(subject.cadre, "拟任区政协副主席")],
    )
    other = make_topic(term, actor=staff, title="关于其他事项的意见")
    meeting = make_meeting(term, actor=staff, topics=[recused, other])
    html = login(client, user).get(url("meeting_detail", meeting.pk)).content.decode()

    recused_item = meeting.items.get(topic=recused)
    item_html = re.search(rf'<article[^>]*id="item-{recused_item.pk}".*?</article>', html, re.S).group(0)
    assert 'data-testid="recused-note"' in item_html
    assert url("material_download", recused.materials.get().pk) not in html
    assert url("item_detail", recused_item.pk) not in html
    assert url("material_download", other.materials.get().pk) in html
    # the item page itself is not there for them
    assert client.get(url("item_detail", recused_item.pk)).status_code == 404
    # staff see the materials and the recusal
    html = login(client, staff).get(url("meeting_detail", meeting.pk)).content.decode()
    assert url("material_download", recused.materials.get().pk) in html


def test_adding_a_topic_shows_the_refusal_next_to_the_field(client, term, meeting, staff, leader):
    draft = make_topic(term, actor=staff, title="尚未审定的议题", ready=False)
    blocked = make_topic(term, actor=staff, title="没有材料的议题", material=False)
    ready = make_topic(term, actor=staff, title="可以上会的议题")
    login(client, staff)
    html = client.get(url("meeting_detail", meeting.pk)).content.decode()
    add = block(html, "agenda-add")
    assert f'value="{ready.pk}"' in add and f'value="{blocked.pk}"' not in add
    assert "没有材料的议题" in block(html, "blocked-topics") and "尚未上传议题材料" in add

    response = client.post(url("agenda_add", meeting.pk), {"topic": draft.pk})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "topic") == ["议题须经书记审定后才能列入议程"]
    response = client.post(url("agenda_add", meeting.pk), {"topic": blocked.pk})
    assert field_errors(response.content.decode(), "topic") == ["议题尚不能列入议程：尚未上传议题材料"]

    response = client.post(url("agenda_add", meeting.pk), {"topic": ready.pk})
    assert response.status_code == 302
    assert meeting.items.get(topic=ready).order == 3
    assert login(client, leader).post(url("agenda_add", meeting.pk), {"topic": ready.pk}).status_code == 403


def test_moving_and_removing_items(client, meeting, staff, standing_user):
    first, second = meeting.items.order_by("order")
    assert login(client, standing_user).post(url("agenda_move", second.pk), {"direction": "up"}).status_code == 403
    login(client, staff)
    client.post(url("agenda_move", second.pk), {"direction": "up"})
    assert list(meeting.items.order_by("order").values_list("pk", flat=True)) == [second.pk, first.pk]
    response = client.post(url("agenda_remove", first.pk), {"reason": "材料不全"}, follow=True)
    assert list(meeting.items.values_list("pk", flat=True)) == [second.pk]
    assert Topic.objects.get(pk=first.topic_id).status == Topic.Status.APPROVED
    assert any("关于议题1的意见" in m for m in messages_of(response))


# --- attendance and the quorum ---------------------------------------------------------------------------------


def test_attendance_is_for_the_organization_section(client, meeting, staff, leader, standing_user, member_user):
    page = url("attendance", meeting.pk)
    assert login(client, staff).get(page).status_code == 200
    assert login(client, leader).get(page).status_code == 403
    assert login(client, standing_user).get(page).status_code == 403
    assert login(client, member_user).get(page).status_code == 404
    assert login(client, standing_user).post(page, {"attendance": 1, "presence": "present"}).status_code == 403


def test_taking_everyones_attendance_at_once(client, meeting, seats, staff):
    login(client, staff)
    standing = standing_of(seats)
    absent = standing[4]
    data = {f"present_{m.pk}": "on" for m in standing[:4]}
    response = client.post(url("attendance", meeting.pk), data)
    assert response.status_code == 400
    row = re.search(rf'<tr[^>]*data-member="{absent.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert re.findall(r'<div class="field-error" role="alert">(.*?)</div>', row) == [
        f"请填写{absent.cadre.name}缺席的原因"
    ]
    assert set(meeting.attendances.values_list("presence", flat=True)) == {"unknown"}

    data[f"reason_{absent.pk}"] = "参加市委会议"
    response = client.post(url("attendance", meeting.pk), data)
    assert response.status_code == 302
    rows = dict(meeting.attendances.values_list("member_id", "presence"))
    assert rows == {**{m.pk: "present" for m in standing[:4]}, absent.pk: "absent"}
    panel = block(client.get(url("attendance", meeting.pk)).content.decode(), "quorum-panel")
    assert 'data-testid="expected">5<' in panel and 'data-testid="present">4<' in panel


def test_one_member_at_a_time_refreshes_the_quorum(client, meeting, seats, staff):
    login(client, staff)
    standing = standing_of(seats)
    attendances = {a.member_id: a for a in meeting.attendances.all()}
    htmx = {"HX-Request": "true"}
    page = url("attendance", meeting.pk)
    for member in standing[:2]:
        response = client.post(page, {"attendance": attendances[member.pk].pk, "presence": "present"}, headers=htmx)
        assert response.status_code == 200
        assert response["HX-Trigger"] == "quorum-changed"
        assert f'id="attendance-{attendances[member.pk].pk}"' in response.content.decode()

    # an absence needs its reason, shown in the row
    row = attendances[standing[2].pk]
    response = client.post(page, {"attendance": row.pk, "presence": "absent"}, headers=htmx)
    # htmx swaps only a 200: the row comes back showing the refusal, and the quorum is left alone
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert f"请填写{standing[2].cadre.name}缺席的原因" in response.content.decode()
    response = client.post(
        page, {"attendance": row.pk, "presence": "absent", f"reason_{standing[2].pk}": "病假"}, headers=htmx
    )
    assert response.status_code == 200
    assert Attendance.objects.get(pk=row.pk).leave_reason == "病假"

    # 2 of 5 present: the meeting needs 3, cadre items 4
    panel = client.get(url("quorum_panel", meeting.pk), headers=htmx).content.decode()
    assert 'data-testid="present">2<' in panel
    assert re.search(r'<li class="bad" data-testid="quorum-meeting">', panel)
    assert "应到会成员5人，须有超过半数即至少3人到会方能召开" in panel
    assert "讨论决定干部任免事项，应到会成员5人，须有三分之二以上即至少4人到会" in panel
    client.post(page, {"attendance": attendances[standing[3].pk].pk, "presence": "present"}, headers=htmx)
    panel = client.get(url("quorum_panel", meeting.pk), headers=htmx).content.decode()
    assert re.search(r'<li class="ok" data-testid="quorum-meeting">', panel)
    assert re.search(r'<li class="bad" data-testid="quorum-cadre">', panel)


def test_opening_refused_shows_why_and_cancelling_needs_a_reason(client, meeting, seats, staff):
    login(client, staff)
    response = client.post(url("meeting_open", meeting.pk), {"next": url("attendance", meeting.pk)}, follow=True)
    assert response.redirect_chain[-1][0] == url("attendance", meeting.pk)
    assert any(m.startswith("请先登记出席情况：") for m in messages_of(response))

    response = client.post(url("meeting_cancel", meeting.pk), {"reason": " "})
    assert response.status_code == 400
    assert field_errors(block(response.content.decode(), "cancel-form"), "reason") == ["请说明取消的原因"]
    response = client.post(url("meeting_cancel", meeting.pk), {"reason": "书记外出"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and not meeting.items.exists()


def test_opening_and_adjourning(client, meeting, seats, staff):
    login(client, staff)
    services.attendance_take(meeting=meeting, present={m.pk for m in standing_of(seats)}, reasons={}, actor=staff)
    response = client.post(url("meeting_open", meeting.pk), follow=True)
    assert any("第1次常委会" in m for m in messages_of(response))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.IN_SESSION
    response = client.post(url("meeting_adjourn", meeting.pk), follow=True)
    assert any(m.startswith("以下议程尚未处理") for m in messages_of(response))


# --- leave -----------------------------------------------------------------------------------------------------


def test_a_member_asks_for_leave(client, meeting, seats, standing_user, member_user, leader, staff):
    page = url("leave_request", meeting.pk)
    login(client, standing_user)
    response = client.post(page, {"reason": "", "next": url("portal")})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "reason") == ["这个字段是必填项。"]
    response = client.post(page, {"reason": "参加市委全会", "next": url("portal")})
    assert response.status_code == 302 and response["Location"] == url("portal")
    mine = meeting.attendances.get(member__cadre__user=standing_user)
    assert (mine.presence, mine.leave_reason) == ("absent", "参加市委全会")
    # an address elsewhere is not followed
    response = client.post(page, {"reason": "出差", "next": "https://example.org/"})
    assert response["Location"] == url("meeting_detail", meeting.pk)

    assert login(client, member_user).post(page, {"reason": "出差"}).status_code == 404
    assert login(client, leader).post(page, {"reason": "出差"}).status_code == 403
    # 组织科 records it for a member
    other = standing_of(seats)[1]
    response = login(client, staff).post(page, {"member": other.pk, "reason": "病假"})
    assert response.status_code == 302
    assert meeting.attendances.get(member=other).leave_reason == "病假"


# --- the item page ---------------------------------------------------------------------------------------------


@pytest.fixture
def cadre_meeting(term, staff, standing_user, member_user):
    topic = make_topic(
        term,
        actor=staff,
        category=CADRE_STANDING,
        title="关于区管干部任免的议题",
        cadres=[(make_cadre(make_unit("区财政局"), "候选人甲"), "拟任区财政局局长")],
    )
    return make_meeting(term, actor=staff, topics=[topic])


def test_the_item_page_for_each_role(client, cadre_meeting, staff, leader, standing_user, member_user):
    item = cadre_meeting.items.get()
    page = url("item_detail", item.pk)
    assert 'data-testid="recusal-form"' in login(client, staff).get(page).content.decode()
    html = login(client, leader).get(page).content.decode()
    assert "候选人甲" in html and 'data-testid="recusal-form"' not in html
    assert login(client, standing_user).get(page).status_code == 200
    assert login(client, member_user).get(page).status_code == 404
    assert login(client, standing_user).post(url("voting_open", item.pk)).status_code == 403


def test_voting_open_refused_with_the_two_thirds_rule(client, cadre_meeting, seats, staff):
    standing = standing_of(seats)
    in_session(cadre_meeting, standing[:3], staff)
    item = cadre_meeting.items.get()
    login(client, staff)
    response = client.post(url("voting_open", item.pk))
    assert response.status_code == 400
    assert "讨论决定干部任免事项，应到会成员5人，须有三分之二以上即至少4人到会；实到3人，不能表决" in block(
        response.content.decode(), "voting-open"
    )
    services.attendance_set(
        attendance=cadre_meeting.attendances.get(member=standing[3]), presence="present", actor=staff
    )
    assert client.post(url("voting_open", item.pk)).status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).outcome == Outcome.VOTING


def test_recording_open_votes_on_the_page(client, cadre_meeting, seats, staff):
    standing = standing_of(seats)
    in_session(cadre_meeting, standing, staff)
    item = cadre_meeting.items.get()
    votes.voting_open(item=item, actor=staff)
    row = item.topic.cadres.get()
    login(client, staff)
    sheet = block(client.get(url("item_detail", item.pk)).content.decode(), "vote-sheet")
    assert sheet.count("<form") == 5

    response = client.post(url("vote_record", item.pk), {"member": standing[0].pk})
    assert response.status_code == 400
    assert "请选择表决意见" in block(response.content.decode(), "vote-sheet")
    choices = ["同意", "同意", "缓议", "同意", "不同意"]
    for member, choice in zip(standing, choices, strict=True):
        response = client.post(url("vote_record", item.pk), {"member": member.pk, f"choice_{row.pk}": choice})
        assert response.status_code == 302
    # a second vote is refused with the service's words
    response = client.post(url("vote_record", item.pk), {"member": standing[0].pk, f"choice_{row.pk}": "不同意"})
    assert response.status_code == 400
    assert f"已记录{standing[0].cadre.name}对候选人甲的表决意见，不能重复表决" in response.content.decode()
    assert item.votes.count() == 5

    response = client.post(url("voting_close", item.pk), {"decision_text": ""})
    assert response.status_code == 302
    html = client.get(url("item_detail", item.pk)).content.decode()
    results = block(html, "results")
    assert "赞成票超过应到会成员5人的半数，即至少3票为通过" in results
    assert "同意候选人甲同志任区财政局局长。" in block(html, "decision")
    # once closed, the open vote stays on the record member by member; nobody can be recused from it any more
    roll = block(html, "vote-roll")
    for member, choice in zip(standing, choices, strict=True):
        assert re.search(rf'data-voter="{member.pk}">.*?候选人甲：{choice}<', roll, re.S)
    assert 'data-testid="recusal-form"' not in html
    with pytest.raises(ApplicationError, match="该议题已通过，不能再登记回避"):
        services.recusal_add(item=item, member=standing[1], reason="补登", actor=staff)
    # the agenda states the counts in the type's order of options
    agenda = block(client.get(url("meeting_detail", cadre_meeting.pk)).content.decode(), "agenda")
    assert "候选人甲：同意 3 · 不同意 1 · 缓议 1" in agenda

    # the decision text may be corrected until the meeting is adjourned
    decision = AgendaItem.objects.get(pk=item.pk).decision
    response = client.post(url("item_detail", item.pk), {"text": ""})
    assert field_errors(response.content.decode(), "text") == ["这个字段是必填项。"]
    response = client.post(url("item_detail", item.pk), {"text": "同意候选人甲任区财政局局长。"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.text == "同意候选人甲任区财政局局长。"
    services.meeting_adjourn(meeting=cadre_meeting, actor=staff)
    assert 'data-testid="decision-form"' not in client.get(url("item_detail", item.pk)).content.decode()
    response = client.post(url("item_detail", item.pk), {"text": "改动"})
    assert "会议已结束，决定事项不能再修改；如需改变请复议" in response.content.decode()


def test_deferring_and_recusing_on_the_page(client, cadre_meeting, seats, staff):
    standing = standing_of(seats)
    item = cadre_meeting.items.get()
    login(client, staff)
    response = client.post(url("recusal_add", item.pk), {"member": standing[2].pk, "reason": ""})
    assert response.status_code == 400
    assert field_errors(block(response.content.decode(), "recusal-form"), "reason") == ["请填写回避的原因"]
    response = client.post(url("recusal_add", item.pk), {"member": standing[2].pk, "reason": "与候选人甲系同学"})
    assert response.status_code == 302
    html = client.get(url("item_detail", item.pk)).content.decode()
    assert "与候选人甲系同学" in block(html, "recusals")
    assert 'data-testid="item-recused">1<' in html

    in_session(cadre_meeting, standing, staff)
    response = client.post(url("item_defer", item.pk), {"reason": ""})
    assert field_errors(block(response.content.decode(), "defer-form"), "reason") == ["请说明缓议的理由"]
    response = client.post(url("item_defer", item.pk), {"reason": "需进一步考察"})
    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).outcome == Outcome.DEFERRED


@pytest.fixture
def plenary_item(term, seats, staff):
    topic = make_topic(
        term,
        actor=staff,
        category=CADRE_PLENARY,
        type_code="plenary",
        title="关于公推公选人选的议题",
        cadres=[(make_cadre(make_unit("区文旅局"), "候选人丙"), "拟任区文旅局局长")],
    )
    meeting = make_meeting(term, actor=staff, type_code="plenary", topics=[topic])
    in_session(meeting, full_members_of(seats), staff)
    item = meeting.items.get()
    votes.voting_open(item=item, actor=staff)
    return item


def tally_post(item, favour: int, *, invalid: int = 0) -> dict:
    row = item.topic.cadres.get()
    return {
        "ballots_issued": 7,
        "ballots_returned": 7,
        "ballots_invalid": invalid,
        f"count_{row.pk}_0": favour,
        f"count_{row.pk}_1": 7 - invalid - favour,
        f"count_{row.pk}_2": 0,
    }


def test_the_count_of_paper_ballots_entered_twice(client, plenary_item, staff, staff2):
    item = plenary_item
    page = url("tally_enter", item.pk)
    login(client, staff)
    html = client.get(url("item_detail", item.pk)).content.decode()
    assert 'data-testid="vote-sheet"' not in html and 'data-testid="tally-form"' in html

    response = client.post(page, {**tally_post(item, 5), "ballots_issued": 8})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "ballots_issued") == ["发出选票8张，多于可表决的到会成员7人"]
    assert client.post(page, tally_post(item, 5)).status_code == 302
    response = client.post(page, tally_post(item, 5))
    assert "两次录入须由不同的工作人员完成" in response.content.decode()

    login(client, staff2)
    assert client.post(page, tally_post(item, 4, invalid=1)).status_code == 302
    html = client.get(url("item_detail", item.pk)).content.decode()
    differences = block(html, "tally-differences")
    assert "废票：0≠1" in differences and "候选人丙同意：5≠4" in differences
    assert "zuzhi" in block(html, "tally") and "zuzhi2" in block(html, "tally")
    response = client.post(url("voting_close", item.pk), {})
    assert response.status_code == 400
    assert "两次录入的计票结果不一致，不能确定结果：废票：0≠1；候选人丙同意：5≠4" in response.content.decode()

    response = client.post(page, {"action": "clear", "reason": ""})
    assert field_errors(block(response.content.decode(), "tally-clear"), "reason") == ["请说明清除的原因"]
    assert client.post(page, {"action": "clear", "reason": "第二次录入有误"}).status_code == 302
    assert not item.tallies.exists()
    client.post(page, tally_post(item, 5))
    login(client, staff)
    client.post(page, tally_post(item, 5))
    assert 'data-testid="tally-agree"' in client.get(url("item_detail", item.pk)).content.decode()
    assert client.post(url("voting_close", item.pk), {}).status_code == 302
    result = item.results.get()
    assert (result.expected, result.present, result.votes_for, result.passed) == (7, 7, 5, True)


# --- the recusal registry --------------------------------------------------------------------------------------


def test_the_registry_for_each_role(client, term, seats, staff, leader, trainer, standing_user):
    relative = make_cadre(make_unit("区教育局"), "王小明")
    services.relation_add(member_cadre=standing_of(seats)[2].cadre, cadre=relative, relation="弟弟", actor=staff)
    assert login(client, staff).get(url("relation_list")).status_code == 200
    response = login(client, leader).get(url("relation_list"))
    assert response.status_code == 200 and url("relation_create") not in response.content.decode()
    assert login(client, trainer).get(url("relation_list")).status_code == 403
    assert login(client, standing_user).get(url("relation_list")).status_code == 403
    assert login(client, leader).get(url("relation_create")).status_code == 403
    assert login(client, leader).post(url("relations_refresh")).status_code == 403
    relation = MemberRelation.objects.get()
    assert login(client, standing_user).post(url("relation_end", relation.pk)).status_code == 404


def test_entering_searching_and_removing_relations(client, term, seats, staff):
    login(client, staff)
    member = standing_of(seats)[2]
    relative = make_cadre(make_unit("区教育局"), "王小明", current_post="区教育局副局长")
    response = client.get(url("relation_create"), {"cadre_search": "王小"}, headers={"HX-Request": "true"})
    assert f'value="{relative.pk}"' in response.content.decode()

    response = client.post(url("relation_create"), {"member": member.pk, "cadre_search": "王小明", "relation": ""})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "relation") == ["这个字段是必填项。"]
    response = client.post(
        url("relation_create"),
        {"member": member.pk, "cadre_search": "王小明", "cadre": relative.pk, "relation": "弟弟"},
    )
    assert response.status_code == 302
    response = client.post(
        url("relation_create"),
        {"member": member.pk, "cadre_search": "王小明", "cadre": relative.pk, "relation": "弟弟"},
    )
    assert field_errors(response.content.decode(), "cadre_search") == [f"已登记{member.cadre.name}与王小明的关系"]

    relation = MemberRelation.objects.get()
    assert [r.pk for r in client.get(url("relation_list"), {"q": "王小明"}).context["object_list"]] == [relation.pk]
    assert not client.get(url("relation_list"), {"q": "无此人"}).context["object_list"]
    client.post(url("relation_end", relation.pk))
    relation.refresh_from_db()
    assert relation.ended_at is not None
    assert [r.pk for r in client.get(url("relation_list"), {"state": "ended"}).context["object_list"]] == [relation.pk]


def test_finding_relations_in_the_cadre_files(client, term, seats, staff):
    from cadres.services.records import cadre_replace_family

    member = standing_of(seats)[1]
    make_cadre(make_unit("区卫健委"), "李华", current_post="区卫健委主任")
    cadre_replace_family(
        cadre=member.cadre, members=[{"relation": "妻子", "name": "李华", "work_and_post": "区卫健委主任"}], actor=staff
    )
    response = login(client, staff).post(url("relations_refresh"), follow=True)
    assert any("1" in m for m in messages_of(response))
    assert MemberRelation.objects.get().relation == "妻子"


# --- query counts ----------------------------------------------------------------------------------------------


def build_agenda(term, seats, staff, size: int) -> Meeting:
    """A held 常委会 with `size` items, every third about a cadre (one of them about a member, who is recused); all
    voted on, so that each item shows materials, cadres, recusals, results and a decision."""
    standing = standing_of(seats)
    unit = make_unit("区直单位")
    topics = []
    for i in range(size):
        if i % 3 == 0:
            subject = standing[4].cadre if i == 0 else make_cadre(unit, f"干部{i}")
            topics.append(
                make_topic(term, actor=staff, category=CADRE_STANDING, title=f"干部议题{i}", cadres=[(subject, "拟任")])
            )
        else:
            topics.append(make_topic(term, actor=staff, title=f"议题{i}"))
    meeting = make_meeting(term, actor=staff, topics=topics)
    in_session(meeting, standing, staff)
    for item in meeting.items.select_related("topic__category"):
        votes.voting_open(item=item, actor=staff)
        counts = votes.item_counts(item)
        candidates = list(item.topic.cadres.all()) or [None]
        for member in standing:
            if member.pk in counts.voters:
                for row in candidates:
                    votes.vote_record(item=item, member=member, choice="同意", candidate=row, actor=staff)
        votes.voting_close(item=item, actor=staff)
    return meeting


# the session, the user, the meeting, the permissions (model and group, then the meeting's own for the user and
# their groups), the attendance, the stamp of the agenda section and the five of its items, the roles and the unread
# count of the page's shell, the appraisal entries of the navigation, the presiding secretary (the session is not
# saved again within a minute of the last request)
PAGE_QUERIES = 18
# a member's page asks, in place of the meeting's own permissions, whether they attend (one query) and their seat in
# the current term for the section links (one query)
MEMBER_PAGE_QUERIES = PAGE_QUERIES


@pytest.mark.parametrize("size", [3, 30])
def test_the_agenda_query_count_does_not_grow_with_its_items(
    client, term, seats, staff, size, django_assert_num_queries
):
    user = user_for(standing_of(seats)[4])
    meeting = build_agenda(term, seats, staff, size)
    meeting = Meeting.objects.select_related("meeting_type", "term__committee").get(pk=meeting.pk)
    # the selector: the attendance, the items, and their materials, cadres, recusals and results
    with django_assert_num_queries(6):
        agenda = meeting_agenda(meeting, user)
    assert len(agenda.rows) == size
    assert all(row.item.decision.text for row in agenda.rows)
    assert agenda.rows[0].viewer_recused and not agenda.rows[1].viewer_recused

    # the whole page, for staff and for the member: the first reading renders the agenda section (the six of the
    # selector), the next ones take it as rendered while its stamp holds (one query)
    login(client, staff)
    page = url("meeting_detail", meeting.pk)
    client.get(page)
    cache.clear()
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(page)
    assert response.content.decode().count('class="agenda-item') == size
    with django_assert_num_queries(PAGE_QUERIES - 5):
        again = client.get(page)
    assert section_of(again) == section_of(response)
    login(client, user)
    client.get(page)
    cache.clear()
    with django_assert_num_queries(MEMBER_PAGE_QUERIES):
        response = client.get(page)
    assert response.content.decode().count('data-testid="recused-note"') == 1
    with django_assert_num_queries(MEMBER_PAGE_QUERIES - 5):
        again = client.get(page)
    assert again.content.decode().count('data-testid="recused-note"') == 1


# --- the agenda section, kept rendered ----------------------------------------------------------------------------


def section_of(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="agenda"')
    return html[start : html.index("</section>", start)]


def agenda_html(client, meeting) -> str:
    return section_of(client.get(url("meeting_detail", meeting.pk)))


def test_the_agenda_section_shows_every_change_at_once(client, term, seats, staff):
    """A member reads the agenda, then each thing it shows changes through its service: the next reading shows
    the change (the rendered section is keyed by a stamp of everything in it, not kept for a time)."""
    from cadres.services.records import cadre_update, unit_update
    from meetings.services.topics import material_add
    from tests.meetings.factories import pdf_upload

    standing = standing_of(seats)
    unit = make_unit("区直单位")
    topics = [
        make_topic(
            term, actor=staff, category=CADRE_STANDING, title="干部议题", cadres=[(make_cadre(unit, "张三"), "拟任")]
        ),
        make_topic(term, actor=staff, title="工作议题"),
    ]
    meeting = make_meeting(term, actor=staff, topics=topics)
    in_session(meeting, standing, staff)
    member = standing[1]
    login(client, user_for(member))
    first = agenda_html(client, meeting)
    assert agenda_html(client, meeting) == first  # taken as rendered
    cadre_item, plain_item = meeting.items.order_by("order")

    material_add(topic=plain_item.topic, upload=pdf_upload("补充材料.pdf"), actor=staff)
    assert "补充材料.pdf" in agenda_html(client, meeting)

    cadre_update(cadre=cadre_item.topic.cadres.get().cadre, actor=staff, name="张三丰")
    assert "张三丰：拟任" in agenda_html(client, meeting)

    unit_update(unit=plain_item.topic.unit, actor=staff, name="改名后的单位")
    assert "改名后的单位" in agenda_html(client, meeting)

    # a present member leaves the meeting: every item's count of those present changes
    present = re.compile(r"实到会(\d+)")
    before = present.findall(agenda_html(client, meeting))
    services.attendance_set(
        attendance=meeting.attendances.get(member=standing[2]), presence=Presence.ABSENT, reason="临时公务", actor=staff
    )
    after = present.findall(agenda_html(client, meeting))
    assert [int(n) for n in after] == [int(n) - 1 for n in before]

    # the vote, its result and the decision, then the decision reworded
    votes.voting_open(item=plain_item, actor=staff)
    for seat in standing:
        if seat.pk in votes.item_counts(plain_item).voters:
            votes.vote_record(item=plain_item, member=seat, choice="同意", actor=staff)
    votes.voting_close(item=plain_item, actor=staff)
    section = agenda_html(client, meeting)
    assert 'class="tag ok"' in section
    plain_item.refresh_from_db()
    assert plain_item.decision.text in section
    votes.decision_update(decision=plain_item.decision, text="同意该报告并抓好落实", actor=staff)
    assert "同意该报告并抓好落实" in agenda_html(client, meeting)


def test_the_agenda_section_of_one_viewer_is_never_shown_to_another(client, term, seats, staff):
    """Staff see the materials of every item; a recused member sees the recusal note instead, and another member
    the materials: whoever reads first, each gets their own section."""
    meeting = build_agenda(term, seats, staff, 3)
    standing = standing_of(seats)
    recused_user, other_user = user_for(standing[4]), user_for(standing[1])
    recused_item = meeting.items.get(recusals__member=standing[4])
    download = url("material_download", recused_item.topic.materials.first().pk)

    assert download in agenda_html(login(client, staff), meeting)
    member_section = agenda_html(login(client, recused_user), meeting)
    assert download not in member_section
    assert member_section.count('data-testid="recused-note"') == 1
    other_section = agenda_html(login(client, other_user), meeting)
    assert download in other_section
    assert 'data-testid="recused-note"' not in other_section
    assert download not in agenda_html(login(client, recused_user), meeting)


def test_a_recusal_takes_the_materials_away_at_once(client, term, seats, staff):
    standing = standing_of(seats)
    meeting = make_meeting(term, actor=staff, topics=[make_topic(term, actor=staff, title="工作议题")])
    item = meeting.items.get()
    download = url("material_download", item.topic.materials.first().pk)
    login(client, user_for(standing[1]))
    assert download in agenda_html(client, meeting)
    services.recusal_add(item=item, member=standing[1], reason="近亲属", actor=staff)
    section = agenda_html(client, meeting)
    assert download not in section
    assert section.count('data-testid="recused-note"') == 1
