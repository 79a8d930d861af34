"""Roles are groups created by migration; declared permissions are granted after migrate; pages follow them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from orgdept.core import roles
from orgdept.core.audit import audit_log
from orgdept.core.models import AuditEvent
from orgdept.core.roles import declared_role_permissions, has_role, sync_role_permissions, user_roles

ROLE_NAMES = ["系统管理员", "部领导", "干部科", "组织科", "培训科", "考核办", "常委", "委员"]


def group_perms(name: str) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
    }


def test_the_eight_role_groups_exist_after_migrate(db):
    assert list(roles.ALL_ROLES) == ROLE_NAMES
    assert set(ROLE_NAMES) <= set(Group.objects.values_list("name", flat=True))


def test_declared_permissions_are_granted_after_migrate(db):
    for role, perms in declared_role_permissions().items():
        assert perms <= group_perms(role), role


def test_system_admin_reads_the_audit_trail_and_standing_members_do_not_read_cadre_files(db):
    assert "core.view_auditevent" in group_perms(roles.SYSTEM_ADMIN)
    assert "cadres.view_cadre" not in group_perms(roles.STANDING_MEMBER)
    assert "cadres.view_cadre" not in group_perms(roles.MEMBER)
    assert "committees.view_term" in group_perms(roles.STANDING_MEMBER)
    assert "core.view_auditevent" not in group_perms(roles.CADRE_SECTION)
    assert "cadres.change_cadre" in group_perms(roles.CADRE_SECTION)
    assert "cadres.change_cadre" not in group_perms(roles.DEPARTMENT_LEADER)


def test_user_permissions_follow_the_groups(make_user):
    admin = make_user(roles.SYSTEM_ADMIN)
    standing = make_user(roles.STANDING_MEMBER)
    assert admin.has_perm("core.view_auditevent")
    assert not standing.has_perm("cadres.view_cadre")
    assert user_roles(standing) == {roles.STANDING_MEMBER}
    assert has_role(admin, roles.SYSTEM_ADMIN, roles.MEMBER)
    assert not has_role(standing, roles.SYSTEM_ADMIN)


def test_sync_restores_a_removed_permission_once_and_audits_it(db):
    group = Group.objects.get(name=roles.SYSTEM_ADMIN)
    permission = Permission.objects.get(content_type__app_label="core", codename="view_auditevent")
    group.permissions.remove(permission)  # an administrator's change: audited as such
    assert AuditEvent.objects.filter(action="group.permissions.revoked", object_id=str(group.pk)).exists()
    seen = set(AuditEvent.objects.values_list("pk", flat=True))  # migrate's own grants are in the trail too

    assert sync_role_permissions() == 1
    assert sync_role_permissions() == 0

    assert "core.view_auditevent" in group_perms(roles.SYSTEM_ADMIN)
    new_events = list(AuditEvent.objects.exclude(pk__in=seen))
    assert [(e.action, e.object_repr, e.details) for e in new_events] == [
        ("role.permission_granted", roles.SYSTEM_ADMIN, {"permission": "core.view_auditevent"})
    ]


def test_sync_never_removes_what_an_administrator_granted(db):
    group = Group.objects.get(name=roles.MEMBER)
    extra = Permission.objects.get(content_type__app_label="core", codename="view_document")
    group.permissions.add(extra)
    sync_role_permissions()
    assert "core.view_document" in group_perms(roles.MEMBER)


def test_register_role_permissions_rejects_an_unknown_role():
    with pytest.raises(ValueError, match="unknown role"):
        roles.register_role_permissions("不存在的角色", ["core.view_auditevent"])


# --- pages ----------------------------------------------------------------------------------


def test_audit_trail_is_for_system_administrators(client, make_user):
    admin = make_user(roles.SYSTEM_ADMIN, username="sysadmin")
    audit_log(actor=admin, action="test.visible", object_repr="看得见的事件")

    client.force_login(admin)
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 200
    assert "看得见的事件" in response.content.decode()

    client.force_login(make_user(roles.CADRE_SECTION))
    assert client.get(reverse("core:audit_list")).status_code == 403

    client.logout()
    assert client.get(reverse("core:audit_list")).status_code == 302


def test_audit_trail_filters_by_action(client, make_user):
    admin = make_user(roles.SYSTEM_ADMIN)
    audit_log(actor=admin, action="test.one", object_repr="第一件")
    audit_log(actor=admin, action="test.two", object_repr="第二件")
    client.force_login(admin)
    html = client.get(reverse("core:audit_list"), {"action": "test.two"}).content.decode()
    assert "第二件" in html
    assert "第一件" not in html


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_home_page_serves_every_role_and_shows_system_health_only_to_administrators(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get("/")
    assert response.status_code == 200
    health_shown = 'data-testid="system-health"' in response.content.decode()
    assert health_shown == (role == roles.SYSTEM_ADMIN)
    assert ("checks" in response.context) == (role == roles.SYSTEM_ADMIN)


def test_home_page_for_a_user_without_a_role(client, make_user):
    client.force_login(make_user())
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-testid="system-health"' not in response.content.decode()


def test_system_health_reports_the_calendar_and_database(client, make_user):
    client.force_login(make_user(roles.SYSTEM_ADMIN))
    checks = {c.name: c for c in client.get("/").context["checks"]}
    assert checks["数据库"].ok
    assert checks["任务队列"].ok
    assert "节假日安排" in checks
    assert checks["文件生成"].ok


def test_navigation_follows_permissions(client, make_user):
    client.force_login(make_user(roles.STANDING_MEMBER))
    html = client.get("/").content.decode()
    assert f'href="{reverse("cadres:cadre_list")}"' not in html
    assert f'href="{reverse("core:audit_list")}"' not in html

    client.force_login(make_user(roles.SYSTEM_ADMIN))
    html = client.get("/").content.decode()
    assert f'href="{reverse("cadres:cadre_list")}"' in html
    assert f'href="{reverse("core:audit_list")}"' in html
