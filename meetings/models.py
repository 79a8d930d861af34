"""Meeting types with their rules of procedure (议事规则) and the topic categories each may decide.

The numbers of the rules are data, seeded with the central and local defaults (DOMAIN.md) and kept by
administrators: a fraction is stored as numerator/denominator, compared in whole numbers, never as a float.
"""

from __future__ import annotations

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
