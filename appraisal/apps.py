"""Appraisal app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self):
        from orgdept.core import roles
        from orgdept.core.shell import NavItem, register_nav

        register_nav(NavItem(_("Appraisal"), "appraisal:index", roles=(roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER, roles.APPRAISAL_OFFICE), order=50))
