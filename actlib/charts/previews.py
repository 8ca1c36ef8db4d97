"""The home page's card charts: one small, axis-light chart per topic page.

They draw the frames :mod:`actlib.previews` computed with the app's own modules and ships,
and the guide's timeline from the catalogue's metadata, so this module and everything it
imports stay free of torch: the home page renders on a cold server before torch is loaded.
"""

from __future__ import annotations

import altair as alt

from actlib.activation_info import lookup
from actlib.charts import activation_color, class_color
from actlib.charts.guide import TIMELINE_DOMAIN
from actlib.history import timeline
from actlib.previews import DEAD_KEYS, GRADIENT_KEYS, SHAPES_KEYS, stored

HEIGHT = 110
_BARE = alt.Axis(title=None, labels=False, ticks=False, grid=False)
"""An x axis with nothing on it: a card shows a shape, not values."""
_BARE_Y = alt.Axis(title=None, labels=False, ticks=False)


def nonlinearity() -> alt.Chart:
    """Why non-linearity: eight ReLU hinges (thin) add up to a sine (thick)."""
    color = lookup("relu").color
    return (
        alt.Chart(stored("nonlinearity"), height=HEIGHT)
        .mark_line(clip=True)
        .encode(
            x=alt.X("x:Q", axis=_BARE),
            y=alt.Y("value:Q", axis=_BARE_Y, scale=alt.Scale(domain=[-1.6, 1.6])),
            detail="unit:N",
            color=alt.Color("kind:N", scale=alt.Scale(domain=["unit", "fit"],
                                                      range=["#9ecae9", color]), legend=None),
            strokeWidth=alt.StrokeWidth("kind:N", scale=alt.Scale(domain=["unit", "fit"],
                                                                  range=[1.2, 3]), legend=None),
        )
    )


def playground() -> alt.Chart:
    """Playground: its default data, two rings in the class palette; no training."""
    axis = alt.Axis(title=None, labels=False, ticks=False, grid=False, domain=False)
    return (
        alt.Chart(stored("playground"), height=HEIGHT)
        .mark_circle(size=14, opacity=0.85)
        .encode(x=alt.X("x1:Q", axis=axis), y=alt.Y("x2:Q", axis=axis),
                color=class_color(legend=False))
    )


def shapes() -> alt.Chart:
    """Shapes and saturation: the slopes of four classics."""
    return (
        alt.Chart(stored("shapes"), height=HEIGHT)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("x:Q", axis=_BARE),
            y=alt.Y("df:Q", axis=_BARE_Y),
            color=activation_color(SHAPES_KEYS, legend=False),
            detail="key:N",
        )
    )


def gradients() -> alt.Chart:
    """Vanishing & exploding: the backpropagated signal per layer of sigmoid and ReLU (He
    init) in a small untrained network, on a log axis."""
    return (
        alt.Chart(stored("gradients"), height=HEIGHT)
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X("layer:Q", axis=_BARE),
            y=alt.Y("signal_norm:Q", scale=alt.Scale(type="log"), axis=_BARE_Y),
            color=activation_color(GRADIENT_KEYS, legend=False),
            detail="key:N",
        )
    )


def dead_relu() -> alt.Chart:
    """Dead ReLU monitor: the dead share per layer of fresh 8-layer networks, ReLU against
    Leaky ReLU."""
    return (
        alt.Chart(stored("dead_relu"), height=HEIGHT)
        .mark_line(strokeWidth=2.5, point=True)
        .encode(
            x=alt.X("layer:Q", axis=_BARE),
            y=alt.Y("dead_share:Q", scale=alt.Scale(domain=[0, 1]), axis=_BARE_Y),
            color=activation_color(DEAD_KEYS, legend=False),
            detail=alt.Detail("key:N"),
        )
    )


def guide() -> alt.Chart:
    """Choosing an activation: every catalogue activation as a coloured dot at its year."""
    frame = timeline()
    frame = frame.assign(lane=frame.groupby("era_order").cumcount())  # oldest at the top
    keys = list(frame["key"])
    return (
        alt.Chart(frame, height=HEIGHT)
        .mark_circle(size=55, opacity=1)
        .encode(
            x=alt.X("year:Q", scale=alt.Scale(domain=list(TIMELINE_DOMAIN), nice=False),
                    axis=alt.Axis(title=None, format="d", tickCount=5, grid=False)),
            y=alt.Y("lane:O", axis=None),
            color=activation_color(keys, legend=False, field="name"),
            tooltip=["name:N", "year:Q"],
        )
    )
