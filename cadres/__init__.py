"""Cadres: units, positions, cadre records, rosters and appointment proposals."""
