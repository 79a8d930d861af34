"""The meetings app's sections of the home page for committee members."""

from django.urls import reverse

from orgdept.core import roles
from orgdept.core.shell import QueueSection


def member_sections(user) -> list[QueueSection]:
    """A member's next meetings, the consultations awaiting their opinion and the follow-ups in their charge."""
    from django.utils import timezone

    from orgdept.core.shell import QueueItem

    from .selectors.portal import member_consultations, member_follow_ups, upcoming_meetings

    if not roles.has_role(user, roles.STANDING_MEMBER, roles.MEMBER):
        return []
    now, today, shown = timezone.now(), timezone.localdate(), 5
    meetings = []
    for meeting in upcoming_meetings(user)[:shown]:
        mine = meeting.mine[0] if meeting.mine else None
        leave = f"；已请假（{mine.leave_reason}）" if mine is not None and mine.leave_requested_at else ""
        meetings.append(
            QueueItem(
                label=meeting.title,
                url=reverse("meetings:meeting_detail", args=[meeting.pk]),
                detail=f"{meeting.place}，议题{meeting.item_count}项{leave}",
                due=meeting.starts_at,
            )
        )
    opinions = [
        QueueItem(
            label=c.topic.title,
            url=reverse("meetings:consultation_detail", args=[c.pk]),
            detail=f"请于{timezone.localtime(c.deadline):%m月%d日%H:%M}前提出书面意见",
            due=c.deadline,
            level="warning" if (c.deadline - now).days < 1 else "",
        )
        for c in member_consultations(user).filter(answered=False, deadline__gt=now)[:shown]
    ]
    follow_ups = [
        QueueItem(
            label=f.decision.item.topic.title,
            url=reverse("meetings:follow_up_detail", args=[f.pk]),
            detail=f"办理期限{f.deadline:%Y-%m-%d}" + ("，已逾期" if f.deadline < today else ""),
            level="danger" if f.deadline < today else "",
        )
        for f in member_follow_ups(user)[:shown]
    ]
    portal = reverse("meetings:index")  # the portal, for a member with a seat
    return [
        QueueSection(title="近期会议", items=meetings, empty_text="暂无已安排的会议", more_url=portal, order=1),
        QueueSection(
            title="待提意见的议题", items=opinions, empty_text="暂无需要您提出意见的议题", more_url=portal, order=2
        ),
        QueueSection(title="我的督办事项", items=follow_ups, empty_text="暂无由您督办的事项", more_url=portal, order=3),
    ]


def cadence_sections(user) -> list[QueueSection]:
    """For 组织科 and 部领导: the bodies that fall behind their cadence (no 常委会 for 15 days …)."""
    from committees.models import Committee
    from orgdept.core.shell import QueueItem

    from .cadence import cadence_warnings

    if not (user.is_superuser or roles.has_role(user, roles.ORGANIZATION_SECTION, roles.DEPARTMENT_LEADER)):
        return []
    committees = Committee.objects.filter(terms__ends_on__isnull=True).distinct().order_by("pk")
    url = reverse("meetings:cadence")
    items = [
        QueueItem(label=warning.text, url=url, level=warning.level)
        for committee in committees
        for warning in cadence_warnings(committee)
    ]
    return [
        QueueSection(
            title="会议召开频次", items=items, empty_text="各会议均按议事规则规定的频次召开", more_url=url, order=25
        )
    ]
