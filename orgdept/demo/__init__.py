"""Demo data: a fictional district committee, its units and cadres, and one user per role."""
