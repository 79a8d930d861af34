"""The committees app's section of the home page: the signed-in member's seat in the current term."""

from django.urls import reverse

from orgdept.core.shell import QueueItem, QueueSection

from .models import TermMember
from .selectors import current_term


def membership_sections(user) -> list[QueueSection]:
    cadre = getattr(user, "cadre", None) if user.is_authenticated else None
    if cadre is None:
        return []
    term = current_term()
    if term is None:
        return []
    seats = TermMember.objects.filter(term=term, cadre=cadre, left_on__isnull=True)
    items = [
        QueueItem(
            label=f"{term}{seat.get_role_display()}",
            url=reverse("committees:term_overview"),
            detail=f"{seat.joined_on:%Y.%m}起",
        )
        for seat in seats
    ]
    return [QueueSection(title="我的任职", items=items, empty_text="您不是本届区委成员", order=5)]
