"""Kernel admin: the audit trail is read-only; the calendar is editable by administrators."""

from django.contrib import admin

from .models import AuditEvent, CalendarDay, CalendarYear, Document, Notification, Reminder


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor_username", "action", "object_type", "object_id", "object_repr", "client_ip")
    list_filter = ("action", "object_type", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("actor_username", "action", "object_repr", "object_id")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "note", "updated_at")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "requested_by", "created_at", "attempts")
    list_filter = ("status", "kind")
    readonly_fields = ("kind", "params", "file", "filename", "requested_by", "attempts", "error", "finished_at")

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "created_at", "read_at", "email_sent_at")
    list_filter = ("read_at",)
    search_fields = ("title", "recipient__username")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "due_at", "delivered_at")
    search_fields = ("title", "key")
