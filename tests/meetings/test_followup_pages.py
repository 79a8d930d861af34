"""Decision and follow-up (督办) pages: who may see and do what, the forms with their Chinese errors, the lists'
filters, reconsideration refused with the rule, and the follow-up report's figures on exact dates."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import FollowUp
from meetings.services.followups import follow_up_close, follow_up_deadline_change
from meetings.services.votes import decision_reconsider
from orgdept.core import roles
from orgdept.core.models import AuditEvent

from .test_followups import DAY, Scene, at, away, decide, make_scene


@pytest.fixture
def scene(make_user) -> Scene:
    return make_scene(make_user)


@pytest.fixture
def decided(scene):
    """Two decisions of one 常委会 on DAY: 组织 (followed up by 张常委) and 宣传 (by 赵常委)."""
    return decide(scene, "组织", "宣传", on=DAY)


def url(name, *args, **query):
    path = reverse(f"meetings:{name}", args=args)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def rows(response, attribute: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'data-{attribute}="(\d+)"', response.content.decode())]


# --- who may see and do what --------------------------------------------------------------------------------


def test_organization_section_sees_everything_and_gets_every_form(client, scene, decided):
    organization = decided[0]
    client.force_login(scene.staff)

    assert set(rows(client.get(url("decision_list")), "decision")) == {d.pk for d in decided}
    assert set(rows(client.get(url("follow_up_list")), "follow-up")) == {d.follow_up.pk for d in decided}
    assert client.get(url("follow_up_report")).status_code == 200
    page = client.get(url("follow_up_detail", organization.follow_up.pk))
    for testid in ("follow-up-notes", "follow-up-deadline", "follow-up-close"):
        assert f'data-testid="{testid}"' in page.content.decode()
    assert 'action="{}"'.format(url("follow_up_note", organization.follow_up.pk)) in page.content.decode()
    assert 'data-testid="reconsider"' in client.get(url("decision_detail", organization.pk)).content.decode()


@pytest.mark.parametrize("role", [roles.CADRE_SECTION, roles.DEPARTMENT_LEADER])
def test_other_department_staff_read_without_forms(client, scene, decided, make_user, role):
    organization = decided[0]
    client.force_login(make_user(role))

    assert len(rows(client.get(url("follow_up_list")), "follow-up")) == 2
    assert client.get(url("follow_up_report")).status_code == 200
    page = client.get(url("follow_up_detail", organization.follow_up.pk)).content.decode()
    assert "组织" in page
    assert 'data-testid="follow-up-close"' not in page and 'data-testid="follow-up-deadline"' not in page
    assert url("follow_up_note", organization.follow_up.pk) not in page
    assert 'data-testid="reconsider"' not in client.get(url("decision_detail", organization.pk)).content.decode()
    follow_up = organization.follow_up
    assert client.post(url("follow_up_close", follow_up.pk), {"note": "完成"}).status_code == 403
    assert client.post(url("follow_up_note", follow_up.pk), {"text": "进展"}).status_code == 403
    assert (
        client.post(url("follow_up_detail", follow_up.pk), {"deadline": "2025-01-01", "reason": "x"}).status_code == 403
    )
    assert client.post(url("decision_reconsider", organization.pk), {"votes_for": 5, "reason": "x"}).status_code == 403
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUp.Status.OPEN


def test_the_responsible_member_adds_progress_but_does_not_close(client, scene, decided):
    follow_up = decided[0].follow_up
    client.force_login(scene.user("zhang"))

    page = client.get(url("follow_up_detail", follow_up.pk)).content.decode()
    assert url("follow_up_note", follow_up.pk) in page
    assert 'data-testid="follow-up-close"' not in page

    response = client.post(url("follow_up_note", follow_up.pk), {"text": "已制定实施方案"})
    assert response.status_code == 302
    assert "已制定实施方案" in client.get(url("follow_up_detail", follow_up.pk)).content.decode()
    assert client.post(url("follow_up_close", follow_up.pk), {"note": "完成"}).status_code == 403
    assert client.get(url("follow_up_report")).status_code == 403


def test_a_member_who_attended_reads_another_s_follow_up_without_adding_to_it(client, scene, decided):
    follow_up = decided[0].follow_up  # 张常委's
    client.force_login(scene.user("sun"))

    page = client.get(url("follow_up_detail", follow_up.pk)).content.decode()
    assert url("follow_up_note", follow_up.pk) not in page
    assert client.post(url("follow_up_note", follow_up.pk), {"text": "进展"}).status_code == 403
    assert not follow_up.notes.exists()


def test_a_member_who_did_not_attend_sees_neither_the_decision_nor_its_follow_up(client, scene, decided):
    """周委员 does not sit on the 常委会."""
    client.force_login(scene.user("zhou"))

    assert rows(client.get(url("decision_list")), "decision") == []
    assert rows(client.get(url("follow_up_list")), "follow-up") == []
    assert client.get(url("decision_detail", decided[0].pk)).status_code == 404
    assert client.get(url("follow_up_detail", decided[0].follow_up.pk)).status_code == 404


def test_training_section_and_anonymous_users_are_kept_out(client, scene, decided, make_user):
    for name, args in (("decision_list", ()), ("follow_up_list", ()), ("follow_up_report", ())):
        response = client.get(url(name, *args))
        assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(make_user(roles.TRAINING_SECTION))
    assert client.get(url("decision_list")).status_code == 403
    assert client.get(url("follow_up_list")).status_code == 403
    assert client.get(url("follow_up_report")).status_code == 403
    assert client.get(url("decision_detail", decided[0].pk)).status_code == 404


# --- the forms ----------------------------------------------------------------------------------------------


def test_closing_from_the_page_shows_chinese_errors_then_closes(client, scene, decided):
    follow_up = decided[0].follow_up
    client.force_login(scene.staff)

    refused = client.post(url("follow_up_close", follow_up.pk), {"note": "   "})
    assert refused.status_code == 400
    assert re.search(r'class="field-error"[^>]*>这个字段是必填项', text(refused))

    with time_machine.travel(at(date(2024, 11, 30), 16), tick=False):
        client.force_login(scene.staff)  # sessions end after 30 idle minutes: sign in at the travelled time
        response = client.post(url("follow_up_close", follow_up.pk), {"note": "整改任务全部完成"})
    assert response.status_code == 302
    client.force_login(scene.staff)
    page = text(client.get(url("follow_up_detail", follow_up.pk)))
    assert "整改任务全部完成" in page and 'data-testid="closed-on-time"' in page
    assert 'data-testid="follow-up-close"' not in page


def test_changing_the_deadline_from_the_page(client, scene, decided):
    follow_up = decided[0].follow_up
    client.force_login(scene.staff)
    detail = url("follow_up_detail", follow_up.pk)

    refused = client.post(detail, {"deadline": "2024-11-01", "reason": "调整"})
    assert refused.status_code == 400
    assert "办理期限不能早于决定日期" in text(refused)
    refused = client.post(detail, {"deadline": "2025-01-20", "reason": ""})
    assert refused.status_code == 400 and "这个字段是必填项" in text(refused)

    assert client.post(detail, {"deadline": "2025-01-20", "reason": "需协调省级部门"}).status_code == 302
    page = text(client.get(detail))
    assert "2024-12-05 → 2025-01-20，需协调省级部门" in page
    follow_up.refresh_from_db()
    assert follow_up.deadline == date(2025, 1, 20)


def test_an_empty_progress_note_shows_an_error_next_to_the_field(client, scene, decided):
    follow_up = decided[0].follow_up
    client.force_login(scene.user("zhang"))

    refused = client.post(url("follow_up_note", follow_up.pk), {"text": "  "})
    assert refused.status_code == 400
    assert re.search(r'class="field-error"[^>]*>这个字段是必填项', text(refused))


def test_reconsidering_needs_more_than_half_of_all_members_and_says_so(client, scene, decided):
    decision = decided[0]
    client.force_login(scene.staff)
    reconsider = url("decision_reconsider", decision.pk)

    refused = client.post(reconsider, {"votes_for": 2, "reason": "情况发生变化"})
    assert refused.status_code == 400
    assert "复议须经全体成员5人的半数以上同意，即至少3票；同意2票，不能复议" in text(refused)
    decision.refresh_from_db()
    assert decision.reconsidered_on is None

    with time_machine.travel(at(date(2024, 12, 2)), tick=False):
        client.force_login(scene.staff)
        assert client.post(reconsider, {"votes_for": 3, "reason": "情况发生变化"}).status_code == 302
    client.force_login(scene.staff)
    page = text(client.get(url("decision_detail", decision.pk)))
    assert "情况发生变化（复议须经全体成员5人的半数以上同意，即至少3票，同意3票）" in page
    assert 'data-testid="reconsider"' not in page
    assert AuditEvent.objects.filter(action="decision.reconsidered").count() == 1


def test_the_decision_page_shows_the_result_rows_with_the_rule(client, scene, decided):
    client.force_login(scene.user("zhao"))

    page = text(client.get(url("decision_detail", decided[1].pk)))
    assert "同意 5 · 不同意 0 · 弃权 0" in page
    assert "赞成票超过应到会成员5人的半数，即至少3票为通过" in page
    assert "赵常委" in page and "牵头常委" in page  # the follow-up


# --- lists --------------------------------------------------------------------------------------------------


def test_the_decision_list_searches_and_filters(client, scene, decided, make_user):
    organization, propaganda = decided
    (plenary,) = decide(scene, "组织", on=date(2025, 3, 3), type_code="plenary")
    decision_reconsider(decision=propaganda, votes_for=5, reason="重新研究", actor=scene.staff, on=date(2024, 12, 1))
    client.force_login(scene.staff)

    def found(**query):
        return set(rows(client.get(url("decision_list", **query)), "decision"))

    assert found() == {organization.pk, propaganda.pk, plenary.pk}
    assert found(q="宣传") == {propaganda.pk}
    assert found(meeting_type=plenary.item.meeting.meeting_type_id) == {plenary.pk}
    assert found(year=2024) == {organization.pk, propaganda.pk}
    assert found(reconsidered="yes") == {propaganda.pk}
    assert found(reconsidered="no", year=2024) == {organization.pk}


def test_the_follow_up_list_filters_by_state_overdue_member_area_and_year(client, scene, decided):
    organization, propaganda = decided
    (later,) = decide(scene, "组织", on=date(2025, 2, 3))
    follow_up_close(follow_up=propaganda.follow_up, note="完成", actor=scene.staff)
    board = scene.board

    def found(**query):
        return set(rows(client.get(url("follow_up_list", **query)), "follow-up"))

    with time_machine.travel(at(date(2025, 2, 10)), tick=False):
        client.force_login(scene.staff)
        assert found() == {organization.follow_up.pk, propaganda.follow_up.pk, later.follow_up.pk}
        assert found(status="closed") == {propaganda.follow_up.pk}
        assert found(overdue="on") == {organization.follow_up.pk}
        assert found(member=board.zhang.pk) == {organization.follow_up.pk, later.follow_up.pk}
        assert found(area=board.area("宣传").pk) == {propaganda.follow_up.pk}
        assert found(year=2025) == {later.follow_up.pk}
        page = client.get(url("follow_up_list")).content.decode()
    assert re.search(rf'data-follow-up="{organization.follow_up.pk}" class="over"', page)


def test_list_pages_make_the_same_number_of_queries_whatever_the_rows(client, scene, decided):
    client.force_login(scene.staff)

    def counted(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    pages = ("decision_list", "follow_up_list", "follow_up_report")
    for name in pages:  # the content types and permissions are cached from the first request on
        client.get(url(name))
    before = {name: counted(url(name)) for name in pages}
    decide(scene, "组织", "宣传", "纪检监察", "经济", on=date(2024, 11, 19))
    after = {name: counted(url(name)) for name in pages}
    assert after == before


# --- the report ---------------------------------------------------------------------------------------------


def figures(response, testid: str) -> dict[str, dict[str, int]]:
    """{row label: {count name: n}} of one of the report's tables."""
    html = response.content.decode()
    section = html.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]
    result = {}
    for row in re.findall(r"<tr data-row=.*?</tr>", section, re.S):
        label = re.sub(r"<[^>]+>", "", re.search(r"<td>(.*?)</td>", row, re.S).group(1)).split()[0]
        result[label] = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', row)}
    return result


def test_the_report_counts_each_member_s_and_area_s_follow_ups_on_exact_dates(client, scene):
    """Five follow-ups of 2024 decisions, seen on 2024-12-05: deadlines 30 days after the decision."""
    board = scene.board
    organization, propaganda = decide(scene, "组织", "宣传", on=date(2024, 10, 8))  # deadline 11-07
    away(scene, board.zhang, date(2024, 11, 3), date(2024, 11, 7))
    (covered,) = decide(scene, "组织", on=DAY, absent={board.zhang: "请假"})  # 赵, deadline 12-05 (today)
    (discipline,) = decide(scene, "纪检监察", on=date(2024, 11, 19))  # 孙, deadline 12-19
    (old,) = decide(scene, "组织", on=date(2023, 12, 20))  # another year
    # closed on the deadline's last minute, local time: on time
    with time_machine.travel(at(date(2024, 11, 7), 23, 59), tick=False):
        follow_up_close(follow_up=organization.follow_up, note="完成", actor=scene.staff)
    # closed at 00:30 the next morning in Beijing (still the deadline's date in UTC): late
    with time_machine.travel(at(date(2024, 12, 20), 0, 30), tick=False):
        follow_up_close(follow_up=discipline.follow_up, note="完成", actor=scene.staff)
    follow_up_deadline_change(follow_up=old.follow_up, deadline=date(2024, 3, 1), reason="延期", actor=scene.staff)

    with time_machine.travel(at(date(2024, 12, 20), 10), tick=False):
        client.force_login(scene.staff)
        response = client.get(url("follow_up_report", year=2024))
        assert covered.follow_up.deadline == date(2024, 12, 5)
        members, areas = figures(response, "report-members"), figures(response, "report-areas")

    assert members == {
        "张常委": {"open": 0, "overdue": 0, "on_time": 1, "late": 0, "total": 1},
        "赵常委": {"open": 0, "overdue": 2, "on_time": 0, "late": 0, "total": 2},
        "孙常委": {"open": 0, "overdue": 0, "on_time": 0, "late": 1, "total": 1},
    }
    assert areas == {
        "组织": {"open": 0, "overdue": 1, "on_time": 1, "late": 0, "total": 2},
        "宣传": {"open": 0, "overdue": 1, "on_time": 0, "late": 0, "total": 1},
        "纪检监察": {"open": 0, "overdue": 0, "on_time": 0, "late": 1, "total": 1},
    }
    assert propaganda.follow_up.member == board.zhao


def test_a_follow_up_due_today_is_not_yet_overdue(client, scene):
    (decision,) = decide(scene, "组织", on=DAY)  # deadline 2024-12-05

    with time_machine.travel(at(date(2024, 12, 5), 18), tick=False):
        client.force_login(scene.staff)
        on_the_day = figures(client.get(url("follow_up_report", year=2024)), "report-members")
    with time_machine.travel(at(date(2024, 12, 6), 8), tick=False):
        client.force_login(scene.staff)
        next_day = figures(client.get(url("follow_up_report", year=2024)), "report-members")

    assert on_the_day["张常委"] == {"open": 1, "overdue": 0, "on_time": 0, "late": 0, "total": 1}
    assert next_day["张常委"] == {"open": 0, "overdue": 1, "on_time": 0, "late": 0, "total": 1}
    assert decision.follow_up.deadline == date(2024, 12, 5)


def test_the_report_shows_the_current_year_by_default(client, scene):
    decide(scene, "组织", on=DAY)

    with time_machine.travel(at(date(2025, 1, 10)), tick=False):
        client.force_login(scene.staff)
        page = text(client.get(url("follow_up_report")))
    assert "2025" in page and 'data-row="' not in page
