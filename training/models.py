"""Training: annual plans, their classes and sessions, call-ups (调训), attendance, and the credit-hour ledger."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orgdept.core.models import BaseModel


class TrainingPlan(BaseModel):
    """年度培训计划: approved by 部领导 before any of its classes may take enrolments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("awaiting approval")
        APPROVED = "approved", pgettext_lazy("training plan status", "approved")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year", "title"]
        permissions = [("approve_trainingplan", _("Can approve training plans"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "title"], name="training_plan_unique_title_per_year"),
            models.CheckConstraint(
                condition=~Q(status="approved") | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="training_plan_approved_has_approver",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"


class TrainingClass(BaseModel):
    """培训班: one class of a plan, with its dates, place, capacity and the ranks it is meant for."""

    class Category(models.TextChoices):
        PARTY_SCHOOL = "party_school", "党校"
        CADRE_ACADEMY = "academy", "干部学院"
        ONLINE = "online", "网络培训"
        THEMATIC = "thematic", "专题培训"
        ABROAD = "abroad", "境外培训"
        OTHER = "other", "其他"

    plan = models.ForeignKey(TrainingPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(_("name"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    # Rank values (cadres.Rank) the class is meant for; empty means any rank
    target_ranks = models.JSONField(_("target ranks"), default=list, blank=True)
    # set once attendance is closed and completion and credit have been written
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-start_date", "name"]
        indexes = [models.Index(fields=["start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="training_class_dates_ordered"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="training_class_capacity_positive"),
        ]

    def __str__(self):
        return self.name


class ClassSession(models.Model):
    """One session (课次) of a class, with its credit hours; attendance is taken per session."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        ordering = ["date", "order", "id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="class_session_hours_positive")]

    def __str__(self):
        return f"{self.date} {self.topic}"


class Enrolment(BaseModel):
    """A cadre called up to a class (调训), and, once the class is closed, whether they completed it."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        WITHDRAWN = "withdrawn", _("withdrawn")
        COMPLETED = "completed", _("completed")
        NOT_COMPLETED = "not_completed", _("not completed")

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="enrolments"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="training_enrolments"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ENROLLED)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("called up by"), on_delete=models.PROTECT, related_name="+"
    )
    # given when the cadre was called up although another class of theirs overlaps these dates
    overlap_reason = models.CharField(_("reason for overlapping call-up"), max_length=300, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    absent_hours = models.DecimalField(_("hours absent"), max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["training_class", "cadre__name"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "cadre"], name="enrolment_one_per_cadre_and_class"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""), name="enrolment_withdrawal_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.training_class}"


class Attendance(models.Model):
    """Whether an enrolled cadre attended one session; a missing row is not an absence until the class closes."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendance"
    )
    session = models.ForeignKey(
        ClassSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance"
    )
    present = models.BooleanField(_("present"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_one_per_session"),
        ]

    def __str__(self):
        return f"{self.enrolment} {self.session}"


class CreditEntry(BaseModel):
    """One line of a cadre's credit-hour ledger (学时): a completed class, online or external study, or an import."""

    class Source(models.TextChoices):
        CLASS = "class", _("class")
        ONLINE = "online", _("online study")
        EXTERNAL = "external", _("external training")
        IMPORTED = "imported", pgettext_lazy("credit source", "imported")

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="credit_entries"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    title = models.CharField(_("class or course"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    earned_on = models.DateField(_("date earned"), db_index=True)
    # the enrolment whose completion earned these hours (one line per completed enrolment)
    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit",
    )
    evidence = models.FileField(_("evidence"), upload_to="training/evidence/%Y/", blank=True)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        ordering = ["-earned_on", "-id"]
        indexes = [models.Index(fields=["cadre", "earned_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="credit_entry_hours_positive"),
            models.CheckConstraint(
                condition=~Q(source="class") | Q(enrolment__isnull=False), name="credit_entry_class_has_enrolment"
            ),
            # the same course on the same day for the same cadre is one entry, however often a file is imported
            models.UniqueConstraint(
                fields=["cadre", "source", "title", "earned_on"],
                condition=~Q(source="class"),
                name="credit_entry_unique_outside_classes",
            ),
        ]

    def __str__(self):
        return f"{self.cadre} {self.title} {self.hours}"
