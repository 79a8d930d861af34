"""Committee pages, one module per area: terms and members, portfolio plans, absences."""
