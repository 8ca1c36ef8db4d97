"""The Playground: its run (one small network, trained to a step count that is part of the
link), and its diagnoses of a run that learns nothing (stuck at chance level) or that a too
large learning rate keeps from learning.

A classifier that answers "50 % for every point" scores a cross-entropy of ln 2 ≈ 0.693 on
balanced two-class data and 50 % accuracy. A run that still sits there after a few hundred
steps has not learned anything, and the loss curve alone does not say so: a student reads
0.694 as "a loss" rather than "no better than a coin". :func:`stuck_at_chance` detects such
a run from its own numbers and :meth:`StuckRun.explanation` says why, from measurements
of the same run (flat units, a gradient that fades before the first layer, the learning
rate), and what to try.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from actlib.activations import display_name, get
from actlib.nets import ModelSpec, fit_note, fit_stack, recommended_inits, stacked
from actlib.probes import SATURATION_THRESHOLD
from actlib.training import MAX_RUN_SECONDS, MAX_STEPS, Snapshot, TrainConfig, estimate_cost
from actlib.vocabulary import INIT_LABELS

STEP = 25
"""Steps trained by one press of Step."""
BURST = 250
"""Steps a link without a step count opens at: a network already partly trained."""
MAX_DEPTH, MAX_WIDTH = 6, 16
RUN = {"n_samples": 800, "batch_size": None}
"""800 points (600 to train on, 200 to test), and every step uses all training points
(full batch), Adam.

Why full batches: a step over all 300 or 600 points costs about what a step over 32 does
(the net is tiny, a step is mostly fixed overhead: 1,900 steps per CPU second either way
on spirals 3 x 8), and its gradient is the true one, so the boundary settles instead of
jittering. Why 800 points: drawn densely, the spirals' arms stand out of the noise, the
net overfits less, and 200 test points make the test accuracy less of a coin toss; a step
costs about 8 % more than with 400.

Measured offline (``python benchmarks/bench_spirals.py --inits 8``: 8 first networks on
each of 3 data seeds, Adam 0.03, recommended init), the share of runs that reached 90 %
test accuracy within 6,000 steps on two spirals 3 x 8 tanh, and their median steps:
batches of 32 of 300 points 46 %; full batches of 300 92 % (350 steps); of 600 96 %
(200 steps). ReLU: 75 % with full batches of 300 or 600 (250 steps). With the old
defaults (400 points, batches of 32, PyTorch's init) circles 2 x 4 tanh needed a median
of 150 steps to 95 %, now 50; XOR 200, now 150 (with 400 points)."""

MIN_STEPS = 200
"""Before this many steps a loss near chance is a slow start, not a stuck run."""
LOSS_TOLERANCE = 0.02
"""A loss at most this far below chance level still counts as chance level."""
ACCURACY_TOLERANCE = 0.1
"""Accuracy within this of 1 / classes counts as guessing (the test sets are small)."""
FLAT_SHARE = 0.5
"""From this share of flat hidden units on, flat units are named as a cause."""
FADED_GRADIENT = 1e-5
"""A first-layer weight-gradient norm below this is named as a gradient that fades away."""
LARGE_ADAM_RATE = 0.03
"""Adam learning rates from this one on pushed tanh units into saturation in 50 steps
(6 × 16 tanh on circles, minibatches of 32, PyTorch's init: 0.7 of the units flat at 0.1;
0.03 at 0.01). The Playground's own run (full batches, Xavier) trains at 0.1 and is stuck
at 0.3, with 93 % of its units flat."""


def chance_loss(classes: int = 2) -> float:
    """The cross-entropy of predicting 1/classes for every point: ln(classes)."""
    return math.log(classes)


def at_chance(
    steps: Sequence[int],
    losses: Sequence[float],
    accuracy: float,
    classes: int = 2,
    min_steps: int = MIN_STEPS,
) -> bool:
    """True if a run is still at chance level after ``min_steps`` steps.

    ``steps`` and ``losses`` are the run's training-loss history, ``accuracy`` its latest
    accuracy. Stuck means: the run is at least ``min_steps`` long, every loss of its second
    half is at or above chance level (less :data:`LOSS_TOLERANCE`: it never got below
    "always 50 %"), and the accuracy is that of guessing. Only the second half is read,
    so a run that has just escaped a plateau is not called stuck.
    """
    if not steps or steps[-1] < min_steps or not np.isfinite(losses[-1]):
        return False
    half = steps[-1] / 2
    recent = [loss for step, loss in zip(steps, losses, strict=True) if step >= half]
    floor = chance_loss(classes) - LOSS_TOLERANCE
    guessing = abs(accuracy - 1 / classes) <= ACCURACY_TOLERANCE
    return guessing and all(np.isfinite(loss) and loss >= floor for loss in recent)


@dataclass(frozen=True)
class StuckRun:
    """A run stuck at chance level, with the measurements that explain it."""

    step: int
    loss: float
    accuracy: float
    flat_share: float
    """Share of the hidden units (all layers) whose slope f′ is below the saturation
    threshold on the probe batch: saturated (tanh, sigmoid) or silent (ReLU)."""
    initial_flat_share: float
    """The same share at step 0, to tell units made flat by training from flat ones."""
    first_gradient: float
    """Norm of the first layer's weight gradient: what reaches the bottom of the net."""
    lr: float
    depth: int
    activation: str
    """Catalogue key of the model's activation."""
    classes: int = 2

    def causes(self) -> list[str]:
        """Why, in short clauses, each backed by a number of this run."""
        found = []
        flat = self.flat_share >= FLAT_SHARE
        if flat:
            found.append(f"{self.flat_share:.0%} of the hidden units are flat "
                         f"(f′ < {SATURATION_THRESHOLD:g})")
        if self.first_gradient < FADED_GRADIENT:
            found.append(f"the gradient reaching layer 1 is only {self.first_gradient:.1g}")
        if flat and self.initial_flat_share < FLAT_SHARE / 2 and self.lr >= LARGE_ADAM_RATE:
            found.append(f"learning rate {self.lr:g} made them flat "
                         f"({self.initial_flat_share:.0%} were at step 0)")
        return found

    def remedies(self) -> list[str]:
        """What to try, most likely first."""
        tries = []
        if self.lr >= LARGE_ADAM_RATE:
            tries.append("learning rate 0.01")
        if self.depth > 2:
            tries.append("fewer layers")
        if self.activation != "relu":
            tries.append("ReLU")
        return [*tries, "more steps"]

    def explanation(self) -> str:
        """The message the page shows: that it is stuck, why, and what to try."""
        text = (f"Stuck at chance: after {self.step:,} steps the loss is {self.loss:.3f}, "
                f"no better than ln {self.classes} ≈ {chance_loss(self.classes):.3f} (always "
                f"answering {1 / self.classes:.0%} per class), and accuracy is "
                f"{self.accuracy:.0%}.")
        if causes := "; ".join(self.causes()):
            text += f" {causes[0].upper()}{causes[1:]}."
        tries = self.remedies()
        return text + f" Try {', '.join(tries[:-1])} or {tries[-1]}."


def stuck_at_chance(
    snapshots: Sequence[Snapshot], lr: float, model: int = 0, min_steps: int = MIN_STEPS
) -> StuckRun | None:
    """Model ``model`` of a two-class run, if it is stuck at chance level (else None).

    Reads the training loss of every snapshot and the last snapshot's training accuracy,
    flat-unit shares and first-layer gradient. A diverged model is not "stuck": the page
    names its divergence instead.
    """
    if not snapshots:
        return None
    return stuck_live([s.step for s in snapshots],
                      [float(s.train_loss[model]) for s in snapshots],
                      snapshots[0], snapshots[-1], lr, model, min_steps)


def stuck_live(
    steps: Sequence[int],
    losses: Sequence[float],
    initial: Snapshot,
    last: Snapshot,
    lr: float,
    model: int = 0,
    min_steps: int = MIN_STEPS,
) -> StuckRun | None:
    """The same judgement for a live run: its loss history (``steps``, ``losses``), its
    untrained network measured in full (``initial``) and its network now (``last``)."""
    if last.diverged_step[model] >= 0:
        return None
    accuracy = float(last.train_accuracy[model])
    steps, losses = [int(s) for s in steps], [float(v) for v in losses]
    classes = max(last.info.config.dataset_info.n_classes, 2)
    if not at_chance(steps, losses, accuracy, classes, min_steps=min_steps):
        return None
    return StuckRun(
        step=last.step,
        loss=losses[-1],
        accuracy=accuracy,
        flat_share=float(np.nanmean(last.saturation_share[model])),
        initial_flat_share=float(np.nanmean(initial.saturation_share[model])),
        first_gradient=float(last.weight_grad_norm[model][0]),
        lr=lr,
        depth=int(last.saturation_share.shape[1]),
        activation=last.info.models[model].key,
        classes=classes,
    )


# --- the run ---------------------------------------------------------------------------------


LIVE_GRID = 60
"""Cells per side of the live decision surface (3,600 points: under a millisecond here)."""


def live_member(activation: str | Sequence[str], depth: int, seed: int = 0) -> ModelSpec:
    """The Playground's one network: an activation for every layer, or a stack (one key
    per hidden layer) fitted to ``depth`` (:func:`actlib.nets.fit_stack`: cut, or the last
    repeated)."""
    if isinstance(activation, str):
        return ModelSpec(activation, seed=seed)
    return stacked(fit_stack(tuple(activation), depth), seed=seed)


@dataclass(frozen=True)
class LiveActivation:
    """What the Playground's activation controls ask for: ``activation`` (a key, or a stack
    of keys fitted to the depth) for :func:`live_config`, the ``name`` the title and the
    captions show (``ReLU → Tanh → GELU``), and ``note``: what fitting the stack to the
    depth did, or None."""

    activation: str | tuple[str, ...]
    name: str
    note: str | None = None


def live_activation(act: str, stacks: Sequence[Sequence[str]], depth: int) -> LiveActivation:
    """The activation chosen by the Activation picker (``act``, resolved) and the typed
    stack (``stacks``: none or one, resolved): a stack wins over the picker. A stack with
    fewer entries than hidden layers repeats its last; extra entries are left out; the
    note says which (:func:`actlib.nets.fit_note`)."""
    if not stacks or not stacks[0]:
        return LiveActivation(act, get(act).name)
    stack = tuple(stacks[0])
    fitted = fit_stack(stack, depth)
    member = stacked(fitted)
    note = fit_note([get(k).name for k in stack], depth)
    return LiveActivation(fitted if member.is_stack else member.key, member.activation_label,
                          note)


def live_config(dataset: str, noise: float, test_share: float,
                activation: str | Sequence[str], depth: int, width: int,
                seed: int = 0) -> TrainConfig:
    """The Playground's network (raises ValueError if it cannot run). ``activation`` is a
    key, or a stack of keys (one per hidden layer, see :func:`live_member`). ``seed``
    draws the data and the first weights, which follow the catalogue's recommended
    initialisation for the activation (Xavier for tanh, He for ReLU: what the guide
    teaches; measured on two spirals 3 x 8, He let 75 % of ReLU runs reach 90 % within
    6,000 steps, PyTorch's default 38 %); in a stack each layer takes the scheme of its
    own activation and the head that of the last (:func:`actlib.nets.recommended_inits`).
    How far it trains and at which rates is the live run's business
    (:class:`actlib.training.live.LiveRun`), so the config's own step count is 1."""
    member = live_member(activation, depth, seed)
    init, layer_inits = recommended_inits(member, depth)
    return TrainConfig(dataset=dataset, noise=noise, test_fraction=test_share, data_seed=seed,
                       models=(member,), depth=depth, width=width, init=init,
                       layer_inits=layer_inits, steps=1, snapshot_every=1,
                       grid_size=LIVE_GRID, **RUN)


def init_sentence(config: TrainConfig) -> str:
    """Which scheme drew the first weights, as recommended for which activation."""
    member = config.models[0]
    if not config.layer_inits:
        return (f"{INIT_LABELS[config.init]}, as recommended for "
                f"{display_name(member.key) if member.is_stack else get(member.key).name}")
    parts = [f"layer {i + 1} {INIT_LABELS[config.layer_init(i)]} "
             f"({member.layer_spec(i).name})" for i in range(config.depth)]
    parts.append(f"the output layer {INIT_LABELS[config.layer_init(config.depth)]}")
    return ", ".join(parts) + ", as recommended for each layer's activation"


def describe_run(config: TrainConfig, seed: int, own: bool = False) -> str:
    """The caption under the live area: the points, the batch, the optimiser, the first
    weights and what the seed draws (``own``: the student's own data, only split by it)."""
    batch = ("full batches (every step uses all training points)" if config.full_batch else
             f"minibatches of {config.batch_size}")
    drawn = "the split and the first weights" if own else "both the data and the first weights"
    return (f"{config.n_train} training points (white ring) and "
            f"{config.n_total - config.n_train} test points (dark ring); {batch}, Adam. "
            f"First weights: {init_sentence(config)}. Seed {seed} draws {drawn}.")


def link_step_cap(config: TrainConfig) -> int:
    """The most steps a link may ask this network to be trained to when it is opened: what
    the cost model says fits in :data:`MAX_RUN_SECONDS` (a lecture hall's first click must
    not wait longer), and never more than the engine's :data:`MAX_STEPS` for one run.
    Playing on has no such cap; it trains a few steps a frame."""
    one, many = (estimate_cost(replace(config, steps=n, snapshot_every=n)).total
                 for n in (1, 1001))
    per_step = max((many - one) / 1000, 1e-9)
    return max(STEP, min(MAX_STEPS, int((MAX_RUN_SECONDS - one) / per_step)))


OVERSHOOT_RATE = 1.0
"""Adam rates from this one on are judged: below it a slow loss is not the rate's fault."""
OVERSHOOT_PROGRESS = 0.9
"""A loss not below this share of its start has not really fallen."""


def overshoot_note(start_loss: float, loss: float, lr: float, step: int) -> str | None:
    """The warning for a learning rate too large to train: at least :data:`OVERSHOOT_RATE`
    and the training loss has not fallen by a tenth since step 0. None otherwise."""
    if lr < OVERSHOOT_RATE or step <= 0 or loss < OVERSHOOT_PROGRESS * start_loss:
        return None
    return (f"A learning rate of {lr:g} is too large here: the training loss went from "
            f"{start_loss:.3f} at step 0 to {loss:.3f} at step {step}. Adam's steps "
            "overshoot every valley; try 0.01 to 0.1.")
