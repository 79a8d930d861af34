"""The meetings section's own navigation: one row of links, under the main menu, to the parts of the section the
user may open (meetings or their portal, topics, decisions, follow-up and its report, the rules of procedure)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..permissions import is_meeting_staff
from ..views.portal import may_use_portal
from ..views.rules import VIEW_RULES
from ..views.topics import may_list_topics

register = template.Library()


def section_links(user) -> list[tuple[str, str, str]]:
    """(key, label, url) for each part of the meetings section `user` may open, in menu order."""
    links = []
    if is_meeting_staff(user):
        links.append(("meetings", _("Meetings"), reverse("meetings:meeting_list")))
    if may_use_portal(user):
        links.append(("portal", _("My meetings"), reverse("meetings:portal")))
    if may_list_topics(user):
        links.append(("topics", _("Topics"), reverse("meetings:topic_list")))
    links.append(("decisions", _("Decisions"), reverse("meetings:decision_list")))
    links.append(("follow_ups", _("Follow-up"), reverse("meetings:follow_up_list")))
    if user.has_perm("meetings.view_followup"):
        links.append(("report", _("Follow-up report"), reverse("meetings:follow_up_report")))
    if user.has_perm(VIEW_RULES):
        links.append(("rules", _("Rules of procedure"), reverse("meetings:rule_list")))
    return links


@register.inclusion_tag("meetings/section_nav.html", takes_context=True)
def meetings_nav(context, current: str = ""):
    return {"links": section_links(context["request"].user), "current": current}
