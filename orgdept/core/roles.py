"""Roles are groups; each app declares in code which model permissions each role holds.

The groups themselves are created by a migration; after every migrate the declared permissions
are granted (never silently removed: an administrator may have granted more).
"""

from __future__ import annotations

from collections import defaultdict

SYSTEM_ADMIN = "系统管理员"
DEPARTMENT_LEADER = "部领导"
CADRE_SECTION = "干部科"
ORGANIZATION_SECTION = "组织科"
TRAINING_SECTION = "培训科"
APPRAISAL_OFFICE = "考核办"
STANDING_MEMBER = "常委"
MEMBER = "委员"

ALL_ROLES = (
    SYSTEM_ADMIN,
    DEPARTMENT_LEADER,
    CADRE_SECTION,
    ORGANIZATION_SECTION,
    TRAINING_SECTION,
    APPRAISAL_OFFICE,
    STANDING_MEMBER,
    MEMBER,
)
DEPARTMENT_STAFF = (DEPARTMENT_LEADER, CADRE_SECTION, ORGANIZATION_SECTION, TRAINING_SECTION, APPRAISAL_OFFICE)
COMMITTEE_ROLES = (STANDING_MEMBER, MEMBER)
# who works with the committee's business: its members and the department staff who prepare it
COMMITTEE_BUSINESS = (SYSTEM_ADMIN, DEPARTMENT_LEADER, ORGANIZATION_SECTION, CADRE_SECTION, STANDING_MEMBER, MEMBER)

_role_permissions: dict[str, set[str]] = defaultdict(set)


def register_role_permissions(role: str, perms: list[str] | tuple[str, ...]) -> None:
    """Declare that `role` holds the model permissions `perms` ("app_label.codename")."""
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}")
    _role_permissions[role].update(perms)


def declared_role_permissions() -> dict[str, set[str]]:
    return {role: set(perms) for role, perms in _role_permissions.items()}


def user_roles(user) -> set[str]:
    """The role names of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_orgdept_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._orgdept_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def sync_role_permissions(*, verbosity: int = 0) -> int:
    """Grant every declared permission to its role's group; returns how many grants were added."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from .audit import audit_log

    # Permissions of apps migrated after this one are created now, so every grant can be made.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    added = 0
    for role, perms in declared_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        group._orgdept_syncing = True
        have = {f"{ct}.{code}" for ct, code in group.permissions.values_list("content_type__app_label", "codename")}
        missing = sorted(perms - have)
        for perm in missing:
            app_label, codename = perm.split(".", 1)
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:
                continue  # the model's migration has not run yet; the next migrate grants it
            group.permissions.add(permission)
            audit_log(actor=None, action="role.permission_granted", obj=group, details={"permission": perm})
            added += 1
    return added


def sync_role_permissions_after_migrate(sender, **kwargs):
    sync_role_permissions(verbosity=kwargs.get("verbosity", 0))
