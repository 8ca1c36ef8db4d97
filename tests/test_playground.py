"""Stuck-at-chance detection of the Playground (actlib.playground), on made-up histories
and on a real run of the network from the issue (6 x 16 tanh)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from actlib.nets import ensemble
from actlib.playground import at_chance, chance_loss, stuck_at_chance
from actlib.runtime import configure_torch
from actlib.training import TrainConfig, run_to_end

configure_torch()  # one thread, as the app runs

STEPS = list(range(0, 501, 25))


def test_chance_level_is_ln_of_the_classes() -> None:
    assert chance_loss() == pytest.approx(math.log(2)) == pytest.approx(0.6931, abs=1e-4)


def test_a_flat_history_at_chance_is_stuck() -> None:
    losses = [0.697, *([0.694, 0.71, 0.693, 0.75] * 5)]
    assert at_chance(STEPS, losses, accuracy=0.5)
    assert at_chance(STEPS, losses, accuracy=0.58)  # a small test set wobbles around 50 %


@pytest.mark.parametrize(
    ("steps", "losses", "accuracy", "why"),
    [
        (STEPS, [0.69 - 0.03 * i for i in range(21)], 0.9, "learning"),
        (STEPS, [0.694] * 20 + [0.62], 0.5, "the loss got below chance"),
        (STEPS, [0.694] * 21, 0.75, "accuracy above guessing"),
        (STEPS[:7], [0.694] * 7, 0.5, "too early to say (150 steps)"),
        (STEPS, [0.694] * 20 + [float("nan")], 0.5, "diverged, not stuck"),
        ([0, 100, 200, 300, 400], [0.694, 0.694, 0.694, 0.694, 0.2], 0.5, "just escaped"),
    ],
)
def test_histories_that_are_not_stuck(steps, losses, accuracy, why) -> None:
    assert not at_chance(steps, losses, accuracy), why


def test_a_plateau_early_in_the_run_does_not_count() -> None:
    """Only the second half of the run is read: a plateau the run has left is history."""
    losses = [0.694] * 11 + [0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.04, 0.03]
    assert not at_chance(STEPS, losses, accuracy=0.97)


def _playground(lr: float, steps: int = 500) -> TrainConfig:
    """The Playground's first run of a 6 x 16 tanh network (minibatches of 32 of 400
    points, PyTorch's init), which a rate of 0.1 saturates; the Playground now trains full
    batches from Xavier init, where it takes 0.3 (tests/test_page_playground.py)."""
    return TrainConfig(dataset="circles", noise=0.1, test_fraction=0.25,
                       models=ensemble(["tanh"]), depth=6, width=16, lr=lr, steps=steps,
                       snapshot_every=25, n_samples=400, batch_size=32, grid_size=40)


def test_the_real_6x16_tanh_run_at_a_high_rate_is_stuck_and_explained() -> None:
    stuck = stuck_at_chance(run_to_end(_playground(lr=0.1)), lr=0.1)
    assert stuck is not None
    assert stuck.loss == pytest.approx(chance_loss(), abs=0.1)
    assert stuck.accuracy == pytest.approx(0.5, abs=0.1)
    assert stuck.flat_share > 0.5 > stuck.initial_flat_share  # made flat by training
    assert stuck.first_gradient < 1e-5
    text = stuck.explanation()
    assert text.startswith("Stuck at chance: after 500 steps the loss is ")
    assert "of the hidden units are flat" in text and "learning rate 0.1 made them flat" in text
    assert text.endswith("Try learning rate 0.01, fewer layers, ReLU or more steps.")


def test_the_same_network_at_a_lower_rate_learns_and_is_not_flagged() -> None:
    snapshots = run_to_end(_playground(lr=0.01))
    assert snapshots[-1].train_accuracy[0] > 0.9
    assert stuck_at_chance(snapshots, lr=0.01) is None


# --- the Playground's run ------------------------------------------------------------------


def test_the_live_config_fixes_data_network_and_seed_not_the_steps() -> None:
    from actlib import playground as pg

    config = pg.live_config("circles", 0.1, 0.25, "tanh", 2, 6, seed=4)
    assert config.steps == 1 and config.data_seed == 4 and config.models[0].seed == 4
    assert config.grid_size == pg.LIVE_GRID
    with pytest.raises(ValueError):
        pg.live_config("circles", 0.1, 0.25, "tanh", 2, 1)  # too narrow


def test_the_live_config_trains_on_every_point_from_the_recommended_init() -> None:
    from actlib import playground as pg

    tanh = pg.live_config("circles", 0.1, 0.25, "tanh", 2, 6)
    relu = pg.live_config("spirals", 0.1, 0.25, "relu", 3, 8)
    assert tanh.full_batch and tanh.init == "xavier_uniform" and relu.init == "he"
    text = pg.describe_run(tanh, seed=0)
    assert text.startswith("600 training points (white ring) and 200 test points")  # 800/4
    assert "full batches (every step uses all training points), Adam" in text
    assert "First weights: Xavier (Glorot) uniform, as recommended for Tanh." in text
    assert "minibatches of 16" in pg.describe_run(replace(tanh, batch_size=16), seed=0)
    assert text.endswith("Seed 0 draws both the data and the first weights.")
    assert pg.describe_run(tanh, 3, own=True).endswith(
        "Seed 3 draws the split and the first weights.")


@pytest.mark.parametrize(("act", "seed"), [("tanh", 1), ("relu", 1)])
def test_the_playgrounds_defaults_learn_two_spirals(act: str, seed: int) -> None:
    """Two spirals 3 x 8 at the page's defaults reach 90 % test accuracy within 1,000 steps
    (offline this seed takes 200 steps with either; with the old defaults, 400 points in
    minibatches of 32 and PyTorch's init, Adam 0.03, tanh took 7,450 and ReLU 6,600:
    benchmarks/bench_spirals.py)."""
    from actlib import playground as pg
    from actlib.page_settings.playground import SETTINGS
    from actlib.training.live import LiveRun

    config = pg.live_config("spirals", 0.1, 0.25, act, 3, 8, seed)
    run = LiveRun(replace(config, lr=SETTINGS["p_lr"].default))
    best = 0.0
    while run.step < 1000 and best < 0.9:
        run.advance(50)
        best = max(best, float(run.frame().scores.test_accuracy[0]))
    assert best >= 0.9, (act, seed, best)


def test_a_link_may_ask_for_as_many_steps_as_fit_in_the_run_time_cap() -> None:
    from actlib import playground as pg
    from actlib.training import MAX_RUN_SECONDS, MAX_STEPS, estimate_cost

    for depth, width in ((1, 2), (2, 6), (6, 16)):
        config = pg.live_config("circles", 0.1, 0.25, "tanh", depth, width)
        cap = pg.link_step_cap(config)
        at_cap = estimate_cost(replace(config, steps=cap, snapshot_every=cap)).total
        assert at_cap <= MAX_RUN_SECONDS * 1.01, (depth, width)
        assert cap == MAX_STEPS or at_cap >= MAX_RUN_SECONDS * 0.95, (depth, width)
    assert pg.link_step_cap(pg.live_config("circles", 0.1, 0.25, "tanh", 1, 2)) == MAX_STEPS


def test_a_live_run_is_judged_stuck_as_its_snapshots_would_be() -> None:
    from actlib import playground as pg
    from actlib.training.live import LiveRun

    config = replace(_playground(lr=0.1), steps=500, snapshot_every=500)
    run = LiveRun(config)
    run.reach(500)
    frame = run.frame()
    live = pg.stuck_live(frame.history_steps, frame.history_train_loss[:, 0],
                         run.initial_snapshot, run.state.snapshot(), 0.1)
    assert live is not None and live.step == 500
    assert live.initial_flat_share < 0.5 < live.flat_share


def test_overshoot_note_only_for_a_large_rate_that_did_not_lower_the_loss() -> None:
    from actlib.playground import overshoot_note

    note = overshoot_note(0.70, 0.69, 10.0, 100)
    assert note is not None and note.startswith("A learning rate of 10 is too large here")
    assert "0.700 at step 0 to 0.690 at step 100" in note
    assert overshoot_note(0.70, 0.30, 10.0, 100) is None  # it learned
    assert overshoot_note(0.70, 0.69, 0.3, 100) is None  # a slow start, not the rate
    assert overshoot_note(0.70, 0.70, 10.0, 0) is None  # nothing trained yet
    assert overshoot_note(0.70, math.nan, 3.0, 50) is not None  # diverged: no progress
