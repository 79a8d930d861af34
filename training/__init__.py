"""Training: classes, plans, attendance, credit hours and requirements."""
