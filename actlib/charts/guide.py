"""Charts of the guide page: bake-off bands and decision surfaces, measured compute cost
and the history timeline.

Every builder takes tidy frames from :mod:`actlib.bakeoff`, :mod:`actlib.compute_cost` or
:mod:`actlib.history` and colours an activation with the catalogue's colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from actlib.activation_info import lookup
from actlib.charts import (
    Y_AXIS_EXTENT,
    activation_color,
    class_color,
    plane_scales,
    surface_heatmap,
)
from actlib.history import TIMELINE_DOMAIN

SURFACE_PANEL = 150
LABEL_SIDE_SWITCH = 2000
"""Timeline labels sit right of their dot before this year and left of it from then on,
so no label runs off either end of the axis."""


# --- the bake-off -------------------------------------------------------------------------


def band_chart(
    frame: pd.DataFrame,
    keys: Sequence[str],
    title: str,
    y_title: str,
    y_format: str = ".2f",
    y_domain: tuple[float, float] | None = None,
    height: int = 260,
) -> alt.LayerChart:
    """Mean over seeds as a line, with a shaded band of ± one standard deviation."""
    scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=False)
    base = alt.Chart(frame, height=height).encode(
        x=alt.X("step:Q", title="training step"),
        color=activation_color(keys, legend=False),
    )
    band = base.mark_area(opacity=0.18, clip=True).encode(
        y=alt.Y("lo:Q", title=y_title, scale=scale,
                axis=alt.Axis(format=y_format, minExtent=Y_AXIS_EXTENT)),
        y2="hi:Q",
        detail="key:N",
    )
    line = base.mark_line(strokeWidth=2.5, clip=True).encode(
        y=alt.Y("mean:Q", scale=scale),
        detail="key:N",
        tooltip=[
            "activation",
            alt.Tooltip("step:Q"),
            alt.Tooltip("mean:Q", format=".4f", title="mean over seeds"),
            alt.Tooltip("std:Q", format=".4f", title="std over seeds"),
            alt.Tooltip("n:Q", title="seeds"),
        ],
    )
    return alt.layer(band, line, title=title)


def surface_panel(
    surface: pd.DataFrame, points: pd.DataFrame, title: str, size: int = SURFACE_PANEL
) -> alt.LayerChart:
    """One model's probability of class 1 over the plane, with the test points on top."""
    heat = surface_heatmap(surface, size, axes=False, fade=0.15)
    x_scale, y_scale = plane_scales(surface)
    dots = alt.Chart(points).mark_circle(size=20, opacity=0.9, stroke="white",
                                         strokeWidth=0.5).encode(
        x=alt.X("x1:Q", scale=x_scale),
        y=alt.Y("x2:Q", scale=y_scale),
        color=class_color(),
    )
    return alt.layer(heat, dots, title=alt.Title(title, fontSize=13)).resolve_scale(
        color="independent"
    )


def surfaces_chart(
    surfaces: pd.DataFrame,
    points: pd.DataFrame,
    titles: Mapping[str, str],
    columns: int = 5,
) -> alt.ConcatChart:
    """The decision surfaces side by side, one panel per activation key in ``titles``."""
    panels = [
        surface_panel(surfaces[surfaces["key"] == key], points, title)
        for key, title in titles.items()
    ]
    return alt.concat(*panels, columns=columns, spacing=12)


# --- compute cost -------------------------------------------------------------------------


def cost_chart(summary: pd.DataFrame, height_per_bar: int = 24) -> alt.HConcatChart:
    """Measured time per element relative to ReLU: forward, and forward plus backward."""
    keys = list(dict.fromkeys(summary["key"]))
    names = [lookup(k).name for k in keys]
    frame = summary.assign(label=summary["ratio_to_relu"].map(lambda r: f"×{r:.2f}"))
    high = float(max(1.0, frame["ratio_to_relu"].max())) * 1.18
    panels = []
    for direction in ("forward", "forward+backward"):
        part = frame[frame["direction"] == direction]
        base = alt.Chart(part, height=height_per_bar * len(keys), width=240).encode(
            y=alt.Y("name:N", sort=names, title=None),
            x=alt.X("ratio_to_relu:Q", title="time ÷ ReLU's time",
                    scale=alt.Scale(domain=[0, high], nice=False)),
        )
        bars = base.mark_bar().encode(
            color=activation_color(keys, legend=False, field="name"),
            tooltip=[
                alt.Tooltip("name:N", title="activation"),
                alt.Tooltip("ratio_to_relu:Q", format=".2f", title="× ReLU"),
                alt.Tooltip("ns_per_element:Q", format=".3f", title="ns per element"),
                alt.Tooltip("repetitions:Q"),
            ],
        )
        text = base.mark_text(align="left", dx=4, fontSize=12).encode(text="label:N")
        rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(
            strokeDash=[4, 4], color="#333333").encode(x="x:Q")
        title = "forward" if direction == "forward" else "forward + backward"
        panels.append(alt.layer(bars, text, rule, title=title))
    return alt.hconcat(*panels, spacing=40)


# --- history ------------------------------------------------------------------------------


def eras_frame() -> pd.DataFrame:
    """The eras of :mod:`actlib.history` as a frame (label, period, first, last, summary)."""
    from actlib.history import ERAS

    return pd.DataFrame([{**vars(era), "era_order": i} for i, era in enumerate(ERAS)])


def timeline_chart(timeline: pd.DataFrame, row_height: int = 24) -> alt.LayerChart:
    """One row per activation, oldest at the top, a dot at its year over shaded eras."""
    eras = eras_frame()
    order = list(timeline["name"])
    keys = list(timeline["key"])
    lo, hi = TIMELINE_DOMAIN
    bands = eras.assign(start=eras["first"].clip(lower=lo), end=(eras["last"] + 1).clip(upper=hi),
                        label_y=np.where(eras["era_order"] % 2 == 1, -20, -4))
    height = row_height * len(order)
    x = alt.X("year:Q", scale=alt.Scale(domain=[lo, hi], nice=False),
              axis=alt.Axis(format="d", title=None, tickCount=9))
    y = alt.Y("name:N", sort=order, axis=None)
    shade = alt.Chart(bands).mark_rect(opacity=0.5).encode(
        x=alt.X("start:Q", scale=alt.Scale(domain=[lo, hi], nice=False)),
        x2="end:Q",
        color=alt.Color("label:N", scale=alt.Scale(domain=list(eras["label"]),
                        range=["#f2f2f2", "#fbeee0", "#e3eefa", "#eaf5ea"]), legend=None),
        tooltip=[alt.Tooltip("label:N", title="era"), "period:N", "summary:N"],
    )
    # Era names sit above the plot, alternating in height: the two recent eras are narrow.
    era_text = alt.Chart(bands).mark_text(align="left", baseline="bottom", dx=2,
                                          fontSize=12, fontStyle="italic",
                                          color="#555555").encode(
        x="start:Q", y=alt.Y("label_y:Q", scale=None, axis=None), text="period:N")
    base = alt.Chart(timeline, height=height).encode(x=x, y=y)
    dots = base.mark_circle(size=130, opacity=1).encode(
        color=activation_color(keys, legend=False, field="name"),
        tooltip=["name:N", "year:Q", "origin:N", alt.Tooltip("era:N"),
                 alt.Tooltip("sources:N", title="source")],
    )
    label = alt.Text("text:N")
    texts = base.transform_calculate(text="datum.name + ' (' + datum.year + ')'")
    right = texts.transform_filter(f"datum.year < {LABEL_SIDE_SWITCH}").mark_text(
        align="left", dx=9, fontSize=13).encode(text=label)
    left = texts.transform_filter(f"datum.year >= {LABEL_SIDE_SWITCH}").mark_text(
        align="right", dx=-9, fontSize=13).encode(text=label)
    return (
        alt.layer(shade, era_text, dots, right, left)
        .resolve_scale(color="independent")
        .properties(height=height, padding={"top": 30, "left": 5, "right": 5, "bottom": 5})
    )


def usage_frame(usage: pd.DataFrame) -> pd.DataFrame:
    """The usage table in reading order: architecture, where, activation, PyTorch, examples."""
    return usage[["architecture", "part", "name", "module", "examples", "year",
                  "source"]].rename(
        columns={"part": "where", "name": "activation", "module": "PyTorch",
                 "year": "introduced"}
    )
