"""The Playground's softmax probe for runs with three or more classes: a small map to click
and the softmax bars of the network at the clicked point, with a link that opens those
logits in the Softmax tab of "Why non-linearity" (where the temperature moves them).

Why a separate clickable map: the live surface is an image redrawn ten times a second, and
an image takes no clicks. A 20 x 20 Altair map of the same prediction does (a point
selection), and it is redrawn only once a second while the run plays, as the unit maps.
"""

from __future__ import annotations

import streamlit as st

from actlib.charts import classes as charts
from actlib.class_probe import picker_frame, point_softmax, softmax_tab_query
from actlib.training.live import LiveRun
from actlib.ui.fault import CallbackGuard

POINT_KEY = "playground:probe"
"""The session's picked point: (data set key, (x1, x2))."""
PICK_KEY = "p_probe_pick"


def _data_key(run: LiveRun) -> tuple:
    config = run.config
    return (config.dataset, config.noise, config.data_seed, config.test_fraction)


def shows_probe(run: LiveRun) -> bool:
    """Whether a run gets the probe: a softmax head over three or more classes, on 2-D data."""
    return run.config.task == "multiclass" and len(run.state.data.bounds or ()) == 2


def probe_point(run: LiveRun) -> tuple[float, float] | None:
    """The point the probe shows (the first test point until the student clicks), or None
    for runs without a probe."""
    if not shows_probe(run):
        return None
    stored = st.session_state.get(POINT_KEY)
    if stored is not None and stored[0] == _data_key(run):
        return stored[1]
    first = run.state.data.x_test[0].double().tolist()
    return float(first[0]), float(first[1])


def _on_pick(run: LiveRun) -> None:
    event = st.session_state.get(PICK_KEY)
    points = (event or {}).get("selection", {}).get(charts.PICK) or []
    if points:
        st.session_state[POINT_KEY] = (_data_key(run),
                                       (float(points[0]["x1"]), float(points[0]["x2"])))


def draw(run: LiveRun, slot, guard: CallbackGuard) -> None:
    """The probe in ``slot`` (emptied for runs without one or a diverged run). A click on
    its map runs through ``guard``, the live area's own (:func:`actlib.ui.fault.
    guarded_callback`): an error there shows the area's fault message, not a traceback."""
    point = probe_point(run)
    if point is None or run.all_diverged:
        slot.empty()
        return
    model, bounds = run.state.model, run.state.data.bounds
    probe = point_softmax(model, point)
    classes = len(probe.logits)
    with slot.container():
        st.markdown(f"**Softmax at a point** (step {run.step:,}): the network's "
                    f"{classes} logits there, and softmax(logits) with T = 1, the "
                    "probabilities its cross-entropy loss was computed from.")
        left, right = st.columns([1, 1.3])
        left.altair_chart(charts.picker_chart(picker_frame(model, bounds), point, classes),
                          width="content", key=PICK_KEY, on_select=lambda: guard(_on_pick)(run),
                          selection_mode=charts.PICK)
        right.altair_chart(charts.softmax_bars(probe.frame()), width="stretch")
        right.caption(probe.sentence() + " (The Softmax tab numbers classes from 1.)")
        right.page_link("pages/nonlinearity.py", label="Move these logits' temperature",
                        icon="🌡️", query_params=softmax_tab_query(probe),
                        help="Opens the Softmax tab of Why non-linearity with these logits.")
