"""The audit helper every service calls; the request context (client IP) comes from middleware."""

from __future__ import annotations

import contextvars
from typing import Any

from django.db import models

from .models import AuditEvent

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("orgdept_client_ip", default=None)
_request_user: contextvars.ContextVar[Any] = contextvars.ContextVar("orgdept_request_user", default=None)


def set_request_context(*, ip: str | None, user) -> tuple[contextvars.Token, contextvars.Token]:
    return _client_ip.set(ip), _request_user.set(user)


def reset_request_context(tokens: tuple[contextvars.Token, contextvars.Token]) -> None:
    _client_ip.reset(tokens[0])
    _request_user.reset(tokens[1])


def request_user():
    """The user of the request being served, for audit events raised outside a service (signals)."""
    return _request_user.get()


def audit_log(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit event. `actor` may be None for system acts (migrations, scheduled tasks)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(object_repr)[:200],
        client_ip=_client_ip.get(),
        details=details or {},
    )
