"""Reminders of the meetings app: meeting notices, consultation deadlines, follow-up deadlines, cadence warnings.

The services call these after commit. Each function works out the reminders a record should have now and
brings the stored ones in line: scheduling again after a change moves them, a reminder no longer wanted is
cancelled, and calling twice changes nothing (a reminder already delivered with the same text is not sent again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from committees.models import Committee
from orgdept.core import roles
from orgdept.core.models import Reminder
from orgdept.core.notifications import reminder_cancel, reminder_schedule, reminders_schedule_new, reminders_stored

from .cadence import cadence_text, cadence_warnings
from .models import Consultation, FollowUp, Meeting

# the hour of the day reminders about a date (a follow-up deadline) are due
MORNING = time(9, 0)


def notice_days() -> int:
    return int(getattr(settings, "ORGDEPT_MEETING_NOTICE_DAYS", 3))


def follow_up_days() -> int:
    return int(getattr(settings, "ORGDEPT_FOLLOW_UP_REMINDER_DAYS", 7))


def _morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, MORNING))


@dataclass(frozen=True)
class Wanted:
    recipient: object
    key: str
    due_at: datetime
    title: str
    body: str = ""
    url: str = ""


def _ensure(wanted: Wanted, existing: Reminder | None, now: datetime) -> bool:
    """Schedules one reminder unless it is already as wanted; returns whether it (re)scheduled."""
    title = wanted.title[:200]
    if existing is not None:
        same_text = (existing.title, existing.body, existing.url) == (title, wanted.body, wanted.url)
        if existing.delivered_at is not None:
            # delivered: sent again only when it now says something else, or falls due again later
            if same_text and wanted.due_at <= now:
                return False
            if same_text and existing.due_at == wanted.due_at:
                return False
        elif same_text and (existing.due_at == wanted.due_at or (wanted.due_at <= now and existing.due_at <= now)):
            return False
    reminder_schedule(
        recipient=wanted.recipient,
        key=wanted.key,
        due_at=max(wanted.due_at, now),
        title=title,
        body=wanted.body,
        url=wanted.url,
    )
    return True


@transaction.atomic
def _sync(prefix: str, wanted: list[Wanted], *, now: datetime | None = None) -> int:
    """Brings the reminders whose key starts with `prefix` in line with `wanted`: schedules or moves those
    wanted, cancels the undelivered others. Returns how many were scheduled or moved."""
    now = now or timezone.now()
    stored = {
        (r.recipient_id, r.key): r
        for r in Reminder.objects.select_related("recipient").filter(key__startswith=prefix).order_by("pk")
    }
    scheduled = 0
    keep = set()
    for w in wanted:
        keep.add((w.recipient.pk, w.key))
        scheduled += _ensure(w, stored.get((w.recipient.pk, w.key)), now)
    for (recipient_id, key), reminder in stored.items():
        if (recipient_id, key) not in keep and reminder.delivered_at is None:
            reminder_cancel(recipient=reminder.recipient, key=key)
    return scheduled


def _cancel_all(prefix: str) -> int:
    return _sync(prefix, [])


# -- meeting notices --------------------------------------------------------------------------------------------


def meeting_prefix(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}:"


def meeting_notice_key(meeting: Meeting, user) -> str:
    return f"meeting:{meeting.pk}:notice:{user.pk}"


def meeting_eve_key(meeting: Meeting, user) -> str:
    return f"meeting:{meeting.pk}:eve:{user.pk}"


def meeting_notice_reminders_schedule(meeting: Meeting) -> int:
    """Each attending member with an account is reminded ORGDEPT_MEETING_NOTICE_DAYS days before the meeting
    and again the day before. Members who asked for leave are not; a meeting that is no longer to come has
    none. Call again after the meeting moves."""
    meeting = Meeting.objects.select_related("meeting_type").get(pk=meeting.pk)
    prefix = meeting_prefix(meeting)
    now = timezone.now()
    if meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at <= now:
        return _cancel_all(prefix)
    starts = timezone.localtime(meeting.starts_at)
    title = f"会议通知：{meeting.title}定于{starts:%m月%d日 %H:%M}在{meeting.place}召开"
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    attendances = (
        meeting.attendances.filter(member__cadre__user__isnull=False, leave_requested_at__isnull=True)
        .select_related("member__cadre__user")
        .order_by("pk")
    )
    ahead = meeting.starts_at - timedelta(days=notice_days())
    eve = meeting.starts_at - timedelta(days=1)
    wanted = []
    for attendance in attendances:
        user = attendance.member.cadre.user
        if not user.is_active:
            continue
        body = "请按时出席。" if attendance.voting else "请按时出席（无表决权）。"
        if eve <= now:
            # less than a day ahead: one notice at once instead of two
            wanted.append(Wanted(user, meeting_notice_key(meeting, user), now, title, body, url))
            continue
        if ahead < eve:
            # due at once when the meeting was scheduled at shorter notice than that
            wanted.append(Wanted(user, meeting_notice_key(meeting, user), ahead, title, body, url))
        wanted.append(Wanted(user, meeting_eve_key(meeting, user), eve, f"明天开会：{title}", body, url))
    return _sync(prefix, wanted, now=now)


def meeting_reminders_cancel(meeting: Meeting) -> int:
    """A cancelled meeting's reminders are withdrawn (those already delivered stay in the inbox)."""
    return _cancel_all(meeting_prefix(meeting))


# -- consultations ----------------------------------------------------------------------------------------------


def consultation_key(consultation: Consultation) -> str:
    return f"consultation:{consultation.pk}:opinion"


def consultation_reminders_schedule(consultation: Consultation) -> int:
    """The members asked who have not given their opinion are reminded one day before the deadline (at once when
    less than a day is left). A closed or expired consultation has none."""
    consultation = Consultation.objects.select_related("topic").get(pk=consultation.pk)
    key = consultation_key(consultation)
    now = timezone.now()
    if consultation.closed_at is not None or consultation.deadline <= now:
        return _cancel_all(key)
    answered = set(consultation.opinions.values_list("member_id", flat=True))
    members = (
        consultation.asked.filter(cadre__user__isnull=False, cadre__user__is_active=True)
        .exclude(pk__in=answered)
        .select_related("cadre__user")
        .order_by("pk")
    )
    deadline = timezone.localtime(consultation.deadline)
    title = f"请于{deadline:%m月%d日 %H:%M}前对议题“{consultation.topic.title}”提出意见"
    url = reverse("meetings:consultation_detail", args=[consultation.pk])
    due = consultation.deadline - timedelta(days=1)
    wanted = [Wanted(m.cadre.user, key, due, title, "征求意见即将截止，逾期将无法提交书面意见。", url) for m in members]
    return _sync(key, wanted, now=now)


def consultation_reminder_cancel(consultation: Consultation, member) -> int:
    """A member who has given their opinion is not reminded."""
    user = getattr(member.cadre, "user", None)
    if user is None:
        return 0
    return reminder_cancel(recipient=user, key=consultation_key(consultation))


# -- follow-up (督办) -------------------------------------------------------------------------------------------


def follow_up_prefix(follow_up: FollowUp) -> str:
    return f"follow_up:{follow_up.pk}:"


def organization_section_users():
    return (
        get_user_model()
        .objects.filter(groups__name=roles.ORGANIZATION_SECTION, is_active=True)
        .distinct()
        .order_by("pk")
    )


def follow_up_reminders_schedule(follow_up: FollowUp) -> int:
    """The responsible member and 组织科 are reminded ORGDEPT_FOLLOW_UP_REMINDER_DAYS days before the deadline,
    and the day after it while the follow-up is still open. A closed follow-up has none."""
    follow_up = FollowUp.objects.select_related("decision__item__topic", "member__cadre__user").get(pk=follow_up.pk)
    prefix = follow_up_prefix(follow_up)
    if follow_up.status != FollowUp.Status.OPEN:
        return _cancel_all(prefix)
    now = timezone.now()
    recipients = list(organization_section_users())
    member_user = follow_up.member.cadre.user if follow_up.member is not None else None
    if member_user is not None and member_user.is_active and member_user not in recipients:
        recipients.insert(0, member_user)
    topic = follow_up.decision.item.topic.title
    url = reverse("meetings:follow_up_detail", args=[follow_up.pk])
    deadline = follow_up.deadline
    before = _morning(deadline - timedelta(days=follow_up_days()))
    after = _morning(deadline + timedelta(days=1))
    wanted = []
    for user in recipients:
        if after > now:
            wanted.append(
                Wanted(
                    user,
                    f"{prefix}before",
                    before,
                    f"督办事项“{topic}”将于{deadline:%m月%d日}到期",
                    "请及时办理并登记进展，办结后填写办结情况。",
                    url,
                )
            )
        wanted.append(
            Wanted(
                user,
                f"{prefix}overdue",
                after,
                f"督办事项“{topic}”已超过办理期限（{deadline:%m月%d日}）",
                "该事项尚未办结，请督促落实并登记进展。",
                url,
            )
        )
    return _sync(prefix, wanted, now=now)


def follow_up_reminders_cancel(follow_up: FollowUp) -> int:
    """A closed follow-up's reminders are withdrawn."""
    return _cancel_all(follow_up_prefix(follow_up))


# -- cadence ----------------------------------------------------------------------------------------------------


def cadence_key(committee, meeting_type, on: date) -> str:
    return f"cadence:{committee.pk}:{meeting_type.code}:{on.isoformat()}"


def cadence_reminders_schedule(*, on: date | None = None) -> int:
    """Each day a body of a committee falls behind, 组织科 are told once (per body and day): the warning of
    `cadence_warnings`, due at once. Safe to run again the same day."""
    on = on or timezone.localdate()
    now = timezone.now()
    users = list(organization_section_users())
    if not users:
        return 0
    url = reverse("meetings:cadence")
    rows = []
    for committee in Committee.objects.order_by("pk"):
        for warning in cadence_warnings(committee, on):
            key = cadence_key(committee, warning.meeting_type, on)
            body = f"{warning.meeting_type.name}的召开频次：{cadence_text(warning.meeting_type)}。"
            rows += [(user.pk, key, warning.text, body, url) for user in users]
    # one lookup of those already stored and one insert of the rest, however many committees there are
    stored = reminders_stored({row[1] for row in rows})
    return reminders_schedule_new(due_at=now, rows=[row for row in rows if (row[0], row[1]) not in stored])
