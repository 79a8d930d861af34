"""Training app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from orgdept.core.shell import NavItem, register_nav

        from .views import INDEX_ROLES

        register_nav(NavItem(_("Training"), "training:index", roles=INDEX_ROLES, order=40))
