"""Root URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from orgdept.core.signin import SignInView, login_verify

admin.site.site_header = "组织部干部工作系统 · 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "系统管理"

urlpatterns = [
    # browsers ask for /favicon.ico on pages that name no icon (the admin site's)
    # (the icon's hashed name is looked up when asked for: production's manifest exists only after collectstatic)
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"), permanent=True), name="favicon"),
    # LoginView puts the request's host in "site_name"; the shell's site name must win.
    path("login/", SignInView.as_view(extra_context={"site_name": settings.ORGDEPT_SITE_NAME}), name="login"),
    path("login/verify/", login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    # the admin site signs in through our sign-in, with its lockout and its code step
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
    path("cadres/", include("cadres.urls")),
    path("committees/", include("committees.urls")),
    path("meetings/", include("meetings.urls")),
    path("training/", include("training.urls")),
    path("appraisal/", include("appraisal.urls")),
    path("", include("orgdept.core.urls")),
]
