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


def _forget_object_permissions(sender, instance, **kwargs) -> None:
    """guardian's generic rows point at their object by type and key, with no foreign key to cascade: removed
    with the object, so that no grant outlives it (and none is inherited by a later row given the same key)."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    content_type = ContentType.objects.get_for_model(sender)
    for model in (UserObjectPermission, GroupObjectPermission):
        model.objects.filter(content_type=content_type, object_pk=str(instance.pk)).delete()


def forget_object_permissions_on_delete(model) -> None:
    """For each model whose objects are granted permissions (see `object_permission_grant`), at start-up."""
    from django.db.models.signals import post_delete

    post_delete.connect(_forget_object_permissions, sender=model, dispatch_uid=f"forget-perms-{model._meta.label}")
