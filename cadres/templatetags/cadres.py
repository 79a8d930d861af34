"""Template filters of the cadre pages."""

from django import template
from django.core.exceptions import FieldDoesNotExist

from ..extensions import cadre_links as registered_cadre_links
from ..models import Cadre

register = template.Library()


@register.filter
def cadre_field_label(name: str) -> str:
    """The readable name of a cadre field in the change history (section names are already readable)."""
    try:
        return str(Cadre._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@register.simple_tag(takes_context=True)
def cadre_links(context, cadre) -> list[tuple[str, str]]:
    """The links higher apps register on a cadre's file page (cadres.extensions.register_cadre_link)."""
    return registered_cadre_links(context["request"].user, cadre)
