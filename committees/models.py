"""The committee, its terms (届) and members, work areas, portfolio plans (分工), substitutes (缺位互补) and leave.

Dates that end a period are stored in one of two ways, each named for what it means:
- `left_on` and `superseded_on` are the first day the row no longer holds (a member who left on D
  does not serve on D; a plan superseded on D is not in force on D), so a change can take effect on
  the day it is recorded;
- a leave's `ends_on` is its last day, inclusive, as a leave request is written (11月3日至11月7日).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgdept.core.models import BaseModel


class Committee(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self):
        return self.name


class Term(BaseModel):
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="terms"
    )
    number = models.PositiveSmallIntegerField(_("term number"))
    starts_on = models.DateField(_("start"))
    # the day the next term started (this term's last day is the day before); empty while current
    ends_on = models.DateField(_("end"), null=True, blank=True)
    members_quota = models.PositiveSmallIntegerField(_("number of members"), default=40)
    alternates_quota = models.PositiveSmallIntegerField(_("number of alternates"), default=10)
    standing_quota = models.PositiveSmallIntegerField(_("number of standing members"), default=11)
    deputy_secretaries_quota = models.PositiveSmallIntegerField(_("number of deputy secretaries"), default=2)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["committee", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="term_unique_number"),
            models.UniqueConstraint(
                fields=["committee"], condition=Q(ends_on__isnull=True), name="term_one_current_per_committee"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")), name="term_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="term_number_positive"),
            models.CheckConstraint(
                condition=Q(standing_quota__lte=F("members_quota")), name="term_standing_within_members"
            ),
            models.CheckConstraint(
                condition=Q(deputy_secretaries_quota__lt=F("standing_quota")), name="term_deputies_within_standing"
            ),
        ]

    def __str__(self):
        return f"{self.committee.short_name or self.committee.name}第{self.number}届"

    @property
    def is_current(self) -> bool:
        return self.ends_on is None

    def covers(self, on) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on < self.ends_on)


class TermMember(BaseModel):
    """A cadre's seat in a term. A change of role (递补, 增选常委) keeps the seat and writes a TermMemberRoleChange."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
        STANDING_MEMBER = "standing_member", _("standing member")
        MEMBER = "member", _("member")
        ALTERNATE = "alternate", _("alternate member")

    STANDING_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.STANDING_MEMBER)
    FULL_MEMBER_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.STANDING_MEMBER, Role.MEMBER)
    # the order in which roles are listed (书记, 副书记, 常委, 委员, 候补委员)
    ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="members")
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    full_time_deputy = models.BooleanField(_("full-time deputy secretary"), default=False)
    concurrent_post = models.CharField(_("concurrent government post"), max_length=100, blank=True)
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True, help_text=_("The first day no longer serving."))
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order within role"), default=0)
    election_votes = models.PositiveIntegerField(_("votes at election"), null=True, blank=True)

    class Meta:
        verbose_name = _("term member")
        verbose_name_plural = _("term members")
        ordering = ["term", "role", "order"]
        constraints = [
            models.UniqueConstraint(fields=["term", "cadre"], name="term_member_one_seat_per_term"),
            models.CheckConstraint(
                condition=Q(full_time_deputy=False) | Q(role="deputy_secretary"),
                name="term_member_full_time_only_deputy",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=F("joined_on")),
                name="term_member_leaves_after_joining",
            ),
        ]
        indexes = [models.Index(fields=["term", "role", "order"])]

    def __str__(self):
        return f"{self.term} {self.get_role_display()} {self.cadre.name}"

    @property
    def is_standing(self) -> bool:
        return self.role in self.STANDING_ROLES

    @property
    def is_serving(self) -> bool:
        return self.left_on is None

    def serves_on(self, on) -> bool:
        return self.joined_on <= on and (self.left_on is None or on < self.left_on)

    @property
    def title(self) -> str:
        """How the member is named in lists: 副书记（专职）, 常委 …"""
        label = str(self.get_role_display())
        return f"{label}（专职）" if self.full_time_deputy else label


class TermMemberRoleChange(BaseModel):
    """One change of a member's role within the term: 候补委员 → 委员 (递补), 委员 → 常委 …"""

    member = models.ForeignKey(
        TermMember, verbose_name=_("term member"), on_delete=models.PROTECT, related_name="role_changes"
    )
    from_role = models.CharField(_("previous role"), max_length=20, choices=TermMember.Role.choices)
    to_role = models.CharField(_("new role"), max_length=20, choices=TermMember.Role.choices)
    changed_on = models.DateField(_("effective"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["member", "changed_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_role=F("to_role")), name="role_change_changes_role"),
        ]


class WorkArea(BaseModel):
    """An area of work (分管领域) that one standing member leads; the catalogue is kept by 组织科."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Areas in use must each have exactly one lead in an active plan.")
    )

    class Meta:
        verbose_name = _("work area")
        verbose_name_plural = _("work areas")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class PortfolioPlan(BaseModel):
    """One version of a term's 分工: drafted, activated (in force from `effective_from`), later superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("in force")
        SUPERSEDED = "superseded", _("superseded")

    TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE},
        Status.ACTIVE: {Status.SUPERSEDED},
        Status.SUPERSEDED: set(),
    }

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="portfolio_plans")
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portfolio plan")
        verbose_name_plural = _("portfolio plans")
        ordering = ["term", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["term", "version"], name="portfolio_plan_unique_version"),
            models.UniqueConstraint(
                fields=["term"], condition=Q(status="active"), name="portfolio_plan_one_active_per_term"
            ),
            models.UniqueConstraint(
                fields=["term"], condition=Q(status="draft"), name="portfolio_plan_one_draft_per_term"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False), name="portfolio_plan_activated_has_date"
            ),
            models.CheckConstraint(
                condition=Q(superseded_on__isnull=True) | Q(superseded_on__gte=F("effective_from")),
                name="portfolio_plan_superseded_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_on__isnull=False),
                name="portfolio_plan_superseded_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.term}常委分工（第{self.version}版）"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def in_force_on(self, on) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.effective_from <= on
            and (self.superseded_on is None or on < self.superseded_on)
        )


class PortfolioAssignment(BaseModel):
    """A standing member's part in a work area under one plan: the lead (牵头负责) or assisting (协助)."""

    class Kind(models.TextChoices):
        LEAD = "lead", _("lead")
        ASSIST = "assist", _("assisting")

    plan = models.ForeignKey(
        PortfolioPlan, verbose_name=_("portfolio plan"), on_delete=models.CASCADE, related_name="assignments"
    )
    area = models.ForeignKey(WorkArea, verbose_name=_("work area"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        TermMember, verbose_name=_("standing member"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(_("part"), max_length=8, choices=Kind.choices)

    class Meta:
        verbose_name = _("portfolio assignment")
        verbose_name_plural = _("portfolio assignments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "area", "member"], name="portfolio_assignment_once"),
        ]
        indexes = [models.Index(fields=["plan", "area", "kind"])]


class SubstituteArrangement(BaseModel):
    """缺位互补: who covers a standing member's areas while the member is away; one in force at a time."""

    member = models.ForeignKey(
        TermMember, verbose_name=_("standing member"), on_delete=models.PROTECT, related_name="substitute_arrangements"
    )
    substitute = models.ForeignKey(
        TermMember, verbose_name=_("substitute"), on_delete=models.PROTECT, related_name="covers_for"
    )
    effective_from = models.DateField(_("in force from"))
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("substitute arrangement")
        verbose_name_plural = _("substitute arrangements")
        ordering = ["member", "effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(superseded_on__isnull=True), name="substitute_one_in_force"
            ),
            models.CheckConstraint(condition=~Q(member=F("substitute")), name="substitute_not_self"),
            models.CheckConstraint(
                condition=Q(superseded_on__isnull=True) | Q(superseded_on__gte=F("effective_from")),
                name="substitute_superseded_after_start",
            ),
        ]

    def in_force_on(self, on) -> bool:
        return self.effective_from <= on and (self.superseded_on is None or on < self.superseded_on)


class Leave(BaseModel):
    """A standing member's recorded absence (请假、外出、学习), first to last day inclusive."""

    member = models.ForeignKey(
        TermMember, verbose_name=_("standing member"), on_delete=models.PROTECT, related_name="leaves"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="leave_ends_after_start"),
        ]
        indexes = [models.Index(fields=["member", "starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.member.cadre.name} {self.starts_on:%Y-%m-%d}至{self.ends_on:%Y-%m-%d}"

    def covers(self, on) -> bool:
        return self.cancelled_at is None and self.starts_on <= on <= self.ends_on


class QuarterlyReport(BaseModel):
    """A standing member's quarterly report on their areas to the standing committee (每季度向常委会报告)."""

    member = models.ForeignKey(
        TermMember, verbose_name=_("standing member"), on_delete=models.PROTECT, related_name="quarterly_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    reported_on = models.DateField(_("reported on"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "quarter"], name="quarterly_report_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="quarterly_report_quarter"),
        ]
