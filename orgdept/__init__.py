"""orgdept: the organization department's cadre and decision-making system."""

from .celery import app as celery_app

__all__ = ("celery_app",)
