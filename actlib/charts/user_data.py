"""Charts of a student's own data: the plane to click points onto, and the data as the
network will see it (standardised, split), in the app's class palette."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from actlib.charts import class_color

DRAW_EXTENT = 3.0
"""The drawing plane is [-3, 3] x [-3, 3] (the points are standardised afterwards)."""
DRAW_CELLS = 24
"""Clickable cells per side: a click lands on the centre of the cell under the pointer."""
DRAW_SELECTION = "cell"
SIZE = 340
FRAME = (60, 140)
"""Room (px) Streamlit 1.67 takes from a chart's width and height for axes, title and
legend: it fits the whole chart into the given size, so the plot is that much larger."""


def draw_grid() -> pd.DataFrame:
    """The centres of the clickable cells."""
    step = 2 * DRAW_EXTENT / DRAW_CELLS
    centres = -DRAW_EXTENT + step * (np.arange(DRAW_CELLS) + 0.5)
    x1, x2 = np.meshgrid(centres, centres)
    return pd.DataFrame({"x1": x1.ravel().round(6), "x2": x2.ravel().round(6)})


def drawing_plane(points: Sequence[tuple[float, float, int]]) -> alt.Chart:
    """Faint cells that take clicks (a point selection named :data:`DRAW_SELECTION`), and
    the points drawn so far on top, coloured by class (a click on a drawn point lands on
    the point, not on a cell, so it adds nothing: one point per cell and click)."""
    scale = alt.Scale(domain=[-DRAW_EXTENT, DRAW_EXTENT], nice=False)
    x, y = alt.X("x1:Q", scale=scale, title="x1"), alt.Y("x2:Q", scale=scale, title="x2")
    pick = alt.selection_point(name=DRAW_SELECTION, fields=["x1", "x2"], on="click",
                               clear=False, empty=False)
    cell = SIZE / DRAW_CELLS
    cells = (
        alt.Chart(draw_grid(), width=SIZE + FRAME[0], height=SIZE + FRAME[1])
        .mark_square(size=cell * cell * 0.9, color="#9aa0a6", opacity=0.08)
        .encode(x=x, y=y, tooltip=[alt.Tooltip("x1:Q", format=".2f"),
                                   alt.Tooltip("x2:Q", format=".2f")])
        .add_params(pick)
    )
    drawn = pd.DataFrame(list(points), columns=["x1", "x2", "y"])
    dots = (
        alt.Chart(drawn, width=SIZE + FRAME[0], height=SIZE + FRAME[1])
        .mark_circle(size=90, opacity=0.95, stroke="white", strokeWidth=1)
        .encode(x=x, y=y, color=class_color())
    )
    return alt.layer(cells, dots).properties(title="Click an empty spot to add a point")


def data_preview(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Standardised points, filled for training and hollow for test: ``frame`` has x1, x2,
    y (class index) and split, as :meth:`actlib.datasets.Dataset.frame` gives it."""
    shape = alt.Shape("split:N", scale=alt.Scale(domain=["train", "test"],
                                                 range=["circle", "diamond"]),
                      legend=alt.Legend(title=None, orient="bottom"))
    classes = int(frame["y"].max()) + 1 if len(frame) else 2
    color = class_color(classes=max(classes, 2))
    return (
        alt.Chart(frame)
        .mark_point(size=60, filled=True, opacity=0.85)
        .encode(x=alt.X("x1:Q", title="x1 (standardised)"),
                y=alt.Y("x2:Q", title="x2 (standardised)"),
                color=color, shape=shape,
                tooltip=["x1:Q", "x2:Q", "y:N", "split:N"])
        .properties(width=SIZE + FRAME[0], height=SIZE + FRAME[1] + 30, title=title)
    )
