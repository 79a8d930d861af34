"""The shared kernel: audit trail, working-day calendar, documents, notifications, roles, UI shell."""
