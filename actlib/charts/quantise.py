"""Charts of the quantised-activations view: the staircase on f, the error against the bit
count (bounded against unbounded activations), the clip trade-off, and a trained network's
test accuracy at each bit count. Activations keep their catalogue colours."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from actlib.activations import get
from actlib.charts import TEXT_COLOR, activation_color

HEIGHT = 280
STAIR_COLOR = "#262730"


def staircase_chart(frame: pd.DataFrame, key: str, low: float, high: float, bits: int
                    ) -> alt.Chart:
    """f (its colour) and its k-bit staircase (dark), with the quantiser's range dashed."""
    long = frame.melt("x", ["f", "quantised"], var_name="curve", value_name="y")
    long["curve"] = long["curve"].map({"f": get(key).name, "quantised": f"{bits}-bit output"})
    names = [get(key).name, f"{bits}-bit output"]
    long["width"] = long["curve"].map({names[0]: 5.0, names[1]: 1.8})
    lines = (
        alt.Chart(long, height=HEIGHT)
        .mark_line(interpolate="linear")
        .encode(x=alt.X("x:Q", title="x (input to the activation)"),
                y=alt.Y("y:Q", title="output"),
                color=alt.Color("curve:N", sort=names,
                                scale=alt.Scale(domain=names, range=[get(key).color, STAIR_COLOR]),
                                legend=alt.Legend(title=None, orient="bottom")),
                strokeWidth=alt.StrokeWidth("width:Q", scale=None, legend=None),
                tooltip=[alt.Tooltip("x:Q", format=".3f"), "curve:N",
                         alt.Tooltip("y:Q", format=".4f")])
    )
    bounds = (
        alt.Chart(pd.DataFrame({"y": [low, high]}))
        .mark_rule(strokeDash=[5, 4], color="#9aa0a6")
        .encode(y="y:Q")
    )
    return alt.layer(bounds, lines).properties(title=f"f and its {bits}-bit staircase")


BITS_AXIS = alt.X("bits:Q", title="bits k", scale=alt.Scale(domain=[2, 8]),
                  axis=alt.Axis(values=list(range(2, 9))))
ERROR_TICKS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]


def bits_chart(table: pd.DataFrame, keys: Sequence[str], bits: int) -> alt.Chart:
    """Relative RMS error (log scale) against k for each activation; the unbounded ones
    (clipped at c) dashed. A rule marks the chosen k. The page draws the activations'
    legend above the chart."""
    table = table.assign(kind=table["bounded"].map({True: "own range", False: "clipped at c"}))
    lines = (
        alt.Chart(table, height=HEIGHT)
        .mark_line(point=True, strokeWidth=2.2)
        .encode(x=BITS_AXIS,
                y=alt.Y("relative_error:Q", title="RMS error / output std",
                        scale=alt.Scale(type="log"),
                        axis=alt.Axis(format="~%", values=ERROR_TICKS)),
                color=activation_color(keys, legend=False),
                strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(
                    domain=["own range", "clipped at c"], range=[[1, 0], [6, 4]]), legend=None),
                tooltip=["activation:N", "bits:Q", "kind:N",
                         alt.Tooltip("relative_error:Q", format=".2%")])
    )
    rule = alt.Chart(pd.DataFrame({"bits": [bits]})).mark_rule(
        color=TEXT_COLOR, strokeDash=[2, 3]).encode(x=BITS_AXIS)
    return alt.layer(rule, lines).properties(
        title="Error on N(0, 1) inputs (dashed: clipped at c)")


def clip_chart(frame: pd.DataFrame, clip: float, key: str, bits: int) -> alt.Chart:
    """The relative error against the clip value c, with the chosen c marked: clipping
    error on the left, coarse steps on the right."""
    line = (
        alt.Chart(frame, height=HEIGHT)
        .mark_line(strokeWidth=2.2, color=get(key).color)
        .encode(x=alt.X("clip:Q", title="clip value c"),
                y=alt.Y("relative_error:Q", title="RMS error / output std",
                        axis=alt.Axis(format="%")),
                tooltip=[alt.Tooltip("clip:Q", format=".2f"),
                         alt.Tooltip("relative_error:Q", format=".2%")])
    )
    rule = alt.Chart(pd.DataFrame({"clip": [clip]})).mark_rule(
        color=TEXT_COLOR, strokeDash=[2, 3]).encode(x="clip:Q")
    return alt.layer(rule, line).properties(
        title=f"{get(key).name} at {bits} bits: where to clip")


def accuracy_chart(accuracy: pd.DataFrame, keys: Sequence[str]) -> alt.Chart:
    """Test accuracy against k with every hidden output quantised; each activation's
    full-precision accuracy as a dotted rule."""
    quantised = accuracy[accuracy["bits"] > 0]
    full = accuracy[accuracy["bits"] == 0]
    lines = (
        alt.Chart(quantised, height=HEIGHT)
        .mark_line(point=True, strokeWidth=2.2)
        .encode(x=BITS_AXIS,
                y=alt.Y("accuracy:Q", title="test accuracy", axis=alt.Axis(format="%"),
                        scale=alt.Scale(zero=False)),
                color=activation_color(keys, legend=False),
                tooltip=["activation:N", "bits:Q", alt.Tooltip("accuracy:Q", format=".1%")])
    )
    rules = (
        alt.Chart(full)
        .mark_rule(strokeDash=[2, 3], strokeWidth=1.5)
        .encode(y="accuracy:Q", color=activation_color(keys, legend=False),
                tooltip=["activation:N", alt.Tooltip("accuracy:Q", format=".1%",
                                                     title="full precision")])
    )
    return alt.layer(rules, lines).properties(
        title="A trained network, hidden outputs in k bits (dotted: full precision)")
