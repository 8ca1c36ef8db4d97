"""Vanishing and exploding gradients: the experiments of the Gradients page, without Streamlit.

One :class:`Experiment` is everything the page lets a student choose: the activations to
compare, the network (depth, width, initialisation, normalisation, residual connections),
the data set and the training recipe. From it come

* :func:`init_flow`: the gradient flow of the untrained networks, every activation in one
  batched pass (the backpropagated signal per layer, the weight-gradient RMS per layer, the
  mean local slope per layer and activation statistics), plus the simple theory line;
* :meth:`Experiment.train_config`: the same networks as a training run for the engine;
* tidy frames and plain-language summaries of both, for the charts and the captions.

The theory line. Backpropagation computes ``delta_l = f'(a_l) * (W_{l+1}^T delta_{l+1})``
(times the normalisation's Jacobian when there is one). What a gradient's *size* feels is
the square of that: if the slopes are independent of the backpropagated vector,
``E||delta_l||^2 ~ E[f'(a_l)^2] * E||W^T delta'||^2``, and for a weight matrix independent
of ``delta'`` with ``n`` rows (the layer's fan-in), ``E||W^T delta'||^2 = n Var(W) ||delta'||^2``.
One step back therefore multiplies the norm by the **RMS slope** ``sqrt(E[f'(a)^2])`` times
the **weights' factor** ``sqrt(n Var W)`` (this is the mean-field result of Poole et al.,
2016, and Schoenholz et al., 2017, "Deep information propagation"; He et al., 2015, chose
their init to make the product 1 for ReLU). For ReLU the RMS slope is sqrt(1/2) ~ 0.707,
not the mean slope 1/2: a vector whose units are kept or zeroed at random keeps half of its
*squared* length. Over 19 layers the two differ by 2**9.5 ~ 700.

:func:`init_flow` draws that theory from the forward pass only (the slopes at the actual
pre-activations, sample by sample, and the actual weights), anchored at the last hidden
layer's measured signal. It is the wide-layer limit: at width 32 the weights and the
slopes are not quite independent, which moves the line by a few per cent per layer. It
leaves out a normalisation's Jacobian and a skip path, so it parts from the measurement
there, and :func:`theory_verdict` says so. The mean slope ``E|f'(a)|`` is kept as a
labelled contrast, with the same weights' factor, to show the 700x.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from actlib.datasets import info, load
from actlib.nets import (
    Architecture,
    BatchedMLP,
    InitScheme,
    ModelSpec,
    NetConfig,
    Trace,
    ensemble,
    task_loss,
)
from actlib.probes import ActivationStats, activation_stats, gradient_flow, model_columns
from actlib.properties import normal_rms_slope
from actlib.training import Snapshot, TrainConfig
from actlib.training.snapshots import stack_columns

TheoryKind = Literal["rms", "mean", "normal", "none"]
DEFAULT_THEORY: TheoryKind = "rms"
THEORY_LABELS: dict[str, str] = {
    "rms": "Theory: RMS slope √E[f′(a)²] × weights",
    "mean": "Contrast: mean slope E|f′(a)| × weights (wrong)",
    "normal": "Theory: √E[f′(X)²], X ~ N(0, 1), × weights",
    "none": "Theory line off",
}
"""The theory lines the page offers, the default first. The keys are URL values: links
made when ``mean`` was the default keep working (they now show the labelled contrast)."""
THEORY_TERMS: dict[str, str] = {
    "rms": "RMS slope √E[f′(a)²] at that layer's actual inputs a, sample by sample (what "
    "a vector's length feels: ReLU keeps half the units, so √½ ≈ 0.707, not ½)",
    "mean": "mean slope E|f′(a)| at that layer's actual inputs a. This contrast is wrong "
    "for a length: ReLU's slope is 1 on half the units and 0 on the rest, which shrinks "
    "a vector's norm by √½ per layer, not by the mean ½",
    "normal": "RMS slope √E[f′(X)²] for standard-normal X (one number per activation, "
    "from the catalogue), as if every layer's inputs were N(0, 1)",
}
WEIGHTS_TERM = (
    "times the weights' own factor √(n · Var W) (n = the layer's fan-in; Xavier on square "
    "layers gives 1, He √2, a naive N(0, σ²) gives σ√n)"
)

DEFAULT_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "gelu")
N_SAMPLES = 400
"""Rows of the data set (train and test): enough for a 64-row batch and a 128-row probe."""
NOISE = 0.2
PROBE_ROWS = 128
"""Rows of the probe batch on which every gradient and statistic is measured."""
BATCH_SIZE = 64
GRID_SIZE = 10
"""The engine also predicts on a grid for decision-surface plots; this page draws none."""
HEATMAP_COLUMNS = 30
"""Snapshots per run, about: columns of the layer x step heatmap."""
SNAPSHOT_INTERVALS = (1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 100)

WHY_MEASURES_DIFFER = (
    "The weight gradient of a layer is its backpropagated signal times its input "
    "activations (∂L/∂W = δ·hᵀ), so it scales with both. When the activations shrink with "
    "depth while the signal shrinks towards the input (GELU or ReLU under Xavier init), or "
    "both grow (a large σ), the two effects cancel in the weight gradient: its first/last "
    "ratio stays near 1 while the signal's does not."
)


# --- the experiment -----------------------------------------------------------------------


@dataclass(frozen=True)
class Experiment(Architecture):
    """What the page's controls choose. Frozen and hashable: results are cached by it.

    The networks' shape is the :class:`~actlib.nets.Architecture` it extends (by keyword),
    starting deeper and with Xavier's init: the page opens on a deep network whose
    gradients vanish. ``clip_norm=None`` means no gradient clipping; ``init_sigma`` only
    matters for the naive initialisation.
    """

    depth: int = field(default=20, kw_only=True)
    init: InitScheme = field(default="xavier_uniform", kw_only=True)
    activations: tuple[str, ...] = DEFAULT_ACTIVATIONS
    dataset: str = "moons"
    seed: int = 0
    optimizer: str = "momentum"
    lr: float = 0.01
    clip_norm: float | None = None
    steps: int = 300

    def __post_init__(self) -> None:
        object.__setattr__(self, "activations", tuple(self.activations))
        if not self.activations:
            raise ValueError("choose at least one activation")

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        """One model per activation, all from the same seed (paired comparison)."""
        return ensemble(list(self.activations), (self.seed,))

    def net_config(self) -> NetConfig:
        """The architecture, exactly as :meth:`train_config` builds it (without its caps)."""
        meta = info(self.dataset)
        return self.net_config_for(meta.input_dim, meta.output_dim, self.models)

    @property
    def snapshot_every(self) -> int:
        """A round interval giving about :data:`HEATMAP_COLUMNS` snapshots (round, so that the
        heatmap's step labels are too)."""
        wanted = self.steps / HEATMAP_COLUMNS
        return next((n for n in SNAPSHOT_INTERVALS if n >= wanted), math.ceil(wanted))

    def train_config(self) -> TrainConfig:
        """The training run of the same networks; raises CapExceededError over the caps."""
        return TrainConfig(
            dataset=self.dataset, n_samples=N_SAMPLES, noise=NOISE, models=self.models,
            **vars(self.architecture()), optimizer=self.optimizer, lr=self.lr,
            batch_size=BATCH_SIZE, clip_norm=self.clip_norm, steps=self.steps,
            snapshot_every=self.snapshot_every, probe_size=PROBE_ROWS, grid_size=GRID_SIZE,
        )


# --- lecture scenarios --------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A prepared experiment for a lecture: the page sets its declared settings from it."""

    key: str
    label: str
    group: Literal["vanishing", "exploding"]
    changes: Mapping[str, Any] = field(default_factory=dict)
    """Fields of :class:`Experiment` that differ from its defaults."""
    shows_on: Literal["init", "training"] = "init"
    """Where its point shows: the gradients of the untrained network, or a training run
    (clipping and the learning rate change nothing at initialisation)."""

    def experiment(self) -> Experiment:
        return replace(Experiment(), **self.changes)


EXPLODING_INIT: Mapping[str, Any] = {
    "activations": ("tanh", "relu", "gelu"), "init": "naive", "init_sigma": 0.3, "lr": 0.1,
    "steps": 50,
}
"""σ = 0.3 is 1.2x He's σ at width 32: the signal grows ~1.2x per ReLU layer (~40x over 20).
Measured with seed 0: ReLU diverges at step 6 and GELU at step 43, Tanh stays finite; with
σ = 0.5 both diverged at step 2, before a second snapshot (one dot, a 1-px heatmap)."""
EXPLODING_LR: Mapping[str, Any] = {
    "activations": ("tanh", "relu", "gelu"), "init": "he", "steps": 100,
}
"""Seed 0, learning rate 0.5: GELU diverges at step 24, ReLU at 27 (five snapshots of a
jumping loss first); at 2 they diverged at steps 4-6, before the first snapshot after 0."""

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("vanishing", "Sigmoid at depth 20, Xavier", "vanishing"),
    Scenario("relu_he", "Remedy: ReLU + He init", "vanishing",
             {"activations": ("sigmoid", "relu"), "init": "he"}),
    Scenario("residual", "Remedy: residual connections", "vanishing",
             {"activations": ("sigmoid", "tanh"), "residual": True}),
    Scenario("batch_norm", "Remedy: batch norm", "vanishing", {"norm": "batch"}),
    Scenario("exploding_init", "Naive init σ = 0.3, learning rate 0.1", "exploding",
             EXPLODING_INIT, shows_on="training"),
    Scenario("clipping", "Remedy: gradient clipping", "exploding",
             {**EXPLODING_INIT, "clip_norm": 1.0}, shows_on="training"),
    Scenario("layer_norm", "Remedy: layer norm", "exploding",
             {**EXPLODING_INIT, "norm": "layer"}, shows_on="training"),
    Scenario("exploding_lr", "Learning rate 0.5", "exploding",
             {**EXPLODING_LR, "lr": 0.5}, shows_on="training"),
    Scenario("lower_lr", "Remedy: lower learning rate", "exploding",
             {**EXPLODING_LR, "lr": 0.01}, shows_on="training"),
)


# --- the page's settings and the experiment -----------------------------------------------

SETTING_FIELDS: dict[str, str] = {
    "act": "activations", "depth": "depth", "width": "width", "init": "init",
    "sigma": "init_sigma", "norm": "norm", "residual": "residual", "data": "dataset",
    "seed": "seed", "opt": "optimizer", "lr": "lr", "steps": "steps",
}
"""URL key of each page setting -> field of :class:`Experiment` (clipping is two settings:
the ``clip`` flag and the ``max_norm`` slider)."""
DEFAULT_MAX_NORM = 1.0


def experiment_settings(experiment: Experiment) -> dict[str, Any]:
    """The page's setting values (declaration form) that reproduce ``experiment``."""
    values = {key: getattr(experiment, name) for key, name in SETTING_FIELDS.items()}
    values["clip"] = experiment.clip_norm is not None
    values["max_norm"] = (DEFAULT_MAX_NORM if experiment.clip_norm is None
                          else float(experiment.clip_norm))
    return values


def experiment_from_settings(values: Mapping[str, Any]) -> Experiment:
    """The experiment the page's setting values describe (the inverse of the above)."""
    fields = {name: values[key] for key, name in SETTING_FIELDS.items()}
    fields["activations"] = tuple(fields["activations"])
    fields["init_sigma"] = float(fields["init_sigma"])
    fields["lr"] = float(fields["lr"])
    fields["clip_norm"] = float(values["max_norm"]) if values["clip"] else None
    return Experiment(**fields)


def scenario(key: str) -> Scenario:
    for item in SCENARIOS:
        if item.key == key:
            return item
    raise KeyError(f"unknown scenario {key!r}; known: {', '.join(s.key for s in SCENARIOS)}")


def scenario_label(key: str) -> str:
    """A scenario as its menu shows it: 'Vanishing · Remedy: batch norm'."""
    item = scenario(key)
    return f"{item.group.capitalize()} · {item.label}"


def matching_scenario(values: Mapping[str, Any]) -> str | None:
    """The key of the scenario whose settings are exactly ``values`` (the page's setting
    values), or None once any control differs from every scenario."""
    if not values["act"]:
        return None
    current = experiment_from_settings(values)
    return next((s.key for s in SCENARIOS if s.experiment() == current), None)


# --- gradient flow at initialisation ------------------------------------------------------


def probe_batch(dataset: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The rows every measurement uses: the first training rows, as the engine's probe."""
    data = load(dataset, N_SAMPLES, NOISE)
    return data.x_train[:PROBE_ROWS], data.y_train[:PROBE_ROWS]


def local_slopes(
    model: BatchedMLP, x: torch.Tensor, batch_stats: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Mean |f'(a)| and RMS sqrt(mean f'(a)²) per model and hidden layer ``[M, depth]``, at
    the actual inputs ``a`` of each activation (after any normalisation).

    The mean is the simple theory's factor per layer. The RMS is what the *norm* of a
    vector feels when it is multiplied unit by unit by f'(a): for ReLU half the units pass
    the signal unchanged and half block it, which shrinks a norm by √0.5, not by 0.5.
    """
    trace = Trace()
    means, rms = [], []
    with torch.no_grad():
        model(x, trace=trace, batch_stats=batch_stats, update_stats=False)
        for layer, a in enumerate(trace.a):
            slope = model.local_derivative(layer, a).flatten(1).double()
            means.append(slope.abs().mean(1))
            rms.append(slope.square().mean(1).sqrt())
    return torch.stack(means, dim=1).numpy(), torch.stack(rms, dim=1).numpy()


def weight_factors(model: BatchedMLP) -> np.ndarray:
    """The weights' own factor ``sqrt(n · mean(W²))`` per model and hidden layer ``[M, depth]``.

    For a matrix W independent of the vector v it multiplies, ``E||W^T v||² = n Var(W) ||v||²``
    with n the fan-in of W (the length of ``W^T v``). Read from the actual weights, so the
    default, orthogonal and naive inits are covered alike: Xavier on a square layer gives 1,
    He √2, N(0, σ²) gives σ√n. Layer ``l``'s factor acts on the step back from layer ``l``
    to layer ``l - 1``; the first layer's is never used by the theory.
    """
    with torch.no_grad():
        factors = [
            (w.detach().double().square().sum((1, 2)) / w.shape[2]).sqrt()
            for w in list(model.weights)[: model.config.depth]
        ]
    return torch.stack(factors, dim=1).numpy()


def sample_slopes_and_shares(
    model: BatchedMLP, x: torch.Tensor, y: torch.Tensor, task: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: the mean over units of f'(a)² ``[M, B, depth]``, and each sample's share
    of the last hidden layer's squared signal ``[M, B]`` (summing to 1 per model).

    The signal's squared norm is a sum over samples, and each sample's signal shrinks with
    its own slopes: a sample with larger inputs keeps GELU's slope nearer 1 for longer. A
    theory that averages the slopes over the batch first misses that (for GELU under He
    init by a factor of 20 at depth 20), so the theory is summed sample by sample.
    """
    trace = Trace()
    with torch.enable_grad():
        output = model(x, trace=trace, batch_stats=True, update_stats=False)
        loss = task_loss(output, y, task).sum()  # the loss gradient_flow differentiates
        (last,) = torch.autograd.grad(loss, [trace.z[-1]])
    with torch.no_grad():
        slope_sq = torch.stack(
            [model.local_derivative(layer, a).double().square().mean(2)
             for layer, a in enumerate(trace.a)], dim=2)
        energy = last.double().square().sum(2)
        total = energy.sum(1, keepdim=True)
        share = torch.where(total > 0, energy / total.clamp_min(1e-300),
                            torch.full_like(energy, 1.0 / energy.shape[1]))
    return slope_sq.numpy(), share.numpy()


def _suffix_products(factors: np.ndarray) -> np.ndarray:
    """``out[..., l] = prod(factors[..., l:L-1])`` over the last axis (the last column, and
    the last factor, are the empty product 1): the product of the steps from the last layer
    back to layer ``l``."""
    steps = np.concatenate([factors[..., :-1], np.ones_like(factors[..., :1])], axis=-1)
    return np.cumprod(steps[..., ::-1], axis=-1)[..., ::-1]


def theory_line(
    signal: np.ndarray, slopes: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """The product-of-factors prediction ``[M, L]`` anchored at the last layer's signal.

    ``theory[:, l] = signal[:, L-1] * prod_{k=l}^{L-2} slopes[:, k] * weights[:, k+1]``:
    one step back from layer k+1 to layer k multiplies by the weights of layer k+1 and the
    slope at layer k (``slopes`` ``[M, L]``, or ``[M, 1]`` for one factor per layer;
    ``weights`` ``[M, L]``, or None for factor 1).
    """
    signal = np.asarray(signal, dtype=np.float64)
    slopes = np.broadcast_to(np.asarray(slopes, dtype=np.float64), signal.shape)
    factors = slopes.copy()
    if weights is not None:
        weights = np.broadcast_to(np.asarray(weights, dtype=np.float64), signal.shape)
        factors[:, :-1] *= weights[:, 1:]
    depth = signal.shape[1]
    return signal[:, depth - 1 : depth] * _suffix_products(factors)


def sample_theory_line(
    signal: np.ndarray, slope_sq: np.ndarray, weights: np.ndarray, share: np.ndarray
) -> np.ndarray:
    """The RMS theory ``[M, L]``, summed sample by sample (see :func:`sample_slopes_and_shares`).

    ``theory[:, l]² = signal[:, L-1]² * sum_b share[:, b] * prod_k slope_sq[:, b, k] *
    weights[:, k+1]²``, k from l to L-2: each sample's squared signal shrinks by its own
    mean squared slope and the weights' squared factor per step back.
    """
    signal = np.asarray(signal, dtype=np.float64)
    weights_sq = np.square(np.asarray(weights, dtype=np.float64))
    factors = np.asarray(slope_sq, dtype=np.float64).copy()
    factors[:, :, :-1] *= weights_sq[:, None, 1:]
    with np.errstate(over="ignore", invalid="ignore"):
        per_sample = _suffix_products(factors)
        mixed = np.einsum("mb,mbl->ml", np.asarray(share, dtype=np.float64), per_sample)
    depth = signal.shape[1]
    return signal[:, depth - 1 : depth] * np.sqrt(mixed)


def first_last_ratio(values: np.ndarray) -> np.ndarray:
    """First hidden layer over last, per model: below 1 the gradient vanishes towards the
    input, above 1 it grows. NaN where the last layer's value is zero or not finite."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[:, 0] / values[:, -1]
    ratio[~np.isfinite(ratio)] = np.nan
    return ratio


def per_layer_factor(ratio: np.ndarray, depth: int) -> np.ndarray:
    """The constant factor per layer that would give this first/last ratio."""
    if depth < 2:
        return np.ones_like(ratio)
    with np.errstate(invalid="ignore"):
        return np.power(ratio, 1.0 / (depth - 1))


@dataclass(frozen=True)
class InitFlow:
    """Gradient flow and activation statistics of the untrained networks, ``[M, depth]``.

    Measured in float64 arithmetic on the very weights training starts from, so a signal of
    1e-40 is a number and not a float32 zero. The theory's inputs come from the forward pass
    and the weights alone: ``weight_factor`` (see :func:`weight_factors`), the per-sample
    mean squared slopes ``sample_slope_sq`` ``[M, B, depth]`` and each sample's share of
    the last layer's squared signal ``sample_share`` ``[M, B]``, the only anchor taken from
    the backward pass.
    """

    models: tuple[ModelSpec, ...]
    signal_norm: np.ndarray
    weight_grad_rms: np.ndarray
    mean_slope: np.ndarray
    rms_slope: np.ndarray
    normal_rms_slope: np.ndarray
    """The catalogue's √E[f'(X)²], X ~ N(0, 1), per model ``[M]``."""
    stats: ActivationStats
    weight_factor: np.ndarray
    sample_slope_sq: np.ndarray
    sample_share: np.ndarray

    @property
    def depth(self) -> int:
        return int(self.signal_norm.shape[1])

    def theory(self, kind: TheoryKind) -> np.ndarray | None:
        if kind == "rms":
            return sample_theory_line(self.signal_norm, self.sample_slope_sq,
                                      self.weight_factor, self.sample_share)
        if kind == "mean":
            return theory_line(self.signal_norm, self.mean_slope, self.weight_factor)
        if kind == "normal":
            return theory_line(self.signal_norm, self.normal_rms_slope[:, None],
                               self.weight_factor)
        return None

    def factors_per_layer(self) -> tuple[np.ndarray, np.ndarray]:
        """Geometric-mean factor per step back ``[M]`` of the RMS slopes and of the weights
        (the two parts of the RMS theory; their product is its factor per layer)."""
        if self.depth < 2:
            ones = np.ones(len(self.models))
            return ones, ones
        with np.errstate(divide="ignore"):
            slopes = np.exp(np.log(self.rms_slope[:, :-1]).mean(1))
            weights = np.exp(np.log(self.weight_factor[:, 1:]).mean(1))
        return slopes, weights

    def frame(self, kind: TheoryKind = DEFAULT_THEORY) -> pd.DataFrame:
        """One row per (model, layer): both measures, the slope and the theory line."""
        ids = model_columns(self.models)
        m, depth = self.signal_norm.shape
        data: dict[str, object] = {name: np.repeat(col, depth) for name, col in ids.items()}
        data["layer"] = np.tile(np.arange(1, depth + 1), m)
        data["signal_norm"] = self.signal_norm.reshape(-1)
        data["weight_grad_rms"] = self.weight_grad_rms.reshape(-1)
        data["mean_slope"] = self.mean_slope.reshape(-1)
        data["rms_slope"] = self.rms_slope.reshape(-1)
        data["weight_factor"] = self.weight_factor.reshape(-1)
        theory = self.theory(kind)
        data["theory"] = np.nan if theory is None else theory.reshape(-1)
        return pd.DataFrame(data)

    def ratios_frame(self) -> pd.DataFrame:
        """One row per model: first/last ratios of both measures and of the theory lines,
        and the RMS theory's two factors per layer."""
        signal = first_last_ratio(self.signal_norm)
        slopes, weights = self.factors_per_layer()
        return pd.DataFrame({
            "activation": [m.activation_label for m in self.models],
            "key": [m.key for m in self.models],
            "signal_ratio": signal,
            "weight_ratio": first_last_ratio(self.weight_grad_rms),
            **{f"{kind}_ratio": first_last_ratio(self.theory(kind))
               for kind in ("rms", "mean", "normal")},
            "signal_per_layer": per_layer_factor(signal, self.depth),
            "slope_per_layer": slopes,
            "weights_per_layer": weights,
            "normal_rms_slope": self.normal_rms_slope,
        })

    def stats_frame(self) -> pd.DataFrame:
        return self.stats.frame()


def init_flow(experiment: Experiment) -> InitFlow:
    """Measure the untrained ensemble of ``experiment`` in one batched forward/backward."""
    x, y = probe_batch(experiment.dataset)
    net = experiment.net_config()
    model = BatchedMLP(net).double()  # training's float32 weights, measured in float64
    x64 = x.double()
    task = info(experiment.dataset).task
    flow = gradient_flow(model, x64, y, task, batch_stats=True)
    mean_slope, rms_slope = local_slopes(model, x64)
    slope_sq, share = sample_slopes_and_shares(model, x64, y, task)
    stats = activation_stats(model, x64, batch_stats=True)
    normal = np.array([normal_rms_slope(m.key, m.param_dict) for m in net.models])
    return InitFlow(net.models, np.array(flow.signal_norm), np.array(flow.weight_grad_rms),
                    mean_slope, rms_slope, normal, stats, weight_factors(model), slope_sq,
                    share)


# --- words for the numbers ----------------------------------------------------------------


def format_ratio(value: float) -> str:
    """A ratio as a student reads it: 0.38, 9.2, 6.1e-13, or 'not finite'."""
    if value is None or not np.isfinite(value):
        return "not finite"
    if value == 0:
        return "0"
    if 0.01 <= abs(value) < 1000:
        return f"{value:.3g}"
    return f"{value:.1e}"


RATIO_COLUMNS: dict[str, str] = {
    "signal_ratio": "first/last signal",
    "weight_ratio": "first/last weight RMS",
    "theory_ratio": "theory (first/last)",
    "signal_per_layer": "signal factor per layer",
    "slope_per_layer": "RMS slope per layer",
    "weights_per_layer": "weights per layer",
}
"""The columns of the page's ratio table and their headings, in order."""


def ratios_table(flow: InitFlow, kind: TheoryKind) -> pd.DataFrame:
    """The page's table of first/last ratios and per-layer factors, formatted for reading:
    one row per activation, the chosen theory's ratio only when a theory line is on."""
    ratios = flow.ratios_frame()
    if kind != "none":
        ratios["theory_ratio"] = ratios[f"{kind}_ratio"]
    table = ratios[["activation"]].copy()
    for column, heading in RATIO_COLUMNS.items():
        if column in ratios:
            table[heading] = ratios[column].map(format_ratio)
    return table


AGREEMENT_FACTOR = 3.0
"""Theory and measurement 'agree' when their first/last ratios are within this factor."""
ORDER_OF_MAGNITUDE = 10.0


def _cause(slopes: float, weights: float, steps: int, name: str) -> str:
    """What sets the signal's size, from the theory's two factors per step back.

    Over the network each factor acts ``steps`` times. The one that pushes the signal the
    way it goes, and harder, is named; if both alone would move it by an order of magnitude
    but together do not, they cancel (ReLU under He: √½ · √2 = 1).
    """
    total = (slopes * weights) ** steps

    def moves(factor: float) -> bool:
        return not 1 / ORDER_OF_MAGNITUDE < factor**steps < ORDER_OF_MAGNITUDE

    if 1 / ORDER_OF_MAGNITUDE < total < ORDER_OF_MAGNITUDE:
        if moves(slopes) and moves(weights):
            return (f"the weights' ×{weights:.3g} and the slopes' ×{slopes:.3g} per layer "
                    "cancel, so the size is kept")
        return (f"slopes ×{slopes:.3g} and weights ×{weights:.3g} per layer keep the size "
                "within an order of magnitude")
    verb = "shrink" if total < 1 else "grow"
    way = -1.0 if total < 1 else 1.0  # how hard each factor pushes the way the signal goes
    slope_push, weight_push = way * math.log(slopes), way * math.log(weights)
    slope_part = f"×{slopes:.3g} per layer"
    if name == "ReLU" and abs(slopes - math.sqrt(0.5)) < 0.05:
        slope_part += ": ReLU zeroes half the units, which keeps √½ of a vector's length"
    if slope_push >= weight_push:
        text = f"the slopes {verb} it ({slope_part})"
        if weight_push < -0.03:
            text += f", against the weights' ×{weights:.3g}"
        elif weight_push > 0.03:
            text += f", helped by the weights' ×{weights:.3g}"
        return text
    text = f"the weights {verb} it (×{weights:.3g} per layer)"
    if slope_push < -0.03:
        text += f", against the slopes' ×{slopes:.3g}"
    elif slope_push > 0.03:
        text += f", helped by the slopes' ×{slopes:.3g}"
    return text


def _missing_piece(experiment: Experiment, kind: TheoryKind) -> str:
    if kind == "mean":
        return ("the mean slope is the wrong factor for a length: a norm feels the RMS "
                "slope √E[f′²], which is larger than E|f′| wherever the slopes differ "
                "between units (ReLU: √½ against ½ per layer); switch to the RMS line")
    if experiment.norm != "none":
        return ("the normalisation rescales the signal at every layer, and this theory "
                "leaves its Jacobian out")
    if experiment.residual:
        return ("the skip paths carry the signal past every layer, and this theory follows "
                "only the path through the activations")
    if kind == "normal":
        return "the layers' inputs are not N(0, 1): the RMS line reads the actual ones"
    return (f"the theory takes the weights and the slopes as independent, which at width "
            f"{experiment.width} holds only roughly, and the small error repeats at every layer")


def theory_verdict(flow: InitFlow, kind: TheoryKind, experiment: Experiment | None = None) -> str:
    """Per activation: whether the theory line matches the measurement, and the cause.

    Where they agree (within :data:`AGREEMENT_FACTOR`), the cause is named from the RMS
    theory's two factors: the slopes, the weights, or both cancelling. Where they part, the
    sentence names what that theory leaves out (the mean slope's error, a normalisation,
    a skip path, or finite width); ``experiment`` (default: the page's default one) says
    which of them the measured networks have.
    """
    experiment = Experiment() if experiment is None else experiment
    if kind == "none" or flow.depth < 2:
        return ""
    ratios = flow.ratios_frame()
    steps = flow.depth - 1
    parts = []
    for row in ratios.itertuples():
        theory = getattr(row, f"{kind}_ratio")
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = row.signal_ratio / theory
        if not np.isfinite(gap):
            continue
        if 1 / AGREEMENT_FACTOR <= gap <= AGREEMENT_FACTOR:
            cause = _cause(float(row.slope_per_layer), float(row.weights_per_layer), steps,
                           row.activation)
            parts.append(f"**{row.activation}**: theory and measurement agree (measured "
                         f"×{format_ratio(gap)} the theory); {cause}.")
        else:
            missing = _missing_piece(experiment, kind)
            parts.append(f"**{row.activation}**: they part (measured ×{format_ratio(gap)} "
                         f"the theory): {missing}.")
    return " ".join(parts)


def overflow_messages(flow: InitFlow) -> list[str]:
    """Models whose gradient at initialisation is not finite, with the first such layer."""
    messages = []
    for i, model in enumerate(flow.models):
        bad = ~np.isfinite(flow.signal_norm[i]) | ~np.isfinite(flow.weight_grad_rms[i])
        if bad.any():
            layer = int(np.flatnonzero(bad)[-1]) + 1
            messages.append(
                f"{model.activation_label}: the gradient overflowed already at "
                f"initialisation (from layer {layer} towards the input). Lower σ or the "
                "depth, or turn on layer norm."
            )
    return messages


# --- training -----------------------------------------------------------------------------


def divergence_advice(experiment: Experiment) -> str:
    """What to try next, leaving out what is already on."""
    remedies = []
    if experiment.clip_norm is None:
        remedies.append("turn on gradient clipping")
    remedies.append("lower the learning rate")
    if experiment.norm != "layer":
        remedies.append("use layer norm")
    if experiment.init == "naive":
        remedies.append("choose a smaller σ or He/Xavier init")
    return "To keep it stable: " + ", ".join(remedies[:-1]) + f" or {remedies[-1]}."


def layer_sizes(net: NetConfig) -> np.ndarray:
    """Number of weights of each hidden layer (fan-in x fan-out)."""
    dims = net.dims
    return np.array([dims[i] * dims[i + 1] for i in range(net.depth)], dtype=np.float64)


def gradient_history_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Layer x step frame of the weight-gradient RMS of every hidden layer of every model.

    Snapshots record the norm; dividing by sqrt(number of weights) makes layers of
    different fan-in comparable (the first layer has only ``input_dim x width`` weights).
    ``log10_rms`` is NaN where the gradient is zero, not finite, or the model diverged.
    """
    if not snapshots:
        return pd.DataFrame()
    config = snapshots[0].info.config
    sizes = np.sqrt(layer_sizes(config.net_config()))
    ids = model_columns(config.models)
    parts = []
    for snap in snapshots:
        rms = snap.weight_grad_norm[:, : config.depth] / sizes
        m, depth = rms.shape
        data: dict[str, object] = {name: np.repeat(col, depth) for name, col in ids.items()}
        data["step"] = snap.step
        data["layer"] = np.tile(np.arange(1, depth + 1), m)
        data["weight_grad_rms"] = rms.reshape(-1)
        parts.append(data)
    frame = stack_columns(parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(frame["weight_grad_rms"].to_numpy())
    frame["log10_rms"] = np.where(np.isfinite(logs), logs, np.nan)
    return frame


def chance_loss(task: str, classes: int) -> float | None:
    """The loss of a network that learned nothing but the class shares (balanced)."""
    if task == "binary":
        return math.log(2)
    if task == "multiclass":
        return math.log(classes)
    return None


def training_summary(snapshots: Sequence[Snapshot]) -> list[str]:
    """Per model: loss at the start and end, and how the first layer's gradient compares
    with the last's at the end (the 'first layers barely update' symptom)."""
    if not snapshots:
        return []
    first, last = snapshots[0], snapshots[-1]
    history = gradient_history_frame([last])
    lines = []
    for i, model in enumerate(last.info.models):
        if last.diverged_step[i] >= 0:
            continue
        rms = history.loc[history["model"] == model.label, "weight_grad_rms"].to_numpy()
        ratio = first_last_ratio(rms[None, :])[0]
        lines.append(
            f"**{model.activation_label}**: loss {first.train_loss[i]:.3f} → "
            f"{last.train_loss[i]:.3f} after {last.step} steps; first/last layer gradient "
            f"RMS {format_ratio(ratio)}."
        )
    return lines


def statistics_frame(at_init: ActivationStats, trained: Snapshot | None) -> pd.DataFrame:
    """Mean, std and saturation share of each layer's outputs, at init and after training.

    Long form: activation, key, layer, stage ('at init' / 'after N steps'), measure, value.
    """
    frames = []
    init = at_init.frame().rename(columns={"post_mean": "mean", "post_std": "std",
                                           "saturation_share": "saturated"})
    init["stage"] = "at init"
    frames.append(init)
    if trained is not None:
        layers = trained.layers_frame()
        layers = layers.loc[~layers["is_head"]].rename(columns={
            "activation_mean": "mean", "activation_std": "std", "saturation_share": "saturated"})
        layers["stage"] = f"after {trained.step} steps"
        frames.append(layers)
    keep = ["activation", "key", "layer", "stage", "mean", "std", "saturated"]
    wide = pd.concat([f[keep] for f in frames], ignore_index=True)
    return wide.melt(id_vars=["activation", "key", "layer", "stage"],
                     value_vars=["mean", "std", "saturated"], var_name="measure")

