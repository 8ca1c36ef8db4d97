"""Charts of the "Why non-linearity" page: decision surfaces, unit maps, fits and neurons.

Classes take the app's one class palette (:data:`actlib.charts.CLASS_COLORS`, orange for
class 0 and blue for class 1, with a legend on the chart); every activation keeps its
catalogue colour, as on every page.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from actlib.activations import get
from actlib.charts import activation_color, class_color, plane_scales, surface_heatmap
from actlib.datasets import REGRESSION_X_RANGE

NEURON_CLASS_COLORS = ("#b8b8b8", "#5a5a5a")
"""The one exception to the class palette: class 0 (light circles) and class 1 (dark
squares) under the step neuron's activation-coloured lines, where the class orange would
clash with sigmoid's orange line. Shape carries the class; the legend says which."""


def surface_chart(
    surface: pd.DataFrame,
    points: pd.DataFrame | None,
    title: str,
    segment: tuple[tuple[float, float], tuple[float, float]] | None = None,
    size: int = 330,
) -> alt.LayerChart:
    """P(class 1) over the plane as a heatmap, with the points (training: white ring,
    test: dark ring) and optionally a dashed straight line (the folded boundary)."""
    heat = surface_heatmap(surface[["x1", "x2", "value"]], size)
    x_scale, y_scale = plane_scales(surface)
    layers: list[alt.Chart] = [heat]
    if points is not None and not points.empty:
        layers.append(
            alt.Chart(points)
            .mark_circle(size=26, opacity=1, strokeWidth=1)
            .encode(
                x=alt.X("x1:Q", scale=x_scale),
                y=alt.Y("x2:Q", scale=y_scale),
                fill=class_color(channel=alt.Fill),
                stroke=alt.Stroke("split:N", scale=alt.Scale(domain=["train", "test"],
                                                             range=["#ffffff", "#111111"]),
                                  legend=None),
                tooltip=["split", alt.Tooltip("y:N", title="class"),
                         alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f")],
            )
        )
    if segment is not None:
        (a1, a2), (b1, b2) = segment
        line = pd.DataFrame({"x1": [a1, b1], "x2": [a2, b2]})
        layers.append(
            alt.Chart(line).mark_line(color="#111111", strokeWidth=2.5, strokeDash=[7, 4])
            .encode(x=alt.X("x1:Q", scale=x_scale), y=alt.Y("x2:Q", scale=y_scale))
        )
    return alt.layer(*layers, title=title)


UNIT_PICK = "unit_pick"
"""The name of the unit maps' click selection (a unit number), read by the Playground."""


def unit_maps_chart(frame: pd.DataFrame, columns: int = 8, size: int = 92,
                    pickable: bool = False) -> alt.FacetChart:
    """Each hidden unit's output over the plane, one small map per unit (red below 0,
    blue above, white at 0). ``pickable``: a click on a map selects its unit
    (:data:`UNIT_PICK`)."""
    limit = float(np.nanmax(np.abs(frame["value"].to_numpy()))) or 1.0
    color = alt.Color("value:Q", title="unit output",
                      scale=alt.Scale(scheme="redblue", domain=[-limit, limit]),
                      legend=alt.Legend(orient="right", gradientLength=120))
    chart = (
        surface_heatmap(frame, size, axes=False, color=color, value="value")
        .encode(tooltip=[alt.Tooltip("unit:O"), alt.Tooltip("x1:Q", format=".2f"),
                         alt.Tooltip("x2:Q", format=".2f"),
                         alt.Tooltip("value:Q", format=".3f", title="output")])
    )
    if pickable:
        chart = chart.add_params(alt.selection_point(name=UNIT_PICK, fields=["unit"]))
    return (
        chart
        .facet(facet=alt.Facet("unit:O", title=None, header=alt.Header(labelFontSize=13,
                                                                       labelPadding=2)),
               columns=columns, spacing=6)
    )


Y_EXTENT = alt.Axis(minExtent=42, maxExtent=42)
"""The same y-axis width in every small chart of a row, so none is clipped or shifted."""
X_RANGE = alt.Scale(domain=list(REGRESSION_X_RANGE), nice=False)
X_AXIS = alt.Axis(labelFlush=True)


TARGET_COLOR = "#555555"
FIT_CURVES = ("target", "fit")


def fit_chart(
    fit: pd.DataFrame, target: pd.DataFrame, key: str, title: str | alt.TitleParams,
    points: pd.DataFrame | None = None, height: int = 310,
) -> alt.LayerChart:
    """One activation's fit (its colour) over the true target (grey, dashed), optionally
    with the training points. A legend names both lines: the dashed target is what the fit
    is measured against, and nothing else on the page says which line it is."""
    layers: list[alt.Chart] = []
    y_domain = _padded_domain(target["value"])
    y_scale = alt.Scale(domain=y_domain, clamp=True)
    curve = alt.Scale(domain=list(FIT_CURVES), range=[TARGET_COLOR, get(key).color])
    dash = alt.Scale(domain=list(FIT_CURVES), range=[[6, 4], [1, 0]])
    key_legend = alt.Legend(title=None, orient="bottom", symbolStrokeWidth=2.5,
                            symbolType="stroke")
    if points is not None and not points.empty:
        layers.append(
            alt.Chart(points).mark_circle(size=10, color="#999999", opacity=0.45, clip=True)
            .encode(x=alt.X("x:Q", scale=X_RANGE), y=alt.Y("y:Q", scale=y_scale))
        )
    lines = pd.concat([target[["x", "value"]].assign(curve="target"),
                       fit[["x", "value"]].assign(curve="fit")], ignore_index=True)
    layers.append(
        alt.Chart(lines).mark_line(clip=True)
        .encode(x=alt.X("x:Q", title="x", scale=X_RANGE, axis=X_AXIS),
                y=alt.Y("value:Q", title=None, scale=y_scale, axis=Y_EXTENT),
                color=alt.Color("curve:N", scale=curve, legend=key_legend, sort=FIT_CURVES),
                strokeDash=alt.StrokeDash("curve:N", scale=dash, legend=key_legend,
                                          sort=FIT_CURVES),
                strokeWidth=alt.StrokeWidth("curve:N", legend=None, scale=alt.Scale(
                    domain=list(FIT_CURVES), range=[1.8, 2.8])),
                order=alt.Order("curve:N", sort="descending"),  # the fit on top
                tooltip=["curve", alt.Tooltip("x:Q", format=".3f"),
                         alt.Tooltip("value:Q", format=".4f")])
    )
    return alt.layer(*layers, title=title, height=height)


def _padded_domain(values: pd.Series, pad: float = 0.35) -> list[float]:
    lo, hi = float(values.min()), float(values.max())
    span = max(hi - lo, 1e-6)
    return [lo - pad * span, hi + pad * span]


def contributions_chart(
    frame: pd.DataFrame, key: str, title: str, height: int = 230
) -> alt.Chart:
    """Every unit's term v_j f(w_j x + b_j), one thin line per unit, in the activation's
    colour: their sum (plus a constant) is the fit above."""
    units = int(frame["unit"].max()) if not frame.empty else 0
    opacity = 0.9 if units <= 8 else 0.6 if units <= 24 else 0.4
    return (
        alt.Chart(frame, title=title, height=height)
        .mark_line(color=get(key).color, strokeWidth=1.4, opacity=opacity, clip=True)
        .encode(
            x=alt.X("x:Q", title="x", scale=X_RANGE, axis=X_AXIS),
            y=alt.Y("value:Q", title=None, axis=Y_EXTENT),
            detail="unit:N",
            tooltip=[alt.Tooltip("unit:O"), alt.Tooltip("x:Q", format=".3f"),
                     alt.Tooltip("value:Q", format=".4f", title="v·f(wx+b)")],
        )
    )


def error_chart(frame: pd.DataFrame, keys: Sequence[str], units: int, height: int = 260):
    """RMS error of the construction against N (log-log), one line per activation, with a
    rule at the current N."""
    frame = frame[frame["rms_error"] > 0]
    lines = (
        alt.Chart(frame, height=height)
        .mark_line(point=True, strokeWidth=2.2)
        .encode(
            x=alt.X("units:Q", scale=alt.Scale(type="log", domain=[1, 64], nice=False),
                    title="hidden units N (log scale)"),
            y=alt.Y("rms_error:Q", scale=alt.Scale(type="log"),
                    title="RMS error vs target (log)", axis=alt.Axis(format="~g")),
            color=activation_color(keys, legend=False),
            tooltip=["activation", "units", alt.Tooltip("rms_error:Q", format=".4f")],
        )
    )
    rule = alt.Chart(pd.DataFrame({"units": [units]})).mark_rule(
        strokeDash=[4, 4], color="#333333").encode(x="units:Q")
    return alt.layer(lines, rule, title="Error of the best fit as units are added")


# --- the step neuron -----------------------------------------------------------------------


def _neuron_scales(labels: Sequence[str], keys: Sequence[str]) -> tuple[alt.Scale, alt.Scale]:
    colors = alt.Scale(domain=list(labels), range=[get(k).color for k in keys])
    dashes = alt.Scale(domain=list(labels),
                       range=[[5, 3] if "rule" in label else [1, 0] for label in labels])
    return colors, dashes


def neuron_boundary_chart(
    points: pd.DataFrame, lines: pd.DataFrame, bounds: Sequence[tuple[float, float]],
    labels: Sequence[str], keys: Sequence[str], title: str, size: int = 330,
) -> alt.LayerChart:
    """The 2-D points and each neuron's line w·x + b = 0 (class 1 on the side w points to)."""
    colors, dashes = _neuron_scales(labels, keys)
    classes = alt.Legend(title=None, orient="bottom", labelExpr="'class ' + datum.label")
    (x_lo, x_hi), (y_lo, y_hi) = bounds
    x_scale = alt.Scale(domain=[x_lo, x_hi], nice=False, zero=False)
    y_scale = alt.Scale(domain=[y_lo, y_hi], nice=False, zero=False)
    dots = (
        alt.Chart(points, width=size, height=size)
        .mark_point(size=34, opacity=0.9, filled=True)
        .encode(
            x=alt.X("x1:Q", scale=x_scale, title="x₁"),
            y=alt.Y("x2:Q", scale=y_scale, title="x₂"),
            shape=alt.Shape("y:N", scale=alt.Scale(domain=[0, 1], range=["circle", "square"]),
                            legend=classes),
            color=alt.Color("y:N", scale=alt.Scale(domain=[0, 1],
                                                   range=list(NEURON_CLASS_COLORS)),
                            legend=classes),
            tooltip=[alt.Tooltip("y:N", title="class")],
        )
    )
    if lines.empty:
        return alt.layer(dots, title=title)
    drawn = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3, clip=True)
        .encode(
            x=alt.X("x1:Q", scale=x_scale), y=alt.Y("x2:Q", scale=y_scale),
            color=alt.Color("neuron:N", scale=colors, legend=None),
            strokeDash=alt.StrokeDash("neuron:N", scale=dashes, legend=None),
            detail="neuron:N",
            tooltip=["neuron"],
        )
    )
    return alt.layer(dots, drawn, title=title).resolve_scale(color="independent")


def neuron_history_chart(
    history: pd.DataFrame, column: str, title: str, step: int,
    labels: Sequence[str], keys: Sequence[str], height: int = 200, percent: bool = False,
) -> alt.LayerChart:
    """One quantity of each neuron against the step, with a rule at the shown step."""
    colors, dashes = _neuron_scales(labels, keys)
    axis = alt.Axis(format="%") if percent else alt.Undefined
    lines = (
        alt.Chart(history, height=height)
        .mark_line(strokeWidth=2.4)
        .encode(
            x=alt.X("step:Q", title="step"),
            y=alt.Y(f"{column}:Q", title=None, axis=axis),
            color=alt.Color("neuron:N", scale=colors, legend=None),
            strokeDash=alt.StrokeDash("neuron:N", scale=dashes, legend=None),
            tooltip=["neuron", "step", alt.Tooltip(f"{column}:Q", format=".4f")],
        )
    )
    rule = alt.Chart(pd.DataFrame({"step": [step]})).mark_rule(
        strokeDash=[4, 4], color="#333333").encode(x="step:Q")
    return alt.layer(lines, rule, title=title)


def loss_slice_chart(frame: pd.DataFrame, start_w1: float, height: int = 230) -> alt.LayerChart:
    """The loss along w1 (w2 and b held) for each activation, with the start marked."""
    keys = list(dict.fromkeys(frame["key"]))
    lines = (
        alt.Chart(frame, height=height)
        .mark_line(strokeWidth=2.4, interpolate="step-after")
        .encode(
            x=alt.X("w1:Q", title="w₁"),
            y=alt.Y("loss:Q", title="mean squared error"),
            color=activation_color(keys, legend=False, field="neuron"),
            tooltip=["neuron", alt.Tooltip("w1:Q", format=".2f"),
                     alt.Tooltip("loss:Q", format=".4f")],
        )
    )
    rule = alt.Chart(pd.DataFrame({"w1": [start_w1]})).mark_rule(
        strokeDash=[4, 4], color="#333333").encode(x="w1:Q")
    return alt.layer(lines, rule, title="Loss as w₁ alone moves (w₂ and b held at the start)")
