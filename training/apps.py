"""Training app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from orgdept.core import roles
        from orgdept.core.shell import NavItem, register_nav

        register_nav(NavItem(_("Training"), "training:index", roles=(roles.SYSTEM_ADMIN, roles.DEPARTMENT_LEADER, roles.TRAINING_SECTION), order=40))
