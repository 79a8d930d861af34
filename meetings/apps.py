"""Meetings app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from orgdept.core import roles
        from orgdept.core.shell import NavItem, register_nav

        register_nav(NavItem(_("Meetings"), "meetings:index", roles=(roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER, roles.ORGANIZATION_SECTION, roles.CADRE_SECTION, roles.STANDING_MEMBER, roles.MEMBER), order=30))
