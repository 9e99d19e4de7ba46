"""Server-drawn charts (issue 20, item 6): empty charts say so, labels never overlap."""

from django.template.loader import render_to_string

from peergroups.charts import LABEL_UNITS, WIDTH, bar_chart, line_chart


def test_an_empty_chart_says_no_data_yet_instead_of_drawing_axes():
    chart = bar_chart([("Jan", None), ("Feb", None)])
    html = render_to_string("charts/_bar_chart.html", {"chart": chart, "chart_id": "c"})
    assert "No data yet." in html and "<svg" not in html
    line = line_chart([("Jan", None)], low=0, high=10, ticks=(0, 10))
    html = render_to_string("charts/_line_chart.html", {"chart": line, "chart_id": "c"})
    assert "No data yet." in html and "<svg" not in html
    drawn = bar_chart([("Jan", None), ("Feb", 40)])
    html = render_to_string("charts/_bar_chart.html", {"chart": drawn, "chart_id": "c"})
    assert "<svg" in html and "No data yet" not in html


def test_axis_labels_are_thinned_so_neighbours_never_overlap():
    months = [(f"Month {n:02d}", n) for n in range(24)]
    chart = line_chart(months, low=0, high=30, ticks=(0, 30))
    shown = [p for p in chart["points"] if p.axis_label]
    assert 1 < len(shown) < 24
    width_of_label = len("Month 00") * LABEL_UNITS * 0.58
    assert all(b.x - a.x >= width_of_label for a, b in zip(shown, shown[1:], strict=False))
    assert shown[-1].x <= WIDTH
    # Twelve short month names all fit.
    year = bar_chart(
        [
            (m, 50)
            for m in [
                "Jan",
                "Feb",
                "Mar",
                "Apr",
                "May",
                "Jun",
                "Jul",
                "Aug",
                "Sep",
                "Oct",
                "Nov",
                "Dec",
            ]
        ]
    )
    assert all(bar.axis_label for bar in year["bars"])
