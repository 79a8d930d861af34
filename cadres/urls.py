"""Cadre URLs (namespace `cadres`)."""

from django.urls import path

from .views import records

app_name = "cadres"

urlpatterns = [
    path("", records.CadreListView.as_view(), name="cadre_list"),
    path("<int:pk>/", records.cadre_detail, name="cadre_detail"),
]
