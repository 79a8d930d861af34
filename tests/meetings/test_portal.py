"""The member portal: a member sees only the meetings they attend (another meeting's page is a 404), never a link
to the materials of an item they are recused from, asks for leave from the page, finds the consultations addressed
to them, their follow-ups and the decisions of their meetings; the page's queries do not grow with the meetings.
Also the meetings entry page and the members' home-page sections."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance, Meeting
from meetings.services.meetings import meeting_adjourn, meeting_cancel, relation_add
from meetings.services.topics import consultation_close, consultation_request, opinion_submit
from orgdept.core import roles
from tests.cadres.factories import make_cadre, make_unit
from tests.meetings.factories import CADRE_STANDING, make_meeting, make_topic

from .test_followups import DAY, Scene, decide, hold, make_scene, pass_items

PORTAL = reverse("meetings:portal")


@pytest.fixture
def scene(make_user) -> Scene:
    return make_scene(make_user)


def url(name, *args):
    return reverse(f"meetings:{name}", args=args)


def rows(response, attribute: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'data-{attribute}="(\d+)"', response.content.decode())]


def row_html(response, attribute: str, pk: int) -> str:
    html = response.content.decode()
    return re.search(rf'<tr data-{attribute}="{pk}".*?</tr>', html, re.S).group(0)


def standing_meeting(scene: Scene, *, days: int = 3, topics: int = 1) -> Meeting:
    made = [make_topic(scene.term, actor=scene.staff, title=f"关于党建工作的意见（{days}-{i}）") for i in range(topics)]
    return make_meeting(scene.term, actor=scene.staff, starts_at=timezone.now() + timedelta(days=days), topics=made)


def plenary_meeting(scene: Scene, *, days: int = 5) -> Meeting:
    return make_meeting(
        scene.term, actor=scene.staff, type_code="plenary", starts_at=timezone.now() + timedelta(days=days)
    )


# --- the meetings a member attends ----------------------------------------------------------------------------


def test_a_member_sees_only_the_meetings_they_attend(client, scene):
    standing = standing_meeting(scene, days=3, topics=2)
    plenary = plenary_meeting(scene, days=5)

    client.force_login(scene.user("zhou"))  # a 委员: the 全委会, not the 常委会
    response = client.get(PORTAL)
    assert response.status_code == 200
    assert rows(response, "meeting") == [plenary.pk]
    assert client.get(url("meeting_detail", standing.pk)).status_code == 404
    assert client.get(url("meeting_detail", plenary.pk)).status_code == 200

    client.force_login(scene.user("zhang"))
    response = client.get(PORTAL)
    assert rows(response, "meeting") == [standing.pk, plenary.pk]  # soonest first
    row = row_html(response, "meeting", standing.pk)
    assert url("meeting_detail", standing.pk) in row
    assert re.search(r'data-testid="item-count">2<', row)
    assert standing.title in row and standing.place in row


def test_an_account_linked_after_scheduling_reads_the_meetings_of_its_seat(client, scene):
    zhou = scene.weiyuan.cadre
    zhou.user = None
    zhou.save(update_fields=["user"])
    plenary = plenary_meeting(scene, days=5)  # scheduled while 周委员 has no account: nothing granted

    client.force_login(scene.user("zhou"))
    assert client.get(url("meeting_detail", plenary.pk)).status_code == 404

    zhou.user = scene.user("zhou")  # the administrator links the account to the cadre record afterwards
    zhou.save(update_fields=["user"])
    assert rows(client.get(PORTAL), "meeting") == [plenary.pk]
    assert client.get(url("meeting_detail", plenary.pk)).status_code == 200


def test_held_and_cancelled_meetings_are_no_longer_upcoming(client, scene):
    adjourned = standing_meeting(scene, days=1)
    in_session = standing_meeting(scene, days=2)
    cancelled = standing_meeting(scene, days=3)
    upcoming = standing_meeting(scene, days=4)
    hold(scene, adjourned)
    pass_items(scene, adjourned)
    meeting_adjourn(meeting=adjourned, actor=scene.staff)
    hold(scene, in_session)
    meeting_cancel(meeting=cancelled, reason="改期", actor=scene.staff)

    client.force_login(scene.user("zhao"))
    assert rows(client.get(PORTAL), "meeting") == [in_session.pk, upcoming.pk]


def test_a_recused_member_gets_no_link_to_the_item_s_materials(client, scene):
    board = scene.board
    candidate = make_cadre(make_unit("区财政局"), "钱干部")
    relation_add(member_cadre=board.zhang.cadre, cadre=candidate, relation="配偶", actor=scene.staff)
    topic = make_topic(
        scene.term, actor=scene.staff, category=CADRE_STANDING, title="关于钱干部任职的议题",
        cadres=[(candidate, "拟任区发展改革委主任")],
    )  # fmt: skip
    material = topic.materials.get()
    meeting = make_meeting(scene.term, actor=scene.staff, starts_at=timezone.now() + timedelta(days=2), topics=[topic])
    download = url("material_download", material.pk)

    client.force_login(scene.user("zhang"))
    assert download not in client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert client.get(download).status_code == 404

    client.force_login(scene.user("zhao"))
    assert download in client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert client.get(download).status_code == 200

    # once decided, the decision is not among the recused member's past decisions either
    hold(scene, meeting)
    (decision,) = pass_items(scene, meeting)
    client.force_login(scene.user("zhang"))
    assert rows(client.get(PORTAL), "decision") == []
    assert client.get(url("decision_detail", decision.pk)).status_code == 404
    client.force_login(scene.user("zhao"))
    assert rows(client.get(PORTAL), "decision") == [decision.pk]


# --- leave ----------------------------------------------------------------------------------------------------


def test_a_member_asks_for_leave_from_the_portal(client, scene):
    meeting = standing_meeting(scene)
    client.force_login(scene.user("zhang"))

    page = client.get(PORTAL)
    row = row_html(page, "meeting", meeting.pk)
    assert f'action="{url("leave_request", meeting.pk)}"' in row
    assert 'name="reason"' in row and f'name="next" value="{PORTAL}"' in row

    response = client.post(url("leave_request", meeting.pk), {"reason": "赴省里参加会议", "next": PORTAL})
    assert response.status_code == 302 and response["Location"] == PORTAL

    attendance = meeting.attendances.get(member=scene.board.zhang)
    assert attendance.presence == Attendance.Presence.ABSENT
    assert attendance.leave_reason == "赴省里参加会议"
    row = row_html(client.get(PORTAL), "meeting", meeting.pk)
    assert "赴省里参加会议" in re.search(r'data-testid="leave-status">(.*?)</td>', row, re.S).group(1)
    assert url("leave_request", meeting.pk) not in row  # asked once


def test_leave_cannot_be_asked_for_once_the_meeting_is_in_session(client, scene):
    meeting = standing_meeting(scene)
    hold(scene, meeting)
    client.force_login(scene.user("zhang"))

    assert url("leave_request", meeting.pk) not in client.get(PORTAL).content.decode()


# --- consultations, follow-ups, decisions --------------------------------------------------------------------


def test_the_consultations_addressed_to_the_member_are_listed_until_closed(client, scene):
    board = scene.board
    topic = make_topic(scene.term, actor=scene.staff, title="关于调整经济工作的意见", ready=False)
    asked = consultation_request(
        topic=topic, deadline=timezone.now() + timedelta(days=2), members=[board.zhang, board.zhao], actor=scene.staff
    )
    other = consultation_request(
        topic=topic, deadline=timezone.now() + timedelta(days=3), members=[board.sun], actor=scene.staff
    )

    client.force_login(scene.user("zhang"))
    response = client.get(PORTAL)
    assert rows(response, "consultation") == [asked.pk]
    row = row_html(response, "consultation", asked.pk)
    assert 'data-answered="no"' in row
    assert url("consultation_detail", asked.pk) in row
    assert "关于调整经济工作的意见" in row
    assert re.search(r"<td>1\s*日，23\s*小时</td>", row)  # the time left

    opinion_submit(consultation=asked, member=board.zhang, text="同意", actor=scene.user("zhang"))
    assert 'data-answered="yes"' in row_html(client.get(PORTAL), "consultation", asked.pk)

    opinion_submit(consultation=asked, member=board.zhao, text="同意", actor=scene.user("zhao"))
    consultation_close(consultation=asked, actor=scene.staff)
    assert rows(client.get(PORTAL), "consultation") == []
    client.force_login(scene.user("sun"))
    assert rows(client.get(PORTAL), "consultation") == [other.pk]


def test_the_member_s_follow_ups_and_the_decisions_of_their_meetings(client, scene):
    organization, propaganda = decide(scene, "组织", "宣传", on=DAY)  # followed up by 张 and 赵, overdue now

    client.force_login(scene.user("zhang"))
    response = client.get(PORTAL)
    assert rows(response, "follow-up") == [organization.follow_up.pk]
    assert 'class="over"' in row_html(response, "follow-up", organization.follow_up.pk)
    assert set(rows(response, "decision")) == {organization.pk, propaganda.pk}

    client.force_login(scene.user("zhou"))  # not at the 常委会
    response = client.get(PORTAL)
    assert rows(response, "follow-up") == [] and rows(response, "decision") == []


# --- who may use it ------------------------------------------------------------------------------------------


def test_the_portal_is_for_members_with_a_seat(client, scene, make_user):
    assert client.get(PORTAL).status_code == 302
    client.force_login(scene.staff)
    assert client.get(PORTAL).status_code == 403
    client.force_login(make_user(roles.STANDING_MEMBER))  # no seat
    assert client.get(PORTAL).status_code == 403
    client.force_login(scene.user("wang"))  # the secretary has the 常委 role and a seat
    assert client.get(PORTAL).status_code == 200


def test_the_meetings_entry_sends_members_to_the_portal_and_staff_to_the_meetings(client, scene, make_user):
    client.force_login(scene.user("zhou"))
    assert client.get(url("index"))["Location"] == PORTAL
    client.force_login(scene.staff)
    assert client.get(url("index"))["Location"] == url("meeting_list")
    client.force_login(make_user(roles.DEPARTMENT_LEADER))
    assert client.get(url("index"))["Location"] == url("meeting_list")
    client.force_login(make_user(roles.TRAINING_SECTION))
    assert client.get(url("index")).status_code == 403


def section_nav(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    nav = re.search(r'<nav class="subnav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]+)" data-key="(\w+)"', nav)


def test_the_section_links_lead_to_the_parts_of_meetings_each_user_may_open(client, scene, make_user):
    client.force_login(scene.staff)
    links = section_nav(client.get(url("meeting_list")))
    assert [key for _url, key in links] == ["meetings", "topics", "decisions", "follow_ups", "report", "rules"]
    for href, _key in links:
        assert client.get(href).status_code == 200, href

    client.force_login(scene.user("zhao"))  # a 常委: their portal instead of the meeting list, no report
    links = section_nav(client.get(PORTAL))
    assert [key for _url, key in links] == ["portal", "topics", "decisions", "follow_ups", "rules"]
    for href, _key in links:
        assert client.get(href).status_code == 200, href
    html = client.get(url("decision_list")).content.decode()
    assert re.search(r'data-key="decisions" aria-current="page"', html)


def test_the_home_page_shows_the_member_s_next_meetings_opinions_and_follow_ups(client, scene):
    board = scene.board
    (decision,) = decide(scene, "组织", on=DAY)
    meeting = standing_meeting(scene)
    topic = make_topic(scene.term, actor=scene.staff, title="关于乡村振兴的意见", ready=False)
    consultation = consultation_request(
        topic=topic, deadline=timezone.now() + timedelta(days=2), members=[board.zhang], actor=scene.staff
    )
    client.force_login(scene.user("zhang"))

    page = client.get(reverse("core:home")).content.decode()
    assert url("meeting_detail", meeting.pk) in page and meeting.title in page
    assert url("consultation_detail", consultation.pk) in page and "关于乡村振兴的意见" in page
    follow_up = re.search(rf'<li class="(\w*)">\s*<a href="{url("follow_up_detail", decision.follow_up.pk)}"', page)
    assert follow_up and follow_up.group(1) == "danger"  # overdue

    opinion_submit(consultation=consultation, member=board.zhang, text="同意", actor=scene.user("zhang"))
    assert url("consultation_detail", consultation.pk) not in client.get(reverse("core:home")).content.decode()


# --- queries ---------------------------------------------------------------------------------------------------


def test_the_portal_s_queries_do_not_grow_with_its_meetings(client, scene):
    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PORTAL).status_code == 200
        return len(queries)

    standing_meeting(scene, days=2)
    client.force_login(scene.user("zhang"))
    client.get(PORTAL)  # the content types are cached from the first request on
    one = counted()

    for days in (3, 4, 6):
        standing_meeting(scene, days=days, topics=2)
    plenary_meeting(scene)
    decide(scene, "组织", "宣传", on=DAY)
    decide(scene, "经济", on=date(2024, 12, 3))
    topic = make_topic(scene.term, actor=scene.staff, title="关于人才工作的意见", ready=False)
    for days in (1, 2):
        consultation_request(
            topic=topic, deadline=timezone.now() + timedelta(days=days), members=[scene.board.zhang], actor=scene.staff
        )
    client.force_login(scene.user("zhang"))
    many = counted()

    assert len(rows(client.get(PORTAL), "meeting")) == 5
    assert many == one
    assert one <= 17
