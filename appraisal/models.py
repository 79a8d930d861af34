"""Annual appraisal (年度考核): cycles, groups of the people appraised, weighted indicators and their scores,
democratic evaluation (voter groups, elements, real-name ballots), results with ratings, and follow-up talks."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orgdept.core.models import BaseModel


class Rating(models.TextChoices):
    """Individual ratings (公务员考核规定)."""

    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASIC = "basic", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


class TeamRating(models.TextChoices):
    """Ratings of a leadership team (班子)."""

    GOOD = "good", "好"
    FAIRLY_GOOD = "fairly_good", "较好"
    AVERAGE = "average", "一般"
    POOR = "poor", "较差"


class AppraisalCycle(BaseModel):
    """One year's appraisal of one scope (e.g. 全区科级领导干部), moved along TRANSITIONS by the cycle service."""

    class Status(models.TextChoices):
        SETUP = "setup", _("setting up")
        EVALUATION = "evaluation", _("evaluation open")
        SCORING = "scoring", _("scoring")
        RATING = "rating", pgettext_lazy("appraisal stage", "rating")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    TRANSITIONS = {
        Status.SETUP: {Status.EVALUATION},
        # evaluation may be reopened while the scores are being worked out, rating sent back to scoring
        Status.EVALUATION: {Status.SCORING, Status.SETUP},
        Status.SCORING: {Status.RATING, Status.EVALUATION},
        Status.RATING: {Status.PUBLISHED, Status.SCORING},
        Status.PUBLISHED: {Status.ARCHIVED},
        Status.ARCHIVED: set(),
    }

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    scope = models.CharField(_("scope"), max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SETUP)
    # final score = indicator part × indicator_weight% + democratic evaluation × evaluation_weight%
    indicator_weight = models.DecimalField(_("weight of indicators"), max_digits=5, decimal_places=2, default=60)
    evaluation_weight = models.DecimalField(
        _("weight of democratic evaluation"), max_digits=5, decimal_places=2, default=40
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")
        ordering = ["-year", "scope"]
        permissions = [("publish_appraisalcycle", _("Can publish appraisal results"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "scope"], name="appraisal_cycle_unique_scope_per_year"),
            models.CheckConstraint(
                condition=Q(indicator_weight__gte=0) & Q(evaluation_weight__gte=0),
                name="appraisal_cycle_weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(indicator_weight=Value(100) - F("evaluation_weight")),
                name="appraisal_cycle_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "archived"]) | Q(published_at__isnull=False),
                name="appraisal_cycle_published_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.year}年度{self.scope}"


class CycleTransition(models.Model):
    """History of a cycle's states: who moved it, when, from where to where and why."""

    cycle = models.ForeignKey(AppraisalCycle, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=12, choices=AppraisalCycle.Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=AppraisalCycle.Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("appraisal cycle state change")
        verbose_name_plural = _("appraisal cycle state changes")
        ordering = ["cycle", "at", "id"]

    def __str__(self):
        return f"{self.cycle} {self.from_status} → {self.to_status}"


class AppraisalGroup(models.Model):
    """A group within a cycle (正职, 副职 …) whose people are ranked together and share the 优秀 quota; a team group
    (班子) appraises units as leadership teams."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individuals")
        TEAM = "team", _("leadership teams")

    cycle = models.ForeignKey(AppraisalCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INDIVIDUAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("appraisal group")
        verbose_name_plural = _("appraisal groups")
        ordering = ["cycle", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "name"], name="appraisal_group_unique_name")]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    """One person (a cadre) or, in a team group, one unit's leadership team, appraised in a group."""

    group = models.ForeignKey(AppraisalGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="members")
    # the group's cycle, kept here so the database can hold a person to one group per cycle
    cycle = models.ForeignKey(AppraisalCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="+")
    cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisal_memberships",
    )
    unit = models.ForeignKey(
        "cadres.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisal_memberships",
    )

    class Meta:
        verbose_name = _("person appraised")
        verbose_name_plural = _("people appraised")
        ordering = ["group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cadre__isnull=False) & Q(unit__isnull=True))
                | (Q(cadre__isnull=True) & Q(unit__isnull=False)),
                name="appraisal_member_cadre_or_unit",
            ),
            models.UniqueConstraint(
                fields=["cycle", "cadre"], condition=Q(cadre__isnull=False), name="appraisal_member_cadre_once"
            ),
            models.UniqueConstraint(
                fields=["cycle", "unit"], condition=Q(unit__isnull=False), name="appraisal_member_unit_once"
            ),
        ]

    def __str__(self):
        return str(self.cadre or self.unit)

    @property
    def label(self) -> str:
        return self.cadre.name if self.cadre_id else f"{self.unit.name}领导班子"


class Indicator(models.Model):
    """A quantitative or qualitative indicator of a group, scored out of `max_score`; weights sum to 100 per group."""

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("quantitative")
        QUALITATIVE = "qualitative", _("qualitative")

    group = models.ForeignKey(
        AppraisalGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("full marks"), max_digits=6, decimal_places=2, default=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="appraisal_indicator_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="appraisal_indicator_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="appraisal_indicator_max_positive"),
        ]

    def __str__(self):
        return self.name


class IndicatorScore(models.Model):
    """One person's score on one indicator, entered by staff or imported."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="scores"
    )
    member = models.ForeignKey(
        GroupMember, verbose_name=_("person appraised"), on_delete=models.CASCADE, related_name="indicator_scores"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "member"], name="appraisal_score_one_per_indicator"),
            models.CheckConstraint(condition=Q(score__gte=0), name="appraisal_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.member} {self.indicator} {self.score}"


class VoterGroup(models.Model):
    """A group of voters in the democratic evaluation (A 领导, B 同级, C 工作人员) with its weight; the weights of a
    cycle's voter groups sum to 100."""

    cycle = models.ForeignKey(
        AppraisalCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="voter_groups"
    )
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=50)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("voter group")
        verbose_name_plural = _("voter groups")
        ordering = ["cycle", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="appraisal_voter_group_unique_code"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="appraisal_voter_group_weight_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Voter(models.Model):
    """A real-name voter: a user who fills ballots online, or a named person whose paper ballots staff enter. They
    evaluate the people of the groups in their scope."""

    cycle = models.ForeignKey(AppraisalCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="voters")
    voter_group = models.ForeignKey(
        VoterGroup, verbose_name=_("voter group"), on_delete=models.CASCADE, related_name="voters"
    )
    name = models.CharField(_("full name"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisal_voters",
    )
    scope = models.ManyToManyField(AppraisalGroup, verbose_name=_("groups evaluated"), related_name="voters")

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        ordering = ["cycle", "voter_group", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "user"], condition=Q(user__isnull=False), name="appraisal_voter_user_once"
            ),
            models.UniqueConstraint(fields=["cycle", "voter_group", "name"], name="appraisal_voter_unique_name"),
        ]

    def __str__(self):
        return self.name


class EvaluationElement(models.Model):
    """One element of the evaluation ballot (政治素质, 工作实绩 …) marked from 0 to `scale_max`; a cycle's element
    weights sum to 100, so a ballot's total is out of 100."""

    cycle = models.ForeignKey(
        AppraisalCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="elements"
    )
    name = models.CharField(_("name"), max_length=50)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    scale_max = models.PositiveSmallIntegerField(_("top of the scale"), default=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation element")
        verbose_name_plural = _("evaluation elements")
        ordering = ["cycle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="appraisal_element_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="appraisal_element_weight_positive"),
            models.CheckConstraint(condition=Q(scale_max__gt=0), name="appraisal_element_scale_positive"),
        ]

    def __str__(self):
        return self.name


class Ballot(BaseModel):
    """One voter's real-name ballot on one person: one per voter per person, filled online or entered from paper."""

    voter = models.ForeignKey(Voter, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="ballots")
    member = models.ForeignKey(
        GroupMember, verbose_name=_("person appraised"), on_delete=models.PROTECT, related_name="ballots"
    )
    # Σ line score / scale top × element weight, out of 100
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=4)
    paper = models.BooleanField(_("paper ballot"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["member", "voter"]
        constraints = [
            models.UniqueConstraint(fields=["voter", "member"], name="appraisal_ballot_one_per_voter_and_person"),
            models.CheckConstraint(condition=Q(total__gte=0) & Q(total__lte=100), name="appraisal_ballot_total_range"),
        ]

    def __str__(self):
        return f"{self.voter} → {self.member}"


class BallotLine(models.Model):
    ballot = models.ForeignKey(Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="lines")
    element = models.ForeignKey(
        EvaluationElement, verbose_name=_("evaluation element"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("ballot line")
        verbose_name_plural = _("ballot lines")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "element"], name="appraisal_ballot_line_one_per_element"),
            models.CheckConstraint(condition=Q(score__gte=0), name="appraisal_ballot_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.element} {self.score}"


class AppraisalResult(BaseModel):
    """A person's (or team's) result in a cycle: the scores, the ranks within the group, the rating proposed by the
    system and the one set by staff."""

    member = models.OneToOneField(
        GroupMember, verbose_name=_("person appraised"), on_delete=models.CASCADE, related_name="result"
    )
    indicator_score = models.DecimalField(_("indicator score"), max_digits=7, decimal_places=2)
    evaluation_score = models.DecimalField(
        _("democratic evaluation score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    final_score = models.DecimalField(_("final score"), max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"))
    evaluation_rank = models.PositiveSmallIntegerField(_("rank in democratic evaluation"), null=True, blank=True)
    proposed_rating = models.CharField(_("proposed rating"), max_length=12, choices=Rating.choices, blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    team_rating = models.CharField(_("team rating"), max_length=12, choices=TeamRating.choices, blank=True)
    # why 优秀 was not proposed although the score was high enough (a training shortfall …)
    note = models.CharField(_("note"), max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appraisal result")
        verbose_name_plural = _("appraisal results")
        ordering = ["member__group", "rank"]
        constraints = [
            models.CheckConstraint(condition=Q(rank__gte=1), name="appraisal_result_rank_positive"),
            models.CheckConstraint(
                condition=Q(rating="") | Q(team_rating=""), name="appraisal_result_one_kind_of_rating"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.final_score}"


class Talk(BaseModel):
    """A reminder (提醒谈话) or admonishment talk (诫勉谈话) held with a cadre after an appraisal."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "提醒谈话"
        ADMONISHMENT = "admonishment", "诫勉谈话"

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="appraisal_talks"
    )
    cycle = models.ForeignKey(
        AppraisalCycle, verbose_name=_("cycle"), null=True, blank=True, on_delete=models.PROTECT, related_name="talks"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    held_by = models.CharField(_("talk held by"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.cadre} {self.get_kind_display()} {self.held_on}"
