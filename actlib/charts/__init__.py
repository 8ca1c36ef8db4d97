"""Altair chart builders from tidy pandas frames.

Every chart colours an activation with the catalogue's fixed colour, through
:func:`activation_color`, so a student can follow one activation from page to page, and
the two classes of a 2-D data set with :data:`CLASS_COLORS`, through :func:`class_color`.
This module holds the shared builders and the Shapes page's; each other topic keeps its
builders in a submodule (``actlib.charts.gradients``, ...) built on these.

Importing it registers and enables the app's Altair theme (:data:`THEME`), so every
chart of every page gets the same readable fonts from one place: Streamlit's own chart
theme uses 12 px tick labels and grey 14 px axis titles, too small on a projector.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from actlib.activation_info import color_scale, lookup
from actlib.chart_style import (  # noqa: F401  (re-exported: builders use charts.X)
    CLASS_COLORS,
    CLASS_COLORS_DARK,
    DARK_BACKGROUND,
    DARK_DOMAIN,
    DARK_GRID,
    DARK_MIDDLE,
    DARK_SURFACE,
    DARK_TEXT,
    DESK_SIZES,
    NEUTRAL_INKS_DARK,
    PRESENTER_SIZES,
    PRESENTER_STROKE,
    TEXT_COLOR,
    class_palette,
    dark,
    dark_chart_css,
    dark_variants,
    presenter,
    set_presenter,
    theme_config,
)
from actlib.charts import altair_fast_paths, schema_check

alt.data_transformers.disable_max_rows()  # frames here are bounded by the settings' caps
schema_check.install()  # the suite validates every chart; the server does not
altair_fast_paths.install()  # the same charts, built with less of Altair's overhead

CHART_FONT_SIZE = 14
"""Text marks drawn inside a chart (value labels), as large as the tick labels."""
THEME = "activation_lab"
Y_AXIS_EXTENT = 50
"""Fixed width (px) of the y axis of charts stacked in one column, so their x axes line up;
wide enough for a label such as "−0.25" at the theme's 14 px."""

@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    """The app's theme: the desk's sizes, or the presenter view's in a session that has it
    on (:func:`set_presenter`)."""
    return alt.theme.ThemeConfig(config=theme_config(presenter(), dark()))


def class_color(
    field: str = "y", legend: bool = True, channel: type = alt.Color, classes: int = 2
) -> alt.Color | alt.Fill:
    """The encoding of a class-index column (0 .. classes - 1) in :data:`CLASS_COLORS`, with
    a legend naming the classes (the key belongs on the chart, not only in a caption)."""
    if not 2 <= classes <= len(CLASS_COLORS):
        raise ValueError(f"the palette has colours for 2 to {len(CLASS_COLORS)} classes")
    key = alt.Legend(title=None, orient="bottom", labelExpr="'class ' + datum.label")
    return channel(
        f"{field}:N",
        scale=alt.Scale(domain=list(range(classes)), range=list(CLASS_COLORS)),
        legend=key if legend else None,
    )


def _toward_white(color: str, share: float) -> str:
    """``color`` (#rrggbb) mixed with ``share`` of white: what it looks like drawn with
    opacity 1 - share on a white page, without the darker seams translucent tiles leave
    where they overlap."""
    return _toward(color, share, "#ffffff")


def _toward(color: str, share: float, target: str) -> str:
    """``color`` mixed with ``share`` of ``target`` (both #rrggbb)."""
    channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    goal = [int(target[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (g - c) * share):02x}"
                         for c, g in zip(channels, goal, strict=True))


def surface_scale(fade: float = 0.0) -> alt.Scale:
    """P(class 1) from 0 to 1 in the class colours, through white at 0.5; ``fade`` mixes
    that share of white in (a lighter surface under small points)."""
    if dark():  # on the dark theme it fades toward the background instead
        colors = [CLASS_COLORS_DARK[0], DARK_MIDDLE, CLASS_COLORS_DARK[1]]
        return alt.Scale(domain=[0, 0.5, 1],
                         range=[_toward(c, fade, DARK_MIDDLE) for c in colors])
    colors = [CLASS_COLORS[0], "#f4f4f4", CLASS_COLORS[1]]
    return alt.Scale(domain=[0, 0.5, 1], range=[_toward_white(c, fade) for c in colors])


TILE_OVERLAP = 1.15
"""Surface cells reach this many half-cells from their centre: exactly abutting rects leave
anti-aliased white seams between cells."""


def surface_tiles(surface: pd.DataFrame) -> pd.DataFrame:
    """Add the corners of each grid cell (x1a..x1b, x2a..x2b) so rects tile the plane."""
    frame = surface.copy()
    for axis in ("x1", "x2"):
        values = np.unique(frame[axis].to_numpy())
        half = (values[1] - values[0]) / 2 if len(values) > 1 else 0.5
        frame[f"{axis}a"] = frame[axis] - TILE_OVERLAP * half
        frame[f"{axis}b"] = frame[axis] + TILE_OVERLAP * half
    return frame


def plane_scales(surface: pd.DataFrame) -> tuple[alt.Scale, alt.Scale]:
    """x1 and x2 scales spanning a surface grid's centres, for the surface and whatever is
    drawn on it (points, lines): the edge tiles are clipped there."""
    return tuple(alt.Scale(domain=[float(surface[a].min()), float(surface[a].max())],
                           nice=False, zero=False)
                 for a in ("x1", "x2"))  # type: ignore[return-value]


def surface_heatmap(
    surface: pd.DataFrame, size: int, axes: bool = True, fade: float = 0.0,
    value: str = "value", color: alt.Color | None = None,
) -> alt.Chart:
    """A value over the plane as tiles (``surface`` has x1, x2 and ``value`` on a grid):
    by default P(class 1) in the class palette (:func:`surface_scale`, lightened by
    ``fade``). The tiles are opaque: they overlap, and translucent ones would show a lattice
    there. ``axes=False`` draws a bare panel (small multiples); ``color`` replaces the class
    colouring (the Playground's unit maps)."""
    tiles = surface_tiles(surface)
    x_scale, y_scale = plane_scales(tiles)
    hidden = None if axes else alt.Axis(title=None, labels=False, ticks=False, grid=False,
                                        domain=False)
    if color is None:
        color = alt.Color(f"{value}:Q", title="P(class 1)", scale=surface_scale(fade),
                          legend=None)
    title = "P(class 1)" if value == "value" else value
    return (
        alt.Chart(tiles, width=size, height=size)
        .mark_rect(clip=True, opacity=1, strokeWidth=0)
        .encode(
            x=alt.X("x1a:Q", scale=x_scale, title="x₁", axis=hidden or alt.Undefined),
            x2="x1b:Q",
            y=alt.Y("x2a:Q", scale=y_scale, title="x₂", axis=hidden or alt.Undefined),
            y2="x2b:Q",
            color=color,
            tooltip=[alt.Tooltip("x1:Q", format=".2f", title="x₁"),
                     alt.Tooltip("x2:Q", format=".2f", title="x₂"),
                     alt.Tooltip(f"{value}:Q", format=".3f", title=title)],
        )
    )


LOSS_FLOOR = 1e-6
"""Losses are drawn on a log axis: a loss that rounds to 0 is shown at this floor."""
SPLIT_DASHES = {"train": [1, 0], "test": [5, 3]}


def loss_frame(history: pd.DataFrame, splits: Sequence[str] = ("train", "test")) -> pd.DataFrame:
    """The losses of a :func:`actlib.training.history_frame` as tidy rows (step, model, key,
    activation, split, loss): only finite values (a diverged model's curve stops), floored
    at :data:`LOSS_FLOOR` for the log axis. ``activation`` is the catalogue's name, the
    domain of :func:`activation_color`."""
    columns = [f"{split}_loss" for split in splits]
    if history.empty:
        return pd.DataFrame(columns=["step", "model", "key", "activation", "split", "loss"])
    frame = history.melt(id_vars=["step", "model", "key"], value_vars=columns,
                         var_name="split", value_name="loss")
    frame.insert(3, "activation", [lookup(k).name for k in frame["key"]])
    frame["split"] = frame["split"].str.removesuffix("_loss")
    frame["loss"] = frame["loss"].astype(float)
    frame = frame[np.isfinite(frame["loss"])].reset_index(drop=True)
    frame["loss"] = frame["loss"].clip(lower=LOSS_FLOOR)
    return frame


def loss_chart(
    history: pd.DataFrame,
    keys: Sequence[str],
    title: str = "Loss (log scale)",
    splits: Sequence[str] = ("train", "test"),
    height: int = 260,
    last_step: int | None = None,
    chance: float | None = None,
    points: bool = False,
) -> alt.Chart | alt.LayerChart:
    """The app's one loss chart: each model's loss against the step on a log axis, in its
    activation's colour, from a :func:`actlib.training.history_frame`.

    ``splits`` picks the training and/or test loss (test dashed, with a legend when both
    are drawn). The step axis runs from 0 to ``last_step`` (default: the last step drawn,
    at least 1) in whole steps, so a live curve grows into a fixed axis; a history of one
    step is drawn as points, never as an empty axis. ``chance`` adds a dashed rule at the
    loss of a network that learned nothing."""
    frame = loss_frame(history, splits)
    end = max(int(last_step or 0), int(frame["step"].max()) if not frame.empty else 0, 1)
    single = frame["step"].nunique() <= 1
    dash = alt.StrokeDash(
        "split:N", scale=alt.Scale(domain=list(splits), range=[SPLIT_DASHES[s] for s in splits]),
        legend=alt.Legend(orient="bottom", title=None) if len(splits) > 1 else None)
    mark = alt.OverlayMarkDef(size=60) if single else points
    lines = (
        alt.Chart(frame, title=title, height=height)
        .mark_line(strokeWidth=2.4, clip=True, point=mark)
        .encode(
            x=alt.X("step:Q", title="training step", scale=alt.Scale(domain=[0, end], nice=False),
                    axis=alt.Axis(format="~d", tickMinStep=1, labelOverlap=True)),
            y=alt.Y("loss:Q", title=None, scale=alt.Scale(type="log"),
                    axis=alt.Axis(minExtent=Y_AXIS_EXTENT)),
            color=activation_color(keys, legend=False),
            strokeDash=dash,
            detail="model:N",
            tooltip=[alt.Tooltip("activation:N"), alt.Tooltip("split:N"),
                     alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".4f")],
        )
    )
    if chance is None:
        return lines
    level = pd.DataFrame({"loss": [chance], "label": [f"chance level {chance:.3f}"]})
    rule = alt.Chart(level).mark_rule(strokeDash=[4, 4], color="#555555").encode(y="loss:Q")
    text = alt.Chart(level).mark_text(align="right", dy=-8, color="#555555",
                                      fontSize=CHART_FONT_SIZE).encode(
        y="loss:Q", x=alt.datum(end), text="label:N")
    return alt.layer(rule, text, lines, title=title)


def activation_color(keys: Sequence[str], legend: bool = True, field: str = "activation"):
    """The colour encoding for the given activations, in their catalogue colours."""
    names, colors = color_scale(list(keys))
    return alt.Color(
        f"{field}:N",
        scale=alt.Scale(domain=names, range=colors),
        legend=alt.Legend(title=None, orient="bottom", columns=4) if legend else None,
        sort=names,
    )


def curve_chart(
    frame: pd.DataFrame,
    y: str,
    title: str | None,
    keys: Sequence[str],
    height: int = 300,
    x_domain: tuple[float, float] | None = None,
    y_domain: tuple[float, float] | None = None,
    legend: bool = True,
    tooltip: Sequence[str] = ("activation", "x", "f", "df"),
) -> alt.Chart:
    """Lines of ``y`` against x, one per activation, with a hover tooltip."""
    x_scale = alt.Scale(domain=list(x_domain)) if x_domain else alt.Undefined
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Undefined
    tips = [
        alt.Tooltip(c, format=".4f") if c not in ("activation", "key") else alt.Tooltip(c)
        for c in tooltip
        if c in frame.columns
    ]
    chart = alt.Chart(frame, height=height) if title is None else alt.Chart(
        frame, title=title, height=height
    )
    return (
        chart.mark_line(strokeWidth=2.5, clip=True)
        .encode(
            x=alt.X("x:Q", title="x", scale=x_scale),
            y=alt.Y(
                f"{y}:Q",
                title=None,  # the chart's title names the curve
                scale=y_scale,
                axis=alt.Axis(minExtent=Y_AXIS_EXTENT, maxExtent=Y_AXIS_EXTENT),
            ),
            color=activation_color(keys, legend=legend),
            detail="key:N",
            tooltip=tips,
        )
    )


def derivative_chart(
    frame: pd.DataFrame,
    keys: Sequence[str],
    epsilon: float,
    x_domain: tuple[float, float],
    height: int = 300,
) -> alt.LayerChart:
    """f'(x) per activation over a grey band where |f'| < epsilon (the saturated slopes)."""
    band = (
        alt.Chart(pd.DataFrame({"lo": [-epsilon], "hi": [epsilon]}))
        .mark_rect(opacity=0.18, color="#777777")
        .encode(y="lo:Q", y2="hi:Q")
    )
    lines = curve_chart(frame, "df", None, keys, height=height, x_domain=x_domain, legend=False)
    return alt.layer(band, lines, title="f′(x)")


SATURATION_ROW = 30
"""Pixels per activation row of the saturation strip."""
NAME_WIDTH = 140
"""Room for an activation's name on the strip's y axis ("Sigmoid (logistic)" at 14 px)."""


def saturation_strip(
    saturation: pd.DataFrame, keys: Sequence[str], epsilon: float, x_domain: tuple[float, float]
) -> alt.Chart:
    """One labelled row per activation (y: its name, in legend order; x: the input) with a
    bar for every interval where it saturates (|f'| < epsilon); a row stays empty where an
    activation never does.

    The height is a step per row, not a number: Streamlit 1.67 squeezed a numeric height
    of a chart with a nominal y into a single row, so every bar was drawn on one line.
    """
    names = color_scale(list(keys))[0]
    if saturation.empty:
        saturation = pd.DataFrame({"activation": [], "start": [], "end": []})
    return (
        alt.Chart(saturation, height=alt.Step(SATURATION_ROW),
                  title=f"Saturated stretches: |f′(x)| < {epsilon:g}")
        .mark_bar(cornerRadius=2)
        .encode(
            x=alt.X(
                "start:Q", scale=alt.Scale(domain=list(x_domain)),
                title=f"x where |f′(x)| < {epsilon:g}",
            ),
            x2="end:Q",
            y=alt.Y(
                "activation:N", sort=names, title=None, scale=alt.Scale(domain=names),
                axis=alt.Axis(ticks=False, labelLimit=NAME_WIDTH, minExtent=NAME_WIDTH,
                              maxExtent=NAME_WIDTH),
            ),
            color=activation_color(keys, legend=False),
            tooltip=[
                "activation",
                alt.Tooltip("start:Q", format=".3f", title="from x"),
                alt.Tooltip("end:Q", format=".3f", title="to x"),
            ],
        )
    )


def distribution_chart(bars: pd.DataFrame, keys: Sequence[str], columns: int = 3) -> alt.Chart:
    """Histograms of the outputs, one small panel per activation with its own x axis."""
    names = color_scale(list(keys))[0]
    return (
        alt.Chart(bars, height=150, width=190)
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title="f(x)"),
            x2="end:Q",
            y=alt.Y("share:Q", title="share of inputs", axis=alt.Axis(format="%"),
                    scale=alt.Scale(zero=True)),
            y2=alt.datum(0),
            color=activation_color(keys, legend=False),
            tooltip=[
                "activation",
                alt.Tooltip("start:Q", format=".3f", title="from"),
                alt.Tooltip("end:Q", format=".3f", title="to"),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .facet(facet=alt.Facet("activation:N", sort=names, title=None), columns=columns)
        .resolve_scale(x="independent", y="independent")
    )


def probability_bars(frame: pd.DataFrame) -> alt.Chart:
    """Softmax output: one bar per class, labelled with its probability."""
    base = alt.Chart(frame, height=260).encode(
        x=alt.X("class:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), title="probability"),
        tooltip=["class", alt.Tooltip("logit:Q", format=".3f"),
                 alt.Tooltip("probability:Q", format=".4f")],
    )
    bars = base.mark_bar(color="#117733")
    labels = base.mark_text(dy=-8, fontSize=CHART_FONT_SIZE).encode(
        text=alt.Text("probability:Q", format=".3f")
    )
    return bars + labels


def temperature_sweep_chart(frame: pd.DataFrame, temperature: float) -> alt.Chart:
    """Each class's probability against T (log axis), with a rule at the current T."""
    lines = (
        alt.Chart(frame, height=260)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X(
                "temperature:Q",
                scale=alt.Scale(type="log", domain=[frame.temperature.min(),
                                                    frame.temperature.max()], nice=False),
                title="temperature T (log scale)",
            ),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("class:N", legend=alt.Legend(orient="bottom", title=None),
                            scale=alt.Scale(scheme="dark2")),
            tooltip=["class", alt.Tooltip("temperature:Q", format=".3f"),
                     alt.Tooltip("probability:Q", format=".4f")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"temperature": [temperature]}))
        .mark_rule(strokeDash=[4, 4], color="#333333")
        .encode(x="temperature:Q")
    )
    return lines + rule


def gated_heatmap(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Output of a gated unit over the (a, b) plane, diverging colours around 0."""
    return (
        alt.Chart(frame, title=title, height=320)
        .mark_rect()
        .encode(
            x=alt.X("b:Q", bin=alt.Bin(maxbins=61), title="gate input b"),
            y=alt.Y("a:Q", bin=alt.Bin(maxbins=61), title="value input a"),
            color=alt.Color("mean(output):Q", scale=alt.Scale(scheme="redblue", domainMid=0,
                                                              reverse=True), title="a·g(b)"),
            tooltip=[alt.Tooltip("mean(a):Q", format=".2f", title="a"),
                     alt.Tooltip("mean(b):Q", format=".2f", title="b"),
                     alt.Tooltip("mean(output):Q", format=".3f", title="a·g(b)")],
        )
    )
