"""Appraisal app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self):
        self._register_rules()
        self._register_pages()
        self._register_page_audit()

    def _register_pages(self):
        from cadres.extensions import register_cadre_link
        from orgdept.core.shell import NavItem, register_nav, register_work_queue

        from .home import appraisal_sections, has_own_results, is_voter
        from .views import INDEX_ROLES
        from .views.common import VIEW_RESULT

        register_nav(NavItem(_("Appraisal"), "appraisal:index", roles=INDEX_ROLES, order=50))
        # voters and appraised cadres hold no appraisal role: their entries follow what they are
        register_nav(NavItem(_("My ballots"), "appraisal:my_ballots", order=51, visible_when=is_voter))
        register_nav(NavItem(_("My appraisal results"), "appraisal:my_results", order=52, visible_when=has_own_results))
        register_work_queue(appraisal_sections)
        register_cadre_link(_("Appraisal record"), "appraisal:cadre_history", perm=VIEW_RESULT)

    def _register_rules(self):
        """Roles' permissions, audit labels, the qualification check and the 年度考核结果 line of the 任免审批表."""
        from orgdept.core import roles
        from orgdept.core.audit_actions import register_audit_action

        models = (
            "appraisalcycle",
            "cycletransition",
            "appraisalgroup",
            "groupmember",
            "indicator",
            "indicatorscore",
            "votergroup",
            "voter",
            "evaluationelement",
            "ballot",
            "ballotline",
            "appraisalresult",
            "talk",
        )
        view = [f"appraisal.view_{m}" for m in models]
        edit = [f"appraisal.{verb}_{m}" for m in models for verb in ("add", "change", "delete")]
        publish = "appraisal.publish_appraisalcycle"
        # 考核办 run the whole appraisal and publish it; 部领导 follow it and may publish the results they agreed;
        # administrators see it without changing it (ratings are not theirs to set). Voters and appraised cadres
        # need no model permission: appraisal.permissions lets them see their own ballots and result.
        roles.register_role_permissions(roles.APPRAISAL_OFFICE, [*view, *edit, publish])
        roles.register_role_permissions(roles.DEPARTMENT_LEADER, [*view, publish])
        roles.register_role_permissions(roles.SYSTEM_ADMIN, view)
        for action, label in (
            ("appraisal_cycle.created", "新建年度考核"),
            ("appraisal_cycle.evaluation_opened", "开始民主测评"),
            ("appraisal_cycle.evaluation_closed", "结束民主测评"),
            ("appraisal_cycle.stepped_back", "考核退回上一阶段"),
            ("appraisal_cycle.computed", "计算考核得分"),
            ("appraisal_cycle.rating_started", "开始评定等次"),
            ("appraisal_cycle.published", "公布考核结果"),
            ("appraisal_cycle.archived", "考核归档"),
            ("appraisal_group.created", "新建考核组"),
            ("appraisal_group.members_added", "增加考核对象"),
            ("appraisal_indicator.added", "增加考核指标"),
            ("appraisal_indicator.updated", "修改考核指标"),
            ("appraisal_voter_group.added", "增加测评人员类别"),
            ("appraisal_element.added", "增加测评要素"),
            ("appraisal_voter.added", "增加测评人"),
            ("appraisal_score.entered", "录入指标得分"),
            ("appraisal_scores.imported", "导入指标得分"),
            ("appraisal_ballot.submitted", "填写测评票"),
            ("appraisal_ballot.entered", "录入纸质测评票"),
            ("appraisal_result.rated", "评定考核等次"),
            ("appraisal_result.team_rated", "评定班子等次"),
            ("appraisal_talk.recorded", "记录谈话"),
        ):
            register_audit_action(action, label)

        from cadres.extensions import register_appraisal_summary, register_qualification_check

        from . import checks
        from .selectors import appraisal_summaries, appraisal_summary

        register_qualification_check(checks.APPRAISAL_CHECK)
        register_appraisal_summary(appraisal_summary, many=appraisal_summaries)

        from orgdept.core.imports import register_import_kind

        from .imports import SCORE_IMPORT_KIND

        register_import_kind(SCORE_IMPORT_KIND)

    def _register_page_audit(self):
        """The pages' own audit events: who looked at the results."""
        from orgdept.core.audit_actions import register_audit_action

        register_audit_action("appraisal_results.viewed", "查看考核结果")
        register_audit_action("appraisal_results.viewed_own", "查看本人考核结果")
        register_audit_action("appraisal_results.summary_printed", "打印考核结果汇总表")
        register_audit_action("appraisal_results.exported", "导出考核结果")
        register_audit_action("appraisal_consequences.viewed", "查看考核结果运用名单")
        register_audit_action("appraisal_history.viewed", "查看年度考核记录")
        register_audit_action("appraisal_ballots.viewed", "查看纸质测评票")
        register_audit_action("appraisal_scores.viewed", "查看指标得分")
        register_audit_action("appraisal_results.sheet_printed", "打印考核结果反馈表")
        register_audit_action("appraisal_results.unit_report_printed", "打印单位考核情况报告")
        register_audit_action("appraisal_ballots.blank_printed", "打印民主测评表")
        register_audit_action("appraisal_ballots.own_printed", "打印本人测评记录")
