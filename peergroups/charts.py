"""Inline SVG charts drawn on the server: no chart library, no JavaScript.

`bar_chart` and `line_chart` turn (label, value-or-None) points into the geometry the
templates `charts/_bar_chart.html` and `charts/_line_chart.html` draw; the templates
also print the numbers as a table, so the figures are there for screen readers and
for anyone who cannot see the marks. A missing value (None) draws no mark.
"""

from dataclasses import dataclass

WIDTH = 480
HEIGHT = 190
TOP = 22  # room for the value above a full bar
BOTTOM = 30  # room for the labels
LEFT = 58  # room for the axis labels
# Label text is LABEL_UNITS high in the chart's own units (app.css sets it): a chart is
# drawn 300 px wide at the narrowest (a phone), where that is still 11 px.
LABEL_UNITS = 18
CHAR_UNITS = LABEL_UNITS * 0.58  # about how wide one character of a label is


def _label_step(labels, slot: float) -> int:
    """Show every n-th label along the axis so that neighbours never overlap."""
    longest = max((len(str(label)) for label in labels), default=0)
    return max(1, -(-int(longest * CHAR_UNITS + 2) // max(int(slot), 1)))


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    x: float
    y: float
    width: float
    height: float
    text_x: float
    value_y: float
    axis_label: str = ""  # the label under the axis ("" where labels are thinned out)
    # An interquartile range, drawn as a whisker over the bar, when given.
    whisker_low_y: float | None = None
    whisker_high_y: float | None = None


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    x: float
    y: float | None
    axis_label: str = ""


class Scale:
    """Maps values in [low, high] to the plot's y coordinates (top is high)."""

    def __init__(self, low: float, high: float):
        self.low, self.high = low, high
        self.plot = HEIGHT - TOP - BOTTOM

    def y(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        return round(TOP + self.plot * (self.high - value) / (self.high - self.low), 1)


def _gridlines(scale: Scale, ticks, unit: str) -> list[dict]:
    return [{"y": scale.y(t), "label": f"{_number(t)}{unit}"} for t in ticks]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    points: list[tuple],
    *,
    low: float = 0,
    high: float = 100,
    ticks: tuple = (0, 50, 100),
    unit: str = " %",
) -> dict:
    """Bars from the zero line (or `low`, when it is above zero) to each value.

    A point is (label, value) or (label, value, (q1, q3)) for a whisker.
    """
    scale = Scale(low, high)
    base_y = scale.y(max(low, min(0, high)))
    slot = (WIDTH - LEFT) / max(len(points), 1)
    step = _label_step([point[0] for point in points], slot)
    bars = []
    for i, point in enumerate(points):
        label, value = point[0], point[1]
        spread = point[2] if len(point) > 2 else None
        x = LEFT + i * slot + slot * 0.2
        top = scale.y(value) if value is not None else base_y
        whisker = {}
        if spread is not None and value is not None:
            whisker = {"whisker_low_y": scale.y(spread[0]), "whisker_high_y": scale.y(spread[1])}
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(x, 1),
                y=min(top, base_y),
                width=round(slot * 0.6, 1),
                height=round(abs(base_y - top), 1),
                text_x=round(x + slot * 0.3, 1),
                value_y=round(min(top, base_y) - 4, 1),
                axis_label=label if i % step == 0 else "",
                **whisker,
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "label_y": HEIGHT - BOTTOM + LABEL_UNITS,
        "bars": bars,
        "has_data": any(bar.value is not None for bar in bars),
        "gridlines": _gridlines(scale, ticks, unit),
        "unit": unit,
    }


def line_chart(
    points: list[tuple[str, float | None]],
    *,
    low: float,
    high: float,
    ticks: tuple,
    unit: str = "",
    reference: float | None = None,
) -> dict:
    """A line through the points that have a value, and a dashed reference line
    (a baseline, say) when given."""
    scale = Scale(low, high)
    slot = (WIDTH - LEFT) / max(len(points), 1)
    step = _label_step([label for label, _ in points], slot)
    drawn = [
        Point(
            label=label,
            value=value,
            x=round(LEFT + i * slot + slot / 2, 1),
            y=scale.y(value) if value is not None else None,
            axis_label=label if i % step == 0 else "",
        )
        for i, (label, value) in enumerate(points)
    ]
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{p.x},{p.y}"
        for i, p in enumerate(p for p in drawn if p.y is not None)
    )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "label_y": HEIGHT - BOTTOM + LABEL_UNITS,
        "points": drawn,
        "has_data": any(p.value is not None for p in drawn),
        "path": path,
        "reference_y": scale.y(reference) if reference is not None else None,
        "reference": reference,
        "gridlines": _gridlines(scale, ticks, unit),
        "unit": unit,
    }
