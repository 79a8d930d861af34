"""Cadre URLs (namespace `cadres`)."""

from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("", views.CadreListView.as_view(), name="cadre_list"),
    path("<int:pk>/", views.cadre_detail, name="cadre_detail"),
]
