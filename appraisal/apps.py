"""Appraisal app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self):
        from orgdept.core.shell import NavItem, register_nav

        from .views import INDEX_ROLES

        register_nav(NavItem(_("Appraisal"), "appraisal:index", roles=INDEX_ROLES, order=50))
