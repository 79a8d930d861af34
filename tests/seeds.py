"""The rows the data migrations seed (roles and their permissions, the holiday calendar, work areas, meeting rules).

A transactional test's flush removes them; tests that build data through the services after one call
`migration_data_reseed()` (each seed is safe to run again).
"""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps


def migration_data_reseed() -> None:
    from orgdept.core import roles

    core = importlib.import_module("orgdept.core.migrations.0002_roles_calendar_audit_guard")
    core.create_roles(django_apps, None)
    core.seed_calendar(django_apps, None)
    importlib.import_module("committees.migrations.0003_seed_work_areas").seed(django_apps, None)
    importlib.import_module("meetings.migrations.0002_seed_meeting_rules").seed(django_apps, None)
    roles.sync_role_permissions_after_migrate(sender=None)
