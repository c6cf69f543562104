"""Pure rules of a child protection case: no ORM, no clock (callers pass `now`)."""
