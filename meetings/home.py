"""The meetings app's sections of the home page for committee members."""

from django.urls import reverse

from orgdept.core import roles
from orgdept.core.shell import QueueSection


def member_sections(user) -> list[QueueSection]:
    if not roles.has_role(user, roles.STANDING_MEMBER, roles.MEMBER):
        return []
    # Meetings and topics are recorded by the meetings module; until one is scheduled the lists are empty.
    return [
        QueueSection(
            title="近期会议",
            empty_text="暂无已安排的会议",
            more_url=reverse("meetings:index"),
            order=1,
        ),
        QueueSection(title="待提意见的议题", empty_text="暂无需要您提出意见的议题", order=2),
    ]
