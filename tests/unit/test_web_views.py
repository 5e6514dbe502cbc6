"""Small pure helpers the pages render with."""

from __future__ import annotations

from midback.web.pain_chart import sparkline


def _ys(points: str) -> list[float]:
    return [float(p.split(",")[1]) for p in points.split()]


def test_a_sparkline_rises_with_the_values_and_spans_the_box() -> None:
    points = sparkline([10, 20, 40], width=120, height=28)
    xs = [float(p.split(",")[0]) for p in points.split()]
    assert xs == [0.0, 60.0, 120.0]
    ys = _ys(points)
    assert ys[0] > ys[1] > ys[2], "higher doses draw higher (smaller y)"
    assert (ys[0], ys[2]) == (26.0, 2.0)


def test_a_flat_or_single_sparkline_stays_inside_the_box() -> None:
    assert _ys(sparkline([30, 30])) == [26.0, 26.0]
    assert sparkline([30]) == "60.0,26.0"
    assert sparkline([]) == ""
