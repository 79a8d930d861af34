"""Meetings pages, one module per area."""
