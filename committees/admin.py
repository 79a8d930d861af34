"""Committee admin: read-only. Terms, members and plans change through 组织科's pages, whose services
check the quotas and write the audit trail."""

from django.contrib import admin

from .models import Committee, Term, TermMember


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ("name", "short_name")


@admin.register(Term)
class TermAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "starts_on", "ends_on", "members_quota", "alternates_quota", "standing_quota")


@admin.register(TermMember)
class TermMemberAdmin(ReadOnlyAdmin):
    list_display = ("cadre", "term", "role", "joined_on", "left_on", "order")
    list_filter = ("term", "role")
    search_fields = ("cadre__name",)
