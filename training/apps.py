"""Training app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        self._register_rules()
        self._register_pages()

    def _register_pages(self):
        """The menu entry, the audit labels of reading and exporting, the transcript linked from the cadre's file."""
        from cadres.extensions import register_cadre_link
        from orgdept.core.audit_actions import register_audit_action
        from orgdept.core.shell import NavItem, register_nav

        from .views import INDEX_ROLES

        register_nav(NavItem(_("Training"), "training:index", roles=INDEX_ROLES, order=40))
        for action, label in (
            ("training.transcript_viewed", "查看培训学时档案"),
            ("training.transcript_exported", "下载培训学时证明"),
            ("training.shortfalls_exported", "导出学时缺口统计"),
        ):
            register_audit_action(action, label)
        register_cadre_link(_("Training transcript"), "training:transcript", perm="training.view_creditentry")

    def _register_rules(self):
        """Roles' permissions, audit labels, the qualification check, the credit import (the services' side)."""
        from orgdept.core import roles
        from orgdept.core.audit_actions import register_audit_action

        models = ("trainingplan", "trainingclass", "classsession", "enrolment", "attendance", "creditentry")
        view = [f"training.view_{m}" for m in models]
        edit = [f"training.{verb}_{m}" for m in models for verb in ("add", "change")]
        # 培训科 run the plans, classes, call-ups, attendance and the ledger; 部领导 follow them and approve plans;
        # administrators keep the data in order, as in the cadres app, without approving
        roles.register_role_permissions(roles.TRAINING_SECTION, [*view, *edit])
        roles.register_role_permissions(roles.DEPARTMENT_LEADER, [*view, "training.approve_trainingplan"])
        roles.register_role_permissions(roles.SYSTEM_ADMIN, [*view, *edit])
        for action, label in (
            ("training_plan.created", "新建培训计划"),
            ("training_plan.updated", "修改培训计划"),
            ("training_plan.submitted", "报送培训计划"),
            ("training_plan.approved", "审批培训计划"),
            ("training_plan.returned", "退回培训计划"),
            ("training_class.created", "新建培训班"),
            ("training_class.updated", "修改培训班"),
            ("training_class.added_to_approved_plan", "已审批计划增加培训班"),
            ("training_class.amended", "修改已审批计划的培训班"),
            ("training_class.closed", "培训班结业"),
            ("class_session.added", "增加课次"),
            ("class_session.removed", "删除课次"),
            ("enrolment.called_up", "调训"),
            ("enrolment.called_up_overlapping", "日期重叠仍调训"),
            ("enrolment.withdrawn", "退训"),
            ("enrolment.closed", "结业认定"),
            ("attendance.recorded", "记录考勤"),
            ("credit.recorded", "登记学时"),
            ("credit.removed", "删除学时记录"),
            ("credit.imported", "导入学时"),
            ("credits.imported", "导入学时文件"),
        ):
            register_audit_action(action, label)

        from cadres.extensions import register_qualification_check

        from . import checks

        register_qualification_check(checks.TRAINING_CHECK)

        from orgdept.core.imports import register_import_kind

        from .imports import CREDIT_IMPORT_KIND

        register_import_kind(CREDIT_IMPORT_KIND)
