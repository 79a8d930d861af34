"""Meetings app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# the department staff who prepare the committee's meetings see all of them; members see the meetings they attend
RECORDS = (
    "topic",
    "topiccadre",
    "topicmaterial",
    "topictransition",
    "consultation",
    "opinion",
    "meeting",
    "agendaitem",
    "attendance",
    "memberrelation",
    "recusal",
    "vote",
    "tallyentry",
    "itemresult",
    "decision",
    "followup",
    "followupnote",
)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from orgdept.core import roles
        from orgdept.core.shell import NavItem, register_nav, register_work_queue

        from .home import member_sections
        from .views.index import INDEX_ROLES

        rules = ("meetingtype", "topiccategory")
        for role in roles.COMMITTEE_BUSINESS:
            roles.register_role_permissions(role, [f"meetings.view_{m}" for m in rules])
        for role in (roles.DEPARTMENT_LEADER, roles.ORGANIZATION_SECTION, roles.CADRE_SECTION):
            roles.register_role_permissions(role, [f"meetings.view_{m}" for m in RECORDS])
        # 组织科 runs the meetings; 干部科 prepares the cadre items
        roles.register_role_permissions(
            roles.ORGANIZATION_SECTION, [f"meetings.{a}_{m}" for m in RECORDS for a in ("add", "change")]
        )
        roles.register_role_permissions(
            roles.CADRE_SECTION,
            [
                f"meetings.{a}_{m}"
                for m in ("topic", "topiccadre", "topicmaterial", "consultation")
                for a in ("add", "change")
            ],
        )
        # the rules of procedure are kept by administrators
        roles.register_role_permissions(
            roles.SYSTEM_ADMIN,
            ["meetings.change_meetingtype", "meetings.add_topiccategory", "meetings.change_topiccategory"],
        )

        register_nav(NavItem(_("Meetings"), "meetings:index", roles=INDEX_ROLES, order=30))
        # attendance is granted per meeting: the grants go with the meeting
        from orgdept.core.object_permissions import forget_object_permissions_on_delete

        from .models import Meeting

        forget_object_permissions_on_delete(Meeting)
        register_work_queue(member_sections)

        # the rules of procedure and cadence compliance
        from orgdept.core.audit_actions import register_audit_action

        from .home import cadence_sections

        register_work_queue(cadence_sections)
        register_audit_action("meeting_type.updated", "修改议事规则")
        register_audit_action("topic_category.created", "新建议题类别")
        register_audit_action("topic_category.updated", "修改议题类别")

        # the meeting documents (notice, agenda pack, minutes, ballots)
        from . import pdf

        pdf.register()

        # decisions and their follow-up (督办)
        for action, label in (
            ("decision.recorded", "形成决定事项"),
            ("decision.updated", "修改决定事项"),
            ("decision.reconsidered", "复议决定"),
            ("follow_up.assigned", "交办督办事项"),
            ("follow_up.noted", "填报督办进展"),
            ("follow_up.deadline_changed", "调整督办期限"),
            ("follow_up.closed", "督办事项办结"),
        ):
            register_audit_action(action, label)

        # topics (议题): entry, cadres, materials, status changes, consultations; every material download
        for action, label in (
            ("topic.created", "新建议题"),
            ("topic.updated", "修改议题"),
            ("topic.cadre_added", "议题增加涉及的干部"),
            ("topic.cadre_removed", "议题删除涉及的干部"),
            ("topic.material_added", "上传议题材料"),
            ("topic.material_removed", "删除议题材料"),
            ("topic.submitted", "提交议题"),
            ("topic.approved", "议题转为书记已审定"),
            ("topic.draft", "议题退回草稿"),
            ("topic.scheduled", "议题列入议程"),
            ("topic.decided", "议题已决定"),
            ("topic.deferred", "议题缓议"),
            ("topic.withdrawn", "撤回议题"),
            ("consultation.requested", "征求意见"),
            ("opinion.submitted", "提交书面意见"),
            ("opinion.revised", "修改书面意见"),
            ("consultation.closed", "结束征求意见"),
            ("material.downloaded", "下载议题材料"),
        ):
            register_audit_action(action, label)

        # meetings: scheduling, agenda, leave and attendance, the recusal registry and recusals, votes and tallies
        for action, label in (
            ("meeting.scheduled", "安排会议"),
            ("meeting.updated", "修改会议安排"),
            ("meeting.leave_requested", "会议请假"),
            ("meeting.attendance_taken", "登记出席情况"),
            ("meeting.opened", "会议开始"),
            ("meeting.adjourned", "会议结束"),
            ("meeting.cancelled", "取消会议"),
            ("agenda.item_added", "列入议程"),
            ("agenda.item_removed", "移出议程"),
            ("agenda.reordered", "调整议程顺序"),
            ("agenda.item_deferred", "议题缓议"),
            ("agenda.item_discussed", "记录研究意见"),
            ("member_relation.added", "登记回避关系"),
            ("member_relation.ended", "撤销回避关系"),
            ("member_relations.refreshed", "从干部档案查找回避关系"),
            ("recusal.added", "登记回避"),
            ("vote.opened", "开始表决"),
            ("vote.recorded", "记录表决意见"),
            ("tally.entered", "录入计票结果"),
            ("tally.cleared", "清除计票结果"),
            ("vote.closed", "确定表决结果"),
        ):
            register_audit_action(action, label)
