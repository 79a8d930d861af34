"""Imports of spreadsheets: the report every kind returns, the registry of kinds, and upload batches.

An app registers an `ImportKind` whose `run(source=, dry_run=, actor=, progress=)` returns an
`ImportReport`. The command line calls `run` directly; the pages go through an `ImportBatch`, which
keeps the uploaded file privately, previews it, and commits it on request — inline for small files,
in a Celery task (with progress the page polls) for large ones.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from .audit import _client_ip, audit_log
from .audit_actions import register_audit_action
from .exceptions import ApplicationError
from .models import AuditEvent, ImportBatch
from .queueing import enqueue_on_commit
from .spreadsheets import inspect_spreadsheet, read_source

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# a queued batch nothing has advanced for this long is taken for lost (its worker or web process died)
STALE_AFTER = timedelta(minutes=15)
DEFAULT_INLINE_ROWS = 2000
DEFAULT_RETENTION_DAYS = 7

NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"

register_audit_action("import.uploaded", "上传导入文件")
register_audit_action("import.commit_requested", "确认导入")


def issue(message: str, *, row: int | None = None, column: str | None = None) -> dict:
    """One error or warning of a report: the spreadsheet row (header = 1) and column it is about."""
    return {"row": row, "column": column, "message": message}


@dataclass(slots=True)
class RowOutcome:
    row: int
    outcome: str  # NEW, UPDATED, UNCHANGED or ERROR
    label: str = ""  # what the row is about, as the user knows it (a name)
    key: str = ""  # what identifies it (an ID number)
    changes: dict[str, list[str]] = field(default_factory=dict)  # column -> [old, new]
    errors: list[dict] = field(default_factory=list)
    # the version of the stored record the row was compared with (None: no record): a commit checks it
    version: int | None = None

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "outcome": self.outcome,
            "label": self.label,
            "key": self.key,
            "changes": self.changes,
            "errors": self.errors,
            "version": self.version,
        }


@dataclass
class ImportReport:
    """What an import did or, in a dry run, would do. `extra` holds the keys a kind adds (e.g. new_units)."""

    dry_run: bool
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    written: bool = False  # True once committed (a commit with nothing to change writes nothing)
    # why a commit wrote nothing although the preview had no errors (records changed since the preview);
    # the report is then the new preview
    conflict: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.errors.append(issue(message, row=row, column=column))

    def warn(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.warnings.append(issue(message, row=row, column=column))

    def count(self, outcome: str) -> None:
        if outcome == NEW:
            self.new += 1
        elif outcome == UPDATED:
            self.updated += 1
        elif outcome == UNCHANGED:
            self.unchanged += 1

    def summary(self) -> dict:
        """The report as the command line prints it (rows left out)."""
        return {
            "dry_run": self.dry_run,
            "total": self.total,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
            **self.extra,
        }

    def as_dict(self) -> dict:
        return {
            **self.summary(),
            "written": self.written,
            "conflict": self.conflict,
            "rows": [r.as_dict() for r in self.rows],
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        known = {"dry_run", "total", "new", "updated", "unchanged", "errors", "warnings", "rows", "written", "conflict"}
        return cls(
            dry_run=data.get("dry_run", True),
            total=data.get("total", 0),
            new=data.get("new", 0),
            updated=data.get("updated", 0),
            unchanged=data.get("unchanged", 0),
            errors=list(data.get("errors", [])),
            warnings=list(data.get("warnings", [])),
            rows=[RowOutcome(**r) for r in data.get("rows", [])],
            extra={k: v for k, v in data.items() if k not in known},
            written=data.get("written", False),
            conflict=data.get("conflict", ""),
        )

    @classmethod
    def unreadable(cls, message: str, *, dry_run: bool, extra: dict | None = None) -> ImportReport:
        """The report of a file that could not be read at all: one error with no row."""
        report = cls(dry_run=dry_run, extra=dict(extra or {}))
        report.error(message)
        return report


class ImportProgress:
    """What a kind's `run` reports while it works; the default does nothing.

    `writing()` is called inside the write transaction before anything is written and `written(report)`
    inside it after everything is: a batch uses them to record its result atomically with the data.
    """

    def start(self, total: int) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def writing(self) -> None:
        pass

    def written(self, report: ImportReport) -> None:
        pass


class ImportSuperseded(Exception):
    """Raised inside a write transaction to undo it: another run of the same batch already committed."""


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str
    # (*, source, dry_run, actor, progress, preview, params) -> ImportReport; SpreadsheetError when the file
    # is unreadable.
    # `preview` is, for a commit, the preview report the user confirmed (None for a preview): a kind that finds
    # its records changed since then writes nothing and returns a new preview with `conflict` set
    run: Callable[..., ImportReport]
    # (user) -> bool: may this user import this kind?
    may_import: Callable[[object], bool]
    # extra keys of the kind's report, with their empty values (so an unreadable file's report has them too)
    extra_keys: dict[str, Any] = field(default_factory=dict)


_kinds: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> None:
    _kinds[kind.name] = kind


def import_kind(name: str) -> ImportKind:
    try:
        return _kinds[name]
    except KeyError:
        raise ApplicationError(f"未知的导入类型：{name}") from None


# values of these fields go to the database driver as they are (as their get_db_prep_save would pass them)
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


def _adapters(fields) -> list:
    """Per field, how a value is adapted for the database driver (None: as it is)."""
    ops = connection.ops
    adapters = []
    for f in fields:
        if isinstance(f, _PLAIN_FIELDS):
            adapters.append(None)
        elif f.__class__ is models.DateField:
            # what get_db_prep_save ends in for a date already parsed (on PostgreSQL: the date itself)
            adapters.append(lambda value, _connection, adapt=ops.adapt_datefield_value: adapt(value))
        else:
            adapters.append(f.get_db_prep_save)
    return adapters


def bulk_insert(
    model,
    columns: list[str],
    rows: list[tuple],
    *,
    batch_size: int = 1000,
    returning: bool = False,
    skip_existing: tuple[str, ...] = (),
) -> int | list:
    """Inserts plain rows (values in the order of `columns`, field names) without a model instance per row.

    For the thousands of rows an import writes (audit events, education entries): bulk_create builds and
    prepares an instance for each row, which costs more than the insert itself. Values are adapted for
    the database as bulk_create adapts them; no signals, no save(). Returns the number of rows, or with
    `returning` the new primary keys in the order of `rows`. With `skip_existing` (the field names of a unique
    constraint) a row whose key is already stored is left out (ON CONFLICT … DO NOTHING).
    """
    if returning and skip_existing:
        raise ValueError("returning keys in the order of rows needs every row inserted")
    opts = model._meta
    fields = [opts.get_field(name) for name in columns]
    adapters = _adapters(fields)
    limit = connection.features.max_query_params
    if limit:
        batch_size = max(1, min(batch_size, limit // len(fields)))
    quote = connection.ops.quote_name
    # the names come from the model, every value goes as a parameter
    head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = ""
    if skip_existing:
        target = ", ".join(quote(opts.get_field(name).column) for name in skip_existing)
        tail = f" ON CONFLICT ({target}) DO NOTHING"
    if returning:
        if not connection.features.can_return_rows_from_bulk_insert:
            batch_size = 1  # one row per statement: its key is the cursor's last row id
        else:
            tail = f" RETURNING {quote(opts.pk.column)}"
    keys = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = []
            for row in batch:
                for value, adapt in zip(row, adapters, strict=True):
                    params.append(value if adapt is None or value is None else adapt(value, connection))
            cursor.execute(head + ", ".join([placeholders] * len(batch)) + tail, params)
            if returning:
                if tail:
                    keys.extend(key for (key,) in cursor.fetchall())
                else:
                    keys.append(connection.ops.last_insert_id(cursor, opts.db_table, opts.pk.column))
    return keys if returning else len(rows)


def bulk_update(model, objs: list, fields: list[str], *, batch_size: int = 500) -> int:
    """Saves `fields` of many instances in a few UPDATE statements (pk-keyed CASE expressions).

    Does what QuerySet.bulk_update does, without building a Django expression per value: that costs
    seconds for the thousands of files an import updates. No signals, no save().
    """
    if not objs or not fields:
        return 0
    opts = model._meta
    targets = [opts.get_field(name) for name in fields]
    adapters = _adapters(targets)
    quote = connection.ops.quote_name
    pk_column = quote(opts.pk.column)
    cast = connection.features.requires_casted_case_in_updates
    limit = connection.features.max_query_params
    if limit:
        batch_size = max(1, min(batch_size, limit // (2 * len(targets) + 1)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            assignments, params = [], []
            whens = " ".join(["WHEN %s THEN %s"] * len(batch))
            for field, adapt in zip(targets, adapters, strict=True):
                case = f"CASE {pk_column} {whens} ELSE {quote(field.column)} END"
                if cast:
                    case = f"CAST({case} AS {field.cast_db_type(connection)})"
                assignments.append(f"{quote(field.column)} = {case}")
                for obj in batch:
                    value = getattr(obj, field.attname)
                    params += [obj.pk, value if adapt is None or value is None else adapt(value, connection)]
            params += [obj.pk for obj in batch]
            keys = ", ".join(["%s"] * len(batch))
            sql = f"UPDATE {quote(opts.db_table)} SET {', '.join(assignments)} WHERE {pk_column} IN ({keys})"  # noqa: S608
            cursor.execute(sql, params)
    return len(objs)


def audit_log_many(*, actor, action: str, entries: Iterable[tuple[Any, dict]], chunk: int = 1000) -> int:
    """Appends one audit event per (object, details), in a few inserts (imports write thousands).

    `entries` may be a generator: they are taken `chunk` at a time, so thousands of events are never all built
    at once.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    ip = _client_ip.get()
    username = user.get_username() if user else ""
    user_id = user.pk if user else None
    columns = [
        "occurred_at",
        "actor",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "client_ip",
        "details",
    ]
    written = 0
    entries = iter(entries)
    while batch := list(islice(entries, chunk)):
        rows = [
            (now, user_id, username, action, obj._meta.label_lower, str(obj.pk), str(obj)[:200], ip, details)
            for obj, details in batch
        ]
        del batch
        written += bulk_insert(AuditEvent, columns, rows)
    return written


# --- batches (the pages' path) ----------------------------------------------------------------------


def _inline_rows() -> int:
    return int(getattr(settings, "ORGDEPT_IMPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def _require(kind: ImportKind, user) -> None:
    if not kind.may_import(user):
        raise ApplicationError(f"您没有导入{kind.label}的权限")


def import_batch_create(*, kind: str, upload, actor, params: dict | None = None) -> ImportBatch:
    """Keeps an uploaded file privately and starts its preview (inline when small, else in the background).
    `params` (JSON) are handed to the kind's run, e.g. the term a member list goes into.

    A file that cannot be read safely is refused here (SpreadsheetError), before anything is stored.
    """
    spec = import_kind(kind)
    _require(spec, actor)
    data = read_source(upload)
    info = inspect_spreadsheet(data)
    filename = os.path.basename(getattr(upload, "name", "") or "upload")[:200]
    background = info.rows > _inline_rows()
    with transaction.atomic():
        batch = ImportBatch(
            kind=kind,
            params=params or {},
            filename=filename,
            size=len(data),
            uploaded_by=actor,
            background=background,
            progress_total=info.rows,
        )
        batch.file.save("upload", ContentFile(data), save=False)
        batch.save()
        audit_log(
            actor=actor,
            action="import.uploaded",
            obj=batch,
            details={
                "kind": kind,
                "filename": filename,
                "size": len(data),
                "format": info.format,
                **({"params": params} if params else {}),
            },
        )
        if background:
            _enqueue(batch)
    if not background:
        import_batch_run(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def import_batch_commit(*, batch: ImportBatch, actor) -> ImportBatch:
    """Writes a previewed batch without errors (in the background for a large file); only its uploader may."""
    with transaction.atomic():
        # the stored reports (every row of a large file) are not needed here: only whether the preview had errors
        batch = ImportBatch.objects.select_for_update().defer("preview", "result").get(pk=batch.pk)
        spec = import_kind(batch.kind)
        _require(spec, actor)
        if batch.uploaded_by_id != actor.pk:
            raise ApplicationError("只有上传该文件的人可以确认导入")
        # an inline commit that nothing has advanced for long lost its web process: this click runs it again
        lost = (
            batch.status == ImportBatch.Status.COMMIT_QUEUED
            and not batch.background
            and batch.updated_at < timezone.now() - STALE_AFTER
        )
        if batch.status == ImportBatch.Status.COMMITTED or (
            batch.status == ImportBatch.Status.COMMIT_QUEUED and not lost
        ):
            return batch  # a second click on 确认导入 does nothing
        if batch.status not in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.COMMIT_QUEUED):
            raise ApplicationError("文件尚未检查完毕，不能导入")
        if ImportBatch.objects.filter(pk=batch.pk).values_list("preview__errors", flat=True).get():
            raise ApplicationError("文件中还有错误，不能导入；请修改后重新上传")
        batch.status = ImportBatch.Status.COMMIT_QUEUED
        batch.progress = 0
        batch.error = ""
        batch.attempts = 0
        batch.save(update_fields=["status", "progress", "error", "attempts", "updated_at"])
        audit_log(actor=actor, action="import.commit_requested", obj=batch, details={"kind": batch.kind})
        if batch.background:
            _enqueue(batch)
    if not batch.background:
        batch = import_batch_run(batch_id=batch.pk)
    return batch


def _enqueue(batch: ImportBatch) -> None:
    from .tasks import run_import_batch

    enqueue_on_commit(run_import_batch, batch.pk)


class _BatchProgress(ImportProgress):
    """Saves progress on the batch row now and then (outside the write transaction, so the page sees it)."""

    def __init__(self, batch: ImportBatch, *, committing: bool):
        self.batch_id = batch.pk
        self.committing = committing
        self.total = 0
        self.step = 1
        self.next = 0

    def start(self, total: int) -> None:
        self.total = total
        self.step = max(200, total // 50)
        self.next = self.step
        ImportBatch.objects.filter(pk=self.batch_id).update(progress=0, progress_total=total)

    def advance(self, done: int) -> None:
        if done >= self.next or done == self.total:
            self.next = done + self.step
            ImportBatch.objects.filter(pk=self.batch_id).update(progress=done, updated_at=timezone.now())

    def writing(self) -> None:
        batch = ImportBatch.objects.select_for_update().get(pk=self.batch_id)
        if batch.status != ImportBatch.Status.COMMIT_QUEUED:
            raise ImportSuperseded

    def written(self, report: ImportReport) -> None:
        ImportBatch.objects.filter(pk=self.batch_id).update(
            status=ImportBatch.Status.COMMITTED,
            result=report.as_dict(),
            progress=self.total,
            committed_at=timezone.now(),
            error="",
            updated_at=timezone.now(),
        )


def import_batch_run(*, batch_id: int) -> ImportBatch:
    """Does what the batch waits for: its preview, or its commit. Safe to run twice or after a crash.

    Raises an unexpected error while attempts remain, so a task is retried; then records FAILED.
    """
    # the stored reports are loaded only when needed (a commit reads its preview), and one at a time
    batch = ImportBatch.objects.select_related("uploaded_by").defer("preview", "result").get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.PREVIEW_QUEUED, ImportBatch.Status.COMMIT_QUEUED):
        return batch
    committing = batch.status == ImportBatch.Status.COMMIT_QUEUED
    ImportBatch.objects.filter(pk=batch_id).update(attempts=batch.attempts + 1)
    spec = import_kind(batch.kind)
    progress = _BatchProgress(batch, committing=committing)
    preview = None
    try:
        with batch.file.open("rb") as handle:
            data = handle.read()
        if committing:
            preview = ImportReport.from_dict(
                ImportBatch.objects.filter(pk=batch_id).values_list("preview", flat=True).get()
            )
        report = spec.run(
            source=data,
            dry_run=not committing,
            actor=batch.uploaded_by,
            progress=progress,
            preview=preview,
            params=batch.params,
        )
    except ImportSuperseded:
        return ImportBatch.objects.get(pk=batch_id)
    except ApplicationError as exc:
        # an unreadable file, or the kind's refusal (e.g. the cycle no longer takes scores): its own message
        report = ImportReport.unreadable(exc.message, dry_run=not committing, extra=spec.extra_keys)
    except Exception as exc:
        logger.exception("import batch %s failed", batch_id)
        batch.refresh_from_db()
        if batch.background and batch.attempts < MAX_ATTEMPTS:
            raise  # the task tries again
        # inline (a page waits for it) or out of attempts: the batch must never stay queued
        return _record_failure(batch, exc, committing=committing)
    if not report.written:
        # a preview, or a commit that found errors or records changed since the preview: nothing was
        # written, the report goes back to the user as a new preview (with the conflict shown on the page)
        ImportBatch.objects.filter(pk=batch_id, status=batch.status).update(
            status=ImportBatch.Status.PREVIEWED,
            preview=report.as_dict(),
            error=report.conflict[:2000],
            progress=report.total,
            progress_total=report.total,
            updated_at=timezone.now(),
        )
    del report, preview  # this run's reports go before the stored one is loaded
    return ImportBatch.objects.get(pk=batch_id)


def _record_failure(batch: ImportBatch, exc: Exception, *, committing: bool) -> ImportBatch:
    """A run that crashed wrote nothing (its transaction was undone): a preview fails, a commit may be tried again.

    Only a batch still waiting for this run is changed: a commit that did write is COMMITTED already.
    """
    kind = type(exc).__name__
    if committing:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.COMMIT_QUEUED).update(
            status=ImportBatch.Status.PREVIEWED,
            error=f"导入时发生意外错误（{kind}），没有写入任何数据；可以再次确认导入，如仍然失败请联系系统管理员",
            updated_at=timezone.now(),
        )
    else:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW_QUEUED).update(
            status=ImportBatch.Status.FAILED,
            error=f"检查文件时发生意外错误（{kind}），没有写入任何数据；请重新上传，如仍然失败请联系系统管理员",
            updated_at=timezone.now(),
        )
    return ImportBatch.objects.get(pk=batch.pk)


def import_batches_requeue_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Queues again batches nothing has advanced for a while: a worker, or the web process of an inline
    batch, died mid-run.

    Running a batch twice does no harm: a preview writes nothing, a commit is done once.
    """
    from .tasks import run_import_batch

    cutoff = timezone.now() - older_than
    stale = list(
        ImportBatch.objects.filter(
            status__in=[ImportBatch.Status.PREVIEW_QUEUED, ImportBatch.Status.COMMIT_QUEUED],
            updated_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        run_import_batch.delay(pk)
    return len(stale)


def _without_rows(report: dict) -> dict:
    """A stored report with what it says about people left out: the counts stay."""
    if not report:
        return report
    return {**report, "rows": [], "errors": [], "warnings": []}


def import_batches_purge(*, older_than_days: int | None = None) -> int:
    """Deletes the uploaded files of batches nothing has happened to for `older_than_days` days (the setting
    ORGDEPT_IMPORT_RETENTION_DAYS by default), and the rows of their reports: rosters hold personal data.

    A batch left unconfirmed (or stuck) that long is abandoned: it is marked FAILED, so nobody confirms a
    file that is gone. Running it again finds nothing more to do.
    """
    days = older_than_days if older_than_days is not None else _retention_days()
    cutoff = timezone.now() - timedelta(days=days)
    purged = 0
    old = ImportBatch.objects.filter(updated_at__lt=cutoff).exclude(file="").order_by("pk")
    for pk in list(old.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = old.select_for_update().filter(pk=pk).first()
            if locked is None:
                continue  # touched (or purged) meanwhile
            name, storage = locked.file.name, locked.file.storage
            status = locked.status
            error = locked.error
            if status != ImportBatch.Status.COMMITTED:
                status = ImportBatch.Status.FAILED
                error = f"上传的文件已超过保存期限（{days}天）并已删除；如需导入，请重新上传"
            ImportBatch.objects.filter(pk=locked.pk).update(
                file="",
                status=status,
                error=error,
                preview=_without_rows(locked.preview),
                result=_without_rows(locked.result),
            )
            # the file goes only once the row no longer points to it
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        purged += 1
    if purged:
        logger.info("deleted the uploaded files of %s import batches older than %s days", purged, days)
    return purged


def _retention_days() -> int:
    return int(getattr(settings, "ORGDEPT_IMPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def import_batches_of(*, user, kind: str, limit: int = 10):
    return ImportBatch.objects.filter(kind=kind, uploaded_by=user).select_related("uploaded_by")[:limit]


def access_import_batch(user, pk: int, *, kind: str) -> ImportBatch:
    """The batch, for its uploader (or a superuser) while they may import its kind; 404/403 otherwise."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    batch = ImportBatch.objects.select_related("uploaded_by").filter(pk=pk, kind=kind).first()
    if batch is None or (batch.uploaded_by_id != user.pk and not user.is_superuser):
        raise Http404
    if not import_kind(kind).may_import(user):
        raise PermissionDenied
    return batch
