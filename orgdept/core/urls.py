"""Kernel URLs (namespace `core`)."""

from django.urls import path

from . import signin, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("account/two-factor/", signin.two_factor_settings, name="two_factor"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("documents/", views.DocumentListView.as_view(), name="document_list"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/import/", views.calendar_import_view, name="calendar_import"),
    path("calendar/<int:year>.csv", views.calendar_export_view, name="calendar_export"),
    path("calendar/<int:year>/pdf/", views.calendar_pdf_view, name="calendar_pdf"),
    path("audit/", views.AuditEventListView.as_view(), name="audit_list"),
]
