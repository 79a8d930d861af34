"""Cadre admin (for administrators; staff work in the cadre pages)."""

from django.contrib import admin

from .models import Cadre, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "parent", "order")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    list_display = ("name", "gender", "birth_month", "unit", "current_post", "rank")
    list_filter = ("rank", "gender", "unit__kind")
    search_fields = ("name", "id_number", "name_initials")
    list_select_related = ("unit",)
    raw_id_fields = ("unit", "user")
