"""The demo's meetings: topics in each state, past meetings of each kind with their attendance, votes, decisions
and follow-up, the next 常委会 with its materials and an open consultation; loading the demo twice adds nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from committees.models import TermMember
from meetings.models import (
    AgendaItem,
    Attendance,
    Consultation,
    Decision,
    FollowUp,
    FollowUpNote,
    ItemResult,
    Meeting,
    Opinion,
    Recusal,
    TallyEntry,
    Topic,
    TopicMaterial,
    Vote,
)
from meetings.permissions import attended_meetings
from orgdept.core import roles
from orgdept.core.models import AuditEvent

R = TermMember.Role


def meeting_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Topic,
            TopicMaterial,
            Consultation,
            Opinion,
            Meeting,
            AgendaItem,
            Attendance,
            Recusal,
            Vote,
            TallyEntry,
            ItemResult,
            Decision,
            FollowUp,
            FollowUpNote,
            AuditEvent,
            get_user_model(),
        )
    }


def test_the_demo_holds_meetings_of_each_kind_and_loads_once(db):
    call_command("load_demo", stdout=StringIO())
    first = meeting_counts()
    User = get_user_model()
    now = timezone.now()
    today = timezone.localdate()

    # the secretary signs in as shuji; a second 组织科 user enters the tallies the second time
    shuji = User.objects.get(username="shuji")
    assert shuji.groups.filter(name=roles.STANDING_MEMBER).exists()
    assert shuji.cadre.memberships.get(left_on__isnull=True).role == R.SECRETARY
    zuzhi, zuzhi2 = User.objects.get(username="zuzhi"), User.objects.get(username="zuzhi2")
    assert zuzhi2.groups.filter(name=roles.ORGANIZATION_SECTION).exists()

    statuses = dict.fromkeys(Topic.Status.values, 0)
    for status in Topic.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses == {
        "draft": 1,
        "submitted": 1,
        "approved": 1,
        "scheduled": 3,
        "decided": 6,
        "deferred": 1,
        "withdrawn": 0,
    }
    assert not Topic.objects.filter(materials__isnull=True).exists()
    assert all(t.approved_by == shuji for t in Topic.objects.filter(approved_at__isnull=False))

    past = Meeting.objects.filter(starts_at__lt=now)
    assert all(m.status == Meeting.Status.ADJOURNED for m in past)
    kinds = sorted(past.values_list("meeting_type__code", flat=True))
    assert kinds == ["plenary", "secretaries", "standing", "standing"]

    # the first 常委会: one member on leave with the reason, a cadre item voted per cadre, a decision followed up
    first_standing = past.filter(meeting_type__code="standing").order_by("starts_at").first()
    [away] = first_standing.attendances.filter(presence=Attendance.Presence.ABSENT)
    assert away.leave_reason == "赴省委统战部参加全省统战工作会议"
    cadre_item, party_item = first_standing.items.order_by("order")
    assert cadre_item.topic.category.cadre_item
    assert cadre_item.results.filter(candidate__isnull=False).count() == 2
    assert Vote.objects.filter(item=cadre_item).count() == 2 * 10
    follow_up = FollowUp.objects.get(decision__item=party_item)
    assert (follow_up.area.name, follow_up.responsibility) == ("组织", "lead")
    assert follow_up.notes.count() == 1
    # the second 常委会: one item passed, one put off (缓议)
    second_standing = past.filter(meeting_type__code="standing").order_by("starts_at").last()
    outcomes = list(second_standing.items.order_by("order").values_list("outcome", flat=True))
    assert outcomes == [AgendaItem.Outcome.PASSED, AgendaItem.Outcome.DEFERRED]

    # the 书记办公会 discussed its items and decided nothing
    secretaries = past.get(meeting_type__code="secretaries")
    assert set(secretaries.items.values_list("outcome", flat=True)) == {AgendaItem.Outcome.DISCUSSED}
    assert not Decision.objects.filter(item__meeting=secretaries).exists()

    # the 全委会: a 差额票决 by secret ballot, entered by zuzhi and zuzhi2, one winner
    plenary = past.get(meeting_type__code="plenary")
    item = plenary.items.get()
    assert item.topic.posts == 1 and item.topic.cadres.count() == 3
    assert list(item.tallies.order_by("seq").values_list("entered_by", flat=True)) == [zuzhi.pk, zuzhi2.pk]
    assert item.results.filter(passed=True).count() == 1
    assert not item.votes.exists()

    # the next 常委会, in three days: three approved items with materials, read by changwei in the portal
    upcoming = Meeting.objects.get(starts_at__gt=now)
    assert upcoming.meeting_type.code == "standing" and upcoming.status == Meeting.Status.SCHEDULED
    assert timezone.localtime(upcoming.starts_at).date() == today + timedelta(days=3)
    items = list(upcoming.items.select_related("topic"))
    assert len(items) == 3 and all(i.topic.materials.exists() for i in items)
    assert upcoming in attended_meetings(User.objects.get(username="changwei"))
    assert upcoming in attended_meetings(shuji)
    assert Recusal.objects.filter(item__meeting=upcoming).count() == 1

    # the standing members are asked for their opinions by the day after tomorrow
    consultation = Consultation.objects.get(closed_at__isnull=True)
    assert now + timedelta(days=1) < consultation.deadline <= now + timedelta(days=2)
    assert consultation.asked.count() == 11
    assert consultation.topic.status == Topic.Status.SUBMITTED

    call_command("load_demo", stdout=StringIO())
    assert meeting_counts() == first
