"""The Playground page's home card. (Its surface, unit-map and loss charts are shared with
the collapse: :mod:`actlib.charts.nonlinearity` and :func:`actlib.charts.loss_chart`.)"""

from __future__ import annotations

import altair as alt

from actlib.charts import class_color


def preview() -> alt.Chart:
    """Home card: the Playground's default data, two rings in the class palette; no
    training, so the home page stays instant."""
    from actlib.datasets import load

    frame = load("circles", 300, 0.1, 0, 0.25).frame()
    axis = alt.Axis(title=None, labels=False, ticks=False, grid=False, domain=False)
    return (
        alt.Chart(frame, height=110)
        .mark_circle(size=14, opacity=0.85)
        .encode(x=alt.X("x1:Q", axis=axis), y=alt.Y("x2:Q", axis=axis),
                color=class_color(legend=False))
    )
