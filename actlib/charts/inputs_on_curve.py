"""The "where the inputs fall" chart: a layer's pre-activation histogram under f and f′."""

from __future__ import annotations

import altair as alt
import pandas as pd

from actlib.activations import get
from actlib.inputs_on_curve import InputsOnCurve
from actlib.probes import SATURATION_THRESHOLD

FLAT_COLOR = "#d9d9d9"


def inputs_on_curve_chart(measured: InputsOnCurve, curve: pd.DataFrame, width: int = 520,
                          height: int = 280) -> alt.LayerChart:
    """Bars: the share of the layer's inputs at each x (right axis). Lines: f (solid) and
    f′ (dashed) of its activation (left axis), on the same x. Grey bands: where
    |f′| < ε, the flat region in which the gradient fades."""
    color = get(measured.key).color
    x = alt.X("x:Q", title="activation input x (pre-activation)",
              scale=alt.Scale(domain=[-measured.half_width, measured.half_width], nice=False))
    flat = curve.assign(flat=curve["df"].abs() < SATURATION_THRESHOLD)
    step = float(flat["x"].diff().median())
    bands = alt.Chart(flat[flat["flat"]].assign(x2=lambda d: d["x"] + step)).mark_rect(
        color=FLAT_COLOR, opacity=0.45).encode(x=x, x2="x2:Q")
    bars = alt.Chart(measured.histogram_frame()).mark_rect(
        color=color, opacity=0.35, stroke=color, strokeWidth=0.4).encode(
        x=alt.X("x0:Q", scale=alt.Scale(domain=[-measured.half_width, measured.half_width],
                                        nice=False), title=None),
        x2="x1:Q",
        y=alt.Y("share:Q", title="share of inputs", axis=alt.Axis(format=".0%",
                                                                   orient="right")),
        tooltip=[alt.Tooltip("x0:Q", format=".2f", title="from"),
                 alt.Tooltip("x1:Q", format=".2f", title="to"),
                 alt.Tooltip("share:Q", format=".1%")])
    long = curve.melt(id_vars=["x"], value_vars=["f", "df"], var_name="curve",
                      value_name="value").replace({"curve": {"f": "f(x)", "df": "f′(x)"}})
    lines = alt.Chart(long).mark_line(color=color, strokeWidth=2.5, clip=True).encode(
        x=x,
        y=alt.Y("value:Q", title="f(x) and f′(x)"),
        strokeDash=alt.StrokeDash("curve:N", title=None,
                                  scale=alt.Scale(domain=["f(x)", "f′(x)"],
                                                  range=[[1, 0], [6, 4]]),
                                  legend=alt.Legend(orient="top-left")))
    curves = alt.layer(bands, lines)
    title = (f"{get(measured.key).name}, layer {measured.layer}: its inputs on f and f′ "
             f"(step {measured.step:,})")
    return (alt.layer(curves, bars).resolve_scale(y="independent")
            .properties(width=width, height=height, title=title))
