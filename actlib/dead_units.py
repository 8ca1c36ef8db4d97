"""Watching units die: the Dead ReLU monitor's logic, free of Streamlit.

The engine's snapshots already carry each layer's dead share (on a fixed probe batch, see
:data:`actlib.probes.DEAD_UNIT_DEFINITION`), the losses and the learned PReLU slopes. This
module turns them into the monitor's frames (dead share per layer over steps, totals, a
CSV of every per-step metric, before/after summaries) and adds what a snapshot cannot
hold, because it needs the network itself:

* a unit-by-sample activity map (which unit fires on which input),
* pre-activation histograms at initialisation and now (the mass drifting below zero),
* nearly dead units (firing on fewer than 1% of the probe samples).

Snapshots do not hold the network, so :func:`probe_at` has the engine train the same run
to the step wanted (:func:`actlib.training.run_to`: same config, seeds and batches, so the
same network) and measures it there; :class:`LiveProbes` measures a live run's own network where it
stands.
A test pins that these probes' dead shares equal the snapshots'. The census
at initialisation needs no training at all: it builds fresh ensembles and counts.

Throughout, a unit is dead or firing exactly as :mod:`actlib.probes` defines it, on the
same probe batch and in the same evaluation mode as the training snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from actlib.activations import get
from actlib.datasets import DEFAULT_SAMPLES, DIGITS_SIZE, effective_samples, load, split_sizes
from actlib.nets import BatchedMLP, ModelSpec, NetConfig, Trace, ensemble
from actlib.probes import NEARLY_DEAD_FRACTION, unit_census
from actlib.training import RunState, Snapshot, TrainConfig, run_to
from actlib.training.snapshots import (
    history_frame,
    layer_history_frame,
    slopes_rows,
    stack_columns,
)
from actlib.vocabulary import INIT_LABELS, NORM_LABELS

MAX_PROBE_ROWS = 1024
"""The engine's largest probe batch: the whole training set up to this many rows."""
SNAPSHOTS_PER_RUN = 40
MAP_SAMPLES = 120
"""Samples shown in the activity map (evenly spread over the class-sorted probe set)."""
HISTOGRAM_BINS = 40
CENSUS_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)
CENSUS_SCHEMES: tuple[str, ...] = ("default", "xavier_uniform", "he", "orthogonal")
TEST_FRACTION = 0.25

FIRES_POSITIVE, FIRES_NEGATIVE, SILENT = 2, 1, 0
STATE_LABELS: dict[int, str] = {
    FIRES_POSITIVE: "fires (x > 0)",
    FIRES_NEGATIVE: "leaks (fires with x ≤ 0)",
    SILENT: "silent (output or slope exactly 0)",
}

CURES: dict[str, str] = {
    "lower_lr": "Lower the learning rate (÷10)",
    "leaky": "Switch to Leaky ReLU",
    "batch_norm": "Batch norm before ReLU",
    "he_init": "He initialisation, zero bias",
}


# --- the run the monitor trains ------------------------------------------------------------


def samples_for(dataset: str) -> int:
    """Rows the monitor generates: the toy sets' default, or all of digits."""
    return DIGITS_SIZE if dataset == "digits" else DEFAULT_SAMPLES


def probe_rows(dataset: str) -> int:
    """The probe batch: the whole training set, up to the engine's :data:`MAX_PROBE_ROWS`."""
    n_train = split_sizes(effective_samples(dataset, samples_for(dataset)), TEST_FRACTION)[0]
    return min(n_train, MAX_PROBE_ROWS)


def training_rows(dataset: str) -> int:
    return split_sizes(effective_samples(dataset, samples_for(dataset)), TEST_FRACTION)[0]


def monitor_config(
    activations: Sequence[str],
    *,
    params: Mapping[str, Mapping[str, float | str]] | None = None,
    dataset: str = "moons",
    lr: float = 0.1,
    optimizer: str = "adam",
    bias: float | None = None,
    init: str = "default",
    batch_norm: bool = False,
    depth: int = 3,
    width: int = 32,
    steps: int = 400,
    seed: int = 0,
) -> TrainConfig:
    """The monitor's run: every activation from one seed (a paired comparison), a snapshot
    every 1/40 of the run, the probe batch as large as the engine allows and the coarsest
    surface grid (the monitor draws no decision surface).

    Raises the engine's ``CapExceededError`` (a ValueError) for a config over its caps.
    """
    params = params or {}
    members = ensemble([(k, dict(params.get(k, {}))) for k in activations], (seed,))
    return TrainConfig(
        dataset=dataset,
        n_samples=samples_for(dataset),
        test_fraction=TEST_FRACTION,
        models=members,
        depth=depth,
        width=width,
        init=init,
        bias_init=bias,
        norm="batch" if batch_norm else "none",
        optimizer=optimizer,  # type: ignore[arg-type]
        lr=lr,
        steps=steps,
        snapshot_every=max(1, steps // SNAPSHOTS_PER_RUN),
        probe_size=probe_rows(dataset),
        grid_size=10,
    )


def with_activations(
    config: TrainConfig, activations: Sequence[str],
    params: Mapping[str, Mapping[str, float | str]] | None = None,
) -> TrainConfig:
    """The same run with other members (same seed as the first member)."""
    params = params or {}
    seed = config.models[0].seed
    return replace(
        config, models=ensemble([(k, dict(params.get(k, {}))) for k in activations], (seed,))
    )


def cure_config(
    relu_run: TrainConfig, cure: str, leaky_params: Mapping[str, float | str] | None = None
) -> TrainConfig:
    """The paired rerun of a ReLU run with one remedy applied; everything else the same."""
    if cure == "lower_lr":
        return replace(relu_run, lr=relu_run.lr / 10)
    if cure == "leaky":
        return with_activations(relu_run, ["leaky_relu"], {"leaky_relu": leaky_params or {}})
    if cure == "batch_norm":
        return replace(relu_run, norm="batch")
    if cure == "he_init":
        return replace(relu_run, init="he", bias_init=None)
    raise ValueError(f"unknown cure {cure!r}; known: {', '.join(CURES)}")


def cure_is_noop(relu_run: TrainConfig, cure: str) -> bool:
    """True when the settings already apply the remedy (the two runs would be the same)."""
    return (cure == "batch_norm" and relu_run.norm == "batch") or (
        cure == "he_init" and relu_run.init == "he" and relu_run.bias_init is None)


def describe_change(before: TrainConfig, after: TrainConfig) -> str:
    """What differs between two runs, in words ('learning rate 0.1 → 0.01')."""
    changes = []
    if before.lr != after.lr:
        changes.append(f"learning rate {before.lr:g} → {after.lr:g}")
    if before.models != after.models:
        names = lambda c: ", ".join(m.activation_label for m in c.models)  # noqa: E731
        changes.append(f"{names(before)} → {names(after)}")
    if before.norm != after.norm:
        changes.append(f"normalisation {NORM_LABELS[before.norm]} → {NORM_LABELS[after.norm]}")
    if before.init != after.init:
        changes.append(f"init {INIT_LABELS[before.init]} → {INIT_LABELS[after.init]}")
    if before.bias_init != after.bias_init:
        fmt = lambda b: "drawn by the init" if b is None else f"{b:g}"  # noqa: E731
        changes.append(f"initial bias {fmt(before.bias_init)} → {fmt(after.bias_init)}")
    return "; ".join(changes) or "nothing"


# --- frames from snapshots -----------------------------------------------------------------


def _ids(models: Sequence[ModelSpec]) -> dict[str, list]:
    """Per model: catalogue key and catalogue name (the colour scales' domain)."""
    return {"key": [m.key for m in models], "activation": [get(m.key).name for m in models]}


def dead_history_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """One row per (step, activation, layer): dead share and dead-unit count.

    ``step_end`` is the next snapshot's step (for heatmap cells). Diverged models' rows
    (NaN) are dropped.
    """
    if not snapshots:
        return pd.DataFrame(columns=["step", "step_end", "key", "activation", "layer",
                                     "dead_share", "dead_units", "width"])
    models = snapshots[0].info.models
    width = snapshots[0].info.config.width
    ids = _ids(models)
    steps = [s.step for s in snapshots]
    ends = [*steps[1:], steps[-1] + max(1, snapshots[0].info.config.snapshot_every)]
    m, depth = snapshots[0].dead_share.shape
    per_step = {"key": np.repeat(ids["key"], depth),
                "activation": np.repeat(ids["activation"], depth),
                "layer": np.tile(np.arange(1, depth + 1), m)}
    frame = stack_columns([
        {"step": snap.step, "step_end": end, **per_step,
         "dead_share": snap.dead_share.reshape(-1)}
        for snap, end in zip(snapshots, ends, strict=True)
    ]).dropna(subset=["dead_share"])
    frame["dead_units"] = np.rint(frame["dead_share"] * width).astype(int)
    frame["width"] = width
    return frame.reset_index(drop=True)


def totals_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """One row per (step, activation): dead units over all hidden layers, their share, the
    training loss and accuracy."""
    columns = ["step", "key", "activation", "dead_units", "hidden_units", "dead_share",
               "train_loss", "train_accuracy"]
    if not snapshots:
        return pd.DataFrame(columns=columns)
    config = snapshots[0].info.config
    hidden = config.depth * config.width
    ids = _ids(snapshots[0].info.models)
    parts = []
    for snap in snapshots:
        dead_units = np.rint(snap.dead_share * config.width).sum(axis=1)
        dead_units = np.where(np.isnan(snap.dead_share).any(axis=1), np.nan, dead_units)
        parts.append({
            "step": snap.step, **ids, "dead_units": dead_units, "hidden_units": hidden,
            "dead_share": dead_units / hidden, "train_loss": snap.train_loss,
            "train_accuracy": snap.train_accuracy,
        })
    frame = stack_columns(parts)
    return frame.dropna(subset=["dead_units"]).reset_index(drop=True)[columns]


def slopes_history(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """PReLU's learned negative slope per (step, layer); empty without a PReLU member."""
    columns = ["step", "key", "activation", "layer", "prelu_slope"]
    if not snapshots:
        return pd.DataFrame(columns=columns)
    frame = slopes_rows(layer_history_frame(snapshots)).reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["activation"] = [get(k).name for k in frame["key"]]
    return frame[columns]


def metrics_csv_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every per-step metric of a run, one row per (step, activation, hidden layer).

    Model-level metrics (losses, accuracies, divergence) repeat on each layer's row, so the
    file opens as one flat table in a spreadsheet.
    """
    if not snapshots:
        return pd.DataFrame()
    width = snapshots[0].info.config.width
    layers = layer_history_frame(snapshots)
    layers = layers[~layers["is_head"]].drop(columns=["is_head"])
    layers.insert(layers.columns.get_loc("dead_share") + 1, "dead_units",
                  np.rint(layers["dead_share"] * width))
    models = history_frame(snapshots)
    # An inner merge keeps the left order: step, then ensemble order, then layer.
    return layers.merge(models, on=["step", "model", "activation", "key", "seed"])


EXPLODED_LOSS = 1_000.0
"""A training loss above this has diverged even while it is still finite: the chance level
of these tasks is at most ln 10 ≈ 2.3, and a loss of 1,000 means logits in the thousands.
Seen at depth 8 x width 64, lr 0.1: Leaky ReLU's loss passed 10^6 with "0 dead" units."""


def run_summary(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Per activation: dead units at initialisation, now and at the worst step, the share
    now, the loss now and its peak, the divergence step (-1 when healthy) and the first
    snapshot step where the loss exploded past :data:`EXPLODED_LOSS` without turning NaN
    (-1 when it never did): a dead count of 0 says nothing good about such a run."""
    columns = ["key", "activation", "hidden_units", "dead_at_init", "dead_now", "dead_peak",
               "dead_share_now", "train_loss", "train_accuracy", "diverged_step",
               "peak_loss", "exploded_step"]
    if not snapshots:
        return pd.DataFrame(columns=columns)
    totals = totals_frame(snapshots)
    last = snapshots[-1]
    losses = np.array([s.train_loss for s in snapshots], dtype=np.float64)  # [snapshot, M]
    steps = np.array([s.step for s in snapshots])
    rows = []
    for i, member in enumerate(last.info.models):
        mine = totals[totals["key"] == member.key]
        finite = losses[:, i][np.isfinite(losses[:, i])]
        over = np.flatnonzero(np.isfinite(losses[:, i]) & (losses[:, i] > EXPLODED_LOSS))
        diverged = int(last.diverged_step[i])
        rows.append({
            "key": member.key, "activation": get(member.key).name,
            "hidden_units": last.info.config.depth * last.info.config.width,
            "dead_at_init": float(mine["dead_units"].iloc[0]) if len(mine) else np.nan,
            "dead_now": float(mine["dead_units"].iloc[-1]) if len(mine) else np.nan,
            "dead_peak": float(mine["dead_units"].max()) if len(mine) else np.nan,
            "dead_share_now": float(mine["dead_share"].iloc[-1]) if len(mine) else np.nan,
            "train_loss": float(last.train_loss[i]),
            "train_accuracy": float(last.train_accuracy[i]),
            "diverged_step": diverged,
            "peak_loss": float(finite.max()) if len(finite) else np.nan,
            "exploded_step": int(steps[over[0]]) if len(over) and diverged < 0 else -1,
        })
    return pd.DataFrame(rows, columns=columns)


def exploded_notes(summary: pd.DataFrame) -> list[str]:
    """A sentence per model whose loss exploded while staying finite (see run_summary)."""
    return [
        f"{row.activation}'s training loss exploded past {EXPLODED_LOSS:,.0f} at step "
        f"{row.exploded_step} (peak {row.peak_loss:.2g}): the run diverged without turning "
        "NaN, so its count of dead units says nothing about learning."
        for row in summary.itertuples() if row.exploded_step >= 0
    ]


def compare_runs(
    before: Sequence[Snapshot], after: Sequence[Snapshot], change: str
) -> pd.DataFrame:
    """The before/after table of an intervention: one row per run (and member)."""
    parts = []
    for label, snapshots in (("before", before), (f"after: {change}", after)):
        summary = run_summary(snapshots)
        summary.insert(0, "run", label)
        parts.append(summary)
    return pd.concat(parts, ignore_index=True)


def paired_totals(before: Sequence[Snapshot], after: Sequence[Snapshot]) -> pd.DataFrame:
    """Dead share over all hidden units per step for both runs, labelled 'before'/'after'."""
    parts = []
    for label, snapshots in (("before", before), ("after", after)):
        frame = totals_frame(snapshots)
        frame.insert(0, "run", label)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


# --- looking inside the network at a step --------------------------------------------------


@dataclass(frozen=True, eq=False)
class UnitProbe:
    """The network of a run after ``step`` updates, seen unit by unit on the probe batch.

    Arrays are indexed ``[model, layer, unit, ...]``. ``states`` holds :data:`FIRES_POSITIVE`,
    :data:`FIRES_NEGATIVE` or :data:`SILENT` for each of the :data:`MAP_SAMPLES` shown
    samples (``sample_rows`` into the probe batch, sorted by class, classes in
    ``sample_class``). ``dead``, ``nearly_dead`` and ``fire_rate`` count every probe sample.
    ``hist_init``/``hist_now`` ``[M, L, bins]`` are shares of pre-activations (the
    activation's input) per bin of ``edges[m]`` (see :func:`symlog_edges`; outliers in the
    edge bins);
    ``below_zero`` ``[2, M, L]`` is the share of pre-activations ≤ 0, at init and now.
    """

    step: int
    models: tuple[ModelSpec, ...]
    width: int
    n_samples: int
    states: np.ndarray
    sample_rows: np.ndarray
    sample_class: np.ndarray
    dead: np.ndarray
    nearly_dead: np.ndarray
    fire_rate: np.ndarray
    hist_init: np.ndarray
    hist_now: np.ndarray
    edges: np.ndarray
    below_zero: np.ndarray
    diverged: np.ndarray

    @property
    def depth(self) -> int:
        return int(self.dead.shape[1])


def map_rows(labels: Tensor, n_shown: int = MAP_SAMPLES) -> np.ndarray:
    """Rows of the probe batch shown in the activity map: sorted by class (stable), then
    evenly spread so every class keeps its share of the columns."""
    order = np.argsort(labels.numpy(), kind="stable")
    if len(order) <= n_shown:
        return order
    picks = np.unique(np.rint(np.linspace(0, len(order) - 1, n_shown)).astype(int))
    return order[picks]


def _traced(model: BatchedMLP, x: Tensor) -> Trace:
    trace = Trace()
    with torch.no_grad():
        model(x, trace=trace, batch_stats=False, update_stats=False)
    return trace


def firing_states(model: BatchedMLP, trace: Trace) -> list[Tensor]:
    """Per layer ``[M, B, W]`` int8: fires on the positive side, leaks, or silent.

    Fires means what :mod:`actlib.probes` counts: output and slope both non-zero.
    """
    states = []
    for layer, (a, f) in enumerate(zip(trace.a, trace.f, strict=True)):
        slope = model.local_derivative(layer, a)
        fires = (f != 0) & (slope != 0)
        state = torch.where(a > 0, FIRES_POSITIVE, FIRES_NEGATIVE).to(torch.int8)
        states.append(torch.where(fires, state, torch.tensor(SILENT, dtype=torch.int8)))
    return states


def _pre_activations(trace: Trace) -> np.ndarray:
    """``[M, L, B * W]`` float64: every activation input of each layer."""
    return torch.stack([a.reshape(a.shape[0], -1) for a in trace.a], dim=1).double().numpy()


def symlog_edges(limit: float, bins: int = HISTOGRAM_BINS) -> np.ndarray:
    """Bin edges on [-limit, limit], equally spaced in sign(x)·log(1 + |x|).

    That is the x scale the histograms are drawn on (Vega-Lite's ``symlog``): linear near
    zero, logarithmic far out, so the narrow distribution at initialisation and the wide
    one after a high learning rate both keep their shape on one axis.
    """
    t = np.linspace(-np.log1p(limit), np.log1p(limit), bins + 1)
    edges = np.sign(t) * np.expm1(np.abs(t))
    if bins % 2 == 0:
        edges[bins // 2] = 0.0  # exactly: the bins split at zero
    return edges


def histogram_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of ``values`` in each bin of ``edges``, outliers clamped into the edge bins;
    NaN values (a diverged model) leave an all-NaN row."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full(len(edges) - 1, np.nan)
    counts, _ = np.histogram(np.clip(finite, edges[0], edges[-1]), bins=edges)
    return counts / values.size


def _window(*arrays: np.ndarray) -> float:
    """A symmetric window holding all but the most extreme 0.5% of the finite values."""
    values = np.abs(np.concatenate([a[np.isfinite(a)] for a in arrays]))
    if values.size == 0:
        return 1.0
    limit = float(np.quantile(values, 0.995))
    return limit if np.isfinite(limit) and limit > 0 else 1.0


def initial_pre_activations(run: RunState) -> np.ndarray:
    """``[M, L, B * W]``: the run's initial network's activation inputs on its probe batch
    (rebuilt from the config: the same seeds draw the same initial weights)."""
    return _pre_activations(_traced(BatchedMLP(run.config.net_config()), run.probe_x))


def measure_units(run: RunState, initial: np.ndarray | None = None) -> UnitProbe:
    """The run's network after ``run.steps_done`` updates, unit by unit, with the initial
    network's histograms beside it. ``initial`` is :func:`initial_pre_activations` of the
    run, for a caller that measures one run at many steps (rebuilt when None)."""
    model, x, config = run.model, run.probe_x, run.config
    init_pre = initial_pre_activations(run) if initial is None else initial
    rows = map_rows(run.probe_y)
    trace = _traced(model, x)
    states = firing_states(model, trace)
    census = unit_census(model, x, batch_stats=False)
    now = _pre_activations(trace)
    m, n_layers = now.shape[:2]
    edges = np.stack([symlog_edges(_window(init_pre[i], now[i])) for i in range(m)])
    hist_init = np.stack([[histogram_shares(init_pre[i, j], edges[i])
                           for j in range(n_layers)] for i in range(m)])
    hist_now = np.stack([[histogram_shares(now[i, j], edges[i])
                          for j in range(n_layers)] for i in range(m)])
    with np.errstate(invalid="ignore"):
        below = np.stack([(init_pre <= 0).mean(axis=2), (now <= 0).mean(axis=2)])
    diverged = run.diverged_step >= 0
    below[1, diverged] = np.nan
    shown = torch.as_tensor(rows)
    return UnitProbe(
        step=run.steps_done,
        models=config.models,
        width=config.width,
        n_samples=int(x.shape[0]),
        states=torch.stack([s[:, shown].transpose(1, 2) for s in states], dim=1).numpy(),
        sample_rows=rows,
        sample_class=run.probe_y[shown].numpy().copy(),
        dead=census.dead.copy(),
        nearly_dead=(census.fire_rate < NEARLY_DEAD_FRACTION) & ~census.dead,
        fire_rate=np.array(census.fire_rate),
        hist_init=hist_init,
        hist_now=hist_now,
        edges=edges,
        below_zero=below,
        diverged=diverged.copy(),
    )


def probe_at(config: TrainConfig, step: int) -> UnitProbe:
    """The run of ``config`` trained to ``step`` by the engine and measured (a whole run
    from step 0: cache the result)."""
    return measure_units(run_to(config, step))


PROBES_KEPT = 6
"""Probes a :class:`LiveProbes` keeps (a few redraws' worth)."""


class LiveProbes:
    """Unit probes of a live run's own network at the step where it stands: a paused run
    is looked into as it is, never trained again to get there.

    Probes are kept in ``memo`` by (config, step) (the last :data:`PROBES_KEPT`; a page
    passes a mapping that outlives its script run, so redrawing a paused run measures
    nothing), and so is each config's initial network's histogram.
    """

    def __init__(self, memo: MutableMapping[tuple, object] | None = None) -> None:
        self._memo: MutableMapping[tuple, object] = {} if memo is None else memo

    def at(self, run: RunState) -> UnitProbe:
        """The probe of ``run``'s network after ``run.steps_done`` updates."""
        key = (run.config, run.steps_done)
        probe = self._memo.pop(key, None)
        if probe is None:
            initial_key = (run.config, "initial")
            initial = self._memo.get(initial_key)
            if initial is None:
                initial = self._memo[initial_key] = initial_pre_activations(run)
            probe = measure_units(run, initial)
        self._memo[key] = probe  # (re)inserted last: the most recently used
        probes = [k for k in self._memo if k[1] != "initial"]
        for old in probes[:-PROBES_KEPT]:
            del self._memo[old]
        return probe  # type: ignore[return-value]


def activity_frame(probe: UnitProbe, model: int, layer: int) -> pd.DataFrame:
    """The activity map of one member and hidden layer (1-based): one row per (unit,
    shown sample), with the unit's status over the whole probe batch."""
    states = probe.states[model, layer - 1]  # [W, S]
    width, shown = states.shape
    status = unit_status(probe, model, layer)
    return pd.DataFrame({
        "unit": np.repeat(np.arange(1, width + 1), shown),
        "sample": np.tile(np.arange(1, shown + 1), width),
        "probe_row": np.tile(probe.sample_rows, width),
        "class": np.tile(probe.sample_class, width).astype(str),
        "state": [STATE_LABELS[int(s)] for s in states.reshape(-1)],
        "status": np.repeat(status, shown),
    })


def unit_status(probe: UnitProbe, model: int, layer: int) -> np.ndarray:
    """'dead', 'nearly dead' or 'alive' per unit of one member's layer (1-based)."""
    dead = probe.dead[model, layer - 1]
    nearly = probe.nearly_dead[model, layer - 1]
    return np.where(dead, "dead", np.where(nearly, "nearly dead", "alive"))


def histogram_frame(probe: UnitProbe, model: int) -> pd.DataFrame:
    """Pre-activation histograms of one member, every layer, at init and at the probe's step.

    ``when`` is 'at init' or 'step N'; ``below_zero`` is that histogram's share ≤ 0.
    """
    edges = probe.edges[model]
    parts = []
    for when, shares, below in (("at init", probe.hist_init, probe.below_zero[0]),
                                (f"step {probe.step}", probe.hist_now, probe.below_zero[1])):
        for layer in range(probe.depth):
            parts.append(pd.DataFrame({
                "layer": layer + 1, "when": when,
                "bin_left": edges[:-1], "bin_right": edges[1:],
                "share": shares[model, layer], "below_zero": below[model, layer],
            }))
    return pd.concat(parts, ignore_index=True)


def layer_status_frame(probe: UnitProbe) -> pd.DataFrame:
    """Per (activation, layer): dead, nearly dead and alive units at the probe's step."""
    rows = []
    for i, member in enumerate(probe.models):
        for layer in range(probe.depth):
            dead = int(probe.dead[i, layer].sum())
            nearly = int(probe.nearly_dead[i, layer].sum())
            rows.append({
                "key": member.key, "activation": get(member.key).name, "layer": layer + 1,
                "dead": dead, "nearly_dead": nearly, "alive": probe.width - dead - nearly,
                "diverged": bool(probe.diverged[i]),
            })
    return pd.DataFrame(rows)


def status_table(probe: UnitProbe) -> pd.DataFrame:
    """Dead and nearly dead units: one row per activation, columns (count, layer)."""
    table = layer_status_frame(probe).rename(columns={"nearly_dead": "nearly dead"})
    table["layer"] = [f"layer {n}" for n in table["layer"]]
    wide = table.pivot(index="activation", columns="layer", values=["dead", "nearly dead"])
    return wide.reindex([get(m.key).name for m in probe.models])


# --- the census at initialisation ----------------------------------------------------------


def census_at_init(
    activations: Sequence[str],
    *,
    params: Mapping[str, Mapping[str, float | str]] | None = None,
    dataset: str = "moons",
    depth: int = 10,
    width: int = 32,
    init: str = "default",
    bias: float | None = None,
    batch_norm: bool = False,
    seeds: Sequence[int] = CENSUS_SEEDS,
) -> pd.DataFrame:
    """Dead and nearly dead share per layer of freshly initialised networks, before any
    training, on the whole training set; mean (and range) over ``seeds``.

    Batch norm uses the probe batch's own statistics here (its running statistics mean
    nothing yet), as :mod:`actlib.probes` does for fresh networks.
    """
    params = params or {}
    data = load(dataset, samples_for(dataset), 0.2, 0, TEST_FRACTION)
    members = ensemble([(k, dict(params.get(k, {}))) for k in activations], tuple(seeds))
    net = BatchedMLP(NetConfig(
        in_dim=data.info.input_dim, out_dim=data.info.output_dim, models=members, depth=depth,
        width=width, init=init, bias_init=bias,  # type: ignore[arg-type]
        norm="batch" if batch_norm else "none",
    ))
    census = unit_census(net, data.x_train, batch_stats=True)
    frame = census.frame()
    frame["activation"] = [get(k).name for k in frame["key"]]
    grouped = frame.groupby(["key", "activation", "layer"], sort=False)
    out = grouped.agg(
        dead_share=("dead_share", "mean"), dead_min=("dead_share", "min"),
        dead_max=("dead_share", "max"), nearly_dead_share=("nearly_dead_share", "mean"),
    ).reset_index()
    out["samples"] = int(data.x_train.shape[0])
    return out


def census_by_scheme(
    *,
    dataset: str = "moons",
    depth: int = 10,
    width: int = 32,
    schemes: Sequence[str] = CENSUS_SCHEMES,
    seeds: Sequence[int] = CENSUS_SEEDS,
) -> pd.DataFrame:
    """ReLU's dead share per layer at initialisation under each init scheme (biases as each
    scheme draws them), mean over ``seeds``."""
    parts = []
    for scheme in schemes:
        frame = census_at_init(["relu"], dataset=dataset, depth=depth, width=width, init=scheme,
                               seeds=seeds)
        frame.insert(0, "init", scheme)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)

