"""Appraisal services: every write of the appraisal app."""
