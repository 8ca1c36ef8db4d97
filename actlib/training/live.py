"""Live runs: a network a session keeps and trains on, a few steps at a time, for as long as
the student keeps pressing Play.

A :class:`LiveRun` wraps the engine's :class:`RunState` (weights, optimiser state, position
in the batch order, divergence) with what a live view adds: a loss history on a fixed grid
of steps, learning-rate changes made while it plays, and a cheap :class:`LiveFrame` to draw.
No press ever retrains a step already taken.

Determinism, the lecture promise: a live run is a pure function of its config, its
learning-rate changes (step, rate) and its step count. The link holds those three, and
:meth:`LiveRun.reach` trains a fresh run to them; :class:`TrainedRuns` keeps a few trained
runs per process, so a class opening one prepared link trains it once and every session
continues from its own copy.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from actlib.nets import task_loss
from actlib.training.config import TrainConfig
from actlib.training.engine import RunState, Scores
from actlib.training.snapshots import Snapshot

MAX_LIVE_STEPS = 100_000
"""How far a live run may go: generous (minutes of playing), named on screen when reached."""
HISTORY_EVERY = 10
"""Steps between two points of the loss history at the start; doubled whenever the history
would pass :data:`MAX_HISTORY_POINTS`, so it depends only on the step count, never on how
often the screen happened to redraw."""
MAX_HISTORY_POINTS = 600

LrChange = tuple[int, float]
"""(step, rate): from this many steps done on, train with this learning rate."""


@dataclass(frozen=True)
class LiveFrame:
    """What a live view draws: the step, the scores of every model, and the history."""

    step: int
    scores: Scores
    history_steps: np.ndarray
    history_train_loss: np.ndarray
    """``[points, M]``"""
    history_test_loss: np.ndarray
    diverged_step: np.ndarray
    diverged_reason: tuple[str, ...]
    lr: float

    @property
    def all_diverged(self) -> bool:
        return bool((self.diverged_step >= 0).all())


@dataclass
class LossHistory:
    """Train and test loss of every model at steps 0, k, 2k, … (k doubles as it grows)."""

    every: int = HISTORY_EVERY
    steps: list[int] = field(default_factory=list)
    train: list[np.ndarray] = field(default_factory=list)
    test: list[np.ndarray] = field(default_factory=list)

    def due(self, step: int) -> bool:
        return step % self.every == 0 and (not self.steps or step > self.steps[-1])

    def add(self, step: int, train_loss: np.ndarray, test_loss: np.ndarray) -> None:
        self.steps.append(step)
        self.train.append(np.asarray(train_loss, dtype=np.float64))
        self.test.append(np.asarray(test_loss, dtype=np.float64))
        if len(self.steps) > MAX_HISTORY_POINTS:
            self.every *= 2
            keep = [i for i, s in enumerate(self.steps) if s % self.every == 0]
            self.steps = [self.steps[i] for i in keep]
            self.train = [self.train[i] for i in keep]
            self.test = [self.test[i] for i in keep]


class LiveRun:
    """A run that continues: :meth:`advance` trains on from where it stands.

    One session drives one live run (a copy, when it came from :class:`TrainedRuns`), but
    a session may have two script threads for a moment: Streamlit 1.67 starts a full-page
    rerun on a new thread at once and lets the old one run on to its next Streamlit call
    (``runner.fastReruns``). So training, rate changes and what a frame reads hold the
    run's lock: two threads training one network at once broke its optimiser step ("every
    parameter needs a gradient", a slider moved while the Playground played).
    """

    def __init__(self, config: TrainConfig, lr_changes: Sequence[LrChange] = (),
                 record_snapshots: bool = False) -> None:
        self._lock = threading.RLock()
        self.config = config
        self.state = RunState(config)
        self.lr_changes: list[LrChange] = sorted((int(s), float(r)) for s, r in lr_changes)
        self.history = LossHistory()
        self.end = config.steps if record_snapshots else MAX_LIVE_STEPS
        """The step where this run stops: a lesson run ends at its config's step count
        (its charts span exactly that), an open-ended one (the Playground) at the bound."""
        self._snapshot_steps = set(config.snapshot_steps()) if record_snapshots else set()
        data = self.state.data
        self._loss_x = torch.cat([data.x_train, data.x_test])
        self._loss_rows = [len(data.x_train), len(data.x_test)]
        self._set_optimizer_lr(self.lr_at(0))
        self._record()
        self.initial_snapshot: Snapshot = self.state.snapshot()
        """The untrained network measured in full: what "since step 0" compares with."""
        self.snapshots: list[Snapshot] = [self.initial_snapshot] if record_snapshots else []
        self._now: Snapshot | None = None
        """With ``record_snapshots``: the engine's snapshots at the config's snapshot steps,
        exactly those :func:`actlib.training.train` yields, taken as the run passes them."""

    # -- where the run stands ------------------------------------------------------------

    @property
    def step(self) -> int:
        return self.state.steps_done

    @property
    def lr(self) -> float:
        return self.lr_at(self.step)

    @property
    def at_limit(self) -> bool:
        return self.step >= self.end

    @property
    def finished(self) -> bool:
        """Nothing left to train: at its end, or every model diverged."""
        return self.at_limit or self.all_diverged

    @property
    def all_diverged(self) -> bool:
        return self.state.all_diverged

    def lr_at(self, step: int) -> float:
        """The learning rate the run trains with after ``step`` steps."""
        rate = self.config.lr
        for change_step, change_rate in self.lr_changes:
            if change_step <= step:
                rate = change_rate
        return rate

    # -- training ---------------------------------------------------------------------------

    def advance(self, n: int) -> int:
        """Train ``n`` more steps (fewer at the run's :attr:`end` or once every model has
        diverged), applying learning-rate changes where they fall and recording the loss
        history on its grid of steps (and snapshots at the config's snapshot steps).
        Returns the steps taken."""
        with self._lock:
            target = min(self.step + max(0, int(n)), self.end)
            start = self.step
            while self.step < target and not self.all_diverged:
                stop = min(target, self._next_stop())
                self.state.advance_to(stop)
                self._set_optimizer_lr(self.lr_at(self.step))
                if self.history.due(self.step) or self.all_diverged:
                    self._record()
                if self._snapshot_steps and (self.step in self._snapshot_steps
                                             or self.all_diverged):
                    self.snapshots.append(self.state.snapshot())
            return self.step - start

    def snapshots_now(self) -> list[Snapshot]:
        """The recorded snapshots, plus one taken at the current step when the run stands
        between two snapshot steps (paused there, or mid-frame): what a view shows, so its
        charts end where the network is. The extra one is never recorded."""
        with self._lock:
            if not self.snapshots or self.snapshots[-1].step == self.step:
                return list(self.snapshots)
            if self._now is None or self._now.step != self.step:
                self._now = self.state.snapshot()
            return [*self.snapshots, self._now]

    def reach(self, step: int) -> None:
        """Train on to ``step`` (a link's step count); a run never moves back."""
        if step < self.step:
            raise ValueError(f"the run is at step {self.step}, past {step}")
        self.advance(step - self.step)

    def set_lr(self, rate: float) -> None:
        """Train with ``rate`` from now on (the learning-rate slider while playing)."""
        with self._lock:
            if rate == self.lr:
                return
            self.lr_changes = [c for c in self.lr_changes if c[0] < self.step]
            self.lr_changes.append((self.step, float(rate)))
            self._set_optimizer_lr(rate)

    def frame(self) -> LiveFrame:
        """What to draw now: one cheap evaluation pass plus the history so far."""
        with self._lock:
            scores = self.state.scores()
            m = self.config.n_models
            empty = np.empty((0, m))
            return LiveFrame(
                step=self.step,
                scores=scores,
                history_steps=np.array(self.history.steps, dtype=np.int64),
                history_train_loss=np.vstack(self.history.train) if self.history.train else empty,
                history_test_loss=np.vstack(self.history.test) if self.history.test else empty,
                diverged_step=self.state.diverged_step.copy(),
                diverged_reason=tuple(self.state.diverged_reason),
                lr=self.lr,
            )

    def copy(self) -> LiveRun:
        """An independent copy (weights, optimiser, batch order, history): a session
        continues from a shared trained run without touching it."""
        with self._lock:
            return copy.deepcopy(self)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_lock"]  # a copy gets its own
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # -- internals ----------------------------------------------------------------------

    def _next_stop(self) -> int:
        """The next step at which something must happen: a history point or a rate change."""
        every = self.history.every
        stop = (self.step // every + 1) * every
        upcoming = [s for s, _ in self.lr_changes if s > self.step]
        upcoming += [s for s in self._snapshot_steps if s > self.step]
        return min([stop, *upcoming])

    def _set_optimizer_lr(self, rate: float) -> None:
        for group in self.state.optimizer.param_groups:
            group["lr"] = rate

    def _record(self) -> None:
        if not self.history.steps or self.step > self.history.steps[-1]:
            self.history.add(self.step, *self._losses())

    def _losses(self) -> tuple[np.ndarray, np.ndarray]:
        """Training and test loss of every model, as :meth:`RunState.scores` measures them
        (evaluation mode, no gradients) but without the decision surface: the history needs
        only the losses, and the grid's 3,600 rows were most of the evaluation's cost."""
        state = self.state
        model, data = state.model, state.data
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                train, test = torch.split(model(self._loss_x), self._loss_rows, dim=1)
                return (task_loss(train, data.y_train, state.task).double().numpy(),
                        task_loss(test, data.y_test, state.task).double().numpy())
        finally:
            model.train(was_training)


class LinkTrainingError(RuntimeError):
    """Training a link failed in another session while this one waited for it: the same
    error, said once more, so that every waiting session shows it at once instead of
    training the link again behind the first."""


class _Training:
    """A link being trained by one session: the others wait on :attr:`done` and take its
    outcome, a run or the error it raised."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.run: LiveRun | None = None
        self.error: BaseException | None = None


class TrainedRuns:
    """A few trained live runs per process, keyed by (config, rate changes, step).

    A class opening the same prepared link trains it once: the first session trains while
    the others wait for its outcome, then each gets its own :meth:`LiveRun.copy`. When that
    training raises, every session waiting for it gets the error at once
    (:class:`LinkTrainingError`), nothing half-trained is kept and nothing of the attempt
    stays behind, so a session opening the link later trains it afresh (a fault may have
    been passing). Bounded (least recently used out), since every entry holds a network
    and its data.
    """

    def __init__(self, capacity: int = 16) -> None:
        self.capacity = capacity
        self._runs: OrderedDict[tuple, LiveRun] = OrderedDict()
        self._lock = threading.Lock()
        self._training: dict[tuple, _Training] = {}
        """Links being trained right now, by key: empty whenever nothing trains."""

    @staticmethod
    def _key(config: TrainConfig, lr_changes: Sequence[LrChange], step: int,
             record_snapshots: bool) -> tuple:
        return (config, tuple(sorted((int(s), float(r)) for s, r in lr_changes)), int(step),
                record_snapshots)

    def get(self, config: TrainConfig, lr_changes: Sequence[LrChange], step: int,
            record_snapshots: bool = False,
            train: Callable[[LiveRun, int], object] | None = None) -> LiveRun:
        """A copy of the run trained to ``step``, trained here at most once per key at a
        time; raises what that training raised (:class:`LinkTrainingError` in a session
        that waited for another's attempt).

        ``train(run, step)`` brings a fresh run to ``step`` (:meth:`LiveRun.reach` by
        default): a page passes one that trains on the process's trainer slots. Only the
        session that trains calls it; those waiting for that training hold no slot."""
        key = self._key(config, lr_changes, step, record_snapshots)
        while True:
            with self._lock:
                run = self._runs.get(key)
                if run is not None:
                    self._runs.move_to_end(key)
                    break
                training = self._training.get(key)
                if training is None:  # this session trains it
                    training = self._training[key] = _Training()
                    break
            training.done.wait()
            if training.run is not None:
                return training.run.copy()
            if isinstance(training.error, Exception):
                err = training.error
                raise LinkTrainingError(
                    f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
                ) from err
            # The trainer's script was stopped (Streamlit's own control flow), not failed:
            # train it here instead.
        if run is not None:
            return run.copy()
        try:
            run = LiveRun(config, lr_changes, record_snapshots)
            (train or LiveRun.reach)(run, step)
            self._keep(key, run)
            training.run = run
        except BaseException as err:
            training.error = err
            raise
        finally:
            with self._lock:
                self._training.pop(key, None)
            training.done.set()
        return run.copy()

    def peek(self, config: TrainConfig, step: int, record_snapshots: bool = False
             ) -> LiveRun | None:
        """A copy of the run of ``config`` (no rate changes) at ``step`` if one is kept,
        without training anything: a view that trains live asks first."""
        key = self._key(config, (), step, record_snapshots)
        with self._lock:
            run = self._runs.get(key)
            if run is None:
                return None
            self._runs.move_to_end(key)
        return run.copy()

    def put(self, run: LiveRun) -> None:
        """Keep a copy of a run a session trained live to its end, so the next session that
        opens the same settings starts where it ended."""
        step = run.end if run.finished and run.snapshots else run.step
        self._keep(self._key(run.config, run.lr_changes, step, bool(run.snapshots)),
                   run.copy())

    def _keep(self, key: tuple, run: LiveRun) -> None:
        with self._lock:
            self._runs[key] = run
            self._runs.move_to_end(key)
            while len(self._runs) > self.capacity:
                self._runs.popitem(last=False)

    def __len__(self) -> int:
        return len(self._runs)
