"""Chart geometry for SVG (no JavaScript, CSP-safe: attributes only, no style=)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: float | None
    width: float  # 0–100 in the SVG's viewBox


def bars(items: list[tuple[str, float | None]]) -> list[Bar]:
    top = max((v for _l, v in items if v is not None), default=0) or 1
    return [Bar(label, value, round(100 * (value or 0) / top, 2)) for label, value in items]


@dataclass
class Line:
    points: str  # "x,y x,y …" for <polyline>
    steps: str  # the horizon as a stepped line
    width: int
    height: int
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]


def line(series: list[tuple], width: int = 640, height: int = 220) -> Line | None:
    """Lead time (days) and horizon over dates: [(date, lead, horizon)]."""
    if len(series) < 2:
        return None
    left, bottom, top_pad = 40, 30, 10
    top = max(max(lead, horizon) for _d, lead, horizon in series) or 1
    first, last = series[0][0], series[-1][0]
    span = max(1, (last - first).days)

    def x(day):
        return round(left + (width - left - 10) * (day - first).days / span, 1)

    def y(value):
        return round(height - bottom - (height - bottom - top_pad) * value / top, 1)

    points = " ".join(f"{x(d)},{y(lead)}" for d, lead, _h in series)
    steps = []
    for i, (d, _lead, horizon) in enumerate(series):
        if i:
            steps.append(f"{x(d)},{y(series[i - 1][2])}")
        steps.append(f"{x(d)},{y(horizon)}")
    y_ticks = [(y(v), str(v)) for v in range(0, int(top) + 1, max(7, int(top) // 5 or 1))]
    step = max(1, len(series) // 6)
    x_ticks = [(x(d), d.strftime("%d.%m.")) for d, _l, _h in series[::step]]
    return Line(points, " ".join(steps), width, height, y_ticks, x_ticks)
