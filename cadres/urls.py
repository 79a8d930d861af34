"""Cadre URLs (namespace `cadres`)."""

from django.urls import path

from .views import records

app_name = "cadres"

urlpatterns = [
    path("", records.CadreListView.as_view(), name="cadre_list"),
    path("<int:pk>/", records.cadre_detail, name="cadre_detail"),
    path("new/", records.cadre_new, name="cadre_new"),
    path("<int:pk>/edit/", records.cadre_edit, name="cadre_edit"),
    path("<int:pk>/edit/education/", records.cadre_edit_education, name="cadre_edit_education"),
    path("<int:pk>/edit/photo/", records.cadre_edit_photo, name="cadre_edit_photo"),
    path("<int:pk>/edit/<slug:section>/", records.cadre_edit_section, name="cadre_edit_section"),
    path("<int:pk>/photo/", records.cadre_photo, name="cadre_photo"),
]
