"""Committee URLs (namespace `committees`)."""

from django.urls import path

from . import views

app_name = "committees"

urlpatterns = [
    path("", views.term_overview, name="term_overview"),
]
