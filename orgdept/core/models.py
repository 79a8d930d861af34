"""Kernel models: audit events, the working-day calendar, documents, notifications and reminders, import batches."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet):
    """Append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("审计日志只能追加，不能修改")


class AuditEvent(models.Model):
    """One sensitive act: who did what to which object, when and from where. Never changed."""

    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True, editable=False)
    action = models.CharField(_("action"), max_length=80, db_index=True, editable=False)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True, editable=False)
    object_repr = models.CharField(_("object"), max_length=200, blank=True, editable=False)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True, editable=False)
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-occurred_at"])]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")


class CalendarYear(BaseModel):
    """A year whose official holiday schedule is known; working days can be computed only in these."""

    class Source(models.TextChoices):
        SEEDED = "seeded", _("seeded from chinese-calendar")
        IMPORTED = "imported", _("imported")
        MANUAL = "manual", _("entered manually")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year__gte=1990, year__lte=2100), name="calendar_year_range")
        ]

    def __str__(self):
        return f"{self.year}"


class CalendarDay(BaseModel):
    """A date that overrides the Monday–Friday rule: a public holiday or a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        WORKDAY = "workday", _("make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class Document(BaseModel):
    """A generated file (PDF): requested by a user, rendered by a task, downloaded after a permission check."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""), name="document_ready_has_file"
            )
        ]

    def __str__(self):
        return self.title


class Notification(BaseModel):
    """An in-app message; also sent by email when the recipient has an address."""

    # no index of its own: the index on (recipient, read_at) serves lookups by recipient
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # set when an e-mail is wanted, and again each time the sweeper queues it anew: an e-mail queued long ago
    # and still not sent (the broker was down when it was asked for) is queued again
    email_queued_at = models.DateTimeField(_("e-mail queued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class Reminder(BaseModel):
    """A notification due at a future time (a deadline, the end of a probation); delivered by beat."""

    key = models.CharField(_("key"), max_length=150, help_text=_("Scheduling the same key again moves it."))
    # no index of its own: the unique constraint on (recipient, key) serves lookups by recipient
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    due_at = models.DateTimeField(_("due at"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminder"
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="reminder_unique_key")]
        indexes = [
            # delivery looks for the undelivered ones due: an index of every reminder by due time would be walked
            # through all those delivered over the years before reaching them
            models.Index(
                fields=["due_at"], condition=models.Q(delivered_at__isnull=True), name="reminder_undelivered_due"
            )
        ]

    def __str__(self):
        return self.title


def _import_file_path(instance, filename):
    # the stored name never comes from the upload; the original name is kept in `filename` for display
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.upload"


class ImportBatch(BaseModel):
    """An uploaded spreadsheet on its way in: held privately, previewed, then committed all or nothing."""

    class Status(models.TextChoices):
        PREVIEW_QUEUED = "preview_queued", _("checking")
        PREVIEWED = "previewed", _("checked")
        COMMIT_QUEUED = "commit_queued", _("importing")
        COMMITTED = "committed", _("import done")
        FAILED = "failed", _("processing failed")

    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    # what the kind needs besides the file, e.g. the term a member list goes into
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # media files are never served directly: the upload stays on the server, private
    file = models.FileField(_("file"), upload_to=_import_file_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PREVIEW_QUEUED, db_index=True
    )
    background = models.BooleanField(_("runs in the background"), default=False)
    progress = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), default=0)
    preview = models.JSONField(_("preview report"), default=dict, blank=True)
    result = models.JSONField(_("import report"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "uploaded_by", "-created_at"])]

    def __str__(self):
        return self.filename

    @property
    def running(self) -> bool:
        return self.status in (self.Status.PREVIEW_QUEUED, self.Status.COMMIT_QUEUED)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress * 100 // self.progress_total)


class TwoFactorDevice(BaseModel):
    """A time-based one-time-password (RFC 6238) authenticator a user signs in with after the password.

    Unconfirmed until the user has typed one code from it; `last_step` is the last 30-second step a code was
    accepted for, so an observed code cannot be used a second time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="two_factor_device"
    )
    secret = models.CharField(_("secret"), max_length=64, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    last_step = models.BigIntegerField(_("last accepted step"), default=0, editable=False)
    # wrong codes in a row, over every session and address: guessing is stopped here, not per sign-in
    failed_count = models.PositiveIntegerField(_("wrong codes in a row"), default=0, editable=False)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("two-factor authenticator")
        verbose_name_plural = _("two-factor authenticators")

    def __str__(self):
        return str(self.user)
