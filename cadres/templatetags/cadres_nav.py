"""The cadre section's own navigation: one row of links under the main menu to the cadre list and the views of
the whole body of cadres that left the main menu to keep it on one line (team structure, rotation watch)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()


def section_links(user) -> list[tuple[str, str, str]]:
    """(key, label, url) for each part of the cadre section `user` may open, in menu order."""
    if not user.has_perm("cadres.view_cadre"):
        return []
    return [
        ("cadres", _("Cadre list"), reverse("cadres:cadre_list")),
        ("structure", _("Team structure"), reverse("cadres:structure")),
        ("rotation", _("Rotation watch"), reverse("cadres:rotation")),
    ]


@register.inclusion_tag("cadres/section_nav.html", takes_context=True)
def cadres_nav(context, current: str = ""):
    return {"links": section_links(context["request"].user), "current": current}
