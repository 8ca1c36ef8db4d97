"""The "Quantised" tab of the Choosing page: one activation's k-bit staircase and its error
on N(0, 1) inputs, bounded against unbounded activations, the clip trade-off, and a small
trained network run with its hidden outputs in k bits (test accuracy, ReLU's exact zeros).

The network is trained here (digits, the chosen activation next to tanh and ReLU), once per
process and activation set, under a trainer slot; the numbers come from
:mod:`actlib.quantise`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
import torch

from actlib import quantise as q
from actlib.activations import get
from actlib.charts import quantise as charts
from actlib.training import run_to
from actlib.ui.layout import activation_legend
from actlib.ui.live_runner import trainer_slot

CLIPS = tuple(0.5 + 0.25 * i for i in range(47))
"""The clip values the trade-off chart sweeps (0.5 to 12)."""


@st.cache_data(max_entries=64, show_spinner=False)
def _error_table(keys: tuple[str, ...], clip: float) -> pd.DataFrame:
    return q.error_by_bits(keys, clip)


@st.cache_data(max_entries=64, show_spinner=False)
def _clip_table(key: str, bits: int) -> pd.DataFrame:
    return q.error_by_clip(key, bits, CLIPS)


@st.cache_resource(max_entries=8, show_spinner=False)
def _trained(keys: tuple[str, ...]) -> tuple[list, torch.Tensor, torch.Tensor]:
    """The trained models' layers and the test split (read-only), once per process."""
    config = q.network_config(keys)
    with trainer_slot(120.0):
        run = run_to(config, config.steps)
    layers = [run.model.layer_parameters(i) for i in range(config.n_models)]
    return layers, run.data.x_test, run.data.y_test


def _range_words(qrange: q.QuantRange, name: str) -> str:
    """The range and where each end comes from."""
    span = f"[{qrange.low:.4g}, {qrange.high:.4g}]"
    if qrange.bounded:
        return f"{span}, {name}'s own range"
    if qrange.low_clipped and qrange.high_clipped:
        return f"{span}: both ends are the clip value c"
    own = "bottom" if qrange.high_clipped else "top"
    return f"{span}: the {own} is {name}'s own, the other end the clip value c"


def view(key: str, bits: int, clip: float) -> None:
    """The whole tab for activation ``key`` at ``bits`` with clip value ``clip``."""
    qrange = q.activation_range(key, clip)
    error = q.normal_error(key, bits, qrange)
    name = get(key).name
    left, right = st.columns([1.6, 1])
    left.altair_chart(charts.staircase_chart(q.staircase_frame(key, bits, qrange), key,
                                             qrange.low, qrange.high, bits), width="stretch")
    with right:
        st.markdown(f"**Range** {_range_words(qrange, name)}; {2**bits} levels, "
                    f"{qrange.step(bits):.4g} apart.")
        cells = st.columns(2)
        cells[0].metric("RMS error on N(0, 1)", f"{error.rms:.4f}")
        cells[1].metric("Of the output std", f"{error.relative:.1%}")
        clipped = error.clipping / error.mse if error.mse > 0 else 0.0
        st.caption(f"Rounding inside the range gives {1 - clipped:.0%} of the squared error, "
                   f"clipping beyond it {clipped:.0%}. Rounding alone would be about "
                   f"step²/12 = {qrange.step(bits) ** 2 / 12:.2e} if outputs were spread "
                   f"evenly; measured: {error.rounding:.2e} (an output already on a level, "
                   "such as ReLU's zeros, costs nothing).")
        if key == "relu":
            zeros = q.zero_share_normal(bits, qrange)
            st.caption(f"Exact zeros: ReLU sends half of N(0, 1) to 0; at {bits} bits the "
                       f"outputs below half a step round to 0 too: {zeros:.1%} in all, work "
                       "that sparse hardware can skip.")
    keys = tuple(dict.fromkeys((*q.COMPARED, key)))
    table = _error_table(keys, clip)
    st.markdown("**Bounded against unbounded.** A bounded activation brings its range: all "
                "levels are used and nothing is clipped. An unbounded one needs a clip value "
                "c, and pays either way: too small clips the tail, too large spreads the "
                "levels thin.")
    activation_legend(keys)
    left, right = st.columns(2)
    left.altair_chart(charts.bits_chart(table, keys, bits), width="stretch")
    left.caption(q.summary_sentence(table, bits))
    if qrange.bounded:
        right.info(f"{name} is bounded: there is no clip value to choose. Pick ReLU or GELU "
                   "to see the trade-off.", icon="📏")
    else:
        sweep = _clip_table(key, bits)
        best = sweep.loc[sweep["relative_error"].idxmin()]
        right.altair_chart(charts.clip_chart(sweep, clip, key, bits), width="stretch")
        right.caption(f"Best c for {name} at {bits} bits: {best['clip']:g} "
                      f"({best['relative_error']:.1%}); at c = {clip:g}: {error.relative:.1%}.")
    _network(key, bits, clip)


def _network(key: str, bits: int, clip: float) -> None:
    """Test accuracy of a small trained network with its hidden outputs in k bits, and the
    share of exact zeros per hidden layer."""
    keys = tuple(dict.fromkeys((key, *q.NETWORK_PEERS)))
    st.markdown(f"**On a trained network.** Two hidden layers of 32 units trained on the "
                f"digits (10 classes), one per activation ({', '.join(get(k).name for k in keys)}"
                "); then every hidden output is quantised, with the same ranges as above.")
    with st.spinner("Training the networks (once per server)…"):
        layers, x_test, y_test = _trained(keys)
    result = q.quantise_network(layers, keys, x_test, y_test, clip, bits)
    activation_legend(keys)
    left, right = st.columns([1.4, 1])
    left.altair_chart(charts.accuracy_chart(result.accuracy, keys), width="stretch")
    zeros = result.zeros.pivot_table(index=["activation", "layer"], columns="bits",
                                     values="zero_share").reset_index()
    zeros.columns = ["Activation", "Layer", "Zeros, full", f"Zeros, {bits} bits"]
    right.markdown("**Sparsity per layer**: the share of exact zeros on the test inputs")
    right.dataframe(zeros, hide_index=True, column_config={
        c: st.column_config.NumberColumn(format="percent") for c in zeros.columns[2:]})
    right.caption("ReLU's zeros are exact, so a multiply by them can be skipped; tanh "
                  "gives none, and its levels (an even number, symmetric) do not include 0.")
    at = result.accuracy[result.accuracy["bits"].isin([0, bits])]
    words = []
    for k in keys:
        row = at[at["key"] == k].set_index("bits")["accuracy"]
        words.append(f"{get(k).name} {row[0]:.1%} → {row[bits]:.1%}")
    st.caption(f"Test accuracy, full precision → {bits} bits: " + "; ".join(words) +
               f" ({len(y_test)} test images: one is {1 / len(y_test):.2%}).")
