"""Live runs continue: pieces of any size, pauses, rate changes and copies all reach the
network the link describes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actlib.nets import ModelSpec
from actlib.training import TrainConfig, run_to, train
from actlib.training import live as live_module
from actlib.training.live import LiveRun, TrainedRuns

CONFIG = TrainConfig(dataset="circles", n_samples=300,
                     models=(ModelSpec("tanh"), ModelSpec("relu", seed=1)), depth=2,
                     width=6, lr=0.03, steps=400, snapshot_every=50, batch_size=32,
                     grid_size=20)


def _weights(run: LiveRun) -> list[torch.Tensor]:
    return [p.detach().clone() for p in run.state.model.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_a_run_played_in_uneven_pieces_equals_the_straight_run() -> None:
    pieces = LiveRun(CONFIG)
    for n in (7, 13, 1, 179, 50, 150):  # Step, Play bursts of any size, pauses in between
        pieces.advance(n)
        pieces.frame()
    straight = LiveRun(CONFIG)
    straight.advance(400)
    assert pieces.step == straight.step == 400
    assert _same(_weights(pieces), _weights(straight))
    assert pieces.history.steps == straight.history.steps
    np.testing.assert_array_equal(np.vstack(pieces.history.train),
                                  np.vstack(straight.history.train))


def test_a_live_run_matches_the_engines_snapshots() -> None:
    run = LiveRun(CONFIG)
    by_step = {s.step: s for s in train(CONFIG)}
    for step in (50, 200, 400):
        run.reach(step)
        frame = run.frame()
        np.testing.assert_allclose(frame.scores.train_loss, by_step[step].train_loss, rtol=1e-6)
        np.testing.assert_allclose(frame.scores.surface, by_step[step].surface, rtol=1e-5,
                                   atol=1e-7)
    assert _same(_weights(run), [p.detach() for p in run_to(CONFIG, 400).model.parameters()])


def test_the_history_records_the_losses_the_engine_measures_without_the_surface(
        monkeypatch) -> None:
    """Advancing records the train and test loss every few steps; it never evaluates the
    decision surface (the grid is a frame's business), and its losses are the engine's."""
    run = LiveRun(CONFIG)
    calls = []
    real_scores = live_module.RunState.scores
    monkeypatch.setattr(live_module.RunState, "scores",
                        lambda self: calls.append(self.steps_done) or real_scores(self))
    run.advance(120)
    assert calls == [] and run.history.steps[-1] == 120
    scores = run.state.scores()
    np.testing.assert_allclose(run.history.train[-1], scores.train_loss, rtol=1e-6)
    np.testing.assert_allclose(run.history.test[-1], scores.test_loss, rtol=1e-6)


def test_the_history_is_on_a_fixed_grid_of_steps() -> None:
    run = LiveRun(CONFIG)
    run.advance(33)
    run.advance(34)
    assert run.history.steps == [0, 10, 20, 30, 40, 50, 60]


def test_a_rate_changed_while_playing_is_reproduced_from_the_link() -> None:
    played = LiveRun(CONFIG)
    played.advance(120)
    played.set_lr(0.1)
    played.advance(80)
    assert played.lr_changes == [(120, 0.1)] and played.lr == 0.1
    from_link = LiveRun(CONFIG, lr_changes=played.lr_changes)
    from_link.reach(200)
    assert _same(_weights(played), _weights(from_link))
    plain = LiveRun(CONFIG)
    plain.advance(200)
    assert not _same(_weights(played), _weights(plain)), "the change took effect"
    groups = played.state.optimizer.param_groups
    assert all(g["lr"] == 0.1 for g in groups)


def test_a_copy_continues_on_its_own() -> None:
    original = LiveRun(CONFIG)
    original.advance(30)
    before = _weights(original)
    twin = original.copy()
    twin.advance(30)
    assert original.step == 30 and twin.step == 60
    assert _same(_weights(original), before)
    original.advance(30)
    assert _same(_weights(original), _weights(twin))


def test_trained_runs_train_a_link_once_and_hand_out_copies(monkeypatch) -> None:
    calls = []
    real_reach = LiveRun.reach

    def counting_reach(self, step):
        calls.append(step)
        return real_reach(self, step)

    monkeypatch.setattr(LiveRun, "reach", counting_reach)
    store = TrainedRuns(capacity=2)
    first = store.get(CONFIG, (), 100)
    second = store.get(CONFIG, (), 100)
    assert calls == [100] and first is not second
    first.advance(10)
    assert second.step == 100
    store.get(CONFIG, (), 50)
    store.get(CONFIG, ((20, 0.1),), 50)
    assert len(store) == 2  # the least recently used run left


FAILING_SECONDS = 0.6
"""How long the forced failing training takes before it raises."""


def test_a_link_whose_training_fails_fails_at_once_for_those_waiting(monkeypatch) -> None:
    """A link's training raises: the session that waited for it gets the same error as
    soon as the first one does (it does not train the link again behind it), nothing of
    the attempt is kept, and once the fault is gone the link trains."""
    import threading
    import time

    calls = []

    def failing_reach(self, step):
        calls.append(step)
        time.sleep(FAILING_SECONDS)
        raise RuntimeError("forced fault in training")

    monkeypatch.setattr(LiveRun, "reach", failing_reach)
    store = TrainedRuns(capacity=2)
    outcomes: dict[str, tuple[BaseException | None, float]] = {}

    def open_link(name: str) -> None:
        try:
            store.get(CONFIG, (), 100)
            outcomes[name] = (None, time.monotonic())
        except Exception as err:
            outcomes[name] = (err, time.monotonic())

    first = threading.Thread(target=open_link, args=("first",))
    second = threading.Thread(target=open_link, args=("second",))
    first.start()
    time.sleep(0.1)
    second.start()
    first.join(10)
    second.join(10)
    assert not second.is_alive(), "the waiting session hangs"
    (first_error, first_at), (second_error, second_at) = outcomes["first"], outcomes["second"]
    assert isinstance(first_error, RuntimeError) and "forced fault" in str(first_error)
    assert isinstance(second_error, RuntimeError) and "forced fault" in str(second_error)
    assert calls == [100], "the waiting session trained the failed link again"
    assert second_at - first_at < FAILING_SECONDS / 2, "the waiting session got it late"
    assert len(store) == 0, "a failed training was kept"
    assert not store._training, "the failed link's training is still registered"

    monkeypatch.undo()  # the fault is gone: the same link trains, in no time for the next
    run = store.get(CONFIG, (), 100)
    assert run.step == 100 and len(store) == 1


def test_a_live_run_stops_at_its_bound(monkeypatch) -> None:
    monkeypatch.setattr(live_module, "MAX_LIVE_STEPS", 25)
    run = LiveRun(CONFIG)
    assert run.advance(100) == 25 and run.at_limit
    assert run.advance(5) == 0


def test_the_history_thins_itself_as_it_grows(monkeypatch) -> None:
    monkeypatch.setattr(live_module, "MAX_HISTORY_POINTS", 8)
    run = LiveRun(CONFIG)
    run.advance(200)
    assert len(run.history.steps) <= 9
    assert all(s % run.history.every == 0 for s in run.history.steps)
    assert run.history.every > live_module.HISTORY_EVERY


def test_a_diverging_live_run_stops_and_says_when() -> None:
    wild = TrainConfig(dataset="circles", n_samples=300, models=(ModelSpec("relu"),), depth=4,
                       width=16, optimizer="sgd", lr=10.0, steps=400, init="naive",
                       init_sigma=3.0, batch_size=32, grid_size=10)
    run = LiveRun(wild)
    run.advance(400)
    frame = run.frame()
    assert frame.all_diverged and run.step < 400
    assert frame.diverged_step[0] == run.step
    assert run.history.steps[-1] == run.step
    with pytest.raises(ValueError):
        run.reach(0)


def test_two_threads_driving_one_run_take_turns() -> None:
    """Streamlit 1.67 starts a full-page rerun on a new thread while the old one runs on to
    its next Streamlit call: both may train and draw the session's run at once. They take
    turns on the run's lock, so the run ends where one thread would have taken it (two at
    once broke the optimiser step: "every parameter needs a gradient")."""
    import threading


    shared, errors = LiveRun(CONFIG), []

    def drive() -> None:
        try:
            for _ in range(40):
                shared.advance(5)
                shared.frame()
        except Exception as err:  # the test reports what a thread raised
            errors.append(err)

    threads = [threading.Thread(target=drive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    alone = LiveRun(CONFIG)
    alone.advance(shared.step)
    assert shared.step == 2 * 40 * 5
    assert _same(_weights(shared), _weights(alone))
    assert shared.history.steps == alone.history.steps
