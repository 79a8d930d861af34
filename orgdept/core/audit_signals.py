"""Permission changes made anywhere (admin, shell, services) are written to the audit trail."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .audit import audit_log, request_user

User = get_user_model()


def _describe(model, pks):
    if not pks:
        return []
    return sorted(str(o) for o in model.objects.filter(pk__in=pks))


def _record(instance, action, model, pk_set, kind):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return  # Django signals an add of what is already there with an empty pk_set: nothing changed
    verb = {"post_add": "granted", "post_remove": "revoked", "post_clear": "cleared"}[action]
    audit_log(
        actor=request_user(),
        action=f"{kind}.{verb}",
        obj=instance,
        details={"items": _describe(model, pk_set or [])},
    )


@receiver(m2m_changed, sender=User.groups.through)
def user_groups_changed(sender, instance, action, model, pk_set, **kwargs):
    _record(instance, action, model, pk_set, "user.groups")


@receiver(m2m_changed, sender=User.user_permissions.through)
def user_permissions_changed(sender, instance, action, model, pk_set, **kwargs):
    _record(instance, action, model, pk_set, "user.permissions")


@receiver(m2m_changed, sender=Group.permissions.through)
def group_permissions_changed(sender, instance, action, model, pk_set, **kwargs):
    # sync_role_permissions writes its own, more specific event
    if getattr(instance, "_orgdept_syncing", False):
        return
    _record(instance, action, model, pk_set, "group.permissions")
