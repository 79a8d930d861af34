"""Meetings app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from orgdept.core.shell import NavItem, register_nav, register_work_queue

        from .home import member_sections
        from .views import INDEX_ROLES

        register_nav(NavItem(_("Meetings"), "meetings:index", roles=INDEX_ROLES, order=30))
        register_work_queue(member_sections)
