"""Every write to the training app goes through these services: plans, classes and sessions, call-ups (调训),
attendance and completion, and the credit-hour ledger. Import them from their modules (training.services.plans …)."""
