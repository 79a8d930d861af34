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
        from orgdept.core.audit_actions import register_audit_action

        for action, label in (
            ("cadre.updated", "修改干部档案"),
            ("cadre.position_assigned", "任职变动"),
            ("cadre.photo_changed", "更换照片"),
            ("cadre.initials_refreshed", "重新计算姓名拼音首字母"),
        ):
            register_audit_action(action, label)

        # units and quotas, team structure, rotation watch, the built-in qualification checks
        from . import checks, structure_pdf

        register_nav(NavItem(_("Units and quotas"), "cadres:unit_list", order=11, perm="cadres.view_unit"))
        register_nav(NavItem(_("Team structure"), "cadres:structure", order=12, perm="cadres.view_cadre"))
        register_nav(NavItem(_("Rotation watch"), "cadres:rotation", order=13, perm="cadres.view_cadre"))
        for action, label in (
            ("unit.updated", "修改单位"),
            ("position.created", "新建职务"),
            ("position.updated", "修改职务"),
            ("quota.changed", "调整职数"),
        ):
            register_audit_action(action, label)
        structure_pdf.register()
        checks.register_checks()

        # roster (花名册) import and export
        from orgdept.core.imports import register_import_kind

        from .services.roster import ROSTER_IMPORT_KIND

        register_import_kind(ROSTER_IMPORT_KIND)
        register_nav(NavItem(_("Roster import"), "cadres:roster_import", order=14, perm="cadres.add_cadre"))

        # the 干部任免审批表: its PDF document kind and the .lrmx export and import
        from . import approval_form

        approval_form.register()
        for action, label in (
            ("cadre.approval_form_requested", "申请生成干部任免审批表"),
            ("cadre.lrmx_exported", "导出任免审批表文件（lrmx）"),
            ("cadre.lrmx_imported", "导入任免审批表文件（lrmx）"),
        ):
            register_audit_action(action, label)
