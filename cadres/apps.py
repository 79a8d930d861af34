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
            ("cadre.position_left", "免去职务"),
            ("cadre.photo_changed", "更换照片"),
            ("cadre.initials_refreshed", "重新计算姓名拼音首字母"),
        ):
            register_audit_action(action, label)

        # units and quotas, team structure, rotation watch, the built-in qualification checks
        from . import checks, structure_pdf

        register_nav(NavItem(_("Units and quotas"), "cadres:unit_list", order=11, perm="cadres.view_unit"))
        # team structure and the rotation watch are reached from the cadre section's links (cadres_nav), which keeps
        # the main menu on one line
        for action, label in (
            ("unit.updated", "修改单位"),
            ("position.created", "新建职务"),
            ("position.updated", "修改职务"),
            ("quota.changed", "调整职数"),
        ):
            register_audit_action(action, label)
        structure_pdf.register()
        checks.register_checks()
        # grassroots experience, time at the lower level, rotation; avoidance in posts and by home area
        from . import checks_avoidance

        checks.register_appointment_checks()
        checks_avoidance.register_checks()

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

        # the appointment procedure: what the meetings app asks before a cadre item goes on an agenda, and the
        # audit labels of its steps
        from .extensions import register_decision_readiness
        from .services.proposals import proposal_readiness

        register_decision_readiness(proposal_readiness)
        for action, label in (
            ("proposal_round.created", "新建任免批次"),
            ("proposal.initiated", "任免事项动议"),
            ("proposal.recommended", "记录民主推荐结果"),
            ("proposal.inspected", "完成考察"),
            ("proposal.submitted", "提交讨论决定"),
            ("proposal.deferred", "任免事项缓议"),
            ("proposal.decided", "任免事项通过"),
            ("proposal.rejected", "任免事项未通过"),
            ("proposal.notice", "开始任前公示"),
            ("proposal.appointed", "任职"),
            ("proposal.confirmed", "试用期满转正"),
            ("proposal.returned", "试用期满未转正"),
            ("proposal.withdrawn", "撤回任免事项"),
            ("proposal.check_recorded", "记录凡提四必核查"),
            ("proposal.check_rerecorded", "重新记录凡提四必核查"),
            ("proposal.exceptional", "标明破格提拔"),
            ("proposal.notice_exempted", "免予任前公示"),
            ("proposal.objection_recorded", "登记公示期间反映"),
            ("proposal.objection_resolved", "办结公示期间反映"),
            ("recommendation.recorded", "记录民主推荐"),
            ("reserve.added", "列入后备干部"),
            ("reserve.removed", "移出后备干部"),
            ("selection.created", "新建竞争上岗"),
            ("selection.applicant_added", "竞争上岗报名"),
            ("selection.applicant_removed", "取消竞争上岗报名"),
            ("selection.scores_recorded", "登记竞争上岗成绩"),
            ("selection.closed", "确定竞争上岗人选"),
            ("proposal.viewed", "查看任免事项"),
            ("proposal_round.viewed", "查看任免批次"),
            ("selection.viewed", "查看竞争上岗"),
            ("proposal.document_added", "上传任免程序材料"),
            ("proposal.document_downloaded", "下载任免程序材料"),
        ):
            register_audit_action(action, label)

        # who works on the appointment procedure: 干部科 runs it; the department's leaders follow it
        procedure_models = (
            "proposalround",
            "appointmentproposal",
            "recommendation",
            "inspection",
            "mandatorycheck",
            "noticeobjection",
            "proposaldocument",
            "reservecadre",
            "competitiveselection",
            "selectionapplicant",
        )
        for role in (roles.DEPARTMENT_LEADER, roles.CADRE_SECTION):
            roles.register_role_permissions(role, [f"cadres.view_{model}" for model in procedure_models])
        roles.register_role_permissions(
            roles.CADRE_SECTION,
            [f"cadres.{verb}_{model}" for model in procedure_models for verb in ("add", "change")],
        )

        # the procedure's documents (任免审批表 pack, summary table, 任前公示, 任免通知) as document kinds
        from . import proposal_pdf

        proposal_pdf.register()
        for action, label in (
            ("proposal_round.document_requested", "申请生成任免批次文件"),
            ("proposal.document_requested", "申请生成任免事项文件"),
        ):
            register_audit_action(action, label)

        # the appointment procedure's pages
        register_nav(
            NavItem(_("Appointments"), "cadres:proposal_list", order=15, perm="cadres.view_appointmentproposal")
        )
