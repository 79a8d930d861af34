"""Meeting types with their rules of procedure (议事规则) and the topic categories each may decide.

The numbers of the rules are data, seeded with the central and local defaults (DOMAIN.md) and kept by
administrators: a fraction is stored as numerator/denominator, compared in whole numbers, never as a float.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orgdept.core.models import BaseModel


class MeetingType(BaseModel):
    class Code(models.TextChoices):
        SECRETARIES = "secretaries", _("secretaries' meeting")
        STANDING = "standing", _("standing committee meeting")
        PLENARY = "plenary", _("plenary meeting")
        JOINT = "joint", _("joint party-government meeting")

    class CadencePeriod(models.TextChoices):
        NONE = "", _("as needed")
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    # 书记办公会 prepares the standing committee's meetings; it is not a decision body
    decides = models.BooleanField(_("decision body"), default=True)
    # TermMember roles that attend with a vote, and those that attend without one (全委会: 候补委员)
    voting_roles = models.JSONField(_("roles attending with a vote"), default=list)
    nonvoting_roles = models.JSONField(_("roles attending without a vote"), default=list, blank=True)
    observers = models.CharField(_("attending as observers (列席)"), max_length=300, blank=True)
    # cadence: at least `cadence_count` meetings per period; warn after `cadence_gap_days` without one
    cadence_count = models.PositiveSmallIntegerField(_("meetings at least"), default=0)
    cadence_period = models.CharField(
        _("per"), max_length=5, choices=CadencePeriod.choices, default=CadencePeriod.NONE, blank=True
    )
    cadence_gap_days = models.PositiveSmallIntegerField(_("warn after days without a meeting"), null=True, blank=True)
    # quorum: more than quorum_num/quorum_den of the members who should attend are present
    quorum_num = models.PositiveSmallIntegerField(_("quorum numerator"), default=1)
    quorum_den = models.PositiveSmallIntegerField(_("quorum denominator"), default=2)
    # cadre items: at least cadre_quorum_num/cadre_quorum_den present
    cadre_quorum_num = models.PositiveSmallIntegerField(_("cadre-item quorum numerator"), default=2)
    cadre_quorum_den = models.PositiveSmallIntegerField(_("cadre-item quorum denominator"), default=3)
    # passing: votes in favour from more than pass_num/pass_den of the members who should attend
    pass_num = models.PositiveSmallIntegerField(_("passing numerator"), default=1)
    pass_den = models.PositiveSmallIntegerField(_("passing denominator"), default=2)
    cadre_vote_options = models.JSONField(_("vote options on cadre items"), default=list, blank=True)
    vote_options = models.JSONField(_("vote options on other items"), default=list, blank=True)
    secret_ballot = models.BooleanField(_("secret ballot on cadre items"), default=False)
    recused_count_as_expected = models.BooleanField(
        _("recused members still count among those who should attend"), default=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_den__gt=0) & Q(quorum_num__lt=F("quorum_den")), name="meeting_type_quorum_fraction"
            ),
            models.CheckConstraint(
                condition=Q(cadre_quorum_den__gt=0) & Q(cadre_quorum_num__lte=F("cadre_quorum_den")),
                name="meeting_type_cadre_quorum_fraction",
            ),
            models.CheckConstraint(
                condition=Q(pass_den__gt=0) & Q(pass_num__lt=F("pass_den")), name="meeting_type_pass_fraction"
            ),
            models.CheckConstraint(
                condition=Q(cadence_count=0) | ~Q(cadence_period=""), name="meeting_type_cadence_has_period"
            ),
        ]

    def __str__(self):
        return self.name


class TopicCategory(BaseModel):
    """A kind of matter (议事范围) and the meeting types that may decide it."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    meeting_types = models.ManyToManyField(MeetingType, verbose_name=_("decided by"), related_name="scope")
    # an item about cadres: voted on per cadre, with the 2/3 quorum
    cadre_item = models.BooleanField(_("cadre item"), default=False)
    # must be decided by the 全委会 (seed 000): routed there whatever meeting was asked for
    plenary_only = models.BooleanField(_("decided by the plenary only"), default=False)
    consultation_required = models.BooleanField(_("consultation required before scheduling"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("topic category")
        verbose_name_plural = _("topic categories")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Topic(BaseModel):
    """An item submitted for decision (议题): by department staff on behalf of a unit, approved by the secretary
    (书记审定) before it may go on an agenda."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved by the secretary")
        SCHEDULED = "scheduled", _("on an agenda")
        DECIDED = "decided", _("decided")
        DEFERRED = "deferred", _("deferred")
        WITHDRAWN = "withdrawn", _("withdrawn")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        # back to draft: returned by the secretary for changes
        Status.SUBMITTED: {Status.APPROVED, Status.DRAFT, Status.WITHDRAWN},
        Status.APPROVED: {Status.SCHEDULED, Status.WITHDRAWN},
        # back to approved: taken off an agenda before the meeting
        Status.SCHEDULED: {Status.DECIDED, Status.DEFERRED, Status.APPROVED, Status.WITHDRAWN},
        Status.DEFERRED: {Status.SCHEDULED, Status.WITHDRAWN},
        Status.DECIDED: set(),
        Status.WITHDRAWN: set(),
    }
    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED, Status.DEFERRED)

    committee = models.ForeignKey(
        "committees.Committee", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="topics"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    category = models.ForeignKey(TopicCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    requested_type = models.ForeignKey(
        MeetingType, verbose_name=_("meeting requested"), on_delete=models.PROTECT, related_name="+"
    )
    # where the topic goes: the type requested, or the 全委会 for the matters only it decides
    meeting_type = models.ForeignKey(
        MeetingType, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="topics"
    )
    unit = models.ForeignKey(
        "cadres.Unit", verbose_name=_("submitting unit"), on_delete=models.PROTECT, related_name="topics"
    )
    work_area = models.ForeignKey(
        "committees.WorkArea",
        verbose_name=_("work area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topics",
    )
    # 差额票决: the number of posts the candidates compete for; blank: each cadre is voted on separately
    posts = models.PositiveSmallIntegerField(_("posts (competitive vote)"), null=True, blank=True)
    # a matter for the 全委会 decided by the 常委会 between plenaries because it cannot wait: why, and the full
    # members must be consulted before it goes on an agenda
    urgent_reason = models.CharField(_("reason it cannot wait for the plenary"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(posts__isnull=True) | Q(posts__gt=0), name="topic_posts_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "scheduled", "decided", "deferred"])
                | Q(approved_at__isnull=False),
                name="topic_approved_before_agenda",
            ),
        ]
        indexes = [models.Index(fields=["committee", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_cadre_item(self) -> bool:
        return self.category.cadre_item

    @property
    def is_competitive(self) -> bool:
        return self.posts is not None


class TopicTransition(BaseModel):
    """One change of a topic's status: who, when, from, to, why."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=10, choices=Topic.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Topic.Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("topic status change")
        verbose_name_plural = _("topic status changes")
        ordering = ["topic", "created_at", "id"]


class TopicCadre(BaseModel):
    """A cadre a cadre item is about: voted on separately, or one of the candidates of a 差额票决."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="cadres")
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="+")
    proposal = models.CharField(
        _("proposed"), max_length=200, help_text=_("The post proposed, to be left or recommended for.")
    )
    # the appointment proposal the committee decides here, when the item comes from a round of proposals: the
    # vote on the cadre moves it (decided, not passed, deferred)
    appointment_proposal = models.ForeignKey(
        "cadres.AppointmentProposal",
        verbose_name=_("appointment proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic_rows",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("cadre concerned")
        verbose_name_plural = _("cadres concerned")
        ordering = ["topic", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "cadre"], name="topic_cadre_once")]

    def __str__(self):
        return f"{self.cadre} {self.proposal}"


def _material_path(instance, filename):
    # never the uploaded name: no path tricks, nothing personal in the file system
    return f"topic-materials/{instance.topic_id}/{uuid.uuid4().hex}.{instance.kind}"


class TopicMaterial(BaseModel):
    """A material (PDF or DOCX) of a topic; members read it as a PDF watermarked with their name."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("format"), max_length=4, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_material_path, max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("checksum"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["topic", "order", "id"]

    def __str__(self):
        return self.name


class Consultation(BaseModel):
    """酝酿: the members' written opinions asked on a topic before it is scheduled, by a deadline."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="consultations")
    question = models.TextField(_("what is asked"), blank=True)
    deadline = models.DateTimeField(_("deadline"))
    asked = models.ManyToManyField("committees.TermMember", verbose_name=_("members asked"), related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-deadline", "-id"]

    def __str__(self):
        return f"{self.topic} {self.deadline:%Y-%m-%d}"


class Opinion(BaseModel):
    """A member's written opinion in a consultation. Written opinions are not votes."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="opinions"
    )
    member = models.ForeignKey(
        "committees.TermMember", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("opinion"))

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["consultation", "created_at"]
        constraints = [models.UniqueConstraint(fields=["consultation", "member"], name="opinion_one_per_member")]


class Meeting(BaseModel):
    """One meeting of a body of a term: 第N次常委会 …"""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        IN_SESSION = "in_session", _("in session")
        ADJOURNED = "adjourned", _("adjourned")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.SCHEDULED: {Status.IN_SESSION, Status.CANCELLED},
        Status.IN_SESSION: {Status.ADJOURNED},
        Status.ADJOURNED: set(),
        Status.CANCELLED: set(),
    }

    term = models.ForeignKey(
        "committees.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="meetings"
    )
    meeting_type = models.ForeignKey(
        MeetingType, verbose_name=_("meeting type"), on_delete=models.PROTECT, related_name="meetings"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place"), max_length=100)
    observers = models.CharField(_("attending as observers (列席)"), max_length=300, blank=True)
    presided_by = models.ForeignKey(
        "committees.TermMember",
        verbose_name=_("presided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    adjourned_at = models.DateTimeField(_("adjourned"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "meeting_type", "number"], name="meeting_number_once"),
        ]
        indexes = [models.Index(fields=["meeting_type", "starts_at"])]
        permissions = [("attend_meeting", _("Can attend the meeting and read its materials"))]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return f"第{self.number}次{self.meeting_type.name}"


class AgendaItem(BaseModel):
    """A topic on a meeting's agenda, in order, and what the meeting made of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("not yet taken")
        VOTING = "voting", _("voting open")
        PASSED = "passed", _("passed")
        NOT_PASSED = "not_passed", _("not passed")
        DEFERRED = "deferred", _("deferred")
        DISCUSSED = "discussed", _("discussed")  # at a body that does not decide

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items")
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_item_topic_once")]

    def __str__(self):
        return f"{self.meeting} {self.order}. {self.topic}"


class Attendance(BaseModel):
    """A member expected at a meeting under its type's rules: with or without a vote, leave asked, presence taken."""

    class Presence(models.TextChoices):
        UNKNOWN = "unknown", _("not taken")
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        "committees.TermMember", verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances"
    )
    voting = models.BooleanField(_("attends with a vote"))
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices, default=Presence.UNKNOWN)
    leave_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    leave_requested_at = models.DateTimeField(_("leave asked"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "-voting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]


class MemberRelation(BaseModel):
    """The recusal registry: a member's relation to a cadre (from the family members in cadre files, or entered).
    Kept on the member's cadre so it holds across terms."""

    class Source(models.TextChoices):
        FAMILY = "family", _("from the cadre file")
        MANUAL = "manual", _("entered")

    member_cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("member"), on_delete=models.PROTECT, related_name="relations_as_member"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("related cadre"), on_delete=models.PROTECT, related_name="+"
    )
    relation = models.CharField(_("relation"), max_length=50)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    ended_at = models.DateTimeField(_("removed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("member relation")
        verbose_name_plural = _("member relations")
        ordering = ["member_cadre", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(member_cadre=F("cadre")), name="member_relation_not_self"),
            models.UniqueConstraint(
                fields=["member_cadre", "cadre"], condition=Q(ended_at__isnull=True), name="member_relation_once"
            ),
        ]


class Recusal(BaseModel):
    """A member recused from an agenda item: they leave its discussion, cannot vote and never see its materials."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="recusals"
    )
    member = models.ForeignKey(
        "committees.TermMember", verbose_name=_("member"), on_delete=models.PROTECT, related_name="recusals"
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        ordering = ["item", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="recusal_once")]


class Vote(BaseModel):
    """One member's vote on an item, or on one candidate of a cadre item; recorded by staff in an open vote."""

    item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="votes")
    candidate = models.ForeignKey(
        TopicCadre, verbose_name=_("cadre"), null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    member = models.ForeignKey(
        "committees.TermMember", verbose_name=_("member"), on_delete=models.PROTECT, related_name="votes"
    )
    choice = models.CharField(_("vote"), max_length=10)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["item", "candidate", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "member"], condition=Q(candidate__isnull=True), name="vote_once_per_member_item"
            ),
            models.UniqueConstraint(
                fields=["item", "candidate", "member"],
                condition=Q(candidate__isnull=False),
                name="vote_once_per_member_candidate",
            ),
        ]


class TallyEntry(BaseModel):
    """One entry of the count of a secret ballot from the paper ballots. Two entries by two different users must
    agree before the result is final."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="tallies"
    )
    seq = models.PositiveSmallIntegerField(_("entry"))
    ballots_issued = models.PositiveSmallIntegerField(_("ballots issued"))
    ballots_returned = models.PositiveSmallIntegerField(_("ballots returned"))
    ballots_invalid = models.PositiveSmallIntegerField(_("invalid ballots"), default=0)
    # {"item" or candidate pk: {choice: count}}
    counts = models.JSONField(_("counts"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tally entry")
        verbose_name_plural = _("tally entries")
        ordering = ["item", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="tally_entry_seq_once"),
            models.CheckConstraint(condition=Q(seq__in=[1, 2]), name="tally_entry_two_entries"),
            models.CheckConstraint(
                condition=Q(ballots_returned__lte=F("ballots_issued")), name="tally_returned_issued"
            ),
            models.CheckConstraint(
                condition=Q(ballots_invalid__lte=F("ballots_returned")), name="tally_invalid_returned"
            ),
        ]


class ItemResult(BaseModel):
    """The final result of a vote on an item or on one of its cadres, with the rule applied."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="results"
    )
    candidate = models.ForeignKey(
        TopicCadre, verbose_name=_("cadre"), null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    expected = models.PositiveSmallIntegerField(_("should attend"))
    present = models.PositiveSmallIntegerField(_("present"))
    # {choice: count} in the type's option order
    counts = models.JSONField(_("votes"))
    votes_for = models.PositiveSmallIntegerField(_("votes in favour"))
    needed = models.PositiveSmallIntegerField(_("votes needed"))
    passed = models.BooleanField(_("passed"))
    rule = models.CharField(_("rule applied"), max_length=300)

    class Meta:
        verbose_name = _("vote result")
        verbose_name_plural = _("vote results")
        ordering = ["item", "candidate__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(candidate__isnull=True), name="item_result_once"),
            models.UniqueConstraint(
                fields=["item", "candidate"], condition=Q(candidate__isnull=False), name="item_result_once_per_cadre"
            ),
        ]


class Decision(BaseModel):
    """What a passed item decided (决定事项); reconsidered only with more than half of all members."""

    item = models.OneToOneField(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="decision"
    )
    text = models.TextField(_("decision"))
    decided_on = models.DateField(_("decided on"))
    reconsidered_on = models.DateField(_("reconsidered on"), null=True, blank=True)
    reconsideration = models.CharField(_("reconsideration"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return self.text[:50]


class FollowUp(BaseModel):
    """督办: a decision followed up by the standing member responsible for its work area on the decision date."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    decision = models.OneToOneField(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="follow_up"
    )
    area = models.ForeignKey(
        "committees.WorkArea",
        verbose_name=_("work area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        "committees.TermMember",
        verbose_name=_("responsible member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    # lead, substitute, secretary or nobody: why this member answers for it
    responsibility = models.CharField(_("responsible as"), max_length=20)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="follow_up_closed_has_time",
            )
        ]


class FollowUpNote(BaseModel):
    """A progress note on a follow-up."""

    follow_up = models.ForeignKey(FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["follow_up", "created_at", "id"]
