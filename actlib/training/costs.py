"""What a run costs, and the caps that keep every allowed run within a few seconds.

The app trains on a shared 2-core server while a student waits, so a config is refused
before it trains when it is over a cap: a count of models, steps or snapshots, or a run
time estimated by :class:`CostModel` (fitted to timings on that host). The refusal,
:class:`CapExceededError`, names the cap and, through :data:`LEVERS`, which of a page's
controls would bring the run under it.

Only the type of :class:`~actlib.training.config.TrainConfig` is needed here: a config
checks its own caps when it is built, so this module must not import it at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from actlib.layer_activations import layer_groups

if TYPE_CHECKING:
    from actlib.training.config import TrainConfig

MAX_MODELS = 36
MAX_STEPS = 5000
MAX_SNAPSHOTS = 201
MAX_RUN_SECONDS = 5.0
"""The cap on a run's estimated time on one thread (the app's setting; two are faster)."""
EVAL_CHUNK_ROWS = 1024
"""Rows per forward pass when evaluating: keeps [M, rows, width] tensors cache-sized
(measured: a 60x60 grid for 27 models evaluated 1.6x faster in chunks of 1,024). The
engine evaluates in such chunks and the cost model counts them."""


@dataclass(frozen=True)
class CostModel:
    """Seconds per unit of work on the target host (2-core CPU, one thread).

    A run's time is linear in these coefficients (:func:`cost_features` lists what each
    multiplies), fitted by ``python benchmarks/bench_engine.py --fit`` to the CPU time of
    training steps and snapshots of shapes from 1 to 50 layers, widths 8 to 256 and 1 to 36
    models, with and without norms (CPU time on one thread, steps within 20% of the fit and
    snapshots within 20%; 2026-12-02), and raised by :data:`SAFETY` so that a run rarely
    takes longer than its estimate. Small networks are bound by per-operation overhead
    (Python, autograd, the optimiser), wide ones by matrix arithmetic, and the rest by
    memory traffic per unit and the activation functions themselves.
    """

    per_step: float = 0.000204
    per_layer_group: float = 2.35e-05
    """One layer of one activation group in a training step: forward and backward."""
    per_multiply_add: float = 2.19e-12
    per_unit: float = 1.27e-09
    """One unit on one row, forward and backward, besides its activation function."""
    activation_scale: float = 1.31
    """Applied to each activation's ``cost_ns`` (:class:`actlib.activations.ActivationSpec`)."""
    per_norm_unit: float = 3.01e-09
    per_parameter: float = 5.92e-09
    """The optimiser's update of one weight."""
    per_snapshot: float = 0.000516
    per_eval_layer_group: float = 2.88e-05
    """One layer of one activation group in one evaluation chunk."""
    per_eval_multiply_add: float = 1.19e-11
    per_eval_unit: float = 1.55e-09
    eval_activation_scale: float = 0.532
    per_eval_norm_unit: float = 4.57e-10


SAFETY = 1.1
"""The factor the fitted coefficients were raised by (already in :data:`COSTS`)."""
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


def _evaluated_rows(config: TrainConfig) -> int:
    """Rows a snapshot pushes through the ensemble: data, grid, and the probe (x3 for its
    backward pass and derivatives)."""
    return config.n_total + 3 * min(config.probe_size, config.n_train) + config.surface_points


STEP_FEATURES = ("per_multiply_add", "per_unit", "per_norm_unit", "activation_scale",
                 "per_parameter", "per_step", "per_layer_group")
"""The coefficients of one training step, in the order of :func:`cost_features`: the
arithmetic (growing with the network's size) first, then the overhead (per operation)."""
ARITHMETIC_TERMS = 5
SNAPSHOT_FEATURES = ("per_eval_multiply_add", "per_eval_unit", "per_eval_norm_unit",
                     "eval_activation_scale", "per_snapshot", "per_eval_layer_group")
"""The coefficients of one snapshot, in the order of :func:`cost_features`."""


def cost_features(config: TrainConfig) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """What each coefficient multiplies: (one training step, one snapshot).

    A step costs per row ``3 x weights`` multiply-adds per model (forward, and the two
    products of backward), the units (and norms) per model, and the activation functions
    (``cost_ns`` per unit); per step a fixed overhead, one per layer and activation group
    (and one for the split and join around them), and the optimiser per weight. A snapshot
    evaluates every row once (data, grid, and the probe three times: forward, backward,
    derivatives) in chunks of :data:`EVAL_CHUNK_ROWS`.
    """
    net = config.net_config()
    layers, units = config.depth + 1, config.depth * config.width
    # a stack groups each layer apart: the mean group count per layer (for ensembles
    # without stacks the count the cost model was fitted with)
    per_layer = layer_groups(config.models, config.depth)
    groups = sum(len(g) for g in per_layer) / len(per_layer)
    calls = layers * (groups + 1)
    activation_ns = sum(m.mean_cost_ns for m in config.models) * 1e-9
    norm = float(config.norm != "none")
    m, weights, rows = config.n_models, net.weights_per_model, config.batch_rows
    step = (rows * m * 3 * weights, rows * m * units, rows * m * units * norm,
            rows * units * activation_ns, m * weights, 1.0, calls)
    evaluated = _evaluated_rows(config)
    chunks = 1 + evaluated // EVAL_CHUNK_ROWS
    snapshot = (evaluated * m * weights, evaluated * m * units, evaluated * m * units * norm,
                evaluated * units * activation_ns, 1.0, calls * chunks)
    return step, snapshot


def estimate_cost(config: TrainConfig, costs: CostModel = COSTS) -> RunCost:
    """The run's time on one thread, from the cost model (see :class:`CostModel`)."""
    step, snapshot = cost_features(config)
    parts = [feature * getattr(costs, name) for feature, name in zip(step, STEP_FEATURES,
                                                                    strict=True)]
    arithmetic = config.steps * sum(parts[:ARITHMETIC_TERMS])
    overhead = config.steps * sum(parts[ARITHMETIC_TERMS:])
    per_snapshot = sum(feature * getattr(costs, name)
                       for feature, name in zip(snapshot, SNAPSHOT_FEATURES, strict=True))
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
