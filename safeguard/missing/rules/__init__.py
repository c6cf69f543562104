"""Pure rules for missing-child episodes: APP risk grading, dates, repeats. No ORM, no clock."""
