"""Template filters for Chinese date formats and the shell."""

from datetime import date

from django import template

from ..yearmonth import age_on, cn_date, format_year_month

register = template.Library()


@register.filter
def ym(value):
    """1975.03"""
    return format_year_month(value)


register.filter("cn_date", cn_date)


@register.filter
def age(birth):
    return age_on(birth, date.today()) if birth else ""


@register.simple_tag(takes_context=True)
def page_url(context, number):
    qs = context.get("querystring", "")
    return f"?{qs + '&' if qs else ''}page={number}"


@register.filter
def audit_label(code):
    from ..audit_actions import audit_action_label

    return audit_action_label(code)


@register.filter
def minutes(value):
    """A timedelta as whole minutes (rounded up)."""
    if not value:
        return ""
    return -(-int(value.total_seconds()) // 60)


@register.filter
def display_name(user):
    """A Chinese full name is family name then given name, without a space."""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.get_username()
