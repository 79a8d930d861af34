"""Demo data app (management command load_demo)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "orgdept.demo"
    label = "demo"
    verbose_name = "演示数据"
