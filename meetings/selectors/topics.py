"""Reads of the topic pages: the list a user may see, one topic with everything its page shows, the gates as a
checklist, consultations with who answered, the cadres a picker offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from cadres.extensions import decision_readiness
from cadres.forms import CadreFilterForm
from cadres.models import Cadre
from cadres.selectors import cadre_list
from committees.models import TermMember
from committees.selectors import current_term

from ..models import AgendaItem, Consultation, Opinion, Topic, TopicCadre, TopicMaterial, TopicTransition
from ..permissions import readable_items, visible_topics

SUGGESTIONS = 10


def topic_list(*, user) -> QuerySet[Topic]:
    """The topics `user` may see, with what a row of the list shows."""
    return (
        visible_topics(user)
        .select_related("category", "meeting_type", "requested_type", "unit")
        .annotate(material_count=Count("materials", distinct=True))
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class GateCheck:
    """One line of the checklist before scheduling: `detail` of a failed gate is what `topic_gates` says."""

    code: str
    label: str
    ok: bool
    detail: str


@dataclass
class ConsultationRow:
    member: TermMember
    opinion: Opinion | None


@dataclass
class ConsultationState:
    consultation: Consultation
    rows: list[ConsultationRow] = field(default_factory=list)

    @property
    def asked(self) -> int:
        return len(self.rows)

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.opinion is not None)

    @property
    def closed(self) -> bool:
        return self.consultation.closed_at is not None

    @property
    def past_deadline(self) -> bool:
        return self.consultation.deadline <= timezone.now()

    @property
    def open(self) -> bool:
        """Opinions may still be given or revised."""
        return not self.closed and not self.past_deadline

    @property
    def may_close(self) -> bool:
        """What consultation_close accepts: after the deadline, or once everyone asked has answered."""
        return not self.closed and (self.past_deadline or self.answered >= self.asked)

    def row_of(self, user) -> ConsultationRow | None:
        """The row of the member signed in as `user`, if they are asked."""
        user_id = getattr(user, "pk", None)
        return next((r for r in self.rows if user_id is not None and r.member.cadre.user_id == user_id), None)


def _consultations_queryset() -> QuerySet[Consultation]:
    return Consultation.objects.select_related("requested_by", "topic__category").prefetch_related(
        Prefetch("asked", queryset=TermMember.objects.select_related("cadre")),
        Prefetch("opinions", queryset=Opinion.objects.select_related("member__cadre")),
    )


def _state(consultation: Consultation) -> ConsultationState:
    opinions = {o.member_id: o for o in consultation.opinions.all()}
    members = sorted(consultation.asked.all(), key=lambda m: (TermMember.ROLE_ORDER.get(m.role, 99), m.order, m.pk))
    return ConsultationState(consultation, [ConsultationRow(m, opinions.get(m.pk)) for m in members])


def consultation_state(consultation: Consultation) -> ConsultationState:
    """A consultation with every member asked and their opinion, if any (a fixed number of queries)."""
    return _state(_consultations_queryset().get(pk=consultation.pk))


URGENT_PLENARY_GATE = "全委会闭会期间由常委会决定的急需事项，须先征求全体委员意见，尚有{missing}名委员未征求"


def plenary_members_not_consulted(topic: Topic) -> int:
    """How many serving full members no closed consultation of the topic asked (for urgent plenary matters)."""
    term = current_term()
    if term is None:
        return 0
    asked = Consultation.asked.through.objects.filter(
        consultation__topic=topic, consultation__closed_at__isnull=False
    ).values("termmember_id")
    return (
        term.members.filter(role__in=TermMember.FULL_MEMBER_ROLES, left_on__isnull=True).exclude(pk__in=asked).count()
    )


def topic_checklist(
    topic: Topic,
    *,
    materials: list[TopicMaterial],
    consultations: list[Consultation],
    cadres: list[TopicCadre],
    on: date | None = None,
) -> list[GateCheck]:
    """The gates of `topic_gates` as a checklist, passed ones included, from rows the page has loaded already.
    A failed gate's detail is the very text `topic_gates` gives."""
    category = topic.category
    approved = topic.approved_at is not None and topic.status not in (Topic.Status.DRAFT, Topic.Status.SUBMITTED)
    checks = [
        GateCheck("approval", "书记审定", approved, "书记已审定" if approved else "尚未经书记审定"),
        GateCheck(
            "materials",
            "议题材料",
            bool(materials),
            f"已上传{len(materials)}份材料" if materials else "尚未上传议题材料",
        ),
    ]
    if category.consultation_required:
        done = any(c.closed_at is not None for c in consultations)
        checks.append(
            GateCheck(
                "consultation",
                "酝酿征求意见",
                done,
                "征求意见已完成" if done else f"“{category.name}”须先酝酿征求意见，尚未完成",
            )
        )
    if topic.urgent_reason:
        missing = plenary_members_not_consulted(topic)
        checks.append(
            GateCheck(
                "plenary_consulted",
                "征求全体委员意见",
                not missing,
                "已征求全体委员意见" if not missing else URGENT_PLENARY_GATE.format(missing=missing),
            )
        )
    if category.cadre_item:
        checks.append(
            GateCheck(
                "cadres",
                "涉及的干部",
                bool(cadres),
                f"已列出{len(cadres)}人" if cadres else "干部任免事项尚未列出涉及的干部",
            )
        )
        if topic.posts is not None:
            enough = len(cadres) > topic.posts
            detail = f"差额票决的候选人（{len(cadres)}人）须多于职位数（{topic.posts}个）"
            checks.append(
                GateCheck(
                    "competitive",
                    "差额票决",
                    enough,
                    f"候选人{len(cadres)}人，职位{topic.posts}个" if enough else detail,
                )
            )
        on = on or timezone.localdate()
        readiness = decision_readiness([row.cadre for row in cadres], on)
        for row in cadres:
            for result in readiness[row.cadre_id]:
                checks.append(
                    GateCheck(
                        f"readiness:{row.cadre_id}:{result.code}",
                        f"{row.cadre.name}：{result.label}",
                        result.passed,
                        f"{row.cadre.name}：{result.reason}",
                    )
                )
    return checks


@dataclass
class TopicPage:
    """Everything the topic page shows, loaded in a fixed number of queries."""

    topic: Topic
    transitions: list[TopicTransition]
    cadres: list[TopicCadre]
    materials: list[TopicMaterial]
    consultations: list[ConsultationState]
    items: list[AgendaItem]
    checklist: list[GateCheck]

    @property
    def gates_open(self) -> bool:
        return all(check.ok for check in self.checklist if check.code != "approval")


def topic_page(topic: Topic, *, user) -> TopicPage:
    cadres = list(topic.cadres.select_related("cadre__unit").order_by("order", "id"))
    materials = list(topic.materials.select_related("uploaded_by").order_by("order", "id"))
    consultations = list(_consultations_queryset().filter(topic=topic).order_by("-created_at", "-id"))
    items = list(
        readable_items(user)
        .filter(topic=topic)
        .select_related("meeting__meeting_type", "decision")
        .order_by("-meeting__starts_at", "-id")
    )
    return TopicPage(
        topic=topic,
        transitions=list(topic.transitions.select_related("actor").order_by("created_at", "id")),
        cadres=cadres,
        materials=materials,
        consultations=[_state(c) for c in consultations],
        items=items,
        checklist=topic_checklist(topic, materials=materials, consultations=consultations, cadres=cadres),
    )


def cadre_suggestions(*, user, text: str, topic: Topic | None = None) -> tuple[list[Cadre], set[int]]:
    """The cadres matching what was typed (name, pinyin initials or ID number), and those already in `topic`."""
    text = (text or "").strip()
    if not text:
        return [], set()
    found = list(CadreFilterForm().search(cadre_list(user=user), text).select_related("unit")[:SUGGESTIONS])
    listed: set[int] = set()
    if topic is not None and found:
        listed = set(topic.cadres.filter(cadre__in=[c.pk for c in found]).values_list("cadre_id", flat=True))
    return found, listed


def askable_members(topic: Topic) -> QuerySet[TermMember]:
    """The serving members of the current term of the topic's committee: whom a consultation may ask."""
    term = current_term()
    if term is None or term.committee_id != topic.committee_id:
        return TermMember.objects.none()
    return term.members.filter(left_on__isnull=True).select_related("cadre")
