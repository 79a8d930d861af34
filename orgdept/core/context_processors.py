"""Context for the shell: navigation for the user's roles and the unread notification count."""

from django.conf import settings

from .roles import user_roles
from .shell import nav_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_name": settings.ORGDEPT_SITE_NAME}
    return {
        "site_name": settings.ORGDEPT_SITE_NAME,
        "nav_items": nav_for(user),
        "user_roles": sorted(user_roles(user)),
        "unread_count": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }
