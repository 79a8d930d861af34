"""The audit trail: what audit_log records, that events are append-only, the read-only admin, permission changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from orgdept.core import roles
from orgdept.core.audit import audit_log
from orgdept.core.models import AuditEvent
from orgdept.core.object_permissions import object_permission_grant, object_permission_revoke
from tests.cadres.factories import make_cadre, make_unit

CLIENT_IP = "203.0.113.7"  # documentation range (RFC 5737): never a real host


@pytest.fixture
def event(make_user):
    actor = make_user(username="auditor")
    return audit_log(actor=actor, action="test.acted", obj=actor, details={"n": 1})


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_superuser=True, is_staff=True)


def test_audit_log_records_actor_action_object_and_details(make_user):
    actor = make_user(roles.CADRE_SECTION, username="alice")
    target = make_user(username="bob")

    event = audit_log(actor=actor, action="test.acted", obj=target, details={"why": "复核"})

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == actor
    assert event.actor_username == "alice"
    assert event.action == "test.acted"
    assert event.object_type == "auth.user"
    assert event.object_id == str(target.pk)
    assert event.object_repr == "bob"
    assert event.details == {"why": "复核"}
    assert event.client_ip is None  # not inside a request
    assert event.occurred_at is not None


def test_audit_log_without_a_signed_in_actor_is_a_system_event(db):
    event = audit_log(actor=AnonymousUser(), action="system.tick", object_type="x", object_id=7, object_repr="y")
    assert event.actor is None
    assert event.actor_username == ""
    assert (event.object_type, event.object_id, event.object_repr) == ("x", "7", "y")


def test_viewing_a_cadre_records_the_client_ip_from_the_request(client, make_user):
    viewer = make_user(roles.CADRE_SECTION, username="viewer")
    cadre = make_cadre(make_unit(), "李四")
    client.force_login(viewer)

    response = client.get(reverse("cadres:cadre_detail", args=[cadre.pk]), REMOTE_ADDR=CLIENT_IP)

    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="cadre.viewed").get()
    assert event.client_ip == CLIENT_IP
    assert event.actor == viewer
    assert event.object_id == str(cadre.pk)
    assert event.object_type == "cadres.cadre"
    # the request context ends with the request: later events carry no address
    assert audit_log(actor=viewer, action="test.after").client_ip is None


def test_forwarded_for_is_not_trusted_without_a_proxy_count(client, make_user, settings):
    settings.AXES_IPWARE_PROXY_COUNT = None
    viewer = make_user(roles.CADRE_SECTION)
    cadre = make_cadre(make_unit())
    client.force_login(viewer)
    client.get(
        reverse("cadres:cadre_detail", args=[cadre.pk]), REMOTE_ADDR=CLIENT_IP, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert AuditEvent.objects.get(action="cadre.viewed").client_ip == CLIENT_IP


# --- append-only through the ORM -------------------------------------------------------------


def test_saving_an_existing_event_is_refused(event):
    event.action = "tampered"
    with pytest.raises(PermissionError, match="只能追加"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.acted"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda: AuditEvent.objects.update(action="tampered"), id="manager.update"),
        pytest.param(lambda: AuditEvent.objects.all().delete(), id="all.delete"),
        pytest.param(lambda: AuditEvent.objects.filter(action="test.acted").delete(), id="filter.delete"),
        pytest.param(lambda: AuditEvent.objects.filter(action="test.acted").update(details={}), id="filter.update"),
        pytest.param(
            lambda: AuditEvent.objects.bulk_update(list(AuditEvent.objects.all()), ["action"]), id="bulk_update"
        ),
    ],
)
def test_bulk_changes_are_refused(event, operation):
    before = list(AuditEvent.objects.values_list("pk", "action", "details"))
    with pytest.raises(PermissionError):
        operation()
    assert list(AuditEvent.objects.values_list("pk", "action", "details")) == before


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_raw_sql_changes_are_refused_by_the_database(event, sql):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError, match="审计日志只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.acted"


# --- the admin shows the trail and changes nothing ------------------------------------------


def test_admin_changelist_and_change_page_are_readable(client, superuser, event):
    client.force_login(superuser)

    changelist = client.get(reverse("admin:core_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "test.acted" in changelist.content.decode()

    change = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    html = change.content.decode()
    assert "test.acted" in html
    assert 'name="_save"' not in html
    assert 'name="_continue"' not in html
    assert reverse("admin:core_auditevent_delete", args=[event.pk]) not in html


def test_admin_refuses_to_change_add_or_delete_events(client, superuser, event):
    client.force_login(superuser)

    post = client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"action": "tampered"})
    assert post.status_code == 403
    assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:core_auditevent_add"), {"action": "forged"}).status_code == 403

    assert AuditEvent.objects.get(pk=event.pk).action == "test.acted"
    assert not AuditEvent.objects.filter(action__in=["tampered", "forged"]).exists()


# --- permission changes are audited ---------------------------------------------------------


def test_adding_and_removing_a_group_is_audited(make_user):
    user = make_user(username="carol")
    group = Group.objects.get(name=roles.CADRE_SECTION)

    user.groups.add(group)
    granted = AuditEvent.objects.get(action="user.groups.granted")
    assert granted.object_type == "auth.user"
    assert granted.object_id == str(user.pk)
    assert granted.details == {"items": [roles.CADRE_SECTION]}

    user.groups.remove(group)
    revoked = AuditEvent.objects.get(action="user.groups.revoked")
    assert revoked.details == {"items": [roles.CADRE_SECTION]}


def test_adding_a_group_the_user_already_has_writes_no_event(make_user):
    user = make_user(roles.CADRE_SECTION)
    before = AuditEvent.objects.count()
    user.groups.add(Group.objects.get(name=roles.CADRE_SECTION))
    assert AuditEvent.objects.count() == before


def test_group_granted_in_the_admin_names_the_administrator_and_address(client, superuser, make_user):
    user = make_user(username="dave")
    group = Group.objects.get(name=roles.TRAINING_SECTION)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "dave",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [group.pk],
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2026-01-05",
            "initial-date_joined_1": "09:00:00",
        },
        REMOTE_ADDR=CLIENT_IP,
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert user.groups.filter(pk=group.pk).exists()
    event = AuditEvent.objects.get(action="user.groups.granted", object_id=str(user.pk))
    assert event.actor == superuser
    assert event.actor_username == "root"
    assert event.client_ip == CLIENT_IP
    assert event.details == {"items": [roles.TRAINING_SECTION]}


def test_object_permission_grant_and_revoke_are_audited(make_user):
    admin = make_user(roles.SYSTEM_ADMIN, username="admin1")
    holder = make_user(username="erin")
    unit = make_unit("区审计局")

    object_permission_grant(perm="cadres.change_unit", to=holder, obj=unit, actor=admin)

    assert holder.has_perm("cadres.change_unit", unit)
    granted = AuditEvent.objects.get(action="permission.granted")
    assert granted.actor == admin
    assert granted.object_type == "cadres.unit"
    assert granted.object_id == str(unit.pk)
    assert granted.details == {"permission": "cadres.change_unit", "user": "erin"}

    object_permission_revoke(perm="cadres.change_unit", from_=holder, obj=unit, actor=admin)
    holder = type(holder).objects.get(pk=holder.pk)  # fresh permission cache
    assert not holder.has_perm("cadres.change_unit", unit)
    assert AuditEvent.objects.get(action="permission.revoked").details == {
        "permission": "cadres.change_unit",
        "user": "erin",
    }


def test_the_audit_page_finds_events_by_person_object_and_time(client, make_user):
    import time_machine

    admin = make_user(roles.SYSTEM_ADMIN, username="shenji")
    alice, bob = make_user(username="alice"), make_user(username="bob")
    unit = make_unit()
    zhang, li = make_cadre(unit=unit, name="张三"), make_cadre(unit=unit, name="李四")
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False):
        audit_log(actor=alice, action="cadre.viewed", obj=zhang)
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        audit_log(actor=bob, action="cadre.viewed", obj=zhang)
        audit_log(actor=alice, action="cadre.viewed", obj=li)
    client.force_login(admin)
    url = reverse("core:audit_list")

    def found(**params):
        response = client.get(url, {"action": "cadre.viewed", **params})
        assert response.status_code == 200
        return sorted((e.actor_username, e.object_repr) for e in response.context["object_list"])

    assert found(actor="ALICE") == [("alice", "张三"), ("alice", "李四")]  # a username, whatever its case
    assert found(object_type="cadres.cadre", object_id=str(zhang.pk)) == [("alice", "张三"), ("bob", "张三")]
    assert found(date_from="2026-03-02") == [("alice", "李四"), ("bob", "张三")]
    assert found(date_to="2026-03-01") == [("alice", "张三")]
    assert found(actor="alice", date_from="2026-03-05", date_to="2026-03-05") == [("alice", "李四")]
    assert found(q="李四") == [("alice", "李四")]
    # each row links to everything its user did and everything done to its object
    page = client.get(url, {"actor": "bob"}).content.decode()
    assert f"?object_type=cadres.cadre&amp;object_id={zhang.pk}" in page and "?actor=bob" in page
