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
        register_work_queue(member_sections)
