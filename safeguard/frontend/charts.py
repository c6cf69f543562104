"""Bar charts drawn on the server as inline SVG: no script (the CSP allows none inline) and no
style attributes; colours come from classes in safeguard.css. A chart is an image with a
title and a one-line summary for screen readers; the page shows the same figures in a table."""

import math
from dataclasses import dataclass

WIDTH = 960
HEIGHT = 280
LEFT = 56  # room for the value labels
RIGHT = 8
TOP = 12
BOTTOM = 32  # room for the category labels
MAX_LABELS = 12  # at most this many category labels along the bottom; the table has them all


@dataclass(frozen=True)
class Series:
    """One kind of bar: its name in the key, its CSS modifier, and a value per category."""

    name: str
    css: str
    values: list[float | None]


@dataclass(frozen=True)
class Rect:
    x: str
    y: str
    width: str
    height: str
    css: str
    title: str


@dataclass(frozen=True)
class Label:
    x: str
    y: str
    text: str


@dataclass(frozen=True)
class Tick:
    y: str
    text: str


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    summary: str
    width: int
    height: int
    left: int
    right: int
    tick_x: int
    baseline: str
    rects: list[Rect]
    labels: list[Label]
    ticks: list[Tick]
    key: list[Series]


def _n(value: float) -> str:
    # Coordinates as plain decimals, whatever the locale the template would format with.
    return f"{value:.1f}"


def _number(value: float, unit: str = "") -> str:
    text = f"{value:g}" if value != int(value) else str(int(value))
    return f"{text}{unit}"


def nice_step(value: float, ticks: int = 4) -> float:
    """A tick step of 1, 2 or 5 times a power of ten (never below 1) so that about `ticks`
    steps reach `value`."""
    rough = max(value / ticks, 1)
    power = 10 ** math.floor(math.log10(rough))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= rough)


def _summary(
    title: str, long_labels: list[str], totals: list[float | None], unit: str, stacked: bool
) -> str:
    known = [(label, v) for label, v in zip(long_labels, totals, strict=True) if v is not None]
    span = title
    if long_labels:
        first, last = long_labels[0], long_labels[-1]
        span += f", {first}" if first == last else f", {first} to {last}"
    if not known:
        return f"{span}: no figures yet."
    high_label, high = max(known, key=lambda pair: pair[1])
    low_label, low = min(known, key=lambda pair: pair[1])
    latest_label, latest = known[-1]
    said = [
        f"highest {_number(high, unit)} in {high_label}",
        f"lowest {_number(low, unit)} in {low_label}",
        f"latest {_number(latest, unit)} in {latest_label}",
    ]
    if stacked:
        said.insert(0, f"{_number(sum(v for _, v in known))} in all")
    return f"{span}: {'; '.join(said)}. The figures are in the table below."


def bar_chart(
    *,
    chart_id: str,
    title: str,
    labels: list[str],
    long_labels: list[str],
    series: list[Series],
    unit: str = "",
    maximum: float | None = None,
) -> BarChart:
    """Bars per category, stacked when there is more than one series; a missing value (None)
    draws no bar. `labels` go under the bars, `long_labels` into the spoken summary."""
    count = len(labels)
    totals: list[float | None] = []
    for i in range(count):
        values = [s.values[i] for s in series if s.values[i] is not None]
        totals.append(sum(v for v in values if v is not None) if values else None)
    highest = maximum or max((t for t in totals if t is not None), default=0) or 1
    step = nice_step(highest)
    top = step * math.ceil(highest / step)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    slot = plot_w / max(count, 1)
    bar_w = slot * 0.7
    every = math.ceil(count / MAX_LABELS) if count else 1
    rects, names = [], []
    for i, label in enumerate(labels):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = float(baseline)
        for s in series:
            value = s.values[i]
            if not value:
                continue
            height = plot_h * value / top
            y -= height
            title_text = f"{long_labels[i]}: {_number(value, unit)}"
            rects.append(
                Rect(
                    _n(x),
                    _n(y),
                    _n(bar_w),
                    _n(height),
                    s.css,
                    f"{title_text} {s.name.lower()}" if len(series) > 1 else title_text,
                )
            )
        if i % every == 0:
            names.append(Label(_n(x + bar_w / 2), _n(baseline + 20), label))
    ticks = [
        Tick(_n(baseline - plot_h * value / top), _number(value, unit))
        for value in (step * i for i in range(round(top / step) + 1))
    ]
    return BarChart(
        chart_id=chart_id,
        title=title,
        summary=_summary(title, long_labels, totals, unit, stacked=len(series) > 1),
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        tick_x=LEFT - 6,
        baseline=_n(baseline),
        rects=rects,
        labels=names,
        ticks=ticks,
        key=series if len(series) > 1 else [],
    )
