"""Committee admin."""

from django.contrib import admin

from .models import Committee, Term, TermMember


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name")


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("__str__", "starts_on", "ends_on", "members_quota", "alternates_quota", "standing_quota")


@admin.register(TermMember)
class TermMemberAdmin(admin.ModelAdmin):
    list_display = ("cadre", "term", "role", "joined_on", "left_on", "order")
    list_filter = ("term", "role")
    search_fields = ("cadre__name",)
    raw_id_fields = ("cadre",)
