"""Numeric properties of an activation, computed from the function itself.

Nothing here is typed in: ranges, extrema, slopes, smoothness, sparsity and expectations
all come from evaluating the catalogue's ``forward`` and ``derivative`` on grids (float64)
and refining where needed. Tests pin each result against a closed form derived by hand.

Expectations under a standard normal input use a fine grid weighted by the normal density
(deterministic quadrature, no sampling noise).

A typed formula (``f:...``) is only checked finite on the plotted window, so it may be NaN
(``sqrt(x + 7)`` left of -7) or overflow (``exp(exp(x))``) further out. Every search here
skips NaN points: ranges, extrema and slopes are those over where f is defined, which
:attr:`Properties.defined_on` states, and expectations leave out the undefined tail.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from actlib.activations import Params, get

DTYPE = torch.float64
WIDE = 1.0e4
"""Where limits at ±infinity are read off (checked for convergence against 2x further)."""
FINITE_REACH = 15.0
"""A bound counts as attained when it is reached exactly at some |x| ≤ this. Up to here
float64 still separates every catalogue function from its asymptote (tanh(-15) = -1 + 2e-13)."""
SCAN = 60.0
"""Interior extrema are searched on [-SCAN, SCAN] (Swish with beta 0.1 has its minimum
at x ≈ -12.8)."""
JUMP_STEP = 1.0e-4
JUMP_TOLERANCE = 1.0e-2
"""A function 'jumps' where two neighbours JUMP_STEP apart differ by more than this: far
above what any continuous catalogue curve changes over that step (the steepest, Swish's f'
at beta 10, changes by 5e-4)."""


def _f(key: str, params: Params | None) -> Callable[[torch.Tensor], torch.Tensor]:
    spec = get(key)
    resolved = spec.resolve(params)
    return lambda x: spec.forward(x, **resolved)


def _df(key: str, params: Params | None) -> Callable[[torch.Tensor], torch.Tensor]:
    spec = get(key)
    resolved = spec.resolve(params)
    return lambda x: spec.derivative(x, **resolved)


def _d2f(key: str, params: Params | None) -> Callable[[torch.Tensor], torch.Tensor]:
    from actlib.curves import second_derivative

    return lambda x: second_derivative(key, x, params)


def _t(values: np.ndarray | list[float] | float) -> torch.Tensor:
    return torch.as_tensor(values, dtype=DTYPE)


def _scalar(fn: Callable[[torch.Tensor], torch.Tensor], x: float) -> float:
    return float(fn(_t([x]))[0])


# --- bounds over the real line ---------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """One end of a function's range over the real line."""

    value: float  # ±inf when unbounded
    attained: bool  # reached at a finite x (a closed bracket) or only approached

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.value)


def _limit(fn: Callable[[torch.Tensor], torch.Tensor], sign: int) -> float:
    """lim f(x) for x → sign·∞: a finite value if it has settled, else ±inf."""
    near, far = (_scalar(fn, sign * WIDE), _scalar(fn, sign * 2 * WIDE))
    if math.isnan(near) or math.isnan(far):
        return math.nan  # undefined out there (a typed formula)
    if far == near or abs(far - near) <= 1e-9 * (1 + abs(near)):
        return far
    return math.inf if far > near else -math.inf


def _scan_grid() -> torch.Tensor:
    return torch.linspace(-SCAN, SCAN, 120_001, dtype=DTYPE)


def _nan_to(values: torch.Tensor, fill: float) -> torch.Tensor:
    """NaN points (where a typed formula is undefined) replaced, so that a search skips them."""
    return torch.where(torch.isnan(values), torch.full_like(values, fill), values)


def defined_on(key: str, params: Params | None = None) -> str:
    """Where f is a finite number on the scan grid [-SCAN, SCAN]: 'every x' for the
    catalogue; for a typed formula the stretch around 0 where it is ('-7 ≤ x ≤ 60')."""
    x = _scan_grid()
    finite = torch.isfinite(_f(key, params)(x))
    if bool(finite.all()):
        return "every x"
    centre = len(x) // 2
    bad = torch.nonzero(~finite).flatten()
    left, right = bad[bad < centre], bad[bad > centre]
    lo = f"{float(x[int(left[-1]) + 1]):.4g} ≤ " if len(left) else ""
    hi = f" ≤ {float(x[int(right[0]) - 1]):.4g}" if len(right) else ""
    return f"{lo}x{hi} (of the scanned [{-SCAN:g}, {SCAN:g}])"


def _refine_extremum(
    fn: Callable[[torch.Tensor], torch.Tensor], lo: float, hi: float, minimum: bool
) -> tuple[float, float]:
    """Golden-section search on [lo, hi]: (x, f(x)) at the extremum, to ~1e-10 in x."""
    sign = 1.0 if minimum else -1.0
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    for _ in range(80):
        c, d = b - g * (b - a), a + g * (b - a)
        if sign * _scalar(fn, c) < sign * _scalar(fn, d):
            b = d
        else:
            a = c
    x = (a + b) / 2
    return x, _scalar(fn, x)


def real_line_bound(key: str, params: Params | None = None, upper: bool = False) -> Bound:
    """The infimum (or supremum) of f over the whole real line, and whether it is attained.

    Candidates are the limits at ±∞ and the extreme value on a wide grid. The bound is
    attained when that value occurs exactly at some |x| ≤ FINITE_REACH (a flat region, as
    ReLU's zero, or an interior minimum, as GELU's); otherwise it is only approached.
    """
    fn = _f(key, params)
    sign = -1.0 if upper else 1.0  # work on the minimum of sign·f
    limits = [v for v in (sign * _limit(fn, -1), sign * _limit(fn, 1)) if not math.isnan(v)]
    x = _scan_grid()
    y = _nan_to(sign * fn(x), math.inf)
    i = int(torch.argmin(y))
    grid_best = float(y[i])
    best = min([grid_best, *limits])
    if math.isinf(best):
        return Bound(sign * best, attained=False)
    if 0 < i < len(x) - 1 and grid_best < min(limits, default=math.inf):
        beside = fn(x[i - 1:i + 2])
        if not bool(torch.isfinite(beside[0])) or not bool(torch.isfinite(beside[2])):
            # The extreme sits at the edge of where a typed formula is defined (sqrt(x + 7)
            # at -7): the value at the edge itself, not the grid point's 4e-8.
            outside = float(x[i - 1] if not bool(torch.isfinite(beside[0])) else x[i + 1])
            edge = _domain_edge(fn, float(x[i]), outside)
            value = min(grid_best, sign * _scalar(fn, edge))
            return Bound(sign * value + 0.0, attained=True)  # + 0.0: never "-0"
        # a strict interior extremum: refine it
        lo, hi = float(x[i - 1]), float(x[i + 1])
        _, value = _refine_extremum(fn, lo, hi, minimum=not upper)
        return Bound(value, attained=True)
    reach = x.abs() <= FINITE_REACH
    attained = bool((y[reach] == best).any())
    return Bound(sign * best, attained=attained)


def significant(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, keeping trailing zeros when it was rounded
    (GELU's minimum -0.169971... is '-0.1700', not '-0.17'), and exact values short ('-2.5')."""
    short = f"{value:.{digits}g}"
    return short if float(short) == value else f"{value:#.{digits}g}"


def format_range(lower: Bound, upper: Bound, digits: int = 4) -> str:
    """Interval notation: '(0, 1)', '[0, ∞)', '[-0.1700, ∞)'."""

    def end(b: Bound, is_upper: bool) -> str:
        if not b.bounded:
            return "∞" if is_upper else "−∞"
        return significant(b.value, digits)

    left = "[" if lower.attained else "("
    right = "]" if upper.attained else ")"
    return f"{left}{end(lower, False)}, {end(upper, True)}{right}"


# --- extrema, slopes and shape ---------------------------------------------------------


@dataclass(frozen=True)
class Extremum:
    x: float
    value: float


def interior_minimum(key: str, params: Params | None = None) -> Extremum | None:
    """The minimum of a non-monotonic function (GELU, Swish, Mish), refined; else None."""
    fn = _f(key, params)
    if is_monotonic(key, params):
        return None
    x = _scan_grid()
    y = _nan_to(fn(x), math.inf)
    i = int(torch.argmin(y))
    if i in (0, len(x) - 1) or not math.isfinite(float(y[i])):
        return None
    lo, hi = float(x[i - 1]), float(x[i + 1])
    return Extremum(*_refine_extremum(fn, lo, hi, minimum=True))


@dataclass(frozen=True)
class SlopeMaximum:
    """The largest slope, and where: a point, a half-line, everywhere, or only approached."""

    value: float
    x: float | None  # the point, for a single peak
    where: str


def _clean(x: float) -> float:
    """Round away float dust around 0 (2.6e-22 becomes 0) for display."""
    return 0.0 if abs(x) < 1e-9 else x


def max_slope(key: str, params: Params | None = None) -> SlopeMaximum:
    """The largest value of f' over the real line and where it is reached.

    A single peak (sigmoid at 0, GELU at √2) is refined by golden-section search. A plateau
    (ReLU: 1 for every x > 0) is described as a region; a plateau that starts only beyond
    FINITE_REACH is a limit that is approached, not reached (softplus: σ(x) → 1).
    """
    dfn = _df(key, params)
    x = _scan_grid()
    d = _nan_to(dfn(x), -math.inf)
    best = float(d.max())
    top = d >= best - 1e-12
    i = int(torch.argmax(d))
    if int(top.sum()) == 1 and i in (0, len(x) - 1):  # still rising at the scan's edge
        side = 1 if i else -1
        limit = _limit(dfn, side)
        end = "∞" if side > 0 else "−∞"
        if math.isinf(limit) or math.isnan(limit):
            return SlopeMaximum(math.inf, None, f"grows without bound towards x → {end}")
        return SlopeMaximum(max(best, limit), None, f"approached as x → {end}")
    if int(top.sum()) == 1 and 0 < i < len(x) - 1:
        raw = dfn(x[i - 1:i + 2])
        if not bool(torch.isfinite(raw[0])) or not bool(torch.isfinite(raw[2])):
            # The peak sits at the edge of where a typed formula is defined (sqrt(x + 7)
            # at -7): look at f' as x approaches the edge instead of reporting the grid.
            side = 0 if not bool(torch.isfinite(raw[0])) else 2
            return _slope_at_edge(dfn, float(x[i]), float(x[i - 1 + side]))
        xr, value = _refine_extremum(dfn, float(x[i - 1]), float(x[i + 1]), minimum=False)
        xr = _clean(round(xr, 6))  # golden-section search resolves x to ~1e-8
        return SlopeMaximum(value, xr, f"x = {xr:.4g}")
    if bool(top.all()):
        return SlopeMaximum(best, None, "every x")
    index = torch.nonzero(top).flatten()
    first, last = int(index[0]), int(index[-1])
    if float(x[first]) > FINITE_REACH:
        return SlopeMaximum(best, None, "approached as x → ∞")
    if float(x[last]) < -FINITE_REACH:
        return SlopeMaximum(best, None, "approached as x → −∞")
    if last == len(x) - 1:  # a plateau to the right: its edge lies between two grid points
        edge = _clean(round(float(x[first - 1] + x[first]) / 2, 2))
        return SlopeMaximum(best, None, f"x > {edge:g}")
    edge = _clean(round(float(x[last] + x[last + 1]) / 2, 2))
    return SlopeMaximum(best, None, f"x < {edge:g}")


def _domain_edge(fn: Callable[[torch.Tensor], torch.Tensor], inside: float, outside: float,
                 keep_inside: bool = True) -> float:
    """Bisection between a point where ``fn`` is finite and one where it is not, down to
    float spacing: the last finite point (or, with ``keep_inside=False``, the first one
    that is not)."""
    for _ in range(60):
        middle = (inside + outside) / 2
        if math.isfinite(_scalar(fn, middle)):
            inside = middle
        else:
            outside = middle
    return inside if keep_inside else outside


def _slope_at_edge(dfn: Callable[[torch.Tensor], torch.Tensor], inside: float,
                   outside: float) -> SlopeMaximum:
    """The slope's supremum where f' is largest next to the edge of its domain: the edge
    is found by bisection between a point where f' is finite and one where it is not;
    then f' is read ever closer to the edge (10⁻² … 10⁻¹⁰ away). Growing a hundredfold
    over that range is a slope without bound (sqrt: f' ~ 1/(2√d)); else the largest
    value read is the bound, approached at the edge."""
    outside = _domain_edge(dfn, inside, outside, keep_inside=False)
    edge = _clean(round(outside, 6))
    toward = 1.0 if inside > outside else -1.0
    values = [_scalar(dfn, outside + toward * 10.0 ** -k) for k in (2, 4, 6, 8, 10)]
    finite = [v for v in values if math.isfinite(v)]
    if not finite or finite[-1] > 100 * max(finite[0], 1e-300):
        return SlopeMaximum(math.inf, None,
                            f"grows without bound towards x = {edge:g}, where f stops "
                            "being defined")
    return SlopeMaximum(max(finite), None, f"approached at x = {edge:g}, where f stops "
                        "being defined")


def is_monotonic(key: str, params: Params | None = None) -> bool:
    """True when f' ≥ 0 everywhere on the scan grid (non-decreasing)."""
    d = _df(key, params)(_scan_grid())
    return bool(((d >= -1e-12) | torch.isnan(d)).all())


def first_jump(fn: Callable[[torch.Tensor], torch.Tensor], span: float = 5.0) -> float | None:
    """Where a function jumps (the first x on a fine grid), or None if it is continuous."""
    x = torch.linspace(-span, span, round(2 * span / JUMP_STEP) + 1, dtype=DTYPE)
    y = fn(x)
    steps = (y[1:] - y[:-1]).abs()
    # A jump stands out from both neighbouring steps; a steep smooth stretch (a typed
    # exp(x) near x = 5) changes by much the same from one step to the next.
    around = torch.maximum(torch.cat([steps[:1], steps[:-1]]), torch.cat([steps[1:], steps[-1:]]))
    jumps = (steps > JUMP_TOLERANCE) & ((steps > 10 * around) | (steps.numel() < 3))
    if not bool(jumps.any()):
        return None
    i = int(torch.nonzero(jumps)[0])
    return float((x[i] + x[i + 1]) / 2)


def smoothness(key: str, params: Params | None = None) -> str:
    """The first derivative order that jumps ('f jumps at 0', 'kink (f′ jumps) at 0',
    'f″ jumps at 0'), or 'smooth' when f, f′ and f″ are all continuous.

    Checked on [-5, 5], which holds every kink of the catalogue (all sit at 0).
    """
    for label, fn in (
        ("f jumps", _f(key, params)),
        ("kink (f′ jumps)", _df(key, params)),
        ("f″ jumps", _d2f(key, params)),
    ):
        x = first_jump(fn)
        if x is not None:
            return f"{label} at {x:.2g}" if abs(x) > 1e-3 else f"{label} at 0"
    return "smooth"


# --- expectations under a standard normal input ----------------------------------------


def _normal_quadrature(scale: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Midpoint-rule nodes and weights (summing to 1 - 2e-23) for E[g(X)], X ~ N(0, scale²).

    Midpoints never land on 0, so a kink or jump at 0 is split evenly (ReLU's zero share
    comes out as 0.5, not 0.5 plus one node's weight).
    """
    n = 200_000
    h = 20.0 / n
    z = -10.0 + h * (torch.arange(n, dtype=DTYPE) + 0.5)
    w = torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * h
    return z * scale, w


def normal_mean(key: str, params: Params | None = None, scale: float = 1.0) -> float:
    """E[f(X)] for X ~ N(0, scale²): how far from zero-centred the outputs are."""
    x, w = _normal_quadrature(scale)
    return float(torch.nansum(_f(key, params)(x) * w))


def normal_mean_slope(key: str, params: Params | None = None, scale: float = 1.0) -> float:
    """E[f'(X)] for X ~ N(0, scale²): the mean slope.

    Not the factor by which a layer shrinks or grows a gradient's size: that is the RMS
    slope :func:`normal_rms_slope` (ReLU: 0.5 here, √0.5 ≈ 0.707 there).
    """
    x, w = _normal_quadrature(scale)
    return float(torch.nansum(_df(key, params)(x) * w))


def normal_rms_slope(key: str, params: Params | None = None, scale: float = 1.0) -> float:
    """√E[f'(X)²] for X ~ N(0, scale²): the factor by which one layer's slopes scale the
    norm of a backpropagated vector (before the weights' own factor).

    The squared norm of ``f'(a) ⊙ v`` is ``sum f'(a_i)² v_i²``; with slopes independent of
    v its expectation is ``E[f'²] ||v||²`` (Poole et al., 2016; Schoenholz et al., 2017).
    """
    x, w = _normal_quadrature(scale)
    return math.sqrt(float(torch.nansum(_df(key, params)(x).square() * w)))


def sparsity(key: str, params: Params | None = None, scale: float = 1.0) -> float:
    """P(f(X) = 0 exactly) for X ~ N(0, scale²): the share of units that output zero."""
    x, w = _normal_quadrature(scale)
    return float(w[_f(key, params)(x) == 0].sum())


# --- saturation ------------------------------------------------------------------------


def saturation_intervals(
    key: str, epsilon: float, x_min: float, x_max: float, params: Params | None = None
) -> list[tuple[float, float]]:
    """The intervals of [x_min, x_max] where |f'(x)| < epsilon, ends refined by bisection."""
    if x_max <= x_min:
        return []
    dfn = _df(key, params)
    x = torch.linspace(x_min, x_max, 20_001, dtype=DTYPE)
    flat = (dfn(x).abs() < epsilon).numpy()
    xs = x.numpy()

    def boundary(i: int) -> float:
        """Bisect between grid points i and i+1, where `flat` changes."""
        a, b = float(xs[i]), float(xs[i + 1])
        inside_a = bool(flat[i])
        for _ in range(60):
            m = (a + b) / 2
            if (abs(_scalar(dfn, m)) < epsilon) == inside_a:
                a = m
            else:
                b = m
        return (a + b) / 2

    intervals: list[tuple[float, float]] = []
    start: float | None = float(xs[0]) if flat[0] else None
    for i in range(len(xs) - 1):
        if flat[i] != flat[i + 1]:
            edge = boundary(i)
            if flat[i]:
                intervals.append((start if start is not None else float(xs[0]), edge))
                start = None
            else:
                start = edge
    if start is not None:
        intervals.append((start, float(xs[-1])))
    return intervals


def describe_intervals(intervals: list[tuple[float, float]], x_min: float, x_max: float) -> str:
    """'x < -2.887 and x > 2.887', 'everywhere', 'x ≤ 0' style text for the page."""
    if not intervals:
        return "nowhere in this window"
    parts = []
    for a, b in ((_clean(a), _clean(b)) for a, b in intervals):
        at_left, at_right = a <= x_min + 1e-9, b >= x_max - 1e-9
        if at_left and at_right:
            return "everywhere in this window"
        if at_left:
            parts.append(f"x < {b:.4g}")
        elif at_right:
            parts.append(f"x > {a:.4g}")
        else:
            parts.append(f"{a:.4g} < x < {b:.4g}")
    return " and ".join(parts)



Intervals = list[tuple[float, float]]


def saturation_by_activation(
    keys: Sequence[str], epsilon: float, x_min: float, x_max: float,
    params: Mapping[str, Params] | None = None,
) -> dict[str, Intervals]:
    """:func:`saturation_intervals` of each activation, computed once for both the chart
    and the text (the page used to bisect every edge twice)."""
    params = params or {}
    return {k: saturation_intervals(k, epsilon, x_min, x_max, params.get(k, {})) for k in keys}


def saturation_frame(flat: Mapping[str, Intervals]) -> pd.DataFrame:
    """One row per flat interval: activation (name), key, start, end; for the strip chart."""
    rows = [{"activation": get(k).name, "key": k, "start": a, "end": b}
            for k, intervals in flat.items() for a, b in intervals]
    return pd.DataFrame(rows, columns=["activation", "key", "start", "end"])


def saturation_summary(flat: Mapping[str, Intervals], x_min: float, x_max: float) -> list[str]:
    """'Sigmoid (logistic): x < -2.887 and x > 2.887', one line per activation."""
    return [f"{get(k).name}: {describe_intervals(v, x_min, x_max)}" for k, v in flat.items()]


# --- the table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Properties:
    """Everything the properties table shows for one activation and parameter set."""

    key: str
    name: str
    window_min: float
    window_max: float
    lower: Bound
    upper: Bound
    value_at_0: float
    slope_at_0: float
    mean_output: float
    monotonic: bool
    smoothness: str
    minimum: Extremum | None
    max_slope: SlopeMaximum
    sparsity: float
    mean_slope: float
    rms_slope: float
    defined_on: str = "every x"

    @property
    def real_range(self) -> str:
        return format_range(self.lower, self.upper)


def compute_properties(
    key: str, x_min: float, x_max: float, params: Params | None = None
) -> Properties:
    """All the properties of one activation; the window only affects the window range."""
    spec = get(key)
    fn = _f(key, params)
    window = fn(torch.linspace(x_min, x_max, 20_001, dtype=DTYPE))
    return Properties(
        key=key,
        name=spec.name,
        window_min=float(window.min()),
        window_max=float(window.max()),
        lower=real_line_bound(key, params),
        upper=real_line_bound(key, params, upper=True),
        value_at_0=_scalar(fn, 0.0),
        slope_at_0=_scalar(_df(key, params), 0.0),
        mean_output=normal_mean(key, params),
        monotonic=is_monotonic(key, params),
        smoothness=smoothness(key, params),
        minimum=interior_minimum(key, params),
        max_slope=max_slope(key, params),
        sparsity=sparsity(key, params),
        mean_slope=normal_mean_slope(key, params),
        rms_slope=normal_rms_slope(key, params),
        defined_on=defined_on(key, params),
    )


def properties_frame(props: list[Properties]) -> pd.DataFrame:
    """The table as the page shows it: one row per activation, readable columns.
    (Numbers stay numbers; :func:`properties_sheet` turns it into text for display, with
    the 'Finite for' row only when some typed formula is not finite everywhere.)"""
    rows = []
    for p in props:
        rows.append(
            {
                "Activation": p.name,
                "Range in window": f"[{p.window_min:.4g}, {p.window_max:.4g}]",
                "Range on ℝ": p.real_range,
                "f(0)": p.value_at_0,
                "f′(0)": p.slope_at_0,
                "Note on f′(0)": (
                    "PyTorch's convention at the kink (not a derivative)"
                    if p.smoothness.endswith(" at 0") and not p.smoothness.startswith("f″")
                    else "the derivative"
                ),
                "Mean output, x~N(0,1)": p.mean_output,
                "Monotonic": "yes" if p.monotonic else "no",
                "Smoothness": p.smoothness,
                "Minimum (at x)": (
                    f"{p.minimum.value:.4f} (x = {p.minimum.x:.4f})" if p.minimum else "—"
                ),
                "Max slope (where)": (
                    f"{p.max_slope.value:.4f}" if math.isfinite(p.max_slope.value) else "∞"
                ) + f" ({p.max_slope.where})",
                "Exact zeros, x~N(0,1)": p.sparsity,
                "E[f′(x)], x~N(0,1)": p.mean_slope,
                "√E[f′(x)²], x~N(0,1) (gradient-size factor)": p.rms_slope,
                "Finite for": p.defined_on,
            }
        )
    return pd.DataFrame(rows)


def properties_sheet(props: list[Properties]) -> pd.DataFrame:
    """The table transposed for reading: one row per property, one column per activation,
    every cell as text with sensible rounding (it fits a slide with several activations)."""
    table = properties_frame(props).set_index("Activation")
    if (table["Finite for"] == "every x").all():  # the row matters for typed formulas only
        table = table.drop(columns="Finite for")
    formats = {
        "f(0)": "{:.4f}",
        "f′(0)": "{:.4f}",
        "Mean output, x~N(0,1)": "{:.4f}",
        "E[f′(x)], x~N(0,1)": "{:.4f}",
        "√E[f′(x)²], x~N(0,1) (gradient-size factor)": "{:.4f}",
        "Exact zeros, x~N(0,1)": "{:.1%}",
    }
    for column, fmt in formats.items():
        table[column] = [fmt.format(_clean(float(v))) for v in table[column]]
    return table.T.rename_axis("Property")
