"""Documents: apps register kinds (a renderer and an access rule); services request and render them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .audit import audit_log
from .exceptions import ApplicationError
from .models import Document
from .notifications import notify
from .object_permissions import object_permission_grant
from .queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class DocumentKind:
    name: str
    label: str
    # (document) -> (pdf bytes, file name)
    render: Callable[[Document], tuple[bytes, str]]
    # (user, params) -> bool: may this user ask for this document?
    may_request: Callable[[object, dict], bool]


_kinds: dict[str, DocumentKind] = {}


def register_document_kind(kind: DocumentKind) -> None:
    _kinds[kind.name] = kind


def document_kind(name: str) -> DocumentKind:
    try:
        return _kinds[name]
    except KeyError:
        raise ApplicationError(f"未知的文件类型：{name}") from None


def document_may_access(user, document: Document) -> bool:
    """Whether `user` may still ask for what `document` holds: a right lost since (a role taken away)
    also takes away the files made under it. A kind no longer registered gives no one access."""
    spec = _kinds.get(document.kind)
    return spec is not None and bool(spec.may_request(user, document.params or {}))


@transaction.atomic
def document_request(*, kind: str, params: dict, title: str, actor) -> Document:
    """Creates a PENDING document for `actor` and queues its rendering after commit."""
    spec = document_kind(kind)
    if not spec.may_request(actor, params):
        raise ApplicationError("您没有生成该文件的权限")
    document = Document.objects.create(kind=kind, params=params, title=title, requested_by=actor)
    object_permission_grant(perm="core.view_document", to=actor, obj=document, actor=actor)
    audit_log(actor=actor, action="document.requested", obj=document, details={"kind": kind, "params": params})
    document_enqueue(document)
    return document


def document_enqueue(document: Document) -> None:
    from .tasks import render_document

    enqueue_on_commit(render_document, document.pk)


def document_render(*, document_id: int) -> Document:
    """Renders a PENDING document; a READY or FAILED one is left as it is (safe to run twice).

    Raises the rendering error while attempts remain, so the task is retried.
    """
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Document.Status.PENDING:
            return document
        document.attempts += 1
        document.save(update_fields=["attempts", "updated_at"])
    try:
        content, filename = document_kind(document.kind).render(document)
    except Exception as exc:
        logger.exception("rendering document %s failed", document_id)
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document_id)
            document.error = f"{type(exc).__name__}: {exc}"[:2000]
            if document.attempts >= MAX_ATTEMPTS:
                document.status = Document.Status.FAILED
                document.finished_at = timezone.now()
            document.save(update_fields=["error", "status", "finished_at", "updated_at"])
        if document.status == Document.Status.FAILED:
            notify(
                recipient=document.requested_by,
                title=f"文件生成失败：{document.title}",
                body=document.error,
                url=document_url(document),
            )
            return document
        raise
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != Document.Status.PENDING:
            return document  # another worker finished first
        document.file.save(filename, ContentFile(content), save=False)
        document.filename = filename
        document.status = Document.Status.READY
        document.error = ""
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "filename", "status", "error", "finished_at", "updated_at"])
        notify(recipient=document.requested_by, title=f"文件已生成：{document.title}", url=document_url(document))
    return document


def document_url(document: Document) -> str:
    from django.urls import reverse

    return reverse("core:document_detail", args=[document.pk])


def documents_requeue_stale(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Queues again PENDING documents that no worker finished (a worker died mid-render)."""
    cutoff = timezone.now() - older_than
    stale = list(
        Document.objects.filter(status=Document.Status.PENDING, updated_at__lt=cutoff).values_list("pk", flat=True)
    )
    from .tasks import render_document

    for pk in stale:
        render_document.delay(pk)
    return len(stale)
