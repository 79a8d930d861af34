"""The committee, its terms (届) and the members of each term."""

from django.db import models
from django.db.models import Q
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
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.committee.short_name or self.committee.name}第{self.number}届"


class TermMember(BaseModel):
    class Role(models.TextChoices):
        SECRETARY = "secretary", "书记"
        DEPUTY_SECRETARY = "deputy_secretary", "副书记"
        STANDING_MEMBER = "standing_member", "常委"
        MEMBER = "member", "委员"
        ALTERNATE = "alternate", "候补委员"

    STANDING_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.STANDING_MEMBER)

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="members")
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    full_time_deputy = models.BooleanField(_("full-time deputy secretary"), default=False)
    concurrent_post = models.CharField(_("concurrent government post"), max_length=100, blank=True)
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order within role"), default=0)
    election_votes = models.PositiveIntegerField(_("votes at election"), null=True, blank=True)

    class Meta:
        verbose_name = _("term member")
        verbose_name_plural = _("term members")
        ordering = ["term", "role", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "cadre"], condition=Q(left_on__isnull=True), name="term_member_once_while_serving"
            ),
            models.CheckConstraint(
                condition=Q(full_time_deputy=False) | Q(role="deputy_secretary"),
                name="term_member_full_time_only_deputy",
            ),
        ]

    def __str__(self):
        return f"{self.term} {self.get_role_display()} {self.cadre.name}"

    @property
    def is_standing(self) -> bool:
        return self.role in self.STANDING_ROLES
