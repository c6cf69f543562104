"""Weighted draws from fixed tables with the generator's one seeded random source."""

import bisect
import random
from datetime import date, timedelta


def cumulative(weights: tuple[float, ...]) -> tuple[float, ...]:
    total = sum(weights)
    running = 0.0
    out = []
    for weight in weights:
        running += weight / total
        out.append(running)
    return tuple(out)


class Picker:
    """Weighted choice from a fixed table: one draw and a bisection (rng.choices re-adds the
    weights on every call)."""

    def __init__(self, pairs: tuple[tuple[str, float], ...]) -> None:
        self.values = tuple(value for value, _ in pairs)
        self.cumulative = cumulative(tuple(weight for _, weight in pairs))

    def __call__(self, rng: random.Random) -> str:
        index = bisect.bisect_right(self.cumulative, rng.random())
        return self.values[min(index, len(self.values) - 1)]


class Counts:
    """A weighted small count (0, 1, 2, ...), like Picker."""

    def __init__(self, *weights: float) -> None:
        self.cumulative = cumulative(weights)

    def __call__(self, rng: random.Random) -> int:
        return min(bisect.bisect_right(self.cumulative, rng.random()), len(self.cumulative) - 1)


def years_before(day: date, years: int, extra_days: int) -> date:
    """The date `years` whole years and `extra_days` days before `day` (29 Feb safe)."""
    try:
        anniversary = day.replace(year=day.year - years)
    except ValueError:
        anniversary = day.replace(year=day.year - years, day=28)
    return anniversary - timedelta(days=extra_days)
