"""Training an ensemble: ``train(config)`` yields a :class:`Snapshot` every few steps.

Training is a generator so that the UI decides how often to draw, tests consume the same
generator without Streamlit, and a finished run can be cached by its config (a frozen,
hashable :class:`TrainConfig`).

A run is a pure function of its config. Every random draw comes from generators made for
the run: a model's initial weights from its own seed (:func:`actlib.nets.init_generator`),
its minibatch order from a stream derived from the same seed (so models that share a seed
see the same batches, and a comparison of activations is paired), the data from
``data_seed``. The global seed is never touched: Streamlit sessions are threads of one
process and would otherwise disturb each other.

Models stay independent in every respect: each has its own slice of every tensor, the
ensemble loss is the sum of the per-model mean losses, gradient clipping scales each
model's gradient by its own norm, and a model whose loss becomes NaN or Inf is marked
diverged (step and reason) while the others go on, unaffected.

Snapshots record, per model: train/test loss and accuracy; per layer: the weight-gradient
norm, the dead-unit share, the activation mean and std and the saturation share (all on a
fixed probe batch, in evaluation mode; see :mod:`actlib.probes` for the definitions); the
learned PReLU slopes; and for 1-D and 2-D data the prediction on a coarse grid.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from actlib.datasets import (
    Dataset,
    DatasetInfo,
    Task,
    effective_samples,
    grid_points,
    info,
    load,
    split_sizes,
    stream_seed,
)
from actlib.nets import (
    BatchedMLP,
    InitScheme,
    ModelSpec,
    NetConfig,
    NormKind,
    activation_groups,
    task_accuracy,
    task_loss,
)
from actlib.probes import DEAD_UNIT_DEFINITION as DEAD_UNIT_DEFINITION  # for the UI
from actlib.probes import SATURATION_DEFINITION as SATURATION_DEFINITION  # for the UI
from actlib.probes import SATURATION_THRESHOLD, measure_layers, model_columns

OptimizerName = Literal["sgd", "momentum", "adam"]
OPTIMIZERS: dict[str, str] = {
    "sgd": "Plain stochastic gradient descent",
    "momentum": "SGD with momentum",
    "adam": "Adam",
}
CURVE_POINTS = 200
"""Points of the prediction curve of a 1-D regression snapshot."""

# --- caps: no allowed config runs longer than a few seconds --------------------------------

MAX_MODELS = 36
MAX_STEPS = 5000
MAX_SNAPSHOTS = 201
MAX_RUN_SECONDS = 5.0
"""The cap on a run's estimated time on one thread (the app's setting; two are faster)."""
EVAL_CHUNK_ROWS = 1024
"""Rows per forward pass when evaluating: keeps [M, rows, width] tensors cache-sized
(measured: a 60x60 grid for 27 models evaluated 1.6x faster in chunks of 1,024)."""


ACTIVATION_NANOSECONDS: dict[str, float] = {
    "identity": 0.8, "step": 3.1, "sigmoid": 1.8, "tanh": 4.2, "relu": 1.5,
    "leaky_relu": 1.5, "prelu": 10.5, "elu": 3.3, "selu": 3.2, "gelu": 4.2, "swish": 3.7,
    "mish": 10.8, "softplus": 3.6, "softmax": 5.0,
}
"""Forward plus backward of each activation per element, as the engine applies it (one
thread, fastest of repeated timings): Mish and the learned-slope PReLU cost 7x ReLU."""


@dataclass(frozen=True)
class CostModel:
    """Seconds per unit of work on the target host (2-core CPU, one thread).

    Fitted to the fastest of repeated timings of 15 shapes (depth 1-50, width 8-256, 1-36
    models, with and without norms; steps within 15% and snapshots within 40% of the fit)
    and raised by a quarter for a shared host. Small networks are bound by per-operation
    overhead (Python, autograd, the optimiser), wide ones by matrix arithmetic, and the
    rest by memory traffic per unit and the activation functions themselves.
    """

    per_step: float = 360e-6
    per_layer_group: float = 25e-6
    """One layer of one activation group: forward and backward, or one evaluation chunk."""
    per_multiply_add: float = 0.030e-9
    per_unit: float = 3.1e-9
    """One unit on one row, forward and backward, besides its activation function."""
    activation_scale: float = 1.25
    """Applied to :data:`ACTIVATION_NANOSECONDS`."""
    per_norm_unit: float = 8.4e-9
    per_snapshot: float = 0.7e-3
    per_eval_multiply_add: float = 0.019e-9
    per_eval_unit: float = 2.0e-9
    eval_activation_scale: float = 0.8
    per_eval_norm_unit: float = 3.5e-9


COSTS = CostModel()


@dataclass(frozen=True)
class RunCost:
    """A run's estimated seconds on one thread, by part."""

    training_arithmetic: float
    training_overhead: float
    snapshots: float

    @property
    def total(self) -> float:
        return self.training_arithmetic + self.training_overhead + self.snapshots

    def describe(self) -> str:
        return (f"training arithmetic {self.training_arithmetic:.1f} s, per-step overhead "
                f"{self.training_overhead:.1f} s, snapshots {self.snapshots:.1f} s")


LEVERS: dict[str, tuple[str, ...]] = {
    "models": ("models",),
    "steps": ("steps",),
    "snapshots": ("steps", "snapshots"),
    "training arithmetic": ("steps", "width", "depth", "models", "samples"),
    "overhead": ("steps", "depth", "models"),
    "snapshot time": ("steps", "snapshots", "samples", "width", "depth", "models"),
}
"""What lowers each cap (or, for the run-time cap, its largest part), most effective first.
A page names its own control for each lever it has (see :meth:`CapExceededError.in_words`)."""


class CapExceededError(ValueError):
    """A config over one of the caps; the message names the cap and by how much.

    ``str(err)`` is the engineer's account (the cost model's parts). A page shows
    :meth:`in_words` instead, which names only that page's own controls: the engine cannot
    know which of its inputs (batch size, grid, samples) a page lets a student change.
    """

    def __init__(self, cap: str, value: float, limit: float, hint: str, unit: str = "",
                 part: str | None = None) -> None:
        self.cap, self.value, self.limit, self.unit = cap, value, limit, unit
        self.part = part
        """For the run-time cap: its largest part, a key of :data:`LEVERS`."""
        super().__init__(
            f"{cap} is {_number(value)}{unit}, over its cap of {_number(limit)}{unit} by a "
            f"factor of {value / limit:.2f}; {hint}"
        )

    def in_words(self, controls: Mapping[str, str]) -> str:
        """The cap in a student's words, then which of the page's controls to lower.

        ``controls`` maps a lever (``models``, ``steps``, ``width``, ``depth``, ``samples``,
        ``snapshots``) to a phrase naming the page's control, e.g. ``{"depth": "fewer
        **Hidden layers**"}``; levers the page does not offer are left out.
        """
        if self.cap == "estimated run time":
            what = (f"This run would take about {self.value:.0f} s on this server, more than "
                    f"the {self.limit:g} s a run may take here")
        else:
            nouns = {"models": "networks to train", "steps": "training steps",
                     "snapshots": "snapshots"}
            what = (f"This run has {_number(self.value)} {nouns.get(self.cap, self.cap)}, more "
                    f"than the {_number(self.limit)} allowed")
        levers = LEVERS.get(self.part or self.cap, ())
        phrases = list(dict.fromkeys(controls[k] for k in levers if k in controls))
        if not phrases:
            return f"{what}."
        choice = phrases[0] if len(phrases) == 1 else \
            f"{', '.join(phrases[:-1])} or {phrases[-1]}"
        return f"{what}. To fit, choose {choice}."


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.3g}"


def _default_models() -> tuple[ModelSpec, ...]:
    return (ModelSpec("relu"),)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run. Frozen and hashable: a run is a function of it.

    ``models`` lists the ensemble's members (build it with :func:`actlib.nets.ensemble`).
    ``batch_size=None`` (or one at least the training-set size) means full-batch training.
    ``bias_init=None`` keeps each scheme's own bias (see :func:`actlib.nets.init_linear_`).
    """

    dataset: str = "moons"
    n_samples: int = 600
    noise: float = 0.2
    data_seed: int = 0
    test_fraction: float = 0.25
    models: tuple[ModelSpec, ...] = field(default_factory=_default_models)
    depth: int = 3
    width: int = 32
    init: InitScheme = "default"
    init_sigma: float = 1.0
    bias_init: float | None = None
    norm: NormKind = "none"
    residual: bool = False
    optimizer: OptimizerName = "adam"
    lr: float = 0.01
    momentum: float = 0.9
    batch_size: int | None = 128
    weight_decay: float = 0.0
    clip_norm: float | None = None
    steps: int = 500
    snapshot_every: int = 25
    probe_size: int = 256
    grid_size: int = 40
    saturation_threshold: float = SATURATION_THRESHOLD
    dtype: str = "float32"

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(self.models))
        _check_ranges(self)
        self.net_config()  # validates the architecture and the members
        check_caps(self)

    # -- derived facts ------------------------------------------------------------------

    @property
    def dataset_info(self) -> DatasetInfo:
        return info(self.dataset)

    @property
    def task(self) -> Task:
        return self.dataset_info.task

    @property
    def n_models(self) -> int:
        return len(self.models)

    def net_config(self) -> NetConfig:
        meta = self.dataset_info
        return NetConfig(
            in_dim=meta.input_dim, out_dim=meta.output_dim, models=self.models,
            depth=self.depth, width=self.width, init=self.init, init_sigma=self.init_sigma,
            bias_init=self.bias_init, norm=self.norm, residual=self.residual, dtype=self.dtype,
        )

    @property
    def n_train(self) -> int:
        """Training rows, as :func:`actlib.datasets.load` will split them."""
        return split_sizes(effective_samples(self.dataset, self.n_samples), self.test_fraction)[0]

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None or self.batch_size >= self.n_train

    @property
    def batch_rows(self) -> int:
        return self.n_train if self.full_batch else int(self.batch_size)  # type: ignore[arg-type]

    def snapshot_steps(self) -> tuple[int, ...]:
        """Steps after which a snapshot is taken: 0, k, 2k, ..., and always the last."""
        steps = list(range(0, self.steps, self.snapshot_every))
        return (*steps, self.steps)


def _check_ranges(config: TrainConfig) -> None:
    checks: list[tuple[bool, str]] = [
        (config.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
        (0 < config.lr <= 10, "lr must lie in (0, 10]"),
        (0 <= config.momentum < 1, "momentum must lie in [0, 1)"),
        (config.batch_size is None or config.batch_size >= 1, "batch_size must be positive"),
        (0 <= config.weight_decay <= 1, "weight_decay must lie in [0, 1]"),
        (config.clip_norm is None or config.clip_norm > 0, "clip_norm must be positive"),
        (config.steps >= 1, "steps must be at least 1"),
        (config.snapshot_every >= 1, "snapshot_every must be at least 1"),
        (8 <= config.probe_size <= 1024, "probe_size must lie between 8 and 1024"),
        (10 <= config.grid_size <= 100, "grid_size must lie between 10 and 100"),
        (0 < config.saturation_threshold < 1, "saturation_threshold must lie in (0, 1)"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
    if config.norm == "batch" and config.batch_rows < 2:
        raise ValueError("batch norm needs at least 2 rows per batch")
    info(config.dataset)


def _evaluated_rows(config: TrainConfig) -> int:
    """Rows a snapshot pushes through the ensemble: data, grid, and the probe (x3 for its
    backward pass and derivatives)."""
    total = effective_samples(config.dataset, config.n_samples)
    input_dim = config.dataset_info.input_dim
    grid = config.grid_size**2 if input_dim == 2 else CURVE_POINTS if input_dim == 1 else 0
    return total + 3 * min(config.probe_size, config.n_train) + grid


def estimate_cost(config: TrainConfig, costs: CostModel = COSTS) -> RunCost:
    """The run's time on one thread, from the cost model (see :class:`CostModel`)."""
    net = config.net_config()
    layers, units = config.depth + 1, config.depth * config.width
    groups = len(activation_groups(config.models))
    activation_ns = sum(ACTIVATION_NANOSECONDS[m.key] for m in config.models) * 1e-9
    norm = config.norm != "none"
    per_row = config.n_models * (3 * net.weights_per_model * costs.per_multiply_add
                                 + units * (costs.per_unit + norm * costs.per_norm_unit))
    per_row += units * activation_ns * costs.activation_scale
    arithmetic = config.steps * config.batch_rows * per_row
    overhead = config.steps * (costs.per_step + layers * (groups + 1) * costs.per_layer_group)
    rows = _evaluated_rows(config)
    per_eval_row = config.n_models * (
        net.weights_per_model * costs.per_eval_multiply_add
        + units * (costs.per_eval_unit + norm * costs.per_eval_norm_unit))
    per_eval_row += units * activation_ns * costs.eval_activation_scale
    per_snapshot = (costs.per_snapshot + rows * per_eval_row
                    + layers * (groups + 1) * costs.per_layer_group * (1 + rows // EVAL_CHUNK_ROWS))
    return RunCost(arithmetic, overhead, len(config.snapshot_steps()) * per_snapshot)


def cap_usage(config: TrainConfig) -> dict[str, tuple[float, float]]:
    """Each cap's (value, limit) for a config, for a gauge in the UI."""
    return {
        "models": (config.n_models, MAX_MODELS),
        "steps": (config.steps, MAX_STEPS),
        "snapshots": (len(config.snapshot_steps()), MAX_SNAPSHOTS),
        "estimated run time": (estimate_cost(config).total, MAX_RUN_SECONDS),
    }


def check_caps(config: TrainConfig) -> None:
    """Raise :class:`CapExceededError` for the first cap the config exceeds."""
    usage = cap_usage(config)
    hints = {"models": "compare fewer activations or seeds", "steps": "train for fewer steps",
             "snapshots": "take snapshots less often"}
    for cap in ("models", "steps", "snapshots"):
        value, limit = usage[cap]
        if value > limit:
            raise CapExceededError(cap, value, limit, hints[cap])
    cost = estimate_cost(config)
    if cost.total > MAX_RUN_SECONDS:
        largest = max(("training arithmetic", cost.training_arithmetic),
                      ("overhead", cost.training_overhead),
                      ("snapshot time", cost.snapshots), key=lambda part: part[1])[0]
        advice = {
            "training arithmetic": "lower the width, depth, batch size, steps or models",
            "overhead": "lower the steps or depth, or compare fewer activations",
            "snapshot time": "take snapshots less often, or use fewer samples or a coarser grid",
        }[largest]
        raise CapExceededError("estimated run time", cost.total, MAX_RUN_SECONDS,
                               f"{cost.describe()}; {advice}", unit=" s", part=largest)


# --- pieces shared with the reference loops of tests and benchmarks ------------------------


def prepare(config: TrainConfig) -> tuple[Dataset, BatchedMLP]:
    """The run's data set and its freshly initialised ensemble (also for the probe pages)."""
    data = load(config.dataset, config.n_samples, config.noise, config.data_seed,
                config.test_fraction, dtype=config.net_config().torch_dtype)
    return data, BatchedMLP(config.net_config())


class BatchSchedule:
    """Minibatch indices for one seed: each epoch a fresh permutation cut into full batches.

    A trailing partial batch is dropped (``drop_last``), so every batch of every model has
    the same size and batch norm never sees a single-row batch.
    """

    def __init__(self, n: int, batch_size: int, seed: int) -> None:
        if not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must lie between 1 and {n}")
        self.n, self.batch_size = n, batch_size
        self._generator = torch.Generator().manual_seed(stream_seed(seed, "batches"))
        self._pending: list[Tensor] = []

    def next(self) -> Tensor:
        if not self._pending:
            order = torch.randperm(self.n, generator=self._generator)
            full = self.n // self.batch_size * self.batch_size
            self._pending = list(torch.split(order[:full], self.batch_size))[::-1]
        return self._pending.pop()


def make_optimizer(
    params: Iterable[Tensor], config: TrainConfig, fused: bool = True
) -> torch.optim.Optimizer:
    """The config's optimiser; ``fused`` kernels halve the optimiser's time (measured)."""
    params = list(params)
    common = {"lr": config.lr, "weight_decay": config.weight_decay}
    if fused:
        common["fused"] = True
    if config.optimizer == "adam":
        return torch.optim.Adam(params, **common)
    momentum = config.momentum if config.optimizer == "momentum" else 0.0
    return torch.optim.SGD(params, momentum=momentum, **common)


def clip_grad_norm_per_model_(params: Sequence[Tensor], max_norm: float) -> Tensor:
    """Scale each model's gradient so that its norm is at most ``max_norm``; return the norms.

    Every parameter has the model index first, so model ``i``'s norm gathers row ``i`` of
    every gradient: one model's norm never scales another's gradient. The scale follows
    ``torch.nn.utils.clip_grad_norm_``: ``min(1, max_norm / (norm + 1e-6))``.
    """
    grads = [p.grad for p in params if p.grad is not None]
    squares = torch.stack([g.flatten(1).pow(2).sum(1) for g in grads]).sum(0)
    norms = squares.sqrt()
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))
    return norms


# --- snapshots -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RunInfo:
    """What every snapshot of a run shares: the config, members and grid axes."""

    config: TrainConfig
    surface_axes: tuple[np.ndarray, ...] | None

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return self.config.models

    @property
    def task(self) -> Task:
        return self.config.task


@dataclass(frozen=True)
class Divergence:
    """A model whose training loss stopped being finite."""

    model: int
    label: str
    step: int
    reason: str


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state of every model after ``step`` updates. Plain, read-only numpy data.

    Per model ``[M]``: losses and accuracies (NaN for regression accuracy), divergence step
    (-1 while healthy) and reason. Per layer ``[M, depth]``: dead share, activation mean and
    std, saturation share, PReLU slope (NaN for other activations); ``weight_grad_norm`` is
    ``[M, depth + 1]`` with the head last. ``surface``: ``[M, grid, grid]`` probabilities of
    class 1 for 2-D data (row = x2, column = x1), ``[M, 200]`` predictions for 1-D data, or
    None. Every value of a diverged model is NaN from its divergence on.
    """

    info: RunInfo
    step: int
    elapsed: float
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    weight_grad_norm: np.ndarray
    dead_share: np.ndarray
    activation_mean: np.ndarray
    activation_std: np.ndarray
    saturation_share: np.ndarray
    prelu_slope: np.ndarray
    diverged_step: np.ndarray
    diverged_reason: tuple[str, ...]
    surface: np.ndarray | None

    @property
    def healthy(self) -> np.ndarray:
        return self.diverged_step < 0

    def divergences(self) -> list[Divergence]:
        return [
            Divergence(i, self.info.models[i].label, int(step), self.diverged_reason[i])
            for i, step in enumerate(self.diverged_step) if step >= 0
        ]

    def models_frame(self) -> pd.DataFrame:
        """One row per model: the losses, accuracies and divergence status."""
        data: dict[str, object] = {"step": self.step, **model_columns(self.info.models)}
        data.update(
            train_loss=self.train_loss, test_loss=self.test_loss,
            train_accuracy=self.train_accuracy, test_accuracy=self.test_accuracy,
            diverged=~self.healthy, diverged_step=self.diverged_step,
            diverged_reason=list(self.diverged_reason),
        )
        return pd.DataFrame(data)

    def layers_frame(self) -> pd.DataFrame:
        """One row per (model, layer), layers 1..depth and the head (``is_head``)."""
        m, depth = self.dead_share.shape
        pad = np.full((m, 1), np.nan)
        ids = model_columns(self.info.models)
        data: dict[str, object] = {name: np.repeat(col, depth + 1) for name, col in ids.items()}
        data["step"] = self.step
        data["layer"] = np.tile(np.arange(1, depth + 2), m)
        data["is_head"] = np.tile(np.arange(1, depth + 2) == depth + 1, m)
        data["weight_grad_norm"] = self.weight_grad_norm.reshape(-1)
        for name in ("dead_share", "activation_mean", "activation_std", "saturation_share",
                     "prelu_slope"):
            data[name] = np.hstack([getattr(self, name), pad]).reshape(-1)
        return pd.DataFrame(data)

    def slopes_frame(self) -> pd.DataFrame:
        """Learned PReLU slopes: one row per (PReLU model, layer)."""
        frame = self.layers_frame()
        return frame.loc[~frame["is_head"] & frame["prelu_slope"].notna(),
                         ["step", "model", "activation", "key", "seed", "layer", "prelu_slope"]]

    def surface_frame(self, models: Sequence[int] | None = None) -> pd.DataFrame:
        """The grid predictions of the chosen models (default all), one row per point.

        2-D: columns x1, x2, value (probability of class 1). 1-D: x, value (prediction).
        """
        if self.surface is None or self.info.surface_axes is None:
            return pd.DataFrame()
        chosen = list(range(len(self.info.models))) if models is None else list(models)
        ids = model_columns([self.info.models[i] for i in chosen])
        axes = self.info.surface_axes
        values = self.surface[chosen].reshape(len(chosen), -1)
        points = values.shape[1]
        data: dict[str, object] = {name: np.repeat(col, points) for name, col in ids.items()}
        if len(axes) == 2:
            x2, x1 = np.meshgrid(axes[1], axes[0], indexing="ij")
            data["x1"] = np.tile(x1.reshape(-1), len(chosen))
            data["x2"] = np.tile(x2.reshape(-1), len(chosen))
        else:
            data["x"] = np.tile(axes[0], len(chosen))
        data["value"] = values.reshape(-1)
        return pd.DataFrame(data)


def history_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every snapshot's per-model rows stacked: the data of loss and accuracy curves."""
    if not snapshots:
        return pd.DataFrame()
    return pd.concat([s.models_frame() for s in snapshots], ignore_index=True)


def layer_history_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every snapshot's per-layer rows stacked (gradient norms, dead shares over time)."""
    if not snapshots:
        return pd.DataFrame()
    return pd.concat([s.layers_frame() for s in snapshots], ignore_index=True)


# --- the engine ----------------------------------------------------------------------------


class RunState:
    """The mutable state of one run (data, model, optimiser, divergence); :func:`train`
    drives it. Public so that a page needing the network itself (the collapse matrix, unit
    activity maps) can drive a run to a step: the same config gives the same network."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self.data, self.model = prepare(config)
        self.task = config.task
        self.params = list(self.model.parameters())
        self.optimizer = make_optimizer(self.params, config)
        self.started = time.perf_counter()
        m = config.n_models
        self.diverged_step = np.full(m, -1, dtype=np.int64)
        self.diverged_reason = [""] * m
        self._setup_batches()
        self._setup_probes()
        # Binary targets as floats once, rather than converted by the loss at every step.
        y = self.data.y_train
        self.y_train = y.to(self.data.x_train.dtype) if self.task == "binary" else y

    def _setup_batches(self) -> None:
        config = self.config
        self.schedules: list[BatchSchedule] = []
        n = self.data.n_train  # the split's real size (the config's is an estimate)
        if config.batch_size is None or config.batch_size >= n:
            return
        seeds = sorted({m.seed for m in config.models})
        self.schedules = [BatchSchedule(n, config.batch_size, s) for s in seeds]
        self.seed_slot = torch.tensor([seeds.index(m.seed) for m in config.models])

    def _setup_probes(self) -> None:
        data, config = self.data, self.config
        self.probe_x = data.x_train[: config.probe_size]
        self.probe_y = data.y_train[: config.probe_size]
        self.grid: Tensor | None = None
        axes = None
        if data.bounds is not None:
            size = config.grid_size if len(data.bounds) == 2 else CURVE_POINTS
            self.grid, axes = grid_points(data.bounds, size, self.data.x_train.dtype)
        self.info = RunInfo(config, None if axes is None else tuple(_readonly(a) for a in axes))
        parts = [data.x_train, data.x_test] + ([] if self.grid is None else [self.grid])
        self.eval_x = torch.cat(parts)
        self.eval_rows = [len(part) for part in parts]

    @property
    def all_diverged(self) -> bool:
        return bool((self.diverged_step >= 0).all())

    def _batch(self) -> tuple[Tensor, Tensor]:
        x, y = self.data.x_train, self.y_train
        if not self.schedules:
            return x, y
        index = torch.stack([s.next() for s in self.schedules])[self.seed_slot]  # [M, batch]
        flat = index.reshape(-1)
        rows = index.shape
        return x.index_select(0, flat).view(*rows, -1), y.index_select(0, flat).view(rows)

    def step(self, step: int) -> None:
        x, y = self._batch()
        losses = task_loss(self.model(x), y, self.task)
        self._note_divergence(losses, step)
        for p in self.params:  # what zero_grad(set_to_none=True) does, without its overhead
            p.grad = None
        losses.sum().backward()
        if self.config.clip_norm is not None:
            clip_grad_norm_per_model_(self.params, self.config.clip_norm)
        self.optimizer.step()

    def _note_divergence(self, losses: Tensor, step: int) -> None:
        """Mark models whose loss is not finite. Their NaNs stay in their own slices."""
        finite = torch.isfinite(losses.detach())
        if bool(finite.all()):
            return
        for i in torch.nonzero(~finite).flatten().tolist():
            if self.diverged_step[i] < 0:
                value = float(losses[i].detach())
                self.diverged_step[i] = step
                self.diverged_reason[i] = (
                    "training loss became NaN" if np.isnan(value) else
                    f"training loss became {'+' if value > 0 else '-'}Inf")

    def _predict(self, x: Tensor) -> Tensor:
        """Outputs ``[M, rows, out]`` in chunks of :data:`EVAL_CHUNK_ROWS` (no grad, eval)."""
        return torch.cat([self.model(chunk) for chunk in torch.split(x, EVAL_CHUNK_ROWS)], dim=1)

    def _scores(self, output: Tensor, y: Tensor) -> tuple[np.ndarray, np.ndarray]:
        return (task_loss(output, y, self.task).double().numpy(),
                task_accuracy(output, y, self.task).numpy())

    def _surface(self, output: Tensor | None) -> np.ndarray | None:
        if output is None:
            return None
        output = output[..., 0]
        if self.task == "binary":
            output = torch.sigmoid(output)
        values = output.to(torch.float32).numpy()
        if len(self.data.bounds or ()) == 2:
            size = self.config.grid_size
            values = values.reshape(-1, size, size)
        return values

    def snapshot(self, step: int) -> Snapshot:
        self.model.eval()
        try:
            with torch.no_grad():  # train, test and grid rows in one pass
                outputs = torch.split(self._predict(self.eval_x), self.eval_rows, dim=1)
                train_loss, train_acc = self._scores(outputs[0], self.data.y_train)
                test_loss, test_acc = self._scores(outputs[1], self.data.y_test)
                surface = self._surface(outputs[2] if len(outputs) > 2 else None)
            layers = measure_layers(self.model, self.probe_x, self.probe_y, self.task,
                                    self.config.saturation_threshold, batch_stats=False)
        finally:
            self.model.train()
        dead = self.diverged_step >= 0

        def masked(array: np.ndarray | None) -> np.ndarray | None:
            if array is None:
                return None
            array = np.array(array, copy=True)
            array[dead] = np.nan
            return _readonly(array)

        return Snapshot(
            info=self.info, step=step, elapsed=time.perf_counter() - self.started,
            train_loss=masked(train_loss), test_loss=masked(test_loss),
            train_accuracy=masked(train_acc), test_accuracy=masked(test_acc),
            weight_grad_norm=masked(layers.weight_grad_norm),
            dead_share=masked(layers.dead_share),
            activation_mean=masked(layers.activation_mean),
            activation_std=masked(layers.activation_std),
            saturation_share=masked(layers.saturation_share),
            prelu_slope=masked(self.model.prelu_slopes().numpy()),
            diverged_step=_readonly(self.diverged_step.copy()),
            diverged_reason=tuple(self.diverged_reason),
            surface=masked(surface),
        )


def train(config: TrainConfig, on_step: Callable[[int], None] | None = None) -> Iterator[Snapshot]:
    """Train the ensemble of ``config``, yielding a snapshot at each of its snapshot steps.

    ``on_step(step)`` is called after every update: the live runner uses it to stay
    responsive (a Streamlit call there lets a rerun interrupt training between snapshots).
    The run ends early, with a last snapshot, once every model has diverged.
    """
    run = RunState(config)
    snapshot_steps = set(config.snapshot_steps())
    yield run.snapshot(0)
    for step in range(1, config.steps + 1):
        run.step(step)
        if on_step is not None:
            on_step(step)
        if step in snapshot_steps or run.all_diverged:
            yield run.snapshot(step)
            if run.all_diverged:
                return


def run_to_end(config: TrainConfig) -> tuple[Snapshot, ...]:
    """All snapshots of a run (the form a cache stores)."""
    return tuple(train(config))
