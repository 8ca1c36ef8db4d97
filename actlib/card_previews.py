"""The home page's card pictures: small SVG drawings of the stored preview frames.

Each topic card shows one picture computed from the functions themselves (the frames of
:mod:`actlib.previews`, checked against torch by ``tests/test_previews.py``, and the
catalogue's years). They used to be six Altair charts. On a cold server that cost the
home page, the first thing a class opens, twice: the browser had to fetch and run Vega's
script before any chart could appear (about 1.3 s in headless Chromium against a page of
SVG pictures), and the server had to import Altair and pandas (about 0.9 s of the page
run's CPU). Drawn here as plain SVG, in pure Python, a card costs neither; the topic pages
keep their Altair charts, and Vega and the imports are loaded behind the home page while
the student reads (:mod:`actlib.ui.warm_up`).

The pictures follow the Altair cards they replace: the same data, colours, domains and
line widths, light grid lines, no axis labels except the timeline's years.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape

from actlib import chart_style
from actlib.activation_info import color_scale, lookup
from actlib.history import TIMELINE_DOMAIN, timeline_rows
from actlib.previews import DEAD_KEYS, GRADIENT_KEYS, SHAPES_KEYS, stored_columns

WIDTH, HEIGHT = 240, 110
"""The drawing's own size (px); the page scales it to the card's width."""
PAD = 5
"""Room around the plot, so end points and thick lines are not cut."""
AXIS_ROOM = 16
"""Room under the timeline for its year labels."""
YEAR_ROOM = 14
"""Room left and right of the timeline: half a year label."""
GRID_LIGHT, GRID_DARK = "#e6e6e6", chart_style.DARK_GRID
UNIT_COLOR = "#9ecae9"
"""The thin ReLU hinges of the non-linearity card (the thick sum is ReLU's colour)."""


@dataclass(frozen=True)
class Card:
    """One card's picture: how to draw it (``draw(dark)``), and what it shows in words for
    screen readers, computed from the same data (``describe()``)."""

    draw: Callable[[bool], str]
    describe: Callable[[], str]


def radius(area: float) -> float:
    """A point's radius from its area in px², as Vega-Lite sizes points."""
    return math.sqrt(area / math.pi)


def nice_step(lo: float, hi: float, count: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) near (hi - lo) / count, chosen as
    d3's ``tickIncrement`` chooses it (Vega's scales use d3's)."""
    raw = (hi - lo) / count
    power = 10.0 ** math.floor(math.log10(raw))
    error = raw / power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else (
        2 if error >= math.sqrt(2) else 1)
    return factor * power


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round values from ``lo`` to ``hi``, about ``count`` steps apart."""
    if hi <= lo:
        return [lo]
    step = nice_step(lo, hi, count)
    first = math.ceil(lo / step - 1e-9)
    return [round(k * step, 12) for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def nice_domain(values: Iterable[float], zero: bool = False) -> tuple[float, float]:
    """The values' extent widened to round ends (and to 0 when ``zero``), as Vega's
    ``nice`` scales do (to a step of about a tenth of the extent)."""
    values = list(values)
    lo, hi = min(values), max(values)
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi <= lo:
        return lo - 1.0, hi + 1.0
    step = nice_step(lo, hi, count=10)
    return (round(math.floor(lo / step + 1e-9) * step, 12),
            round(math.ceil(hi / step - 1e-9) * step, 12))


@dataclass(frozen=True)
class Plot:
    """A data rectangle mapped onto the drawing: x to the right, y up; ``log_y`` maps y
    by its logarithm."""

    x: tuple[float, float]
    y: tuple[float, float]
    log_y: bool = False
    bottom: float = HEIGHT - PAD
    side: float = PAD
    """Room left and right of the plot."""

    def px(self, value: float) -> float:
        lo, hi = self.x
        return self.side + (value - lo) / (hi - lo) * (WIDTH - 2 * self.side)

    def py(self, value: float) -> float:
        lo, hi = self.y
        if self.log_y:
            value, lo, hi = math.log10(value), math.log10(lo), math.log10(hi)
        return self.bottom - (value - lo) / (hi - lo) * (self.bottom - PAD)

    def grid(self, dark: bool) -> str:
        """Light horizontal lines at round values (powers of ten on a log axis)."""
        lo, hi = self.y
        if self.log_y:
            values = [10.0 ** k for k in range(math.ceil(math.log10(lo)),
                                              math.floor(math.log10(hi)) + 1)]
        else:
            values = nice_ticks(lo, hi)
        color = GRID_DARK if dark else GRID_LIGHT
        return "".join(
            f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{self.py(v):.1f}" y2="{self.py(v):.1f}" '
            f'stroke="{color}" stroke-width="1"/>' for v in values)

    def line(self, xs: Sequence[float], ys: Sequence[float], color: str, width: float) -> str:
        points = " ".join(f"{self.px(x):.1f},{self.py(y):.1f}" for x, y in zip(xs, ys,
                                                                               strict=True))
        return (f'<polyline points="{points}" fill="none" stroke="{color}" '
                f'stroke-width="{width}" stroke-linejoin="round" stroke-linecap="round"/>')

    def dots(self, xs: Sequence[float], ys: Sequence[float], color: str, area: float,
             opacity: float = 1.0, titles: Sequence[str] | None = None) -> str:
        r = radius(area)
        shown = f' fill-opacity="{opacity}"' if opacity < 1 else ""
        out = []
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            title = f"<title>{escape(titles[i])}</title>" if titles else ""
            out.append(f'<circle cx="{self.px(x):.1f}" cy="{self.py(y):.1f}" r="{r:.2f}" '
                       f'fill="{color}"{shown}>{title}</circle>')
        return "".join(out)


def svg(body: str) -> str:
    """The drawing: ``body`` clipped to the picture, on a transparent background."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}"><defs><clipPath id="plot"><rect x="0" y="0" '
            f'width="{WIDTH}" height="{HEIGHT}"/></clipPath></defs>'
            f'<g clip-path="url(#plot)">{body}</g></svg>')


def ink(color: str, dark: bool) -> str:
    """``color`` as the dark theme paints it (the same variants as its charts)."""
    return chart_style.dark_variants().get(color.lower(), color) if dark else color


def by_key(columns: dict[str, list], keys: Sequence[str], x: str, y: str,
           key_field: str = "key") -> dict[str, tuple[list[float], list[float]]]:
    """Each key's (x values, y values), in row order."""
    series: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in keys}
    for k, xv, yv in zip(columns[key_field], columns[x], columns[y], strict=True):
        if k in series:
            series[k][0].append(xv)
            series[k][1].append(yv)
    return series


def _activation_lines(keys: Sequence[str], series: dict, plot: Plot, width: float,
                      dark: bool, point_area: float | None = None) -> str:
    colors = dict(zip(keys, color_scale(list(keys))[1], strict=True))
    out = []
    for key in keys:
        xs, ys = series[key]
        color = ink(colors[key], dark)
        out.append(plot.line(xs, ys, color, width))
        if point_area is not None:
            out.append(plot.dots(xs, ys, color, point_area))
    return "".join(out)


def nonlinearity(dark: bool = False) -> str:
    """Why non-linearity: eight ReLU hinges (thin) add up to a sine (thick)."""
    columns = stored_columns("nonlinearity")
    plot = Plot(x=nice_domain(columns["x"]), y=(-1.6, 1.6))
    body = [plot.grid(dark)]
    units = sorted({u for u, kind in zip(columns["unit"], columns["kind"], strict=True)
                    if kind == "unit"})
    groups = [("unit", u, UNIT_COLOR, 1.2) for u in units]
    groups.append(("fit", 0, lookup("relu").color, 3.0))
    for kind, unit, color, width in groups:
        rows = [i for i, (k, u) in enumerate(zip(columns["kind"], columns["unit"], strict=True))
                if k == kind and u == unit]
        body.append(plot.line([columns["x"][i] for i in rows],
                              [columns["value"][i] for i in rows], ink(color, dark), width))
    return svg("".join(body))


def playground(dark: bool = False) -> str:
    """Playground: its default data, two rings in the class palette; no training."""
    columns = stored_columns("playground")
    plot = Plot(x=nice_domain(columns["x1"]), y=nice_domain(columns["x2"]))
    palette = chart_style.class_palette(dark)
    body = []
    for label in sorted(set(columns["y"])):
        rows = [i for i, y in enumerate(columns["y"]) if y == label]
        body.append(plot.dots([columns["x1"][i] for i in rows], [columns["x2"][i] for i in rows],
                              palette[label], area=14, opacity=0.85))
    return svg("".join(body))


def shapes(dark: bool = False) -> str:
    """Shapes and saturation: the slopes of four classics."""
    columns = stored_columns("shapes")
    plot = Plot(x=nice_domain(columns["x"]), y=nice_domain(columns["df"], zero=True))
    series = by_key(columns, SHAPES_KEYS, "x", "df")
    return svg(plot.grid(dark) + _activation_lines(SHAPES_KEYS, series, plot, 2.0, dark))


def gradients(dark: bool = False) -> str:
    """Vanishing & exploding: the backpropagated signal per layer of sigmoid and ReLU (He
    init) in a small untrained network, on a log axis."""
    columns = stored_columns("gradients")
    values = columns["signal_norm"]
    y = (10.0 ** math.floor(math.log10(min(values))), 10.0 ** math.ceil(math.log10(max(values))))
    plot = Plot(x=(min(columns["layer"]), max(columns["layer"])), y=y, log_y=True)
    series = by_key(columns, GRADIENT_KEYS, "layer", "signal_norm")
    return svg(plot.grid(dark)
               + _activation_lines(GRADIENT_KEYS, series, plot, 2.0, dark, point_area=12))


def dead_relu(dark: bool = False) -> str:
    """Dead ReLU monitor: the dead share per layer of fresh 8-layer networks, ReLU against
    Leaky ReLU."""
    columns = stored_columns("dead_relu")
    plot = Plot(x=(min(columns["layer"]), max(columns["layer"])), y=(0.0, 1.0))
    series = by_key(columns, DEAD_KEYS, "layer", "dead_share")
    return svg(plot.grid(dark)
               + _activation_lines(DEAD_KEYS, series, plot, 2.5, dark, point_area=30))


def guide(dark: bool = False) -> str:
    """Choosing an activation: every catalogue activation as a coloured dot at its year,
    one lane per activation within its era (oldest at the top), years below."""
    rows = timeline_rows()
    lanes: dict[int, int] = {}
    lane_of = []
    for row in rows:
        lane_of.append(lanes.get(row["era_order"], 0))
        lanes[row["era_order"]] = lane_of[-1] + 1
    deepest = max(lane_of)
    bottom = HEIGHT - AXIS_ROOM
    plot = Plot(x=tuple(float(v) for v in TIMELINE_DOMAIN), y=(deepest + 0.5, -0.5),
                bottom=bottom, side=YEAR_ROOM)
    body = []
    for row, lane in zip(rows, lane_of, strict=True):
        body.append(plot.dots([row["year"]], [lane], ink(row["color"], dark), area=55,
                              titles=[f"{row['name']}, {row['year']}"]))
    text = chart_style.DARK_TEXT if dark else chart_style.TEXT_COLOR
    for year in range(1940, TIMELINE_DOMAIN[1] + 1, 20):
        body.append(f'<text x="{plot.px(year):.1f}" y="{HEIGHT - 3}" font-size="11" '
                    f'font-family="sans-serif" fill="{text}" text-anchor="middle">{year}</text>')
    return svg("".join(body))


def describe_nonlinearity() -> str:
    units = {u for u, kind in zip(*(stored_columns("nonlinearity")[c] for c in ("unit", "kind")),
                                  strict=True) if kind == "unit"}
    return f"{len(units)} thin ReLU hinges adding up to a thick sine."


def describe_playground() -> str:
    columns = stored_columns("playground")
    labels = columns["y"]
    radius = {label: sum(math.hypot(x1, x2) for x1, x2, y in zip(
        columns["x1"], columns["x2"], labels, strict=True) if y == label) / labels.count(label)
        for label in (0, 1)}
    outer, inner = sorted((0, 1), key=lambda label: -radius[label])
    colour = {0: "orange", 1: "blue"}  # the class palette's first two
    return (f"The Playground's default data: {len(labels)} points in two rings, "
            f"{labels.count(outer)} {colour[outer]} around {labels.count(inner)} "
            f"{colour[inner]}.")


def describe_shapes() -> str:
    names = color_scale(list(SHAPES_KEYS))[0]
    return f"The slopes of {', '.join(names[:-1])} and {names[-1]} from x = -4 to 4."


def describe_gradients() -> str:
    series = by_key(stored_columns("gradients"), GRADIENT_KEYS, "layer", "signal_norm")
    (sig_layers, sigmoid), (_, relu) = series["sigmoid"], series["relu"]
    return (f"The backpropagated signal per layer, log axis: sigmoid's is "
            f"{sigmoid[-1] / sigmoid[0]:,.0f} times smaller at layer {sig_layers[0]} than at "
            f"layer {sig_layers[-1]}; ReLU's, with He initialisation, varies "
            f"{max(relu) / min(relu):.0f}-fold.")


def describe_dead_relu() -> str:
    series = by_key(stored_columns("dead_relu"), DEAD_KEYS, "layer", "dead_share")
    relu, leaky = series["relu"][1], series["leaky_relu"][1]
    leaky_text = "none" if max(leaky) == 0 else f"up to {max(leaky):.0%}"
    return (f"The dead share per layer of fresh {len(relu)}-layer networks: ReLU "
            f"{min(relu):.0%} to {max(relu):.0%}, Leaky ReLU {leaky_text}.")


def describe_guide() -> str:
    rows = timeline_rows()
    return (f"The {len(rows)} activations of the catalogue as dots at the year each "
            f"appeared, {rows[0]['year']} to {rows[-1]['year']}.")


CARDS: dict[str, Card] = {
    "nonlinearity": Card(nonlinearity, describe_nonlinearity),
    "playground": Card(playground, describe_playground),
    "shapes": Card(shapes, describe_shapes),
    "gradients": Card(gradients, describe_gradients),
    "dead_relu": Card(dead_relu, describe_dead_relu),
    "guide": Card(guide, describe_guide),
}
"""Every topic card's picture, by page stem."""
