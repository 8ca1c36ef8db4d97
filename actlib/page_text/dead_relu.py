"""The Dead ReLU monitor's words: the cards above a run, what the finished run shows, the
census in sentences and the captions of the remedies."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from actlib.activations import get
from actlib.cards import MetricCard
from actlib.dead_units import CENSUS_SEEDS, EXPLODED_LOSS, probe_rows, training_rows
from actlib.probes import DEAD_UNIT_DEFINITION

DEAD_UNIT = (":small[**Dead unit:** a unit whose output, or whose slope, is exactly zero on "
             "every probe sample, so no gradient reaches its weights.]")
BEFORE_AFTER = (
    "The two runs are paired: same data, same initial weights (unless the remedy changes "
    "them), same minibatches. A lower learning rate prevents new deaths but cannot revive "
    "units that start dead: no gradient reaches them, only changes upstream can switch them "
    "back on. Leaky ReLU and batch norm keep a gradient flowing to every unit."
)
PRELU = (
    "Grey lines: the initial a (dashed) and a = 0 (solid), where PReLU is plain ReLU. PReLU "
    "is Leaky ReLU whose negative slope a is a parameter, one per layer here (like "
    "nn.PReLU()), trained with the weights. While a stays away from 0 no unit can die; at "
    "a = 0 the layer is a ReLU layer again, and a negative a makes the unit's output rise "
    "on both sides of 0."
)


def probe_help(dataset: str) -> str:
    """The definition of a dead unit, and which samples this page probes with."""
    n_probe, n_train = probe_rows(dataset), training_rows(dataset)
    probe = (f"the whole training set ({n_probe:,} samples)" if n_probe == n_train
             else f"the first {n_probe:,} of the {n_train:,} training samples")
    return (f"{DEAD_UNIT_DEFINITION} The probe batch here: {probe}, measured in evaluation "
            "mode, as the model predicts.")


def unit_cards(summary: pd.DataFrame, totals: pd.DataFrame) -> list[MetricCard]:
    """A card per activation of a run (:func:`actlib.dead_units.run_summary`): its dead
    units now, the change since init and their history; or that it diverged or exploded,
    since a count of 0 says nothing good about such a run."""
    cards = []
    for item in summary.itertuples():
        if item.diverged_step >= 0:
            cards.append(MetricCard(item.activation, "diverged", f"at step {item.diverged_step}"))
        elif item.exploded_step >= 0:
            cards.append(MetricCard(
                item.activation, "exploded",
                f"loss {item.peak_loss:.0e} at step {item.exploded_step}",
                help=f"{item.dead_now:.0f} dead, but the run diverged: the loss passed "
                f"{EXPLODED_LOSS:,.0f} without turning NaN."))
        else:
            cards.append(MetricCard(
                item.activation, f"{item.dead_now:.0f}", int(item.dead_now - item.dead_at_init),
                delta_color="inverse", delta_description="since init",
                chart=totals.loc[totals["key"] == item.key, "dead_units"].tolist()))
    return cards


def look_inside(keys: Sequence[str], wanted: str, layer: int, depth: int
                ) -> tuple[str, int, list[str]]:
    """The activation and layer to look inside: the ones asked for, or the nearest the run
    has, with a note for each substitute (a link may name one that is not training)."""
    notes = []
    key = wanted if wanted in keys else keys[0]
    if key != wanted:
        notes.append(f"{get(wanted).name} is not training: looking inside {get(key).name} "
                     "instead.")
    if layer > depth:
        layer = depth
        notes.append(f"The network has {depth} hidden layer(s): showing layer {depth}.")
    return key, layer, notes


def run_notes(final: pd.DataFrame) -> str:
    """Below a finished run: what the table counts, why Leaky ReLU cannot die, and which
    other activations lost units anyway (float32 rounds their tails to exactly 0)."""
    notes = [
        "The table counts, per layer, **dead** units and **nearly dead** ones (alive, but "
        "firing on under 1% of the probe samples) at the last step.",
        "**Leaky ReLU cannot die**: for x ≤ 0 it outputs a·x with slope a > 0, so its output "
        "is exactly zero only at x = 0 exactly, and its slope never is.",
    ]
    others = final[(final["key"] != "relu") & (final["dead_now"] > 0)]
    if len(others):
        notes.append(
            f"{', '.join(others['activation'])} lost units too: far below zero their output "
            "or slope rounds to exactly 0 in float32 (GELU's output does below about −5.6), "
            "so in practice they can die as well."
        )
    return " ".join(notes)


def stopped_note(step: int, steps: int) -> str:
    return (f"Training was stopped at step {step} of {steps}: the charts show the steps done "
            "so far. Press Train again to run it to the end.")


def census_lines(frame: pd.DataFrame, keys: Sequence[str], depth: int) -> str:
    """A markdown bullet per activation of the census: dead in the first and last layer,
    and the most nearly dead in any layer."""
    lines = []
    for key in keys:
        mine = frame[frame["key"] == key]
        lines.append(
            f"- {get(key).name}: {mine['dead_share'].iloc[0]:.0%} dead in layer 1, "
            f"{mine['dead_share'].iloc[-1]:.0%} in layer {depth}; nearly dead at most "
            f"{mine['nearly_dead_share'].max():.0%} in any layer"
        )
    return "\n".join(lines)


def census_caption(depth: int, width: int, samples: int) -> str:
    """What the census counted, and why the default init kills more than He's."""
    return (
        f"Fresh networks of {depth} layers × {width} units, mean over {len(CENSUS_SEEDS)} "
        f"random initialisations (band: lowest to highest), counted on {samples:,} training "
        "samples, before a single step. Left: your init, bias and batch norm settings. "
        "Right: ReLU under each scheme with the biases it draws. PyTorch's default init "
        "shrinks the signal at every ReLU layer while the biases stay, so deep layers see "
        "little but their bias: a unit with a negative bias is off for every input. He init "
        "keeps the signal's scale and the share grows far more slowly; it still grows, "
        "because deep ReLU layers map all inputs to ever more similar patterns. Batch norm "
        "recentres each unit on the batch, so none start dead."
    )


def final_slopes(slopes: pd.DataFrame) -> str:
    """PReLU's learned slope per layer at the last step of ``slopes_history``."""
    final = slopes[slopes["step"] == slopes["step"].max()]
    return "Learned slope a at the last step: " + ", ".join(
        f"layer {r.layer}: **{r.prelu_slope:.3f}**" for r in final.itertuples())
