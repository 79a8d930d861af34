"""Context for the shell: navigation for the user's roles and the unread notification count."""

from django.conf import settings
from django.urls import reverse

from .roles import user_roles
from .shell import nav_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_name": settings.ORGDEPT_SITE_NAME}
    roles = user_roles(user)
    return {
        "site_name": settings.ORGDEPT_SITE_NAME,
        "nav_links": nav_links(nav_for(user), request.path),
        "user_roles": sorted(roles),
        "two_factor_offered": user.is_superuser or bool(roles & set(settings.ORGDEPT_TWO_FACTOR_ROLES)),
        "unread_count": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }


def nav_links(items, path: str) -> list[tuple]:
    """(item, url, current) for each entry; the current one is the longest URL that the path starts with."""
    links = [(item, reverse(item.url_name)) for item in items]
    matching = [url for _item, url in links if path == url or (url != "/" and path.startswith(url))]
    current = max(matching, key=len, default=None)
    return [(item, url, url == current) for item, url in links]
