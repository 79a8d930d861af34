"""Object permissions (django-guardian), granted and revoked only here so that each change is audited."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from .audit import audit_log


def _holder_repr(holder) -> dict:
    if isinstance(holder, Group):
        return {"group": holder.name}
    return {"user": holder.get_username()}


@transaction.atomic
def object_permission_grant(*, perm: str, to, obj, actor) -> None:
    assign_perm(perm, to, obj)
    audit_log(actor=actor, action="permission.granted", obj=obj, details={"permission": perm, **_holder_repr(to)})


@transaction.atomic
def object_permission_revoke(*, perm: str, from_, obj, actor) -> None:
    remove_perm(perm, from_, obj)
    audit_log(actor=actor, action="permission.revoked", obj=obj, details={"permission": perm, **_holder_repr(from_)})


def require_perm(user, perm: str, obj=None, *, hide: bool = True) -> None:
    """Raises 404 (the object's existence is not revealed) or 403 unless `user` holds `perm` (on `obj`)."""
    if user.has_perm(perm, obj) or (obj is not None and user.has_perm(perm)):
        return
    if hide and obj is not None:
        raise Http404
    raise PermissionDenied
