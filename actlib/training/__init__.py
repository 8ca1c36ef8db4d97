"""Training an ensemble of small networks, one model per activation and seed.

What lives where:

* :mod:`~actlib.training.config`: :class:`TrainConfig`, everything that defines a run
  (frozen, hashable, checked when built), and the optimiser keys (:data:`OPTIMIZERS`).
* :mod:`~actlib.training.costs`: what a run would cost (:class:`CostModel`,
  :func:`estimate_cost`, :class:`RunCost`) and the caps that refuse a config before it
  trains (:func:`check_caps`, :class:`CapExceededError` with :data:`LEVERS`).
* :mod:`~actlib.training.engine`: the one way to train. :class:`RunState` holds a run and
  :meth:`RunState.advance` / :meth:`RunState.advance_to` train it on; :func:`run_to` gives
  the run after a step, :func:`train` yields snapshots, :func:`run_to_end` collects them.
* :mod:`~actlib.training.snapshots`: what a run reports (:class:`Snapshot`,
  :class:`RunInfo`, :class:`Divergence`) and its frames (:func:`history_frame`,
  :func:`layer_history_frame`).

Import from here (``from actlib.training import train``); the submodules are the places
to read and change.
"""

from actlib.training.config import CURVE_POINTS, OPTIMIZERS, OptimizerName, TrainConfig
from actlib.training.costs import (
    COSTS,
    EVAL_CHUNK_ROWS,
    LEVERS,
    MAX_MODELS,
    MAX_RUN_SECONDS,
    MAX_SNAPSHOTS,
    MAX_STEPS,
    CapExceededError,
    CostModel,
    RunCost,
    cap_usage,
    check_caps,
    estimate_cost,
)
from actlib.training.engine import (
    BatchSchedule,
    RunState,
    StepCallback,
    clip_grad_norm_per_model_,
    make_optimizer,
    prepare,
    run_to,
    run_to_end,
    train,
)
from actlib.training.snapshots import (
    Divergence,
    RunInfo,
    Snapshot,
    history_frame,
    layer_history_frame,
)

__all__ = [
    "COSTS", "CURVE_POINTS", "EVAL_CHUNK_ROWS", "LEVERS", "MAX_MODELS", "MAX_RUN_SECONDS",
    "MAX_SNAPSHOTS", "MAX_STEPS", "OPTIMIZERS", "BatchSchedule", "CapExceededError",
    "CostModel", "Divergence", "OptimizerName", "RunCost", "RunInfo", "RunState", "Snapshot",
    "StepCallback", "TrainConfig", "cap_usage", "check_caps", "clip_grad_norm_per_model_",
    "estimate_cost", "history_frame", "layer_history_frame", "make_optimizer", "prepare",
    "run_to", "run_to_end", "train",
]
