"""Every read of the meetings app used by pages and tasks, one module per area."""
