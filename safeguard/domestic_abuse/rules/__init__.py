"""Pure rules for domestic abuse: DASH, MARAC routes and the backlog forecast. No ORM, no clock."""
