"""The bake-off: treat the activation as a hyperparameter and let a short experiment decide.

The guide's advice is a prior; this module turns it into a test. It builds one batched
training run (every chosen activation times every seed, see :mod:`actlib.training`) and
reads the run's snapshots back into what a student should look at:

* curves as a mean with a band of one standard deviation over seeds (:func:`band_frame`),
* a final table: test accuracy mean and std over seeds, final losses, the steps each
  activation needed to bring its training loss under a target, and diverged runs
  (:func:`summary_table`),
* a verdict that names a winner and says plainly when the runners-up lie within the
  spread that the seeds alone produce (:func:`verdict`).

Everything here is pure (no Streamlit): tests check the table against a computation made
directly from the snapshots' arrays.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from actlib.activations import HIDDEN_LAYER_KEYS, display_name, get, is_hidden_layer_key
from actlib.datasets import CLASSIFICATION_2D
from actlib.guide import Advice, Placement, advise
from actlib.nets import ModelSpec, ensemble, fit_note, fit_stack, stacked
from actlib.training import TrainConfig
from actlib.user_data import USER_PREFIX

__all__ = [
    "DATASETS",
    "GRID_SIZE",
    "MAX_SEEDS",
    "PROBE_SIZE",
    "SNAPSHOTS_PER_RUN",
    "Candidate",
    "StackEntry",
    "Verdict",
    "advice_candidates",
    "band_frame",
    "build_config",
    "divergence_notes",
    "final_rows",
    "first_seed_members",
    "learning_rate_note",
    "snapshot_every",
    "stack_notes",
    "steps_to_target",
    "summary_table",
    "verdict",
]

Params = tuple[tuple[str, float | str], ...]
Candidate = tuple[str, Params]
"""An activation for the bake-off: its catalogue key and its (non-default) parameters."""

DATASETS: tuple[str, ...] = (*CLASSIFICATION_2D, "digits")
"""Classification sets, so that every activation is judged by the same test accuracy."""
MAX_SEEDS = 5
SNAPSHOTS_PER_RUN = 20
"""Points per curve: enough for a smooth band, few enough that snapshots stay cheap."""
GRID_SIZE = 30
"""Decision surfaces are small panels side by side: 30 x 30 cells read the same as 40 x 40
and cost half the evaluation."""
PROBE_SIZE = 32
"""The engine's per-layer probes are not shown on this page: the smallest useful batch."""


# --- from advice to a run -----------------------------------------------------------------


def advice_candidates(advice: Advice) -> tuple[Candidate, ...]:
    """The advice's candidates that the engine can train in a hidden layer, best first.

    Gated activations (SwiGLU, ...) need a wider projection and the engine's MLP holds only
    elementwise ones, so a gated unit is represented by its gate's activation (SwiGLU by
    SiLU, GEGLU by GELU; the catalogue's ``gate``), once. An output activation (softmax,
    identity) says nothing about hidden layers, so for output-layer advice the hidden-layer
    advice of the same network is used.
    """
    if advice.answers.placement == Placement.OUTPUT:
        advice = advise(replace(advice.answers, placement=Placement.HIDDEN))
    candidates: dict[str, Candidate] = {}
    for r in advice.ranked:
        key, params = (r.key, r.params) if get(r.key).gate is None else (get(r.key).gate, ())
        if key in HIDDEN_LAYER_KEYS and key not in candidates:
            candidates[key] = (key, params)
    return tuple(candidates.values())


def snapshot_every(steps: int, snapshots: int = SNAPSHOTS_PER_RUN) -> int:
    """The snapshot interval that gives about ``snapshots`` points per curve."""
    return max(1, steps // snapshots)


@dataclass(frozen=True)
class StackEntry:
    """A bake-off entry with one activation per hidden layer (``relu→tanh``): its layers'
    candidates, first to last. It trains beside the plain entries in the same batched
    run, fitted to the run's depth (:func:`actlib.nets.fit_stack`: the last activation
    repeats, or extra ones are left out; :func:`stack_notes` says which)."""

    layers: tuple[Candidate, ...]

    @classmethod
    def of(cls, keys: Sequence[str], params: Mapping[str, Params] | None = None
           ) -> StackEntry:
        """From keys, each with the parameters ``params`` gives its key (the advice's)."""
        return cls(tuple((k, (params or {}).get(k, ())) for k in keys))

    def members(self, depth: int, seeds: Sequence[int]) -> list[ModelSpec]:
        fitted = fit_stack(tuple((k, dict(p)) for k, p in self.layers), depth)
        return [stacked(fitted, seed) for seed in seeds]


def stack_notes(stacks: Sequence[StackEntry], depth: int) -> list[str]:
    """What fitting each stack to ``depth`` hidden layers did, one sentence per stack that
    changed."""
    notes = []
    for entry in stacks:
        names = [get(k).name for k, _ in entry.layers]
        if (note := fit_note(names, depth)) is not None:
            notes.append(f"{' → '.join(names)}: {note}")
    return notes


def build_config(
    activations: Sequence[str | Candidate | StackEntry],
    dataset: str = "moons",
    depth: int = 3,
    width: int = 32,
    optimizer: str = "adam",
    lr: float = 0.01,
    steps: int = 500,
    seeds: int = 3,
    init: str = "default",
) -> TrainConfig:
    """The one batched run of a bake-off: every activation with seeds 0..seeds-1, and
    every stack (:class:`StackEntry`) the same way, fitted to ``depth``.

    Raises ValueError with a readable message for an empty choice, an unknown data set or
    too many seeds, and the engine's CapExceededError (a ValueError) for a run over its caps.
    """
    if not activations:
        raise ValueError("pick at least one activation to train")
    if dataset not in DATASETS and not dataset.startswith(USER_PREFIX):  # or your own data
        raise ValueError(f"the bake-off uses classification sets: {', '.join(DATASETS)}")
    if not 1 <= seeds <= MAX_SEEDS:
        raise ValueError(f"seeds must lie between 1 and {MAX_SEEDS}, got {seeds}")
    models: list[ModelSpec] = []
    for item in activations:
        layers = item.layers if isinstance(item, StackEntry) else [item]
        for layer in layers:
            key = layer if isinstance(layer, str) else layer[0]
            if not is_hidden_layer_key(key):
                raise ValueError(f"{get(key).name} is not a hidden-layer activation the "
                                 "bake-off can train")
        if isinstance(item, StackEntry):
            models += item.members(depth, range(seeds))
        else:
            plain = item if isinstance(item, str) else (item[0], dict(item[1]))
            models += ensemble([plain], tuple(range(seeds)))
    if len({m for m in models}) < len(models):
        raise ValueError("an activation is picked twice (a stack of one activation is that "
                         "activation): pick each once")
    return TrainConfig(
        dataset=dataset,
        models=tuple(models),
        depth=depth,
        width=width,
        init=init,
        optimizer=optimizer,  # type: ignore[arg-type]
        lr=lr,
        steps=steps,
        snapshot_every=snapshot_every(steps),
        probe_size=PROBE_SIZE,
        grid_size=GRID_SIZE,
    )


USUAL_MAX_LR: dict[str, float] = {"adam": 0.03, "momentum": 0.3, "sgd": 1.0}
"""Roughly where each optimiser stops training small MLPs smoothly (from runs like these)."""


def learning_rate_note(optimizer: str, lr: float) -> str | None:
    """A warning for a learning rate far above the optimiser's usual range, else None."""
    usual = USUAL_MAX_LR[optimizer]
    if lr <= usual:
        return None
    return (f"A learning rate of {lr:g} is above the usual range for this optimiser (up to "
            f"about {usual:g}): expect huge steps, dead units or diverging losses. That is a "
            "fine experiment, as long as you read the result as one.")


def first_seed_members(config: TrainConfig) -> list[int]:
    """Index of each activation's first-seed model: the one whose surface is drawn."""
    seen: dict[str, int] = {}
    for i, member in enumerate(config.models):
        seen.setdefault(member.key, i)
    return list(seen.values())


# --- reading a run ------------------------------------------------------------------------


def final_rows(history: pd.DataFrame) -> pd.DataFrame:
    """Each model's row at the run's last snapshot (NaN metrics for a diverged model)."""
    last = history["step"].max()
    return history[history["step"] == last].reset_index(drop=True)


def steps_to_target(history: pd.DataFrame, target_loss: float) -> pd.Series:
    """Per model (indexed by its label): the first snapshot step at which the training loss
    was at or below ``target_loss``; NaN if it never was. The resolution is the snapshot
    interval, since the loss over the whole training set is measured only at snapshots."""
    reached = history[history["train_loss"] <= target_loss]
    first = reached.groupby("model", sort=False)["step"].min()
    models = pd.unique(history["model"])
    return first.reindex(models).astype(float)


def _name(key: str) -> str:
    return display_name(key)


def summary_table(history: pd.DataFrame, target_loss: float) -> pd.DataFrame:
    """One row per activation, best mean test accuracy first.

    Accuracy mean and sample standard deviation (ddof 1; NaN with a single healthy seed) and
    the final losses are over the seeds that did not diverge. ``steps_to_target`` is the
    median over all seeds of :func:`steps_to_target`, a seed that never got there counting
    as infinitely slow (so NaN when half or more never did); ``reached`` counts the seeds
    that got there.
    """
    final = final_rows(history)
    steps = steps_to_target(history, target_loss)
    rows = []
    for key, group in final.groupby("key", sort=False):
        healthy = group[~group["diverged"]]
        seed_steps = steps.reindex(group["model"]).to_numpy()
        slow = np.where(np.isnan(seed_steps), np.inf, seed_steps)
        median = float(np.median(slow))
        rows.append({
            "key": key,
            "activation": group["activation"].iloc[0],
            "seeds": len(group),
            "accuracy_mean": healthy["test_accuracy"].mean(),
            "accuracy_std": healthy["test_accuracy"].std(ddof=1),
            "test_loss_mean": healthy["test_loss"].mean(),
            "train_loss_mean": healthy["train_loss"].mean(),
            "steps_to_target": median if math.isfinite(median) else math.nan,
            "reached": int(np.isfinite(slow).sum()),
            "diverged": int(group["diverged"].sum()),
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(
        ["accuracy_mean", "test_loss_mean"], ascending=[False, True], na_position="last",
        kind="stable",
    ).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def band_frame(history: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Mean and a band of one standard deviation over seeds, per activation and step.

    Diverged seeds (NaN) are left out; ``n`` says how many seeds each point averages. With
    one seed the band has no width (std 0). ``activation`` is the catalogue name, the key
    of the app's colour scale.
    """
    grouped = history.groupby(["key", "step"], sort=False)[metric]
    frame = grouped.agg(mean="mean", std="std", n="count").reset_index()  # std: ddof 1
    frame = frame[frame["n"] > 0].copy()
    frame["std"] = frame["std"].fillna(0.0)
    frame["lo"] = frame["mean"] - frame["std"]
    frame["hi"] = frame["mean"] + frame["std"]
    frame.insert(1, "activation", frame["key"].map(_name))
    return frame.reset_index(drop=True)


def divergence_notes(history: pd.DataFrame) -> list[str]:
    """One sentence per activation with diverged seeds: which seed, at which step, why."""
    final = final_rows(history)
    notes = []
    for _, group in final[final["diverged"]].groupby("key", sort=False):
        parts = [f"seed {seed} at step {int(step)} ({reason})" for seed, step, reason in
                 zip(group["seed"], group["diverged_step"], group["diverged_reason"],
                     strict=True)]
        notes.append(f"{group['activation'].iloc[0]}: {'; '.join(parts)}")
    return notes


# --- the verdict --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The winner (a catalogue key, None if nothing trained), the activations whose mean
    lies within the seed spread of the winner's, and the sentence to show."""

    winner: str | None
    within_spread: tuple[str, ...]
    text: str

    @property
    def clear(self) -> bool:
        """A winner ahead of every other activation by more than the seed spread."""
        return self.winner is not None and not self.within_spread


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _with_spread(row: pd.Series) -> str:
    std = row["accuracy_std"]
    spread = "" if pd.isna(std) else f" ± {100 * std:.1f}"
    return f"{row['activation']} ({_pct(row['accuracy_mean'])}{spread})"


def _names(rows: Iterable[pd.Series]) -> str:
    items = [_with_spread(r) for r in rows]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_ROUNDING = 1e-12
"""A gap equal to the spread counts as within it, whatever the float rounding says."""


def verdict(summary: pd.DataFrame) -> Verdict:
    """Name the activation with the best mean test accuracy, honestly.

    A rival counts as within the seed spread when the gap between the two means is at most
    the larger of their two standard deviations: then changing nothing but the seeds moves
    results by as much as the activation did, and the ranking is not evidence.
    """
    healthy = summary.dropna(subset=["accuracy_mean"]) if not summary.empty else summary
    if healthy.empty:
        return Verdict(None, (), "Every run diverged, so there is no winner: lower the "
                       "learning rate or use a gentler optimiser.")
    best = healthy.iloc[0]
    if len(healthy) == 1:
        lone = ("Only one activation trained" if len(summary) == 1
                else "Only one activation trained without diverging")
        return Verdict(str(best["key"]), (), f"{lone}: {_with_spread(best)}. Add others "
                       "to compare.")
    one_seed = int(best["seeds"]) - int(best["diverged"]) < 2
    if one_seed:
        runner = healthy.iloc[1]
        return Verdict(str(best["key"]), (), (
            f"{_with_spread(best)} scored best, ahead of {_with_spread(runner)}. With one "
            "seed there is no spread to compare the gap with: a different initialisation "
            "may reorder them. Use three seeds or more before trusting the order."))
    rivals = []
    for _, row in healthy.iloc[1:].iterrows():
        spread = np.nanmax([best["accuracy_std"], row["accuracy_std"], 0.0])
        if best["accuracy_mean"] - row["accuracy_mean"] <= spread + _ROUNDING:
            rivals.append(row)
    if rivals:
        return Verdict(str(best["key"]), tuple(str(r["key"]) for r in rivals), (
            f"{_with_spread(best)} has the best mean test accuracy, but {_names(rivals)} "
            f"{'lies' if len(rivals) == 1 else 'lie'} within one seed standard deviation of "
            "it: changing only the seeds moves the results as much as changing the "
            "activation did. Treat them as tied here (more seeds or more data may separate "
            "them)."))
    runner = healthy.iloc[1]
    return Verdict(str(best["key"]), (), (
        f"{_with_spread(best)} wins: its mean test accuracy beats the runner-up, "
        f"{_with_spread(runner)}, by more than either's seed standard deviation."))


def display_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as the page shows it: accuracies in percent, "2 of 3" for the seeds that
    reached the target and that diverged, and without the key and seed-count columns."""
    def of_seeds(column: str) -> list[str]:
        return [f"{count} of {n}" for count, n in zip(summary[column], summary["seeds"],
                                                       strict=True)]

    return summary.assign(
        accuracy_mean=100 * summary["accuracy_mean"],
        accuracy_std=100 * summary["accuracy_std"],
        reached=of_seeds("reached"),
        diverged=of_seeds("diverged"),
    ).drop(columns=["key", "seeds"])
