"""Committees: terms, members, standing-committee portfolios and substitutes."""
