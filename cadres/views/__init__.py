"""Cadre pages, one module per area: records, roster import, approval forms, team structure."""
