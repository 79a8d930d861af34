"""Committees app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committees")

    def ready(self):
        from orgdept.core import roles
        from orgdept.core.audit_actions import register_audit_action
        from orgdept.core.imports import register_import_kind
        from orgdept.core.shell import NavItem, register_nav, register_work_queue

        from . import pdf
        from .home import committee_sections
        from .services.member_import import MEMBER_IMPORT_KIND

        models = (
            "committee",
            "term",
            "termmember",
            "termmemberrolechange",
            "workarea",
            "portfolioplan",
            "portfolioassignment",
            "substitutearrangement",
            "leave",
            "quarterlyreport",
        )
        for role in roles.COMMITTEE_BUSINESS:
            roles.register_role_permissions(role, [f"committees.view_{m}" for m in models])
        # 组织科 keeps the committee's records
        roles.register_role_permissions(
            roles.ORGANIZATION_SECTION,
            [f"committees.{action}_{m}" for m in models for action in ("add", "change")],
        )
        register_nav(NavItem(_("Committee"), "committees:term_overview", order=20, perm="committees.view_term"))
        register_nav(NavItem(_("Portfolios"), "committees:portfolio", order=21, perm="committees.view_portfolioplan"))
        register_nav(
            NavItem(
                _("Substitutes and leave"),
                "committees:substitute_list",
                order=22,
                perm="committees.view_substitutearrangement",
            )
        )
        register_nav(NavItem(_("My portfolio"), "committees:my_portfolio", roles=(roles.STANDING_MEMBER,), order=23))
        register_work_queue(committee_sections)
        register_import_kind(MEMBER_IMPORT_KIND)
        pdf.register()
        for action, label in (
            ("term.updated", "修改届次"),
            ("term.changed", "换届"),
            ("term_member.updated", "修改委员信息"),
            ("term_member.role_changed", "委员身份变动"),
            ("term_member.left", "委员离任"),
            ("term_member.alternate_promoted", "候补委员递补"),
            ("term_members.imported", "导入委员名单"),
            ("term_members.previewed", "查看委员名单导入预览"),
            ("work_area.created", "新增分管领域"),
            ("work_area.updated", "修改分管领域"),
            ("portfolio_plan.drafted", "起草常委分工"),
            ("portfolio_plan.updated", "修改分工草稿"),
            ("portfolio_assignment.set", "调整分工"),
            ("portfolio_plan.activated", "分工生效"),
            ("portfolio_plan.superseded", "分工被新版本取代"),
            ("portfolio_plan.discarded", "废弃分工草稿"),
            ("substitute.designated", "安排缺位互补"),
            ("leave.recorded", "登记请假"),
            ("leave.cancelled", "取消请假"),
            ("quarterly_report.recorded", "登记季度报告"),
        ):
            register_audit_action(action, label)
