"""Domestic abuse with children (issue 6): incidents, DASH, MARAC referral and the triage queue."""
