"""The engine: one run's state, trained step by step, and the ways to drive it.

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

There is one way to train: :class:`RunState` and its :meth:`~RunState.advance`. Everything
else is written on top of it, so the network at a step is the same whichever way it is
reached:

* :func:`train` yields a :class:`~actlib.training.snapshots.Snapshot` at each snapshot step
  (the UI decides how often to draw; tests consume the same generator);
* :func:`run_to` gives the run's state, network included, after a given step (the collapse,
  the activity maps and the dead-unit probes look inside the network there);
* a live session can hold a :class:`RunState` and call :meth:`~RunState.advance` in small
  increments: pieces of any size reach the same weights as one straight run.

Snapshots never change the network (they measure in evaluation mode, without updating
batch-norm statistics), so stepping without them reaches the same weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from actlib.datasets import Dataset, grid_points, load, stream_seed
from actlib.nets import BatchedMLP, task_accuracy, task_loss
from actlib.probes import measure_layers
from actlib.training.config import CURVE_POINTS, TrainConfig
from actlib.training.costs import EVAL_CHUNK_ROWS
from actlib.training.snapshots import RunInfo, Snapshot, readonly

StepCallback = Callable[[int], None]
"""Called with the step just taken, after every update (the live runner's heartbeat)."""


class Scores(NamedTuple):
    """Per model ``[M]``: the losses and accuracies of the training and test sets; and the
    grid prediction (see :attr:`Snapshot.surface`) or None."""

    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    surface: np.ndarray | None


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
        self.n_batches = n // batch_size
        self._generator = torch.Generator().manual_seed(stream_seed(seed, "batches"))
        self._pending: list[Tensor] = []

    def epoch(self) -> Tensor:
        """The next epoch's batches in order, ``[n_batches, batch_size]``."""
        order = torch.randperm(self.n, generator=self._generator)
        return order[: self.n_batches * self.batch_size].view(self.n_batches, self.batch_size)

    def next(self) -> Tensor:
        """The next batch: the epochs' batches one at a time."""
        if not self._pending:
            self._pending = list(self.epoch().unbind(0))[::-1]
        return self._pending.pop()


EPOCH_GATHER_BYTES = 1 << 20
"""At most this many bytes of training inputs are gathered at once: an epoch's batches
for every model in one ``index_select`` where they fit (a bake-off on two moons: 190 kB),
else in chunks of whole batches (one per digits batch of 27 models), so a long-lived run
holds little more than one batch."""

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


class FusedOptimizer:
    """The config's optimiser as one fused kernel call per step, over every parameter.

    The same kernels ``torch.optim.Adam(fused=True)`` and ``torch.optim.SGD(fused=True)``
    call (``torch._fused_adam_``, ``torch._fused_sgd_``), with their defaults, so the
    numbers are theirs; what goes is ``Optimizer.step``'s Python around them (grouping
    tensors by device, lazy state, hooks): measured ~0.1-0.2 ms a step, a quarter of a
    small network's whole step. ``param_groups[0]["lr"]`` may be changed between steps, as
    with a torch optimiser. Every parameter must have a gradient at each step (true of the
    batched MLP: each takes part in the loss).
    """

    def __init__(self, params: Iterable[Tensor], config: TrainConfig) -> None:
        self.params = list(params)
        self.kind = config.optimizer
        self.param_groups = [{"lr": config.lr}]
        self.weight_decay = config.weight_decay
        self.momentum = config.momentum if self.kind == "momentum" else 0.0
        if self.kind == "adam":
            self.exp_avgs = [torch.zeros_like(p) for p in self.params]
            self.exp_avg_sqs = [torch.zeros_like(p) for p in self.params]
            self.steps = [torch.zeros((), dtype=torch.float32) for _ in self.params]
        self.momentum_buffers: list[Tensor] = []

    def step(self) -> None:
        grads = [p.grad for p in self.params]
        if any(g is None for g in grads):
            raise RuntimeError("every parameter needs a gradient before a fused step")
        lr = float(self.param_groups[0]["lr"])
        if self.kind == "adam":
            torch._foreach_add_(self.steps, 1)
            torch._fused_adam_(self.params, grads, self.exp_avgs, self.exp_avg_sqs, [],
                               self.steps, amsgrad=False, lr=lr, beta1=ADAM_BETAS[0],
                               beta2=ADAM_BETAS[1], weight_decay=self.weight_decay,
                               eps=ADAM_EPS, maximize=False, grad_scale=None, found_inf=None)
            return
        first = self.momentum != 0 and not self.momentum_buffers
        if first:
            self.momentum_buffers = [torch.empty_like(g) for g in grads]
        torch._fused_sgd_(self.params, grads, self.momentum_buffers,
                          weight_decay=self.weight_decay, momentum=self.momentum, lr=lr,
                          dampening=0.0, nesterov=False, maximize=False, is_first_step=first,
                          grad_scale=None, found_inf=None)


def make_optimizer(
    params: Iterable[Tensor], config: TrainConfig, fused: bool = True
) -> torch.optim.Optimizer:
    """The config's torch optimiser; ``fused`` kernels halve the optimiser's time
    (measured). The engine itself uses :class:`FusedOptimizer`, the same kernels."""
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

class RunState:
    """The mutable state of one run: data, network, optimiser, batches, divergence.

    ``steps_done`` updates have been made; :meth:`advance` makes more. A run whose every
    model has diverged is over (``all_diverged``): :meth:`advance` takes no step past it,
    as :func:`train` ends there. ``model`` is the network after ``steps_done`` updates, in
    training mode; measure it in evaluation mode (``model.eval()``, then ``model.train()``
    before advancing again: batch norm behaves differently in the two).

    Never share one between sessions or put it in a global cache: it is a network under
    training. The same config always gives the same network at the same step.
    """

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self.steps_done = 0
        self.data, self.model = prepare(config)
        self.task = config.task
        self.params = list(self.model.parameters())
        self.optimizer = FusedOptimizer(self.params, config)
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
        self._batches: list[tuple[Tensor, Tensor]] = []  # gathered, the next one last
        self._chunks: list[Tensor] = []  # the epoch's batch indices still to gather

    def _setup_probes(self) -> None:
        data, config = self.data, self.config
        self.probe_x = data.x_train[: config.probe_size]
        self.probe_y = data.y_train[: config.probe_size]
        self.grid: Tensor | None = None
        axes = None
        if data.bounds is not None:
            size = config.grid_size if len(data.bounds) == 2 else CURVE_POINTS
            self.grid, axes = grid_points(data.bounds, size, self.data.x_train.dtype)
        self.info = RunInfo(config, None if axes is None else tuple(readonly(a) for a in axes))
        parts = [data.x_train, data.x_test] + ([] if self.grid is None else [self.grid])
        self.eval_x = torch.cat(parts)
        self.eval_rows = [len(part) for part in parts]

    @property
    def all_diverged(self) -> bool:
        return bool((self.diverged_step >= 0).all())

    def _batch(self) -> tuple[Tensor, Tensor]:
        """The next minibatch of every model, inputs ``[M, batch, in]`` and targets."""
        if not self.schedules:
            return self.data.x_train, self.y_train
        if not self._batches:
            if not self._chunks:
                self._chunks = self._epoch_chunks()
            self._batches = self._gather(self._chunks.pop())
        return self._batches.pop()

    def _epoch_chunks(self) -> list[Tensor]:
        """The next epoch's row indices per batch and model, ``[n_batches, M, batch]``, cut
        into chunks of at most :data:`EPOCH_GATHER_BYTES` of inputs, the first last."""
        index = torch.stack([s.epoch() for s in self.schedules])[self.seed_slot]
        index = index.transpose(0, 1)  # [n_batches, M, batch]
        x = self.data.x_train
        batch_bytes = index[0].numel() * x[0].numel() * x.element_size()
        return list(torch.split(index, max(1, EPOCH_GATHER_BYTES // batch_bytes)))[::-1]

    def _gather(self, index: Tensor) -> list[tuple[Tensor, Tensor]]:
        """The inputs and targets of the batches ``index`` ``[k, M, batch]`` in one
        ``index_select`` each, the first last."""
        flat = index.reshape(-1)
        xs = self.data.x_train.index_select(0, flat).view(*index.shape, -1)
        ys = self.y_train.index_select(0, flat).view(index.shape)
        return list(zip(xs.unbind(0), ys.unbind(0), strict=True))[::-1]

    def advance(self, n: int = 1, on_step: StepCallback | None = None) -> int:
        """Train ``n`` more steps, or fewer if every model diverges first; return how many.

        Steps may go on past ``config.steps`` (a run that continues); the config's caps
        bound only what :func:`train` and :func:`run_to` do.
        """
        if n < 0:
            raise ValueError(f"cannot advance by {n} steps")
        taken = 0
        while taken < n and not self.all_diverged:
            self.steps_done += 1
            self._update(self.steps_done)
            taken += 1
            if on_step is not None:
                on_step(self.steps_done)
        return taken

    def advance_to(self, step: int, on_step: StepCallback | None = None) -> int:
        """Train on until ``steps_done == step`` (or every model has diverged): a run only
        moves forward. Returns the steps taken."""
        if step < self.steps_done:
            raise ValueError(f"the run is at step {self.steps_done}, past {step}")
        return self.advance(step - self.steps_done, on_step)

    def _update(self, step: int) -> None:
        """One optimiser step, numbered ``step`` (the number a divergence is noted at).

        A NaN or Inf in any model's loss makes the total non-finite, so one number says
        whether to look closer (a third of the calls of checking every loss each step).
        """
        x, y = self._batch()
        losses = task_loss(self.model(x), y, self.task)
        total = losses.sum()
        if not math.isfinite(total.item()):
            self._note_divergence(losses, step)
        for p in self.params:  # what zero_grad(set_to_none=True) does, without its overhead
            p.grad = None
        total.backward()
        if self.config.clip_norm is not None:
            clip_grad_norm_per_model_(self.params, self.config.clip_norm)
        self.optimizer.step()

    def _note_divergence(self, losses: Tensor, step: int) -> None:
        """Mark models whose loss is not finite. Their NaNs stay in their own slices."""
        finite = torch.isfinite(losses.detach())
        if bool(finite.all()):  # the total overflowed, no model did
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
        """The grid prediction: P(class 1) for two classes, the softmax of the logits
        (a trailing class axis) for more, the value itself for regression."""
        if output is None:
            return None
        if self.task == "multiclass":
            output = torch.softmax(output, dim=-1)
        else:
            output = output[..., 0]
            if self.task == "binary":
                output = torch.sigmoid(output)
        values = output.to(torch.float32).numpy()
        if len(self.data.bounds or ()) == 2:
            size = self.config.grid_size
            values = values.reshape(-1, size, size, *values.shape[2:])
        return values

    def scores(self) -> Scores:
        """Losses and accuracies on the training and test sets, and the grid prediction,
        in one evaluation-mode pass without gradients: the cheap part of a snapshot, which
        a live view measures many times a second."""
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():  # train, test and grid rows in one pass
                outputs = torch.split(self._predict(self.eval_x), self.eval_rows, dim=1)
                train_loss, train_acc = self._scores(outputs[0], self.data.y_train)
                test_loss, test_acc = self._scores(outputs[1], self.data.y_test)
                surface = self._surface(outputs[2] if len(outputs) > 2 else None)
        finally:
            self.model.train(was_training)
        return Scores(train_loss, test_loss, train_acc, test_acc, surface)

    def snapshot(self) -> Snapshot:
        """Every model's state now (after ``steps_done`` updates), measured in evaluation
        mode on the fixed probe batch; the network is left as it was."""
        train_loss, test_loss, train_acc, test_acc, surface = self.scores()
        self.model.eval()
        try:
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
            return readonly(array)

        return Snapshot(
            info=self.info, step=self.steps_done, elapsed=time.perf_counter() - self.started,
            train_loss=masked(train_loss), test_loss=masked(test_loss),
            train_accuracy=masked(train_acc), test_accuracy=masked(test_acc),
            weight_grad_norm=masked(layers.weight_grad_norm),
            dead_share=masked(layers.dead_share),
            activation_mean=masked(layers.activation_mean),
            activation_std=masked(layers.activation_std),
            saturation_share=masked(layers.saturation_share),
            prelu_slope=masked(self.model.prelu_slopes().numpy()),
            diverged_step=readonly(self.diverged_step.copy()),
            diverged_reason=tuple(self.diverged_reason),
            surface=masked(surface),
        )


def run_to(config: TrainConfig, step: int) -> RunState:
    """The run of ``config`` after ``step`` updates (0: the initial network), or after the
    step where every model diverged if that came first, exactly as :func:`train` had it
    when it took that step's snapshot."""
    if not 0 <= step <= config.steps:
        raise ValueError(f"step must lie between 0 and {config.steps}, got {step}")
    run = RunState(config)
    run.advance_to(step)
    return run


def train(config: TrainConfig, on_step: StepCallback | None = None) -> Iterator[Snapshot]:
    """Train the ensemble of ``config``, yielding a snapshot at each of its snapshot steps.

    ``on_step(step)`` is called after every update: the live runner uses it to stay
    responsive (a Streamlit call there lets a rerun interrupt training between snapshots).
    The run ends early, with a last snapshot, once every model has diverged.
    """
    run = RunState(config)
    yield run.snapshot()
    for step in config.snapshot_steps()[1:]:
        run.advance_to(step, on_step)
        yield run.snapshot()
        if run.all_diverged:
            return


def run_to_end(config: TrainConfig) -> tuple[Snapshot, ...]:
    """All snapshots of a run (the form a cache stores)."""
    return tuple(train(config))
