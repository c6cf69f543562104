"""Where a unit may sit in its force's tree of units. Pure: no ORM, no clock."""

from collections.abc import Mapping

CYCLE = "A unit cannot sit under itself or under one of the units below it."


def parent_problem(
    unit_id: int | None, parent_id: int | None, parents: Mapping[int, int | None]
) -> str:
    """Why `parent_id` cannot be the parent of `unit_id`, or "" if it can.

    # docs/force-administration.md "Units": a unit's parent is another unit of the same force,
    # and the units form a tree: following parents from any unit never comes back to it.
    `parents` maps every unit of the force to its parent (None at the top).
    """
    if parent_id is None or unit_id is None:
        return ""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == unit_id:
            return CYCLE
        seen.add(current)
        current = parents.get(current)
    return ""
