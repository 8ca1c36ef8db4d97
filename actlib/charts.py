"""Altair chart builders from tidy pandas frames.

Every chart colours an activation with the catalogue's fixed colour, through
:func:`activation_color`, so a student can follow one activation from page to page.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from actlib.activations import color_scale

alt.data_transformers.disable_max_rows()  # frames here are bounded by the settings' caps

CHART_FONT_SIZE = 13


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
    title: str,
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
    return (
        alt.Chart(frame, title=title, height=height)
        .mark_line(strokeWidth=2.5, clip=True)
        .encode(
            x=alt.X("x:Q", title="x", scale=x_scale),
            y=alt.Y(f"{y}:Q", title=title, scale=y_scale),
            color=activation_color(keys, legend=legend),
            detail="key:N",
            tooltip=tips,
        )
    )


def preview_curves(frame: pd.DataFrame, keys: Sequence[str], y: str = "f") -> alt.Chart:
    """A small, axis-light curve chart for the home page's page cards."""
    return (
        alt.Chart(frame, height=110)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("x:Q", axis=alt.Axis(title=None, labels=False, ticks=False, grid=False)),
            y=alt.Y(f"{y}:Q", axis=alt.Axis(title=None, labels=False, ticks=False)),
            color=activation_color(keys, legend=False),
            detail="key:N",
        )
    )
