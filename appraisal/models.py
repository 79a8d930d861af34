"""Appraisal models."""
