"""Template filters of the cadre pages."""

from django import template
from django.core.exceptions import FieldDoesNotExist

from ..models import Cadre

register = template.Library()


@register.filter
def cadre_field_label(name: str) -> str:
    """The readable name of a cadre field in the change history (section names are already readable)."""
    try:
        return str(Cadre._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
