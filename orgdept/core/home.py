"""The kernel's sections of the role-aware home page."""

from django.urls import reverse

from .audit_actions import audit_action_label
from .models import AuditEvent, Document
from .roles import SYSTEM_ADMIN, has_role
from .shell import QueueItem, QueueSection


def kernel_sections(user) -> list[QueueSection]:
    sections = []
    unread = list(user.notifications.filter(read_at__isnull=True)[:5])
    sections.append(
        QueueSection(
            title="未读通知",
            items=[
                QueueItem(label=n.title, url=reverse("core:notification_open", args=[n.pk]), due=n.created_at)
                for n in unread
            ],
            empty_text="没有未读通知",
            more_url=reverse("core:notification_list"),
            order=90,
        )
    )
    pending = list(
        Document.objects.filter(requested_by=user).exclude(status=Document.Status.READY).order_by("-created_at")[:5]
    )
    if pending:
        sections.append(
            QueueSection(
                title="生成中或失败的文件",
                items=[
                    QueueItem(
                        label=d.title,
                        url=reverse("core:document_detail", args=[d.pk]),
                        detail=d.get_status_display(),
                        level="danger" if d.status == Document.Status.FAILED else "",
                    )
                    for d in pending
                ],
                more_url=reverse("core:document_list"),
                order=95,
            )
        )
    if user.is_superuser or has_role(user, SYSTEM_ADMIN):
        recent = AuditEvent.objects.order_by("-occurred_at")[:8]
        sections.append(
            QueueSection(
                title="最近的审计事件",
                items=[
                    QueueItem(
                        label=f"{e.actor_username or '系统'} · {audit_action_label(e.action)}",
                        detail=e.object_repr,
                        due=e.occurred_at,
                    )
                    for e in recent
                ],
                more_url=reverse("core:audit_list"),
                order=50,
            )
        )
    return sections
