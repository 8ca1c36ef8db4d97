"""Charts of the Vanishing and exploding gradients page, from the frames of actlib.gradients.

Gradients span many orders of magnitude, so every gradient axis is logarithmic; values that
a log axis cannot show (zero, NaN after a divergence, overflow) are dropped from the chart
data, and the page says so in words. Activations keep their catalogue colours; the legend
is the page's chip row above the charts, not an Altair legend.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from actlib.activations import color_scale
from actlib.charts import CHART_FONT_SIZE, activation_color

LAYER_TITLE = "hidden layer (1 = next to the input)"


def positive_rows(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows whose ``column`` can sit on a log axis (finite and above zero)."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    return frame.loc[np.isfinite(values) & (values > 0)]


def _layer_axis(depth: int) -> alt.X:
    ticks = list(range(1, depth + 1)) if depth <= 25 else list(range(1, depth + 1, 5))
    return alt.X(
        "layer:Q", title=LAYER_TITLE, scale=alt.Scale(domain=[1, max(depth, 2)], nice=False),
        axis=alt.Axis(values=ticks, format="d"),
    )


def flow_chart(
    frame: pd.DataFrame,
    keys: Sequence[str],
    measure: str,
    title: str,
    theory: bool = False,
    height: int = 320,
) -> alt.LayerChart:
    """A gradient measure per layer on a log axis, one line per activation.

    With ``theory`` the frame's ``theory`` column is drawn dashed in the same colour.
    """
    depth = int(frame["layer"].max()) if len(frame) else 1
    data = positive_rows(frame, measure)
    tooltip = [
        alt.Tooltip("activation:N"),
        alt.Tooltip("layer:Q"),
        alt.Tooltip(f"{measure}:Q", format=".3e", title="measured"),
    ]
    if theory:
        tooltip.append(alt.Tooltip("theory:Q", format=".3e", title="theory"))
    y = alt.Y(f"{measure}:Q", title=None, scale=alt.Scale(type="log"),
              axis=alt.Axis(format=".0e"))
    base = alt.Chart(data, height=height).encode(
        x=_layer_axis(depth), y=y, color=activation_color(keys, legend=False),
        detail="key:N", tooltip=tooltip,
    )
    layers: list[alt.Chart] = [base.mark_line(strokeWidth=2.5), base.mark_point(filled=True,
                                                                                  size=28)]
    if theory and "theory" in frame:
        lines = positive_rows(frame, "theory")
        layers.insert(0, alt.Chart(lines).mark_line(strokeDash=[6, 4], strokeWidth=2,
                                                    opacity=0.8).encode(
            x=_layer_axis(depth),
            y=alt.Y("theory:Q", scale=alt.Scale(type="log")),
            color=activation_color(keys, legend=False),
            detail="key:N",
        ))
    return alt.layer(*layers, title=title)


def _round_ticks(steps: Sequence[int], count: int) -> list[int]:
    """At most about ``count`` of the steps, at round multiples (0, 100, 200 ...)."""
    span = max(int(steps[-1]), 1)
    raw = span / count
    magnitude = 10 ** int(np.floor(np.log10(raw))) if raw >= 1 else 1
    every = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    chosen = [s for s in steps if s % every == 0]
    return chosen if len(chosen) >= 2 else [steps[0], steps[-1]]


LAYER_PICK = "layer_pick"
"""The heatmap's click selection: the (activation key, layer) of the clicked cell."""


def gradient_heatmap(
    frame: pd.DataFrame, keys: Sequence[str], columns: int = 2, cell_width: int = 300,
    pickable: bool = False,
) -> alt.FacetChart:
    """Layer x step heatmap of log10 weight-gradient RMS, one panel per activation.

    One colour scale for all panels (dark = small), so panels compare directly; layer 1
    sits at the top, so vanishing gradients show as a dark band along the top rows.
    ``pickable``: a click on a cell selects its activation and layer (:data:`LAYER_PICK`).
    """
    names = color_scale(list(keys))[0]
    data = frame.loc[frame["log10_rms"].notna()] if len(frame) else frame
    depth = int(frame["layer"].max()) if len(frame) else 1
    steps = sorted(frame["step"].unique()) if len(frame) else [0]
    height = int(np.clip(12 * depth, 120, 320))
    chart = alt.Chart(data, width=cell_width, height=height)
    if pickable:
        chart = chart.add_params(alt.selection_point(name=LAYER_PICK, fields=["key", "layer"]))
    return (
        chart
        .mark_rect()
        .encode(
            x=alt.X("step:O", title="training step", scale=alt.Scale(domain=steps),
                    axis=alt.Axis(values=_round_ticks(steps, max(2, cell_width // 50)),
                                  labelAngle=0)),
            y=alt.Y("layer:O", title="layer", scale=alt.Scale(domain=list(range(1, depth + 1))),
                    axis=alt.Axis(values=list(range(1, depth + 1, max(1, depth // 10))))),
            color=alt.Color("log10_rms:Q", title=["log₁₀ RMS of", "weight gradient"],
                            scale=alt.Scale(scheme="viridis")),
            tooltip=["activation", "layer", "step",
                     alt.Tooltip("weight_grad_rms:Q", format=".3e", title="RMS")],
        )
        .facet(facet=alt.Facet("activation:N", sort=names, title=None,
                               header=alt.Header(labelFontSize=CHART_FONT_SIZE + 1,
                                                 labelFontWeight="bold")),
               columns=columns)
        .properties(title="Weight-gradient RMS per layer while training")
    )


def stats_chart(
    frame: pd.DataFrame, keys: Sequence[str], measure: str, title: str, height: int = 240,
    y_format: str | None = None,
) -> alt.Chart:
    """One activation statistic per layer: solid after training, dashed at init."""
    data = frame.loc[(frame["measure"] == measure) & frame["value"].notna()]
    depth = int(frame["layer"].max()) if len(frame) else 1
    stages = list(dict.fromkeys(frame["stage"]))
    axis = alt.Axis(format=y_format) if y_format else alt.Axis()
    return (
        alt.Chart(data, title=title, height=height)
        .mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=18))
        .encode(
            x=_layer_axis(depth),
            y=alt.Y("value:Q", title=None, axis=axis),
            color=activation_color(keys, legend=False),
            strokeDash=alt.StrokeDash(
                "stage:N", sort=stages, title=None,
                scale=alt.Scale(domain=stages, range=[[5, 4], [1, 0]][: len(stages)]),
                legend=None,  # the page says which is which, once for all three charts
            ),
            detail="key:N",
            tooltip=["activation", "layer", "stage",
                     alt.Tooltip("value:Q", format=".4f", title=measure)],
        )
    )


def pre_activation_chart(frame: pd.DataFrame, keys: Sequence[str], height: int = 240) -> alt.Chart:
    """Std of each layer's activation inputs at initialisation, log axis."""
    depth = int(frame["layer"].max()) if len(frame) else 1
    data = positive_rows(frame, "pre_std")
    return (
        alt.Chart(data, title="Std of activation inputs, init", height=height)
        .mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=18))
        .encode(
            x=_layer_axis(depth),
            y=alt.Y("pre_std:Q", title=None, scale=alt.Scale(type="log"),
                    axis=alt.Axis(format=".0e")),
            color=activation_color(keys, legend=False),
            detail="key:N",
            tooltip=["activation", "layer", alt.Tooltip("pre_std:Q", format=".3e")],
        )
    )
