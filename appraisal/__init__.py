"""Annual appraisal: cycles, indicators, democratic evaluation, ratings and consequences."""
