"""Pure rules about people: names, ages, matching. No ORM, no clock."""
