"""Charts of the Dead ReLU monitor: dead share per layer over training (lines or heatmap),
totals and loss, the unit-by-sample activity map, pre-activation histograms, PReLU's
learned slope, the census at initialisation, the before/after of a remedy, and the page's
home-card preview.

Every builder takes a tidy frame from :mod:`actlib.dead_units` and colours an activation
with the catalogue's colour; layers use one sequential scale everywhere on the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from actlib.activations import color_scale, get
from actlib.charts import Y_AXIS_EXTENT, activation_color
from actlib.dead_units import FIRES_NEGATIVE, FIRES_POSITIVE, SILENT, STATE_LABELS
from actlib.vocabulary import INIT_LABELS

LAYER_SCHEME = "viridis"
STATE_COLORS = {FIRES_POSITIVE: "#1b7837", FIRES_NEGATIVE: "#a6dba0", SILENT: "#e8e8e8"}
STATUS_COLORS = {"dead": "#c0392b", "nearly dead": "#f39c12", "alive": "#bdbdbd"}
INIT_GREY = "#9e9e9e"


def _panel_width(n_panels: int, total: int = 640, columns: int = 4) -> int:
    """Width of one facet panel so that a row of panels fits ``total`` pixels."""
    per_row = min(max(n_panels, 1), columns)
    return max(140, total // per_row - 30)


def _tips(*items: str | alt.Tooltip) -> list[alt.Tooltip]:
    """Typed tooltip channels: a bare string would make Altair look its class up through
    ``from_dict``, which costs ~10 ms per channel (measured) on every live redraw."""
    return [alt.Tooltip(i) if isinstance(i, str) else i for i in items]


def _step_x(steps: int | None) -> alt.X:
    """Training steps on x; fixed to the whole run when known, so live curves grow."""
    scale = alt.Scale(domain=[0, steps], nice=False) if steps else alt.Undefined
    return alt.X("step:Q", title="training step", scale=scale,
                 axis=alt.Axis(format="d", labelOverlap=True))


def _layer_color(depth: int, legend: bool = True) -> alt.Color:
    return alt.Color(
        "layer:O",
        scale=alt.Scale(scheme=LAYER_SCHEME, domain=list(range(1, depth + 1))),
        legend=alt.Legend(title="layer", orient="right") if legend else None,
    )


def _facet(keys: Sequence[str], columns: int = 4) -> dict:
    names = color_scale(list(keys))[0]
    return {
        "facet": alt.Facet("activation:N", sort=names, title=None,
                           header=alt.Header(labelFontSize=14, labelFontWeight="bold")),
        "columns": min(columns, max(len(names), 1)),
    }


def dead_share_lines(
    frame: pd.DataFrame, keys: Sequence[str], depth: int, total_width: int = 780,
    title: str = "Dead units per layer over training", steps: int | None = None,
) -> alt.FacetChart:
    """Share of dead units per layer over steps, one panel per activation."""
    width = _panel_width(len(keys), total=total_width)
    return (
        alt.Chart(frame, width=width, height=170)
        .mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=14))
        .encode(
            x=_step_x(steps),
            y=alt.Y("dead_share:Q", title="dead share", scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%", minExtent=Y_AXIS_EXTENT)),
            color=_layer_color(depth),
            tooltip=_tips("activation", "layer", "step",
                     alt.Tooltip("dead_share:Q", format=".1%", title="dead share"),
                     alt.Tooltip("dead_units:Q", title="dead units"),
                     alt.Tooltip("width:Q", title="units in the layer")),
        )
        .facet(**_facet(keys))
        .properties(title=title)
    )


def dead_share_heatmap(
    frame: pd.DataFrame, keys: Sequence[str], depth: int, total_width: int = 780,
    title: str = "Dead units per layer over training", steps: int | None = None,
) -> alt.FacetChart:
    """The same numbers as a heatmap: layer against step, darker where more units are dead."""
    width = _panel_width(len(keys), total=total_width)
    return (
        alt.Chart(frame, width=width, height=max(90, 24 * depth))
        .mark_rect()
        .encode(
            x=_step_x(steps),
            x2=alt.X2("step_end:Q"),
            y=alt.Y("layer:O", title="layer", axis=alt.Axis(minExtent=Y_AXIS_EXTENT)),
            color=alt.Color("dead_share:Q", title="dead share",
                            scale=alt.Scale(domain=[0, 0.5, 1],
                                            range=["#fbf8f6", "#ef6548", "#7f0000"]),
                            legend=alt.Legend(format="%", orient="right")),
            tooltip=_tips("activation", "layer", "step",
                     alt.Tooltip("dead_share:Q", format=".1%", title="dead share"),
                     alt.Tooltip("dead_units:Q", title="dead units")),
        )
        .facet(**_facet(keys))
        .properties(title=title)
    )


def total_dead_chart(
    frame: pd.DataFrame, keys: Sequence[str], height: int = 200, steps: int | None = None
) -> alt.Chart:
    """Dead units over all hidden layers against steps, one line per activation."""
    hidden = int(frame["hidden_units"].iloc[0]) if len(frame) else 0
    return (
        alt.Chart(frame, height=height, title=f"Dead units in total (of {hidden})")
        .mark_line(strokeWidth=2.5)
        .encode(
            x=_step_x(steps),
            y=alt.Y("dead_units:Q", title=None, scale=alt.Scale(domain=[0, max(hidden, 1)]),
                    axis=alt.Axis(minExtent=Y_AXIS_EXTENT, maxExtent=Y_AXIS_EXTENT)),
            color=activation_color(keys, legend=False),
            detail=alt.Detail("key:N"),
            tooltip=_tips("activation", "step", alt.Tooltip("dead_units:Q", title="dead units"),
                     alt.Tooltip("dead_share:Q", format=".1%", title="share")),
        )
    )


STRIP = (-6.0, -1.5)
"""Where the unit-status strip sits on the activity map's x axis, in sample columns."""


def _class_marks(frame: pd.DataFrame) -> pd.DataFrame:
    """Where each class starts among the shown samples (the map's columns)."""
    first = frame[frame["unit"] == frame["unit"].min()]
    starts = first[first["class"] != first["class"].shift()]
    prefix = "class " if len(starts) <= 4 else ""
    return pd.DataFrame({"x": starts["sample"].to_numpy() - 1.0,
                         "label": [f"{prefix}{c}" for c in starts["class"]]})


def activity_map(
    frame: pd.DataFrame, title: str, width: int = 340, height: int = 300
) -> alt.LayerChart:
    """Units (rows) against probe samples (columns): fires, leaks or silent on each sample.

    A strip on the left marks each unit dead, nearly dead or alive over the whole probe
    batch; thin rules and labels mark where a new class of samples starts.
    """
    states = [STATE_LABELS[s] for s in (FIRES_POSITIVE, FIRES_NEGATIVE, SILENT)]
    colors = [STATE_COLORS[s] for s in (FIRES_POSITIVE, FIRES_NEGATIVE, SILENT)]
    units = int(frame["unit"].max()) if len(frame) else 1
    shown = int(frame["sample"].max()) if len(frame) else 1
    x_scale = alt.Scale(domain=[STRIP[0], shown], nice=False, zero=False)
    y = alt.Y("unit:O", title="unit", sort="ascending",
              axis=alt.Axis(labels=units <= 32, ticks=False, labelFontSize=10,
                            labelOverlap=True))
    cells = (
        alt.Chart(frame.assign(x0=frame["sample"] - 1.0, x1=frame["sample"].astype(float)))
        .mark_rect()
        .encode(
            x=alt.X("x0:Q", scale=x_scale, title="◀ unit status · probe samples, sorted by class",
                    axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False)),
            x2=alt.X2("x1:Q"),
            y=y,
            color=alt.Color("state:N", scale=alt.Scale(domain=states, range=colors),
                            legend=None),
            tooltip=_tips("unit", alt.Tooltip("probe_row:Q", title="probe row"), "class", "state",
                     alt.Tooltip("status:N", title="unit status")),
        )
    )
    strip = (
        alt.Chart(frame.drop_duplicates("unit")[["unit", "status"]])
        .mark_rect()
        .encode(
            x=alt.XDatum(STRIP[0]),
            x2=alt.X2Datum(STRIP[1]),
            y=y,
            color=alt.Color("status:N", scale=alt.Scale(domain=list(STATUS_COLORS),
                                                        range=list(STATUS_COLORS.values())),
                            legend=None),
            tooltip=_tips("unit", "status"),
        )
    )
    marks = _class_marks(frame)
    rules = alt.Chart(marks).mark_rule(color="#333333", strokeWidth=1).encode(x=alt.X("x:Q"))
    labels = alt.Chart(marks).mark_text(align="left", dx=3, dy=-7, fontSize=11).encode(
        x=alt.X("x:Q"), y=alt.YValue(0), text=alt.Text("label:N"))
    return (
        alt.layer(cells, strip, rules, labels, title=title)
        .resolve_scale(color="independent")
        .properties(width=width, height=height)
    )


def activity_legend_html() -> str:
    """The activity map's legend as coloured chips (the map itself has none, so all of its
    height goes to the units; Streamlit fits legends into the chart's height)."""
    def chip(color: str, text: str) -> str:
        return (f"<span style='display:inline-flex;align-items:center;margin-right:0.9rem'>"
                f"<span style='width:0.8rem;height:0.8rem;background:{color};"
                f"border:1px solid #999;display:inline-block;margin-right:0.3rem'></span>"
                f"{text}</span>")

    cells = "".join(chip(STATE_COLORS[s], STATE_LABELS[s])
                    for s in (FIRES_POSITIVE, FIRES_NEGATIVE, SILENT))
    units = "".join(chip(c, s) for s, c in STATUS_COLORS.items())
    return (f"<div style='font-size:0.85rem;line-height:1.7'>On a sample, a unit: {cells}"
            f"<br>Left strip, over all probe samples: {units}</div>")


def preactivation_histograms(
    frame: pd.DataFrame, key: str, columns: int = 2, total_width: int = 380
) -> alt.FacetChart:
    """Pre-activation histograms per layer: now (bars, the activation's colour) over the
    initial network (grey outline); the rule marks zero, where ReLU stops passing signal."""
    spec = get(key)
    now_label = next(w for w in frame["when"].unique() if w != "at init")
    frame = frame.copy()
    frame["panel"] = [
        f"layer {layer}: ≤ 0 {init:.0%} → {now:.0%}"
        for layer, init, now in zip(frame["layer"], *_below_columns(frame), strict=True)
    ]
    panels = frame.drop_duplicates("layer").sort_values("layer")["panel"].tolist()
    color = alt.Color("when:N", title=None, scale=alt.Scale(
        domain=["at init", now_label], range=[INIT_GREY, spec.color]),
        legend=alt.Legend(orient="bottom"))
    base = alt.Chart().encode(x=alt.X(
        "bin_left:Q", title="pre-activation x (symlog)",
        scale=alt.Scale(type="symlog", domain=[float(frame["bin_left"].min()),
                                               float(frame["bin_right"].max())], nice=False),
        axis=alt.Axis(labelOverlap=True)))
    now = base.mark_area(interpolate="step-after", opacity=0.6).encode(
        y=alt.Y("share:Q", title="share", axis=alt.Axis(format="%")),
        color=color,
        tooltip=_tips("when", alt.Tooltip("bin_left:Q", format=".3f", title="from"),
                 alt.Tooltip("bin_right:Q", format=".3f", title="to"),
                 alt.Tooltip("share:Q", format=".1%")),
    ).transform_filter(alt.datum.when != "at init")
    init = base.mark_line(interpolate="step-after", strokeWidth=1.8).encode(
        y=alt.Y("share:Q"), color=color,
    ).transform_filter(alt.datum.when == "at init")
    zero = alt.Chart().mark_rule(color="#333333", strokeDash=[4, 3]).encode(x=alt.XDatum(0))
    n_panels = len(panels)
    return (
        alt.layer(now, init, zero, data=frame)
        .properties(width=_panel_width(n_panels, total=total_width, columns=columns),
                    height=120)
        .facet(facet=alt.Facet("panel:N", sort=panels, title=None,
                               header=alt.Header(labelFontSize=13)),
               columns=min(columns, n_panels))
        .properties(title=f"{spec.name}: pre-activations at init and {now_label}")
    )


def _below_columns(frame: pd.DataFrame) -> tuple[list[float], list[float]]:
    """Per row, its layer's share ≤ 0 at init and now (for the panel titles)."""
    firsts = frame.drop_duplicates(["layer", "when"])
    init = dict(zip(firsts.loc[firsts["when"] == "at init", "layer"],
                    firsts.loc[firsts["when"] == "at init", "below_zero"], strict=True))
    now = dict(zip(firsts.loc[firsts["when"] != "at init", "layer"],
                   firsts.loc[firsts["when"] != "at init", "below_zero"], strict=True))
    return [init[n] for n in frame["layer"]], [now[n] for n in frame["layer"]]


def slope_chart(
    frame: pd.DataFrame, depth: int, initial: float, height: int = 300, steps: int | None = None
) -> alt.LayerChart:
    """PReLU's learned negative slope a per layer over training; dashed: its initial value,
    solid: zero (where PReLU becomes ReLU)."""
    lines = (
        alt.Chart(frame, height=height)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=_step_x(steps),
            y=alt.Y("prelu_slope:Q", title="slope a",
                    axis=alt.Axis(minExtent=Y_AXIS_EXTENT)),
            color=_layer_color(depth),
            tooltip=_tips("layer", "step", alt.Tooltip("prelu_slope:Q", format=".4f", title="a")),
        )
    )
    marks = pd.DataFrame({"y": [initial, 0.0], "what": ["initial a", "a = 0 (ReLU)"]})
    rules = alt.Chart(marks).mark_rule(color="#555555").encode(
        y=alt.Y("y:Q"),
        strokeDash=alt.StrokeDash("what:N", title=None, scale=alt.Scale(
            domain=["initial a", "a = 0 (ReLU)"], range=[[5, 4], [1, 0]]), legend=None),
        tooltip=_tips("what", alt.Tooltip("y:Q", title="a")),
    )
    return alt.layer(rules, lines, title="PReLU: the learned negative slope a per layer")


def census_chart(frame: pd.DataFrame, keys: Sequence[str], height: int = 280) -> alt.LayerChart:
    """Dead share per layer of fresh networks (mean over seeds, band: lowest to highest)."""
    base = alt.Chart(frame, height=height).encode(
        x=alt.X("layer:Q", title="layer", axis=alt.Axis(tickMinStep=1)),
        color=activation_color(keys, legend=False),
        detail=alt.Detail("key:N"),
    )
    band = base.mark_area(opacity=0.15).encode(
        y=alt.Y("dead_min:Q", title="dead share", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", minExtent=Y_AXIS_EXTENT)),
        y2=alt.Y2("dead_max:Q"),
    )
    line = base.mark_line(strokeWidth=2.5, point=True).encode(
        y=alt.Y("dead_share:Q"),
        tooltip=_tips("activation", "layer",
                 alt.Tooltip("dead_share:Q", format=".1%", title="dead (mean)"),
                 alt.Tooltip("dead_min:Q", format=".1%", title="lowest seed"),
                 alt.Tooltip("dead_max:Q", format=".1%", title="highest seed"),
                 alt.Tooltip("nearly_dead_share:Q", format=".1%", title="nearly dead")),
    )
    return alt.layer(band, line, title="Dead at initialisation, before any training")


def scheme_chart(frame: pd.DataFrame, height: int = 280) -> alt.Chart:
    """ReLU's dead share per layer at initialisation under each init scheme."""
    frame = frame.assign(scheme=[INIT_LABELS.get(s, s) for s in frame["init"]])
    names = [INIT_LABELS.get(s, s) for s in frame["init"].unique()]
    return (
        alt.Chart(frame, height=height, title="ReLU at initialisation, by init scheme")
        .mark_line(strokeWidth=2.5, point=True)
        .encode(
            x=alt.X("layer:Q", title="layer", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("dead_share:Q", title="dead share", scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%", minExtent=Y_AXIS_EXTENT)),
            color=alt.Color("scheme:N", title=None, sort=names,
                            scale=alt.Scale(domain=names, scheme="dark2"),
                            legend=alt.Legend(orient="right")),
            tooltip=_tips("scheme", "layer", alt.Tooltip("dead_share:Q", format=".1%")),
        )
    )


def before_after_chart(
    frame: pd.DataFrame, keys: Sequence[str], height: int = 300, steps: int | None = None
) -> alt.Chart:
    """Dead share over all hidden units against steps: before dashed, after solid."""
    return (
        alt.Chart(frame, height=height,
                  title="Dead units in total, before (dashed) and after (solid)")
        .mark_line(strokeWidth=2.8)
        .encode(
            x=_step_x(steps),
            y=alt.Y("dead_share:Q", title="dead share",
                    scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%", minExtent=Y_AXIS_EXTENT)),
            color=activation_color(keys, legend=False),
            strokeDash=alt.StrokeDash("run:N", title=None, scale=alt.Scale(
                domain=["before", "after"], range=[[6, 4], [1, 0]]), legend=None),
            detail=alt.Detail("run:N"),
            tooltip=_tips("run", "activation", "step",
                     alt.Tooltip("dead_units:Q", title="dead units"),
                     alt.Tooltip("dead_share:Q", format=".1%", title="share"),
                     alt.Tooltip("train_loss:Q", format=".4f", title="training loss")),
        )
    )
