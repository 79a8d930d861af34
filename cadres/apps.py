"""Cadres app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("Cadres")

    def ready(self):
        from orgdept.core import roles
        from orgdept.core.shell import NavItem, register_nav, register_work_queue

        from .home import cadre_sections

        viewers = (
            roles.SYSTEM_ADMIN,
            roles.DEPARTMENT_LEADER,
            roles.CADRE_SECTION,
            roles.ORGANIZATION_SECTION,
            roles.TRAINING_SECTION,
            roles.APPRAISAL_OFFICE,
        )
        for role in viewers:
            roles.register_role_permissions(role, ["cadres.view_cadre", "cadres.view_unit"])
        for role in (roles.SYSTEM_ADMIN, roles.CADRE_SECTION):
            roles.register_role_permissions(
                role, ["cadres.add_cadre", "cadres.change_cadre", "cadres.add_unit", "cadres.change_unit"]
            )
        register_nav(NavItem(_("Cadres"), "cadres:cadre_list", order=10, perm="cadres.view_cadre"))
        register_work_queue(cadre_sections)
