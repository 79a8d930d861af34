"""Committees app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committees")

    def ready(self):
        from orgdept.core import roles
        from orgdept.core.shell import NavItem, register_nav, register_work_queue

        from .home import membership_sections

        perms = ["committees.view_committee", "committees.view_term", "committees.view_termmember"]
        for role in roles.COMMITTEE_BUSINESS:
            roles.register_role_permissions(role, perms)
        register_nav(NavItem(_("Committee"), "committees:term_overview", order=20, perm="committees.view_term"))
        register_work_queue(membership_sections)
