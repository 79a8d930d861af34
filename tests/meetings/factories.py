"""Meetings state for tests, built through the services: a committee term of any size, topics that pass their
gates (secretary's approval, a material, a consultation where required), meetings of each type."""

from __future__ import annotations

import io
import itertools
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from committees.models import Term, TermMember
from committees.services import committee_create, term_create, term_member_add
from meetings.models import Meeting, MeetingType, Topic, TopicCategory
from meetings.services.meetings import agenda_item_add, meeting_schedule
from meetings.services.topics import (
    consultation_close,
    consultation_request,
    material_add,
    opinion_submit,
    topic_approve,
    topic_cadre_add,
    topic_create,
    topic_submit,
)
from orgdept.core import roles
from tests.cadres.factories import make_cadre, make_unit

R = TermMember.Role
STARTS = date(2021, 9, 28)
_users = itertools.count(1)

# categories by what tests need of them
CADRE_STANDING = "区管干部任免、提名和推荐"  # 常委会, cadre item, consultation required
CADRE_PLENARY = "公推公选重要区管职位人选表决"  # 全委会 only, cadre item
PARTY_BUILDING = "党的建设重大问题"  # 常委会 or 全委会, no consultation
SECRETARIES = "常委会议题酝酿和会议安排"  # 书记办公会
JOINT = "跨部门重点工作协调"  # 党政联席会


def pdf_upload(name: str = "材料.pdf", pages: int = 1) -> SimpleUploadedFile:
    """A small valid PDF."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def user_for(member: TermMember, role: str | None = None):
    """Links a user account to a member's cadre (role 常委 for standing members, else 委员)."""
    if member.cadre.user_id:
        return member.cadre.user
    role = role or (roles.STANDING_MEMBER if member.is_standing else roles.MEMBER)
    user = get_user_model().objects.create_user(
        username=f"member{next(_users)}", password="correct-horse-battery", last_name=member.cadre.name
    )
    user.groups.add(Group.objects.get(name=role))
    member.cadre.user = user
    member.cadre.save(update_fields=["user"])
    return user


def make_committee_term(
    *, standing: int = 11, members: int = 40, alternates: int = 5, starts: date = STARTS, users: bool = False
) -> tuple[Term, dict[str, list[TermMember]]]:
    """A term with `members` full members (the first `standing` of them on the standing committee: a secretary,
    two deputies, the rest 常委) and `alternates`. The secretary always has a user account; `users` gives one to
    every standing member."""
    committee = committee_create(name="中共测试区委员会", short_name="测试区委", actor=None)
    term = term_create(
        committee=committee,
        number=1,
        starts_on=starts,
        members_quota=members,
        alternates_quota=alternates,
        standing_quota=standing,
        deputy_secretaries_quota=2,
        actor=None,
    )
    unit = make_unit("区委办公室")
    seats: dict[str, list[TermMember]] = {role: [] for role in R.values}
    plan = [R.SECRETARY, R.DEPUTY_SECRETARY, R.DEPUTY_SECRETARY] + [R.STANDING_MEMBER] * (standing - 3)
    plan += [R.MEMBER] * (members - standing) + [R.ALTERNATE] * alternates
    for i, role in enumerate(plan, start=1):
        cadre = make_cadre(unit, f"成员{i:02d}", current_post=f"职务{i}")
        extra = {"election_votes": 300 - i} if role == R.ALTERNATE else {}
        seat = term_member_add(term=term, cadre=cadre, role=role, joined_on=starts, order=i, actor=None, **extra)
        seats[role].append(seat)
    user_for(seats[R.SECRETARY][0])
    if users:
        for seat in standing_of(seats):
            user_for(seat)
    return term, seats


def standing_of(seats: dict[str, list[TermMember]]) -> list[TermMember]:
    return [*seats[R.SECRETARY], *seats[R.DEPUTY_SECRETARY], *seats[R.STANDING_MEMBER]]


def full_members_of(seats: dict[str, list[TermMember]]) -> list[TermMember]:
    return [*standing_of(seats), *seats[R.MEMBER]]


def secretary_user(term: Term):
    return term.members.get(role=R.SECRETARY, left_on__isnull=True).cadre.user


def meeting_type(code: str) -> MeetingType:
    return MeetingType.objects.get(code=code)


def make_topic(
    term: Term,
    *,
    actor,
    category: str = PARTY_BUILDING,
    type_code: str = "standing",
    title: str = "关于加强基层党组织建设的意见",
    cadres: list | None = None,
    posts: int | None = None,
    work_area=None,
    unit=None,
    material: bool = True,
    ready: bool = True,
) -> Topic:
    """A topic entered by `actor`; `ready` takes it through submission, consultation where required and the
    secretary's approval, so that it may go on an agenda. `cadres`: [(cadre, proposal)]."""
    category_obj = TopicCategory.objects.get(name=category)
    topic = topic_create(
        committee=term.committee,
        title=title,
        summary="议题说明",
        category=category_obj,
        requested_type=meeting_type(type_code),
        unit=unit or make_unit(),
        work_area=work_area,
        posts=posts,
        actor=actor,
    )
    for cadre, proposal in cadres or []:
        topic_cadre_add(topic=topic, cadre=cadre, proposal=proposal, actor=actor)
    if material:
        material_add(topic=topic, upload=pdf_upload(), actor=actor)
    if not ready:
        return topic
    return make_ready(topic, term, actor=actor)


def make_ready(topic: Topic, term: Term, *, actor) -> Topic:
    """Takes an entered topic through submission, the consultation its category requires and 书记审定."""
    topic_submit(topic=topic, actor=actor)
    if topic.category.consultation_required or topic.urgent_reason:
        secretary = term.members.get(role=R.SECRETARY, left_on__isnull=True)
        # an urgent plenary matter is put to every full member (the service's default); otherwise the secretary
        members = None if topic.urgent_reason else [secretary]
        consultation = consultation_request(
            topic=topic, deadline=timezone.now() + timedelta(days=1), members=members, actor=actor
        )
        for member in consultation.asked.select_related("cadre__user"):
            opinion_submit(consultation=consultation, member=member, text="同意提交会议研究", actor=member.cadre.user)
        consultation_close(consultation=consultation, actor=actor)
    topic_approve(topic=topic, actor=secretary_user(term))
    topic.refresh_from_db()
    return topic


def make_meeting(
    term: Term, *, actor, type_code: str = "standing", starts_at: datetime | None = None, topics=()
) -> Meeting:
    starts_at = starts_at or timezone.now() + timedelta(days=3)
    meeting = meeting_schedule(
        term=term, meeting_type=meeting_type(type_code), starts_at=starts_at, place="区委常委会议室", actor=actor
    )
    for topic in topics:
        agenda_item_add(meeting=meeting, topic=topic, actor=actor)
    return meeting
