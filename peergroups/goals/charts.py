"""Inline SVG bar charts drawn on the server: no chart library, no JavaScript.

`bar_chart` turns (label, percent-or-None) points into the geometry the template
`goals/_bar_chart.html` draws; the template also prints the numbers as a table, so the
figures are there for screen readers and for anyone who cannot see the bars.
"""

from dataclasses import dataclass

WIDTH = 480
HEIGHT = 180
TOP = 16  # room for the value above a full bar
BOTTOM = 30  # room for the month labels
LEFT = 44  # room for the 0–100 % axis labels


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    x: float
    y: float
    width: float
    height: float
    text_x: float
    value_y: float


def bar_chart(points: list[tuple[str, int | None]]) -> dict:
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        height = plot * (value or 0) / 100
        x = LEFT + i * slot + slot * 0.2
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(x, 1),
                y=round(TOP + plot - height, 1),
                width=round(slot * 0.6, 1),
                height=round(height, 1),
                text_x=round(x + slot * 0.3, 1),
                value_y=round(TOP + plot - height - 3, 1),
            )
        )
    gridlines = [
        {"y": round(TOP + plot - plot * p / 100, 1), "label": f"{p} %"} for p in (0, 50, 100)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "label_y": HEIGHT - BOTTOM + 16,
        "bars": bars,
        "gridlines": gridlines,
    }
