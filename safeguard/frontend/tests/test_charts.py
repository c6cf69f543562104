"""Server-drawn bar charts: bars scale to whole-number ticks, stack, skip missing values, and
say in one sentence what they show."""

from safeguard.frontend.charts import Series, bar_chart, nice_step


def test_ticks_are_whole_steps_of_one_two_or_five():
    assert nice_step(3) == 1
    assert nice_step(9) == 5
    assert nice_step(50) == 20
    assert nice_step(1200) == 500


def test_stacked_bars_share_the_scale_and_summarise_the_totals():
    chart = bar_chart(
        chart_id="c",
        title="Episodes",
        labels=["Jan", "Feb"],
        long_labels=["January 2026", "February 2026"],
        series=[Series("High", "high", [1, 0]), Series("Low", "low", [2, 1])],
    )
    assert [t.text for t in chart.ticks] == ["0", "1", "2", "3"]
    # February's high value is nothing, so it draws no bar.
    assert [(r.css, r.title) for r in chart.rects] == [
        ("high", "January 2026: 1 high"),
        ("low", "January 2026: 2 low"),
        ("low", "February 2026: 1 low"),
    ]
    # January's bar reaches the top: the low segment sits on the high one.
    high, low = chart.rects[:2]
    assert float(low.y) + float(low.height) == float(high.y)
    assert float(low.y) == 12.0
    assert chart.summary == (
        "Episodes, January 2026 to February 2026: 4 in all; highest 3 in January 2026; "
        "lowest 1 in February 2026; latest 1 in February 2026. The figures are in the table below."
    )
    assert [s.name for s in chart.key] == ["High", "Low"]


def test_a_percentage_chart_with_no_figures_says_so():
    chart = bar_chart(
        chart_id="p",
        title="Offered in time",
        labels=["Jan"],
        long_labels=["January 2026"],
        series=[Series("Offered in time", "value", [None])],
        unit="%",
        maximum=100,
    )
    assert chart.rects == [] and chart.key == []
    assert [t.text for t in chart.ticks] == ["0%", "50%", "100%"]
    assert chart.summary == "Offered in time, January 2026: no figures yet."
