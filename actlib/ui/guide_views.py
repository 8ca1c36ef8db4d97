"""The drawing parts of the "Choosing an activation" page: the advice as text and code,
the bake-off's live curves, table and surfaces, the measured cost and the history. The
numbers come from :mod:`actlib.guide`, :mod:`actlib.bakeoff`, :mod:`actlib.compute_cost` and
:mod:`actlib.history`; here they are only laid out, so the page stays a short read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from actlib import bakeoff
from actlib.activations import get
from actlib.charts import curve_chart
from actlib.charts import guide as charts
from actlib.compute_cost import BASELINE, CALLS_PER_SAMPLE, per_element_table
from actlib.guide import Advice
from actlib.history import ERAS, timeline, usage_table
from actlib.training import Snapshot, TrainConfig, history_frame
from actlib.ui import cached, cached_guide
from actlib.ui.layout import activation_legend


def ranked_curves(advice: Advice) -> None:
    """f(x) of the ranked elementwise candidates; the gated ones are named, not drawn."""
    shown = [r.key for r in advice.ranked if get(r.key).kind == "elementwise"]
    if shown:
        st.markdown("**The ranked candidates, f(x)**")
        activation_legend(shown)
        frame = cached.curve_frame(
            tuple(shown), -4.0, 4.0,
            {r.key: r.param_dict for r in advice.ranked if r.key in shown}, False)
        st.altair_chart(curve_chart(frame, "f", None, shown, height=240, legend=False),
                        width="stretch")
    gated = [r.name for r in advice.ranked if get(r.key).kind != "elementwise"]
    if gated:
        st.caption(f"Not drawn: {', '.join(gated)} (acts on a whole vector or on two "
                   "projections; see Shapes and saturation).")


def advice_text(advice: Advice) -> None:
    """The best choice with its reasons, the init and loss to go with it, what to try next
    and what to keep in mind."""
    best = advice.best
    st.markdown(f"### Use {best.name}")
    st.code(best.module, language="python")
    st.markdown("\n".join(f"- {reason}" for reason in best.reasons))
    for concern in best.concerns:
        st.caption(f"Against it: {concern}")
    st.markdown(f"**Initialise with {advice.init.name}.** {advice.init.why}")
    if advice.loss is not None:
        st.markdown(f"**Loss: `{advice.loss.loss}`.** {advice.loss.why}")
        st.warning(advice.loss.pitfall, icon="⚠️")
    if advice.alternatives:
        st.markdown("**Try next**")
        st.markdown("\n".join(
            f"{i}. **{alt.name}** (`{alt.module}`): {alt.reasons[0]}"
            for i, alt in enumerate(advice.alternatives, start=2)
        ))
    st.markdown("**Keep in mind**")
    st.markdown("\n".join(f"- {caveat}" for caveat in advice.caveats))


def live_curves(slot_loss: Any, slot_accuracy: Any, keys: Sequence[str]
                ) -> Callable[[Sequence[Snapshot]], None]:
    """The bake-off's draw callback: mean training loss and test accuracy with bands."""
    def draw(snapshots: Sequence[Snapshot]) -> None:
        history = history_frame(snapshots)
        loss = bakeoff.band_frame(history, "train_loss")
        accuracy = bakeoff.band_frame(history, "test_accuracy")
        slot_loss.altair_chart(
            charts.band_chart(loss, keys, "Training loss", "loss", y_format=".2f"),
            width="stretch")
        slot_accuracy.altair_chart(
            charts.band_chart(accuracy, keys, "Test accuracy", "accuracy", y_format=".0%"),
            width="stretch")
    return draw


def results_table(summary: pd.DataFrame, target: float) -> None:
    """The bake-off's summary, one row per activation, best first."""
    st.dataframe(
        bakeoff.display_table(summary), hide_index=True, width="stretch",
        column_config={
            "rank": st.column_config.NumberColumn("#", width=40),
            "activation": st.column_config.TextColumn("activation"),
            "accuracy_mean": st.column_config.NumberColumn(
                "test accuracy", format="%.1f %%", help="Mean over the seeds that trained"),
            "accuracy_std": st.column_config.NumberColumn(
                "± std", format="%.1f %%", help="Sample standard deviation over seeds"),
            "test_loss_mean": st.column_config.NumberColumn("test loss", format="%.4f"),
            "train_loss_mean": st.column_config.NumberColumn("train loss", format="%.4f"),
            "steps_to_target": st.column_config.NumberColumn(
                f"steps to ≤ {target:g}", format="%d",
                help="Median over seeds of the first snapshot step with a training loss at "
                "or below the target; empty when most seeds never got there."),
            "reached": st.column_config.TextColumn("reached"),
            "diverged": st.column_config.TextColumn("diverged"),
        },
    )


def surfaces(last: Snapshot, config: TrainConfig) -> None:
    """Each activation's first-seed decision surface at ``last``, with the test points."""
    members = bakeoff.first_seed_members(config)
    points = cached_guide.test_points(config.dataset, config.n_samples, config.noise,
                                      config.data_seed, config.test_fraction)
    titles = {}
    for i in members:
        accuracy = last.test_accuracy[i]
        score = "diverged" if pd.isna(accuracy) else f"{100 * accuracy:.1f} %"
        titles[config.models[i].key] = f"{config.models[i].activation_label}: {score}"
    st.markdown(f"**Decision surfaces** (seed {config.models[0].seed}, step {last.step}, "
                "test points on top)")
    st.altair_chart(charts.surfaces_chart(last.surface_frame(members), points, titles),
                    width="content")


def measured_cost(measurement: cached_guide.CostMeasurement) -> None:
    """The measured times relative to ReLU, how they were taken, and the raw numbers."""
    age = (datetime.now() - measurement.taken_at).total_seconds()
    st.altair_chart(charts.cost_chart(measurement.summary), width="content")
    st.caption(
        f"Measured {measurement.taken_at:%H:%M:%S} ({age:.0f} s ago) in "
        f"{measurement.seconds:.1f} s, on {measurement.threads} "
        f"thread{'s' if measurement.threads != 1 else ''}: "
        f"{measurement.n_elements:,} float32 elements, {measurement.repetitions} "
        f"repetitions, each the fastest of {CALLS_PER_SAMPLE} calls, medians of each "
        f"ratio to {get(BASELINE).name} taken within the same repetition. Other "
        "sessions share this CPU: a call they interrupt takes several times longer, "
        "so a bar far above its neighbours (on this build Tanh and Sigmoid both run "
        "vectorised, near ReLU's time) is noise: measure again."
    )
    table = per_element_table(measurement.summary)
    with st.expander("Nanoseconds per element"):
        st.dataframe(table, column_config={
            c: st.column_config.NumberColumn(format="%.3f") for c in table.columns})


def history() -> None:
    """The timeline of activations over their eras, and who uses what today."""
    st.altair_chart(charts.timeline_chart(timeline()), width="stretch")
    st.markdown("\n".join(f"- **{era.period}, {era.label}.** {era.summary}" for era in ERAS))
    st.markdown("**Who uses what today**")
    st.table(charts.usage_frame(usage_table()).set_index("architecture"))
